// Hardware constraints on the chosen widths: weight bits a multiple of the
// cell bits (cell-bits), first and last layer at W8A8 (io-w8a8). They are
// warnings at the layer, naming it; with enforce they are errors and the
// pass fails after reporting every violation. (The layers bring their own
// widths here; overwrite=false keeps them.)
// RUN: cim-opt %s -split-input-file -verify-diagnostics --cim-assign-bitwidths="overwrite=false cell-bits=4 io-w8a8" -o /dev/null
// RUN: not cim-opt %s -split-input-file --cim-assign-bitwidths="overwrite=false cell-bits=4 io-w8a8 enforce" -o /dev/null 2>&1 | FileCheck %s --check-prefix=ENFORCE
// Without the options nothing is reported.
// RUN: cim-opt %s -split-input-file --cim-assign-bitwidths="overwrite=false" -o /dev/null 2>&1 | FileCheck %s --check-prefix=QUIET --allow-empty

// ENFORCE: error: first layer 'conv1' (index 0) is W4A8; the I/O constraint wants W8A8
// ENFORCE: error: layer 'conv2' (index 1) has 6 weight bits, not a multiple of the 4-bit cells (its last slice uses 2 of 4 bits)
// ENFORCE-NOT: error: last
// ENFORCE: error: layer 'conv2' (index 0) has 6 weight bits
// ENFORCE: error: first layer 'conv2' (index 0) is W6A8
// ENFORCE: error: last layer at index 1 is W8A2
// ENFORCE: error: first and last layer 'only' (index 0) is W8A4
// QUIET-NOT: warning

func.func @net(%x: tensor<1x3x8x8xf32>) -> tensor<1x10xf32> {
  %w1 = cim.constant dense<0.5> : tensor<4x3x3x3xf32>
  // expected-warning @+1 {{first layer 'conv1' (index 0) is W4A8; the I/O constraint wants W8A8}}
  %0 = cim.conv2d %x, %w1 {name = "conv1", quant = #cim.quant<wbits = 4, abits = 8>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  %w2 = cim.constant dense<0.25> : tensor<4x4x3x3xf32>
  // expected-warning @+1 {{layer 'conv2' (index 1) has 6 weight bits, not a multiple of the 4-bit cells (its last slice uses 2 of 4 bits)}}
  %1 = cim.conv2d %0, %w2 {name = "conv2", quant = #cim.quant<wbits = 6, abits = 4>} : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x4x4xf32>
  %2 = cim.flatten %1 : (tensor<1x4x4x4xf32>) -> tensor<1x64xf32>
  %w3 = cim.constant dense<0.1> : tensor<64x10xf32>
  // The last layer gets the default W8A8: no diagnostic.
  %3 = cim.gemm %2, %w3 {name = "fc"} : (tensor<1x64xf32>, tensor<64x10xf32>) -> tensor<1x10xf32>
  return %3 : tensor<1x10xf32>
}

// -----

// Both ends; a layer without a name is named by its index.
func.func @two(%x: tensor<1x4x6x6xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) {
  %w2 = cim.constant dense<0.25> : tensor<4x4x3x3xf32>
  // expected-warning @+2 {{layer 'conv2' (index 0) has 6 weight bits}}
  // expected-warning @+1 {{first layer 'conv2' (index 0) is W6A8; the I/O constraint wants W8A8}}
  %1 = cim.conv2d %x, %w2 {name = "conv2", quant = #cim.quant<wbits = 6, abits = 8>} : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x4x4xf32>
  // expected-warning @+1 {{last layer at index 1 is W8A2; the I/O constraint wants W8A8}}
  %2 = cim.conv2d %x, %w2 {quant = #cim.quant<wbits = 8, abits = 2>} : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %1, %2 : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>
}

// -----

// A single layer is both the first and the last.
func.func @one(%x: tensor<1x16xf32>) -> tensor<1x10xf32> {
  %w = cim.constant dense<0.1> : tensor<16x10xf32>
  // expected-warning @+1 {{first and last layer 'only' (index 0) is W8A4; the I/O constraint wants W8A8}}
  %0 = cim.gemm %x, %w {name = "only", quant = #cim.quant<wbits = 8, abits = 4>} : (tensor<1x16xf32>, tensor<16x10xf32>) -> tensor<1x10xf32>
  return %0 : tensor<1x10xf32>
}
