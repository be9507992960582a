// The layer interface: im2col matrix [rows, cols, groups, invocations] and
// the layer name.
// RUN: cim-opt %s --cim-test-layer-info | FileCheck %s

// CHECK-LABEL: func.func @conv
func.func @conv(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x16x16x16xf32> {
  // rows = 3*3*3, cols = 16, one MVM per output pixel: 16*16.
  // CHECK: test.layer = array<i64: 27, 16, 1, 256>, test.name = "conv1"
  %0 = cim.conv2d %x, %w {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x16x16xf32> loc("conv1")
  return %0 : tensor<1x16x16x16xf32>
}

// CHECK-LABEL: func.func @depthwise
func.func @depthwise(%x: tensor<2x8x8x8xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<2x8x6x6xf32> {
  // Eight groups of a 9 x 1 matrix; batch 2 doubles the invocations.
  // The name attribute wins over the location.
  // CHECK: test.layer = array<i64: 9, 1, 8, 72>, test.name = "dw"
  %0 = cim.conv2d %x, %w {group = 8 : i64, name = "dw"} : (tensor<2x8x8x8xf32>, tensor<8x1x3x3xf32>) -> tensor<2x8x6x6xf32> loc("ignored")
  return %0 : tensor<2x8x6x6xf32>
}

// CHECK-LABEL: func.func @gemm
func.func @gemm(%x: tensor<4x256xf32>, %w: tensor<10x256xf32>) -> tensor<4x10xf32> {
  // transB: B' = 256 x 10; one MVM per row of A.
  // CHECK: test.constant_weight = false, test.layer = array<i64: 256, 10, 1, 4>, test.name = "fc"
  %0 = cim.gemm %x, %w {transB = true} : (tensor<4x256xf32>, tensor<10x256xf32>) -> tensor<4x10xf32> loc(fused["fc", "model.onnx":3:0])
  return %0 : tensor<4x10xf32>
}

// CHECK-LABEL: func.func @matmul
func.func @matmul(%x: tensor<2x16x64xf32>) -> tensor<2x16x128xf32> {
  %w = cim.constant dense<1.0> : tensor<64x128xf32>
  // A transformer projection: one MVM per token (2 x 16).
  // CHECK: test.constant_weight = true, test.layer = array<i64: 64, 128, 1, 32>, test.name = ""
  %0 = cim.matmul %x, %w : (tensor<2x16x64xf32>, tensor<64x128xf32>) -> tensor<2x16x128xf32>
  return %0 : tensor<2x16x128xf32>
}
