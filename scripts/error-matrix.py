#!/usr/bin/env python3
"""The error matrix (docs/reliability.md): every tool against bad inputs.

Each case runs one tool on one bad input (generated here, in a scratch
directory) with its outputs pointed into an empty directory, and checks
  - the exit status is 1 (not a crash, not 0),
  - stderr holds exactly one error line, and it starts with the path of the
    file at fault ("file[:line:col]: error: ..."): cim-opt may follow it with
    MLIR's source excerpt (the offending line and a caret),
  - nothing was written: the output directory is still empty.

  error-matrix.py --bin BUILD/bin [--markdown] [-k SUBSTRING]
"""
import argparse
import io
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL_CNN = os.path.join(SRC, "test", "Importer", "Inputs", "small-cnn.onnxtxt")
TUNE_NET = os.path.join(SRC, "test", "unit", "Tune", "Inputs", "tune-net.onnxtxt")
HW_PRESET = os.path.join(SRC, "models", "hw", "rram-tiled.yaml")


def text_model(body, inputs="float[1,3,8,8] x", outputs="float[1,3,8,8] y",
               inits=""):
    return ("<\n  ir_version: 8,\n  opset_import: [\"\" : 13]\n>\n"
            f"m ({inputs}) => ({outputs})\n{inits}{{\n{body}\n}}\n")


