#!/usr/bin/python3
"""Writes the small models of cim-tune-data-folders.test into OUTDIR.

    make-data-models.py OUTDIR

image-net.onnx  3x8x8 images to 3 classes: a convolution, ReLU, global
                average pooling and a Gemm head; dynamic batch
two-input.onnx  two inputs, a 1x8x8 image x and a 4-vector z, to 3 classes:
                Gemm(GAP(ReLU(Conv(x)))) + Gemm(z); dynamic batch

and the data for them:

tensors/train, tensors/val  the ONNX test layout for two-input.onnx:
                test_data_set_N/input_0.pb (1x1x8x8), input_1.pb (1x4) and
                output_0.pb (the model's float output, computed here), with
                labels.txt (the largest of z's first 3 values)
npy/            a flat folder of unlabeled 3x8x8 .npy samples for
                image-net.onnx

Weights and data come from a seeded numpy generator.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(3)


def init(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


def rand(*shape, scale=0.5):
    return rng.normal(0, scale, shape)


def save(path, nodes, inits, inputs, outputs):
    graph = helper.make_graph(nodes, os.path.basename(path), inputs, outputs,
                              inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def image_net(path):
    n = helper.make_node
    nodes = [
        n("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
        n("Relu", ["c"], ["r"]),
        n("GlobalAveragePool", ["r"], ["g"]),
        n("Flatten", ["g"], ["f"]),
        n("Gemm", ["f", "fw", "fb"], ["y"], transB=1),
    ]
    inits = [init("w", rand(6, 3, 3, 3)), init("b", rand(6, scale=0.1)),
             init("fw", rand(3, 6)), init("fb", np.zeros(3))]
    save(path, nodes, inits,
         [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                        ["N", 3, 8, 8])],
         [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])])


def two_input(path):
    n = helper.make_node
    nodes = [
        n("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
        n("Relu", ["c"], ["r"]),
        n("GlobalAveragePool", ["r"], ["g"]),
        n("Flatten", ["g"], ["f"]),
        n("Gemm", ["f", "fw", "fb"], ["y1"], transB=1),
        n("Gemm", ["z", "zw", "zb"], ["y2"], transB=1),
        n("Add", ["y1", "y2"], ["y"]),
    ]
    weights = {"w": rand(4, 1, 3, 3), "b": rand(4, scale=0.1),
               "fw": rand(3, 4), "fb": np.zeros(3), "zw": rand(3, 4),
               "zb": np.zeros(3)}
    inits = [init(k, v) for k, v in weights.items()]
    save(path, nodes, inits,
         [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                        ["N", 1, 8, 8]),
          helper.make_tensor_value_info("z", TensorProto.FLOAT, ["N", 4])],
         [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])])
    return {k: np.asarray(v, dtype=np.float32) for k, v in weights.items()}


def two_input_forward(wt, x, z):
    """two-input.onnx on one sample: x 1x1x8x8, z 1x4."""
    p = np.pad(x[0, 0], 1)
    c = np.zeros((4, 8, 8), np.float32)
    for o in range(4):
        for i in range(3):
            for j in range(3):
                c[o] += wt["w"][o, 0, i, j] * p[i:i + 8, j:j + 8]
        c[o] += wt["b"][o]
    f = np.maximum(c, 0).mean(axis=(1, 2))
    return (f @ wt["fw"].T + wt["fb"] + z @ wt["zw"].T + wt["zb"]).astype(
        np.float32)


def write_pb(path, array):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(np.asarray(array, np.float32))
                .SerializeToString())


def tensor_folder(out, count, wt):
    labels = []
    for s in range(count):
        folder = os.path.join(out, "test_data_set_%d" % s)
        os.makedirs(folder, exist_ok=True)
        x = rng.normal(0, 1, (1, 1, 8, 8)).astype(np.float32)
        z = rng.normal(0, 1, (1, 4)).astype(np.float32)
        write_pb(os.path.join(folder, "input_0.pb"), x)
        write_pb(os.path.join(folder, "input_1.pb"), z)
        write_pb(os.path.join(folder, "output_0.pb"), two_input_forward(wt, x, z))
        labels.append(int(np.argmax(z[0, :3])))
    with open(os.path.join(out, "labels.txt"), "w") as f:
        f.write("".join("%d\n" % l for l in labels))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    image_net(os.path.join(out, "image-net.onnx"))
    wt = two_input(os.path.join(out, "two-input.onnx"))
    tensor_folder(os.path.join(out, "tensors", "train"), 16, wt)
    tensor_folder(os.path.join(out, "tensors", "val"), 8, wt)
    os.makedirs(os.path.join(out, "npy"), exist_ok=True)
    for s in range(8):
        np.save(os.path.join(out, "npy", "sample_%d.npy" % s),
                rng.normal(0, 1, (3, 8, 8)).astype(np.float32))


if __name__ == "__main__":
    main()
