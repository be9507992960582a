// cim-canonicalize folds ops on constants with the reference executor's
// kernels, removes dead ops, keeps Q/DQ ops and respects the size limit.
// RUN: cim-opt %s --cim-canonicalize | FileCheck %s --enable-var-scope
// RUN: cim-opt %s --cim-canonicalize="max-elements=3" | FileCheck %s --check-prefix=LIMIT

// CHECK-LABEL: func.func @fold_transpose
// CHECK:       %[[T:.*]] = cim.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-NEXT:  %[[Y:.*]] = cim.matmul %arg0, %[[T]]
// CHECK-NEXT:  return %[[Y]]
// LIMIT-LABEL: func.func @fold_transpose
// LIMIT:       cim.transpose
func.func @fold_transpose(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = cim.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %t = cim.transpose %w : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = cim.matmul %x, %t : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// A chain folds to one constant: relu(a * b + c) with integers and floats.
// CHECK-LABEL: func.func @fold_chain
// CHECK-DAG:   cim.constant dense<[0.000000e+00, 2.500000e+00, 7.000000e+00]> : tensor<3xf32>
// CHECK-DAG:   cim.constant dense<[6, -3]> : tensor<2xi64>
// CHECK-NOT:   cim.add
// CHECK-NOT:   cim.mul
// CHECK-NOT:   cim.relu
// LIMIT-LABEL: func.func @fold_chain
// LIMIT-NOT:   cim.relu
func.func @fold_chain() -> (tensor<3xf32>, tensor<2xi64>) {
  %a = cim.constant dense<[-1.0, 0.5, 2.0]> : tensor<3xf32>
  %b = cim.constant dense<2.0> : tensor<3xf32>
  %c = cim.constant dense<[1.0, 1.5, 3.0]> : tensor<3xf32>
  %m = cim.mul %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %s = cim.add %m, %c : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %r = cim.relu %s : tensor<3xf32>
  %i = cim.constant dense<[7, -7]> : tensor<2xi64>
  %d = cim.constant dense<[1, 2]> : tensor<2xi64>
  %q = cim.div %i, %d : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %o = cim.constant dense<[-1, 0]> : tensor<2xi64>
  %e = cim.add %q, %o : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %r, %e : tensor<3xf32>, tensor<2xi64>
}

// Results above 256 elements become dense_resource blobs.
// CHECK-LABEL: func.func @fold_large
// CHECK:       cim.constant dense_resource<{{.*}}> : tensor<300xf32>
// CHECK-NOT:   cim.neg
// LIMIT-LABEL: func.func @fold_large
// LIMIT:       cim.neg
func.func @fold_large() -> tensor<300xf32> {
  %a = cim.constant dense<1.5> : tensor<300xf32>
  %n = cim.neg %a : tensor<300xf32>
  return %n : tensor<300xf32>
}

// Dead ops go; ops that depend on the input stay.
// CHECK-LABEL: func.func @dead_code
// CHECK-NEXT:  %[[R:.*]] = cim.relu %arg0
// CHECK-NEXT:  return %[[R]]
func.func @dead_code(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %unused = cim.sigmoid %x : tensor<1x4xf32>
  %c = cim.constant dense<1.0> : tensor<4x4xf32>
  %unused2 = cim.matmul %x, %c : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
  %r = cim.relu %x : tensor<1x4xf32>
  return %r : tensor<1x4xf32>
}

// Quantize/dequantize of constants stay for cim-fold-qdq.
// CHECK-LABEL: func.func @keep_qdq
// CHECK:       cim.dequantize_linear
// CHECK:       cim.conv2d
func.func @keep_qdq(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %wq = cim.constant dense<[[[[1]]], [[[-2]]]]> : tensor<2x1x1x1xi8>
  %s = cim.constant dense<0.5> : tensor<f32>
  %w = cim.dequantize_linear %wq, %s : (tensor<2x1x1x1xi8>, tensor<f32>) -> tensor<2x1x1x1xf32>
  %y = cim.conv2d %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// An op the executor rejects on these constants (integer division by zero)
// is left for run time.
// CHECK-LABEL: func.func @not_evaluable
// CHECK:       cim.div
func.func @not_evaluable() -> tensor<2xi32> {
  %a = cim.constant dense<[4, 2]> : tensor<2xi32>
  %b = cim.constant dense<[2, 0]> : tensor<2xi32>
  %d = cim.div %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %d : tensor<2xi32>
}
