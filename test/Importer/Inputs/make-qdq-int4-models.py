"""Writes QDQ models with ONNX INT4 / UINT4 tensors (data types 22 / 21,
opset 21, two values per byte, the first in the low nibble) into the
directory given as argv[1], with an input and the expected outputs computed
here with numpy:

  qdq-int4.onnx     x -> Q/DQ (uint4, zero point 3) -> Conv with an int4
                    weight of three output channels (an odd count: the last
                    byte's high nibble is padding) and per-channel scales;
                    also the uint4 and int4 Q/DQ of x as outputs (saturation)
  bad-length.onnx   the weight's raw_data one byte short
  bad-int32.onnx    the weight in int32_data with an entry above 255
  qdq-int2.onnx     x -> Q/DQ (uint2, zero point 1), and an int2 constant of
                    five values (four per byte) dequantized, as outputs

Debian's onnx predates INT4, so the tensors are built by hand."""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

UINT4, INT4, UINT2, INT2 = 21, 22, 25, 26
out = sys.argv[1]


def packed_tensor(name, data_type, values, dims, raw=True, extra=b""):
    bits = 2 if data_type in (UINT2, INT2) else 4
    per_byte = 8 // bits
    fields = [int(v) & ((1 << bits) - 1) for v in values]
    fields += [0] * (-len(fields) % per_byte)
    data = bytes(sum(fields[i + k] << (k * bits) for k in range(per_byte))
                 for i in range(0, len(fields), per_byte)) + extra
    t = TensorProto()
    t.name = name
    t.data_type = data_type
    t.dims.extend(dims)
    if raw:
        t.raw_data = data
    else:
        t.int32_data.extend(list(data))
    return t


def model(weight):
    xs = numpy_helper.from_array(np.array(0.1, np.float32), "xs")
    xzp = packed_tensor("xzp", UINT4, [3], [])
    szp = packed_tensor("szp", INT4, [0], [])
    ws = numpy_helper.from_array(np.array([0.5, 0.25, 0.125], np.float32),
                                 "ws")
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "xs", "xzp"], ["xq"],
                         name="xq"),
        helper.make_node("DequantizeLinear", ["xq", "xs", "xzp"], ["xd"],
                         name="xd"),
        helper.make_node("QuantizeLinear", ["x", "xs", "szp"], ["sq"],
                         name="sq"),
        helper.make_node("DequantizeLinear", ["sq", "xs", "szp"], ["sd"],
                         name="sd"),
        helper.make_node("DequantizeLinear", ["w", "ws"], ["wd"], axis=0,
                         name="wd"),
        helper.make_node("Conv", ["xd", "wd"], ["y"], name="conv"),
    ]
    graph = helper.make_graph(
        nodes, "qdq_int4",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 2, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 2, 3]),
         helper.make_tensor_value_info("xd", TensorProto.FLOAT, [1, 1, 2, 3]),
         helper.make_tensor_value_info("sd", TensorProto.FLOAT, [1, 1, 2, 3])],
        [xs, xzp, szp, ws, weight])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    m.ir_version = 10
    return m


w = [-7, 5, 7]
x = np.array([0.04, 0.05, -0.45, 2.0, -1.0, 0.75], np.float32).reshape(1, 1, 2, 3)
onnx.save(model(packed_tensor("w", INT4, w, [3, 1, 1, 1])),
          os.path.join(out, "qdq-int4.onnx"))
onnx.save(model(packed_tensor("w", INT4, w[:1], [3, 1, 1, 1])),
          os.path.join(out, "bad-length.onnx"))
onnx.save(model(packed_tensor("w", INT4, w, [3, 1, 1, 1], raw=False,
                              extra=bytes([1]))),
          os.path.join(out, "bad-size.onnx"))
bad = packed_tensor("w", INT4, w, [3, 1, 1, 1], raw=False)
bad.int32_data[0] = 300
onnx.save(model(bad), os.path.join(out, "bad-int32.onnx"))


def fake_quant(v, lo, hi, zp):
    q = np.clip(np.rint(v / np.float32(0.1)) + zp, lo, hi)
    return ((q - zp) * np.float32(0.1)).astype(np.float32)


xd = fake_quant(x, 0, 15, 3)
sd = fake_quant(x, -8, 7, 0)
scales = np.array([0.5, 0.25, 0.125], np.float32)
y = (xd * (np.array(w, np.float32) * scales).reshape(1, 3, 1, 1)).astype(
    np.float32)
for name, value in (("input_0.pb", x), ("output_0.pb", y),
                    ("output_1.pb", xd), ("output_2.pb", sd)):
    with open(os.path.join(out, name), "wb") as f:
        f.write(numpy_helper.from_array(value).SerializeToString())

# 2-bit: Q/DQ of x with uint2 (zero point 1, scale 0.5) and an int2 constant.
xs2 = numpy_helper.from_array(np.array(0.5, np.float32), "xs")
graph = helper.make_graph(
    [helper.make_node("QuantizeLinear", ["x", "xs", "xzp"], ["xq"], name="q"),
     helper.make_node("DequantizeLinear", ["xq", "xs", "xzp"], ["y"],
                      name="dq"),
     helper.make_node("DequantizeLinear", ["c", "xs"], ["z"], name="cdq")],
    "qdq_int2",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 2, 3])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1, 2, 3]),
     helper.make_tensor_value_info("z", TensorProto.FLOAT, [5])],
    [xs2, packed_tensor("xzp", UINT2, [1], []),
     packed_tensor("c", INT2, [-2, -1, 0, 1, -2], [5])])
m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 25)])
m.ir_version = 10
onnx.save(m, os.path.join(out, "qdq-int2.onnx"))
q2 = np.clip(np.rint(x / np.float32(0.5)) + 1, 0, 3)
for name, value in (("int2_output_0.pb", ((q2 - 1) * np.float32(0.5)).astype(np.float32)),
                    ("int2_output_1.pb", np.array([-1, -0.5, 0, 0.5, -1], np.float32))):
    with open(os.path.join(out, name), "wb") as f:
        f.write(numpy_helper.from_array(value).SerializeToString())
