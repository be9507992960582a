#!/usr/bin/env bash
# Installs what is missing, builds, and compiles the bundled default model
# for the default chip (models/hw/rram-tiled.yaml): cimc prints the program's
# per-layer cost table, and cim-sim runs the program on a test image.
source "$(dirname "$0")/common.sh"

cim_setup_and_build
out="$CIM_BUILD/demo"
mkdir -p "$out"
model="$CIM_ROOT/models/lenet5-fmnist.onnx"
if [ -f "$model" ]; then
  cim_log "compiling $model at W4A8 for the default chip (rram-tiled)"
  "$CIM_BUILD/bin/cimc" "$model" -o "$out/lenet5.cim" --wbits 4 --abits 8 \
    --report-html "$out/lenet5.html"
  /usr/bin/python3 "$CIM_ROOT/scripts/write-tensor.py" "$out/x.pb" \
    "np.linspace(0, 1, 784, dtype=np.float32).reshape(1, 1, 28, 28)"
  "$CIM_BUILD/bin/cim-sim" "$out/lenet5.cim" --input "$out/x.pb" \
    --output-dir "$out/out" --report "$out/sim.json"
  cim_log "program $out/lenet5.cim, HTML report $out/lenet5.html, simulated outputs in $out/out"
else
  model="$CIM_ROOT/models/examples/lenet5.mlir"
  cim_log "compiling $model at W4A8 for the default chip (rram-tiled)"
  "$CIM_BUILD/bin/cim-opt" "$model" --cim-compile="wbits=4 abits=8 stop-after=bits" \
    --cim-layer-summary --cim-map-crossbars="hw=rram-tiled" \
    --cim-schedule="hw=rram-tiled" --cim-cost-report -o /dev/null
fi
