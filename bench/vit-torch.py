#!/usr/bin/python3
"""The ViT of scripts/make-arch-models.py as a PyTorch module, trained on
Fashion-MNIST: the baseline cim-tune's epoch time and accuracy are held
against.

  /usr/bin/python3 bench/vit-torch.py MODEL.onnx --time-epoch [--batches N]
  /usr/bin/python3 bench/vit-torch.py MODEL.onnx --train EPOCHS [options]
  /usr/bin/python3 bench/vit-torch.py MODEL.onnx --check

MODEL.onnx is OUTDIR/vit-arch.onnx: the module takes its size from the
model's metadata (vit.patch, vit.dim, vit.heads, vit.depth, vit.mlp) and
its initial weights from the initializers, so PyTorch and cim-tune start
from the same weights.

--time-epoch  one float training epoch (or its first N batches, scaled to
              60 000 images), one JSON line: images/s and seconds per epoch,
              by the wall clock and by the process's CPU time (the figure
              that holds on a machine shared with other work, one thread).
--train E     E epochs; per epoch the training images/s, the mean loss and
              the test accuracy. --optimizer sgd (Nesterov momentum 0.9, as
              cim-tune), adam (L2 weight decay, as cim-tune) or adamw
              (decoupled); cosine decay per step to 0 (as cim-tune) after
              --warmup-epochs of linear warmup (cim-tune has none);
              --augment crop:N,flip as cim-tune's (zero padding).
--qat W,A     fake-quantizes the 35 layers as cim-tune qat --wbits W
              --abits A does, with PyTorch's own fake quantizers: each
              weight per output channel, symmetric, its scale from the
              channel's largest magnitude at every step (straight-through
              gradient); each layer's input per tensor, asymmetric, with a
              learned scale (LSQ's gradient) from the first batch's range;
              the products of two activations quantize their second operand
              (K, V) signed at W bits with a learned scale. The same
              operations per step as cim-tune's quantizer, for --time-epoch
              and --train.
--check       runs the ONNX graph with a small numpy interpreter of its
              operators and compares it with the module for batches 1 and 3
              (the maximum absolute difference; exit status 1 above 1e-5).

Images are pixel/255 with no normalization, as the other bundled models.
The data: the idx files in /usr/share/datasets/fashion-mnist (Debian
package dataset-fashion-mnist), or --data DIR.
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import onnx
from onnx import numpy_helper

import torch
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
             for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_split(directory, prefix):
    def find(kind):
        for suffix in ("", ".gz"):
            path = os.path.join(directory, f"{prefix}-{kind}{suffix}")
            if os.path.exists(path):
                return path
        raise FileNotFoundError(f"{prefix}-{kind}[.gz] in {directory}")
    images = read_idx(find("images-idx3-ubyte"))
    labels = read_idx(find("labels-idx1-ubyte"))
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    return x, torch.from_numpy(labels.astype(np.int64))


class ViT(torch.nn.Module):
    """The graph of make-arch-models.vit, operator for operator."""

    def __init__(self, model):
        super().__init__()
        props = {p.key: p.value for p in model.metadata_props}
        self.patch, self.dim, self.heads, self.depth, self.mlp = (
            int(props["vit." + k]) for k in
            ("patch", "dim", "heads", "depth", "mlp"))
        w = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
             for t in model.graph.initializer}
        P = torch.nn.Parameter
        self.stem = int(props.get("vit.stem", 0))
        if self.stem:
            self.stem_weight = P(w["stem.weight"])
            self.stem_bias = P(w["stem.bias"])
        self.patch_weight = P(w["patch_embed.weight"])
        self.patch_bias = P(w["patch_embed.bias"])
        self.class_token = P(w["class_token"])
        self.pos_embedding = P(w["pos_embedding"])
        self.params = torch.nn.ParameterDict()
        names = ["ln1", "attn.q", "attn.k", "attn.v", "attn.out", "ln2",
                 "mlp.fc1", "mlp.fc2"]
        for i in range(self.depth):
            for n in names:
                for part in ("weight", "bias"):
                    key = f"block{i}.{n}.{part}"
                    self.params[key.replace(".", "_")] = P(w[key])
        self.ln_weight, self.ln_bias = P(w["ln.weight"]), P(w["ln.bias"])
        self.head_weight, self.head_bias = P(w["head.weight"]), P(w["head.bias"])

    def enable_qat(self, wbits, abits):
        """Fake quantization of every layer (see --qat); the activation
        scales start from the next forward's ranges."""
        self.wbits, self.abits = wbits, abits
        self.qat, self.calibrating = True, True
        self.ascale = torch.nn.ParameterDict()
        self.azp = {}

    def act(self, name, x, signed=False):
        """A layer's input (or a product's second operand when `signed`)."""
        if not getattr(self, "qat", False):
            return x
        key = name.replace(".", "_")
        bits = self.wbits if signed else self.abits
        qmin, qmax = (-(2 ** (bits - 1)) + 1, 2 ** (bits - 1) - 1) if signed \
            else (0, 2 ** bits - 1)
        if self.calibrating:
            lo = min(float(x.min()), 0.0)
            hi = max(float(x.max()), 0.0)
            if signed:
                scale, zp = max(-lo, hi) / qmax, 0.0
            else:
                scale = (hi - lo) / (qmax - qmin)
                zp = float(round(qmin - lo / max(scale, 1e-12)))
            self.ascale[key] = torch.nn.Parameter(
                torch.tensor([max(scale, 1e-8)]))
            self.azp[key] = torch.tensor([zp])
            return x
        grad_factor = 1.0 / math.sqrt(x[0].numel() * qmax)
        return torch._fake_quantize_learnable_per_tensor_affine(
            x, self.ascale[key], self.azp[key], qmin, qmax, grad_factor)

    def weight(self, w, axis):
        """A weight per output channel (`axis`), symmetric, straight through."""
        if not getattr(self, "qat", False) or self.calibrating:
            return w
        qmax = 2 ** (self.wbits - 1) - 1
        dims = [d for d in range(w.dim()) if d != axis]
        scale = (w.detach().abs().amax(dim=dims) / qmax).clamp_min(1e-8)
        zp = torch.zeros(scale.shape, dtype=torch.int32)
        return torch.fake_quantize_per_channel_affine(w, scale, zp, axis,
                                                      -qmax, qmax)

    def p(self, block, name, part):
        return self.params[f"block{block}_{name.replace('.', '_')}_{part}"]

    def linear(self, x, block, name):
        # MatMul with the [in, out] weight, then Add.
        x = self.act(f"block{block}.{name}", x)
        return x @ self.weight(self.p(block, name, "weight"), 1) + \
            self.p(block, name, "bias")

    def layernorm(self, x, block, name):
        return F.layer_norm(x, (self.dim,), self.p(block, name, "weight"),
                            self.p(block, name, "bias"), 1e-6)

    def forward(self, x):
        n = x.shape[0]
        dh = self.dim // self.heads
        if self.stem:
            x = F.relu(F.conv2d(self.act("stem", x), self.weight(self.stem_weight, 0),
                                self.stem_bias, padding=1))
        h = F.conv2d(self.act("patch_embed", x), self.weight(self.patch_weight, 0),
                     self.patch_bias, stride=self.patch)
        h = h.reshape(n, self.dim, -1).transpose(1, 2)
        h = torch.cat([self.class_token.expand(n, 1, self.dim), h], dim=1)
        h = h + self.pos_embedding
        for i in range(self.depth):
            y = self.layernorm(h, i, "ln1")
            q, k, v = (self.linear(y, i, "attn." + t).reshape(n, -1, self.heads, dh)
                       for t in "qkv")
            scores, context = f"block{i}.attn.scores", f"block{i}.attn.context"
            a = (self.act(scores, q.permute(0, 2, 1, 3)) @
                 self.act(scores + ".rhs", k.permute(0, 2, 3, 1), True)) * \
                (1.0 / math.sqrt(dh))
            a = torch.softmax(a, dim=-1)
            o = (self.act(context, a) @
                 self.act(context + ".rhs", v.permute(0, 2, 1, 3), True))
            o = o.permute(0, 2, 1, 3).reshape(n, -1, self.dim)
            h = h + self.linear(o, i, "attn.out")
            y = self.linear(self.layernorm(h, i, "ln2"), i, "mlp.fc1")
            y = y * 0.5 * (1 + torch.erf(y / math.sqrt(2.0)))
            h = h + self.linear(y, i, "mlp.fc2")
        h = F.layer_norm(h, (self.dim,), self.ln_weight, self.ln_bias, 1e-6)
        return F.linear(self.act("head", h[:, 0]), self.weight(self.head_weight, 0),
                        self.head_bias)


