#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (lit, unit, lint,
# install) through ctest, which prints one summary.
#   scripts/test.sh            all tests
#   scripts/test.sh -R lit/    only tests whose name matches (ctest -R)
#   scripts/test.sh --sanitize [ctest args]
#                              the same suite built with AddressSanitizer and
#                              UndefinedBehaviorSanitizer in $CIM_BUILD-asan
#                              (docs/reliability.md)
source "$(dirname "$0")/common.sh"

if [ "${1:-}" = "--sanitize" ]; then
  shift
  CIM_BUILD="$CIM_BUILD-asan"
  cim_sanitizer_env
  cim_setup_and_build -DCIM_SANITIZE=ON
else
  cim_setup_and_build
fi
# ONNX Runtime, the oracle of the tests that REQUIRE onnxruntime; without
# npm or the registry those tests report themselves unsupported.
"$CIM_ROOT/scripts/ort/fetch.sh" >/dev/null ||
  cim_log "ONNX Runtime is unavailable: its tests will be skipped"
cim_log "running tests"
cd "$CIM_BUILD"
ctest --output-on-failure -j "$(nproc)" "$@"
