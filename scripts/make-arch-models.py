#!/usr/bin/python3
"""Writes the untrained architectures that scripts/train-models.sh trains.

    scripts/make-arch-models.py OUTDIR [--seed N]

OUTDIR/lenet5-arch.onnx   LeNet-5 for 1x28x28 inputs (conv 6@5x5 pad 2, pool,
                          conv 16@5x5, pool, fc 120, fc 84, fc 10)
OUTDIR/resnet8-arch.onnx  a ResNet-8 adapted to 1x28x28: a 3x3 stem conv,
                          three stages of one basic block (conv-BN-ReLU twice,
                          identity or strided 1x1 projection shortcut) with
                          widths W, 2W, 4W, global average pooling, fc 10
OUTDIR/resnet20-arch.onnx the same with three blocks per stage
OUTDIR/vit-arch.onnx      a vision transformer (VIT_SIZE): 7x7 patches (a
                          Conv with kernel = stride = 7) make 16 tokens of
                          width 64, a learned class token is prepended and a
                          learned position embedding added; 4 pre-norm
                          encoder blocks (LayerNormalization, 4-head
                          self-attention, residual; LayerNormalization, MLP
                          64-128-64 with the Erf form of GELU, residual); a
                          final LayerNormalization, the class token, fc 10

The ViT is written the way torch.onnx.export (opset 17) writes torchvision's
VisionTransformer: the class token Expanded to Concat(Shape(x)[0], [1, D]),
the linear layers as MatMul with a [in, out] weight and Add, the heads by
Reshape to [0, -1, H, D/H] and Transpose, the attention scaled by a Mul
after MatMul(Q, K^T).

Its size keeps a PyTorch training epoch (60 000 images, batch 128, one
thread; bench/vit-torch.py --time-epoch) near a minute: 139 018 parameters,
1 000-1 200 images/s, 50-60 s an epoch. 4x4 patches (50 tokens, the same
widths) run at about 300 images/s, 200 s an epoch, and learned little
faster: 75.5 % and 78.7 % test accuracy after the first two epochs against
76.3 % and 77.5 % with 7x7 patches (Adam, lr 1e-3, crop 2 + flip, the same
6-epoch cosine schedule). Six epochs of the 7x7 model end at 83.3 % (AdamW
lr 1e-3, weight decay 0.05, 1 warmup epoch, crop 2 + flip; still
underfitting, training loss 0.46) and at 86.8 % without augmentation (Adam
lr 1e-3; training loss 0.26, test loss flat from the fifth epoch). That a
30-epoch run reaches 91 % is not shown.

Weights are He-normal from a seeded numpy generator; batch norms start at
identity. The ViT's patch embedding is truncated normal with std
sqrt(1 / fan-in), its class token and position embedding truncated normal
with std 0.02, its linear layers Xavier-uniform with zero biases, its layer
norms identity. Opset 13 (the ViT: 17, for LayerNormalization), a dynamic
batch dimension. Needs /usr/bin/python3 with python3-onnx and python3-numpy.
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


# The ViT's size (see the module's documentation).
VIT_SIZE = {"stem": 32, "patch": 7, "dim": 64, "heads": 4, "depth": 4,
            "mlp": 128}


class Builder:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.inits = []
        self.count = 0

    def name(self, prefix):
        self.count += 1
        return f"{prefix}{self.count}"

    def init(self, name, array):
        self.inits.append(numpy_helper.from_array(array.astype(np.float32), name))
        return name

    def conv(self, x, cin, cout, k, stride=1, pad=0, bias=True, name=None):
        name = name or self.name("conv")
        fan_in = cin * k * k
        w = self.rng.normal(0, np.sqrt(2.0 / fan_in), (cout, cin, k, k))
        inputs = [x, self.init(name + ".weight", w)]
        if bias:
            inputs.append(self.init(name + ".bias", np.zeros(cout)))
        self.nodes.append(helper.make_node(
            "Conv", inputs, [name + ".out"], name=name, kernel_shape=[k, k],
            strides=[stride, stride], pads=[pad] * 4))
        return name + ".out"

    def bn(self, x, c):
        name = self.name("bn")
        inputs = [x, self.init(name + ".scale", np.ones(c)),
                  self.init(name + ".bias", np.zeros(c)),
                  self.init(name + ".mean", np.zeros(c)),
                  self.init(name + ".var", np.ones(c))]
        self.nodes.append(helper.make_node(
            "BatchNormalization", inputs, [name + ".out"], name=name,
            epsilon=1e-5))
        return name + ".out"

    def op(self, op_type, inputs, node_name=None, **attrs):
        name = node_name or self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [name + ".out"],
                                           name=name, **attrs))
        return name + ".out"

    def gemm(self, x, cin, cout, name=None, relu_gain=True):
        name = name or self.name("fc")
        gain = 2.0 if relu_gain else 1.0
        w = self.rng.normal(0, np.sqrt(gain / cin), (cout, cin))
        self.nodes.append(helper.make_node(
            "Gemm", [x, self.init(name + ".weight", w),
                     self.init(name + ".bias", np.zeros(cout))],
            [name + ".out"], name=name, transB=1))
        return name + ".out"

    def const(self, array, dtype=np.int64, name=None):
        """An integer (or other non-trained) initializer."""
        name = name or self.name("const")
        self.inits.append(numpy_helper.from_array(np.asarray(array, dtype),
                                                  name))
        return name

    def trunc_normal(self, std, shape):
        """Normal(0, std) truncated to two standard deviations."""
        w = self.rng.normal(0, std, shape)
        while True:
            out = np.abs(w) > 2 * std
            if not out.any():
                return w
            w[out] = self.rng.normal(0, std, int(out.sum()))

    def linear(self, x, cin, cout, name):
        """x @ W + b on the last axis (MatMul with a [cin, cout] weight,
        then Add), Xavier-uniform weight, zero bias: a torch Linear as
        torch.onnx.export writes it for inputs of rank 3."""
        bound = np.sqrt(6.0 / (cin + cout))
        w = self.rng.uniform(-bound, bound, (cin, cout))
        h = self.op("MatMul", [x, self.init(name + ".weight", w)],
                    node_name=name)
        return self.op("Add", [h, self.init(name + ".bias", np.zeros(cout))])

    def layernorm(self, x, d, name):
        return self.op("LayerNormalization",
                       [x, self.init(name + ".weight", np.ones(d)),
                        self.init(name + ".bias", np.zeros(d))],
                       axis=-1, epsilon=1e-6)

    def model(self, x, out, channels, classes, opset=13, props=None):
        graph = helper.make_graph(
            self.nodes, "main",
            [helper.make_tensor_value_info(x, TensorProto.FLOAT,
                                           ["N", channels, 28, 28])],
            [helper.make_tensor_value_info(out, TensorProto.FLOAT,
                                           ["N", classes])],
            self.inits)
        model = helper.make_model(graph, producer_name="make-arch-models",
                                  opset_imports=[helper.make_opsetid("", opset)])
        model.ir_version = 7 if opset <= 13 else 8
        if props:
            helper.set_model_props(model, {k: str(v) for k, v in props.items()})
        onnx.checker.check_model(model)
        return model


def lenet5(seed):
    b = Builder(seed)
    x = "input"
    h = b.op("Relu", [b.conv(x, 1, 6, 5, pad=2, name="conv1")])
    h = b.op("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2])
    h = b.op("Relu", [b.conv(h, 6, 16, 5, name="conv2")])
    h = b.op("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2])
    h = b.op("Flatten", [h], axis=1)
    h = b.op("Relu", [b.gemm(h, 400, 120, name="fc1")])
    h = b.op("Relu", [b.gemm(h, 120, 84, name="fc2")])
    out = b.gemm(h, 84, 10, name="fc3", relu_gain=False)
    return b.model(x, out, 1, 10)


def resnet(seed, blocks, width):
    b = Builder(seed)
    x = "input"
    h = b.op("Relu", [b.bn(b.conv(x, 1, width, 3, pad=1, bias=False,
                                  name="stem"), width)])
    cin = width
    for stage, cout in enumerate([width, 2 * width, 4 * width]):
        for block in range(blocks):
            stride = 2 if stage > 0 and block == 0 else 1
            prefix = f"s{stage + 1}b{block + 1}"
            y = b.op("Relu", [b.bn(b.conv(h, cin, cout, 3, stride, 1, False,
                                          name=prefix + "conv1"), cout)])
            y = b.bn(b.conv(y, cout, cout, 3, 1, 1, False,
                            name=prefix + "conv2"), cout)
            if stride != 1 or cin != cout:
                h = b.bn(b.conv(h, cin, cout, 1, stride, 0, False,
                                name=prefix + "proj"), cout)
            h = b.op("Relu", [b.op("Add", [y, h])])
            cin = cout
    h = b.op("GlobalAveragePool", [h])
    h = b.op("Flatten", [h], axis=1)
    out = b.gemm(h, cin, 10, name="fc", relu_gain=False)
    return b.model(x, out, 1, 10)


def vit(seed, stem=VIT_SIZE["stem"], patch=VIT_SIZE["patch"],
        dim=VIT_SIZE["dim"], heads=VIT_SIZE["heads"], depth=VIT_SIZE["depth"],
        mlp=VIT_SIZE["mlp"]):
    """The ViT of the module's documentation, as torch.onnx.export (opset 17)
    writes torchvision's VisionTransformer; its size in the model's
    metadata (vit.patch, vit.dim, ...), where bench/vit-torch.py reads it."""
    b = Builder(seed)
    x = "input"
    tokens = (28 // patch) ** 2
    dh = dim // heads
    cin = 1
    features = x
    if stem:
        # A convolutional stem (3x3, ReLU) before the patch embedding: the
        # local features a plain ViT lacks on 28x28 inputs.
        ws = b.rng.normal(0, np.sqrt(2.0 / 9), (stem, 1, 3, 3))
        b.nodes.append(helper.make_node(
            "Conv", [x, b.init("stem.weight", ws),
                     b.init("stem.bias", np.zeros(stem))],
            ["stem.out"], name="stem", kernel_shape=[3, 3], strides=[1, 1],
            pads=[1] * 4))
        features = b.op("Relu", ["stem.out"])
        cin = stem
    # Patch embedding: LeCun truncated normal, as torchvision's conv_proj.
    w = b.trunc_normal(np.sqrt(1.0 / (cin * patch * patch)),
                       (dim, cin, patch, patch))
    b.nodes.append(helper.make_node(
        "Conv", [features, b.init("patch_embed.weight", w),
                 b.init("patch_embed.bias", np.zeros(dim))],
        ["patch_embed.out"], name="patch_embed",
        kernel_shape=[patch, patch], strides=[patch, patch], pads=[0] * 4))
    h = b.op("Reshape", ["patch_embed.out", b.const([0, dim, -1])])
    h = b.op("Transpose", [h], perm=[0, 2, 1])  # [N, T, D]
    # The class token expanded to the batch: Expand(token, [N, 1, D]).
    n = b.op("Gather", [b.op("Shape", [h]), b.const(0)], axis=0)
    n = b.op("Unsqueeze", [n, b.const([0])])
    target = b.op("Concat", [n, b.const([1, dim])], axis=0)
    token = b.init("class_token", b.trunc_normal(0.02, (1, 1, dim)))
    h = b.op("Concat", [b.op("Expand", [token, target]), h], axis=1)
    h = b.op("Add", [h, b.init("pos_embedding",
                                b.trunc_normal(0.02, (1, tokens + 1, dim)))])
    heads_shape = b.const([0, -1, heads, dh], name="heads_shape")
    tokens_shape = b.const([0, -1, dim], name="tokens_shape")
    scale = b.init("attn_scale", np.array(1.0 / np.sqrt(dh)))
    sqrt2 = b.init("gelu_sqrt2", np.array(np.sqrt(2.0)))
    one = b.init("gelu_one", np.array(1.0))
    half = b.init("gelu_half", np.array(0.5))
    for i in range(depth):
        p = f"block{i}."
        y = b.layernorm(h, dim, p + "ln1")
        q, k, v = (b.op("Reshape", [b.linear(y, dim, dim, p + "attn." + t),
                                    heads_shape]) for t in "qkv")
        q = b.op("Transpose", [q], perm=[0, 2, 1, 3])   # [N, H, T, dh]
        k = b.op("Transpose", [k], perm=[0, 2, 3, 1])   # [N, H, dh, T]
        v = b.op("Transpose", [v], perm=[0, 2, 1, 3])
        a = b.op("Mul", [b.op("MatMul", [q, k], node_name=p + "attn.scores"),
                         scale])
        a = b.op("Softmax", [a], axis=-1)
        o = b.op("Transpose",
                 [b.op("MatMul", [a, v], node_name=p + "attn.context")],
                 perm=[0, 2, 1, 3])
        o = b.op("Reshape", [o, tokens_shape])
        h = b.op("Add", [h, b.linear(o, dim, dim, p + "attn.out")])
        y = b.layernorm(h, dim, p + "ln2")
        y = b.linear(y, dim, mlp, p + "mlp.fc1")
        # GELU, x * 0.5 * (1 + erf(x / sqrt 2)), as exported before opset 20.
        g = b.op("Add", [b.op("Erf", [b.op("Div", [y, sqrt2])]), one])
        y = b.op("Mul", [b.op("Mul", [y, g]), half])
        y = b.linear(y, mlp, dim, p + "mlp.fc2")
        h = b.op("Add", [h, y])
    h = b.layernorm(h, dim, "ln")
    h = b.op("Gather", [h, b.const(0)], axis=1)  # the class token, [N, D]
    bound = np.sqrt(6.0 / (dim + 10))
    b.nodes.append(helper.make_node(
        "Gemm", [h, b.init("head.weight", b.rng.uniform(-bound, bound, (10, dim))),
                 b.init("head.bias", np.zeros(10))],
        ["head.out"], name="head", transB=1))
    return b.model(x, "head.out", 1, 10, opset=17,
                   props={"vit.stem": stem, "vit.patch": patch,
                          "vit.dim": dim, "vit.heads": heads,
                          "vit.depth": depth, "vit.mlp": mlp})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--width", type=int, default=16)
    args = parser.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    onnx.save(lenet5(args.seed), os.path.join(args.outdir, "lenet5-arch.onnx"))
    onnx.save(resnet(args.seed, 1, args.width),
              os.path.join(args.outdir, "resnet8-arch.onnx"))
    onnx.save(resnet(args.seed, 3, args.width),
              os.path.join(args.outdir, "resnet20-arch.onnx"))
    onnx.save(vit(args.seed), os.path.join(args.outdir, "vit-arch.onnx"))


if __name__ == "__main__":
    main()
