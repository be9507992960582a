// Spread placement on a tiny chip of 4 PEs x 2 crossbars (Inputs/tiny.yaml
// with 4 PEs), with a digital op of 1 ns (DIGITAL) and without (the
// fixture's 0 ns: only the crossbar steps take time).
// RUN: sed -e 's/pes: 2/pes: 4/' -e 's/digital_op_ns: 0/digital_op_ns: 1/' %S/Inputs/tiny.yaml > %t.digital.yaml
// RUN: sed -e 's/pes: 2/pes: 4/' %S/Inputs/tiny.yaml > %t.free.yaml
// RUN: cim-opt %s --split-input-file --cim-map-crossbars="hw=%t.digital.yaml placement=spread" | FileCheck %s --check-prefix=DIGITAL
// RUN: cim-opt %s --split-input-file --cim-map-crossbars="hw=%t.free.yaml placement=spread" | FileCheck %s --check-prefix=FREE
// RUN: cim-opt %s --split-input-file --cim-map-crossbars="hw=%t.digital.yaml placement=spread" --cim-cost-report="hw=%t.digital.yaml" | FileCheck %s --check-prefix=REPORT
// RUN: cim-opt %s --split-input-file --cim-map-crossbars="hw=%t.digital.yaml" --cim-cost-report="hw=%t.digital.yaml" | FileCheck %s --check-prefix=PACKED
// RUN: not cim-opt %s --split-input-file --cim-map-crossbars="hw=%t.digital.yaml placement=diagonal" 2>&1 | FileCheck %s --check-prefix=BAD

// A 20x6 gemm with 4-bit weights: 2 row tiles x 2 column chunks, one MVM.
// Packed it fills PEs 0 and 1; spread, with digital work to share, each
// crossbar gets a PE of its own (390 shift-adds: 195 ns on 2 PEs, 98 ns on
// 4). Without digital work spreading saves nothing: 2 PEs, 2 crossbars
// each, as packed.
// DIGITAL: module attributes {cim.hardware = "tiny", cim.placement = "spread"}
// DIGITAL-LABEL: func.func @gemm
// DIGITAL: copies = 1, signed_mapping = dc, xbar_rows = 16, xbar_cols = 16, tiles = [
// DIGITAL-SAME: <pe = 0, xbar = 0, rows = [0:16], cols = [0:6], slice = 0>,
// DIGITAL-SAME: <pe = 0, xbar = 0, rows = [0:16], cols = [0:2], slice = 1, at = [0, 12]>,
// DIGITAL-SAME: <pe = 1, xbar = 0, rows = [0:16], cols = [2:6], slice = 1>,
// DIGITAL-SAME: <pe = 2, xbar = 0, rows = [16:20], cols = [0:6], slice = 0>,
// DIGITAL-SAME: <pe = 2, xbar = 0, rows = [16:20], cols = [0:2], slice = 1, at = [0, 12]>,
// DIGITAL-SAME: <pe = 3, xbar = 0, rows = [16:20], cols = [2:6], slice = 1>]>
// FREE: module attributes {cim.hardware = "tiny", cim.placement = "spread"}
// FREE-LABEL: func.func @gemm
// FREE: tiles = [
// FREE-SAME: <pe = 0, xbar = 0, rows = [0:16], cols = [0:6], slice = 0>,
// FREE-SAME: <pe = 0, xbar = 0, rows = [0:16], cols = [0:2], slice = 1, at = [0, 12]>,
// FREE-SAME: <pe = 0, xbar = 1, rows = [0:16], cols = [2:6], slice = 1>,
// FREE-SAME: <pe = 1, xbar = 0, rows = [16:20], cols = [0:6], slice = 0>,
// FREE-SAME: <pe = 1, xbar = 0, rows = [16:20], cols = [0:2], slice = 1, at = [0, 12]>,
// FREE-SAME: <pe = 1, xbar = 1, rows = [16:20], cols = [2:6], slice = 1>]>
// The cost report reads the placement back from the module: 800 ns of
// crossbar steps, 98 ns of digital work on each of 4 PEs (195 ns packed).
// REPORT: crossbars used: 4 of 8 (50.0%)
// REPORT-NEXT: placement spread: 4 of 4 PEs
// REPORT-NEXT: latency: 898000 ps = 898 cycles
// PACKED: crossbars used: 4 of 8 (50.0%)
// PACKED-NEXT: latency: 995000 ps = 995 cycles
// BAD: error: cim-map-crossbars: placement must be packed or spread, got 'diagonal'
func.func @gemm(%x: tensor<1x20xf32>) -> tensor<1x6xf32> {
  %w = cim.constant dense<0.5> : tensor<20x6xf32>
  %y = cim.gemm %x, %w {name = "fc", quant = #cim.quant<wbits = 4, abits = 8>}
     : (tensor<1x20xf32>, tensor<20x6xf32>) -> tensor<1x6xf32>
  return %y : tensor<1x6xf32>
}

// -----

// A 1x1 convolution over 4x4 pixels (16 MVMs) in one crossbar: duplication
// makes 8 copies, which would need 8 PEs of their own. The chip has 4, so
// the layout stays packed (no cim.placement).
// DIGITAL: module attributes {cim.hardware = "tiny"}
// DIGITAL-LABEL: func.func @duplicated
// DIGITAL: copies = 8, signed_mapping = dc
// DIGITAL-SAME: <pe = 0, xbar = 1, rows = [0:2], cols = [0:3], slice = 0, copy = 1>,
func.func @duplicated(%x: tensor<1x2x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %w = cim.constant dense<0.5> : tensor<3x2x1x1xf32>
  %y = cim.conv2d %x, %w {quant = #cim.quant<wbits = 2, abits = 4>}
     : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}