class Inputs:
    """Bad (and a few good) input files, made once per run."""

    def __init__(self, root, bin_dir):
        self.root = root
        rnd = random.Random(7)

        def write(name, data):
            path = os.path.join(root, name)
            with open(path, "wb" if isinstance(data, bytes) else "w") as f:
                f.write(data)
            return path

        self.good_text = SMALL_CNN
        subprocess.run([os.path.join(bin_dir, "cimc"), SMALL_CNN, "-o",
                        os.path.join(root, "good.cim")], check=True,
                       stdout=subprocess.DEVNULL)
        self.good_cim = os.path.join(root, "good.cim")
        program = open(self.good_cim, "rb").read()
        text = open(SMALL_CNN).read()
        yaml = open(HW_PRESET).read()
        self.x = os.path.join(root, "x.pb")
        subprocess.run([sys.executable,
                        os.path.join(SRC, "scripts", "write-tensor.py"),
                        self.x, "np.zeros((1, 3, 8, 8))"], check=True)
        random_bytes = bytes(rnd.randrange(256) for _ in range(4096))

        # Models.
        self.models = {
            "empty file": write("empty.onnx", b""),
            "truncated binary model": write("truncated.onnx", b"\x08\x08\x12\x04ab"),
            "truncated text model": write("truncated.onnxtxt", text[:len(text) // 2]),
            "random bytes": write("random.onnx", random_bytes),
            "program passed as a model": write("program.onnx", program),
            "YAML passed as a model": write("hw.onnxtxt", yaml),
            "unknown op": write("unknown-op.onnxtxt",
                                text_model("y = FancyOp(x)")),
            "inconsistent shapes": write("shapes.onnxtxt", text_model(
                "y = Add(x, z)", inputs="float[1,3,8,8] x, float[1,4,8,8] z")),
            "negative dimension": write("negdim.onnxtxt", text_model(
                "y = Relu(x)", inputs="float[1,-3,8,8] x",
                outputs="float[1,3,8,8] y")),
            "absurd dimensions": write("huge.onnxtxt", text_model(
                "y = Relu(x)", inputs="float[100000,100000,100000,100000] x",
                outputs="float[1] y")),
            "initializer without its data": write("nodata.onnxtxt", text_model(
                "y = Add(x, w)", inits="<float[1000000,1000000] w = {1}>\n")),
            "missing file": os.path.join(root, "missing.onnx"),
            "directory": write_dir(root, "dir.onnx"),
        }
        # Programs.
        self.programs = {
            "empty program": write("empty.cim", b""),
            "truncated program": write("truncated.cim", program[:len(program) // 2]),
            "random program": write("random.cim", random_bytes),
            "model passed as a program": write("model.cim", text),
            "absurd section size": write("section.cim", program[:16] + b"META" +
                                         (2**62).to_bytes(8, "little")),
        }
        # Hardware descriptions.
        def hw(old, new):
            assert old in yaml, old
            return yaml.replace(old, new, 1)
        rows = re.search(r"rows: *\d+", yaml).group(0)
        adc = re.search(r"adc_bits: *\d+", yaml).group(0)
        pes = re.search(r"pes: *\d+", yaml).group(0)
        xbars = re.search(r"crossbars_per_pe: *\d+", yaml).group(0)
        self.hardware = {
            "empty description": write("empty.yaml", ""),
            "random bytes": write("random.yaml", random_bytes),
            "model passed as hardware": write("model.yaml", text),
            "truncated description": write("truncated.yaml", yaml[:len(yaml) // 2]),
            "negative size": write("negative.yaml", hw(rows, "rows: -128")),
            "zero crossbars": write("zero-xbars.yaml", hw(xbars, "crossbars_per_pe: 0")),
            "ADC bits 0": write("adc0.yaml", hw(adc, "adc_bits: 0")),
            "ADC bits 64": write("adc64.yaml", hw(adc, "adc_bits: 64")),
            "absurd PE count": write("pes.yaml", hw(pes, "pes: 99999999999999999999")),
            "unknown key": write("unknown.yaml", hw(rows, rows + "\n  wires: 3")),
            "missing file": os.path.join(root, "missing.yaml"),
        }
        # Bit-width policies.
        self.policies = {
            "empty policy": write("empty.json", ""),
            "random bytes": write("random.json", random_bytes),
            "YAML passed as a policy": write("hw.json", yaml),
            "truncated policy": write("truncated.json", '{"layers": [{"name": "Conv_0", "wb'),
            "bits 0": write("bits0.json", '{"layers": [{"name": "Conv_0", "wbits": 0}]}'),
            "bits 99": write("bits99.json", '{"layers": [{"name": "Conv_0", "abits": 99}]}'),
            "unknown layer": write("unknown-layer.json", '{"layers": [{"name": "conv9", "wbits": 4}]}'),
            "unknown field": write("unknown-field.json", '{"layers": [{"name": "Conv_0", "bits": 4}]}'),
            "missing file": os.path.join(root, "missing.json"),
        }
        # IR for cim-opt.
        self.mlir = {
            "random bytes": write("random.mlir", random_bytes),
            "truncated IR": write("truncated.mlir", "func.func @f(%x: tensor<1x3xf32>) -> tensor<1x3xf32> {\n  %y = cim.relu %x"),
            "unknown op": write("unknown-op.mlir", "func.func @f(%x: tensor<1x3xf32>) -> tensor<1x3xf32> {\n  %y = \"cim.fancy\"(%x) : (tensor<1x3xf32>) -> tensor<1x3xf32>\n  return %y : tensor<1x3xf32>\n}\n"),
            "inconsistent shapes": write("shapes.mlir", "func.func @f(%x: tensor<1x3xf32>) -> tensor<1x4xf32> {\n  %y = \"cim.relu\"(%x) : (tensor<1x3xf32>) -> tensor<1x4xf32>\n  return %y : tensor<1x4xf32>\n}\n"),
            "model passed as IR": write("model.mlir", program),
            "missing file": os.path.join(root, "missing.mlir"),
        }
        self.good_mlir = os.path.join(SRC, "models", "examples", "lenet5.mlir")
        self.data = data_folders(os.path.join(root, "data"), random_bytes)


def data_folders(root, random_bytes):
    """Data folders for TUNE_NET (1x8x8 inputs, 4 classes), each with one
    bad file among good ones: {case: (folder, culprit, labels checked
    only by cim-tune)}."""
    import numpy as np

    def npy(array):
        out = io.BytesIO()
        np.save(out, array)
        return out.getvalue()

    good = npy(np.ones((1, 1, 8, 8), np.float32))
    folders = {}

    def folder(what, files, culprit, labels=False):
        path = os.path.join(root, "d%d" % len(folders))
        for name, data in files.items():
            os.makedirs(os.path.dirname(os.path.join(path, name)), exist_ok=True)
            with open(os.path.join(path, name), "wb") as f:
                f.write(data)
        folders[what] = (path, os.path.join(path, culprit), labels)

    folder("empty .npy", {"a.npy": good, "b.npy": b""}, "b.npy")
    folder("truncated .npy", {"a.npy": good, "b.npy": good[:100]}, "b.npy")
    folder("random bytes .npy", {"a.npy": good, "b.npy": random_bytes},
           "b.npy")
    folder("random bytes .pb", {"a.npy": good, "b.pb": random_bytes}, "b.pb")
    folder("sample of another shape",
           {"a.npy": good, "b.npy": npy(np.ones((1, 9, 9), np.float32))},
           "b.npy")
    folder("integer sample for a float input",
           {"a.npy": good, "b.npy": npy(np.ones((1, 8, 8), np.int32))}, "b.npy")
    folder("inputs that skip a number", {
        "s0/input_0.npy": good, "s1/input_1.npy": good}, "s1")
    folder("labels file with a bad line", {
        "a.npy": good, "b.npy": good, "labels.txt": b"0\nx\n"}, "labels.txt")
    folder("labels file of another count", {
        "a.npy": good, "b.npy": good, "labels.txt": b"0\n"}, "labels.txt")
    folder("label outside the classes", {
        "a.npy": good, "b.npy": good, "labels.txt": b"0\n9\n"}, "labels.txt",
        labels=True)
    folder("random bytes as an image", {
        "cat/a.png": random_bytes[:200], "dog/b.jpg": random_bytes}, "cat/a.png")
    folder("truncated PNG", {"cat/a.png": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"},
           "cat/a.png")
    folder("empty image", {"cat/a.png": b""}, "cat/a.png")
    os.makedirs(os.path.join(root, "d-empty", "cat"))
    with open(os.path.join(root, "d-empty", "cat", "a.png"), "wb") as f:
        f.write(b"")
    os.makedirs(os.path.join(root, "d-empty", "dog"))
    folders["empty class folder"] = (os.path.join(root, "d-empty"),
                                     os.path.join(root, "d-empty", "dog"),
                                     False)
    folders["missing data folder"] = (os.path.join(root, "missing"),
                                      os.path.join(root, "missing"), False)
    return folders


def write_dir(root, name):
    path = os.path.join(root, name)
    os.makedirs(path, exist_ok=True)
    return path


def cases(i, bin_dir):
    """(tool, case, argv with {out} for the output directory, culprit)."""
    tool = lambda name: os.path.join(bin_dir, name)
    for what, path in i.models.items():
        yield ("cimc", what, [tool("cimc"), path, "-o", "{out}/p.cim",
                              "--report", "{out}/r.json"], path)
        # cim-sim tells programs by their magic, whatever the file name.
        if what != "program passed as a model":
            yield ("cim-sim", what, [tool("cim-sim"), path, "--input", i.x,
                                     "--output-dir", "{out}/o"], path)
        yield ("cim-tune", what, [tool("cim-tune"), "export", "--model", path,
                                  "-o", "{out}/m.onnx"], path)
    for what, path in i.programs.items():
        yield ("cim-sim", what, [tool("cim-sim"), path, "--input", i.x,
                                 "--output-dir", "{out}/o", "--report",
                                 "{out}/r.json"], path)
        yield ("cim-translate", what, [tool("cim-translate"), "--import-prog",
                                       path, "-o", "{out}/o.mlir"], path)
    for what, path in i.hardware.items():
        yield ("cimc", "hardware: " + what,
               [tool("cimc"), i.good_text, "--hw", path, "-o", "{out}/p.cim"],
               path)
        yield ("cim-sim", "hardware: " + what,
               [tool("cim-sim"), i.good_text, "--reference=quantized", "--hw",
                path, "--input", i.x, "--output-dir", "{out}/o"], path)
        yield ("cim-opt", "hardware: " + what,
               [tool("cim-opt"), i.good_mlir,
                "--cim-assign-bitwidths=wbits=8 abits=8",
                f"--cim-map-crossbars=hw={path}", "-o", "{out}/o.mlir"], path)
    for what, path in i.policies.items():
        yield ("cimc", "policy: " + what,
               [tool("cimc"), i.good_text, "--bits", path, "-o", "{out}/p.cim"],
               path)
        yield ("cim-sim", "policy: " + what,
               [tool("cim-sim"), i.good_text, "--bits", path, "--input", i.x,
                "--output-dir", "{out}/o"], path)
        yield ("cim-tune", "policy: " + what,
               [tool("cim-tune"), "export", "--model", TUNE_NET, "--bits", path,
                "--qdq", "-o", "{out}/m.onnx"], path)
    for what, path in i.mlir.items():
        yield ("cim-opt", what, [tool("cim-opt"), path, "-o", "{out}/o.mlir"],
               path)
        yield ("cim-translate", what, [tool("cim-translate"), "--export-prog",
                                       path, "-o", "{out}/p.cim"], path)
    for what, (path, culprit, labels) in i.data.items():
        yield ("cim-tune", "data: " + what,
               [tool("cim-tune"), "qat", "--model", TUNE_NET, "--data", path,
                "--wbits", "4", "--abits", "4", "--epochs", "1", "--threads",
                "1", "--progress", "none", "-o", "{out}/m.onnx"], culprit)
        if not labels:
            yield ("cimc", "calibration data: " + what,
                   [tool("cimc"), TUNE_NET, "--calibrate", path, "-o",
                    "{out}/p.cim"], culprit)
    # Outputs that cannot be written: a directory that does not exist (a
    # path below a regular file, so that it fails for root too).
    bad = os.path.join(i.root, "x.pb", "sub")
    yield ("cimc", "unwritable program", [tool("cimc"), i.good_text, "-o",
           bad + "/p.cim", "--report", "{out}/r.json"], bad + "/p.cim")
    yield ("cimc", "unwritable report", [tool("cimc"), i.good_text, "-o",
           "{out}/p.cim", "--report", bad + "/r.json"], bad + "/r.json")
    yield ("cimc", "unwritable --emit output", [tool("cimc"), i.good_text,
           "--emit=import", "-o", bad + "/i.mlir"], bad + "/i.mlir")
    yield ("cim-sim", "unwritable output directory", [tool("cim-sim"),
           i.good_cim, "--input", i.x, "--output-dir", bad], bad)
    yield ("cim-sim", "unwritable report", [tool("cim-sim"), i.good_cim,
           "--input", i.x, "--output-dir", "{out}/o", "--report",
           "{out}/r.json", "--trace", bad + "/t.csv"], bad + "/t.csv")
    yield ("cim-opt", "unwritable output", [tool("cim-opt"), i.good_mlir,
           "-o", bad + "/o.mlir"], bad + "/o.mlir")
    yield ("cim-translate", "unwritable output", [tool("cim-translate"),
           "--import-prog", i.good_cim, "-o", bad + "/o.mlir"], bad + "/o.mlir")
    yield ("cim-tune", "unwritable output", [tool("cim-tune"), "export",
           "--model", TUNE_NET, "-o", bad + "/m.onnx"], bad + "/m.onnx")


def check(argv, culprit, out):
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, timeout=120)
    lines = [l for l in proc.stderr.decode(errors="replace").splitlines() if l]
    errors = [l for l in lines if re.search(r"(^|: )error: ", l)]
    problems = []
    if proc.returncode != 1:
        problems.append(f"exit status {proc.returncode}")
    is_opt = os.path.basename(argv[0]) == "cim-opt"
    if len(errors) != 1 or (not is_opt and len(lines) != 1):
        problems.append(f"{len(lines)} stderr lines")
    elif not errors[0].startswith(culprit + ":"):
        problems.append("not located at " + os.path.basename(culprit))
    left = sorted(os.listdir(out))
    if left:
        problems.append("left behind: " + ", ".join(left))
    return problems, lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("-k", default="")
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="cim-error-matrix-")
    failures = 0
    try:
        root = os.path.join(scratch, "in")
        os.makedirs(root)
        inputs = Inputs(root, args.bin)
        rows = []
        for n, (tool, what, argv, culprit) in enumerate(cases(inputs, args.bin)):
            if args.k not in f"{tool} {what}":
                continue
            out = os.path.join(scratch, f"out{n}")
            os.makedirs(out)
            argv = [a.replace("{out}", out) for a in argv]
            problems, lines = check(argv, culprit, out)
            first = lines[0].replace(scratch + "/", "") if lines else ""
            rows.append((tool, what, first))
            if problems:
                failures += 1
                print(f"FAIL {tool} / {what}: {'; '.join(problems)}")
                for line in lines[:5]:
                    print("    " + line)
        if args.markdown:
            print("| tool | input | message |\n| --- | --- | --- |")
            for tool, what, first in rows:
                print(f"| {tool} | {what} | `{first[:110]}` |")
        print(f"{len(rows)} cases, {failures} failed")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
