// Ill-formed programs get a located error: from the op's verifier, or from
// the program verifier (prog::findProgramProblem, the rules of prog.cim)
// at the node, layer, unit or instruction it is about. The chip is
// ../../Transforms/Inputs/tiny.yaml (2 PEs).
// RUN: cim-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{invalid hardware description: clock_mhz: required key is missing}}
cimp.program "m" producer "hand" schedule <layer> hardware "name: tiny\0A" {
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %fc = cimp.node "fc" op "cim.gemm" sets 1 size 1
  // expected-error @+1 {{wbits must be in [1, 16], got 17}}
  cimp.layer %fc wbits 17 abits 8 copies 1 crossbars 1 weights dense<1> : tensor<1x1x1xi16> scales dense<1.0> : tensor<1xf32>
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %fc = cimp.node "fc" op "cim.gemm" sets 1 size 1
  // expected-error @+1 {{weights must be a static groups x rows x cols tensor of i8 for 4-bit weights, got 'tensor<1x1x2xi16>'}}
  cimp.layer %fc wbits 4 abits 8 copies 1 crossbars 1 weights dense<1> : tensor<1x1x2xi16> scales dense<1.0> : tensor<2xf32>
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %fc = cimp.node "fc" op "cim.gemm" sets 1 size 1
  // expected-error @+1 {{weight -8 outside the 4-bit range}}
  cimp.layer %fc wbits 4 abits 8 copies 1 crossbars 1 weights dense<[[[1, -8]]]> : tensor<1x1x2xi8> scales dense<1.0> : tensor<2xf32>
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %fc = cimp.node "fc" op "cim.gemm" sets 1 size 1
  // expected-error @+1 {{weights resource 'nothing' holds 0 bytes, expected 2}}
  cimp.layer %fc wbits 4 abits 8 copies 1 crossbars 1 weights dense_resource<nothing> : tensor<1x1x2xi8> scales dense<1.0> : tensor<2xf32>
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %fc = cimp.node "fc" op "cim.gemm" sets 1 size 1
  // expected-error @+1 {{scales must be a dense 1-d tensor of f32, got 'tensor<2xf64>'}}
  cimp.layer %fc wbits 4 abits 8 copies 1 crossbars 1 weights dense<[[[1, -7]]]> : tensor<1x1x2xi8> scales dense<1.0> : tensor<2xf64>
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %fc = cimp.node "fc" op "cim.gemm" sets 1 size 1
  // expected-error @+1 {{layer 0: 3 weight scales for 2 output channels}}
  cimp.layer %fc wbits 4 abits 8 copies 1 crossbars 1 weights dense<[[[1, -7]]]> : tensor<1x1x2xi8> scales dense<1.0> : tensor<3xf32>
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %fc = cimp.node "fc" op "cim.gemm" sets 1 size 1
  cimp.layer %fc wbits 4 abits 8 copies 1 crossbars 1 weights dense<[[[1, -7]]]> : tensor<1x1x2xi8> scales dense<1.0> : tensor<2xf32>
  // expected-error @+1 {{layer 1 names node 0, which does not name it back}}
  cimp.layer %fc wbits 4 abits 8 copies 1 crossbars 1 weights dense<[[[1, -7]]]> : tensor<1x1x2xi8> scales dense<1.0> : tensor<2xf32>
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  // expected-error @+1 {{node 0: bad set count or size}}
  %fc = cimp.node "fc" op "cim.gemm" sets 0 size 1
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %fc = cimp.node "fc" op "cim.gemm" sets 1 size 1
  cimp.layer %fc wbits 4 abits 8 copies 1 crossbars 1 weights dense<[[[1, -7]]]> : tensor<1x1x2xi8> scales dense<1.0> : tensor<2xf32>
  // expected-error @+1 {{unit 0 on PE 2, the chip has 2}}
  %x = cimp.xbars pe 2 node %fc copy 0
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %fc = cimp.node "fc" op "cim.gemm" sets 1 size 1
  // expected-error @+1 {{'cimp.digital' op attribute 'pe' failed to satisfy constraint}}
  %d = cimp.digital pe -1
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %fc = cimp.node "fc" op "cim.gemm" sets 1 size 1
  cimp.layer %fc wbits 4 abits 8 copies 1 crossbars 1 weights dense<[[[1, -7]]]> : tensor<1x1x2xi8> scales dense<1.0> : tensor<2xf32>
  %x = cimp.xbars pe 0 node %fc copy 0
  // expected-error @+1 {{'cimp.mvm' op reserves 1 units with 0 busy times}}
  %0 = "cimp.mvm"(%fc, %x) {fields = array<i64: 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0>, operand_segment_sizes = array<i32: 1, 1, 0>} : (!cimp.node, !cimp.unit) -> !cimp.token
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %fc = cimp.node "fc" op "cim.gemm" sets 1 size 1
  cimp.layer %fc wbits 4 abits 8 copies 1 crossbars 1 weights dense<[[[1, -7]]]> : tensor<1x1x2xi8> scales dense<1.0> : tensor<2xf32>
  // expected-error @+1 {{instruction 0 (mvm): PE 5 does not exist}}
  %0 = cimp.mvm pe 5 node %fc set 0 [0:1] copy 0 lat 1
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %fc = cimp.node "fc" op "cim.gemm" sets 1 size 1
  %relu = cimp.node "relu" op "cim.relu" sets 1 size 2
  cimp.layer %fc wbits 4 abits 8 copies 1 crossbars 1 weights dense<[[[1, -7]]]> : tensor<1x1x2xi8> scales dense<1.0> : tensor<2xf32>
  %0 = cimp.mvm pe 0 node %fc set 0 [0:1] copy 0 lat 1
  // expected-error @+1 {{instruction 1 (mvm): runs node 1, which is not a crossbar layer}}
  %1 = cimp.mvm pe 0 node %relu set 0 [0:1] copy 0 lat 1
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %relu = cimp.node "relu" op "cim.relu" sets 1 size 2
  // expected-error @+1 {{instruction 0 (vec): range [0, 3) outside the node's 2 elements}}
  %0 = cimp.vec pe 0 node %relu set 0 [0:3] lat 1
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %relu = cimp.node "relu" op "cim.relu" sets 1 size 2
  // expected-error @+1 {{instruction 0 (vec): names a copy}}
  %0 = "cimp.vec"(%relu) {fields = array<i64: 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>, operand_segment_sizes = array<i32: 1, 0, 0>} : (!cimp.node) -> !cimp.token
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %relu = cimp.node "relu" op "cim.relu" sets 1 size 2
  // expected-error @+1 {{instruction 0 (barrier): runs on a PE}}
  %0 = "cimp.barrier"(%relu) {fields = array<i64: 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0>, operand_segment_sizes = array<i32: 1, 0, 0>} : (!cimp.node) -> !cimp.token
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %relu = cimp.node "relu" op "cim.relu" sets 1 size 2
  // expected-error @+1 {{instruction 0 (vec): event count 2199023255553 outside [0, 2^40]}}
  %0 = cimp.vec pe 0 node %relu set 0 [0:2] lat 1 events(digital_ops = 2199023255553)
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %relu = cimp.node "relu" op "cim.relu" sets 1 size 2
  // expected-error @+1 {{unknown event count 'flops'}}
  %0 = cimp.vec pe 0 node %relu set 0 [0:2] lat 1 events(flops = 2)
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %fc = cimp.node "fc" op "cim.gemm" sets 2 size 4
  // expected-error @+1 {{the mvm instructions of layer 'fc' do not cover its invocations exactly once}}
  cimp.layer %fc wbits 4 abits 8 copies 2 crossbars 2 weights dense<[[[1, -7]]]> : tensor<1x1x2xi8> scales dense<1.0> : tensor<2xf32>
  %0 = cimp.mvm pe 0 node %fc set 0 [0:2] copy 0 lat 1
  %1 = cimp.mvm pe 0 node %fc set 1 [1:4] copy 1 lat 1
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %fc = cimp.node "fc" op "cim.gemm" sets 1 size 1
  // expected-error @+1 {{'cim.constant' op cannot be part of a cimp.program}}
  %0 = cim.constant dense<1.0> : tensor<2xf32>
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %fc = cimp.node "fc" op "cim.gemm" sets 1 size 1
  // expected-error @+1 {{weight 2047 outside the 10-bit range}}
  cimp.layer %fc wbits 10 abits 8 copies 1 crossbars 1 weights dense_resource<wide> : tensor<1x1x2xi16> scales dense<1.0> : tensor<2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      wide: "0x02000000FF070100"
    }
  }
