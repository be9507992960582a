# lit configuration of the cimc test suite. Loaded through the generated
# build/test/lit.site.cfg.py (or build/bin/cim-lit), which sets the paths.
import os

import glob
import shutil

import lit.formats
import lit.util

config.name = "CIM"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "unit", "install", "lib", "CMakeLists.txt", "lit.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.cim_obj_root, "test")

# Our tools first, then FileCheck/not/count from LLVM.
path = [config.cim_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")]
config.environment["PATH"] = os.pathsep.join(path)
for var in ["HOME", "TMPDIR", "CIM_TESTDATA"]:
    if var in os.environ:
        config.environment[var] = os.environ[var]

config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%cim_src_root", config.cim_src_root))
config.substitutions.append(("%testdata", config.cim_testdata_dir))

# Tests that need ../shared/testdata say `REQUIRES: testdata`.
if os.path.isdir(config.cim_testdata_dir):
    config.available_features.add("testdata")

# cim-tune's data set (Debian package dataset-fashion-mnist).
if os.path.isdir("/usr/share/datasets/fashion-mnist"):
    config.available_features.add("fashion-mnist")

# ONNX Runtime, the independent oracle (scripts/ort/fetch.sh, which
# scripts/test.sh runs): tests that compare against it say
# `REQUIRES: onnxruntime` and run it as %ort_run.
ort_dir = os.environ.get("CIM_ORT_DIR") or os.path.join(
    config.cim_src_root, "build", "cache", "ort", "node_modules", "onnxruntime-node")
ort_ready = os.environ.get("CIM_ORT_DIR") or glob.glob(
    os.path.join(config.cim_src_root, "build", "cache", "ort", ".complete-*"))
if ort_ready and os.path.isdir(ort_dir) and shutil.which("node"):
    config.available_features.add("onnxruntime")
config.substitutions.append(
    ("%ort_run", "%s %s --ort %s" % (config.python_executable,
                                     os.path.join(config.cim_src_root, "scripts", "ort-run.py"),
                                     ort_dir)))
