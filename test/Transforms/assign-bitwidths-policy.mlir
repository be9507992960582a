// Per-layer bit widths from a policy file. Layers are named by their `name`
// (or, as the importer writes it, the ONNX node name in their location) or
// by their index among the weight-bearing layers in graph order: conv1 = 0,
// conv2 = 1, scores = 2, fc1 = 3, fc2 = 4. The product of two activations
// (scores) is a layer: its rhs takes wbits, its lhs abits, one per-tensor
// weight scale. Layers the policy does not name get wbits/abits.
// RUN: cim-opt %s --cim-assign-bitwidths="policy=%S/Inputs/policy-by-name.json" | FileCheck %s --check-prefix=NAME
// RUN: cim-opt %s --cim-assign-bitwidths="wbits=6 abits=6 policy=%S/Inputs/policy-by-index.json" | FileCheck %s --check-prefix=INDEX
// Policy entries apply even where overwrite=false keeps existing widths;
// the widths an entry leaves out stay as they were (fc2 keeps abits = 8).
// RUN: cim-opt %s --cim-assign-bitwidths="wbits=8 abits=8" --cim-assign-bitwidths="wbits=3 abits=3 overwrite=false policy=%S/Inputs/policy-by-name.json" | FileCheck %s --check-prefix=KEEP

// NAME-LABEL: func.func @net
// NAME: cim.conv2d {{.*}}name = "conv1", quant = #cim.quant<wbits = 8, abits = 8, ascheme = asymmetric>
// NAME: cim.conv2d {{.*}}quant = #cim.quant<wbits = 4, abits = 6, ascheme = asymmetric>
// NAME: cim.matmul {{.*}}quant = #cim.quant<wbits = 3, abits = 5, ascheme = asymmetric, granularity = per_tensor>
// NAME: cim.gemm {{.*}}name = "fc1", quant = #cim.quant<wbits = 8, abits = 8, ascheme = asymmetric>
// NAME: cim.gemm {{.*}}quant = #cim.quant<wbits = 2, abits = 8, ascheme = asymmetric>

// INDEX-LABEL: func.func @net
// INDEX: cim.conv2d {{.*}}quant = #cim.quant<wbits = 6, abits = 6, ascheme = asymmetric>
// INDEX: cim.conv2d {{.*}}quant = #cim.quant<wbits = 1, abits = 16, ascheme = asymmetric>
// INDEX: cim.matmul {{.*}}quant = #cim.quant<wbits = 5, abits = 7, ascheme = asymmetric, granularity = per_tensor>
// INDEX: cim.gemm {{.*}}quant = #cim.quant<wbits = 6, abits = 6, ascheme = asymmetric>
// INDEX: cim.gemm {{.*}}quant = #cim.quant<wbits = 6, abits = 4, ascheme = asymmetric>

// KEEP-LABEL: func.func @net
// KEEP: cim.conv2d {{.*}}quant = #cim.quant<wbits = 8, abits = 8, ascheme = asymmetric>
// KEEP: cim.conv2d {{.*}}quant = #cim.quant<wbits = 4, abits = 6, ascheme = asymmetric>
// KEEP: cim.matmul {{.*}}quant = #cim.quant<wbits = 3, abits = 5, ascheme = asymmetric, granularity = per_tensor>
// KEEP: cim.gemm {{.*}}quant = #cim.quant<wbits = 8, abits = 8, ascheme = asymmetric>
// KEEP: cim.gemm {{.*}}quant = #cim.quant<wbits = 2, abits = 8, ascheme = asymmetric>
func.func @net(%x: tensor<1x3x8x8xf32>, %q: tensor<1x4x8xf32>, %k: tensor<1x8x4xf32>)
    -> (tensor<1x4x4xf32>, tensor<1x10xf32>) {
  %w1 = cim.constant dense<0.5> : tensor<4x3x3x3xf32>
  %0 = cim.conv2d %x, %w1 {name = "conv1"} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  %w2 = cim.constant dense<0.25> : tensor<4x4x3x3xf32>
  %1 = cim.conv2d %0, %w2 : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x4x4xf32> loc("conv2")
  %s = cim.matmul %q, %k : (tensor<1x4x8xf32>, tensor<1x8x4xf32>) -> tensor<1x4x4xf32> loc("scores")
  %2 = cim.flatten %1 : (tensor<1x4x4x4xf32>) -> tensor<1x64xf32>
  %w3 = cim.constant dense<0.1> : tensor<64x10xf32>
  %3 = cim.gemm %2, %w3 {name = "fc1"} : (tensor<1x64xf32>, tensor<64x10xf32>) -> tensor<1x10xf32>
  %w4 = cim.constant dense<0.1> : tensor<10x10xf32>
  %4 = cim.gemm %3, %w4 : (tensor<1x10xf32>, tensor<10x10xf32>) -> tensor<1x10xf32> loc("fc2")
  return %s, %4 : tensor<1x4x4xf32>, tensor<1x10xf32>
}
