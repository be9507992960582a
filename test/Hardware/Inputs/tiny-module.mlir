func.func @gemm(%x: tensor<1x20xf32>) -> tensor<1x6xf32> {
  %w = cim.constant dense<0.5> : tensor<20x6xf32>
  %y = cim.gemm %x, %w {quant = #cim.quant<wbits = 4, abits = 8>}
     : (tensor<1x20xf32>, tensor<20x6xf32>) -> tensor<1x6xf32>
  return %y : tensor<1x6xf32>
}
