"""Writes an ONNX TensorProto file.

  write-tensor.py OUT DTYPE SHAPE V1 V2 ...     the given values
  write-tensor.py OUT DTYPE SHAPE random SEED   uniform in [-1, 1)
(SHAPE like 3x2)."""
import sys

import numpy as np
from onnx import numpy_helper

out, dtype, shape, values = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
dims = [int(d) for d in shape.split("x")]
if values and values[0] == "random":
    rng = np.random.default_rng(int(values[1]))
    array = rng.uniform(-1.0, 1.0, size=dims).astype(dtype)
else:
    array = np.array([float(v) for v in values]).astype(dtype).reshape(dims)
with open(out, "wb") as f:
    f.write(numpy_helper.from_array(array, "t").SerializeToString())
