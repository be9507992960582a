// cim-fold-qdq absorbs dequantized constant weights and Q/DQ pairs on layer
// inputs into #cim.quant; what it cannot describe stays executable.
// RUN: cim-opt %s --cim-fold-qdq | FileCheck %s --enable-var-scope

// Signed weights with -128 do not fit the symmetric narrow range: they are
// stored shifted (asymmetric, wzp = 0 + 128). An int8 input with zero point
// 0 is symmetric.
// CHECK-LABEL: func.func @signed_full_range
// CHECK:       cim.gemm %arg0, %{{.*}} {quant = #cim.quant<wbits = 8, abits = 8, wscheme = asymmetric, granularity = per_tensor, wscale = [5.000000e-01], wzp = [128], ascale = 2.500000e-01 : f32>, transB = true}
// CHECK-NOT:   quantize_linear
func.func @signed_full_range(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %wq = cim.constant dense<[[-128, 1], [2, 127]]> : tensor<2x2xi8>
  %ws = cim.constant dense<0.5> : tensor<f32>
  %w = cim.dequantize_linear %wq, %ws : (tensor<2x2xi8>, tensor<f32>) -> tensor<2x2xf32>
  %s = cim.constant dense<0.25> : tensor<f32>
  %zp = cim.constant dense<0> : tensor<i8>
  %q = cim.quantize_linear %x, %s, %zp : (tensor<1x2xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2xi8>
  %a = cim.dequantize_linear %q, %s, %zp : (tensor<1x2xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2xf32>
  %y = cim.gemm %a, %w {transB = true} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// uint8 weights per output channel (column of a matmul weight) keep their
// zero points; a signed input with zero point 5 becomes asymmetric with
// azp = 5 + 128.
// CHECK-LABEL: func.func @unsigned_per_channel
// CHECK:       %[[W:.*]] = cim.constant dense<{{\[\[}}-5.000000e-01, 0.000000e+00], [0.000000e+00, 2.000000e+00]]> : tensor<2x2xf32>
// CHECK:       cim.matmul %arg0, %[[W]] {quant = #cim.quant<wbits = 8, abits = 8, wscheme = asymmetric, ascheme = asymmetric, wscale = [5.000000e-01, 1.000000e+00], wzp = [1, 2], ascale = 1.000000e+00 : f32, azp = 133>}
func.func @unsigned_per_channel(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %wq = cim.constant dense<[[0, 2], [1, 4]]> : tensor<2x2xui8>
  %ws = cim.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %wzp = cim.constant dense<[1, 2]> : tensor<2xui8>
  %w = cim.dequantize_linear %wq, %ws, %wzp : (tensor<2x2xui8>, tensor<2xf32>, tensor<2xui8>) -> tensor<2x2xf32>
  %s = cim.constant dense<1.0> : tensor<f32>
  %zp = cim.constant dense<5> : tensor<i8>
  %q = cim.quantize_linear %x, %s, %zp : (tensor<1x2xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2xi8>
  %a = cim.dequantize_linear %q, %s, %zp : (tensor<1x2xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2xf32>
  %y = cim.matmul %a, %w : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// The weight is quantized along its input axis (not one scale per output
// channel): its DQ stays, so the weight is not a constant and the gemm is
// no crossbar layer; its input pair stays too.
// CHECK-LABEL: func.func @wrong_weight_axis
// CHECK:       %[[W:.*]] = cim.dequantize_linear %{{.*}}, %{{.*}} {axis = 0 : i64}
// CHECK:       %[[A:.*]] = cim.dequantize_linear
// CHECK:       cim.gemm %[[A]], %[[W]] :
func.func @wrong_weight_axis(%x: tensor<1x2xf32>) -> tensor<1x3xf32> {
  %wq = cim.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi8>
  %ws = cim.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %w = cim.dequantize_linear %wq, %ws {axis = 0 : i64} : (tensor<2x3xi8>, tensor<2xf32>) -> tensor<2x3xf32>
  %s = cim.constant dense<0.5> : tensor<f32>
  %zp = cim.constant dense<0> : tensor<i16>
  %q = cim.quantize_linear %x, %s, %zp : (tensor<1x2xf32>, tensor<f32>, tensor<i16>) -> tensor<1x2xi16>
  %a = cim.dequantize_linear %q, %s, %zp : (tensor<1x2xi16>, tensor<f32>, tensor<i16>) -> tensor<1x2xf32>
  %y = cim.gemm %a, %w : (tensor<1x2xf32>, tensor<2x3xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// Not absorbed: a per-axis input pair, a pair whose scales differ, a
// product of two activations whose rhs pair is unsigned (asymmetric) or
// has different scales, and a 32-bit weight. Only the conv's weight
// (per tensor) is absorbed, with abits = wbits.
// CHECK-LABEL: func.func @not_absorbed
// CHECK:       %[[A:.*]] = cim.dequantize_linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x2x2x2xui8>, tensor<2xf32>, tensor<2xui8>)
// CHECK:       cim.conv2d %[[A]], %{{.*}} {quant = #cim.quant<wbits = 8, abits = 8, granularity = per_tensor, wscale = [1.000000e+00]>}
// CHECK:       %[[B:.*]] = cim.dequantize_linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x2xui8>, tensor<f32>, tensor<ui8>)
// CHECK:       cim.matmul %[[B]], %[[B2:.*]] :
// CHECK:       %[[W32:.*]] = cim.dequantize_linear %{{.*}}, %{{.*}} : (tensor<2x2xi32>, tensor<f32>)
// CHECK:       cim.matmul %arg1, %[[W32]] :
func.func @not_absorbed(%x: tensor<1x2x2x2xf32>, %v: tensor<1x2xf32>)
    -> (tensor<1x1x2x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>) {
  %cs = cim.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %czp = cim.constant dense<[1, 2]> : tensor<2xui8>
  %q = cim.quantize_linear %x, %cs, %czp : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xui8>) -> tensor<1x2x2x2xui8>
  %a = cim.dequantize_linear %q, %cs, %czp : (tensor<1x2x2x2xui8>, tensor<2xf32>, tensor<2xui8>) -> tensor<1x2x2x2xf32>
  %wq = cim.constant dense<3> : tensor<1x2x1x1xi8>
  %ws = cim.constant dense<1.0> : tensor<f32>
  %w = cim.dequantize_linear %wq, %ws : (tensor<1x2x1x1xi8>, tensor<f32>) -> tensor<1x2x1x1xf32>
  %y = cim.conv2d %a, %w : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x2x2xf32>
  %s1 = cim.constant dense<0.5> : tensor<f32>
  %s2 = cim.constant dense<0.25> : tensor<f32>
  %zp = cim.constant dense<0> : tensor<ui8>
  %vq = cim.quantize_linear %v, %s1, %zp : (tensor<1x2xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x2xui8>
  %vd = cim.dequantize_linear %vq, %s2, %zp : (tensor<1x2xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x2xf32>
  %vt = cim.reshape %vd : (tensor<1x2xf32>) -> tensor<2x1xf32>
  %vv = cim.matmul %vt, %vd : (tensor<2x1xf32>, tensor<1x2xf32>) -> tensor<2x2xf32>
  %p = cim.matmul %vd, %vv : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %w32q = cim.constant dense<1> : tensor<2x2xi32>
  %w32 = cim.dequantize_linear %w32q, %ws : (tensor<2x2xi32>, tensor<f32>) -> tensor<2x2xf32>
  %z = cim.matmul %v, %w32 : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y, %p, %z : tensor<1x1x2x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>
}

// One int16 pair feeds two layers with float weights: both absorb it
// (abits = 16, symmetric; wbits = abits without wscale) and it goes.
// CHECK-LABEL: func.func @shared_pair
// CHECK-NOT:   quantize_linear
// CHECK:       cim.matmul %arg0, %{{.*}} {quant = #cim.quant<wbits = 16, abits = 16, ascale = 1.000000e+00 : f32>}
// CHECK:       cim.matmul %arg0, %{{.*}} {quant = #cim.quant<wbits = 16, abits = 16, ascale = 1.000000e+00 : f32>}
func.func @shared_pair(%x: tensor<1x2xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  %s = cim.constant dense<1.0> : tensor<f32>
  %zp = cim.constant dense<0> : tensor<i16>
  %q = cim.quantize_linear %x, %s, %zp : (tensor<1x2xf32>, tensor<f32>, tensor<i16>) -> tensor<1x2xi16>
  %a = cim.dequantize_linear %q, %s, %zp : (tensor<1x2xi16>, tensor<f32>, tensor<i16>) -> tensor<1x2xf32>
  %w = cim.constant dense<1.0> : tensor<2x2xf32>
  %y1 = cim.matmul %a, %w : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %y2 = cim.matmul %a, %w : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y1, %y2 : tensor<1x2xf32>, tensor<1x2xf32>
}

// A product of two activations (attention scores Q K^T) with a pair on
// both operands folds into one #cim.quant: the rhs (K^T, through the
// transpose after its pair) gives wbits and the one per-tensor symmetric
// wscale, the lhs (Q) abits, ascale and azp. The product reads the float
// values. A product whose lhs has no pair keeps the pair of its rhs.
// CHECK-LABEL: func.func @dynamic_matmul
// CHECK:       %[[KT:.*]] = cim.transpose %arg1
// CHECK:       cim.matmul %arg0, %[[KT]] {quant = #cim.quant<wbits = 4, abits = 8, granularity = per_tensor, wscale = [6.250000e-02], ascale = 2.500000e-01 : f32>}
// CHECK:       %[[VD:.*]] = cim.dequantize_linear
// CHECK:       %[[VR:.*]] = cim.reshape %arg1
// CHECK:       %[[Z0:.*]] = cim.matmul %arg0, %[[VR]] {quant = #cim.quant<wbits = 8, abits = 8, ascheme = asymmetric, granularity = per_tensor, wscale = [2.500000e-01], ascale = 2.500000e-01 : f32, azp = 128>}
// CHECK:       cim.matmul %[[Z0]], %[[VD]] :
func.func @dynamic_matmul(%x: tensor<1x2x4xf32>, %k: tensor<1x2x4xf32>)
    -> (tensor<1x2x2xf32>, tensor<1x2x4xf32>) {
  %s = cim.constant dense<0.25> : tensor<f32>
  %zp = cim.constant dense<0> : tensor<i8>
  %q = cim.quantize_linear %x, %s, %zp : (tensor<1x2x4xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2x4xi8>
  %a = cim.dequantize_linear %q, %s, %zp : (tensor<1x2x4xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x4xf32>
  // K narrowed to 4 bits by a clip to [-7, 7] x 0.0625.
  %ks = cim.constant dense<0.0625> : tensor<f32>
  %kc = cim.clip %k {min = -0.4375 : f64, max = 0.4375 : f64} : tensor<1x2x4xf32>
  %kq = cim.quantize_linear %kc, %ks, %zp : (tensor<1x2x4xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2x4xi8>
  %kd = cim.dequantize_linear %kq, %ks, %zp : (tensor<1x2x4xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x4xf32>
  %kt = cim.transpose %kd {perm = array<i64: 0, 2, 1>} : (tensor<1x2x4xf32>) -> tensor<1x4x2xf32>
  %y = cim.matmul %a, %kt : (tensor<1x2x4xf32>, tensor<1x4x2xf32>) -> tensor<1x2x2xf32>
  // An unsigned lhs pair (asymmetric) with a signed rhs pair.
  %uzp = cim.constant dense<128> : tensor<ui8>
  %uq = cim.quantize_linear %x, %s, %uzp : (tensor<1x2x4xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x2x4xui8>
  %ud = cim.dequantize_linear %uq, %s, %uzp : (tensor<1x2x4xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x2x4xf32>
  %vq = cim.quantize_linear %k, %s, %zp : (tensor<1x2x4xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2x4xi8>
  %vd = cim.dequantize_linear %vq, %s, %zp : (tensor<1x2x4xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x4xf32>
  %vr = cim.reshape %vd : (tensor<1x2x4xf32>) -> tensor<1x4x2xf32>
  %z0 = cim.matmul %ud, %vr : (tensor<1x2x4xf32>, tensor<1x4x2xf32>) -> tensor<1x2x2xf32>
  %z = cim.matmul %z0, %vd : (tensor<1x2x2xf32>, tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  return %y, %z : tensor<1x2x2xf32>, tensor<1x2x4xf32>
}
