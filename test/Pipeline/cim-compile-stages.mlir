// The whole cimc pipeline as cim-opt's cim-compile, stage by stage, on the
// tiny chip (../Transforms/Inputs/tiny.yaml: 2 PEs x 2 crossbars of 16x16
// 2-bit cells, 100 ns per crossbar step, digital work free).
// RUN: cim-opt %s --cim-compile="hw=%S/../Transforms/Inputs/tiny.yaml wbits=4 abits=6 stop-after=quant" | FileCheck %s --check-prefix=QUANT
// RUN: cim-opt %s --cim-compile="hw=%S/../Transforms/Inputs/tiny.yaml wbits=4 abits=6 stop-after=map" | FileCheck %s --check-prefix=MAP
// RUN: cim-opt %s --cim-compile="hw=%S/../Transforms/Inputs/tiny.yaml wbits=4 abits=6 stop-after=schedule" | FileCheck %s --check-prefix=SCHED
// RUN: cim-opt %s --cim-compile="hw=%S/../Transforms/Inputs/tiny.yaml wbits=4 abits=6 duplicate=false schedule=layer stop-after=schedule" | FileCheck %s --check-prefix=LAYER
// RUN: cim-opt %s --cim-compile="hw=%S/../Transforms/Inputs/tiny.yaml wbits=4 abits=6" | FileCheck %s --check-prefix=CHIP
// Bad option values are one error line each.
// RUN: not cim-opt %s --cim-compile="placement=bogus" 2>&1 | FileCheck %s --check-prefix=PLACEMENT
// RUN: not cim-opt %s --cim-compile="schedule=sideways" 2>&1 | FileCheck %s --check-prefix=SCHEDULE
// RUN: not cim-opt %s --cim-compile="stop-after=program" 2>&1 | FileCheck %s --check-prefix=STAGE
// RUN: not cim-opt %s --cim-compile="hw=%t.missing.yaml" 2>&1 | FileCheck %s --check-prefix=HW

// Quant: bit widths and weight scales (4 bits: 0.5 / 7 and 0.25 / 7), no
// mapping yet.
// QUANT-NOT:  mapping
// QUANT:      cim.conv2d {{.*}}quant = #cim.quant<wbits = 4, abits = 6, ascheme = asymmetric, wscale = [7.142857e-02, 7.142857e-02]>
// QUANT:      cim.gemm {{.*}}quant = #cim.quant<wbits = 4, abits = 6, ascheme = asymmetric, wscale = [3.571429e-02, 3.571429e-02]>
// QUANT-NOT:  cim.schedule

// Map: the 3x2 conv fits one crossbar and gets the spare one as a second
// copy; the 32-row gemm takes both crossbars of PE 1.
// MAP:        module attributes {cim.hardware = "tiny"}
// MAP:        cim.conv2d {{.*}}mapping = #cim.mapping<rows = 3, cols = 2, groups = 1, slices = 2, copies = 2,
// MAP:        cim.gemm {{.*}}mapping = #cim.mapping<rows = 32, cols = 2, groups = 1, slices = 2, copies = 1,
// MAP-NOT:    cim.schedule

// Schedule: the conv's 16 pixels of 6 input steps
// (600 ns each) on two copies take 4.8 us; the gemm's two row tiles run
// side by side after it.
// SCHED:      module attributes {cim.hardware = "tiny", cim.latency_cycles = 5400 : i64, cim.lower_bound_cycles = 5400 : i64, cim.schedule_kind = #cim.schedule_kind<cross_layer>}
// SCHED:      cim.conv2d {{.*}}cim.schedule = #cim.schedule<order = 0, start = 0, end = 4800, sets = 4>
// SCHED:      cim.relu {{.*}}cim.schedule = #cim.schedule<order = 1, start = 2400, end = 4800, sets = 4>
// SCHED:      cim.gemm {{.*}}cim.schedule = #cim.schedule<order = 3, start = 4800, end = 5400>

