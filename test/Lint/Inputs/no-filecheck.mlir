// RUN: cim-opt %s
// CHECK: cim.relu
