#!/usr/bin/python3
"""Exports torchvision networks and a small nn.TransformerEncoder to ONNX.

  /usr/bin/python3 scripts/make-torch-models.py --out DIR [--opset 11 ...]
      [--model resnet18 ...]

ConvNeXt-Tiny and ViT-B/16 (EXTRA_MODELS) are exported only when named,
with a dynamic batch dimension.

For every model and opset, writes DIR/<model>-opset<N>/model.onnx with
input_0.pb (a seeded random input) and output_0.pb (PyTorch's output for
it), as onnx.TensorProto files. Weights are random (weights=None, seeded
per model; BatchNorm affine parameters random and its statistics measured
on seeded batches, see build()); models run in eval mode. The export of
ResNet-18 at opset 13 (46.7 MB, 224x224) is also the model of bench/.

The same script, torch, torchvision and onnx versions give the same files,
so DIR/STAMP records them and a rerun with nothing changed does nothing.
Exit status 77 when torch or torchvision cannot be imported.
"""
import argparse
import hashlib
import json
import os
import sys
import warnings

# name: (input shape, description). ResNet-18 runs at its native 224x224;
# the others at 96x96, which every torchvision classifier accepts, to keep
# the test short.
MODELS = {
    "resnet18": ((1, 3, 224, 224), "torchvision ResNet-18"),
    "mobilenet_v2": ((1, 3, 96, 96), "torchvision MobileNet-V2"),
    "squeezenet1_1": ((1, 3, 96, 96), "torchvision SqueezeNet 1.1"),
    "googlenet": ((1, 3, 96, 96), "torchvision GoogLeNet"),
    "efficientnet_b0": ((1, 3, 96, 96), "torchvision EfficientNet-B0"),
    "shufflenet_v2_x1_0": ((1, 3, 96, 96), "torchvision ShuffleNet-V2 1.0x"),
    "transformer": ((1, 16, 64), "nn.TransformerEncoder, d_model 64, "
                                 "4 heads, 2 layers, seq 16"),
}
# Exported only when named with --model (large; cim-tune check's table in
# docs/tune.md): a dynamic batch dimension, so that cim-tune trains them in
# batches. torchvision's ViT-B/16 needs 224x224 (its position embedding).
EXTRA_MODELS = {
    "convnext_tiny": ((1, 3, 96, 96), "torchvision ConvNeXt-Tiny"),
    "vit_b_16": ((1, 3, 224, 224), "torchvision ViT-B/16"),
}
OPSETS = (11, 13, 17)


def build(name, shape):
    import torch
    import torchvision

    torch.manual_seed(0)
    if name == "transformer":
        layer = torch.nn.TransformerEncoderLayer(
            d_model=64, nhead=4, dim_feedforward=128, dropout=0.0,
            batch_first=True)
        model = torch.nn.TransformerEncoder(layer, num_layers=2,
                                            enable_nested_tensor=False)
    elif name == "googlenet":
        model = torchvision.models.googlenet(
            weights=None, aux_logits=False, init_weights=True,
            transform_input=False)
    else:
        model = getattr(torchvision.models, name)(weights=None)
    if name == "vit_b_16":
        # torchvision starts the classifier at zero: the output would not
        # depend on the input.
        with torch.no_grad():
            head = model.heads.head.weight
            head.copy_(0.02 * torch.randn(
                head.shape, generator=torch.Generator().manual_seed(4)))
    # Untrained BatchNorm (mean 0, variance 1) lets activations vanish in
    # the deep models (their depthwise convolutions are initialised for a
    # fan-out far larger than their fan-in) until the output no longer
    # depends on the input. Random affine parameters, then statistics
    # measured on seeded random batches, keep every layer's output O(1).
    gen = torch.Generator().manual_seed(1)
    norms = [m for m in model.modules()
             if isinstance(m, torch.nn.BatchNorm2d)]
    with torch.no_grad():
        for m in norms:
            c = m.num_features
            m.weight.copy_(0.5 + torch.rand(c, generator=gen))
            m.bias.copy_(0.1 * torch.randn(c, generator=gen))
            m.reset_running_stats()
            m.momentum = None  # a plain average over the batches
        if norms:
            model.eval()
            for m in norms:
                m.train()
            for _ in range(2):
                model(torch.randn(8, *shape[1:], generator=gen))
    return model.eval()


def export(name, shape, opset, folder):
    import torch
    from onnx import numpy_helper

    model = build(name, shape)
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(2))
    os.makedirs(folder, exist_ok=True)
    # Gradients stay enabled: nn.TransformerEncoderLayer's inference fast
    # path (one fused op that ONNX cannot express) is taken only without.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dynamic = ({"input": {0: "N"}, "output": {0: "N"}}
                   if name in EXTRA_MODELS else None)
        torch.onnx.export(model, x, os.path.join(folder, "model.onnx"),
                          opset_version=opset, input_names=["input"],
                          output_names=["output"], do_constant_folding=True,
                          dynamic_axes=dynamic)
    with torch.no_grad():
        y = model(x)
        other = model(torch.randn(*shape, generator=torch.Generator()
                                  .manual_seed(3)))
    # A test whose expected output ignores the input would prove little.
    if float((y - other).abs().max()) < 1e-3 * max(1.0, float(y.abs().max())):
        raise SystemExit("make-torch-models: %s: the output does not depend "
                         "on the input" % name)
    for fname, t, tname in (("input_0.pb", x, "input"),
                            ("output_0.pb", y, "output")):
        proto = numpy_helper.from_array(t.detach().numpy(), tname)
        with open(os.path.join(folder, fname), "wb") as f:
            f.write(proto.SerializeToString())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--opset", type=int, action="append")
    ap.add_argument("--model", action="append",
                    choices=sorted(list(MODELS) + list(EXTRA_MODELS)))
    args = ap.parse_args()
    try:
        import onnx
        import torch
        import torchvision
    except ImportError as e:
        print("make-torch-models: %s; skipped" % e)
        return 77
    torch.set_num_threads(1)  # the same bits on every machine size

    every = dict(MODELS, **EXTRA_MODELS)
    jobs = [(m, every[m][0], o) for m in (args.model or MODELS)
            for o in (args.opset or OPSETS)]
    with open(os.path.abspath(__file__), "rb") as f:
        script = hashlib.sha256(f.read()).hexdigest()
    stamp = json.dumps({"script": script, "torch": torch.__version__,
                        "torchvision": torchvision.__version__,
                        "onnx": onnx.__version__}, sort_keys=True)
    stamp_path = os.path.join(args.out, "STAMP")
    try:
        with open(stamp_path) as f:
            old = f.read()
    except OSError:
        old = ""
    if old != stamp:
        # Anything made by another version is stale.
        for entry in os.listdir(args.out) if os.path.isdir(args.out) else []:
            path = os.path.join(args.out, entry, "output_0.pb")
            if os.path.exists(path):
                os.remove(path)
    os.makedirs(args.out, exist_ok=True)
    with open(stamp_path, "w") as f:
        f.write(stamp)
    made = 0
    for name, shape, opset in jobs:
        folder = os.path.join(args.out, "%s-opset%d" % (name, opset))
        # output_0.pb is written last: its presence means a complete set.
        if os.path.exists(os.path.join(folder, "output_0.pb")):
            continue
        print("make-torch-models: %s" % os.path.basename(folder), flush=True)
        export(name, shape, opset, folder)
        made += 1
    print("make-torch-models: %d exported, %d up to date in %s" % (
        made, len(jobs) - made, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
