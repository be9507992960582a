#!/usr/bin/env python3
"""Compares two ONNX TensorProto files.

  compare-tensors.py GOT.pb EXPECTED.pb [--rtol R] [--atol A] [--argmax]

Prints 'match' (all values within tolerance, numpy.allclose; for types
numpy lacks, such as float8, the same element type, shape and bits) or what
differs; with --argmax also 'argmax equal'/'argmax differs' (the
classification decision). Exit 1 on a mismatch.
"""
import argparse
import sys

import numpy as np
from onnx import numpy_helper, TensorProto


def load(path):
    """The tensor as a numpy array, or the TensorProto itself when this onnx
    version cannot convert its type (float8, float4 ...)."""
    t = TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    try:
        return numpy_helper.to_array(t)
    except (KeyError, TypeError, ValueError):
        return t


def payload(t):
    """Element type, shape and packed bytes, wherever the file keeps them."""
    data = (bytes(t.raw_data) if t.HasField("raw_data")
            else bytes(v & 0xFF for v in t.int32_data))
    return t.data_type, list(t.dims), data


ap = argparse.ArgumentParser()
ap.add_argument("got")
ap.add_argument("expected")
ap.add_argument("--rtol", type=float, default=1e-3)
ap.add_argument("--atol", type=float, default=1e-4)
ap.add_argument("--argmax", action="store_true")
a = ap.parse_args()
got, exp = load(a.got), load(a.expected)
if isinstance(got, TensorProto) or isinstance(exp, TensorProto):
    # Types numpy lacks: the same type, shape and bits.
    same = (isinstance(got, TensorProto) and isinstance(exp, TensorProto)
            and payload(got) == payload(exp))
    print("match" if same else "bits differ: %s vs %s" % (
        payload(got) if isinstance(got, TensorProto) else got.dtype,
        payload(exp) if isinstance(exp, TensorProto) else exp.dtype))
    sys.exit(0 if same else 1)
ok = True
if got.shape != exp.shape:
    print("shape %s differs from %s" % (got.shape, exp.shape))
    sys.exit(1)
if np.allclose(got, exp, rtol=a.rtol, atol=a.atol, equal_nan=True):
    print("match")
else:
    print("values differ: max abs error %.3g" % np.max(np.abs(got - exp)))
    ok = False
if a.argmax:
    same = np.array_equal(got.reshape(got.shape[0], -1).argmax(1),
                          exp.reshape(exp.shape[0], -1).argmax(1))
    print("argmax equal" if same else "argmax differs")
    ok = ok and same
sys.exit(0 if ok else 1)