#-}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %relu = cimp.node "relu" op "cim.relu" sets 1 size 2
  // expected-error @+1 {{'cimp.vec' op needs 13 fields, got 2}}
  %0 = "cimp.vec"(%relu) {fields = array<i64: 0, 0>, operand_segment_sizes = array<i32: 1, 0, 0>} : (!cimp.node) -> !cimp.token
}

// -----

cimp.program "m" producer "hand" schedule <cross_layer> hardware "name: tiny\0Asource: \22test fixture\22\0Aclock_mhz: 1000\0Achip:\0A  pes: 2\0A  crossbars_per_pe: 2\0A  global_buffer_bytes: 4096\0Acrossbar:\0A  rows: 16\0A  cols: 16\0A  cell_bits: 2\0A  signed_mapping: dc\0Aconverters:\0A  dac_bits: 1\0A  adc_bits: 8\0A  cols_per_adc: 16\0Ape:\0A  digital_lanes: 1\0A  input_buffer_bytes: 256\0A  output_buffer_bytes: 256\0Amapping:\0A  weight_rewrite: never\0Atiming:\0A  mvm_step_ns: 100\0A  adc_conversion_ns: 0\0A  crossbar_write_ns: 1000\0A  digital_op_ns: 0\0A  buffer_bandwidth_gb_per_s: unlimited\0A  interconnect_bandwidth_gb_per_s: unlimited\0Aenergy:\0A  mvm_step_pj: 1\0A  adc_conversion_pj: 0\0A  crossbar_write_pj: 0\0A  digital_op_pj: 0\0A  buffer_pj_per_byte: 0\0A  interconnect_pj_per_byte: 0\0A" {
  %relu = cimp.node "relu" op "cim.relu" sets 1 size 2
  // expected-error @+1 {{'cimp.vec' op pe -1 is not a 32-bit index}}
  %0 = cimp.vec pe -1 node %relu set 0 [0:2] lat 1
}
