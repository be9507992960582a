"""Writes models of the integer quantization operators into the directory
given as argv[1], with inputs (NAME-input_N.pb) and the expected outputs
(NAME-expected_N.pb) computed here with numpy in int64 / float32:

  blocked.onnx  QuantizeLinear with block_size 2 along axis 1 of a 2x5
                input (the last block is short) with uint8 zero points, and
                DequantizeLinear of an int8 3x2 constant in blocks of 2
                along axis 0 without zero points
  integer.onnx  ConvInteger (uint8 x, int8 w, padding 1, stride 2, a
                zero point per output channel), MatMulInteger (int8 A with
                a zero point per row, uint8 B with one per column) and
                DynamicQuantizeLinear"""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

out = sys.argv[1]


def save(name, nodes, inputs, outputs, inits):
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(n, t, d) for n, t, d in inputs],
        [helper.make_tensor_value_info(n, t, d) for n, t, d in outputs],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    m.ir_version = 10
    onnx.save(m, os.path.join(out, name + ".onnx"))


def write(name, arrays):
    for i, a in enumerate(arrays):
        with open(os.path.join(out, name % i), "wb") as f:
            f.write(numpy_helper.from_array(a, "t").SerializeToString())


# Blocked quantization: column j uses scale [:, j // 2].
x = np.array([[0.3, -1.2, 7.5, 2.49, -0.5],
              [10.0, 5.25, -3.0, 0.0, 2.5]], np.float32)
s = np.array([[0.5, 2.0, 0.25], [1.0, 0.5, 4.0]], np.float32)
zp = np.array([[10, 0, 128], [3, 250, 7]], np.uint8)
col = np.arange(5) // 2
q = np.clip(np.rint(x / s[:, col]) + zp[:, col], 0, 255).astype(np.uint8)
w = np.array([[-3, 4], [127, -128], [5, 6]], np.int8)
ws = np.array([[0.5, 2.0], [0.25, 1.0]], np.float32)
wd = (w.astype(np.float32) * ws[np.arange(3) // 2, :]).astype(np.float32)
save("blocked",
     [helper.make_node("QuantizeLinear", ["x", "s", "zp"], ["q"], axis=1,
                       block_size=2),
      helper.make_node("DequantizeLinear", ["w", "ws"], ["wd"], axis=0,
                       block_size=2)],
     [("x", TensorProto.FLOAT, [2, 5])],
     [("q", TensorProto.UINT8, [2, 5]), ("wd", TensorProto.FLOAT, [3, 2])],
     {"s": s, "zp": zp, "w": w, "ws": ws})
write("blocked-input_%d.pb", [x])
write("blocked-expected_%d.pb", [q, wd])

# ConvInteger: N=1, C=2, 4x5 image, M=3 output channels of 3x3, pads 1,
# strides 2; the padding contributes 0 (x - x_zero_point is padded).
rng = np.random.default_rng(5)
cx = rng.integers(0, 256, (1, 2, 4, 5)).astype(np.uint8)
cw = rng.integers(-128, 128, (3, 2, 3, 3)).astype(np.int8)
cxz = np.array(131, np.uint8)
cwz = np.array([-2, 0, 100], np.int8)
xc = np.pad(cx.astype(np.int64) - int(cxz), ((0, 0), (0, 0), (1, 1), (1, 1)))
wc = cw.astype(np.int64) - cwz.astype(np.int64).reshape(3, 1, 1, 1)
oh, ow = (4 + 2 - 3) // 2 + 1, (5 + 2 - 3) // 2 + 1
cy = np.zeros((1, 3, oh, ow), np.int64)
for m in range(3):
    for i in range(oh):
        for j in range(ow):
            cy[0, m, i, j] = np.sum(
                xc[0, :, 2 * i:2 * i + 3, 2 * j:2 * j + 3] * wc[m])
# MatMulInteger: 2x4x3 int8 times 3x2 uint8.
a = rng.integers(-128, 128, (2, 4, 3)).astype(np.int8)
b = rng.integers(0, 256, (3, 2)).astype(np.uint8)
az = np.array([1, -5, 0, 127], np.int8)
bz = np.array([200, 3], np.uint8)
my = np.matmul(a.astype(np.int64) - az.astype(np.int64).reshape(4, 1),
               b.astype(np.int64) - bz.astype(np.int64))
# DynamicQuantizeLinear: the range widened to include 0, uint8.
d = np.array([[0.5, 2.25, 4.0], [1.0, 3.0, 7.75]], np.float32)
dmin, dmax = np.float32(min(0.0, d.min())), np.float32(max(0.0, d.max()))
dscale = np.float32((dmax - dmin) / np.float32(255))
dzp = np.uint8(np.rint(np.clip(np.float32(0) - dmin / dscale, 0, 255)))
dq = np.clip(np.rint(d / dscale) + dzp, 0, 255).astype(np.uint8)
save("integer",
     [helper.make_node("ConvInteger", ["cx", "cw", "cxz", "cwz"], ["cy"],
                       pads=[1, 1, 1, 1], strides=[2, 2]),
      helper.make_node("MatMulInteger", ["a", "b", "az", "bz"], ["my"]),
      helper.make_node("DynamicQuantizeLinear", ["d"], ["dq", "ds", "dz"])],
     [("cx", TensorProto.UINT8, [1, 2, 4, 5]),
      ("a", TensorProto.INT8, [2, 4, 3]), ("d", TensorProto.FLOAT, [2, 3])],
     [("cy", TensorProto.INT32, [1, 3, oh, ow]),
      ("my", TensorProto.INT32, [2, 4, 2]), ("dq", TensorProto.UINT8, [2, 3]),
      ("ds", TensorProto.FLOAT, []), ("dz", TensorProto.UINT8, [])],
     {"cw": cw, "cxz": cxz, "cwz": cwz, "b": b, "az": az, "bz": bz})
write("integer-input_%d.pb", [cx, a, d])
write("integer-expected_%d.pb", [cy.astype(np.int32), my.astype(np.int32),
                                 dq, np.array(dscale, np.float32),
                                 np.array(dzp, np.uint8)])