def run_onnx(model, x):
    """The graph on `x` by a numpy interpreter of the operators it uses
    (float64 where it computes; onnx 1.12 has no onnx.reference)."""
    env = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    env[model.graph.input[0].name] = x.astype(np.float64)
    erf = np.vectorize(math.erf)
    for node in model.graph.node:
        a = {at.name: onnx.helper.get_attribute_value(at) for at in node.attribute}
        i = [env[name] for name in node.input]
        t = node.op_type
        if t == "Conv":
            w, b = i[1], i[2]
            s = a["strides"][0]
            k = w.shape[2]
            p = a.get("pads", [0])[0]
            i[0] = np.pad(i[0], ((0, 0), (0, 0), (p, p), (p, p)))
            nb, c, hh, ww = i[0].shape
            oh, ow = (hh - k) // s + 1, (ww - k) // s + 1
            cols = np.stack([i[0][:, :, r * s:r * s + k, q * s:q * s + k]
                             for r in range(oh) for q in range(ow)], axis=1)
            y = cols.reshape(nb, oh * ow, -1) @ w.reshape(w.shape[0], -1).T + b
            y = y.transpose(0, 2, 1).reshape(nb, w.shape[0], oh, ow)
        elif t == "Reshape":
            shape = [i[0].shape[d] if v == 0 else v for d, v in enumerate(i[1])]
            y = i[0].reshape(shape)
        elif t == "Transpose":
            y = i[0].transpose(a["perm"])
        elif t == "Shape":
            y = np.array(i[0].shape, np.int64)
        elif t == "Gather":
            y = np.take(i[0], i[1], axis=a.get("axis", 0))
        elif t == "Unsqueeze":
            y = np.expand_dims(i[0], tuple(i[1]))
        elif t == "Concat":
            y = np.concatenate(i, axis=a["axis"])
        elif t == "Expand":
            y = i[0] * np.ones(i[1], i[0].dtype)
        elif t in ("Add", "Mul", "Div", "MatMul"):
            f = {"Add": np.add, "Mul": np.multiply, "Div": np.divide,
                 "MatMul": np.matmul}[t]
            y = f(i[0], i[1])
        elif t == "Relu":
            y = np.maximum(i[0], 0)
        elif t == "Erf":
            y = erf(i[0])
        elif t == "Softmax":
            e = np.exp(i[0] - i[0].max(axis=a["axis"], keepdims=True))
            y = e / e.sum(axis=a["axis"], keepdims=True)
        elif t == "LayerNormalization":
            m = i[0].mean(-1, keepdims=True)
            v = ((i[0] - m) ** 2).mean(-1, keepdims=True)
            y = (i[0] - m) / np.sqrt(v + a["epsilon"]) * i[1] + i[2]
        elif t == "Gemm":
            y = i[0] @ (i[1].T if a.get("transB") else i[1]) + i[2]
        else:
            raise NotImplementedError(t)
        env[node.output[0]] = y
    return env[model.graph.output[0].name]


