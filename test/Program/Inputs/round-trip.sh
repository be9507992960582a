#!/usr/bin/env bash
# round-trip.sh MODEL DIR: compiles MODEL with cimc under several option
# sets; for each program, cim-translate --import-prog then --export-prog
# must give the same bytes ("same: OPTIONS"), and so must exporting the
# chip level cimc prints ("emitted: OPTIONS").
set -eu
model=$1
dir=$2
mkdir -p "$dir"
i=0
while read -r options; do
  p="$dir/p$i"
  # shellcheck disable=SC2086
  cimc "$model" -o "$p.cim" $options > /dev/null
  cim-translate --import-prog "$p.cim" -o "$p.mlir"
  cim-translate --export-prog "$p.mlir" -o "$p.back.cim"
  cmp "$p.cim" "$p.back.cim"
  echo "same: $options"
  # shellcheck disable=SC2086
  cimc "$model" --emit=chip -mlir-print-debuginfo -o "$p.chip.mlir" $options
  cim-translate --export-prog "$p.chip.mlir" -o "$p.chip.cim"
  cmp "$p.cim" "$p.chip.cim"
  echo "emitted: $options"
  i=$((i + 1))
done <<OPTIONS
--wbits 8 --abits 8
--hw cimaq-reference
--schedule layer
--wbits 4 --abits 4
--placement spread
--no-duplicate
--hw sram-digital
--wbits 3 --abits 5 --hw cimaq-reference --schedule layer
OPTIONS
