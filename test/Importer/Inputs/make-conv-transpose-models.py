"""Writes transposed-convolution models with seeded weights into the
directory given as argv[1], each with an input, the expected float output
computed here from ConvTranspose's definition (every input pixel scatters
its weighted kernel into the output), and calibration inputs:

  decoder.onnx  Conv (stride 2) -> Relu -> ConvTranspose (k4 s2 p1) -> Relu
                -> ConvTranspose (k3 s2 p1 output_padding 1, group 2,
                dilation 1) -> Relu -> ConvTranspose (k2 s3, dilation 2,
                pads 1 0 0 2, 3 x 2 strides); 1 x 4 x 12 x 10 in
  decoder1d.onnx  ConvTranspose 1-D (k5 s4 p2 output_padding 1, bias)
                -> Relu -> ConvTranspose 1-D (k3 s1 p1)

Files: NAME.onnx, NAME-x.pb, NAME-y.pb, calib-NAME/test_data_set_N/input_0.pb."""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

out = sys.argv[1]
rng = np.random.default_rng(7)


def conv_transpose(x, w, b, strides, pads, dilations, output_padding, group):
    """The definition, in float64: output o = i * s + k * d - pad_begin."""
    n, cin = x.shape[:2]
    spatial = x.ndim - 2
    k = w.shape[2:]
    cout = w.shape[1] * group
    full = [strides[i] * (x.shape[2 + i] - 1) + output_padding[i] +
            (k[i] - 1) * dilations[i] + 1 for i in range(spatial)]
    shape = [full[i] - pads[i] - pads[spatial + i] for i in range(spatial)]
    # Accumulate into the full extent shifted by the begin pads.
    lo = [min(0, -pads[i]) for i in range(spatial)]
    big = [max(full[i], pads[i] + shape[i]) - lo[i] for i in range(spatial)]
    y = np.zeros([n, cout] + big)
    cpg, mpg = cin // group, cout // group
    for idx in np.ndindex(*x.shape[2:]):
        for kk in np.ndindex(*k):
            pos = tuple(idx[i] * strides[i] + kk[i] * dilations[i] - lo[i]
                        for i in range(spatial))
            for g in range(group):
                xs = x[(slice(None), slice(g * cpg, (g + 1) * cpg)) + idx]
                ws = w[(slice(g * cpg, (g + 1) * cpg), slice(None)) + kk]
                y[(slice(None), slice(g * mpg, (g + 1) * mpg)) + pos] += xs @ ws
    sel = tuple(slice(pads[i] - lo[i], pads[i] - lo[i] + shape[i])
                for i in range(spatial))
    y = y[(slice(None), slice(None)) + sel]
    if b is not None:
        y += b.reshape([1, cout] + [1] * spatial)
    return y


def conv(x, w, b, stride, pad):
    """2-D convolution (cross-correlation), float64."""
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    k = w.shape[2]
    oh = (x.shape[2] - k) // stride + 1
    ow = (x.shape[3] - k) // stride + 1
    y = np.zeros((x.shape[0], w.shape[0], oh, ow))
    for r in range(oh):
        for c in range(ow):
            patch = x[:, :, r * stride:r * stride + k, c * stride:c * stride + k]
            y[:, :, r, c] = patch.reshape(x.shape[0], -1) @ w.reshape(w.shape[0], -1).T
    return y + b.reshape(1, -1, 1, 1)


def weight(*shape):
    fan = np.prod(shape) / shape[1]
    return (rng.standard_normal(shape) / np.sqrt(fan)).astype(np.float32)


