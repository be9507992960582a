#!/usr/bin/env python3
"""Grouped and depthwise convolutions with and without packed groups
(mapping.pack_groups, docs/hardware.md "Crossbar mapping", step 4).

  /usr/bin/python3 bench/group-packing.py OUT_DIR [--bin build/bin]
      [--hw rram-tiled] [--size 224]

Exports torchvision MobileNet-V2, EfficientNet-B0, ShuffleNet-V2 x1.0 and
ConvNeXt-Tiny (seeded random weights: structure and cost only) at
1 x 3 x SIZE x SIZE, compiles each with cimc at W8A8 on the preset and on
the same preset with `pack_groups: false`, and runs both programs on one
seeded input with cim-sim. Prints a Markdown table: latency, the report's
lower bound and their ratio, crossbars, energy, compile and simulate wall
time, and whether the two programs' outputs are identical.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NETWORKS = ["mobilenet_v2", "efficientnet_b0", "shufflenet_v2_x1_0",
            "convnext_tiny"]


def export(name, path, size):
    import torch
    import torchvision
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None).eval()
    torch.onnx.export(model, torch.randn(1, 3, size, size), path,
                      opset_version=13)


def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--hw", default="rram-tiled")
    ap.add_argument("--size", type=int, default=224)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    preset = os.path.join(ROOT, "models", "hw", a.hw + ".yaml")
    apart = os.path.join(a.out, a.hw + "-apart.yaml")
    with open(preset) as f:
        text = f.read()
    assert "pack_groups" not in text
    with open(apart, "w") as f:
        f.write(text.replace("mapping:\n", "mapping:\n  pack_groups: false\n"))
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    from onnx import numpy_helper
    x = np.random.default_rng(1).standard_normal(
        (1, 3, a.size, a.size)).astype(np.float32)
    xpb = os.path.join(a.out, "x.pb")
    with open(xpb, "wb") as f:
        f.write(numpy_helper.from_array(x, "input").SerializeToString())

    print("| network | groups | latency (cycles) | lower bound | latency / bound "
          "| crossbars | energy (uJ) | cimc s | cim-sim s | outputs |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in NETWORKS:
        model = os.path.join(a.out, "%s-%d.onnx" % (name, a.size))
        if not os.path.exists(model):
            export(name, model, a.size)
        outputs = {}
        for label, hw in (("apart", apart), ("packed", preset)):
            prog = os.path.join(a.out, "%s-%s.cim" % (name, label))
            report = prog + ".json"
            compile_s = timed([os.path.join(a.bin, "cimc"), model, "--hw", hw,
                               "-o", prog, "--report", report])
            out_dir = os.path.join(a.out, "%s-%s-out" % (name, label))
            sim_s = timed([os.path.join(a.bin, "cim-sim"), prog, "--input",
                           xpb, "--output-dir", out_dir])
            with open(os.path.join(out_dir, "output_0.pb"), "rb") as f:
                from onnx import TensorProto
                t = TensorProto()
                t.ParseFromString(f.read())
                outputs[label] = numpy_helper.to_array(t)
            with open(report) as f:
                r = json.load(f)
            used = r.get("crossbars_used", r.get("crossbars", ""))
            print("| %s | %s | %d | %d | %.2fx | %s | %.1f | %.2f | %.2f | %s |" % (
                name, label, r["latency_cycles"], r["lower_bound_cycles"],
                r["latency_cycles"] / r["lower_bound_cycles"], used,
                r["energy_joules"] * 1e6, compile_s, sim_s,
                "" if label == "apart" else
                ("identical" if np.array_equal(outputs["apart"],
                                               outputs["packed"])
                 else "DIFFER")), flush=True)


if __name__ == "__main__":
    main()
