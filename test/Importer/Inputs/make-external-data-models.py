"""Writes models whose 2x3 weight lies in external data into the directory
given as argv[1], one per way a location can be good or bad:

  good.onnx       weights.bin beside the model (y = x + w)
  linked.onnx     a symbolic link beside the model to a file inside it
  escape.onnx     a symbolic link beside the model to a file outside it
  dotdot.onnx     ../outside.bin
  absolute.onnx   an absolute path
  dots-in-name.onnx  w..bin: two dots inside a name, not a `..` component
  short.onnx      a file shorter than the tensor
  directory.onnx  a location that is a directory
  fifo.onnx       a named pipe (reading it would block)

The model directory is argv[1]/model; outside.bin lies in argv[1]. Also
writes model/input_0.pb and model/output_0.pb for good.onnx."""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

root = sys.argv[1]
model_dir = os.path.join(root, "model")
os.makedirs(model_dir, exist_ok=True)
w = np.arange(6, dtype=np.float32).reshape(2, 3)
x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
for path in (os.path.join(model_dir, "weights.bin"),
             os.path.join(model_dir, "w..bin"),
             os.path.join(root, "outside.bin")):
    with open(path, "wb") as f:
        f.write(w.tobytes())
with open(os.path.join(model_dir, "short.bin"), "wb") as f:
    f.write(w.tobytes()[:10])
os.makedirs(os.path.join(model_dir, "subdir"), exist_ok=True)
for link, target in (("linked.bin", "weights.bin"),
                     ("escape.bin", os.path.join("..", "outside.bin"))):
    path = os.path.join(model_dir, link)
    if os.path.lexists(path):
        os.remove(path)
    os.symlink(target, path)
fifo = os.path.join(model_dir, "pipe.bin")
if not os.path.exists(fifo):
    os.mkfifo(fifo)


def save(name, location):
    init = TensorProto()
    init.name = "w"
    init.data_type = TensorProto.FLOAT
    init.dims.extend([2, 3])
    init.data_location = TensorProto.EXTERNAL
    entry = init.external_data.add()
    entry.key, entry.value = "location", location
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "w"], ["y"], name="add")], "ext",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])], [init])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    # Serialized by hand: onnx.save would try to resolve the external data.
    with open(os.path.join(model_dir, name + ".onnx"), "wb") as f:
        f.write(model.SerializeToString())


save("good", "weights.bin")
save("linked", "linked.bin")
save("escape", "escape.bin")
save("dotdot", "../outside.bin")
save("absolute", os.path.abspath(os.path.join(root, "outside.bin")))
save("dots-in-name", "w..bin")
save("short", "short.bin")
save("directory", "subdir")
save("fifo", "pipe.bin")
for name, value in (("input_0.pb", x), ("output_0.pb", x + w)):
    with open(os.path.join(model_dir, name), "wb") as f:
        f.write(numpy_helper.from_array(value).SerializeToString())
