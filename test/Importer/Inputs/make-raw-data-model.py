"""Writes raw-data.onnx (y = x + w, w a 2x300 float initializer stored as
raw_data, enough elements to become a dense_resource blob, named as
torch.onnx names weights: "onnx::w.1"), an input and the expected output
into the directory given as argv[1]."""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

out = sys.argv[1]
w = np.arange(600, dtype=np.float32).reshape(2, 300)
x = np.linspace(-1, 1, 600, dtype=np.float32).reshape(2, 300)
init = numpy_helper.from_array(w, "onnx::w.1")
assert init.HasField("raw_data")
graph = helper.make_graph(
    [helper.make_node("Add", ["x", "onnx::w.1"], ["y"], name="add")], "raw",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 300])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 300])], [init])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.save(model, os.path.join(out, "raw-data.onnx"))
for name, value in (("input_0.pb", x), ("output_0.pb", x + w)):
    with open(os.path.join(out, name), "wb") as f:
        f.write(numpy_helper.from_array(value).SerializeToString())