// One copy, layer by layer: 16 x 600 ns for the conv, then the gemm.
// LAYER:      cim.latency_cycles = 10200 : i64
// LAYER-SAME: cim.schedule_kind = #cim.schedule_kind<layer>
// LAYER:      cim.conv2d {{.*}}copies = 1,

// Chip (the default last stage): the same schedule as a cimp.program beside
// the function, whose crossbar weights are dataless handles; the layers
// hold the integer weights (0.5 / (0.5 / 7) = 7) as resource blobs.
// CHIP:       cim.constant dense_resource<cim_weights_0> : tensor<2x3x1x1xf32>
// CHIP:       cimp.program "cim-compile-stages.mlir" producer "cimc" schedule <cross_layer> hardware "name: tiny\0A
// CHIP:       %[[CONV:.*]] = cimp.node "conv2d#0" op "cim.conv2d" sets 4 size 16
// CHIP:       %[[RELU:.*]] = cimp.node "relu#1" op "cim.relu" sets 4 size 32
// CHIP:       %[[FC:.*]] = cimp.node "gemm#3" op "cim.gemm" sets 1 size 1
// CHIP:       cimp.layer %[[CONV]] wbits 4 abits 6 copies 2 crossbars 2 weights dense_resource<cimp_weights_0> : tensor<1x3x2xi8> scales dense<0.0714285746> : tensor<2xf32>
// CHIP:       cimp.layer %[[FC]] wbits 4 abits 6 copies 1 crossbars 2 weights dense_resource<cimp_weights_1> : tensor<1x32x2xi8>
// CHIP:       %[[X0:.*]] = cimp.xbars pe 0 node %[[CONV]] copy 0
// CHIP:       %[[X1:.*]] = cimp.xbars pe 0 node %[[CONV]] copy 1
// The four sets alternate between the copies, 2.4 us each.
// CHIP:       %[[M0:.*]] = cimp.mvm pe 0 node %[[CONV]] set 0 [0:4] copy 0 lat 2400000 uses(%[[X0]] : 2400000) events(mvm_steps = 24,
// CHIP-NEXT:  cimp.mvm pe 0 node %[[CONV]] set 1 [4:8] copy 1 lat 2400000 uses(%[[X1]] : 2400000)
// CHIP-NEXT:  cimp.mvm pe 0 node %[[CONV]] set 2 [8:12] copy 0
// CHIP-NEXT:  cimp.mvm pe 0 node %[[CONV]] set 3 [12:16] copy 1
// CHIP-NEXT:  cimp.vec pe 0 node %[[RELU]] set 0 [0:8] lat 0 after(%[[M0]]) events(digital_ops = 8, buffer_bytes = 16)
// CHIP:       cimp.mvm pe 1 node %[[FC]] set 0 [0:1] copy 0 lat 600000
// CHIP:       cimp_weights_0: "0x01000000070707070707"

// PLACEMENT: error: cim-compile: placement must be packed or spread, got 'bogus'
// SCHEDULE:  error: cim-compile: schedule must be layer or cross-layer, got 'sideways'
// STAGE:     error: cim-compile: stop-after must be import, bits, quant, map, schedule or chip, got 'program'
// HW:        missing.yaml:0:0: error: cannot read hardware description

func.func @net(%x: tensor<1x3x4x4xf32>) -> tensor<1x2xf32> {
  %w = cim.constant dense<0.5> : tensor<2x3x1x1xf32>
  %y = cim.conv2d %x, %w {name = "conv"} : (tensor<1x3x4x4xf32>, tensor<2x3x1x1xf32>) -> tensor<1x2x4x4xf32>
  %r = cim.relu %y : tensor<1x2x4x4xf32>
  %f = cim.flatten %r {axis = 1 : i64} : (tensor<1x2x4x4xf32>) -> tensor<1x32xf32>
  %w2 = cim.constant dense<0.25> : tensor<2x32xf32>
  %z = cim.gemm %f, %w2 {name = "fc", transB = true} : (tensor<1x32xf32>, tensor<2x32xf32>) -> tensor<1x2xf32>
  return %z : tensor<1x2xf32>
}
