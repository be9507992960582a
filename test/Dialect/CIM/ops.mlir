// Round trip of every cim op: print, re-parse, print again; also through the
// generic form, which exercises the verifiers and shape inference twice.
// RUN: cim-opt %s | cim-opt | FileCheck %s
// RUN: cim-opt %s --mlir-print-op-generic | cim-opt | FileCheck %s

// CHECK-LABEL: func.func @constants
func.func @constants() -> (tensor<2x2xf32>, tensor<3xi64>) {
  // CHECK: cim.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  %0 = cim.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // CHECK: cim.constant dense<[1, -1, 4]> : tensor<3xi64>
  %1 = cim.constant dense<[1, -1, 4]> : tensor<3xi64>
  return %0, %1 : tensor<2x2xf32>, tensor<3xi64>
}

// CHECK-LABEL: func.func @resource_constant
func.func @resource_constant() -> tensor<2xf32> {
  // CHECK: cim.constant dense_resource<weights> : tensor<2xf32>
  %0 = cim.constant dense_resource<weights> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// CHECK-LABEL: func.func @conv
func.func @conv(%x: tensor<1x8x16x16xf32>, %w: tensor<16x8x3x3xf32>,
                %b: tensor<16xf32>, %dw: tensor<8x1x3x3xf32>)
    -> (tensor<1x16x8x8xf32>, tensor<1x8x12x12xf32>) {
  // CHECK: cim.conv2d %{{.*}}, %{{.*}}, %{{.*}} {name = "conv1", pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x16x16xf32>, tensor<16x8x3x3xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32>
  %0 = cim.conv2d %x, %w, %b {name = "conv1", pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
     : (tensor<1x8x16x16xf32>, tensor<16x8x3x3xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32>
  // Depthwise with dilation 2: 16 - 2*(3-1) = 12.
  // CHECK: cim.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 2, 2>, group = 8 : i64} : (tensor<1x8x16x16xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x12x12xf32>
  %1 = cim.conv2d %x, %dw {dilations = array<i64: 2, 2>, group = 8 : i64}
     : (tensor<1x8x16x16xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x12x12xf32>
  return %0, %1 : tensor<1x16x8x8xf32>, tensor<1x8x12x12xf32>
}

// CHECK-LABEL: func.func @gemm_matmul
func.func @gemm_matmul(%a: tensor<4x32xf32>, %b: tensor<10x32xf32>, %c: tensor<10xf32>,
                       %t: tensor<2x16x64xf32>, %w: tensor<64x128xf32>, %v: tensor<64xf32>)
    -> (tensor<4x10xf32>, tensor<2x16x128xf32>, tensor<2x16xf32>) {
  // CHECK: cim.gemm %{{.*}}, %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f32, transB = true} : (tensor<4x32xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<4x10xf32>
  %0 = cim.gemm %a, %b, %c {alpha = 0.5 : f32, transB = true}
     : (tensor<4x32xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<4x10xf32>
  // CHECK: cim.matmul %{{.*}}, %{{.*}} : (tensor<2x16x64xf32>, tensor<64x128xf32>) -> tensor<2x16x128xf32>
  %1 = cim.matmul %t, %w : (tensor<2x16x64xf32>, tensor<64x128xf32>) -> tensor<2x16x128xf32>
  // A rank-1 right operand drops the last dimension.
  // CHECK: cim.matmul %{{.*}}, %{{.*}} : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16xf32>
  %2 = cim.matmul %t, %v : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16xf32>
  return %0, %1, %2 : tensor<4x10xf32>, tensor<2x16x128xf32>, tensor<2x16xf32>
}

// CHECK-LABEL: func.func @binary
func.func @binary(%x: tensor<1x8x4x4xf32>, %y: tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32> {
  // CHECK: cim.add %{{.*}}, %{{.*}} : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %0 = cim.add %x, %y : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: cim.sub
  %1 = cim.sub %0, %y : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: cim.mul
  %2 = cim.mul %1, %y : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: cim.div
  %3 = cim.div %2, %y : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: cim.pow
  %4 = cim.pow %3, %y : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: cim.max
  %5 = cim.max %4, %x : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: cim.min
  %6 = cim.min %5, %x : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %6 : tensor<1x8x4x4xf32>
}

// CHECK-LABEL: func.func @unary
func.func @unary(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: cim.relu %{{.*}} : tensor<2x3xf32>
  %0 = cim.relu %x : tensor<2x3xf32>
  // CHECK: cim.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f32} : tensor<2x3xf32>
  %1 = cim.leaky_relu %0 {alpha = 0.1 : f32} : tensor<2x3xf32>
  // CHECK: cim.clip %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32} : tensor<2x3xf32>
  %2 = cim.clip %1 {min = 0.0 : f32, max = 6.0 : f32} : tensor<2x3xf32>
  // CHECK: cim.sigmoid
  %3 = cim.sigmoid %2 : tensor<2x3xf32>
  // Attributes equal to their default (beta = 0.5) are not printed.
  // CHECK: cim.hard_sigmoid %{{.*}} {alpha = 0.166666672 : f32} :
  %4 = cim.hard_sigmoid %3 {alpha = 0.16666667 : f32, beta = 0.5 : f32} : tensor<2x3xf32>
  // CHECK: cim.hard_swish
  %5 = cim.hard_swish %4 : tensor<2x3xf32>
  // CHECK: cim.tanh
  %6 = cim.tanh %5 : tensor<2x3xf32>
  // CHECK: cim.erf
  %7 = cim.erf %6 : tensor<2x3xf32>
  // CHECK: cim.gelu %{{.*}} {approximate = #cim.gelu_approximation<tanh>}
  %8 = cim.gelu %7 {approximate = #cim.gelu_approximation<tanh>} : tensor<2x3xf32>
  // CHECK: cim.sqrt
  %9 = cim.sqrt %8 : tensor<2x3xf32>
  // CHECK: cim.exp
  %10 = cim.exp %9 : tensor<2x3xf32>
  // CHECK: cim.neg
  %11 = cim.neg %10 : tensor<2x3xf32>
  return %11 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @pooling
func.func @pooling(%x: tensor<1x4x7x7xf32>)
    -> (tensor<1x4x4x4xf32>, tensor<1x4x3x3xf32>, tensor<1x4x1x1xf32>,
        tensor<1x4x1x1xf32>, tensor<1x4xf32>) {
  // ceil_mode: ceil((7 - 2) / 2) + 1 = 4.
  // CHECK: cim.max_pool2d %{{.*}} {ceil_mode = true, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x7x7xf32>) -> tensor<1x4x4x4xf32>
  %0 = cim.max_pool2d %x {ceil_mode = true, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>}
     : (tensor<1x4x7x7xf32>) -> tensor<1x4x4x4xf32>
  // CHECK: cim.avg_pool2d %{{.*}} {count_include_pad = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 3, 3>} : (tensor<1x4x7x7xf32>) -> tensor<1x4x3x3xf32>
  %1 = cim.avg_pool2d %x {count_include_pad = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 3, 3>}
     : (tensor<1x4x7x7xf32>) -> tensor<1x4x3x3xf32>
  // CHECK: cim.global_avg_pool %{{.*}} : (tensor<1x4x7x7xf32>) -> tensor<1x4x1x1xf32>
  %2 = cim.global_avg_pool %x : (tensor<1x4x7x7xf32>) -> tensor<1x4x1x1xf32>
  // CHECK: cim.global_max_pool %{{.*}} : (tensor<1x4x7x7xf32>) -> tensor<1x4x1x1xf32>
  %3 = cim.global_max_pool %x : (tensor<1x4x7x7xf32>) -> tensor<1x4x1x1xf32>
  // CHECK: cim.reduce_mean %{{.*}} {axes = array<i64: -1, 2>, keepdims = false} : (tensor<1x4x7x7xf32>) -> tensor<1x4xf32>
  %4 = cim.reduce_mean %x {axes = array<i64: -1, 2>, keepdims = false} : (tensor<1x4x7x7xf32>) -> tensor<1x4xf32>
  return %0, %1, %2, %3, %4 : tensor<1x4x4x4xf32>, tensor<1x4x3x3xf32>, tensor<1x4x1x1xf32>, tensor<1x4x1x1xf32>, tensor<1x4xf32>
}

// CHECK-LABEL: func.func @normalization
func.func @normalization(%x: tensor<1x16x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>,
                         %img: tensor<1x4x2x2xf32>, %c: tensor<4xf32>)
    -> (tensor<1x16x64xf32>, tensor<1x16x64xf32>, tensor<1x4x2x2xf32>) {
  // CHECK: cim.softmax %{{.*}} {axis = 1 : i64} : tensor<1x16x64xf32>
  %0 = cim.softmax %x {axis = 1 : i64} : tensor<1x16x64xf32>
  // CHECK: cim.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 9.99999996E-13 : f32} : (tensor<1x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x16x64xf32>
  %1 = cim.layer_norm %0, %g, %b {epsilon = 1.0e-12 : f32} : (tensor<1x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x16x64xf32>
  // CHECK: cim.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  %2 = cim.batch_norm %img, %c, %c, %c, %c : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return %0, %1, %2 : tensor<1x16x64xf32>, tensor<1x16x64xf32>, tensor<1x4x2x2xf32>
}

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%x: tensor<1x4x6x6xf32>, %y: tensor<1x2x6x6xf32>, %idx: tensor<2xi64>)
    -> (tensor<144xf32>, tensor<1x144xf32>, tensor<1x6x6x4xf32>, tensor<1x6x6x6xf32>,
        tensor<1x1x6x6xf32>, tensor<1x3x6x6xf32>, tensor<1x4x3x2xf32>, tensor<1x4x8x8xf32>,
        tensor<1x2x6x6xf32>) {
  // CHECK: cim.reshape %{{.*}} : (tensor<1x4x6x6xf32>) -> tensor<144xf32>
  %0 = cim.reshape %x : (tensor<1x4x6x6xf32>) -> tensor<144xf32>
  // CHECK: cim.flatten %{{.*}} : (tensor<1x4x6x6xf32>) -> tensor<1x144xf32>
  %1 = cim.flatten %x : (tensor<1x4x6x6xf32>) -> tensor<1x144xf32>
  // CHECK: cim.transpose %{{.*}} {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x4x6x6xf32>) -> tensor<1x6x6x4xf32>
  %2 = cim.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x4x6x6xf32>) -> tensor<1x6x6x4xf32>
  // CHECK: cim.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<1x4x6x6xf32>, tensor<1x2x6x6xf32>) -> tensor<1x6x6x6xf32>
  %3 = cim.concat %x, %y {axis = 1 : i64} : (tensor<1x4x6x6xf32>, tensor<1x2x6x6xf32>) -> tensor<1x6x6x6xf32>
  // CHECK: cim.split %{{.*}} {axis = 1 : i64, sizes = array<i64: 1, 3>} : (tensor<1x4x6x6xf32>) -> (tensor<1x1x6x6xf32>, tensor<1x3x6x6xf32>)
  %4:2 = cim.split %x {axis = 1 : i64, sizes = array<i64: 1, 3>} : (tensor<1x4x6x6xf32>) -> (tensor<1x1x6x6xf32>, tensor<1x3x6x6xf32>)
  // Rows 1, 3, 5 (step 2) and columns 5, 4 counted from the back.
  // CHECK: cim.slice %{{.*}} {axes = array<i64: 2, 3>, ends = array<i64: 9223372036854775807, -3>, starts = array<i64: 1, -1>, steps = array<i64: 2, -1>} : (tensor<1x4x6x6xf32>) -> tensor<1x4x3x2xf32>
  %5 = cim.slice %x {axes = array<i64: 2, 3>, starts = array<i64: 1, -1>, ends = array<i64: 9223372036854775807, -3>, steps = array<i64: 2, -1>}
     : (tensor<1x4x6x6xf32>) -> tensor<1x4x3x2xf32>
  // CHECK: cim.pad %{{.*}} {mode = #cim.pad_mode<reflect>, pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x4x6x6xf32>) -> tensor<1x4x8x8xf32>
  %6 = cim.pad %x {mode = #cim.pad_mode<reflect>, pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x4x6x6xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: cim.gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<1x4x6x6xf32>, tensor<2xi64>) -> tensor<1x2x6x6xf32>
  %7 = cim.gather %x, %idx {axis = 1 : i64} : (tensor<1x4x6x6xf32>, tensor<2xi64>) -> tensor<1x2x6x6xf32>
  return %0, %1, %2, %3, %4#0, %4#1, %5, %6, %7 : tensor<144xf32>, tensor<1x144xf32>, tensor<1x6x6x4xf32>, tensor<1x6x6x6xf32>, tensor<1x1x6x6xf32>, tensor<1x3x6x6xf32>, tensor<1x4x3x2xf32>, tensor<1x4x8x8xf32>, tensor<1x2x6x6xf32>
}

// CHECK-LABEL: func.func @dynamic_batch
func.func @dynamic_batch(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32> {
  // CHECK: cim.conv2d %{{.*}}, %{{.*}} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  %0 = cim.conv2d %x, %w : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return %0 : tensor<?x4x6x6xf32>
}

{-#
  dialect_resources: {
    builtin: {
      weights: "0x040000000000803F00000040"
    }
  }
#-}
