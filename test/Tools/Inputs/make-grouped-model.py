#!/usr/bin/env python3
"""Writes a MobileNet-style block for the group-packing tests: a depthwise
3x3 convolution over 24 channels, a grouped 1x1 convolution (4 groups of
6 -> 4) and a dense head, with seeded weights.

  make-grouped-model.py OUT.onnx
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

rng = np.random.default_rng(7)
C = 24


def const(name, shape, scale):
    return numpy_helper.from_array(
        (rng.normal(0, scale, shape)).astype(np.float32), name)


inits = [const("dw_w", (C, 1, 3, 3), 0.4), const("dw_b", (C,), 0.1),
         const("gc_w", (16, 6, 1, 1), 0.3), const("fc_w", (10, 16 * 6 * 6), 0.05),
         numpy_helper.from_array(np.array([1, 16 * 6 * 6], np.int64), "shape")]
nodes = [
    helper.make_node("Conv", ["x", "dw_w", "dw_b"], ["a"], group=C,
                     pads=[1, 1, 1, 1], name="dw"),
    helper.make_node("Relu", ["a"], ["b"]),
    helper.make_node("Conv", ["b", "gc_w"], ["c"], group=4, name="gc"),
    helper.make_node("Relu", ["c"], ["d"]),
    helper.make_node("Reshape", ["d", "shape"], ["e"]),
    helper.make_node("Gemm", ["e", "fc_w"], ["y"], transB=1, name="fc"),
]
graph = helper.make_graph(
    nodes, "grouped",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, C, 6, 6])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])
