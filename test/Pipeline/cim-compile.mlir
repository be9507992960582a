// The named pipeline runs canonicalization and bit assignment, configured
// by one option string.
// RUN: cim-opt %s --cim-compile="wbits=4 abits=4" | FileCheck %s
// RUN: cim-opt %s --pass-pipeline="builtin.module(cim-compile{wbits=2 abits=8})" | FileCheck %s --check-prefix=NESTED

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
  // CHECK: cim.matmul %arg0, %{{.*}} {quant = #cim.quant<wbits = 4, abits = 4>}
  // NESTED: quant = #cim.quant<wbits = 2, abits = 8>
  %y = cim.matmul %t, %w : (tensor<1x16xf32>, tensor<16x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}
