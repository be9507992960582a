#!/usr/bin/env bash
# Regenerates docs/conformance.md: the ONNX node tests (core, cnn_ext,
# quant and transformer_ext tiers of ../shared/testdata) through cim-sim,
# pass rates by tier, and the torch.onnx exports (scripts/torch-exports.py; models under the
# build tree).
source "$(dirname "$0")/common.sh"
cim_setup_and_build
testdata="${CIM_TESTDATA:-$CIM_ROOT/../shared/testdata}"
/usr/bin/python3 "$CIM_ROOT/scripts/conformance.py" \
  --cim-sim "$CIM_BUILD/bin/cim-sim" --testdata "$testdata" \
  --tier core --tier cnn_ext --tier quant --tier transformer_ext \
  --write-doc "$CIM_ROOT/docs/conformance.md"
/usr/bin/python3 "$CIM_ROOT/scripts/torch-exports.py" \
  --cim-sim "$CIM_BUILD/bin/cim-sim" --models "$CIM_BUILD/torch-models" \
  --write-doc "$CIM_ROOT/docs/conformance.md"
