"""Writes qoperator.onnx into the directory given as argv[1]: a small CNN
in ONNX Runtime's QOperator format, built here from float weights and
scales calibrated on seeded inputs (ONNX Runtime's Python quantizer is not
used): QuantizeLinear -> QLinearConv (weights per output channel, int32
bias) -> QLinearConv (per tensor, no bias) -> Reshape -> QLinearMatMul
(per tensor) -> DequantizeLinear. Also x.pb (an input) and
calib/test_data_set_N/input_0.pb."""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

out = sys.argv[1]
rng = np.random.default_rng(9)
x = rng.standard_normal((1, 3, 8, 8)).astype(np.float32)
w1 = (rng.standard_normal((6, 3, 3, 3)) * 0.3).astype(np.float32)
b1 = (rng.standard_normal(6) * 0.1).astype(np.float32)
w2 = (rng.standard_normal((4, 6, 3, 3)) * 0.2).astype(np.float32)
w3 = (rng.standard_normal((4 * 4 * 4, 5)) * 0.2).astype(np.float32)


def conv(v, w, b, stride, pad):
    v = np.pad(v, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    k = w.shape[2]
    oh = (v.shape[2] - k) // stride + 1
    cols = np.stack([v[:, :, r * stride:r * stride + k, c * stride:c * stride + k]
                     for r in range(oh) for c in range(oh)], axis=1)
    y = cols.reshape(v.shape[0], oh * oh, -1) @ w.reshape(w.shape[0], -1).T
    y = y.transpose(0, 2, 1).reshape(v.shape[0], w.shape[0], oh, oh)
    return y if b is None else y + b.reshape(1, -1, 1, 1)


# Ranges from the float network on 8 seeded inputs.
samples = [rng.standard_normal(x.shape).astype(np.float32) for _ in range(8)]
h1 = [np.maximum(conv(s, w1, b1, 1, 1), 0) for s in samples]
h2 = [conv(h, w2, None, 2, 1) for h in h1]
h3 = [h.reshape(1, -1) @ w3 for h in h2]


def uint8_params(values):
    lo = min(0.0, min(float(v.min()) for v in values))
    hi = max(0.0, max(float(v.max()) for v in values))
    scale = np.float32((hi - lo) / 255)
    return scale, np.uint8(np.clip(round(-lo / scale), 0, 255))


sx, zx = uint8_params(samples)
s1, z1 = uint8_params(h1)
s2, z2 = uint8_params(h2)
s3, z3 = uint8_params(h3)
# Weights: int8 symmetric, per output channel (w1) and per tensor (w2, w3);
# crossbars hold symmetric signed weights.
sw1 = (np.abs(w1).reshape(6, -1).max(1) / 127).astype(np.float32)
q1 = np.clip(np.round(w1 / sw1.reshape(-1, 1, 1, 1)), -127, 127).astype(np.int8)
qb1 = np.round(b1 / (sx * sw1)).astype(np.int32)
sw2 = np.float32(np.abs(w2).max() / 127)
q2 = np.clip(np.round(w2 / sw2), -127, 127).astype(np.int8)
sw3 = np.float32(np.abs(w3).max() / 127)
q3 = np.clip(np.round(w3 / sw3), -127, 127).astype(np.int8)

init = {
    "sx": np.array(sx, np.float32), "zx": np.array(zx, np.uint8),
    "w1": q1, "sw1": sw1, "zw1": np.zeros(6, np.int8), "b1": qb1,
    "s1": np.array(s1, np.float32), "z1": np.array(z1, np.uint8),
    "w2": q2, "sw2": np.array(sw2, np.float32), "zw2": np.array(0, np.int8),
    "s2": np.array(s2, np.float32), "z2": np.array(z2, np.uint8),
    "shape": np.array([1, -1], np.int64),
    "w3": q3, "sw3": np.array(sw3, np.float32), "zw3": np.array(0, np.int8),
    "s3": np.array(s3, np.float32), "z3": np.array(z3, np.uint8),
}
nodes = [
    helper.make_node("QuantizeLinear", ["x", "sx", "zx"], ["xq"], name="quantize"),
    helper.make_node("QLinearConv", ["xq", "sx", "zx", "w1", "sw1", "zw1", "s1", "z1", "b1"],
                     ["c1"], name="conv1", pads=[1, 1, 1, 1]),
    helper.make_node("QLinearConv", ["c1", "s1", "z1", "w2", "sw2", "zw2", "s2", "z2"],
                     ["c2"], name="conv2", strides=[2, 2], pads=[1, 1, 1, 1]),
    helper.make_node("Reshape", ["c2", "shape"], ["flat"]),
    helper.make_node("QLinearMatMul", ["flat", "s2", "z2", "w3", "sw3", "zw3", "s3", "z3"],
                     ["m"], name="fc"),
    helper.make_node("DequantizeLinear", ["m", "s3", "z3"], ["y"], name="dequantize"),
]
graph = helper.make_graph(
    nodes, "qoperator",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 5])],
    [numpy_helper.from_array(v, k) for k, v in init.items()])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
onnx.save(model, os.path.join(out, "qoperator.onnx"))
with open(os.path.join(out, "x.pb"), "wb") as f:
    f.write(numpy_helper.from_array(x).SerializeToString())
for i, s in enumerate(samples):
    d = os.path.join(out, "calib", f"test_data_set_{i}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "input_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(s).SerializeToString())
