// The layer table of the bundled LeNet-5 example.
// RUN: cim-opt %cim_src_root/models/examples/lenet5.mlir --cim-compile="wbits=4 abits=8" --cim-layer-summary -o /dev/null | FileCheck %s

// CHECK:      layer            op           groups x rows x cols       MVMs    weights   W   A
// CHECK-NEXT: conv1            conv2d        1 x     25 x      6        784        150   4   8
// CHECK-NEXT: conv2            conv2d        1 x    150 x     16        100       2400   4   8
// CHECK-NEXT: fc1              gemm          1 x    400 x    120          1      48000   4   8
// CHECK-NEXT: fc2              gemm          1 x    120 x     84          1      10080   4   8
// CHECK-NEXT: fc3              gemm          1 x     84 x     10          1        840   4   8
// CHECK-NEXT: total                                                    887      61470
