// Ill-formed cim IR gets a located error from the verifier.
// RUN: cim-opt %s -split-input-file -verify-diagnostics

func.func @conv_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{input has 4 channels but weight expects 3 x 1 groups = 3}}
  %0 = cim.conv2d %x, %w : (tensor<1x4x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_result_type(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{'cim.conv2d' op inferred type(s) 'tensor<1x8x6x6xf32>' are incompatible with return type(s) of operation 'tensor<1x8x8x8xf32>'}}
  %0 = cim.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv_rank(%x: tensor<3x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{input must be 4-D (NCHW), got rank 3}}
  %0 = cim.conv2d %x, %w : (tensor<3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_group(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) {
  // expected-error @+1 {{input has 4 channels but weight expects 2 x 3 groups = 6}}
  %0 = cim.conv2d %x, %w {group = 3 : i64} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{bias must be 1-D with 8 elements, got tensor<4>}}
  %0 = cim.conv2d %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<4xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_kernel_too_big(%x: tensor<1x3x2x2xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{spatial dimension 0: window of 3 exceeds the padded input of 2}}
  %0 = cim.conv2d %x, %w : (tensor<1x3x2x2xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x1x1xf32>
  return
}

// -----

func.func @conv_strides(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{'strides' must have 2 entries, got 3}}
  %0 = cim.conv2d %x, %w {strides = array<i64: 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_zero_stride(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{spatial dimension 0: kernel, stride and dilation must be positive}}
  %0 = cim.conv2d %x, %w {strides = array<i64: 0, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_negative_pad(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{spatial dimension 0: pads must be non-negative}}
  %0 = cim.conv2d %x, %w {pads = array<i64: -1, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @gemm_inner(%a: tensor<2x4xf32>, %b: tensor<5x3xf32>) {
  // expected-error @+1 {{inner dimensions differ: A' is 2x4 and B' is 5x3}}
  %0 = cim.gemm %a, %b : (tensor<2x4xf32>, tensor<5x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @gemm_bias(%a: tensor<2x4xf32>, %b: tensor<4x3xf32>, %c: tensor<2xf32>) {
  // expected-error @+1 {{C of shape 2 does not broadcast to 2x3}}
  %0 = cim.gemm %a, %b, %c : (tensor<2x4xf32>, tensor<4x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @matmul_inner(%a: tensor<2x4xf32>, %b: tensor<5x3xf32>) {
  // expected-error @+1 {{inner dimensions differ: 2x4 x 5x3}}
  %0 = cim.matmul %a, %b : (tensor<2x4xf32>, tensor<5x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<5x4x3xf32>) {
  // expected-error @+1 {{batch dimensions do not broadcast: 2x3x4 x 5x4x3}}
  %0 = cim.matmul %a, %b : (tensor<2x3x4xf32>, tensor<5x4x3xf32>) -> tensor<2x3x3xf32>
  return
}

// -----

func.func @broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{shapes 2x3 and 4 do not broadcast}}
  %0 = cim.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @broadcast_types(%a: tensor<2x3xf32>, %b: tensor<3xf16>) {
  // expected-error @+1 {{operands have different element types: 'f32' and 'f16'}}
  %0 = cim.mul %a, %b : (tensor<2x3xf32>, tensor<3xf16>) -> tensor<2x3xf32>
  return
}

// -----

func.func @integer_relu(%a: tensor<2x3xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of floating-point values}}
  %0 = cim.relu %a : tensor<2x3xi32>
  return
}

// -----

func.func @pool_kernel(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{input must have rank 3 (N x C x 1 spatial dimensions), got 4}}
  %0 = cim.max_pool %x {kernel_shape = array<i64: 2>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @pool_pads(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{pads must be smaller than the kernel}}
  %0 = cim.avg_pool %x {kernel_shape = array<i64: 2, 2>, pads = array<i64: 2, 2, 2, 2>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x11x11xf32>
  return
}

// -----

func.func @global_pool_rank(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{input must be N x C x spatial..., got rank 2}}
  %0 = cim.global_avg_pool %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @reduce_axis(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{axis 4 is out of range for rank 4}}
  %0 = cim.reduce_mean %x {axes = array<i64: 4>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @reduce_twice(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{axis -1 is listed twice}}
  %0 = cim.reduce_mean %x {axes = array<i64: 3, -1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x1xf32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = cim.softmax %x {axis = 2 : i64} : tensor<2x3xf32>
  return
}

// -----

func.func @layer_norm_scale(%x: tensor<2x3x8xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{scale of shape 4 does not broadcast to the normalized shape 8}}
  %0 = cim.layer_norm %x, %g : (tensor<2x3x8xf32>, tensor<4xf32>) -> tensor<2x3x8xf32>
  return
}

// -----

func.func @batch_norm_params(%x: tensor<1x4x2x2xf32>, %c: tensor<4xf32>, %bad: tensor<3xf32>) {
  // expected-error @+1 {{mean must be 1-D with 4 elements, got tensor<3>}}
  %0 = cim.batch_norm %x, %c, %c, %bad, %c : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{cannot reshape 6 elements into 4x2 (8 elements)}}
  %0 = cim.reshape %x : (tensor<2x3xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @transpose_perm(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{perm is not a permutation of 0..2}}
  %0 = cim.transpose %x {perm = array<i64: 0, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<2x2x3xf32>
  return
}

// -----

func.func @concat_shapes(%a: tensor<1x2x4xf32>, %b: tensor<1x3x5xf32>) {
  // expected-error @+1 {{input 1 has shape 1x3x5, which differs from 1x2x4 outside the concat axis}}
  %0 = cim.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4xf32>, tensor<1x3x5xf32>) -> tensor<1x5x4xf32>
  return
}

// -----

func.func @split_sizes(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{split sizes add up to 3 but the axis has 4}}
  %0:2 = cim.split %x {axis = 1 : i64, sizes = array<i64: 1, 2>} : (tensor<1x4xf32>) -> (tensor<1x1xf32>, tensor<1x2xf32>)
  return
}

// -----

func.func @slice_step(%x: tensor<4xf32>) {
  // expected-error @+1 {{slice steps must be non-zero}}
  %0 = cim.slice %x {axes = array<i64: 0>, starts = array<i64: 0>, ends = array<i64: 4>, steps = array<i64: 0>} : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @pad_entries(%x: tensor<2x2xf32>) {
  // expected-error @+1 {{'pads' must have 4 entries (begins then ends), got 2}}
  %0 = cim.pad %x {pads = array<i64: 1, 1>} : (tensor<2x2xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @gather_axis(%x: tensor<2x2xf32>, %i: tensor<1xi64>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = cim.gather %x, %i {axis = 2 : i64} : (tensor<2x2xf32>, tensor<1xi64>) -> tensor<2x2xf32>
  return
}

// -----

func.func @quant_bits(%x: tensor<1x4xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{weight bits must be in [1, 16], got 0}}
  %0 = cim.matmul %x, %w {quant = #cim.quant<wbits = 0, abits = 8>} : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @quant_scale_count(%x: tensor<1x4xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{per_channel quantization needs 3 weight scales (one per output channel), got 2}}
  %0 = cim.matmul %x, %w {quant = #cim.quant<wbits = 4, abits = 8, wscale = [0.1, 0.2]>} : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @quant_scale_sign(%x: tensor<1x4xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{weight scales must be positive and finite, got -1.0}}
  %0 = cim.matmul %x, %w {quant = #cim.quant<wbits = 4, abits = 8, wscale = [0.1, -1.0, 0.2]>} : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @quant_symmetric_zp(%x: tensor<1x4xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{symmetric activations have a zero point of 0, got 3}}
  %0 = cim.matmul %x, %w {quant = #cim.quant<wbits = 4, abits = 8, azp = 3>} : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @quant_zp_range(%x: tensor<1x4xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{activation zero point 16 is outside the unsigned 4-bit range}}
  %0 = cim.matmul %x, %w {quant = #cim.quant<wbits = 4, abits = 4, ascheme = asymmetric, azp = 16>} : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @quant_per_tensor(%x: tensor<1x4xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{per_tensor quantization takes one weight scale, got 2}}
  %0 = cim.matmul %x, %w {quant = #cim.quant<wbits = 4, abits = 8, granularity = per_tensor, wscale = [0.1, 0.2]>} : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @tile_missing_field(%x: tensor<1x4xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+2 {{tile is missing the 'slice' field}}
  // expected-error @+1 {{failed to parse CIM_MappingAttr parameter 'tiles'}}
  %0 = cim.matmul %x, %w {mapping = #cim.mapping<rows = 4, cols = 3, groups = 1, slices = 1, copies = 1, signed_mapping = dc, xbar_rows = 8, xbar_cols = 8, tiles = [<pe = 0, xbar = 0, rows = [0:4], cols = [0:3]>]>} : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @tile_unknown_field(%x: tensor<1x4xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+2 {{unknown tile field 'bank' (expected pe, xbar, rows, cols, slice, copy, group or at)}}
  // expected-error @+1 {{failed to parse CIM_MappingAttr parameter 'tiles'}}
  %0 = cim.matmul %x, %w {mapping = #cim.mapping<rows = 4, cols = 3, groups = 1, slices = 1, copies = 1, signed_mapping = dc, xbar_rows = 8, xbar_cols = 8, tiles = [<pe = 0, bank = 1>]>} : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @tile_empty_range(%x: tensor<1x4xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+2 {{tile rows [2:2] must be a non-empty range from 0 up}}
  // expected-error @+1 {{failed to parse CIM_MappingAttr parameter 'tiles'}}
  %0 = cim.matmul %x, %w {mapping = #cim.mapping<rows = 4, cols = 3, groups = 1, slices = 1, copies = 1, signed_mapping = dc, xbar_rows = 8, xbar_cols = 8, tiles = [<pe = 0, xbar = 0, rows = [2:2], cols = [0:3], slice = 0>]>} : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @mapping_gap(%x: tensor<1x4xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{tiles of group 0, slice 0, copy 0 cover 9 of 12 weights}}
  %0 = cim.matmul %x, %w {mapping = #cim.mapping<rows = 4, cols = 3, groups = 1, slices = 1, copies = 1, signed_mapping = dc, xbar_rows = 8, xbar_cols = 8, tiles = [<pe = 0, xbar = 0, rows = [0:3], cols = [0:3], slice = 0>]>} : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @mapping_overlap(%x: tensor<1x4xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{tiles overlap in the weight matrix of group 0, slice 0, copy 0}}
  %0 = cim.matmul %x, %w {mapping = #cim.mapping<rows = 4, cols = 3, groups = 1, slices = 1, copies = 1, signed_mapping = dc, xbar_rows = 8, xbar_cols = 8, tiles = [<pe = 0, xbar = 0, rows = [0:3], cols = [0:3], slice = 0>, <pe = 0, xbar = 1, rows = [2:4], cols = [0:3], slice = 0>]>} : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @mapping_too_wide(%x: tensor<1x4xf32>, %w: tensor<4x5xf32>) {
  // Differential columns double the 5 columns to 10 > 8.
  // expected-error @+1 {{tile 0 needs 4x10 cells at [0, 0] but the crossbar has 8x8 usable cells}}
  %0 = cim.matmul %x, %w {mapping = #cim.mapping<rows = 4, cols = 5, groups = 1, slices = 1, copies = 1, signed_mapping = dc, xbar_rows = 8, xbar_cols = 8, tiles = [<pe = 0, xbar = 0, rows = [0:4], cols = [0:5], slice = 0>]>} : (tensor<1x4xf32>, tensor<4x5xf32>) -> tensor<1x5xf32>
  return
}

// -----

func.func @mapping_offset_reference_column(%x: tensor<1x4xf32>, %w: tensor<4x8xf32>) {
  // The offset mapping keeps one column of each crossbar for the reference.
  // expected-error @+1 {{tile 0 needs 4x8 cells at [0, 0] but the crossbar has 8x7 usable cells}}
  %0 = cim.matmul %x, %w {mapping = #cim.mapping<rows = 4, cols = 8, groups = 1, slices = 1, copies = 1, signed_mapping = of, xbar_rows = 8, xbar_cols = 8, tiles = [<pe = 0, xbar = 0, rows = [0:4], cols = [0:8], slice = 0>]>} : (tensor<1x4xf32>, tensor<4x8xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @mapping_packed_reference_columns(%x: tensor<1x8x1x1xf32>, %w: tensor<6x4x1x1xf32>) {
  // Two groups packed on one crossbar are two row blocks: under the offset
  // mapping each needs its own reference column, so the weights may reach
  // column 6 of 8, not 7.
  // expected-error @+1 {{crossbar 0 of PE 0 holds 2 row blocks, whose reference columns need 2 of its 8 columns, but its weights reach column 7}}
  %0 = cim.conv2d %x, %w {group = 2 : i64, mapping = #cim.mapping<rows = 4, cols = 3, groups = 2, slices = 1, copies = 1, signed_mapping = of, xbar_rows = 8, xbar_cols = 8, tiles = [<pe = 0, xbar = 0, rows = [0:4], cols = [0:3], slice = 0>, <pe = 0, xbar = 0, rows = [0:4], cols = [0:3], slice = 0, group = 1, at = [4, 4]>]>} : (tensor<1x8x1x1xf32>, tensor<6x4x1x1xf32>) -> tensor<1x6x1x1xf32>
  return
}

// -----

func.func @mapping_physical_overlap(%x: tensor<1x4xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{tiles overlap on crossbar 0 of PE 0}}
  %0 = cim.matmul %x, %w {mapping = #cim.mapping<rows = 4, cols = 3, groups = 1, slices = 2, copies = 1, signed_mapping = of, xbar_rows = 8, xbar_cols = 8, tiles = [<pe = 0, xbar = 0, rows = [0:4], cols = [0:3], slice = 0>, <pe = 0, xbar = 0, rows = [0:4], cols = [0:3], slice = 1, at = [2, 0]>]>} : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @mapping_shape(%x: tensor<1x4xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{mapping is for a 1x4x2 (groups x rows x cols) matrix but the layer is 1x4x3}}
  %0 = cim.matmul %x, %w {mapping = #cim.mapping<rows = 4, cols = 2, groups = 1, slices = 1, copies = 1, signed_mapping = dc, xbar_rows = 8, xbar_cols = 8, tiles = [<pe = 0, xbar = 0, rows = [0:4], cols = [0:2], slice = 0>]>} : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @mapping_slices(%x: tensor<1x4xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{mapping has 3 bit slices but the weights have only 2 bits}}
  %0 = cim.matmul %x, %w {quant = #cim.quant<wbits = 2, abits = 8>, mapping = #cim.mapping<rows = 4, cols = 3, groups = 1, slices = 3, copies = 1, signed_mapping = of, xbar_rows = 8, xbar_cols = 8, tiles = [<pe = 0, xbar = 0, rows = [0:4], cols = [0:3], slice = 0>, <pe = 0, xbar = 1, rows = [0:4], cols = [0:3], slice = 1>, <pe = 0, xbar = 2, rows = [0:4], cols = [0:3], slice = 2>]>} : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @schedule_order(%x: tensor<2xf32>) {
  // expected-error @+1 {{schedule needs 0 <= start <= end, got start 10 and end 5}}
  %0 = cim.relu %x {cim.schedule = #cim.schedule<order = 0, start = 10, end = 5>} : tensor<2xf32>
  return
}

// -----

func.func @schedule_type(%x: tensor<2xf32>) {
  // expected-error @+1 {{'cim.relu' op 'cim.schedule' must be a #cim.schedule attribute}}
  %0 = cim.relu %x {cim.schedule = 3 : i64} : tensor<2xf32>
  return
}

// -----

func.func @unknown_attribute(%x: tensor<2xf32>) {
  // expected-error @+1 {{unknown cim dialect attribute 'cim.shedule'}}
  %0 = cim.relu %x {cim.shedule = 3 : i64} : tensor<2xf32>
  return
}

// -----

// expected-error @+1 {{'func.func' op 'cim.schedule_kind' belongs on the module}}
func.func @schedule_kind_place() attributes {cim.schedule_kind = #cim.schedule_kind<layer>} {
  return
}

// -----

func.func @bad_enum(%x: tensor<2x2xf32>) {
  // expected-error @+2 {{expected ::mlir::cim::PadMode to be one of: constant, reflect, edge, wrap}}
  // expected-error @+1 {{failed to parse CIM_PadModeAttr parameter 'value'}}
  %0 = cim.pad %x {mode = #cim.pad_mode<mirror>, pads = array<i64: 0, 0, 0, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @resize_scales_rank(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{'scales' must have 4 entries (one per dimension), got 2}}
  %0 = cim.resize %x {scales = array<f64: 2.0, 2.0>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @resize_scale_positive(%x: tensor<2x2xf32>) {
  // expected-error @+1 {{scale of dimension 1 must be positive and finite, got 0}}
  %0 = cim.resize %x {scales = array<f64: 1.0, 0.0>} : (tensor<2x2xf32>) -> tensor<2x0xf32>
  return
}

// -----

func.func @resize_scale_too_large(%x: tensor<2x2xf32>) {
  // expected-error @+1 {{scale 1.000000e+30 of dimension 1 gives a size out of range}}
  %0 = cim.resize %x {scales = array<f64: 1.0, 1.0e30>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @resize_sizes_rank(%x: tensor<2x2xf32>) {
  // expected-error @+1 {{'sizes' must have 2 entries (one per dimension), got 1}}
  %0 = cim.resize %x {scales = array<f64: 1.0, 2.0>, sizes = array<i64: 4>} : (tensor<2x2xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @resize_size_negative(%x: tensor<2x2xf32>) {
  // expected-error @+1 {{size of dimension 0 must be non-negative, got -1}}
  %0 = cim.resize %x {scales = array<f64: 1.0, 2.0>, sizes = array<i64: -1, 4>} : (tensor<2x2xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @resize_roi_mode(%x: tensor<2x2xf32>) {
  // expected-error @+1 {{'roi' is only used by the tf_crop_and_resize coordinate mode}}
  %0 = cim.resize %x {roi = array<f64: 0.0, 0.0, 1.0, 1.0>, scales = array<f64: 1.0, 2.0>} : (tensor<2x2xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @resize_roi_entries(%x: tensor<2x2xf32>) {
  // expected-error @+1 {{'roi' must have 4 entries (starts then ends), got 2}}
  %0 = cim.resize %x {coordinate_transformation_mode = #cim.resize_coordinate_mode<tf_crop_and_resize>, roi = array<f64: 0.0, 1.0>, scales = array<f64: 1.0, 2.0>} : (tensor<2x2xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @resize_antialias_nearest(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{antialias needs linear or cubic mode}}
  %0 = cim.resize %x {antialias = true, scales = array<f64: 0.5, 0.5>} : (tensor<4x4xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @resize_result(%x: tensor<3x3xf32>) {
  // expected-error @+1 {{'cim.resize' op inferred type(s) 'tensor<3x4xf32>' are incompatible with return type(s) of operation 'tensor<3x5xf32>'}}
  %0 = cim.resize %x {scales = array<f64: 1.0, 1.5>} : (tensor<3x3xf32>) -> tensor<3x5xf32>
  return
}

// -----

func.func @resize_integer(%x: tensor<2x2xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of floating-point values}}
  %0 = cim.resize %x {scales = array<f64: 1.0, 2.0>} : (tensor<2x2xi32>) -> tensor<2x4xi32>
  return
}

// -----

func.func @resize_bad_mode(%x: tensor<2x2xf32>) {
  // expected-error @+2 {{expected ::mlir::cim::ResizeMode to be one of: nearest, linear, cubic}}
  // expected-error @+1 {{failed to parse CIM_ResizeModeAttr parameter 'value'}}
  %0 = cim.resize %x {mode = #cim.resize_mode<area>, scales = array<f64: 1.0, 2.0>} : (tensor<2x2xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @quantize_axis_size(%x: tensor<1x3x2x2xf32>, %s: tensor<4xf32>, %zp: tensor<4xui8>) {
  // expected-error @+1 {{per-axis scale has 4 elements but axis 1 of the data has 3}}
  %0 = cim.quantize_linear %x, %s, %zp : (tensor<1x3x2x2xf32>, tensor<4xf32>, tensor<4xui8>) -> tensor<1x3x2x2xui8>
  return
}

// -----

func.func @quantize_blocked(%x: tensor<2x4xf32>, %s: tensor<2x2xf32>, %zp: tensor<2x2xui8>) {
  // expected-error @+1 {{scale must be a scalar or 1-D (or blocked, with a block_size), got tensor<2x2>}}
  %0 = cim.quantize_linear %x, %s, %zp : (tensor<2x4xf32>, tensor<2x2xf32>, tensor<2x2xui8>) -> tensor<2x4xui8>
  return
}

// -----

func.func @quantize_block_shape(%x: tensor<2x5xf32>, %s: tensor<2x2xf32>, %zp: tensor<2x2xui8>) {
  // expected-error @+1 {{blocked scale has 2 elements along dimension 1, expected 3 (data tensor<2x5>, block_size 2)}}
  %0 = cim.quantize_linear %x, %s, %zp {block_size = 2 : i64} : (tensor<2x5xf32>, tensor<2x2xf32>, tensor<2x2xui8>) -> tensor<2x5xui8>
  return
}

// -----

func.func @dequantize_block_zero_point(%x: tensor<4x2xi8>, %s: tensor<2x2xf32>, %zp: tensor<4xi8>) {
  // expected-error @+1 {{zero_point must have the scale's shape tensor<2x2>, got tensor<4>}}
  %0 = cim.dequantize_linear %x, %s, %zp {axis = 0 : i64, block_size = 2 : i64} : (tensor<4x2xi8>, tensor<2x2xf32>, tensor<4xi8>) -> tensor<4x2xf32>
  return
}

// -----

func.func @cast_round_mode(%x: tensor<4xf32>) {
  // expected-error @+1 {{round_mode must be "up", "down" or "nearest", got "odd"}}
  %0 = cim.cast %x {round_mode = "odd"} : (tensor<4xf32>) -> tensor<4x!cim.float<f8E8M0FNU>>
  return
}

// -----

// expected-error @+1 {{unknown small float format 'f8E3M4' (f8E4M3FN, f8E4M3FNUZ, f8E5M2, f8E5M2FNUZ, f8E8M0FNU or f4E2M1FN)}}
func.func @small_float_format(%x: tensor<4x!cim.float<f8E3M4>>) {
  return
}

// -----

func.func @quantize_scale_type(%x: tensor<4xf32>, %s: tensor<f64>, %zp: tensor<ui8>) {
  // expected-error @+1 {{scale must have the input's element type 'f32'}}
  %0 = cim.quantize_linear %x, %s, %zp : (tensor<4xf32>, tensor<f64>, tensor<ui8>) -> tensor<4xui8>
  return
}

// -----

func.func @dequantize_zero_point_type(%x: tensor<4xi8>, %s: tensor<f32>, %zp: tensor<ui8>) {
  // expected-error @+1 {{zero_point must have the input's element type 'i8'}}
  %0 = cim.dequantize_linear %x, %s, %zp : (tensor<4xi8>, tensor<f32>, tensor<ui8>) -> tensor<4xf32>
  return
}

// -----

func.func @dequantize_zero_point_count(%x: tensor<3x2xi8>, %s: tensor<3xf32>, %zp: tensor<2xi8>) {
  // expected-error @+1 {{zero_point must have as many elements as scale (3), got tensor<2>}}
  %0 = cim.dequantize_linear %x, %s, %zp {axis = 0 : i64} : (tensor<3x2xi8>, tensor<3xf32>, tensor<2xi8>) -> tensor<3x2xf32>
  return
}

// -----

func.func @dequantize_i64(%x: tensor<4xi64>, %s: tensor<f32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = cim.dequantize_linear %x, %s : (tensor<4xi64>, tensor<f32>) -> tensor<4xf32>
  return
}
