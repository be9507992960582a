# lit configuration of the cimc test suite. Loaded through the generated
# build/test/lit.site.cfg.py (or build/bin/cim-lit), which sets the paths.
import os

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
