// The analytic cost model through its test pass. On the CIM-AQ reference
// machine (one 256x256 crossbar, 4-bit cells, 1-bit inputs, dc, rewritten
// for every tile) every figure follows domain.md section 2:
//   X = ceil(m * ceil(w / 4) * 2 / 256) * ceil(n / 256),
//   latency = X * (56 us + I * a * 1.4 us).
// RUN: cim-opt %s --cim-assign-bitwidths="wbits=8 abits=8" --cim-test-cost-model="hw=cimaq-reference" | FileCheck %s --check-prefix=W8A8
// RUN: cim-opt %s --cim-assign-bitwidths="wbits=4 abits=4" --cim-test-cost-model="hw=cimaq-reference" | FileCheck %s --check-prefix=W4A4
// On the default tiled chip weights stay and the convolution is duplicated.
// RUN: cim-opt %s --cim-assign-bitwidths="wbits=8 abits=8" --cim-test-cost-model="duplicate=true" | FileCheck %s --check-prefix=TILED

// The network: the sum of its layers, 105537.6 us + 1075.2 us (W8A8) and
// 52852.8 us + 492.8 us (W4A4); 1 GHz cycles.
// W8A8: module attributes {test.network_cost = {crossbars_used = 1 : i64, cycles = 106612800 : i64, latency_ps = 106612800000 : i64, mode = "rewrite"}}
// W4A4: module attributes {test.network_cost = {crossbars_used = 1 : i64, cycles = 53345600 : i64, latency_ps = 53345600000 : i64, mode = "rewrite"}}
// TILED: module attributes {test.network_cost = {crossbars_used = 15722 : i64, cycles = 4797 : i64, latency_ps = 4796707 : i64, mode = "stationary"}}
func.func @net(%x: tensor<1x64x56x56xf32>) -> tensor<1x1000xf32> {
  %w = cim.constant dense<0.01> : tensor<64x64x3x3xf32>
  // n = 576, m = 64, I = 3136. At W8A8 2 slices, 256 columns, X = 1 x 3:
  //   3 x (56 us + 3136 x 8 x 1.4 us) = 105537.6 us.
  // W8A8: cim.conv2d
  // W8A8-SAME: test.cost = {adc_conversions = 19267584 : i64, col_chunks = 1 : i64, copies = 1 : i64, crossbar_writes = 3 : i64, crossbars = 1 : i64, crossbars_per_copy = 3 : i64, cycles = 105537600 : i64, digital_ops = 19468288 : i64, input_steps = 8 : i64, latency_ps = 105537600000 : i64, mvm_steps = 75264 : i64, rounds = 3 : i64, row_tiles = 3 : i64, slices = 2 : i64}
  // At W4A4 1 slice, 128 columns, X = 3: 3 x (56 us + 3136 x 4 x 1.4 us).
  // W4A4: cim.conv2d
  // W4A4-SAME: crossbars_per_copy = 3 : i64, {{.*}} latency_ps = 52852800000 : i64, mvm_steps = 37632 : i64, rounds = 3 : i64, row_tiles = 3 : i64, slices = 1 : i64}
  // rram-tiled (128x128, 2-bit cells, of): 5 row tiles x ceil(256 / 127)
  // chunks = 15 crossbars per copy; 1046 copies run ceil(3136 / 1046) = 3
  // MVMs each (1568 copies for 2 would not fit).
  // TILED: cim.conv2d
  // TILED-SAME: test.cost = {{{.*}}col_chunks = 3 : i64, copies = 1046 : i64, crossbar_writes = 0 : i64, crossbars = 15690 : i64, crossbars_per_copy = 15 : i64, {{.*}}rounds = 0 : i64, row_tiles = 5 : i64, slices = 4 : i64}
  %c = cim.conv2d %x, %w {name = "conv", pads = array<i64: 1, 1, 1, 1>}
     : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %p = cim.global_avg_pool %c : (tensor<1x64x56x56xf32>) -> tensor<1x64x1x1xf32>
  %f = cim.flatten %p : (tensor<1x64x1x1xf32>) -> tensor<1x64xf32>
  %fw = cim.constant dense<0.01> : tensor<64x1000xf32>
  // m = 1000, n = 64, I = 1. At W8A8 4000 columns, X = 16 x 1:
  //   16 x (56 us + 8 x 1.4 us) = 1075.2 us.
  // W8A8: cim.gemm
  // W8A8-SAME: crossbars_per_copy = 16 : i64, {{.*}}latency_ps = 1075200000 : i64
  // At W4A4 2000 columns, X = 8: 8 x (56 us + 4 x 1.4 us) = 492.8 us.
  // W4A4: cim.gemm
  // W4A4-SAME: crossbars_per_copy = 8 : i64, {{.*}}latency_ps = 492800000 : i64
  // One MVM: no copies.
  // TILED: cim.gemm
  // TILED-SAME: copies = 1 : i64, {{.*}}crossbars_per_copy = 32 : i64
  %y = cim.gemm %f, %fw {name = "fc"} : (tensor<1x64xf32>, tensor<64x1000xf32>) -> tensor<1x1000xf32>
  return %y : tensor<1x1000xf32>
}
