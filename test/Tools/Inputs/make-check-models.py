#!/usr/bin/python3
"""Writes the small models of cim-tune-check.test into OUTDIR.

    make-check-models.py OUTDIR

tiny-vit.onnx   a one-block vision transformer on 1x8x8 inputs (patch
                embedding, class token expanded to the batch through Shape,
                position embedding, layer norms, one attention head with
                its two products of activations, an Erf GELU MLP, the class
                token gathered, a Gemm head); dynamic batch
op-zoo.onnx     the ops of modern CNNs: depthwise convolution, HardSwish,
                HardSigmoid, SiLU, squeeze-and-excitation, reflect padding,
                asymmetric average pooling, max pooling, linear resize,
                slice, split, concat, LeakyRelu, PRelu, instance norm,
                ReduceMean, Softmax; dynamic batch
op-zoo-2.onnx   the other elementwise, reduction and normalization ops:
                Elu, Selu, ThresholdedRelu, Softsign, Softplus, Tanh, Exp,
                Log, Sqrt, Reciprocal, Floor, Ceil, Round, Neg, Abs, Pow,
                Max, Min, Sub, Div, Where of a comparison, Cast, LRN,
                BatchNormalization, dilated grouped convolution with
                asymmetric pads, dilated max pooling, ceil-mode average
                pooling, GlobalMaxPool, Tile, every Reduce*, LogSoftmax,
                Flatten, Gemm; dynamic batch
batch-mix.onnx  a MatMul contracting over the batch (x^T x)
qdq-left.onnx   a QuantizeLinear/DequantizeLinear pair that no layer takes
swish.onnx      ONNX's Swish (opset 24, with alpha) after a convolution

Weights come from a seeded numpy generator.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(7)


def init(name, array, dtype=np.float32):
    return numpy_helper.from_array(np.asarray(array, dtype=dtype), name)


def rand(*shape, scale=0.5):
    return rng.normal(0, scale, shape)


def save(path, nodes, inits, inputs, outputs, opset, check=True):
    graph = helper.make_graph(nodes, os.path.basename(path), inputs, outputs,
                              inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    if check:  # the checker of Debian's onnx knows opsets up to 19
        onnx.checker.check_model(model)
    onnx.save(model, path)


def tiny_vit(path):
    n = helper.make_node
    D = 4
    inits = [
        init("patch.w", rand(D, 1, 4, 4)), init("patch.b", rand(D)),
        init("tokens.shape", [0, D, -1], np.int64),
        init("cls", rand(1, 1, D)), init("pos", rand(1, 5, D)),
        init("rest", [1, D], np.int64),
        init("zero", [0], np.int64), init("one", [1], np.int64),
        init("ln1.s", 1 + rand(D, scale=0.1)), init("ln1.b", rand(D, scale=0.1)),
        init("ln2.s", 1 + rand(D, scale=0.1)), init("ln2.b", rand(D, scale=0.1)),
        init("wq", rand(D, D)), init("bq", rand(D)),
        init("wk", rand(D, D)), init("bk", rand(D)),
        init("wv", rand(D, D)), init("bv", rand(D)),
        init("wo", rand(D, D)), init("bo", rand(D)),
        init("w1", rand(D, 8)), init("b1", rand(8)),
        init("w2", rand(8, D)), init("b2", rand(D)),
        init("scale", 0.5), init("sqrt2", np.sqrt(2.0)),
        init("half", 0.5), init("unit", 1.0),
        init("cls.index", 0, np.int64),
        init("head.w", rand(4, D)), init("head.b", rand(4)),
    ]
    nodes = [
        n("Conv", ["image", "patch.w", "patch.b"], ["p"], name="patch",
          kernel_shape=[4, 4], strides=[4, 4]),
        n("Reshape", ["p", "tokens.shape"], ["t0"], name="tokens"),
        n("Transpose", ["t0"], ["t"], perm=[0, 2, 1], name="tokens_t"),
        n("Shape", ["t"], ["t.shape"], name="shape"),
        n("Slice", ["t.shape", "zero", "one"], ["batch"], name="batch"),
        n("Concat", ["batch", "rest"], ["cls.shape"], axis=0, name="cls_shape"),
        n("Expand", ["cls", "cls.shape"], ["cls.x"], name="cls_expand"),
        n("Concat", ["cls.x", "t"], ["seq"], axis=1, name="cat"),
        n("Add", ["seq", "pos"], ["x0"], name="pos_add"),
        n("LayerNormalization", ["x0", "ln1.s", "ln1.b"], ["h"], axis=-1,
          epsilon=1e-5, name="ln1"),
        n("MatMul", ["h", "wq"], ["q0"], name="q"), n("Add", ["q0", "bq"], ["q"]),
        n("MatMul", ["h", "wk"], ["k0"], name="k"), n("Add", ["k0", "bk"], ["k"]),
        n("MatMul", ["h", "wv"], ["v0"], name="v"), n("Add", ["v0", "bv"], ["v"]),
        n("Transpose", ["k"], ["kt"], perm=[0, 2, 1], name="k_t"),
        n("MatMul", ["q", "kt"], ["s0"], name="scores"),
        n("Mul", ["s0", "scale"], ["s"]),
        n("Softmax", ["s"], ["a"], axis=-1, name="softmax"),
        n("MatMul", ["a", "v"], ["ctx"], name="context"),
        n("MatMul", ["ctx", "wo"], ["o0"], name="proj"), n("Add", ["o0", "bo"], ["o"]),
        n("Add", ["x0", "o"], ["x1"], name="residual1"),
        n("LayerNormalization", ["x1", "ln2.s", "ln2.b"], ["g"], axis=-1,
          epsilon=1e-5, name="ln2"),
        n("MatMul", ["g", "w1"], ["m0"], name="fc1"), n("Add", ["m0", "b1"], ["m1"]),
        n("Div", ["m1", "sqrt2"], ["e0"]), n("Erf", ["e0"], ["e1"]),
        n("Add", ["e1", "unit"], ["e2"]), n("Mul", ["m1", "e2"], ["e3"]),
        n("Mul", ["e3", "half"], ["gelu"], name="gelu"),
        n("MatMul", ["gelu", "w2"], ["m2"], name="fc2"), n("Add", ["m2", "b2"], ["m3"]),
        n("Add", ["x1", "m3"], ["x2"], name="residual2"),
        n("Gather", ["x2", "cls.index"], ["c"], axis=1, name="cls_take"),
        n("Gemm", ["c", "head.w", "head.b"], ["logits"], transB=1, name="head"),
    ]
    save(path, nodes, inits,
         [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 1, 8, 8])],
         [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 4])], 17)


def op_zoo(path):
    n = helper.make_node
    inits = [
        init("c1.w", rand(6, 3, 3, 3)), init("c1.b", rand(6)),
        init("dw.w", rand(6, 1, 3, 3)), init("dw.b", rand(6)),
        init("se.w", rand(6, 6, 1, 1)), init("se.b", rand(6)),
        init("pads", [0, 0, 1, 1, 0, 0, 1, 1], np.int64),
        init("roi", [], np.float32), init("scales", [1, 1, 2, 2]),
        init("starts", [1], np.int64), init("ends", [9], np.int64),
        init("axes", [2], np.int64), init("split", [2, 4], np.int64),
        init("slope", rand(1, 6, 1, 1, scale=0.1)),
        init("in.s", 1 + rand(6, scale=0.1)), init("in.b", rand(6, scale=0.1)),
        init("lo", 0.0), init("hi", 6.0),
    ]
    nodes = [
        n("Conv", ["x", "c1.w", "c1.b"], ["y1"], pads=[1, 1, 1, 1], name="c1"),
        n("HardSwish", ["y1"], ["y2"]),
        n("Conv", ["y2", "dw.w", "dw.b"], ["y3"], pads=[1, 1, 1, 1], group=6,
          name="dw"),
        n("Sigmoid", ["y3"], ["y3s"]), n("Mul", ["y3", "y3s"], ["y4"]),  # SiLU
        n("GlobalAveragePool", ["y4"], ["se0"]),
        n("Conv", ["se0", "se.w", "se.b"], ["se1"], name="se"),
        n("HardSigmoid", ["se1"], ["se2"]), n("Mul", ["y4", "se2"], ["y5"]),
        n("Pad", ["y5", "pads"], ["y6"], mode="reflect"),
        n("AveragePool", ["y6"], ["y7"], kernel_shape=[2, 2], strides=[2, 2],
          pads=[0, 0, 1, 1]),
        n("MaxPool", ["y7"], ["y8"], kernel_shape=[2, 2], strides=[1, 1]),
        n("Resize", ["y8", "roi", "scales"], ["y9"], mode="linear"),
        n("Slice", ["y9", "starts", "ends", "axes"], ["y10"]),
        n("Split", ["y10", "split"], ["s1", "s2"], axis=1),
        n("LeakyRelu", ["s1"], ["l1"], alpha=0.1),
        n("Clip", ["s2", "lo", "hi"], ["l2"]),
        n("Concat", ["l2", "l1"], ["y11"], axis=1),
        n("PRelu", ["y11", "slope"], ["y12"]),
        n("InstanceNormalization", ["y12", "in.s", "in.b"], ["y13"]),
        n("ReduceMean", ["y13"], ["y14"], axes=[2, 3], keepdims=0),
        n("Softmax", ["y14"], ["out"], axis=1),
    ]
    save(path, nodes, inits,
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 8, 8])],
         [helper.make_tensor_value_info("out", TensorProto.FLOAT, ["N", 6])], 14)


def op_zoo_2(path):
    n = helper.make_node
    inits = [
        init("conv.w", rand(6, 3, 3, 3)), init("conv.b", rand(6)),
        init("bn.s", 1 + rand(6, scale=0.1)), init("bn.b", rand(6, scale=0.1)),
        init("bn.m", rand(6, scale=0.1)), init("bn.v", 1 + np.abs(rand(6))),
        init("one", 1.0), init("two", 2.0), init("zero", 0.0),
        init("reps", [1, 1, 2, 1], np.int64),
        init("fc.w", rand(4, 24)), init("fc.b", rand(4)),
    ]
    chain = [
        ("Elu", {"alpha": 0.7}), ("Selu", {}), ("Softsign", {}),
        ("Softplus", {}), ("Tanh", {}), ("Neg", {}), ("Abs", {}),
    ]
    nodes = [
        n("Conv", ["x", "conv.w", "conv.b"], ["c"], group=1,
          dilations=[2, 2], pads=[2, 1, 1, 2], name="conv"),
        n("BatchNormalization", ["c", "bn.s", "bn.b", "bn.m", "bn.v"], ["b"]),
        n("LRN", ["b"], ["l"], size=4, alpha=0.01, beta=0.75, bias=1.0),
    ]
    prev = "l"
    for i, (op, attrs) in enumerate(chain):
        nodes.append(n(op, [prev], ["u%d" % i], **attrs))
        prev = "u%d" % i
    nodes += [
        n("Add", [prev, "one"], ["p1"]),                  # > 0
        n("Log", ["p1"], ["lg"]), n("Sqrt", ["p1"], ["sq"]),
        n("Reciprocal", ["p1"], ["rc"]), n("Exp", ["rc"], ["ex"]),
        n("Pow", ["sq", "two"], ["pw"]),
        n("Max", ["lg", "rc"], ["mx"]), n("Min", ["ex", "pw"], ["mn"]),
        n("Sub", ["mx", "mn"], ["sb"]), n("Div", ["sb", "p1"], ["dv"]),
        n("ThresholdedRelu", ["dv"], ["tr"], alpha=0.05),
        n("Greater", ["dv", "zero"], ["gt"]),
        n("Where", ["gt", "dv", "tr"], ["wh"]),
        n("Mul", ["wh", "two"], ["w2"]),
        n("Floor", ["w2"], ["fl"]), n("Ceil", ["w2"], ["ce"]),
        n("Round", ["w2"], ["ro"]),
        n("Cast", ["ro"], ["ri"], to=TensorProto.INT64),
        n("Cast", ["ri"], ["rf"], to=TensorProto.FLOAT),
        n("Add", ["fl", "ce"], ["fc"]), n("Add", ["fc", "rf"], ["f3"]),
        n("Add", ["f3", "w2"], ["y"]),
        n("MaxPool", ["y"], ["mp"], kernel_shape=[2, 2], dilations=[2, 2]),
        n("AveragePool", ["mp"], ["ap"], kernel_shape=[2, 2], strides=[2, 2],
          ceil_mode=1),
        n("Tile", ["ap", "reps"], ["tl"]),
        n("GlobalMaxPool", ["tl"], ["gm"]),
        n("ReduceL1", ["tl"], ["r1"], axes=[2, 3], keepdims=1),
        n("ReduceL2", ["tl"], ["r2"], axes=[2, 3], keepdims=1),
        n("ReduceSumSquare", ["tl"], ["r3"], axes=[2, 3], keepdims=1),
        n("ReduceMax", ["tl"], ["r4"], axes=[2, 3], keepdims=1),
        n("ReduceMin", ["tl"], ["r5"], axes=[2, 3], keepdims=1),
        n("ReduceLogSumExp", ["tl"], ["r6"], axes=[2, 3], keepdims=1),
        n("Abs", ["tl"], ["ta"]), n("Add", ["ta", "one"], ["t1"]),
        n("ReduceLogSum", ["t1"], ["r7"], axes=[2, 3], keepdims=1),
        n("ReduceProd", ["t1"], ["r8"], axes=[3], keepdims=0),
        n("ReduceMean", ["r8"], ["r8m"], axes=[2], keepdims=1),
        n("Unsqueeze", ["r8m"], ["r8u"], axes=[3]),
        n("Concat", ["gm", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8u"],
          ["cat"], axis=1),
        n("Flatten", ["cat"], ["flat"]),
        n("Slice", ["flat", "zs", "ze", "sa"], ["flat24"]),
        n("Gemm", ["flat24", "fc.w", "fc.b"], ["g"], transB=1, name="fc"),
        n("LogSoftmax", ["g"], ["out"], axis=1),
    ]
    inits += [init("zs", [0], np.int64), init("ze", [24], np.int64),
              init("sa", [1], np.int64)]
    save(path, nodes, inits,
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 8, 8])],
         [helper.make_tensor_value_info("out", TensorProto.FLOAT, ["N", 4])], 12)


def batch_mix(path):
    n = helper.make_node
    nodes = [
        n("Transpose", ["x"], ["xt"], perm=[1, 0]),
        n("MatMul", ["xt", "x"], ["gram"], name="gram"),
    ]
    save(path, nodes, [],
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
         [helper.make_tensor_value_info("gram", TensorProto.FLOAT, [4, 4])], 13)


def qdq_left(path):
    n = helper.make_node
    inits = [init("s", 0.05), init("z", 0, np.int8)]
    nodes = [
        n("Relu", ["x"], ["r"]),
        n("QuantizeLinear", ["r", "s", "z"], ["q"], name="quantize"),
        n("DequantizeLinear", ["q", "s", "z"], ["y"], name="dequantize"),
    ]
    save(path, nodes, inits,
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
         [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])], 13)


def swish(path):
    n = helper.make_node
    inits = [init("w", rand(3, 1, 3, 3)), init("b", rand(3))]
    nodes = [
        n("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        n("Swish", ["c"], ["y"], name="swish", alpha=1.5),
    ]
    save(path, nodes, inits,
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 5, 5])],
         [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3, 5, 5])],
         24, check=False)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    tiny_vit(os.path.join(out, "tiny-vit.onnx"))
    op_zoo(os.path.join(out, "op-zoo.onnx"))
    op_zoo_2(os.path.join(out, "op-zoo-2.onnx"))
    batch_mix(os.path.join(out, "batch-mix.onnx"))
    qdq_left(os.path.join(out, "qdq-left.onnx"))
    swish(os.path.join(out, "swish.onnx"))


if __name__ == "__main__":
    main()
