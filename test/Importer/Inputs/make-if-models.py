"""Writes models with an ONNX If into the directory given as argv[1], with
inputs and the outputs numpy computes for them:

  if-computed.onnx   y = If(sum(x) >= 0, then: Relu(x) * w, else: -x),
                     the then branch with an initializer of its own and a
                     reference to the outer weight w (as openWakeWord's
                     verifier networks); x_pos.pb / x_neg.pb take each branch
                     and y_pos.pb / y_neg.pb are the expected outputs
  if-constant.onnx   If(true, then: x + 1, else: x * 0): the taken branch only
  if-types.onnx      the branches give f32 and i64 for the same output
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
w = np.array([[0.5, -1.0, 2.0, 1.5]], np.float32)


def save(name, nodes, inits, outputs):
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, os.path.join(out, name + ".onnx"))


def tensor(name, value):
    with open(os.path.join(out, name + ".pb"), "wb") as f:
        f.write(numpy_helper.from_array(np.asarray(value, np.float32), name.split("_")[0])
                .SerializeToString())


y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
then_graph = helper.make_graph(
    [helper.make_node("Relu", ["x"], ["r"], name="relu"),
     helper.make_node("Mul", ["r", "w"], ["rw"], name="scale"),
     helper.make_node("Add", ["rw", "bias"], ["t"], name="shift")],
    "then", [], [helper.make_tensor_value_info("t", TensorProto.FLOAT, [1, 4])],
    [numpy_helper.from_array(np.float32(0.25), "bias")])
else_graph = helper.make_graph(
    [helper.make_node("Neg", ["x"], ["e"], name="negate")],
    "else", [], [helper.make_tensor_value_info("e", TensorProto.FLOAT, [1, 4])])
save("if-computed", [
    helper.make_node("ReduceSum", ["x"], ["s"], keepdims=0, name="sum"),
    helper.make_node("GreaterOrEqual", ["s", "zero"], ["c"], name="test"),
    helper.make_node("If", ["c"], ["y"], then_branch=then_graph,
                     else_branch=else_graph, name="branch"),
], [numpy_helper.from_array(w, "w"), numpy_helper.from_array(np.float32(0), "zero")], [y])
x_pos = np.array([[1.0, -2.0, 3.0, 0.5]], np.float32)
x_neg = np.array([[-1.0, 2.0, -3.0, 0.5]], np.float32)
tensor("x_pos", x_pos)
tensor("x_neg", x_neg)
tensor("y_pos", np.maximum(x_pos, 0) * w + 0.25)
tensor("y_neg", -x_neg)

plus = helper.make_graph(
    [helper.make_node("Add", ["x", "one"], ["p"], name="plus")], "then", [],
    [helper.make_tensor_value_info("p", TensorProto.FLOAT, [1, 4])])
zero = helper.make_graph(
    [helper.make_node("Mul", ["x", "nought"], ["z"], name="zero")], "else", [],
    [helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 4])])
save("if-constant", [
    helper.make_node("If", ["always"], ["y"], then_branch=plus, else_branch=zero,
                     name="fixed"),
], [numpy_helper.from_array(np.array(True), "always"),
    numpy_helper.from_array(np.float32(1), "one"),
    numpy_helper.from_array(np.float32(0), "nought")], [y])

as_int = helper.make_graph(
    [helper.make_node("Cast", ["x"], ["i"], to=TensorProto.INT64, name="cast")],
    "else", [], [helper.make_tensor_value_info("i", TensorProto.INT64, [1, 4])])
save("if-types", [
    helper.make_node("ReduceSum", ["x"], ["s"], keepdims=0, name="sum"),
    helper.make_node("GreaterOrEqual", ["s", "zero"], ["c"], name="test"),
    helper.make_node("If", ["c"], ["y"], then_branch=else_graph, else_branch=as_int,
                     name="mixed"),
], [numpy_helper.from_array(np.float32(0), "zero")], [y])
