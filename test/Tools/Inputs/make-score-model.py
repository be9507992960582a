#!/usr/bin/python3
"""Writes a binary detector (one sigmoid score per sample) and its data.

    make-score-model.py OUTDIR

score.onnx       1x8x8 inputs to one probability: Sigmoid(Gemm(GAP(ReLU(
                 Conv(x))))); dynamic batch
negated.onnx     the same with the head's weight and bias negated, so that
                 every decision flips (its probability is 1 - score's)
samples/         16 .npy samples (1x1x8x8) and labels.txt: 0 0 0 ... then
                 the float model's own decisions, which are balanced: half
                 the samples score well above 0.5, half well below

Weights and data come from a seeded numpy generator.
"""
import importlib.util
import os
import sys

import numpy as np
from onnx import TensorProto, helper

# The ONNX helpers of the data-folder models (init, save).
_spec = importlib.util.spec_from_file_location(
    "data_models", os.path.join(os.path.dirname(__file__),
                                "make-data-models.py"))
models = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(models)

rng = np.random.default_rng(5)


def save(path, sign, w, b, fw):
    n = helper.make_node
    nodes = [
        n("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
        n("Relu", ["c"], ["r"]),
        n("GlobalAveragePool", ["r"], ["g"]),
        n("Flatten", ["g"], ["f"]),
        n("Gemm", ["f", "fw", "fb"], ["z"], transB=1),
        n("Sigmoid", ["z"], ["y"]),
    ]
    inits = [models.init("w", w), models.init("b", b),
             models.init("fw", sign * fw),
             models.init("fb", sign * np.array([-1.0]))]
    models.save(
        path, nodes, inits,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 1])])


def main():
    out = sys.argv[1]
    # Channel 0 responds to bright inputs, channel 1 to dark ones; the
    # head scores channel 0 against channel 1.
    w = np.zeros((2, 1, 3, 3))
    w[0] = 1.0 / 9
    w[1] = -1.0 / 9
    b = np.zeros(2)
    fw = np.array([[4.0, -4.0]])
    save(os.path.join(out, "score.onnx"), 1.0, w, b, fw)
    save(os.path.join(out, "negated.onnx"), -1.0, w, b, fw)
    samples = os.path.join(out, "samples")
    os.makedirs(samples, exist_ok=True)
    labels = []
    for i in range(16):
        # Even samples are bright (score > 0.5), odd ones dark.
        level = 1.0 if i % 2 == 0 else -1.0
        x = level + rng.normal(0, 0.2, (1, 1, 8, 8))
        np.save(os.path.join(samples, "s%02d.npy" % i), x.astype(np.float32))
        labels.append(1 if i % 2 == 0 else 0)
    # The first four labels are all 0: the float model gets 14 of 16 right.
    labels[0] = labels[2] = 0
    with open(os.path.join(samples, "labels.txt"), "w") as f:
        f.write("\n".join(str(v) for v in labels) + "\n")


if __name__ == "__main__":
    main()
