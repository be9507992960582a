// Round trip of the quantization and hardware-level attributes.
// RUN: cim-opt %s | cim-opt | FileCheck %s

// CHECK-LABEL: func.func @quant
func.func @quant(%x: tensor<1x4xf32>, %w: tensor<4x3xf32>) -> (tensor<1x3xf32>, tensor<1x3xf32>) {
  // Defaults (symmetric, per_channel, no scales) are not printed.
  // CHECK: quant = #cim.quant<wbits = 4, abits = 8>
  %0 = cim.matmul %x, %w {quant = #cim.quant<wbits = 4, abits = 8, wscheme = symmetric, granularity = per_channel>}
     : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  // CHECK: quant = #cim.quant<wbits = 8, abits = 6, ascheme = asymmetric, wscale = [1.000000e-01, 2.000000e-01, 3.000000e-01], ascale = 3.906250e-03 : f32, azp = 12>
  %1 = cim.matmul %x, %w {quant = #cim.quant<wbits = 8, abits = 6, ascheme = asymmetric,
                                             wscale = [0.1, 0.2, 0.3],
                                             ascale = 0.00390625 : f32, azp = 12>}
     : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  return %0, %1 : tensor<1x3xf32>, tensor<1x3xf32>
}

// CHECK-LABEL: func.func @per_tensor
func.func @per_tensor(%x: tensor<1x4xf32>, %w: tensor<4x3xf32>) -> tensor<1x3xf32> {
  // CHECK: #cim.quant<wbits = 8, abits = 8, wscheme = asymmetric, granularity = per_tensor, wscale = [5.000000e-01], wzp = [128]>
  %0 = cim.matmul %x, %w {quant = #cim.quant<wbits = 8, abits = 8, wscheme = asymmetric, granularity = per_tensor,
                                             wscale = [0.5], wzp = [128]>}
     : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// A 300 x 64 layer on 256 x 256 crossbars, 2 bit slices, differential
// columns: rows split 256 + 44; two slices of 64 columns (128 physical
// columns each) share a crossbar side by side.
// CHECK-LABEL: func.func @mapping
func.func @mapping(%x: tensor<1x300xf32>, %w: tensor<300x64xf32>) -> tensor<1x64xf32> {
  // CHECK: mapping = #cim.mapping<rows = 300, cols = 64, groups = 1, slices = 2, copies = 1, signed_mapping = dc, xbar_rows = 256, xbar_cols = 256,
  // CHECK-SAME: tiles = [<pe = 0, xbar = 0, rows = [0:256], cols = [0:64], slice = 0>, <pe = 0, xbar = 0, rows = [0:256], cols = [0:64], slice = 1, at = [0, 128]>,
  // CHECK-SAME: <pe = 0, xbar = 1, rows = [256:300], cols = [0:64], slice = 0>, <pe = 0, xbar = 1, rows = [256:300], cols = [0:64], slice = 1, at = [0, 128]>]>
  %0 = cim.matmul %x, %w {quant = #cim.quant<wbits = 4, abits = 8>,
      mapping = #cim.mapping<rows = 300, cols = 64, groups = 1, slices = 2, copies = 1,
                             signed_mapping = dc, xbar_rows = 256, xbar_cols = 256, tiles = [
        <pe = 0, xbar = 0, rows = [0:256], cols = [0:64], slice = 0>,
        <pe = 0, xbar = 0, rows = [0:256], cols = [0:64], slice = 1, at = [0, 128]>,
        <pe = 0, xbar = 1, rows = [256:300], cols = [0:64], slice = 0>,
        #cim.tile<pe = 0, xbar = 1, rows = [256:300], cols = [0:64], slice = 1, at = [0, 128]>]>}
     : (tensor<1x300xf32>, tensor<300x64xf32>) -> tensor<1x64xf32>
  return %0 : tensor<1x64xf32>
}

// Duplication: two copies of a grouped (depthwise) layer on two PEs.
// CHECK-LABEL: func.func @duplicated_depthwise
func.func @duplicated_depthwise(%x: tensor<1x2x4x4xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<1x2x2x2xf32> {
  // CHECK: copies = 2, signed_mapping = of
  // CHECK-SAME: <pe = 1, xbar = 0, rows = [0:9], cols = [0:1], slice = 0, copy = 1, group = 1, at = [9, 0]>
  %0 = cim.conv2d %x, %w {group = 2 : i64,
      mapping = #cim.mapping<rows = 9, cols = 1, groups = 2, slices = 1, copies = 2,
                             signed_mapping = of, xbar_rows = 32, xbar_cols = 8, tiles = [
        <pe = 0, xbar = 0, rows = [0:9], cols = [0:1], slice = 0>,
        <pe = 0, xbar = 0, rows = [0:9], cols = [0:1], slice = 0, group = 1, at = [9, 0]>,
        <pe = 1, xbar = 0, rows = [0:9], cols = [0:1], slice = 0, copy = 1>,
        <pe = 1, xbar = 0, rows = [0:9], cols = [0:1], slice = 0, copy = 1, group = 1, at = [9, 0]>]>}
     : (tensor<1x2x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// CHECK-LABEL: module attributes {cim.hardware = "cimaq-reference", cim.schedule_kind = #cim.schedule_kind<cross_layer>}
module attributes {cim.hardware = "cimaq-reference", cim.schedule_kind = #cim.schedule_kind<cross_layer>} {
  // CHECK-LABEL: func.func @schedule
  func.func @schedule(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
    // CHECK: cim.relu %{{.*}} {cim.schedule = #cim.schedule<order = 0, start = 0, end = 40, sets = 4>}
    %0 = cim.relu %x {cim.schedule = #cim.schedule<order = 0, start = 0, end = 40, sets = 4>} : tensor<1x8xf32>
    // sets = 1 is the default and is not printed.
    // CHECK: cim.sigmoid %{{.*}} {cim.schedule = #cim.schedule<order = 1, start = 10, end = 50>}
    %1 = cim.sigmoid %0 {cim.schedule = #cim.schedule<order = 1, start = 10, end = 50, sets = 1>} : tensor<1x8xf32>
    return %1 : tensor<1x8xf32>
  }
}
