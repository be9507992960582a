// Round trip of every cimp op: print, re-parse, print again, also through
// the generic form (which runs the verifiers twice). The chip is
// ../../Transforms/Inputs/tiny.yaml (2 PEs x 2 crossbars).
// RUN: cim-opt %s | cim-opt | FileCheck %s
// RUN: cim-opt %s --mlir-print-op-generic | cim-opt | FileCheck %s

// A stationary program: a conv on two copies, a relu, a dense layer on the
// other PE fed over the interconnect.
// CHECK-LABEL: cimp.program "net.onnx" producer "hand" schedule <cross_layer> hardware "name: tiny\0A
// CHECK-NEXT:  %conv = cimp.node "conv" op "cim.conv2d" sets 2 size 4
// CHECK-NEXT:  %relu = cimp.node "relu" op "cim.relu" sets 2 size 8
// CHECK-NEXT:  %fc_1 = cimp.node "fc#1" op "cim.gemm" sets 1 size 1
// CHECK-NEXT:  cimp.layer %conv wbits 4 abits 8 copies 2 crossbars 2 weights dense<{{\[\[\[}}1, -7], [7, 0], [3, 3]]]> : tensor<1x3x2xi8> scales dense<[1.250000e-01, 2.500000e-01]> : tensor<2xf32>
// CHECK-NEXT:  cimp.layer %fc_1 wbits 12 abits 8 copies 1 crossbars 1 weights dense_resource<fc_weights> : tensor<1x4x2xi16> scales dense<5.000000e-01> : tensor<1xf32>
// CHECK-NEXT:  %xbars_conv_c0 = cimp.xbars pe 0 node %conv copy 0
// CHECK-NEXT:  %xbars_conv_c1 = cimp.xbars pe 0 node %conv copy 1
// CHECK-NEXT:  %xbars_fc_1_c0 = cimp.xbars pe 1 node %fc_1 copy 0
// CHECK-NEXT:  %digital_pe0 = cimp.digital pe 0
// CHECK-NEXT:  %link_pe0 = cimp.link pe 0
// CHECK-NEXT:  %link_pe1 = cimp.link pe 1
// CHECK-NEXT:  %buffer_pe0 = cimp.buffer pe 0
// CHECK-NEXT:  %0 = cimp.mvm pe 0 node %conv set 0 [0:2] copy 0 lat 1200 uses(%xbars_conv_c0 : 1200) events(mvm_steps = 12, adc_conversions = 48)
// CHECK-NEXT:  %1 = cimp.mvm pe 0 node %conv set 1 [2:4] copy 1 lat 1200 uses(%xbars_conv_c1 : 1200) events(mvm_steps = 12, adc_conversions = 48)
// CHECK-NEXT:  %2 = cimp.vec pe 0 node %relu set 0 [0:4] lat 4 uses(%digital_pe0 : 4, %buffer_pe0 : 2) after(%0) events(digital_ops = 4, buffer_bytes = 8)
// CHECK-NEXT:  %3 = cimp.vec pe 0 node %relu set 1 [4:8] lat 4 uses(%digital_pe0 : 4) after(%1) events(digital_ops = 4)
// CHECK-NEXT:  %4 = cimp.send pe 0 to 1 node %fc_1 set 0 [0:0] lat 30 uses(%link_pe0 : 30) after(%2, %3) events(interconnect_bytes = 8)
// CHECK-NEXT:  %5 = cimp.recv pe 1 from 0 node %fc_1 set 0 [0:0] lat 30 uses(%link_pe1 : 30) after(%4)
// CHECK-NEXT:  %6 = cimp.mvm pe 1 node %fc_1 set 0 [0:1] copy 0 lat 600 uses(%xbars_fc_1_c0 : 600) after(%5)
// CHECK-NEXT:  %7 = cimp.barrier node %fc_1 after(%6)
// CHECK-NEXT: }
cimp.program "net.onnx" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %conv = cimp.node "conv" op "cim.conv2d" sets 2 size 4
  %relu = cimp.node "relu" op "cim.relu" sets 2 size 8
  %fc = cimp.node "fc#1" op "cim.gemm" sets 1 size 1
  cimp.layer %conv wbits 4 abits 8 copies 2 crossbars 2 weights dense<[[[1, -7], [7, 0], [3, 3]]]> : tensor<1x3x2xi8> scales dense<[0.125, 0.25]> : tensor<2xf32>
  cimp.layer %fc wbits 12 abits 8 copies 1 crossbars 1 weights dense_resource<fc_weights> : tensor<1x4x2xi16> scales dense<0.5> : tensor<1xf32>
  %x0 = cimp.xbars pe 0 node %conv copy 0
  %x1 = cimp.xbars pe 0 node %conv copy 1
  %x2 = cimp.xbars pe 1 node %fc copy 0
  %d0 = cimp.digital pe 0
  %l0 = cimp.link pe 0
  %l1 = cimp.link pe 1
  %b0 = cimp.buffer pe 0
  %0 = cimp.mvm pe 0 node %conv set 0 [0:2] copy 0 lat 1200 uses(%x0 : 1200) events(mvm_steps = 12, adc_conversions = 48)
  %1 = cimp.mvm pe 0 node %conv set 1 [2:4] copy 1 lat 1200 uses(%x1 : 1200) events(adc_conversions = 48, mvm_steps = 12)
  %2 = cimp.vec pe 0 node %relu set 0 [0:4] lat 4 uses(%d0 : 4, %b0 : 2) after(%0) events(digital_ops = 4, buffer_bytes = 8)
  %3 = cimp.vec pe 0 node %relu set 1 [4:8] lat 4 uses(%d0 : 4) after(%1) events(digital_ops = 4)
  %4 = cimp.send pe 0 to 1 node %fc set 0 [0:0] lat 30 uses(%l0 : 30) after(%2, %3) events(interconnect_bytes = 8)
  %5 = cimp.recv pe 1 from 0 node %fc set 0 [0:0] lat 30 uses(%l1 : 30) after(%4)
  %6 = cimp.mvm pe 1 node %fc set 0 [0:1] copy 0 lat 600 uses(%x2 : 600) after(%5)
  %7 = cimp.barrier node %fc after(%6)
}

