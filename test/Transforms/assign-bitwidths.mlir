// RUN: cim-opt %s --cim-assign-bitwidths="wbits=4 abits=6" | FileCheck %s
// RUN: cim-opt %s --cim-assign-bitwidths="wbits=2 abits=2 overwrite=false" | FileCheck %s --check-prefix=KEEP
// RUN: cim-opt %s --cim-assign-bitwidths="wbits=4 abits=6 ascheme=symmetric" | FileCheck %s --check-prefix=SYM
// RUN: not cim-opt %s --cim-assign-bitwidths="wbits=17" 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: not cim-opt %s --cim-assign-bitwidths="ascheme=unsigned" 2>&1 | FileCheck %s --check-prefix=SCHEME

// Every layer with a constant weight gets the uniform widths.
// CHECK-LABEL: func.func @layers
// KEEP-LABEL: func.func @layers
func.func @layers(%x: tensor<1x3x8x8xf32>, %t: tensor<1x16xf32>) -> (tensor<1x4x6x6xf32>, tensor<1x10xf32>) {
  %w = cim.constant dense<0.5> : tensor<4x3x3x3xf32>
  // CHECK: cim.conv2d {{.*}}quant = #cim.quant<wbits = 4, abits = 6, ascheme = asymmetric>
  // KEEP: cim.conv2d {{.*}}quant = #cim.quant<wbits = 2, abits = 2, ascheme = asymmetric>
  // ascheme=symmetric applies to new quantizations only (the attribute's
  // default scheme is not printed); the gemm keeps its own below.
  // SYM: cim.conv2d {{.*}}quant = #cim.quant<wbits = 4, abits = 6>
  // SYM: cim.gemm {{.*}}quant = #cim.quant<wbits = 4, abits = 6, ascheme = asymmetric,
  %0 = cim.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  %fw = cim.constant dense<0.1> : tensor<16x10xf32>
  // Schemes already present survive; scales and zero points are rescaled so
  // that each keeps its real range: wscale 0.25 * 127 / 7, ascale
  // 0.1 * 255 / 63, azp round(3 * 63 / 255) = 1.
  // CHECK: cim.gemm {{.*}}quant = #cim.quant<wbits = 4, abits = 6, ascheme = asymmetric, granularity = per_tensor, wscale = [4.535714e+00], ascale = 0.40476191 : f32, azp = 1>
  // Without overwrite, a layer that already has widths keeps them.
  // KEEP: cim.gemm {{.*}}quant = #cim.quant<wbits = 8, abits = 8, ascheme = asymmetric
  %1 = cim.gemm %t, %fw {quant = #cim.quant<wbits = 8, abits = 8, ascheme = asymmetric, granularity = per_tensor, wscale = [0.25], ascale = 0.1 : f32, azp = 3>}
     : (tensor<1x16xf32>, tensor<16x10xf32>) -> tensor<1x10xf32>
  return %0, %1 : tensor<1x4x6x6xf32>, tensor<1x10xf32>
}

// A product of two activations (attention scores) is a layer with its own
// widths: the rhs (K^T, the operand a crossbar would hold) takes wbits with
// one per-tensor scale, the lhs (Q) abits.
// CHECK-LABEL: func.func @dynamic_matmul
// CHECK: cim.matmul %{{.*}}, %{{.*}} {quant = #cim.quant<wbits = 4, abits = 6, ascheme = asymmetric, granularity = per_tensor>}
// KEEP-LABEL: func.func @dynamic_matmul
// KEEP: cim.matmul %{{.*}}, %{{.*}} {quant = #cim.quant<wbits = 2, abits = 2, ascheme = asymmetric, granularity = per_tensor>}
func.func @dynamic_matmul(%q: tensor<1x4x8xf32>, %k: tensor<1x8x4xf32>) -> tensor<1x4x4xf32> {
  %0 = cim.matmul %q, %k : (tensor<1x4x8xf32>, tensor<1x8x4xf32>) -> tensor<1x4x4xf32>
  return %0 : tensor<1x4x4xf32>
}

// A calibrated scale of the rhs is rescaled with its width like any other:
// 0.5 * 127 / 7.
// CHECK-LABEL: func.func @dynamic_matmul_scaled
// CHECK: cim.matmul {{.*}}quant = #cim.quant<wbits = 4, abits = 6, granularity = per_tensor, wscale = [9.071428e+00]>
func.func @dynamic_matmul_scaled(%q: tensor<1x4x8xf32>, %k: tensor<1x8x4xf32>) -> tensor<1x4x4xf32> {
  %0 = cim.matmul %q, %k {quant = #cim.quant<wbits = 8, abits = 8, granularity = per_tensor, wscale = [0.5]>} : (tensor<1x4x8xf32>, tensor<1x8x4xf32>) -> tensor<1x4x4xf32>
  return %0 : tensor<1x4x4xf32>
}

// RANGE: error: cim-assign-bitwidths: wbits must be in [1, 16], got 17
// SCHEME: error: cim-assign-bitwidths: ascheme must be asymmetric or symmetric, got 'unsigned'
