#!/usr/bin/env bash
# Installs what is missing, builds, and compiles the bundled default model,
# printing its per-layer summary and its analytic cost on the default chip
# (models/hw/rram-tiled.yaml).
source "$(dirname "$0")/common.sh"

cim_setup_and_build
model="$CIM_ROOT/models/examples/lenet5.mlir"
cim_log "compiling $model at W4A8 for the default chip (rram-tiled)"
"$CIM_BUILD/bin/cim-opt" "$model" --cim-compile="wbits=4 abits=8" \
  --cim-layer-summary --cim-map-crossbars="hw=rram-tiled" --cim-cost-report \
  -o /dev/null