// A layer-by-layer program under weight rewriting: write a round, run it.
// CHECK-LABEL: cimp.program "rewrite.onnx" producer "hand" schedule <layer>
// CHECK:       %0 = cimp.write pe 0 node %fc round 0 lat 1000 uses(%xbars_fc_c0 : 1000) events(crossbar_writes = 2)
// CHECK-NEXT:  %1 = cimp.mvm pe 0 node %fc set 0 [0:1] copy 0 lat 600 uses(%xbars_fc_c0 : 600) after(%0)
// CHECK-NEXT:  %2 = cimp.write pe 0 node %fc round 1 lat 1000 uses(%xbars_fc_c1 : 1000) after(%1) events(crossbar_writes = 2)
// CHECK-NEXT:  %3 = cimp.mvm pe 0 node %fc set 0 [0:1] copy 1 lat 600 uses(%xbars_fc_c1 : 600) after(%2)
cimp.program "rewrite.onnx" producer "hand" schedule <layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %fc = cimp.node "fc" op "cim.gemm" sets 1 size 1
  cimp.layer %fc wbits 2 abits 2 copies 1 crossbars 2 weights dense<[[[1, -1], [0, 1]]]> : tensor<1x2x2xi8> scales dense<1.0> : tensor<2xf32>
  %r0 = cimp.xbars pe 0 node %fc copy 0
  %r1 = cimp.xbars pe 0 node %fc copy 1
  %0 = cimp.write pe 0 node %fc round 0 lat 1000 uses(%r0 : 1000) events(crossbar_writes = 2)
  %1 = cimp.mvm pe 0 node %fc set 0 [0:1] copy 0 lat 600 uses(%r0 : 600) after(%0)
  %2 = cimp.write pe 0 node %fc round 1 lat 1000 uses(%r1 : 1000) after(%1) events(crossbar_writes = 2)
  %3 = cimp.mvm pe 0 node %fc set 0 [0:1] copy 1 lat 600 uses(%r1 : 600) after(%2)
}

{-#
  dialect_resources: {
    builtin: {
      fc_weights: "0x02000000FF07010001F800000200FEFF00000300"
    }
  }
#-}
