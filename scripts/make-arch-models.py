#!/usr/bin/python3
"""Writes the untrained architectures that scripts/train-models.sh trains.

    scripts/make-arch-models.py OUTDIR [--seed N]

OUTDIR/lenet5-arch.onnx   LeNet-5 for 1x28x28 inputs (conv 6@5x5 pad 2, pool,
                          conv 16@5x5, pool, fc 120, fc 84, fc 10)
OUTDIR/resnet8-arch.onnx  a ResNet-8 adapted to 1x28x28: a 3x3 stem conv,
                          three stages of one basic block (conv-BN-ReLU twice,
                          identity or strided 1x1 projection shortcut) with
                          widths W, 2W, 4W, global average pooling, fc 10
OUTDIR/resnet20-arch.onnx the same with three blocks per stage

Weights are He-normal from a seeded numpy generator; batch norms start at
identity. Opset 13, a dynamic batch dimension. Needs /usr/bin/python3 with
python3-onnx and python3-numpy.
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class Builder:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.inits = []
        self.count = 0

    def name(self, prefix):
        self.count += 1
        return f"{prefix}{self.count}"

    def init(self, name, array):
        self.inits.append(numpy_helper.from_array(array.astype(np.float32), name))
        return name

    def conv(self, x, cin, cout, k, stride=1, pad=0, bias=True, name=None):
        name = name or self.name("conv")
        fan_in = cin * k * k
        w = self.rng.normal(0, np.sqrt(2.0 / fan_in), (cout, cin, k, k))
        inputs = [x, self.init(name + ".weight", w)]
        if bias:
            inputs.append(self.init(name + ".bias", np.zeros(cout)))
        self.nodes.append(helper.make_node(
            "Conv", inputs, [name + ".out"], name=name, kernel_shape=[k, k],
            strides=[stride, stride], pads=[pad] * 4))
        return name + ".out"

    def bn(self, x, c):
        name = self.name("bn")
        inputs = [x, self.init(name + ".scale", np.ones(c)),
                  self.init(name + ".bias", np.zeros(c)),
                  self.init(name + ".mean", np.zeros(c)),
                  self.init(name + ".var", np.ones(c))]
        self.nodes.append(helper.make_node(
            "BatchNormalization", inputs, [name + ".out"], name=name,
            epsilon=1e-5))
        return name + ".out"

    def op(self, op_type, inputs, **attrs):
        name = self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [name + ".out"],
                                           name=name, **attrs))
        return name + ".out"

    def gemm(self, x, cin, cout, name=None, relu_gain=True):
        name = name or self.name("fc")
        gain = 2.0 if relu_gain else 1.0
        w = self.rng.normal(0, np.sqrt(gain / cin), (cout, cin))
        self.nodes.append(helper.make_node(
            "Gemm", [x, self.init(name + ".weight", w),
                     self.init(name + ".bias", np.zeros(cout))],
            [name + ".out"], name=name, transB=1))
        return name + ".out"

    def model(self, x, out, channels, classes):
        graph = helper.make_graph(
            self.nodes, "main",
            [helper.make_tensor_value_info(x, TensorProto.FLOAT,
                                           ["N", channels, 28, 28])],
            [helper.make_tensor_value_info(out, TensorProto.FLOAT,
                                           ["N", classes])],
            self.inits)
        model = helper.make_model(graph, producer_name="make-arch-models",
                                  opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 7
        onnx.checker.check_model(model)
        return model


def lenet5(seed):
    b = Builder(seed)
    x = "input"
    h = b.op("Relu", [b.conv(x, 1, 6, 5, pad=2, name="conv1")])
    h = b.op("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2])
    h = b.op("Relu", [b.conv(h, 6, 16, 5, name="conv2")])
    h = b.op("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2])
    h = b.op("Flatten", [h], axis=1)
    h = b.op("Relu", [b.gemm(h, 400, 120, name="fc1")])
    h = b.op("Relu", [b.gemm(h, 120, 84, name="fc2")])
    out = b.gemm(h, 84, 10, name="fc3", relu_gain=False)
    return b.model(x, out, 1, 10)


def resnet(seed, blocks, width):
    b = Builder(seed)
    x = "input"
    h = b.op("Relu", [b.bn(b.conv(x, 1, width, 3, pad=1, bias=False,
                                  name="stem"), width)])
    cin = width
    for stage, cout in enumerate([width, 2 * width, 4 * width]):
        for block in range(blocks):
            stride = 2 if stage > 0 and block == 0 else 1
            prefix = f"s{stage + 1}b{block + 1}"
            y = b.op("Relu", [b.bn(b.conv(h, cin, cout, 3, stride, 1, False,
                                          name=prefix + "conv1"), cout)])
            y = b.bn(b.conv(y, cout, cout, 3, 1, 1, False,
                            name=prefix + "conv2"), cout)
            if stride != 1 or cin != cout:
                h = b.bn(b.conv(h, cin, cout, 1, stride, 0, False,
                                name=prefix + "proj"), cout)
            h = b.op("Relu", [b.op("Add", [y, h])])
            cin = cout
    h = b.op("GlobalAveragePool", [h])
    h = b.op("Flatten", [h], axis=1)
    out = b.gemm(h, cin, 10, name="fc", relu_gain=False)
    return b.model(x, out, 1, 10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--width", type=int, default=16)
    args = parser.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    onnx.save(lenet5(args.seed), os.path.join(args.outdir, "lenet5-arch.onnx"))
    onnx.save(resnet(args.seed, 1, args.width),
              os.path.join(args.outdir, "resnet8-arch.onnx"))
    onnx.save(resnet(args.seed, 3, args.width),
              os.path.join(args.outdir, "resnet20-arch.onnx"))


if __name__ == "__main__":
    main()