def save(name, nodes, inits, x, y):
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(y.shape))],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, name + ".onnx"))
    for suffix, value in (("x", x), ("y", y)):
        with open(os.path.join(out, f"{name}-{suffix}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(value.astype(np.float32)).SerializeToString())
    for i in range(4):
        d = os.path.join(out, f"calib-{name}", f"test_data_set_{i}")
        os.makedirs(d, exist_ok=True)
        c = rng.standard_normal(x.shape).astype(np.float32)
        with open(os.path.join(d, "input_0.pb"), "wb") as f:
            f.write(numpy_helper.from_array(c).SerializeToString())


# 2-D decoder.
x = rng.standard_normal((1, 4, 12, 10)).astype(np.float32)
i = {"w0": weight(8, 4, 3, 3), "b0": weight(8, 1)[:, 0] * 0.1,
     "w1": weight(8, 6, 4, 4), "b1": weight(6, 1)[:, 0] * 0.1,
     "w2": weight(6, 4, 3, 3), "b2": weight(8, 1)[:, 0] * 0.1,
     "w3": weight(8, 3, 2, 2)}
nodes = [
    helper.make_node("Conv", ["x", "w0", "b0"], ["h0"], name="down",
                     strides=[2, 2], pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["h0"], ["r0"]),
    helper.make_node("ConvTranspose", ["r0", "w1", "b1"], ["h1"], name="up1",
                     strides=[2, 2], pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["h1"], ["r1"]),
    helper.make_node("ConvTranspose", ["r1", "w2", "b2"], ["h2"], name="up2",
                     strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1],
                     group=2),
    helper.make_node("Relu", ["h2"], ["r2"]),
    helper.make_node("ConvTranspose", ["r2", "w3"], ["y"], name="up3",
                     strides=[3, 2], dilations=[2, 2], pads=[1, 0, 0, 2]),
]
h = np.maximum(conv(x.astype(np.float64), i["w0"], i["b0"], 2, 1), 0)
h = np.maximum(conv_transpose(h, i["w1"], i["b1"], [2, 2], [1, 1, 1, 1], [1, 1], [0, 0], 1), 0)
h = np.maximum(conv_transpose(h, i["w2"], i["b2"], [2, 2], [1, 1, 1, 1], [1, 1], [1, 1], 2), 0)
y = conv_transpose(h, i["w3"], None, [3, 2], [1, 0, 0, 2], [2, 2], [0, 0], 1)
save("decoder", nodes, i, x, y)

# 1-D.
x = rng.standard_normal((2, 3, 9)).astype(np.float32)
i = {"v0": weight(3, 5, 5), "c0": weight(5, 1)[:, 0] * 0.1, "v1": weight(5, 2, 3)}
nodes = [
    helper.make_node("ConvTranspose", ["x", "v0", "c0"], ["g0"], name="up1d",
                     strides=[4], pads=[2, 2], output_padding=[1]),
    helper.make_node("Relu", ["g0"], ["s0"]),
    helper.make_node("ConvTranspose", ["s0", "v1"], ["y"], name="smooth1d",
                     pads=[1, 1]),
]
h = np.maximum(conv_transpose(x.astype(np.float64), i["v0"], i["c0"], [4], [2, 2], [1], [1], 1), 0)
y = conv_transpose(h, i["v1"], None, [1], [1, 1], [1], [0], 1)
save("decoder1d", nodes, i, x, y)

# Bad nodes, one per rule: bad-NAME.onnx.
def bad(name, xshape, wshape, bshape=None, **attrs):
    inits = [numpy_helper.from_array(np.ones(wshape, np.float32), "w")]
    inputs = ["x", "w"]
    if bshape is not None:
        inits.append(numpy_helper.from_array(np.ones(bshape, np.float32), "b"))
        inputs.append("b")
    graph = helper.make_graph(
        [helper.make_node("ConvTranspose", inputs, ["y"], name="up", **attrs)],
        name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, xshape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, os.path.join(out, f"bad-{name}.onnx"))


bad("3d", [1, 2, 3, 3, 3], [2, 2, 2, 2, 2])
bad("channels", [1, 3, 4, 4], [2, 2, 3, 3])
bad("bias", [1, 2, 4, 4], [2, 3, 3, 3], [2])
bad("output-padding", [1, 2, 4, 4], [2, 3, 3, 3], strides=[2, 2],
    output_padding=[2, 0])
bad("pads", [1, 2, 4, 4], [2, 3, 3, 3], pads=[-1, 0, 0, 0])
bad("nothing-left", [1, 2, 2, 2], [2, 3, 3, 3], pads=[3, 3, 3, 3])
