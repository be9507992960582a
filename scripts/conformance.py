#!/usr/bin/env python3
"""Runs the ONNX backend node tests through cim-sim and reports by tier.

  scripts/conformance.py --cim-sim build/bin/cim-sim \
      --testdata ../shared/testdata [--tier core --tier cnn_ext] \
      [--write-doc docs/conformance.md] [--min-pass-rate core=1.0 ...]

For every test folder of the chosen tiers (INDEX.tsv), every
test_data_set_* is run: inputs in order, outputs compared with
output_N.pb at rtol 1e-3, atol 1e-4 (numpy.allclose, NaN equal to NaN).
A test passes when all its data sets pass. Exit status 1 when a
--min-pass-rate is not met; the summary line is 'N passed, N failed'.
"""
import argparse
import collections
import concurrent.futures
import glob
import os
import subprocess
import sys
import tempfile

import numpy as np
from onnx import numpy_helper, TensorProto

RTOL, ATOL = 1e-3, 1e-4


def load(path):
    """The tensor as a numpy array, or the TensorProto itself when this onnx
    version cannot convert its type (int4, int2, float8 ...)."""
    t = TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    try:
        return numpy_helper.to_array(t)
    except (KeyError, TypeError, ValueError):
        return t


def packed_bytes(t):
    """The packed payload of a sub-byte or exotic tensor, wherever it is."""
    if t.HasField("raw_data"):
        return bytes(t.raw_data)
    return bytes(v & 0xFF for v in t.int32_data)


def same_proto(got, exp):
    """Element type, shape and payload equality for types numpy lacks."""
    if isinstance(got, TensorProto) != isinstance(exp, TensorProto):
        return False
    return (got.data_type == exp.data_type and list(got.dims) == list(exp.dims)
            and packed_bytes(got) == packed_bytes(exp))


def run_test(cim_sim, folder):
    """Returns (status, detail): status is 'pass' or 'fail'."""
    model = os.path.join(folder, "model.onnx")
    sets = sorted(glob.glob(os.path.join(folder, "test_data_set_*")))
    if not sets:
        return "fail", "no test data"
    for data in sets:
        inputs = sorted(glob.glob(os.path.join(data, "input_*.pb")),
                        key=lambda p: int(p.rsplit("_", 1)[1][:-3]))
        expected = sorted(glob.glob(os.path.join(data, "output_*.pb")),
                          key=lambda p: int(p.rsplit("_", 1)[1][:-3]))
        with tempfile.TemporaryDirectory() as out:
            cmd = [cim_sim, model, "--output-dir", out]
            for i in inputs:
                cmd += ["--input", i]
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True,
                                      timeout=60)
            except subprocess.TimeoutExpired:
                return "fail", "timeout"
            if proc.returncode != 0:
                lines = (proc.stderr.strip() or "exit %d" % proc.returncode).splitlines()
                return "fail", lines[0][-300:]
            for k, exp_path in enumerate(expected):
                got_path = os.path.join(out, "output_%d.pb" % k)
                if not os.path.exists(got_path):
                    return "fail", "output %d missing" % k
                exp, got = load(exp_path), load(got_path)
                if isinstance(exp, TensorProto) or isinstance(got, TensorProto):
                    if not same_proto(got, exp):
                        return "fail", "output %d differs (compared packed)" % k
                    continue
                if exp.shape != got.shape:
                    return "fail", "output %d shape %s, expected %s" % (
                        k, got.shape, exp.shape)
                if exp.dtype.kind in "fc":
                    ok = np.allclose(got.astype(np.float64), exp.astype(np.float64),
                                     rtol=RTOL, atol=ATOL, equal_nan=True)
                else:
                    ok = np.array_equal(got, exp)
                if not ok:
                    err = np.max(np.abs(got.astype(np.float64) - exp.astype(np.float64)))
                    return "fail", "output %d differs (max abs error %.3g)" % (k, err)
    return "pass", ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cim-sim", required=True)
    ap.add_argument("--testdata", required=True)
    ap.add_argument("--tier", action="append")
    ap.add_argument("--write-doc")
    ap.add_argument("--min-pass-rate", action="append", default=[])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()

    root = os.path.join(args.testdata, "onnx-node-tests")
    index = os.path.join(root, "INDEX.tsv")
    if not os.path.exists(index):
        print("conformance: %s is absent; skipped" % index)
        return 77  # ctest SKIP_RETURN_CODE
    tiers = args.tier or ["core", "cnn_ext"]
    rows = []
    with open(index) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            if row.get("tier") in tiers:
                rows.append(row)

    results = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(run_test, args.cim_sim,
                               os.path.join(root, r["path"])): r for r in rows}
        for fut in concurrent.futures.as_completed(futures):
            results[futures[fut]["path"]] = fut.result()

    by_tier = collections.OrderedDict((t, [0, 0]) for t in tiers)
    for r in rows:
        by_tier[r["tier"]][0 if results[r["path"]][0] == "pass" else 1] += 1
    for tier, (p, f) in by_tier.items():
        print("%-16s %4d passed %4d failed  (%.1f %%)" % (
            tier, p, f, 100.0 * p / max(1, p + f)))

    if args.write_doc:
        # Keep the section that scripts/torch-exports.py maintains.
        kept = ""
        if os.path.exists(args.write_doc):
            text = open(args.write_doc).read()
            begin = text.find("<!-- torch-exports:begin -->")
            if begin >= 0:
                kept = "\n" + text[begin:]
        with open(args.write_doc, "w") as doc:
            doc.write("# ONNX node-test conformance\n\n")
            doc.write("Generated by `scripts/conformance.py` (run `scripts/"
                      "conformance.sh` to refresh) over\n../shared/testdata/"
                      "onnx-node-tests: every test_data_set through `cim-sim` "
                      "(float\nreference executor), outputs compared at rtol "
                      "%g, atol %g.\n\n" % (RTOL, ATOL))
            doc.write("| tier | passed | failed | pass rate |\n|---|---|---|---|\n")
            for tier, (p, f) in by_tier.items():
                doc.write("| %s | %d | %d | %.1f %% |\n" % (
                    tier, p, f, 100.0 * p / max(1, p + f)))
            doc.write("\n## Failures\n\n| test | op | opset | reason |\n|---|---|---|---|\n")
            for r in sorted(rows, key=lambda r: r["path"]):
                status, detail = results[r["path"]]
                if status != "pass":
                    doc.write("| %s | %s | %s | %s |\n" % (
                        r["path"], r["main_op"], r["opset"],
                        detail.replace("|", "\\|")))
            doc.write(kept)

    total_pass = sum(p for p, _ in by_tier.values())
    total_fail = sum(f for _, f in by_tier.values())
    bad = False
    for spec in args.min_pass_rate:
        tier, rate = spec.split("=")
        p, f = by_tier.get(tier, [0, 0])
        if p + f and p / (p + f) < float(rate):
            print("conformance: tier %s passes %.1f %% < required %.1f %%" % (
                tier, 100.0 * p / (p + f), 100.0 * float(rate)))
            bad = True
    print("%d passed, %d failed" % (total_pass, total_fail))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
