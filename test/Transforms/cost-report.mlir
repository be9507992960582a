// The cost report of a mapped network on the tiny chip (Inputs/tiny.yaml:
// 100 ns per crossbar step, ADCs, digital work and data movement free,
// 1 pJ per crossbar step).
// RUN: cim-opt %s --cim-map-crossbars="hw=%S/Inputs/tiny.yaml" --cim-cost-report="hw=%S/Inputs/tiny.yaml" -o /dev/null | FileCheck %s
// Without hw= the report finds the description the module's cim.hardware
// names.
// RUN: cim-opt %s --cim-map-crossbars="hw=cimaq-reference" --cim-cost-report -o /dev/null | FileCheck %s --check-prefix=NAMED
// An unmapped module has nothing to report.
// RUN: not cim-opt %s --cim-cost-report="hw=%S/Inputs/tiny.yaml" -o /dev/null 2>&1 | FileCheck %s --check-prefix=UNMAPPED

// The 1x1 convolution runs 16 MVMs of 4 input steps (400 ns each); the 2
// spare crossbars hold 2 more copies, ceil(16 / 3) = 6 MVMs per copy:
// 2.4 us. The gemm runs one MVM. 3 x 2 x 2 = 12 of 256 cells hold weights
// (dc doubles the columns).
// CHECK:      hardware tiny: 4 crossbars of 16x16, stationary weights
// CHECK-NEXT: layer                   xb/copy copies    xbars  util%    mvm-steps       adc-conv   writes     latency-us    energy-uJ
// CHECK-NEXT: conv                          1      3        3    4.7           64            384        0          2.400        0.000
// CHECK-NEXT: fc                            1      1        1   37.5            4             48        0          0.400        0.000
// CHECK-NEXT: total                                         4   21.1           68            432        0          2.800        0.000
// CHECK-NEXT: crossbars used: 4 of 4 (100.0%)
// CHECK-NEXT: latency: 2800000 ps = 2800 cycles at 1000 MHz; slowest layer 2400000 ps
// CHECK-NEXT: energy: 0.000 uJ; programming the weights once: 2.000 us, 0.000 uJ

// NAMED: hardware cimaq-reference: 1 crossbars of 256x256, rewrite weights

// UNMAPPED: error: layer 'conv' has no crossbar mapping; run cim-map-crossbars first
// UNMAPPED: error: layer 'fc' has no crossbar mapping; run cim-map-crossbars first
func.func @net(%x: tensor<1x2x4x4xf32>) -> tensor<1x6xf32> {
  %w = cim.constant dense<0.5> : tensor<3x2x1x1xf32>
  %y = cim.conv2d %x, %w {name = "conv", quant = #cim.quant<wbits = 2, abits = 4>}
     : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  %f = cim.flatten %y : (tensor<1x3x4x4xf32>) -> tensor<1x48xf32>
  %s = cim.slice %f {starts = array<i64: 0>, ends = array<i64: 8>, axes = array<i64: 1>}
     : (tensor<1x48xf32>) -> tensor<1x8xf32>
  %fw = cim.constant dense<0.5> : tensor<8x6xf32>
  %z = cim.gemm %s, %fw {name = "fc", quant = #cim.quant<wbits = 2, abits = 4>}
     : (tensor<1x8xf32>, tensor<8x6xf32>) -> tensor<1x6xf32>
  return %z : tensor<1x6xf32>
}
