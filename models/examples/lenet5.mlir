// LeNet-5 for 28x28 grayscale images (MNIST / Fashion-MNIST layout), in the
// cim graph level. Weights are placeholders (splat constants): this model is
// for exercising the pipeline and the cost model, not for accuracy. The
// trained ONNX model arrives with cim-tune (models/lenet5-fmnist.onnx).
func.func @lenet5(%image: tensor<1x1x28x28xf32>) -> tensor<1x10xf32> {
  %w1 = cim.constant dense<0.1> : tensor<6x1x5x5xf32>
  %b1 = cim.constant dense<0.0> : tensor<6xf32>
  %c1 = cim.conv2d %image, %w1, %b1 {name = "conv1", pads = array<i64: 2, 2, 2, 2>}
      : (tensor<1x1x28x28xf32>, tensor<6x1x5x5xf32>, tensor<6xf32>) -> tensor<1x6x28x28xf32>
  %r1 = cim.relu %c1 : tensor<1x6x28x28xf32>
  %p1 = cim.max_pool %r1 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : (tensor<1x6x28x28xf32>) -> tensor<1x6x14x14xf32>
  %w2 = cim.constant dense<0.05> : tensor<16x6x5x5xf32>
  %b2 = cim.constant dense<0.0> : tensor<16xf32>
  %c2 = cim.conv2d %p1, %w2, %b2 {name = "conv2"}
      : (tensor<1x6x14x14xf32>, tensor<16x6x5x5xf32>, tensor<16xf32>) -> tensor<1x16x10x10xf32>
  %r2 = cim.relu %c2 : tensor<1x16x10x10xf32>
  %p2 = cim.max_pool %r2 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : (tensor<1x16x10x10xf32>) -> tensor<1x16x5x5xf32>
  %f = cim.flatten %p2 : (tensor<1x16x5x5xf32>) -> tensor<1x400xf32>
  %w3 = cim.constant dense<0.01> : tensor<120x400xf32>
  %b3 = cim.constant dense<0.0> : tensor<120xf32>
  %g3 = cim.gemm %f, %w3, %b3 {name = "fc1", transB = true}
      : (tensor<1x400xf32>, tensor<120x400xf32>, tensor<120xf32>) -> tensor<1x120xf32>
  %r3 = cim.relu %g3 : tensor<1x120xf32>
  %w4 = cim.constant dense<0.01> : tensor<84x120xf32>
  %b4 = cim.constant dense<0.0> : tensor<84xf32>
  %g4 = cim.gemm %r3, %w4, %b4 {name = "fc2", transB = true}
      : (tensor<1x120xf32>, tensor<84x120xf32>, tensor<84xf32>) -> tensor<1x84xf32>
  %r4 = cim.relu %g4 : tensor<1x84xf32>
  %w5 = cim.constant dense<0.01> : tensor<10x84xf32>
  %b5 = cim.constant dense<0.0> : tensor<10xf32>
  %g5 = cim.gemm %r4, %w5, %b5 {name = "fc3", transB = true}
      : (tensor<1x84xf32>, tensor<10x84xf32>, tensor<10xf32>) -> tensor<1x10xf32>
  return %g5 : tensor<1x10xf32>
}
