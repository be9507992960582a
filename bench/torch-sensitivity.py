#!/usr/bin/python3
"""How much the torchvision test networks amplify small perturbations.

  /usr/bin/python3 bench/torch-sensitivity.py [--model resnet18 ...]

Rebuilds the networks of scripts/make-torch-models.py (same seeds, same
random weights and BatchNorm statistics, same input) in PyTorch alone, with
no part of cimc involved, and prints one Markdown table row per network:

  - w8: cosine similarity of the output when every Conv/Linear weight is
    fake-quantized to 8 bits, symmetric, one scale per output channel
    (max |w| / 127), everything else float: what PyTorch's own quantizer
    costs these weights;
  - w10, w12: the same at 10 and 12 bits;
  - noise: cosine when the input gets Gaussian noise of 1 % of its standard
    deviation (mean of three seeds): how far a 1 % error anywhere travels.

A network whose output moves by a few percent under 1 % input noise cannot
keep 0.99 cosine under any 8-bit quantization; trained networks are far
less sensitive. Exit status 77 when torch or torchvision are missing.
"""
import argparse
import copy
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load_exporter():
    path = os.path.join(HERE, "..", "scripts", "make-torch-models.py")
    spec = importlib.util.spec_from_file_location("make_torch_models", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cosine(torch, a, b):
    a = a.flatten().double()
    b = b.flatten().double()
    return float(torch.dot(a, b) / (a.norm() * b.norm()))


def quantize_weights(torch, model, bits):
    q = copy.deepcopy(model)
    levels = 2 ** (bits - 1) - 1
    with torch.no_grad():
        for m in q.modules():
            if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
                w = m.weight
                peak = w.abs().flatten(1).max(1).values.clamp(min=1e-30)
                scale = (peak / levels).view(-1, *([1] * (w.dim() - 1)))
                w.copy_(torch.round(w / scale) * scale)
    return q


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", action="append")
    args = ap.parse_args()
    try:
        import torch
    except ImportError as e:
        print("torch-sensitivity: %s; skipped" % e)
        return 77
    torch.set_num_threads(1)
    exporter = load_exporter()
    names = args.model or ["resnet18", "googlenet", "mobilenet_v2",
                           "squeezenet1_1"]
    print("| network | input | W8 weights (PyTorch) | W10 | W12 "
          "| 1 % input noise |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in names:
        shape = exporter.MODELS[name][0]
        model = exporter.build(name, shape)
        # The input of make-torch-models.export.
        x = torch.randn(*shape, generator=torch.Generator().manual_seed(2))
        with torch.no_grad():
            y = model(x)
            row = [cosine(torch, y, quantize_weights(torch, model, b)(x))
                   for b in (8, 10, 12)]
            noisy = []
            for seed in (10, 11, 12):
                g = torch.Generator().manual_seed(seed)
                n = torch.randn(*shape, generator=g) * (0.01 * float(x.std()))
                noisy.append(cosine(torch, y, model(x + n)))
        print("| %s | %s | %.4f | %.4f | %.5f | %.4f |" % (
            name, "x".join(map(str, shape[1:])), row[0], row[1], row[2],
            sum(noisy) / len(noisy)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