def check(model, net):
    worst = 0.0
    rng = np.random.default_rng(1)
    for n in (1, 3):
        x = rng.random((n, 1, 28, 28)).astype(np.float32)
        ref = run_onnx(model, x)
        with torch.no_grad():
            y = net(torch.from_numpy(x)).double().numpy()
        diff = float(np.abs(ref - y).max())
        worst = max(worst, diff)
        print(f"batch {n}: max |onnx - torch| = {diff:.3g} "
              f"(outputs up to {np.abs(ref).max():.3g})")
    return 0 if worst <= 1e-5 else 1


def augment(x, crop, flip, gen):
    n = x.shape[0]
    if crop:
        padded = F.pad(x, (crop, crop, crop, crop))
        oy = torch.randint(0, 2 * crop + 1, (n,), generator=gen)
        ox = torch.randint(0, 2 * crop + 1, (n,), generator=gen)
        r = torch.arange(28)
        rows = (oy[:, None] + r)[:, :, None]
        cols = (ox[:, None] + r)[:, None, :]
        x = padded[torch.arange(n)[:, None, None], 0, rows, cols].unsqueeze(1)
    if flip:
        mask = torch.rand(n, generator=gen) < 0.5
        x = torch.where(mask[:, None, None, None], x.flip(3), x)
    return x


def evaluate(net, x, y, batch=1000):
    net.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        for s in range(0, len(x), batch):
            out = net(x[s:s + batch])
            loss += float(F.cross_entropy(out, y[s:s + batch], reduction="sum"))
            correct += int((out.argmax(1) == y[s:s + batch]).sum())
    return correct / len(x), loss / len(x)


def make_optimizer(args, net):
    params = list(net.parameters())
    if args.optimizer == "sgd":
        return torch.optim.SGD(params, args.lr, momentum=0.9, nesterov=True,
                               weight_decay=args.weight_decay)
    if args.optimizer == "adam":
        return torch.optim.Adam(params, args.lr, weight_decay=args.weight_decay)
    return torch.optim.AdamW(params, args.lr, weight_decay=args.weight_decay)


