// Two layers with the same name, for assign-bitwidths-policy-errors.mlir.
func.func @twins(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %w = cim.constant dense<0.5> : tensor<4x4xf32>
  %0 = cim.gemm %x, %w {name = "twin"} : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
  %1 = cim.gemm %0, %w {name = "twin"} : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
  return %1 : tensor<1x4xf32>
}
