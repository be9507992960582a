// ResNet-18 at W8A8 on the default chip (rram-tiled: 2016 PEs x 8 crossbars
// of 128x128 2-bit cells, offset mapping): one copy of every layer needs
// 3111 crossbars; the spare ones hold copies of the slowest layers until the
// slowest layer runs about 42 us (with one copy each, conv1 alone takes
// 11.3 ms).
// RUN: cim-opt %cim_src_root/models/examples/resnet18.mlir --cim-assign-bitwidths="wbits=8 abits=8" --cim-map-crossbars --cim-cost-report -o /dev/null | FileCheck %s
// Without duplication: 3111 crossbars, 19 % of the chip.
// RUN: cim-opt %cim_src_root/models/examples/resnet18.mlir --cim-assign-bitwidths="wbits=8 abits=8" --cim-map-crossbars="duplicate=false" --cim-cost-report -o /dev/null | FileCheck %s --check-prefix=ONE
// The CIM-AQ reference machine: every tile written before it runs.
// RUN: cim-opt %cim_src_root/models/examples/resnet18.mlir --cim-assign-bitwidths="wbits=8 abits=8" --cim-map-crossbars="hw=cimaq-reference" --cim-cost-report -o /dev/null | FileCheck %s --check-prefix=CIMAQ
// A chip with 300 PEs is too small, and may not rewrite weights.
// RUN: sed -e 's/^  pes: 2016 /  pes: 300 /' %cim_src_root/models/hw/rram-tiled.yaml > %t.small.yaml
// RUN: not cim-opt %cim_src_root/models/examples/resnet18.mlir --cim-assign-bitwidths="wbits=8 abits=8" --cim-map-crossbars="hw=%t.small.yaml" -o /dev/null 2>&1 | FileCheck %s --check-prefix=SMALL

// CHECK:      hardware rram-tiled: 16128 crossbars of 128x128, stationary weights
// CHECK-NEXT: layer                   xb/copy copies    xbars  util%    mvm-steps       adc-conv   writes     latency-us    energy-uJ
// CHECK-NEXT: conv1                         6    273     1638   38.3       602112       51982336        0         41.803      191.976
// CHECK-NEXT: layer1.0.conv1               15     70     1050   60.0       376320       32488960        0         41.065      133.087
// CHECK-NEXT: layer1.0.conv2               15     69     1035   60.0       376320       32488960        0         41.965      133.087
// CHECK-NEXT: layer1.1.conv1               15     69     1035   60.0       376320       32488960        0         41.965      133.087
// CHECK-NEXT: layer1.1.conv2               15     69     1035   60.0       376320       32488960        0         41.965      133.087
// CHECK-NEXT: layer2.0.conv1               25     18      450   72.0       156800       16213120        0         40.105       59.464
// CHECK-NEXT: layer2.0.conv2               45     18      810   80.0       282240       29183616        0         40.220      109.688
// CHECK-NEXT: layer2.0.downsample           5     19       95   40.0        31360        3242624        0         38.146        9.741
// CHECK-NEXT: layer2.1.conv1               45     18      810   80.0       282240       29183616        0         40.220      109.688
// CHECK-NEXT: layer2.1.conv2               45     18      810   80.0       282240       29183616        0         40.220      109.688
// CHECK-NEXT: layer3.0.conv1               81      5      405   88.9       127008       14577696        0         36.632       51.432
// CHECK-NEXT: layer3.0.conv2              162      5      810   88.9       254016       29155392        0         36.666      103.958
// CHECK-NEXT: layer3.0.downsample           9      5       45   88.9        14112        1619744        0         36.346        4.742
// CHECK-NEXT: layer3.1.conv1              162      5      810   88.9       254016       29155392        0         36.666      103.958
// CHECK-NEXT: layer3.1.conv2              162      5      810   88.9       254016       29155392        0         36.666      103.958
// CHECK-NEXT: layer4.0.conv1              306      2      612   94.1       119952       14570640        0         23.193       50.273
// CHECK-NEXT: layer4.0.conv2              612      2     1224   94.1       239904       29141280        0         23.205      101.093
// CHECK-NEXT: layer4.0.downsample          34      2       68   94.1        13328        1618960        0         23.069        5.100
// CHECK-NEXT: layer4.1.conv1              612      2     1224   94.1       239904       29141280        0         23.205      101.093
// CHECK-NEXT: layer4.1.conv2              612      2     1224   94.1       239904       29141280        0         23.205      101.093
// CHECK-NEXT: fc                          128      1      128   97.7         1024         129024        0          1.604        0.420
// CHECK-NEXT: total                                     16128   91.7      4899456      496350848        0        708.129     1849.714
// CHECK-NEXT: crossbars used: 16128 of 16128 (100.0%)
// CHECK-NEXT: latency: 708128738 ps = 708129 cycles at 1000 MHz; slowest layer 41964529 ps
// CHECK-NEXT: energy: 1849.714 uJ; programming the weights once: 224.000 us, 2642.412 uJ

// ONE: conv1                         6      1        6   38.3       602112       51982336        0      11289.603      191.976
// ONE: fc                          128      1      128   97.7         1024         129024        0          1.604        0.420
// ONE: total                                      3111   91.7      4899456      496350848        0      27222.086     1849.714
// ONE: crossbars used: 3111 of 16128 (19.3%)
// ONE: latency: 27222085986 ps = 27222086 cycles at 1000 MHz; slowest layer 11289602843 ps

// CIMAQ: hardware cimaq-reference: 1 crossbars of 256x256, rewrite weights
// CIMAQ: conv1                         1      1        1   57.4       100352       25690112        1     140548.800        0.000
// CIMAQ: fc                           32      1        1   97.7          256          64000       32       2150.400        0.000
// CIMAQ: total                                         1   98.1      1047680      268204544      727    1507464.000        0.000
// CIMAQ: crossbars used: 1 of 1 (100.0%)
// CIMAQ: latency: 1507464000000 ps = 1507464000 cycles at 1000 MHz; slowest layer 140548800000 ps

// SMALL: resnet18.mlir:0:0: error: network needs 3111 crossbars, the chip has 2400 ('rram-tiled': 300 PEs x 8 crossbars; weights may not be rewritten)
// SMALL: resnet18.mlir:77:10: note: the largest layer, 'layer4.0.conv2', needs 612 crossbars
