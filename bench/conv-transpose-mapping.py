#!/usr/bin/python3
"""Transposed convolutions on crossbars: the sub-pixel convolution that the
importer builds against a convolution over the zero-inserted input.

  /usr/bin/python3 bench/conv-transpose-mapping.py OUTDIR [--cimc PATH] [--hw PRESET ...]

Writes a DCGAN-style generator (docs/importer.md, "Transposed
convolutions"): a 1 x 128 x 4 x 4 code through four ConvTranspose layers
(k4 s2 p1: 128 -> 64 -> 32 -> 16 -> 3 channels, ReLU between, 64 x 64
out), with seeded weights, twice:

  subpixel.onnx    the ConvTranspose nodes (imported as sub-pixel
                   convolutions)
  zeroinsert.onnx  each ConvTranspose written as the zero-inserted form:
                   Reshape, Pad and Reshape put s - 1 zeros after every
                   input pixel, then a stride-1 Conv with the flipped,
                   transposed kernel

checks that both compute the same float outputs (cim-sim's reference
executor), compiles both with cimc at W8A8 on each preset, and prints one
line per model and preset: latency, crossbars, energy and the layer
cycles. Weights are random: this measures structure and cost, not
accuracy."""
import argparse
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

CHANNELS = [128, 64, 32, 16, 3]


def build(kind, weights, biases, size):
    nodes, inits = [], []
    x = "z"
    h = size
    for i, (w, b) in enumerate(zip(weights, biases)):
        cin, cout = w.shape[0], w.shape[1]
        name = f"up{i}"
        if kind == "subpixel":
            inits += [numpy_helper.from_array(w, f"w{i}"),
                      numpy_helper.from_array(b, f"b{i}")]
            nodes.append(helper.make_node(
                "ConvTranspose", [x, f"w{i}", f"b{i}"], [f"y{i}"], name=name,
                strides=[2, 2], pads=[1, 1, 1, 1]))
        else:
            # x -> [N, C, H, 1, W, 1] -> pad to [N, C, H, 2, W, 2] ->
            # [N, C, 2H, 2W]: the zero-inserted input with one trailing zero
            # row and column; conv pads (k - 1 - p) before, (k - 1 - p) - 1
            # after.
            flipped = np.ascontiguousarray(
                w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1])
            inits += [numpy_helper.from_array(flipped, f"w{i}"),
                      numpy_helper.from_array(b, f"b{i}"),
                      numpy_helper.from_array(
                          np.array([1, cin, h, 1, h, 1], np.int64), f"s6_{i}"),
                      numpy_helper.from_array(
                          np.array([0] * 6 + [0, 0, 0, 1, 0, 1], np.int64),
                          f"p6_{i}"),
                      numpy_helper.from_array(
                          np.array([1, cin, 2 * h, 2 * h], np.int64), f"s4_{i}")]
            nodes += [
                helper.make_node("Reshape", [x, f"s6_{i}"], [f"a{i}"]),
                helper.make_node("Pad", [f"a{i}", f"p6_{i}"], [f"c{i}"]),
                helper.make_node("Reshape", [f"c{i}", f"s4_{i}"], [f"d{i}"]),
                helper.make_node("Conv", [f"d{i}", f"w{i}", f"b{i}"], [f"y{i}"],
                                 name=name, pads=[2, 2, 1, 1])]
        h *= 2
        x = f"y{i}"
        if i + 1 < len(weights):
            nodes.append(helper.make_node("Relu", [x], [f"r{i}"]))
            x = f"r{i}"
    graph = helper.make_graph(
        nodes, kind,
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, CHANNELS[0], size, size])],
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, CHANNELS[-1], h, h])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--cimc", default=os.path.join(here, "..", "build", "bin", "cimc"))
    ap.add_argument("--hw", action="append", default=None)
    args = ap.parse_args()
    bindir = os.path.dirname(args.cimc)
    os.makedirs(args.outdir, exist_ok=True)
    rng = np.random.default_rng(3)
    weights = [(rng.standard_normal((a, b, 4, 4)) / np.sqrt(a * 4)).astype(np.float32)
               for a, b in zip(CHANNELS, CHANNELS[1:])]
    biases = [(0.1 * rng.standard_normal(b)).astype(np.float32) for b in CHANNELS[1:]]
    z = rng.standard_normal((1, CHANNELS[0], 4, 4)).astype(np.float32)
    zpath = os.path.join(args.outdir, "z.pb")
    with open(zpath, "wb") as f:
        f.write(numpy_helper.from_array(z).SerializeToString())
    calib = os.path.join(args.outdir, "calib", "test_data_set_0")
    os.makedirs(calib, exist_ok=True)
    with open(os.path.join(calib, "input_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(
            rng.standard_normal(z.shape).astype(np.float32)).SerializeToString())
    outs = {}
    for kind in ("subpixel", "zeroinsert"):
        path = os.path.join(args.outdir, kind + ".onnx")
        onnx.save(build(kind, weights, biases, 4), path)
        d = os.path.join(args.outdir, kind + "-float")
        subprocess.run([os.path.join(bindir, "cim-sim"), path, "--input", zpath,
                        "--output-dir", d], check=True, stdout=subprocess.DEVNULL)
        t = onnx.TensorProto()
        with open(os.path.join(d, "output_0.pb"), "rb") as f:
            t.ParseFromString(f.read())
        outs[kind] = numpy_helper.to_array(t)
    diff = float(np.abs(outs["subpixel"] - outs["zeroinsert"]).max())
    print(f"float outputs: max |subpixel - zeroinsert| = {diff:.3g} "
          f"(outputs up to {np.abs(outs['subpixel']).max():.3g})")
    if diff > 1e-4:
        return 1
    for hw in args.hw or ["rram-tiled", "cimaq-reference"]:
        for kind in ("subpixel", "zeroinsert"):
            path = os.path.join(args.outdir, kind + ".onnx")
            report = subprocess.run(
                [args.cimc, path, "--hw", hw, "--wbits", "8", "--abits", "8",
                 "--calibrate", os.path.dirname(calib),
                 "-o", os.path.join(args.outdir, f"{kind}-{hw}.cim")],
                check=True, capture_output=True, text=True).stdout
            latency = re.search(r"latency: (\d+) cycles", report).group(1)
            energy = re.search(r"energy: ([\d.]+ \S+);", report).group(1)
            xbars = re.search(r"crossbars (\d+)/", report).group(1)
            layers = re.findall(r"^(up\d)\s+\d+\s+\d+\s+(\d+)\s+\d+\s+\d+\s+\d+\s+(\d+)",
                                report, re.M)
            per = ", ".join(f"{n} {x} xbars {c} cycles" for n, x, c in layers)
            print(f"{hw} {kind}: latency {latency} cycles, {xbars} crossbars, "
                  f"energy {energy}; {per}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
