#!/usr/bin/env python3
"""Classifies the first N MNIST test images with cim-sim.

  mnist-eval.py --cim-sim build/bin/cim-sim --model mnist-8/model.onnx \
      --mnist ../shared/testdata/mnist [--count 200] [--min-correct 199] \
      [--calibrate-images 32] [--sim-arg=--wbits=8 ...]

Images are fed as raw 0..255 float pixels, 1x1x28x28 (mnist-8's input).
--sim-arg passes an option to every cim-sim run (e.g. the quantization
options); --calibrate-images N writes the LAST N test images (disjoint from
the first --count evaluated ones) as calibration inputs and passes them with
--calibrate.
Prints 'N of M correct'; exit 1 below --min-correct, 77 when the data is
absent (ctest skip).
"""
import argparse
import gzip
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
from onnx import numpy_helper, TensorProto


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


ap = argparse.ArgumentParser()
ap.add_argument("--cim-sim", required=True)
ap.add_argument("--model", required=True)
ap.add_argument("--mnist", required=True)
ap.add_argument("--count", type=int, default=200)
ap.add_argument("--min-correct", type=int, default=0)
ap.add_argument("--sim-arg", action="append", default=[])
ap.add_argument("--calibrate-images", type=int, default=0)
a = ap.parse_args()
images_path = os.path.join(a.mnist, "t10k-images-idx3-ubyte.gz")
labels_path = os.path.join(a.mnist, "t10k-labels-idx1-ubyte.gz")
if not (os.path.exists(images_path) and os.path.exists(a.model)):
    print("mnist-eval: test data absent; skipped")
    sys.exit(77)
images, labels = read_idx(images_path), read_idx(labels_path)
correct = 0
with tempfile.TemporaryDirectory() as tmp:
    extra = list(a.sim_arg)
    if a.calibrate_images:
        assert a.count + a.calibrate_images <= len(images)
        calib = os.path.join(tmp, "calibration")
        for k in range(a.calibrate_images):
            x = images[len(images) - 1 - k].astype(np.float32)
            d = os.path.join(calib, "test_data_set_%d" % k)
            os.makedirs(d)
            with open(os.path.join(d, "input_0.pb"), "wb") as f:
                f.write(numpy_helper.from_array(
                    x.reshape(1, 1, 28, 28), "input").SerializeToString())
        extra += ["--calibrate", calib]
    for i in range(a.count):
        x = images[i].astype(np.float32).reshape(1, 1, 28, 28)
        inp = os.path.join(tmp, "in.pb")
        with open(inp, "wb") as f:
            f.write(numpy_helper.from_array(x, "input").SerializeToString())
        subprocess.run([a.cim_sim, a.model, "--input", inp, "--output-dir", tmp]
                       + extra, check=True)
        t = TensorProto()
        with open(os.path.join(tmp, "output_0.pb"), "rb") as f:
            t.ParseFromString(f.read())
        correct += int(numpy_helper.to_array(t).argmax() == labels[i])
print("%d of %d correct" % (correct, a.count))
sys.exit(0 if correct >= a.min_correct else 1)
