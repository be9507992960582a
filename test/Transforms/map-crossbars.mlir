// Crossbar mapping on a tiny chip (Inputs/tiny.yaml: 2 PEs x 2 crossbars of
// 16x16 2-bit cells, 1-bit DACs), one module per case.
// RUN: cim-opt %s --split-input-file --cim-map-crossbars="hw=%S/Inputs/tiny.yaml" | FileCheck %s
// RUN: sed -e 's/signed_mapping: dc/signed_mapping: of/' %S/Inputs/tiny.yaml > %t.of.yaml
// RUN: cim-opt %s --split-input-file --cim-map-crossbars="hw=%t.of.yaml" | FileCheck %s --check-prefix=OF
// RUN: sed -e 's/signed_mapping: dc/signed_mapping: dr/' %S/Inputs/tiny.yaml > %t.dr.yaml
// RUN: cim-opt %s --split-input-file --cim-map-crossbars="hw=%t.dr.yaml" | FileCheck %s --check-prefix=DR
// RUN: cim-opt %s --split-input-file --cim-map-crossbars="hw=%S/Inputs/tiny.yaml duplicate=false" | FileCheck %s --check-prefix=NODUP
// RUN: sed -e 's/weight_rewrite: never/&\n  pack_groups: false/' %S/Inputs/tiny.yaml > %t.nopack.yaml
// RUN: cim-opt %s --split-input-file --cim-map-crossbars="hw=%t.nopack.yaml" | FileCheck %s --check-prefix=NOPACK

