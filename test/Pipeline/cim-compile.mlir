// The named pipeline's front end: cim-canonicalize, cim-fold-batchnorm,
// cim-fold-qdq and bit assignment, configured by one option string
// (stop-after=bits; the whole pipeline is in cim-compile-stages.mlir).
// RUN: cim-opt %s --cim-compile="wbits=4 abits=4 stop-after=bits" | FileCheck %s
// RUN: cim-opt %s --pass-pipeline="builtin.module(cim-compile{wbits=2 abits=8 stop-after=bits})" | FileCheck %s --check-prefix=NESTED

// CHECK-LABEL: func.func @net
// NESTED-LABEL: func.func @net
func.func @net(%x: tensor<1x16xf32>) -> tensor<1x4xf32> {
  // Canonicalization folds the reshape of a constant and the identity
  // transpose away.
  // CHECK-NOT: cim.reshape
  // CHECK-NOT: cim.transpose
  %w0 = cim.constant dense<0.5> : tensor<64xf32>
  %w = cim.reshape %w0 : (tensor<64xf32>) -> tensor<16x4xf32>
  %t = cim.transpose %x {perm = array<i64: 0, 1>} : (tensor<1x16xf32>) -> tensor<1x16xf32>
  // CHECK: cim.matmul %arg0, %{{.*}} {quant = #cim.quant<wbits = 4, abits = 4, ascheme = asymmetric>}
  // NESTED: quant = #cim.quant<wbits = 2, abits = 8, ascheme = asymmetric>
  %y = cim.matmul %t, %w : (tensor<1x16xf32>, tensor<16x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// Batch norms fold before bits are assigned.
// CHECK-LABEL: func.func @fold_batchnorm
// CHECK-NOT:   cim.batch_norm
// CHECK:       cim.conv2d %arg0, %{{.*}}, %{{.*}} {quant = #cim.quant<wbits = 4, abits = 4, ascheme = asymmetric>}
// CHECK-NOT:   cim.batch_norm
func.func @fold_batchnorm(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = cim.constant dense<[[[[1.0]]], [[[-2.0]]]]> : tensor<2x1x1x1xf32>
  %p = cim.constant dense<1.0> : tensor<2xf32>
  %y = cim.conv2d %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %z = cim.batch_norm %y, %p, %p, %p, %p : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %z : tensor<1x2x2x2xf32>
}

// A QDQ weight is absorbed; the pipeline's 4 bits then rescale its int8
// scale to the same range: 0.5 * 127 / 7.
// CHECK-LABEL: func.func @fold_qdq
// CHECK-NOT:   cim.dequantize_linear
// CHECK:       cim.conv2d %arg0, %{{.*}} {quant = #cim.quant<wbits = 4, abits = 4, granularity = per_tensor, wscale = [9.071428e+00]>}
func.func @fold_qdq(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %wq = cim.constant dense<[[[[1]]], [[[-2]]]]> : tensor<2x1x1x1xi8>
  %ws = cim.constant dense<0.5> : tensor<f32>
  %w = cim.dequantize_linear %wq, %ws : (tensor<2x1x1x1xi8>, tensor<f32>) -> tensor<2x1x1x1xf32>
  %y = cim.conv2d %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}
