"""Writes models with the ONNX small float types into the directory given as
argv[1], with their input_N.pb and the expected outputs (expected_N.pb per
model prefix) computed here:

  cast.onnx     float32 x -> Cast to FLOAT8E4M3FN, FLOAT8E4M3FNUZ,
                FLOAT8E5M2, FLOAT8E5M2FNUZ, FLOAT4E2M1 (saturate = 1), the
                four float8 types again with saturate = 0, and each of the
                five saturated results cast back to float32
  e8m0.onnx     float32 x -> Cast to FLOAT8E8M0 with round_mode up, down and
                nearest (saturate = 1) and up without saturation, the first
                cast back to float32
  qdq.onnx      QuantizeLinear to float8e4m3fn (zero point initializer in
                int32_data) and to float4e2m1 per axis (packed raw_data zero
                points), both dequantized back

The expected small float bit patterns come from a search over every code of
the format (the nearest value, ties to the even code), not from the
arithmetic the executor uses; the saturation and NaN rules follow the table
of ONNX Cast (opset 19+). Debian's onnx predates these types, so tensors are
built by hand."""
import math
import os
import struct
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ, E2M1, E8M0 = 17, 18, 19, 20, 23, 24
# exponent bits, mantissa bits, bias, where NaN and infinity live
FORMATS = {
    E4M3FN: (4, 3, 7, "fn"),
    E4M3FNUZ: (4, 3, 8, "fnuz"),
    E5M2: (5, 2, 15, "ieee"),
    E5M2FNUZ: (5, 2, 16, "fnuz"),
    E2M1: (2, 1, 1, "none"),
}
out = sys.argv[1]


def decode(t, code):
    if t == E8M0:
        return math.nan if code == 0xFF else 2.0 ** (code - 127)
    e, m, bias, special = FORMATS[t]
    sign = -1.0 if code >> (e + m) & 1 else 1.0
    exp, man = code >> m & ((1 << e) - 1), code & ((1 << m) - 1)
    if special == "fnuz" and code == 1 << (e + m):
        return math.nan
    if special == "fn" and exp == (1 << e) - 1 and man == (1 << m) - 1:
        return math.nan
    if special == "ieee" and exp == (1 << e) - 1:
        return math.nan if man else sign * math.inf
    if exp == 0:
        return sign * man * 2.0 ** (1 - bias - m)
    return sign * (1 + man / 2 ** m) * 2.0 ** (exp - bias)


def encode(t, x, saturate=True):
    e, m, bias, special = FORMATS[t]
    sign_bit = 1 << (e + m)
    sign = sign_bit if math.copysign(1.0, x) < 0 else 0
    if math.isnan(x):
        return {"fn": sign | (sign_bit - 1), "fnuz": sign_bit,
                "ieee": sign | (sign_bit - 1) ^ 1, "none": sign_bit}[special]
    codes = [c for c in range(sign_bit) if math.isfinite(decode(t, c))]
    top = max(codes, key=lambda c: decode(t, c))
    largest = decode(t, top)
    # One step beyond the largest finite value: rounding up to it overflows.
    beyond = largest + 2.0 ** (math.frexp(largest)[1] - 1 - m)
    a = abs(x)
    overflow = (math.isinf(a) or a > beyond or
                (a >= (largest + beyond) / 2 and
                 not (a == (largest + beyond) / 2 and top % 2 == 0)))
    if overflow:
        if saturate or special == "none":
            return sign | top
        return {"fn": sign | (sign_bit - 1), "fnuz": sign_bit,
                "ieee": sign | (sign_bit - 1) ^ 3}[special]
    best = min(codes, key=lambda c: (abs(decode(t, c) - a), c % 2))
    if decode(t, best) == 0 and special == "fnuz":
        return 0
    return sign | best