// A 20x6 gemm with 4-bit weights: 2 bit slices side by side make 12 weight
// columns. dc: 8 per crossbar (2 physical columns each), so slice 1 starts
// at physical column 12 of the first crossbar and continues on the next;
// 16 rows per crossbar make 2 row tiles. 4 crossbars: the whole chip.
// CHECK: module attributes {cim.hardware = "tiny"}
// CHECK-LABEL: func.func @gemm
// CHECK: cim.gemm {{.*}}mapping = #cim.mapping<rows = 20, cols = 6, groups = 1, slices = 2, copies = 1, signed_mapping = dc, xbar_rows = 16, xbar_cols = 16, tiles = [
// CHECK-SAME: <pe = 0, xbar = 0, rows = [0:16], cols = [0:6], slice = 0>,
// CHECK-SAME: <pe = 0, xbar = 0, rows = [0:16], cols = [0:2], slice = 1, at = [0, 12]>,
// CHECK-SAME: <pe = 0, xbar = 1, rows = [0:16], cols = [2:6], slice = 1>,
// CHECK-SAME: <pe = 1, xbar = 0, rows = [16:20], cols = [0:6], slice = 0>,
// CHECK-SAME: <pe = 1, xbar = 0, rows = [16:20], cols = [0:2], slice = 1, at = [0, 12]>,
// CHECK-SAME: <pe = 1, xbar = 1, rows = [16:20], cols = [2:6], slice = 1>]>
// of: 15 weight columns per crossbar (one reference column): one chunk.
// OF-LABEL: func.func @gemm
// OF: signed_mapping = of, xbar_rows = 16, xbar_cols = 16, tiles = [
// OF-SAME: <pe = 0, xbar = 0, rows = [0:16], cols = [0:6], slice = 0>,
// OF-SAME: <pe = 0, xbar = 0, rows = [0:16], cols = [0:6], slice = 1, at = [0, 6]>,
// OF-SAME: <pe = 0, xbar = 1, rows = [16:20], cols = [0:6], slice = 0>,
// OF-SAME: <pe = 0, xbar = 1, rows = [16:20], cols = [0:6], slice = 1, at = [0, 6]>]>
// dr: 8 weight rows per crossbar (2 physical rows each): 3 row tiles.
// DR-LABEL: func.func @gemm
// DR: signed_mapping = dr, xbar_rows = 16, xbar_cols = 16, tiles = [
// DR-SAME: <pe = 0, xbar = 0, rows = [0:8], cols = [0:6], slice = 0>,
// DR-SAME: <pe = 0, xbar = 0, rows = [0:8], cols = [0:6], slice = 1, at = [0, 6]>,
// DR-SAME: <pe = 0, xbar = 1, rows = [8:16], cols = [0:6], slice = 0>,
// DR-SAME: <pe = 0, xbar = 1, rows = [8:16], cols = [0:6], slice = 1, at = [0, 6]>,
// DR-SAME: <pe = 1, xbar = 0, rows = [16:20], cols = [0:6], slice = 0>,
// DR-SAME: <pe = 1, xbar = 0, rows = [16:20], cols = [0:6], slice = 1, at = [0, 6]>]>
func.func @gemm(%x: tensor<1x20xf32>) -> tensor<1x6xf32> {
  %w = cim.constant dense<0.5> : tensor<20x6xf32>
  %y = cim.gemm %x, %w {name = "fc", quant = #cim.quant<wbits = 4, abits = 8>}
     : (tensor<1x20xf32>, tensor<20x6xf32>) -> tensor<1x6xf32>
  return %y : tensor<1x6xf32>
}

// -----

// A 1x1 convolution over 4x4 pixels (16 MVMs) fits one crossbar; the 3
// spare crossbars take copies, each running 4 of the 16 MVMs.
// CHECK-LABEL: func.func @duplicated
// CHECK: cim.conv2d {{.*}}mapping = #cim.mapping<rows = 2, cols = 3, groups = 1, slices = 1, copies = 4, signed_mapping = dc, xbar_rows = 16, xbar_cols = 16, tiles = [
// CHECK-SAME: <pe = 0, xbar = 0, rows = [0:2], cols = [0:3], slice = 0>,
// CHECK-SAME: <pe = 0, xbar = 1, rows = [0:2], cols = [0:3], slice = 0, copy = 1>,
// CHECK-SAME: <pe = 1, xbar = 0, rows = [0:2], cols = [0:3], slice = 0, copy = 2>,
// CHECK-SAME: <pe = 1, xbar = 1, rows = [0:2], cols = [0:3], slice = 0, copy = 3>]>
// NODUP-LABEL: func.func @duplicated
// NODUP: copies = 1, signed_mapping = dc, xbar_rows = 16, xbar_cols = 16, tiles = [<pe = 0, xbar = 0, rows = [0:2], cols = [0:3], slice = 0>]>
func.func @duplicated(%x: tensor<1x2x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %w = cim.constant dense<0.5> : tensor<3x2x1x1xf32>
  %y = cim.conv2d %x, %w {quant = #cim.quant<wbits = 2, abits = 4>}
     : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// Two layers share the chip in program order. The two groups' 2x2 blocks
// share one crossbar along its diagonal (mapping.pack_groups, default
// true): group 1 starts at row 2 and, under dc (2 physical columns per
// weight column), column 4; under of at column 2, with the crossbar's last
// two columns as the blocks' reference columns. The spare crossbar takes
// a second copy of the convolution; the 1-MVM gemm gains nothing from one.
// Without packing the groups are separate crossbars.
// CHECK-LABEL: func.func @groups
// CHECK: cim.conv2d {{.*}}mapping = #cim.mapping<rows = 2, cols = 2, groups = 2, slices = 1, copies = 2, signed_mapping = dc, xbar_rows = 16, xbar_cols = 16, tiles = [
// CHECK-SAME: <pe = 0, xbar = 0, rows = [0:2], cols = [0:2], slice = 0>,
// CHECK-SAME: <pe = 0, xbar = 0, rows = [0:2], cols = [0:2], slice = 0, group = 1, at = [2, 4]>,
// CHECK-SAME: <pe = 0, xbar = 1, rows = [0:2], cols = [0:2], slice = 0, copy = 1>,
// CHECK-SAME: <pe = 0, xbar = 1, rows = [0:2], cols = [0:2], slice = 0, copy = 1, group = 1, at = [2, 4]>]>
// CHECK: cim.gemm {{.*}}mapping = #cim.mapping<rows = 16, cols = 2, groups = 1, slices = 1, copies = 1, signed_mapping = dc, xbar_rows = 16, xbar_cols = 16, tiles = [
// CHECK-SAME: <pe = 1, xbar = 0, rows = [0:16], cols = [0:2], slice = 0>]>
// OF-LABEL: func.func @groups
// OF: cim.conv2d {{.*}}copies = 2, signed_mapping = of, {{.*}}tiles = [
// OF-SAME: <pe = 0, xbar = 0, rows = [0:2], cols = [0:2], slice = 0>,
// OF-SAME: <pe = 0, xbar = 0, rows = [0:2], cols = [0:2], slice = 0, group = 1, at = [2, 2]>,
// NOPACK-LABEL: func.func @groups
// NOPACK: cim.conv2d {{.*}}mapping = #cim.mapping<rows = 2, cols = 2, groups = 2, slices = 1, copies = 1, signed_mapping = dc, xbar_rows = 16, xbar_cols = 16, tiles = [
// NOPACK-SAME: <pe = 0, xbar = 0, rows = [0:2], cols = [0:2], slice = 0>,
// NOPACK-SAME: <pe = 0, xbar = 1, rows = [0:2], cols = [0:2], slice = 0, group = 1>]>
func.func @groups(%x: tensor<1x4x2x2xf32>) -> tensor<1x2xf32> {
  %w = cim.constant dense<0.5> : tensor<4x2x1x1xf32>
  %y = cim.conv2d %x, %w {group = 2 : i64, quant = #cim.quant<wbits = 2, abits = 2>}
     : (tensor<1x4x2x2xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x2x2xf32>
  %f = cim.flatten %y : (tensor<1x4x2x2xf32>) -> tensor<1x16xf32>
  %fw = cim.constant dense<0.5> : tensor<16x2xf32>
  %z = cim.gemm %f, %fw {quant = #cim.quant<wbits = 2, abits = 2>}
     : (tensor<1x16xf32>, tensor<16x2xf32>) -> tensor<1x2xf32>
  return %z : tensor<1x2xf32>
}
