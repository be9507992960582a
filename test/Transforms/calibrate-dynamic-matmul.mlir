// cim-calibrate on a product of two activations (attention scores Q K^T):
// both operands are observed. The lhs (Q) gives ascale/azp at abits as for
// any layer input; the rhs (K^T, the operand a crossbar would hold) gives
// one symmetric per-tensor wscale at wbits with zero point 0. Without
// inputs nothing is computed for it (its rhs is no constant).
// RUN: rm -rf %t && mkdir -p %t/qk
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/qk/input_0.pb "[[[-1, 0.5, 2, 1.27], [0.3, 2.54, -0.2, 0]]]"
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/qk/input_1.pb "[[[0.5, -3.5, 1, 0], [2, 0.25, -1, 3]]]"
// RUN: cim-opt %s --cim-calibrate | FileCheck %s --check-prefix=WEIGHTS
// RUN: cim-opt %s --cim-calibrate="inputs=%t/qk" | FileCheck %s --check-prefix=OBSERVED
// RUN: cim-opt %s --cim-calibrate="inputs=%t/qk overwrite=true" | FileCheck %s --check-prefix=OVERWRITE

// WEIGHTS: name = "scores", quant = #cim.quant<wbits = 4, abits = 8, granularity = per_tensor>}
// WEIGHTS: name = "kept", quant = #cim.quant<wbits = 8, abits = 8, granularity = per_tensor, wscale = [2.500000e-01]>}

// Q spans [-1, 2.54]: 2.54 / 127. K^T spans [-3.5, 3]: 3.5 / 7 at 4 bits,
// 3.5 / 127 at 8 bits. A wscale already there is kept without overwrite.
// OBSERVED: name = "scores", quant = #cim.quant<wbits = 4, abits = 8, granularity = per_tensor, wscale = [5.000000e-01], ascale = 2.000000e-02 : f32>}
// OBSERVED: name = "kept", quant = #cim.quant<wbits = 8, abits = 8, granularity = per_tensor, wscale = [2.500000e-01], ascale = 2.000000e-02 : f32>}
// OVERWRITE: name = "kept", quant = #cim.quant<wbits = 8, abits = 8, granularity = per_tensor, wscale = [2.755906e-02], ascale = 2.000000e-02 : f32>}
func.func @main(%q: tensor<1x2x4xf32>, %k: tensor<1x2x4xf32>) -> (tensor<1x2x2xf32>, tensor<1x2x2xf32>) {
  %kt = cim.transpose %k {perm = array<i64: 0, 2, 1>} : (tensor<1x2x4xf32>) -> tensor<1x4x2xf32>
  %0 = cim.matmul %q, %kt {name = "scores", quant = #cim.quant<wbits = 4, abits = 8, granularity = per_tensor>}
     : (tensor<1x2x4xf32>, tensor<1x4x2xf32>) -> tensor<1x2x2xf32>
  %1 = cim.matmul %q, %kt {name = "kept", quant = #cim.quant<wbits = 8, abits = 8, granularity = per_tensor, wscale = [0.25]>}
     : (tensor<1x2x4xf32>, tensor<1x4x2xf32>) -> tensor<1x2x2xf32>
  return %0, %1 : tensor<1x2x2xf32>, tensor<1x2x2xf32>
}
