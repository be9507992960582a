#!/usr/bin/python3
"""Compiles real networks with cimc and runs the programs with cim-sim.

  /usr/bin/python3 scripts/program-conformance.py --bin build/bin \
      --models build/torch-models [--testdata ../shared/testdata] \
      [--write-doc docs/benchmarks.md]

Checks, on the default preset at W8A8:
  - torchvision ResNet-18, MobileNet-V2, SqueezeNet 1.1 and GoogLeNet (the
    torch.onnx exports of scripts/make-torch-models.py, opset 13): the
    program's output keeps cosine similarity to PyTorch's float output
    (MIN_COSINE: 0.99 for ResNet-18 and SqueezeNet);
  - ResNet-18 and GoogLeNet: cross-layer scheduling is >= 3x faster than
    layer-by-layer and within 1.5x of lower_bound_cycles (cycle counts are
    deterministic model outputs, not wall time);
  - mnist-8 (with --testdata): the program keeps top-1 on the three reference
    sets, and cim-sim's output equals the quantized reference bit for bit.
Prints one line per network (compile and simulation wall time included);
--write-doc replaces the section between the program-benchmarks markers.
Exit status 1 on any failure, 77 when torch or torchvision are missing.
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from onnx import numpy_helper, TensorProto

HERE = os.path.dirname(os.path.abspath(__file__))
NETWORKS = ["resnet18", "googlenet", "mobilenet_v2", "squeezenet1_1"]
# Cosine similarity each must keep. The exports have random (untrained)
# weights that make GoogLeNet and MobileNet-V2 chaotic: 1 % input noise
# costs them 3 % and PyTorch's own 8-bit per-channel weights 2.5-4.4 %
# (bench/torch-sensitivity.py), exactly what W8A16 programs lose, while
# W16A16 programs keep 0.99999. They are held to a regression floor until
# trained weights are available (see docs/benchmarks.md).
MIN_COSINE = {"resnet18": 0.99, "squeezenet1_1": 0.99, "googlenet": 0.90,
              "mobilenet_v2": 0.90}
SCHEDULE_TARGETS = {"resnet18", "googlenet"}
BEGIN = "<!-- program-benchmarks:begin -->"
END = "<!-- program-benchmarks:end -->"


def load(path):
    t = TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def run(cmd):
    start = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p, time.perf_counter() - start


def cosine(a, b):
    a = a.ravel().astype(np.float64)
    b = b.ravel().astype(np.float64)
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def network(bindir, folder, tmp):
    """Returns a dict of figures, or raises RuntimeError."""
    model = os.path.join(folder, "model.onnx")
    out = {}
    for mode in ("cross-layer", "layer"):
        prog = os.path.join(tmp, mode + ".cim")
        report = os.path.join(tmp, mode + ".json")
        p, secs = run([os.path.join(bindir, "cimc"), model, "-o", prog,
                       "--schedule", mode, "--report", report])
        if p.returncode:
            raise RuntimeError("cimc: " + p.stderr.strip())
        with open(report) as f:
            out[mode] = json.load(f)
        out[mode + "_compile_s"] = secs
    outdir = os.path.join(tmp, "out")
    simreport = os.path.join(tmp, "sim.json")
    p, secs = run([os.path.join(bindir, "cim-sim"),
                   os.path.join(tmp, "cross-layer.cim"), "--input",
                   os.path.join(folder, "input_0.pb"), "--output-dir", outdir,
                   "--report", simreport])
    if p.returncode:
        raise RuntimeError("cim-sim: " + p.stderr.strip())
    out["sim_s"] = secs
    with open(simreport) as f:
        out["sim"] = json.load(f)
    out["cosine"] = cosine(load(os.path.join(outdir, "output_0.pb")),
                           load(os.path.join(folder, "output_0.pb")))
    return out


def mnist8(bindir, testdata, tmp):
    """Returns a list of failure messages."""
    folder = os.path.join(testdata, "models", "mnist-8")
    model = os.path.join(folder, "model.onnx")
    prog = os.path.join(tmp, "mnist8.cim")
    p, _ = run([os.path.join(bindir, "cimc"), model, "-o", prog])
    if p.returncode:
        return ["mnist-8: cimc: " + p.stderr.strip()]
    bad = []
    for i in range(3):
        data = os.path.join(folder, "test_data_set_%d" % i)
        x = os.path.join(data, "input_0.pb")
        a, b = os.path.join(tmp, "p%d" % i), os.path.join(tmp, "q%d" % i)
        p1, _ = run([os.path.join(bindir, "cim-sim"), prog, "--input", x,
                     "--output-dir", a])
        p2, _ = run([os.path.join(bindir, "cim-sim"), model,
                     "--reference=quantized", "--input", x, "--output-dir", b])
        if p1.returncode or p2.returncode:
            bad.append("mnist-8 set %d: %s%s" % (i, p1.stderr, p2.stderr))
            continue
        got = load(os.path.join(a, "output_0.pb"))
        ref = load(os.path.join(b, "output_0.pb"))
        want = load(os.path.join(data, "output_0.pb"))
        if got.tobytes() != ref.tobytes():
            bad.append("mnist-8 set %d: program and quantized reference "
                       "differ" % i)
        if got.argmax() != want.argmax():
            bad.append("mnist-8 set %d: top-1 %d, expected %d" %
                       (i, got.argmax(), want.argmax()))
        print("mnist-8 set %d: top-1 %d (expected %d), bit-exact %s" %
              (i, got.argmax(), want.argmax(),
               got.tobytes() == ref.tobytes()))
    return bad


def write_doc(path, rows):
    lines = [BEGIN, "",
             "| network | layer-by-layer cycles | cross-layer cycles | "
             "speedup | lower bound | latency / bound | crossbars | "
             "cosine to float | cimc s | cim-sim s | GMAC/s |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in rows:
        c, l = r["cross-layer"], r["layer"]
        lines.append("| %s | %d | %d | %.2fx | %d | %.2fx | %d/%d | %.5f | "
                     "%.2f | %.2f | %.2f |" % (
                         name, l["latency_cycles"], c["latency_cycles"],
                         l["latency_cycles"] / c["latency_cycles"],
                         c["lower_bound_cycles"],
                         c["latency_cycles"] / c["lower_bound_cycles"],
                         c["crossbars_used"], c["chip_crossbars"],
                         r["cosine"], r["cross-layer_compile_s"], r["sim_s"],
                         r["sim"]["functional"]["gmac_per_second"]))
    lines += ["", END]
    with open(path) as f:
        text = f.read()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + "\n".join(lines) + rest.split(END, 1)[1]
    else:
        text += "\n" + "\n".join(lines) + "\n"
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--models", required=True)
    ap.add_argument("--testdata")
    ap.add_argument("--write-doc")
    args = ap.parse_args()

    make = subprocess.run([sys.executable,
                           os.path.join(HERE, "make-torch-models.py"),
                           "--out", args.models])
    if make.returncode == 77:
        print("program-conformance: torch or torchvision missing; skipped")
        return 77
    if make.returncode != 0:
        return 1
    failures, rows = [], []
    with tempfile.TemporaryDirectory() as tmp:
        if args.testdata and os.path.isdir(args.testdata):
            failures += mnist8(args.bin,
                               args.testdata, tmp)
        for net in NETWORKS:
            folder = os.path.join(args.models, net + "-opset13")
            work = os.path.join(tmp, net)
            os.makedirs(work)
            try:
                r = network(args.bin, folder, work)
            except RuntimeError as e:
                failures.append("%s: %s" % (net, e))
                continue
            rows.append((net, r))
            c, l = r["cross-layer"], r["layer"]
            speedup = l["latency_cycles"] / c["latency_cycles"]
            ratio = c["latency_cycles"] / c["lower_bound_cycles"]
            print("%-14s cosine %.5f  layer %d  cross %d  speedup %.2fx  "
                  "bound %.2fx  cimc %.2fs  cim-sim %.2fs" % (
                      net, r["cosine"], l["latency_cycles"],
                      c["latency_cycles"], speedup, ratio,
                      r["cross-layer_compile_s"], r["sim_s"]))
            if r["cosine"] < MIN_COSINE[net]:
                failures.append("%s: cosine %.5f < %.2f" %
                                (net, r["cosine"], MIN_COSINE[net]))
            if net in SCHEDULE_TARGETS and speedup < 3:
                failures.append("%s: cross-layer speedup %.2fx < 3x" %
                                (net, speedup))
            if net in SCHEDULE_TARGETS and ratio > 1.5:
                failures.append("%s: %.2fx the lower bound > 1.5x" %
                                (net, ratio))
    if args.write_doc:
        write_doc(args.write_doc, rows)
    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