def small_tensor(name, t, codes, dims, raw=True):
    tensor = TensorProto()
    tensor.name = name
    tensor.data_type = t
    tensor.dims.extend(dims)
    if t == E2M1:
        codes = list(codes) + [0] * (len(codes) % 2)
        data = bytes(codes[i] | codes[i + 1] << 4
                     for i in range(0, len(codes), 2))
    else:
        data = bytes(codes)
    if raw:
        tensor.raw_data = data
    else:
        tensor.int32_data.extend(list(data))
    return tensor


def save(name, nodes, inputs, outputs, inits=(), opset=25):
    graph = helper.make_graph(
        nodes, name.replace("-", "_"),
        [helper.make_tensor_value_info(n, t, d) for n, t, d in inputs],
        [helper.make_tensor_value_info(n, t, d) for n, t, d in outputs],
        list(inits))
    m = helper.make_model(graph,
                          opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 11
    onnx.save(m, os.path.join(out, name + ".onnx"))


def write(path, tensor):
    with open(os.path.join(out, path), "wb") as f:
        f.write(tensor.SerializeToString())


f32 = lambda v: float(np.float32(v))

# Ties, subnormals, the largest values and beyond, infinities, NaN, zeros.
values = [0.0, -0.0, 1.0, -1.75, 0.4375, 464.0, 470.0, 448.0, 449.0,
          240.0, 248.0, 250.0, 57344.0, 61440.0, 61441.0, 1e6, -1e6,
          0.0009765625, 0.001953125, 0.0029296875, 1e-7, -1e-7,
          2.5, 3.5, 5.0, 7.0, -0.25, 0.75, 0.125, math.inf, -math.inf,
          math.nan]
rng = np.random.default_rng(3)
values += [f32(v) for v in rng.standard_normal(24) * 2.0 ** rng.integers(
    -10, 12, 24)]
x = np.array(values, np.float32)
n = len(values)
targets = [E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ, E2M1]
nodes, outputs, expected = [], [], []
for t in targets:
    nodes.append(helper.make_node("Cast", ["x"], ["s%d" % t], to=t))
    outputs.append(("s%d" % t, t, [n]))
    expected.append(small_tensor("s%d" % t, t,
                                 [encode(t, v) for v in values], [n]))
for t in targets[:4]:
    nodes.append(helper.make_node("Cast", ["x"], ["u%d" % t], to=t,
                                  saturate=0))
    outputs.append(("u%d" % t, t, [n]))
    expected.append(small_tensor("u%d" % t, t,
                                 [encode(t, v, False) for v in values], [n]))
for t in targets:
    nodes.append(helper.make_node("Cast", ["s%d" % t], ["b%d" % t],
                                  to=TensorProto.FLOAT))
    outputs.append(("b%d" % t, TensorProto.FLOAT, [n]))
    back = [decode(t, encode(t, v)) for v in values]
    expected.append(numpy_helper.from_array(np.array(back, np.float32),
                                            "b%d" % t))
save("cast", nodes, [("x", TensorProto.FLOAT, [n])], outputs)
write("cast-input_0.pb", numpy_helper.from_array(x, "x"))
for i, tensor in enumerate(expected):
    write("cast-expected_%d.pb" % i, tensor)

# float8e8m0: 2^(e - 127); the codes by hand from ONNX's rules (the f32
# exponent field, up when any mantissa bit is set, nearest by the guard,
# round and sticky bits; infinity and NaN become NaN; saturation stops at
# 2^127).
e8 = [0.0, 0.124, 0.25, 1.1, 1.5, 1.25, 3.0, -4.0, 2.0 ** 127 * 1.5,
      math.inf, math.nan, 2.0 ** -127]
codes = {
    "up": [0, 124, 125, 128, 128, 128, 129, 129, 254, 255, 255, 1],
    "down": [0, 123, 125, 127, 127, 127, 128, 129, 254, 255, 255, 0],
    "nearest": [0, 124, 125, 127, 128, 127, 129, 129, 254, 255, 255, 0],
    "unsaturated": [0, 124, 125, 128, 128, 128, 129, 129, 255, 255, 255, 1],
}
nodes = [helper.make_node("Cast", ["x"], ["up"], to=E8M0, round_mode="up"),
         helper.make_node("Cast", ["x"], ["down"], to=E8M0,
                          round_mode="down"),
         helper.make_node("Cast", ["x"], ["nearest"], to=E8M0,
                          round_mode="nearest"),
         helper.make_node("Cast", ["x"], ["unsaturated"], to=E8M0,
                          saturate=0),
         helper.make_node("Cast", ["up"], ["back"], to=TensorProto.FLOAT)]
k = len(e8)
save("e8m0", nodes, [("x", TensorProto.FLOAT, [k])],
     [(name, E8M0, [k]) for name in codes] +
     [("back", TensorProto.FLOAT, [k])])
write("e8m0-input_0.pb", numpy_helper.from_array(np.array(e8, np.float32),
                                                 "x"))
for i, name in enumerate(codes):
    write("e8m0-expected_%d.pb" % i, small_tensor(name, E8M0, codes[name],
                                                  [k]))
back = np.array([decode(E8M0, c) for c in codes["up"]], np.float32)
write("e8m0-expected_4.pb", numpy_helper.from_array(back, "back"))

# QuantizeLinear / DequantizeLinear: float8e4m3fn per tensor (x / 2,
# saturated), float4e2m1 per axis 0 (scales 1, 2, 4).
q = np.array([0.0, 1.0, 3.0, 1000.0, -205.0, 0.01], np.float32)
g = np.array([0.25, -0.75, 1.0, 9.0, 2.5, 5.0, 14.0, -3.0, 4.0, 10.0,
              -30.0, 0.5], np.float32).reshape(3, 4)
gs = np.array([1.0, 2.0, 4.0], np.float32)
nodes = [
    helper.make_node("QuantizeLinear", ["q", "qs", "qzp"], ["qq"]),
    helper.make_node("DequantizeLinear", ["qq", "qs", "qzp"], ["qd"]),
    helper.make_node("QuantizeLinear", ["g", "gs", "gzp"], ["gq"], axis=0),
    helper.make_node("DequantizeLinear", ["gq", "gs", "gzp"], ["gd"],
                     axis=0),
]
inits = [numpy_helper.from_array(np.array(2.0, np.float32), "qs"),
         small_tensor("qzp", E4M3FN, [0], [], raw=False),
         numpy_helper.from_array(gs, "gs"),
         small_tensor("gzp", E2M1, [0, 0, 0], [3])]
save("qdq", nodes, [("q", TensorProto.FLOAT, [6]),
                    ("g", TensorProto.FLOAT, [3, 4])],
     [("qq", E4M3FN, [6]), ("qd", TensorProto.FLOAT, [6]),
      ("gq", E2M1, [3, 4]), ("gd", TensorProto.FLOAT, [3, 4])], inits)
write("qdq-input_0.pb", numpy_helper.from_array(q, "q"))
write("qdq-input_1.pb", numpy_helper.from_array(g, "g"))
qq = [encode(E4M3FN, f32(v / 2.0)) for v in q]
gq = [encode(E2M1, f32(v / gs[i // 4])) for i, v in enumerate(g.ravel())]
write("qdq-expected_0.pb", small_tensor("qq", E4M3FN, qq, [6]))
write("qdq-expected_1.pb", numpy_helper.from_array(
    np.array([decode(E4M3FN, c) * 2.0 for c in qq], np.float32), "qd"))
write("qdq-expected_2.pb", small_tensor("gq", E2M1, gq, [3, 4]))
write("qdq-expected_3.pb", numpy_helper.from_array(
    np.array([decode(E2M1, c) * gs[i // 4] for i, c in enumerate(gq)],
             np.float32).reshape(3, 4), "gd"))
