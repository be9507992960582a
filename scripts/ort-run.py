#!/usr/bin/env python3
"""Runs an ONNX model with ONNX Runtime, the independent oracle of the
tests: the npm package onnxruntime-node that scripts/ort/fetch.sh installs,
driven through scripts/ort/run.js.

  ort-run.py MODEL.onnx --input IN.pb [--input ...] --output-dir DIR
             [--no-optimizations] [--ort PACKAGE_DIR]

Inputs are TensorProto (.pb) or .npy files, in the order of the model's
graph inputs that are not initializers. Writes DIR/output_N.pb like
cim-sim. ONNX Runtime's default graph optimizations are on unless
--no-optimizations; one thread. The package directory is --ort, else
$CIM_ORT_DIR, else build/cache/ort/node_modules/onnxruntime-node.
Exit status 1 with one line when ONNX Runtime refuses the model.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper, TensorProto

HERE = os.path.dirname(os.path.abspath(__file__))
TYPES = {np.float32: "float32", np.float64: "float64", np.int8: "int8",
         np.uint8: "uint8", np.int16: "int16", np.uint16: "uint16",
         np.int32: "int32", np.uint32: "uint32", np.int64: "int64",
         np.uint64: "uint64", np.bool_: "bool"}
DTYPES = {v: k for k, v in TYPES.items()}


def load(path):
    if path.endswith(".npy"):
        return np.load(path)
    t = TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("--input", action="append", default=[])
    ap.add_argument("--output-dir", required=True)
    ap.add_argument("--no-optimizations", action="store_true")
    ap.add_argument("--ort", default=os.environ.get("CIM_ORT_DIR") or os.path.join(
        HERE, "..", "build", "cache", "ort", "node_modules", "onnxruntime-node"))
    args = ap.parse_args()
    if not os.path.isdir(args.ort):
        sys.exit(f"ort-run: error: no onnxruntime-node at {args.ort} "
                 "(scripts/ort/fetch.sh installs it)")
    model = onnx.load(args.model, load_external_data=False)
    initializers = {t.name for t in model.graph.initializer}
    names = [i.name for i in model.graph.input if i.name not in initializers]
    if len(args.input) != len(names):
        sys.exit(f"ort-run: error: {args.model} takes {len(names)} input(s), "
                 f"got {len(args.input)}")
    os.makedirs(args.output_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        inputs = []
        for k, (name, path) in enumerate(zip(names, args.input)):
            value = np.ascontiguousarray(load(path))
            kind = TYPES.get(value.dtype.type)
            if kind is None:
                sys.exit(f"ort-run: error: {path}: element type {value.dtype} "
                         "is not supported here")
            raw = os.path.join(work, f"input_{k}.bin")
            value.astype(value.dtype.newbyteorder("<")).tofile(raw)
            inputs.append({"name": name, "type": kind,
                           "dims": list(value.shape), "file": raw})
        manifest = os.path.join(work, "manifest.json")
        with open(manifest, "w") as f:
            json.dump({"model": os.path.abspath(args.model),
                       "optimize": not args.no_optimizations,
                       "output_dir": work, "inputs": inputs}, f)
        run = subprocess.run(["node", os.path.join(HERE, "ort", "run.js"),
                              args.ort, manifest], capture_output=True,
                             text=True)
        if run.returncode != 0:
            line = (run.stderr.strip().splitlines() or ["node failed"])[-1]
            sys.exit(f"{args.model}: {line}")
        with open(os.path.join(work, "outputs.json")) as f:
            outputs = json.load(f)
        for k, out in enumerate(outputs):
            dtype = DTYPES.get(out["type"])
            if dtype is None:
                sys.exit(f"ort-run: error: output '{out['name']}' has type "
                         f"{out['type']}, not supported here")
            value = np.fromfile(out["file"], dtype=np.dtype(dtype).newbyteorder("<"))
            value = value.reshape(out["dims"]).astype(dtype)
            with open(os.path.join(args.output_dir, f"output_{k}.pb"), "wb") as f:
                f.write(numpy_helper.from_array(value, out["name"]).SerializeToString())
    return 0


if __name__ == "__main__":
    sys.exit(main())
