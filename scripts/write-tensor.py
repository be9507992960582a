#!/usr/bin/env python3
"""Writes an ONNX TensorProto file (or, for OUT.npy, a NumPy file) from a
numpy expression (for tests).

  write-tensor.py OUT.pb|OUT.npy EXPR [--name NAME]

EXPR is evaluated with numpy as `np`; the result is stored as f32 unless it
already is an integer or bool array, e.g.
  write-tensor.py a.pb "[[1, -2.5, 0, 3]]"
  write-tensor.py b.pb "np.linspace(-1, 1, 800).reshape(200, 4)"
"""
import argparse
import os

import numpy as np
from onnx import numpy_helper

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("expr")
ap.add_argument("--name", default="input")
a = ap.parse_args()
value = np.asarray(eval(a.expr, {"np": np}))
if value.dtype.kind == "f":
    value = value.astype(np.float32)
os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
if a.out.endswith(".npy"):
    with open(a.out, "wb") as f:
        np.save(f, value)
    raise SystemExit(0)
with open(a.out, "wb") as f:
    f.write(numpy_helper.from_array(value, a.name).SerializeToString())
