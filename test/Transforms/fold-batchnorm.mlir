// cim-fold-batchnorm folds inference batch norms into the conv2d / gemm that
// feeds them: W'[c] = W[c] * a[c], b'[c] = (b[c] - mean[c]) * a[c] + bias[c]
// with a[c] = scale[c] / sqrt(var[c] + epsilon). The numbers are small
// enough to check by hand.
// RUN: cim-opt %s --cim-fold-batchnorm | FileCheck %s --enable-var-scope

// a = [3 / sqrt(4), 0.5 / sqrt(0.25)] = [1.5, 1]
// W' = [2 * 1.5, -1 * 1] = [3, -1]
// b' = [(1 - 1) * 1.5 + 0.25, (0.5 - 2) * 1 - 1] = [0.25, -2.5]
// CHECK-LABEL: func.func @conv_with_bias
// CHECK-DAG:   %[[W:.*]] = cim.constant dense<{{\[\[\[\[}}3.000000e+00]]], {{\[\[\[}}-1.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG:   %[[B:.*]] = cim.constant dense<[2.500000e-01, -2.500000e+00]> : tensor<2xf32>
// CHECK:       %[[Y:.*]] = cim.conv2d %arg0, %[[W]], %[[B]] {name = "conv"}
// CHECK-NOT:   cim.batch_norm
// CHECK:       return %[[Y]]
func.func @conv_with_bias(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = cim.constant dense<[[[[2.0]]], [[[-1.0]]]]> : tensor<2x1x1x1xf32>
  %b = cim.constant dense<[1.0, 0.5]> : tensor<2xf32>
  %scale = cim.constant dense<[3.0, 0.5]> : tensor<2xf32>
  %bias = cim.constant dense<[0.25, -1.0]> : tensor<2xf32>
  %mean = cim.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = cim.constant dense<[4.0, 0.25]> : tensor<2xf32>
  %y = cim.conv2d %x, %w, %b {name = "conv"} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %z = cim.batch_norm %y, %scale, %bias, %mean, %var {epsilon = 0.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %z : tensor<1x2x2x2xf32>
}

// No bias: the conv gets one. epsilon counts:
// a = [2 / sqrt(0.75 + 0.25), 1 / sqrt(3.75 + 0.25)] = [2, 0.5]
// W' = [1 * 2, 4 * 0.5] = [2, 2]; b' = [(0 - 1) * 2 + 0.5, (0 - 2) * 0.5 + 0] = [-1.5, -1]
// CHECK-LABEL: func.func @conv_without_bias
// CHECK-DAG:   %[[W:.*]] = cim.constant dense<2.000000e+00> : tensor<2x1x1x1xf32>
// CHECK-DAG:   %[[B:.*]] = cim.constant dense<[-1.500000e+00, -1.000000e+00]> : tensor<2xf32>
// CHECK:       cim.conv2d %arg0, %[[W]], %[[B]] : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NOT:   cim.batch_norm
func.func @conv_without_bias(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = cim.constant dense<[[[[1.0]]], [[[4.0]]]]> : tensor<2x1x1x1xf32>
  %scale = cim.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %bias = cim.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %mean = cim.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = cim.constant dense<[0.75, 3.75]> : tensor<2xf32>
  %y = cim.conv2d %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %z = cim.batch_norm %y, %scale, %bias, %mean, %var {epsilon = 0.25 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %z : tensor<1x2x2x2xf32>
}

// gemm with transB: weight row c is output channel c. a = [2, 1].
// CHECK-LABEL: func.func @gemm_trans_b
// CHECK-DAG:   %[[W:.*]] = cim.constant dense<{{\[\[}}2.000000e+00, 4.000000e+00, 6.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// CHECK-DAG:   %[[C:.*]] = cim.constant dense<[-2.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK:       cim.gemm %arg0, %[[W]], %[[C]] {transB = true}
// CHECK-NOT:   cim.batch_norm
func.func @gemm_trans_b(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = cim.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %scale = cim.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %bias = cim.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %mean = cim.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = cim.constant dense<1.0> : tensor<2xf32>
  %y = cim.gemm %x, %w {transB = true} : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  %z = cim.batch_norm %y, %scale, %bias, %mean, %var {epsilon = 0.0 : f32} : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %z : tensor<1x2xf32>
}

// Without transB column c is the channel; beta * C joins the new C and beta
// becomes 1 (not printed): C' = [(2 * 1 - 1) * 2 + 0, (2 * 1 - 0) * 1 + 1] = [2, 3].
// CHECK-LABEL: func.func @gemm_beta
// CHECK-DAG:   %[[W:.*]] = cim.constant dense<{{\[\[}}2.000000e+00, 2.000000e+00], [6.000000e+00, 4.000000e+00], [1.000000e+01, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-DAG:   %[[C:.*]] = cim.constant dense<[2.000000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK:       cim.gemm %arg0, %[[W]], %[[C]] {alpha = 5.000000e-01 : f32} :
func.func @gemm_beta(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = cim.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %c = cim.constant dense<1.0> : tensor<2xf32>
  %scale = cim.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %bias = cim.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %mean = cim.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = cim.constant dense<1.0> : tensor<2xf32>
  %y = cim.gemm %x, %w, %c {alpha = 0.5 : f32, beta = 2.0 : f32} : (tensor<1x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %z = cim.batch_norm %y, %scale, %bias, %mean, %var {epsilon = 0.0 : f32} : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %z : tensor<1x2xf32>
}

// A per-row C stays M x N: C' = [[0 * 2 + 0, 2 + 1], [2 * 2 + 0, 4 + 1]].
// CHECK-LABEL: func.func @gemm_full_c
// CHECK:       %[[C:.*]] = cim.constant dense<{{\[\[}}0.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00]]> : tensor<2x2xf32>
// CHECK:       cim.gemm %arg0, %{{.*}}, %[[C]] {transB = true}
func.func @gemm_full_c(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %w = cim.constant dense<1.0> : tensor<2x3xf32>
  %c = cim.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %scale = cim.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %bias = cim.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %mean = cim.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = cim.constant dense<1.0> : tensor<2xf32>
  %y = cim.gemm %x, %w, %c {transB = true} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %z = cim.batch_norm %y, %scale, %bias, %mean, %var {epsilon = 0.0 : f32} : (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %z : tensor<2x2xf32>
}

// Left alone: the conv result has another user, the weight is not a
// constant, the producer is not a layer.
// CHECK-LABEL: func.func @not_folded
// CHECK-COUNT-3: cim.batch_norm
func.func @not_folded(%x: tensor<1x1x2x2xf32>, %dyn: tensor<2x1x1x1xf32>)
    -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w = cim.constant dense<1.0> : tensor<2x1x1x1xf32>
  %p = cim.constant dense<1.0> : tensor<2xf32>
  %y = cim.conv2d %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %z = cim.batch_norm %y, %p, %p, %p, %p : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %y2 = cim.conv2d %x, %dyn : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %z2 = cim.batch_norm %y2, %p, %p, %p, %p : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %r = cim.relu %y2 : tensor<1x2x2x2xf32>
  %z3 = cim.batch_norm %r, %p, %p, %p, %p : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y, %z, %z2, %z3 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// Two layers share a weight: each gets its own folded copy and the shared
// constant goes once neither uses it.
// CHECK-LABEL: func.func @shared_weight
// CHECK-NOT:   dense<1.000000e+00> : tensor<2x1x1x1xf32>
// CHECK-DAG:   cim.constant dense<2.000000e+00> : tensor<2x1x1x1xf32>
// CHECK-DAG:   cim.constant dense<4.000000e+00> : tensor<2x1x1x1xf32>
// CHECK-NOT:   cim.batch_norm
func.func @shared_weight(%x: tensor<1x1x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w = cim.constant dense<1.0> : tensor<2x1x1x1xf32>
  %zero = cim.constant dense<0.0> : tensor<2xf32>
  %one = cim.constant dense<1.0> : tensor<2xf32>
  %two = cim.constant dense<2.0> : tensor<2xf32>
  %four = cim.constant dense<4.0> : tensor<2xf32>
  %y1 = cim.conv2d %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %z1 = cim.batch_norm %y1, %two, %zero, %zero, %one {epsilon = 0.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %y2 = cim.conv2d %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %z2 = cim.batch_norm %y2, %four, %zero, %zero, %one {epsilon = 0.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %z1, %z2 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}
