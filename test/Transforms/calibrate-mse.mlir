// cim-calibrate method=mse: the clipping range with the least squared
// quantization error at each layer's own width. 799 values evenly spread
// over [0, 1] and one outlier at 4. At 8 bits keeping the outlier costs
// little, so the range stays [0, 4] (4 / 255); at 3 bits the search
// clips it at 1.64 of the 4 (200 steps, 4096-bin histogram; computed
// independently with numpy), where min/max gives 4 / 7.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/outlier.pb "np.concatenate([np.linspace(0, 1, 799), [4]]).reshape(200, 4)"
// RUN: cim-opt %s --cim-calibrate="inputs=%t/outlier.pb method=mse" | FileCheck %s --check-prefix=MSE
// RUN: cim-opt %s --cim-calibrate="inputs=%t/outlier.pb" | FileCheck %s --check-prefix=MINMAX

// MSE: name = "narrow", quant = #cim.quant<{{.*}}ascale = 0.2342857{{[0-9]*}} : f32>}
// MSE: name = "wide", quant = #cim.quant<{{.*}}ascale = 0.015686{{[0-9]*}} : f32>}
// MINMAX: name = "narrow", quant = #cim.quant<{{.*}}ascale = 0.5714285{{[0-9]*}} : f32>}
// MINMAX: name = "wide", quant = #cim.quant<{{.*}}ascale = 0.015686{{[0-9]*}} : f32>}
func.func @main(%x: tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
  %w = cim.constant dense<0.5> : tensor<4x2xf32>
  %0 = cim.gemm %x, %w {name = "narrow", quant = #cim.quant<wbits = 8, abits = 3, ascheme = asymmetric>}
     : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  %1 = cim.gemm %x, %w {name = "wide", quant = #cim.quant<wbits = 8, abits = 8, ascheme = asymmetric>}
     : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  return %0, %1 : tensor<?x2xf32>, tensor<?x2xf32>
}