def train(args, net, train_set, test_set, epochs, batches=None):
    """`epochs` epochs (of their first `batches` batches); the images/s of
    each, by the wall clock and by CPU time."""
    x, y = train_set
    if args.qat:
        # One forward to create the activation scales from a batch's ranges.
        net.enable_qat(*args.qat)
        with torch.no_grad():
            net(x[:args.batch_size])
        net.calibrating = False
    opt = make_optimizer(args, net)
    gen = torch.Generator().manual_seed(args.seed)
    per_epoch = math.ceil(len(x) / args.batch_size)
    total = per_epoch * epochs
    warmup = int(args.warmup_epochs * per_epoch)
    crop, flip = 0, False
    for part in filter(None, (args.augment or "").split(",")):
        if part == "flip":
            flip = True
        elif part.startswith("crop:"):
            crop = int(part[5:])
        else:
            sys.exit(f"vit-torch: unknown augmentation '{part}'")
    step = 0
    rates = []
    for epoch in range(epochs):
        net.train()
        order = torch.randperm(len(x), generator=gen)
        start, cpu = time.perf_counter(), time.process_time()
        seen, loss_sum = 0, 0.0
        for b in range(per_epoch if batches is None else min(batches, per_epoch)):
            if step < warmup:
                lr = args.lr * (step + 1) / warmup
            elif args.cosine:
                lr = 0.5 * args.lr * (1 + math.cos(
                    math.pi * (step - warmup) / max(1, total - warmup)))
            else:
                lr = args.lr
            for g in opt.param_groups:
                g["lr"] = lr
            step += 1
            idx = order[b * args.batch_size:(b + 1) * args.batch_size]
            xb = augment(x[idx], crop, flip, gen)
            loss = F.cross_entropy(net(xb), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if args.clip:
                torch.nn.utils.clip_grad_norm_(net.parameters(), args.clip)
            opt.step()
            seen += len(idx)
            loss_sum += float(loss) * len(idx)
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
        rates.append((seen / seconds, seen / cpu))
        if test_set is not None:
            acc, test_loss = evaluate(net, *test_set)
            print(json.dumps({"epoch": epoch + 1, "images_per_second":
                              round(seen / seconds, 1),
                              "epoch_seconds": round(seconds, 1),
                              "cpu_seconds": round(cpu, 1),
                              "train_loss": round(loss_sum / seen, 4),
                              "test_loss": round(test_loss, 4),
                              "test_accuracy": round(acc, 4)}), flush=True)
    return rates


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--train", type=int, metavar="EPOCHS")
    mode.add_argument("--time-epoch", action="store_true")
    mode.add_argument("--check", action="store_true")
    ap.add_argument("--batches", type=int,
                    help="--time-epoch: time only the first N batches")
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--optimizer", choices=["sgd", "adam", "adamw"],
                    default="adamw")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=0.05)
    ap.add_argument("--warmup-epochs", type=float, default=0.0)
    ap.add_argument("--no-cosine", dest="cosine", action="store_false")
    ap.add_argument("--clip", type=float, default=0.0,
                    help="gradient norm clipping (0: none; cim-tune has none)")
    ap.add_argument("--augment", default="", metavar="crop:N,flip")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--qat", type=lambda v: tuple(int(b) for b in v.split(",")),
                    metavar="W,A", help="fake-quantize every layer (see above)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = onnx.load(args.model)
    net = ViT(model)
    if args.check:
        return check(model, net)
    train_set = load_split(args.data, "train")
    if args.time_epoch:
        rate, cpu_rate = train(args, net, train_set, None, 1, args.batches)[0]
        print(json.dumps({
            "model": os.path.basename(args.model), "threads": args.threads,
            "batch_size": args.batch_size, "batches": args.batches,
            "qat": list(args.qat) if args.qat else None,
            "images_per_second": round(rate, 1),
            "epoch_seconds": round(len(train_set[0]) / rate, 1),
            "cpu_images_per_second": round(cpu_rate, 1),
            "cpu_epoch_seconds": round(len(train_set[0]) / cpu_rate, 1)}))
        return 0
    test_set = load_split(args.data, "t10k")
    print(json.dumps({"model": os.path.basename(args.model),
                      "parameters": sum(p.numel() for p in net.parameters()),
                      **{k: v for k, v in vars(args).items() if k != "model"}}),
          flush=True)
    train(args, net, train_set, test_set, args.train)
    return 0


if __name__ == "__main__":
    sys.exit(main())
