// A layer larger than the chip (Inputs/tiny.yaml: 2 PEs x 2 crossbars of
// 16x16 2-bit cells): an error when weights must stay, rounds of writes when
// the hardware allows rewriting.
// RUN: not cim-opt %s --cim-map-crossbars="hw=%S/Inputs/tiny.yaml" 2>&1 | FileCheck %s --check-prefix=FIT
// RUN: sed -e 's/weight_rewrite: never/weight_rewrite: if_needed/' %S/Inputs/tiny.yaml > %t.rw.yaml
// RUN: cim-opt %s --cim-map-crossbars="hw=%t.rw.yaml" | FileCheck %s --check-prefix=RW

// FIT: error: network needs 10 crossbars, the chip has 4 ('tiny': 2 PEs x 2 crossbars; weights may not be rewritten): one copy of every layer fits 5 PEs of this kind (chip.pes), or let weights be rewritten (mapping.weight_rewrite: if_needed, as the sram-digital preset)
// FIT: map-crossbars-rewrite.mlir:[[# @LINE + 25]]:8: note: the largest layer, 'big', needs 10 crossbars

// 80 x 6 with 4-bit weights needs 5 x 2 = 10 crossbars: more than the chip.
// With weight_rewrite: if_needed the layer is written in 3 rounds of at
// most 4 crossbars; the round is folded into the crossbar index
// (xbar = round * 2 + crossbar). No copies under rewriting.
// RW-LABEL: func.func @rewrite
// RW: mapping = #cim.mapping<rows = 80, cols = 6, groups = 1, slices = 2, copies = 1, signed_mapping = dc, xbar_rows = 16, xbar_cols = 16, tiles = [
// RW-SAME: <pe = 0, xbar = 0, rows = [0:16], cols = [0:6], slice = 0>,
// RW-SAME: <pe = 0, xbar = 0, rows = [0:16], cols = [0:2], slice = 1, at = [0, 12]>,
// RW-SAME: <pe = 0, xbar = 1, rows = [0:16], cols = [2:6], slice = 1>,
// RW-SAME: <pe = 1, xbar = 0, rows = [16:32], cols = [0:6], slice = 0>,
// RW-SAME: <pe = 1, xbar = 0, rows = [16:32], cols = [0:2], slice = 1, at = [0, 12]>,
// RW-SAME: <pe = 1, xbar = 1, rows = [16:32], cols = [2:6], slice = 1>,
// RW-SAME: <pe = 0, xbar = 2, rows = [32:48], cols = [0:6], slice = 0>,
// RW-SAME: <pe = 0, xbar = 2, rows = [32:48], cols = [0:2], slice = 1, at = [0, 12]>,
// RW-SAME: <pe = 0, xbar = 3, rows = [32:48], cols = [2:6], slice = 1>,
// RW-SAME: <pe = 1, xbar = 2, rows = [48:64], cols = [0:6], slice = 0>,
// RW-SAME: <pe = 1, xbar = 2, rows = [48:64], cols = [0:2], slice = 1, at = [0, 12]>,
// RW-SAME: <pe = 1, xbar = 3, rows = [48:64], cols = [2:6], slice = 1>,
// RW-SAME: <pe = 0, xbar = 4, rows = [64:80], cols = [0:6], slice = 0>,
// RW-SAME: <pe = 0, xbar = 4, rows = [64:80], cols = [0:2], slice = 1, at = [0, 12]>,
// RW-SAME: <pe = 0, xbar = 5, rows = [64:80], cols = [2:6], slice = 1>]>
func.func @rewrite(%x: tensor<1x80xf32>) -> tensor<1x6xf32> {
  %w = cim.constant dense<0.5> : tensor<80x6xf32>
  %y = cim.gemm %x, %w {name = "big", quant = #cim.quant<wbits = 4, abits = 8>}
     : (tensor<1x80xf32>, tensor<80x6xf32>) -> tensor<1x6xf32>
  return %y : tensor<1x6xf32>
}
