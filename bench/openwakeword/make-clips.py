#!/usr/bin/env python3
"""Synthesizes the clips of the openWakeWord experiment and their features.

  make-clips.py MODELS_DIR OUT_DIR [--seed S] [--cim-sim PATH]

Clips of 2 s at 16 kHz in the int16 range openWakeWord takes: the wake
word ("alexa", alone and in phrases) and other speech spoken by espeak-ng
in many voices, speeds and pitches, the speech ending 0.1-0.4 s before the
end of the clip, some of it over noise; and non-speech made by sox (white,
pink and brown noise, tones, chirps, silence). No labels are written: the
float pipeline's decisions are the reference.

Writes OUT_DIR/wav/NAME.wav, OUT_DIR/audio/NAME.npy (32 000 samples),
OUT_DIR/features/NAME.npy (the scaled log-mel features [1, 197, 32]: the
melspectrogram model run on cim-sim's float reference executor, then
x / 10 + 2), and OUT_DIR/clips.txt (one line per clip: name, kind, text).
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile

import numpy as np
from onnx import numpy_helper

ap = argparse.ArgumentParser()
ap.add_argument("models")
ap.add_argument("out")
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--cim-sim", default=os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "bin", "cim-sim"))
a = ap.parse_args()
rng = random.Random(a.seed)
SR, SAMPLES = 16000, 32000

WAKE = ["alexa", "alexa", "alexa", "hey alexa", "alexa, stop",
        "ok alexa", "alexa, what time is it", "alexa, play music"]
OTHER = ["election", "alexander", "a lexus", "a lexicon", "relax a bit",
         "hello there", "the weather is nice today", "play some music",
         "turn on the lights", "what time is it", "hey jarvis", "hey mycroft",
         "excellent", "alex", "alaska", "electric", "seven eight nine",
         "good morning", "set a timer for ten minutes", "I said no",
         "call my sister", "the quick brown fox", "lexa", "a letter"]
VOICES = ["en", "en-us", "en-gb-x-rp", "en-029", "en-gb-scotland",
          "en+f2", "en+f3", "en+f4", "en+m3", "en+m7", "en-us+f2", "en-us+m2"]


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def read_raw(path):
    return np.fromfile(path, dtype="<i2").astype(np.float32)


def speech(text, tmp):
    voice = rng.choice(VOICES)
    speed = rng.randint(120, 200)
    pitch = rng.randint(20, 80)
    run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch),
         "-w", f"{tmp}/s.wav", text])
    gain = rng.uniform(-12, 0)
    run(["sox", f"{tmp}/s.wav", "-r", str(SR), "-c", "1", "-b", "16",
         "-e", "signed-integer", f"{tmp}/s.raw", "gain", "-n", f"{gain:.1f}"])
    x = read_raw(f"{tmp}/s.raw")
    # The speech ends 0.1-0.4 s before the end of the clip.
    tail = int(rng.uniform(0.1, 0.4) * SR)
    clip = np.zeros(SAMPLES, np.float32)
    x = x[-(SAMPLES - tail):]
    clip[SAMPLES - tail - len(x):SAMPLES - tail] = x
    return clip, f"{voice} speed {speed} pitch {pitch}"


def noise(tmp):
    kind = rng.choice(["whitenoise", "pinknoise", "brownnoise", "sine",
                       "square", "chirp", "silence"])
    if kind == "silence":
        return np.zeros(SAMPLES, np.float32), "silence"
    if kind == "chirp":
        f0, f1 = rng.randint(100, 800), rng.randint(1000, 6000)
        synth = ["sine", f"{f0}-{f1}"]
    elif kind in ("sine", "square"):
        synth = [kind, str(rng.randint(80, 3000))]
    else:
        synth = [kind]
    gain = rng.uniform(-40, -6)
    run(["sox", "-n", "-r", str(SR), "-c", "1", "-b", "16", "-e",
         "signed-integer", f"{tmp}/n.raw", "synth", "2"] + synth +
        ["gain", "-n", f"{gain:.1f}"])
    x = read_raw(f"{tmp}/n.raw")[:SAMPLES]
    clip = np.zeros(SAMPLES, np.float32)
    clip[:len(x)] = x
    return clip, f"{' '.join(synth)} gain {gain:.1f}"


def main():
    for d in ("wav", "audio", "features"):
        os.makedirs(os.path.join(a.out, d), exist_ok=True)
    clips = []
    with tempfile.TemporaryDirectory() as tmp:
        plan = ([("wake", t) for t in WAKE for _ in range(16)] +
                [("speech", t) for t in OTHER for _ in range(6)] +
                [("noise", "") for _ in range(80)])
        for i, (kind, text) in enumerate(plan):
            if kind == "noise":
                clip, how = noise(tmp)
            else:
                clip, how = speech(text, tmp)
                if rng.random() < 0.25:
                    background, _ = noise(tmp)
                    clip = clip + 0.3 * background
            clip = np.clip(clip, -32768, 32767).astype(np.float32)
            name = f"{i:04d}-{kind}"
            np.save(os.path.join(a.out, "audio", name + ".npy"), clip)
            clip.astype("<i2").tofile(f"{tmp}/c.raw")
            run(["sox", "-r", str(SR), "-c", "1", "-b", "16", "-e",
                 "signed-integer", f"{tmp}/c.raw",
                 os.path.join(a.out, "wav", name + ".wav")])
            clips.append((name, kind, text, how, clip))
        # The features of every clip in one batch on cim-sim's float reference.
        batch = np.stack([c[4] for c in clips])
        with open(f"{tmp}/audio.pb", "wb") as f:
            f.write(numpy_helper.from_array(batch, "input").SerializeToString())
        subprocess.run([a.cim_sim, os.path.join(a.models, "melspectrogram.onnx"),
                        "--input", f"{tmp}/audio.pb", "--output-dir", f"{tmp}/mel"],
                       check=True)
        with open(f"{tmp}/mel/output_0.pb", "rb") as f:
            from onnx import TensorProto
            t = TensorProto()
            t.ParseFromString(f.read())
        mel = numpy_helper.to_array(t).astype(np.float32)
    if mel.shape[0] != len(clips) or mel.shape[-1] != 32:
        sys.exit(f"make-clips: error: melspectrogram gave {mel.shape}")
    features = mel / 10 + 2
    with open(os.path.join(a.out, "clips.txt"), "w") as f:
        for (name, kind, text, how, _), feat in zip(clips, features):
            np.save(os.path.join(a.out, "features", name + ".npy"),
                    feat.reshape(1, feat.shape[-2], 32).astype(np.float32))
            f.write(f"{name}\t{kind}\t{text}\t{how}\n")
    print(f"{a.out}: {len(clips)} clips, features {features.shape[1:]}")


main()
