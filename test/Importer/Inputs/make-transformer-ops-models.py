"""Writes small models of the operators that transformers' expanded
functions use, with inputs and the outputs their definitions give
(computed here with numpy), into the directory given as argv[1]:

  shape-arith.onnx  Size, Range, Mod (fmod 0 and 1), Neg and Abs of integer
                    constants feeding a Gather and a Reshape of real data
  trilu.onnx        Trilu upper with k = -1, lower with k = 1, lower without k
  norms.onnx        RMSNormalization (opset 23) and LayerNormalization with
                    its Mean and InvStdDev outputs
  bad-*.onnx        Range, Mod and Trilu on computed values, Mod by zero

Files: NAME.onnx, NAME-x.pb, NAME-y<k>.pb for output k."""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

out = sys.argv[1]
rng = np.random.default_rng(5)


def const(name, value):
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(value))


def save(name, nodes, x, outputs, opset=17, inputs=None):
    graph = helper.make_graph(
        nodes, name,
        inputs or [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n, _ in outputs])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    with open(os.path.join(out, name + ".onnx"), "wb") as f:
        f.write(model.SerializeToString())
    with open(os.path.join(out, name + "-x.pb"), "wb") as f:
        f.write(numpy_helper.from_array(x).SerializeToString())
    for k, (_, value) in enumerate(outputs):
        with open(os.path.join(out, f"{name}-y{k}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(value.astype(np.float32)).SerializeToString())


# Shape arithmetic: size 24 -> Range(0, 24, 5) = [0 5 10 15 20]
# -> Mod 7 (fmod 0) = [0 5 3 1 6]; Mod(-7, 3) fmod 0 = 2, fmod 1 = -1;
# Neg, Abs.
x = rng.standard_normal((2, 3, 4)).astype(np.float32)
nodes = [
    helper.make_node("Size", ["x"], ["size"]),
    const("zero", np.array(0, np.int64)), const("five", np.array(5, np.int64)),
    helper.make_node("Range", ["zero", "size", "five"], ["range"]),
    const("seven", np.array([7], np.int64)),
    helper.make_node("Mod", ["range", "seven"], ["picks"]),
    helper.make_node("Flatten", ["x"], ["flat"], axis=0),
    const("flat_shape", np.array([-1], np.int64)),
    helper.make_node("Reshape", ["flat", "flat_shape"], ["flat1"]),
    helper.make_node("Gather", ["flat1", "picks"], ["y0"]),
    const("m7", np.array([-7, 7, -8], np.int64)), const("three", np.array([3, -3, 3], np.int64)),
    helper.make_node("Mod", ["m7", "three"], ["r0"]),
    helper.make_node("Mod", ["m7", "three"], ["r1"], fmod=1),
    helper.make_node("Abs", ["r0"], ["a0"]),
    helper.make_node("Neg", ["r1"], ["n1"]),
    helper.make_node("Concat", ["a0", "n1"], ["shape6"], axis=0),
    # shape6 = [2, 2, 1, 1, -1, 2] -> [Abs, Neg] picks a reshape: take
    # [2, 2, 1] ... use the first three as a shape for x's 12 elements x 2.
    const("s0", np.array([0], np.int64)), const("s3", np.array([3], np.int64)),
    helper.make_node("Slice", ["shape6", "s0", "s3"], ["shape3"]),
    const("six", np.array([6], np.int64)),
    helper.make_node("Concat", ["shape3", "six"], ["shape4"], axis=0),
    helper.make_node("Reshape", ["x", "shape4"], ["y1"]),
]
r0 = np.mod(np.array([-7, 7, -8]), np.array([3, -3, 3]))
r1 = np.fmod(np.array([-7, 7, -8]), np.array([3, -3, 3]))
shape3 = np.concatenate([np.abs(r0), -r1])[:3]
save("shape-arith", nodes, x,
     [("y0", x.reshape(-1)[np.arange(0, 24, 5) % 7]),
      ("y1", x.reshape(list(shape3) + [6]))])

# Trilu.
x = rng.standard_normal((2, 3, 5)).astype(np.float32)
nodes = [
    const("km1", np.array(-1, np.int64)), const("k1", np.array(1, np.int64)),
    helper.make_node("Trilu", ["x", "km1"], ["y0"], upper=1),
    helper.make_node("Trilu", ["x", "k1"], ["y1"], upper=0),
    helper.make_node("Trilu", ["x"], ["y2"], upper=0),
]
save("trilu", nodes, x, [("y0", np.triu(x, -1)), ("y1", np.tril(x, 1)),
                         ("y2", np.tril(x))], opset=14)

# RMSNormalization and LayerNormalization's statistics.
x = rng.standard_normal((2, 3, 4)).astype(np.float32)
scale = (1 + 0.1 * rng.standard_normal((3, 4))).astype(np.float32)
bias = (0.1 * rng.standard_normal((3, 4))).astype(np.float32)
nodes = [
    const("scale", scale), const("bias", bias),
    helper.make_node("RMSNormalization", ["x", "scale"], ["y0"], axis=1, epsilon=1e-4),
    helper.make_node("LayerNormalization", ["x", "scale", "bias"], ["y1", "y2", "y3"],
                     axis=1, epsilon=1e-4),
]
xd = x.astype(np.float64)
rms = np.sqrt((xd ** 2).mean(axis=(1, 2), keepdims=True) + 1e-4)
mean = xd.mean(axis=(1, 2), keepdims=True)
inv = 1 / np.sqrt(((xd - mean) ** 2).mean(axis=(1, 2), keepdims=True) + 1e-4)
save("norms", nodes, x, [("y0", xd / rms * scale), ("y1", (xd - mean) * inv * scale + bias),
                         ("y2", mean), ("y3", inv)], opset=23)


# Bad nodes on computed values.
def bad(name, node_list, opset=17):
    graph = helper.make_graph(
        node_list, name,
        [helper.make_tensor_value_info("x", TensorProto.INT64, [3])],
        [helper.make_tensor_value_info("y", TensorProto.INT64, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    with open(os.path.join(out, f"bad-{name}.onnx"), "wb") as f:
        f.write(model.SerializeToString())


bad("range", [const("one", np.array(1, np.int64)),
              helper.make_node("ReduceMax", ["x"], ["top"], keepdims=0),
              helper.make_node("Range", ["one", "top", "one"], ["y"], name="r")])
bad("mod", [const("two", np.array([2], np.int64)),
            helper.make_node("Mod", ["x", "two"], ["y"], name="m")])
bad("mod-zero", [const("a", np.array([4, 5], np.int64)), const("b", np.array([2, 0], np.int64)),
                 helper.make_node("Mod", ["a", "b"], ["m"], name="m"),
                 helper.make_node("Add", ["x", "x"], ["y"])])


# Attention (opset 23), checked against this numpy version of the
# operator's function.
def attention(q, k, v, mask=None, past_k=None, past_v=None, q_heads=None,
              kv_heads=None, causal=False, scale=None, softcap=0.0, mode=0):
    three_d = q.ndim == 3
    if three_d:
        def split(t, h):
            b, s, w = t.shape
            return t.reshape(b, s, h, w // h).transpose(0, 2, 1, 3)
        q, k, v = split(q, q_heads), split(k, kv_heads), split(v, kv_heads)
    if past_k is not None:
        k = np.concatenate([past_k, k], axis=2)
        v = np.concatenate([past_v, v], axis=2)
    present_k, present_v = k, v
    rep = q.shape[1] // k.shape[1]
    k, v = np.repeat(k, rep, axis=1), np.repeat(v, rep, axis=1)
    s = scale if scale is not None else 1 / np.sqrt(q.shape[-1])
    qk = (q * np.sqrt(s)) @ (k.transpose(0, 1, 3, 2) * np.sqrt(s))
    taps = [qk]
    if softcap > 0:
        qk = softcap * np.tanh(qk / softcap)
    taps.append(qk)
    bias = np.zeros(qk.shape[-2:])
    if mask is not None:
        bias = np.where(mask, 0.0, -np.inf) if mask.dtype == bool else mask
    if causal:
        past = 0 if past_k is None else past_k.shape[2]
        rows, cols = np.indices(qk.shape[-2:])
        bias = bias + np.where(cols > rows + past, -np.inf, 0.0)
    qk = qk + bias
    taps.append(qk)
    e = np.exp(qk - qk.max(-1, keepdims=True))
    w = e / e.sum(-1, keepdims=True)
    taps.append(w)
    y = w @ v
    if three_d:
        y = y.transpose(0, 2, 1, 3).reshape(y.shape[0], y.shape[2], -1)
    return y, present_k, present_v, taps[mode]


def save_attention(name, inputs, outputs, node):
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info(n, TensorProto.BOOL if v.dtype == bool
                                       else TensorProto.FLOAT, list(v.shape))
         for n, v in inputs],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n, _ in outputs])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 23)])
    with open(os.path.join(out, name + ".onnx"), "wb") as f:
        f.write(model.SerializeToString())
    for k, (_, value) in enumerate(inputs):
        with open(os.path.join(out, f"{name}-x{k}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(value).SerializeToString())
    for k, (_, value) in enumerate(outputs):
        with open(os.path.join(out, f"{name}-y{k}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(value.astype(np.float32)).SerializeToString())


# 3-D, grouped-query heads (4 query heads over 2), a past of 3, causal, a
# float mask, soft cap; the QK output after the soft cap (mode 1).
f32 = np.float32
q = rng.standard_normal((2, 4, 4 * 6)).astype(f32)
k = rng.standard_normal((2, 4, 2 * 6)).astype(f32)
v = rng.standard_normal((2, 4, 2 * 5)).astype(f32)
pk = rng.standard_normal((2, 2, 3, 6)).astype(f32)
pv = rng.standard_normal((2, 2, 3, 5)).astype(f32)
mask = (0.5 * rng.standard_normal((4, 7))).astype(f32)
ref = attention(q.astype(np.float64), k.astype(np.float64), v.astype(np.float64),
                mask, pk.astype(np.float64), pv.astype(np.float64), 4, 2,
                causal=True, softcap=3.0, mode=1)
save_attention(
    "attention-gqa",
    [("Q", q), ("K", k), ("V", v), ("mask", mask), ("past_key", pk), ("past_value", pv)],
    [("Y", ref[0]), ("present_key", ref[1]), ("present_value", ref[2]), ("qk", ref[3])],
    helper.make_node("Attention", ["Q", "K", "V", "mask", "past_key", "past_value"],
                     ["Y", "present_key", "present_value", "qk"], name="attn",
                     q_num_heads=4, kv_num_heads=2, is_causal=1, softcap=3.0,
                     qk_matmul_output_mode=1))
# 4-D, a boolean mask, an explicit scale; the softmax output (mode 3).
q = rng.standard_normal((1, 3, 5, 8)).astype(f32)
k = rng.standard_normal((1, 3, 6, 8)).astype(f32)
v = rng.standard_normal((1, 3, 6, 4)).astype(f32)
bmask = rng.random((5, 6)) < 0.7
bmask[:, 0] = True
ref = attention(q.astype(np.float64), k.astype(np.float64), v.astype(np.float64),
                bmask, scale=0.2, mode=3)
save_attention(
    "attention-4d", [("Q", q), ("K", k), ("V", v), ("mask", bmask)],
    [("Y", ref[0]), ("weights", ref[3])],
    helper.make_node("Attention", ["Q", "K", "V", "mask"], ["Y", "", "", "weights"],
                     name="attn", scale=0.2, qk_matmul_output_mode=3))

# GroupNormalization: opset 21 (scale and bias per channel) and 18 (per
# group).
x = rng.standard_normal((2, 6, 3, 2)).astype(np.float32)
for opset, per in ((21, 6), (18, 3)):
    gs = (1 + 0.2 * rng.standard_normal(per)).astype(np.float32)
    gb = (0.1 * rng.standard_normal(per)).astype(np.float32)
    xd = x.astype(np.float64).reshape(2, 3, -1)
    mean = xd.mean(-1, keepdims=True)
    var = ((xd - mean) ** 2).mean(-1, keepdims=True)
    norm = (xd - mean) / np.sqrt(var + 1e-3)
    if per == 3:
        y = (norm * gs.reshape(3, 1) + gb.reshape(3, 1)).reshape(x.shape)
    else:
        y = norm.reshape(x.shape) * gs.reshape(6, 1, 1) + gb.reshape(6, 1, 1)
    save(f"groupnorm{opset}",
         [const("gs", gs), const("gb", gb),
          helper.make_node("GroupNormalization", ["x", "gs", "gb"], ["y0"],
                           num_groups=3, epsilon=1e-3)],
         x, [("y0", y)], opset=opset)


# RotaryEmbedding (opset 23): 4-D, interleaved pairs, 4 of 6 features
# rotated, angles gathered at position_ids; 3-D with num_heads, halves
# rotated, angles per position.
def rotate(x, cos, sin, rotary, interleaved):
    """x: [B, S, H, D]; cos, sin: [B, S, rotary/2]."""
    c, s = cos[:, :, None, :], sin[:, :, None, :]
    part, rest = x[..., :rotary], x[..., rotary:]
    if interleaved:
        x1, x2 = part[..., 0::2], part[..., 1::2]
        out = np.stack([c * x1 - s * x2, s * x1 + c * x2], -1).reshape(part.shape)
    else:
        x1, x2 = part[..., :rotary // 2], part[..., rotary // 2:]
        out = np.concatenate([c * x1 - s * x2, s * x1 + c * x2], -1)
    return np.concatenate([out, rest], -1)


x = rng.standard_normal((2, 3, 5, 6)).astype(np.float32)
cos_cache = rng.standard_normal((10, 2)).astype(np.float32)
sin_cache = rng.standard_normal((10, 2)).astype(np.float32)
ids = np.array([[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]], np.int64)
y = rotate(x.transpose(0, 2, 1, 3).astype(np.float64), cos_cache[ids], sin_cache[ids],
           4, True).transpose(0, 2, 1, 3)
save("rotary4d", [const("cos", cos_cache), const("sin", sin_cache), const("ids", ids),
                  helper.make_node("RotaryEmbedding", ["x", "cos", "sin", "ids"], ["y0"],
                                   interleaved=1, rotary_embedding_dim=4)],
     x, [("y0", y)], opset=23)
x = rng.standard_normal((2, 5, 2 * 8)).astype(np.float32)
cos = rng.standard_normal((2, 5, 4)).astype(np.float32)
sin = rng.standard_normal((2, 5, 4)).astype(np.float32)
y = rotate(x.reshape(2, 5, 2, 8).astype(np.float64), cos, sin, 8, False).reshape(x.shape)
save("rotary3d", [const("cos", cos), const("sin", sin),
                  helper.make_node("RotaryEmbedding", ["x", "cos", "sin"], ["y0"],
                                   num_heads=2)],
     x, [("y0", y)], opset=23)

# ArgMax (first of tied maxima, axis 1, kept) and ArgMin (last of tied
# minima, axis -1, dropped), with ties.
x = np.round(rng.standard_normal((2, 4, 5))).astype(np.float32)
last_min = 4 - np.argmin(x[..., ::-1], axis=-1)
graph = helper.make_graph(
    [helper.make_node("ArgMax", ["x"], ["y0"], axis=1, keepdims=1),
     helper.make_node("ArgMin", ["x"], ["y1"], axis=-1, keepdims=0,
                      select_last_index=1)], "argext",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
    [helper.make_tensor_value_info("y0", TensorProto.INT64, None),
     helper.make_tensor_value_info("y1", TensorProto.INT64, None)])
with open(os.path.join(out, "argext.onnx"), "wb") as f:
    f.write(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString())
for name, value in (("argext-x.pb", x),
                    ("argext-y0.pb", np.argmax(x, axis=1)[:, None, :].astype(np.int64)),
                    ("argext-y1.pb", last_min.astype(np.int64))):
    with open(os.path.join(out, name), "wb") as f:
        f.write(numpy_helper.from_array(value).SerializeToString())
