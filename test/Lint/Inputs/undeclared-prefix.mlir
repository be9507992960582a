// RUN: cim-opt %s | FileCheck %s --check-prefix=OPT
// OPT: cim.relu
// CHECK: cim.sigmoid
