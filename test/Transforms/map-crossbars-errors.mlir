// Layers the mapper cannot place: each error names the layer and the fix.
// RUN: cim-opt %s --split-input-file --verify-diagnostics --cim-map-crossbars="hw=%S/Inputs/tiny.yaml" | FileCheck %s
// RUN: cim-opt %s --split-input-file --verify-diagnostics --cim-cost-report="hw=%S/Inputs/tiny.yaml" | FileCheck %s

// Every error case leaves the module unprinted; nothing else is expected.
// CHECK-NOT: cim.mapping

func.func @no_quant(%x: tensor<1x20xf32>) -> tensor<1x6xf32> {
  %w = cim.constant dense<0.5> : tensor<20x6xf32>
  // expected-error @below {{layer 'fc' has no bit widths (#cim.quant); run cim-assign-bitwidths first}}
  %y = cim.gemm %x, %w {name = "fc"} : (tensor<1x20xf32>, tensor<20x6xf32>) -> tensor<1x6xf32>
  return %y : tensor<1x6xf32>
}

// -----

func.func @dynamic(%x: tensor<?x2x4x4xf32>) -> tensor<?x3x4x4xf32> {
  %w = cim.constant dense<0.5> : tensor<3x2x1x1xf32>
  // expected-error @below {{layer '#0' has a dynamic or empty im2col matrix; crossbar mapping needs static shapes}}
  %y = cim.conv2d %x, %w {quant = #cim.quant<wbits = 2, abits = 4>}
     : (tensor<?x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<?x3x4x4xf32>
  return %y : tensor<?x3x4x4xf32>
}
