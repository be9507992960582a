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
  // CHECK: cim.clip %{{.*}} {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : tensor<2x3xf32>
  %2 = cim.clip %1 {min = 0.0 : f64, max = 6.0 : f64} : tensor<2x3xf32>
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
  // CHECK: cim.max_pool %{{.*}} {ceil_mode = true, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x7x7xf32>) -> tensor<1x4x4x4xf32>
  %0 = cim.max_pool %x {ceil_mode = true, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>}
     : (tensor<1x4x7x7xf32>) -> tensor<1x4x4x4xf32>
  // CHECK: cim.avg_pool %{{.*}} {count_include_pad = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 3, 3>} : (tensor<1x4x7x7xf32>) -> tensor<1x4x3x3xf32>
  %1 = cim.avg_pool %x {count_include_pad = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 3, 3>}
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

// CHECK-LABEL: func.func @more_unary
func.func @more_unary(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: cim.abs %{{.*}} : tensor<2x3xf32>
  %0 = cim.abs %x : tensor<2x3xf32>
  // CHECK: cim.log %{{.*}} : tensor<2x3xf32>
  %1 = cim.log %0 : tensor<2x3xf32>
  // CHECK: cim.reciprocal %{{.*}} : tensor<2x3xf32>
  %2 = cim.reciprocal %1 : tensor<2x3xf32>
  // CHECK: cim.floor %{{.*}} : tensor<2x3xf32>
  %3 = cim.floor %2 : tensor<2x3xf32>
  // CHECK: cim.ceil %{{.*}} : tensor<2x3xf32>
  %4 = cim.ceil %3 : tensor<2x3xf32>
  // CHECK: cim.round %{{.*}} : tensor<2x3xf32>
  %5 = cim.round %4 : tensor<2x3xf32>
  // CHECK: cim.softplus %{{.*}} : tensor<2x3xf32>
  %6 = cim.softplus %5 : tensor<2x3xf32>
  // CHECK: cim.softsign %{{.*}} : tensor<2x3xf32>
  %7 = cim.softsign %6 : tensor<2x3xf32>
  // CHECK: cim.mish %{{.*}} : tensor<2x3xf32>
  %8 = cim.mish %7 : tensor<2x3xf32>
  // CHECK: cim.swish %{{.*}} {alpha = 1.500000e+00 : f32} : tensor<2x3xf32>
  %9 = cim.swish %8 {alpha = 1.5 : f32} : tensor<2x3xf32>
  // CHECK: cim.elu %{{.*}} {alpha = 5.000000e-01 : f32} : tensor<2x3xf32>
  %10 = cim.elu %9 {alpha = 0.5 : f32} : tensor<2x3xf32>
  // CHECK: cim.selu %{{.*}} : tensor<2x3xf32>
  %11 = cim.selu %10 : tensor<2x3xf32>
  // CHECK: cim.thresholded_relu %{{.*}} {alpha = 2.000000e+00 : f32} : tensor<2x3xf32>
  %12 = cim.thresholded_relu %11 {alpha = 2.0 : f32} : tensor<2x3xf32>
  // CHECK: cim.log_softmax %{{.*}} {axis = 0 : i64} : tensor<2x3xf32>
  %13 = cim.log_softmax %12 {axis = 0 : i64} : tensor<2x3xf32>
  // CHECK: cim.clip %{{.*}} {min = -4.000000e+00 : f64} : tensor<2x3xf32>
  %14 = cim.clip %13 {min = -4.0 : f64} : tensor<2x3xf32>
  return %14 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @logic
func.func @logic(%x: tensor<2x3xf32>, %y: tensor<3xf32>, %s: tensor<3xf32>, %i: tensor<4xi8>)
    -> (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf16>, tensor<4xi8>) {
  // CHECK: cim.equal %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %0 = cim.equal %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: cim.less %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %1 = cim.less %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: cim.less_equal %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %2 = cim.less_equal %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: cim.greater %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %3 = cim.greater %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: cim.greater_equal %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %4 = cim.greater_equal %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: cim.and %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  %5 = cim.and %0, %1 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  // CHECK: cim.or %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  %6 = cim.or %5, %2 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  // CHECK: cim.xor %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  %7 = cim.xor %6, %3 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  // CHECK: cim.not %{{.*}} : tensor<2x3xi1>
  %8 = cim.not %7 : tensor<2x3xi1>
  // CHECK: cim.where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %9 = cim.where %4, %x, %y : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: cim.prelu %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %10 = cim.prelu %9, %s : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: cim.cast %{{.*}} {saturate = false} : (tensor<2x3xf32>) -> tensor<2x3xf16>
  %11 = cim.cast %10 {saturate = false} : (tensor<2x3xf32>) -> tensor<2x3xf16>
  // CHECK: cim.cast %{{.*}} {round_mode = "nearest"} : (tensor<2x3xf32>) -> tensor<2x3x!cim.float<f8E8M0FNU>>
  %e8 = cim.cast %10 {round_mode = "nearest"} : (tensor<2x3xf32>) -> tensor<2x3x!cim.float<f8E8M0FNU>>
  // CHECK: cim.cast %{{.*}} : (tensor<2x3xf32>) -> tensor<2x3x!cim.float<f8E5M2>>
  %e5 = cim.cast %10 : (tensor<2x3xf32>) -> tensor<2x3x!cim.float<f8E5M2>>
  // CHECK: cim.clip %{{.*}} {max = 3.000000e+00 : f64, min = -3.000000e+00 : f64} : tensor<4xi8>
  %12 = cim.clip %i {min = -3.0 : f64, max = 3.0 : f64} : tensor<4xi8>
  return %8, %10, %11, %12 : tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf16>, tensor<4xi8>
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>, %i: tensor<2x3xi32>)
    -> (tensor<2x1x4xf32>, tensor<f32>, tensor<3xi32>) {
  // CHECK: cim.reduce_sum %{{.*}} {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  %0 = cim.reduce_sum %x {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  // CHECK: cim.reduce_prod %{{.*}} {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  %1 = cim.reduce_prod %x {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  // CHECK: cim.reduce_l1 %{{.*}} {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  %2 = cim.reduce_l1 %x {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  // CHECK: cim.reduce_l2 %{{.*}} {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  %3 = cim.reduce_l2 %x {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  // CHECK: cim.reduce_sum_square %{{.*}} {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  %4 = cim.reduce_sum_square %x {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  // CHECK: cim.reduce_log_sum %{{.*}} {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  %5 = cim.reduce_log_sum %x {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  // CHECK: cim.reduce_log_sum_exp %{{.*}} {axes = array<i64: -2>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  %6 = cim.reduce_log_sum_exp %x {axes = array<i64: -2>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  // CHECK: cim.reduce_max %{{.*}} {axes = array<i64>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<f32>
  %7 = cim.reduce_max %x {axes = array<i64>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<f32>
  // CHECK: cim.reduce_min %{{.*}} {axes = array<i64: 0>, keepdims = false} : (tensor<2x3xi32>) -> tensor<3xi32>
  %8 = cim.reduce_min %i {axes = array<i64: 0>, keepdims = false} : (tensor<2x3xi32>) -> tensor<3xi32>
  return %6, %7, %8 : tensor<2x1x4xf32>, tensor<f32>, tensor<3xi32>
}

// CHECK-LABEL: func.func @more_pooling_and_norms
func.func @more_pooling_and_norms(%x: tensor<1x4x8xf32>, %v: tensor<1x2x4x4x4xf32>, %u: tensor<1x1x4x4xui8>,
                                  %s: tensor<2xf32>, %b: tensor<2xf32>)
    -> (tensor<1x4x4xf32>, tensor<1x2x2x2x2xf32>, tensor<1x1x2x2xui8>, tensor<1x1x2x2xi64>, tensor<1x2x4x4x4xf32>, tensor<1x4x8xf32>) {
  // CHECK: cim.max_pool %{{.*}} {kernel_shape = array<i64: 2>, strides = array<i64: 2>} : (tensor<1x4x8xf32>) -> tensor<1x4x4xf32>
  %0 = cim.max_pool %x {kernel_shape = array<i64: 2>, strides = array<i64: 2>} : (tensor<1x4x8xf32>) -> tensor<1x4x4xf32>
  // CHECK: cim.avg_pool %{{.*}} {kernel_shape = array<i64: 2, 2, 2>, strides = array<i64: 2, 2, 2>} : (tensor<1x2x4x4x4xf32>) -> tensor<1x2x2x2x2xf32>
  %1 = cim.avg_pool %v {kernel_shape = array<i64: 2, 2, 2>, strides = array<i64: 2, 2, 2>} : (tensor<1x2x4x4x4xf32>) -> tensor<1x2x2x2x2xf32>
  // CHECK: cim.max_pool %{{.*}} {kernel_shape = array<i64: 2, 2>, storage_order = 1 : i64, strides = array<i64: 2, 2>, with_indices} : (tensor<1x1x4x4xui8>) -> (tensor<1x1x2x2xui8>, tensor<1x1x2x2xi64>)
  %2:2 = cim.max_pool %u {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, with_indices, storage_order = 1 : i64} : (tensor<1x1x4x4xui8>) -> (tensor<1x1x2x2xui8>, tensor<1x1x2x2xi64>)
  // CHECK: cim.instance_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f32} : (tensor<1x2x4x4x4xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4x4xf32>
  %3 = cim.instance_norm %v, %s, %b {epsilon = 1.0e-3 : f32} : (tensor<1x2x4x4x4xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4x4xf32>
  // CHECK: cim.lrn %{{.*}} {size = 3 : i64} : tensor<1x4x8xf32>
  %4 = cim.lrn %x {size = 3 : i64} : tensor<1x4x8xf32>
  return %0, %1, %2#0, %2#1, %3, %4 : tensor<1x4x4xf32>, tensor<1x2x2x2x2xf32>, tensor<1x1x2x2xui8>, tensor<1x1x2x2xi64>, tensor<1x2x4x4x4xf32>, tensor<1x4x8xf32>
}

// CHECK-LABEL: func.func @broadcasting
func.func @broadcasting(%x: tensor<3x1xf32>) -> (tensor<2x3x4xf32>, tensor<6x2xf32>) {
  // CHECK: cim.expand %{{.*}} {shape = array<i64: 2, 1, 4>} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %0 = cim.expand %x {shape = array<i64: 2, 1, 4>} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
  // CHECK: cim.tile %{{.*}} {repeats = array<i64: 2, 2>} : (tensor<3x1xf32>) -> tensor<6x2xf32>
  %1 = cim.tile %x {repeats = array<i64: 2, 2>} : (tensor<3x1xf32>) -> tensor<6x2xf32>
  return %0, %1 : tensor<2x3x4xf32>, tensor<6x2xf32>
}

// CHECK-LABEL: func.func @resize
func.func @resize(%x: tensor<1x2x4x4xf32>, %d: tensor<?x2x5x4xf64>)
    -> (tensor<1x2x8x8xf32>, tensor<1x2x3x3xf32>, tensor<1x2x2x2xf32>, tensor<?x2x7x4xf64>) {
  // Defaults (nearest, half_pixel, round_prefer_floor) are not printed.
  // CHECK: cim.resize %{{.*}} {scales = array<f64: 1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x8x8xf32>
  %0 = cim.resize %x {scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x8x8xf32>
  // CHECK: cim.resize %{{.*}} {coordinate_transformation_mode = #cim.resize_coordinate_mode<tf_crop_and_resize>, extrapolation_value = 1.000000e+01 : f32, mode = #cim.resize_mode<linear>, roi = array<f64: 0.000000e+00, 0.000000e+00, 4.000000e-01, 6.000000e-01, 1.000000e+00, 1.000000e+00, 6.000000e-01, 8.000000e-01>, scales = array<f64: 1.000000e+00, 1.000000e+00, 7.500000e-01, 7.500000e-01>, sizes = array<i64: 1, 2, 3, 3>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x3x3xf32>
  %1 = cim.resize %x {mode = #cim.resize_mode<linear>, coordinate_transformation_mode = #cim.resize_coordinate_mode<tf_crop_and_resize>,
                      roi = array<f64: 0.0, 0.0, 0.4, 0.6, 1.0, 1.0, 0.6, 0.8>, extrapolation_value = 10.0 : f32,
                      scales = array<f64: 1.0, 1.0, 0.75, 0.75>, sizes = array<i64: 1, 2, 3, 3>}
     : (tensor<1x2x4x4xf32>) -> tensor<1x2x3x3xf32>
  // CHECK: cim.resize %{{.*}} {antialias = true, cubic_coeff_a = -5.000000e-01 : f32, exclude_outside = true, mode = #cim.resize_mode<cubic>, scales = array<f64: 1.000000e+00, 1.000000e+00, 6.000000e-01, 6.000000e-01>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  %2 = cim.resize %x {mode = #cim.resize_mode<cubic>, antialias = true, cubic_coeff_a = -0.5 : f32, exclude_outside = true,
                      scales = array<f64: 1.0, 1.0, 0.6, 0.6>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  // A dynamic dimension stays dynamic; the output is floor(5 * 1.5) = 7.
  // CHECK: cim.resize %{{.*}} {coordinate_transformation_mode = #cim.resize_coordinate_mode<asymmetric>, nearest_mode = #cim.resize_nearest_mode<floor>, scales = array<f64: 1.000000e+00, 1.000000e+00, 1.500000e+00, 1.000000e+00>} : (tensor<?x2x5x4xf64>) -> tensor<?x2x7x4xf64>
  %3 = cim.resize %d {coordinate_transformation_mode = #cim.resize_coordinate_mode<asymmetric>, nearest_mode = #cim.resize_nearest_mode<floor>,
                      scales = array<f64: 1.0, 1.0, 1.5, 1.0>} : (tensor<?x2x5x4xf64>) -> tensor<?x2x7x4xf64>
  return %0, %1, %2, %3 : tensor<1x2x8x8xf32>, tensor<1x2x3x3xf32>, tensor<1x2x2x2xf32>, tensor<?x2x7x4xf64>
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

// CHECK-LABEL: func.func @quantization
func.func @quantization(%x: tensor<1x3x2x2xf32>, %s: tensor<f32>, %zp: tensor<ui8>,
                        %cs: tensor<3xf32>, %czp: tensor<3xi8>)
    -> (tensor<1x3x2x2xf32>, tensor<1x3x2x2xf32>) {
  // CHECK: cim.quantize_linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x3x2x2xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x3x2x2xui8>
  %q = cim.quantize_linear %x, %s, %zp : (tensor<1x3x2x2xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x3x2x2xui8>
  // CHECK: cim.dequantize_linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x3x2x2xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x3x2x2xf32>
  %d = cim.dequantize_linear %q, %s, %zp : (tensor<1x3x2x2xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x3x2x2xf32>
  // Per axis (axis 1 is the default and not printed); no zero point.
  // CHECK: cim.quantize_linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x3x2x2xf32>, tensor<3xf32>, tensor<3xi8>) -> tensor<1x3x2x2xi8>
  %cq = cim.quantize_linear %x, %cs, %czp {axis = 1 : i64} : (tensor<1x3x2x2xf32>, tensor<3xf32>, tensor<3xi8>) -> tensor<1x3x2x2xi8>
  // CHECK: cim.dequantize_linear %{{.*}}, %{{.*}} {axis = -3 : i64} : (tensor<1x3x2x2xi8>, tensor<3xf32>) -> tensor<1x3x2x2xf32>
  %cd = cim.dequantize_linear %cq, %cs {axis = -3 : i64} : (tensor<1x3x2x2xi8>, tensor<3xf32>) -> tensor<1x3x2x2xf32>
  return %d, %cd : tensor<1x3x2x2xf32>, tensor<1x3x2x2xf32>
}

// Blocked scales (block_size along axis); small float data.
// CHECK-LABEL: func.func @quantization_blocked_small_float
func.func @quantization_blocked_small_float(%x: tensor<2x5xf32>, %s: tensor<2x3xf32>,
    %zp: tensor<2x3xui8>, %fzp: tensor<2x3x!cim.float<f8E4M3FNUZ>>)
    -> (tensor<2x5xf32>, tensor<2x5x!cim.float<f8E4M3FNUZ>>) {
  // CHECK: cim.quantize_linear %{{.*}}, %{{.*}}, %{{.*}} {block_size = 2 : i64} : (tensor<2x5xf32>, tensor<2x3xf32>, tensor<2x3xui8>) -> tensor<2x5xui8>
  %q = cim.quantize_linear %x, %s, %zp {block_size = 2 : i64} : (tensor<2x5xf32>, tensor<2x3xf32>, tensor<2x3xui8>) -> tensor<2x5xui8>
  // CHECK: cim.dequantize_linear %{{.*}}, %{{.*}}, %{{.*}} {block_size = 2 : i64} : (tensor<2x5xui8>, tensor<2x3xf32>, tensor<2x3xui8>) -> tensor<2x5xf32>
  %d = cim.dequantize_linear %q, %s, %zp {block_size = 2 : i64} : (tensor<2x5xui8>, tensor<2x3xf32>, tensor<2x3xui8>) -> tensor<2x5xf32>
  // CHECK: cim.quantize_linear %{{.*}}, %{{.*}}, %{{.*}} {block_size = 2 : i64, saturate = false} : (tensor<2x5xf32>, tensor<2x3xf32>, tensor<2x3x!cim.float<f8E4M3FNUZ>>) -> tensor<2x5x!cim.float<f8E4M3FNUZ>>
  %f = cim.quantize_linear %x, %s, %fzp {block_size = 2 : i64, saturate = false} : (tensor<2x5xf32>, tensor<2x3xf32>, tensor<2x3x!cim.float<f8E4M3FNUZ>>) -> tensor<2x5x!cim.float<f8E4M3FNUZ>>
  return %d, %f : tensor<2x5xf32>, tensor<2x5x!cim.float<f8E4M3FNUZ>>
}
