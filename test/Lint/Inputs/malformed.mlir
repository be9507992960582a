// RUN: cim-opt %s | FileCheck %s
// CHECK: cim.relu
// CHECK-NEXT cim.sigmoid
// CHECK-NXT: cim.tanh
// RUN cim-opt %s
