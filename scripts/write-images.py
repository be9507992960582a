#!/usr/bin/env python3
"""Writes a small image folder in the ImageNet layout (for tests).

  write-images.py OUT --classes N --per-class K [--size HxW] [--seed S]

OUT/class_I/img_J.png (J even) or .jpg (J odd): class I is a bright
square at a place of its own on a noisy background, so that a small
network tells the classes apart. Needs python3-pil.
"""
import argparse
import os

import numpy as np
from PIL import Image

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--classes", type=int, default=2)
ap.add_argument("--per-class", type=int, default=4)
ap.add_argument("--size", default="12x10")
ap.add_argument("--seed", type=int, default=0)
a = ap.parse_args()
h, w = (int(v) for v in a.size.split("x"))
rng = np.random.default_rng(a.seed)
for c in range(a.classes):
    folder = os.path.join(a.out, "class_%d" % c)
    os.makedirs(folder, exist_ok=True)
    for j in range(a.per_class):
        img = rng.integers(0, 60, size=(h, w, 3), dtype=np.uint8)
        y = (c * h // a.classes) % (h - h // 3)
        img[y : y + h // 3, :, c % 3] = 250
        ext = "png" if j % 2 == 0 else "jpg"
        Image.fromarray(img).save(os.path.join(folder, "img_%d.%s" % (j, ext)))
