// cim-calibrate fills weight scales from the constant weights and, given
// calibration inputs, activation scales from the observed layer inputs.
// Expected scales were computed independently with numpy (np.percentile).
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/a.pb "[[-1, 0.5, 2, 1.27]]"
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/b.pb "[[0.3, 2.54, -0.2, 0]]"
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/sets/test_data_set_1/input_0.pb "[[-1, 0.5, 2, 1.27]]"
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/sets/test_data_set_10/input_0.pb "[[0.3, 2.54, -0.2, 0]]"
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/outliers.pb "np.concatenate([np.linspace(-1, 1, 799), [100]]).reshape(200, 4)"
// The same two samples as .npy files (with and without the batch
// dimension), in a flat folder, and as sample folders of any name.
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/flat/a.npy "[[-1, 0.5, 2, 1.27]]"
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/flat/b.npy "[0.3, 2.54, -0.2, 0]"
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/named/first/input_0.npy "[[-1, 0.5, 2, 1.27]]"
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/named/second/input_0.pb "[[0.3, 2.54, -0.2, 0]]"
// RUN: cim-opt %s --cim-calibrate | FileCheck %s --check-prefix=WEIGHTS
// RUN: cim-opt %s --cim-calibrate="inputs=%t/a.pb,%t/b.pb" | FileCheck %s --check-prefix=MINMAX
// RUN: cim-opt %s --cim-calibrate="inputs=%t/sets" | FileCheck %s --check-prefix=MINMAX
// RUN: cim-opt %s --cim-calibrate="inputs=%t/flat" | FileCheck %s --check-prefix=MINMAX
// RUN: cim-opt %s --cim-calibrate="inputs=%t/named" | FileCheck %s --check-prefix=MINMAX
// RUN: cim-opt %s --cim-calibrate="inputs=%t/sets/test_data_set_1,%t/b.pb" | FileCheck %s --check-prefix=MINMAX
// RUN: cim-opt %s --cim-calibrate="inputs=%t/sets,%t/outliers.pb samples=2" | FileCheck %s --check-prefix=MINMAX
// RUN: cim-opt %s --cim-calibrate="inputs=%t/a.pb,%t/outliers.pb samples=1" | FileCheck %s --check-prefix=FIRST
// RUN: cim-opt %s --cim-calibrate="inputs=%t/outliers.pb" | FileCheck %s --check-prefix=OUTLIER
// RUN: cim-opt %s --cim-calibrate="inputs=%t/outliers.pb method=percentile percentile=99 overwrite=true" | FileCheck %s --check-prefix=PERCENTILE

// Weight scales per output channel: max|w_c| / 127 (8 bits), / 7 (4 bits);
// the all-zero column of fc2 gets 1. fc3 keeps the scales it already has
// (as from a QDQ import). Without inputs no activation scale appears.
// WEIGHTS: name = "fc1", quant = #cim.quant<wbits = 8, abits = 8, wscale = [7.874016e-03, 7.874016e-03]>}
// WEIGHTS: name = "fc2", quant = #cim.quant<wbits = 4, abits = 8, ascheme = asymmetric, wscale = [7.142857e-02, 1.000000e+00]>}
// WEIGHTS: name = "fc3", quant = #cim.quant<wbits = 8, abits = 8, granularity = per_tensor, wscale = [5.000000e-01], ascale = 5.000000e+00 : f32>}

// fc1 sees [-1, 2.54]: 2.54 / 127. fc2 sees relu(x0, -x1) = [0, 0.3]:
// unsigned 0.3 / 255, zero point 0. fc3 keeps its scale.
// MINMAX: name = "fc1", quant = #cim.quant<{{.*}}ascale = 2.000000e-02 : f32>}
// MINMAX: name = "fc2", quant = #cim.quant<{{.*}}ascale = 0.00117647066 : f32>}
// MINMAX: name = "fc3", quant = #cim.quant<{{.*}}ascale = 5.000000e+00 : f32>}

// samples=N keeps the first N samples: the outliers are not seen. fc1
// sees [-1, 2] alone: 2 / 127.
// FIRST: name = "fc1", quant = #cim.quant<{{.*}}ascale = 0.0157480314 : f32>}

// One outlier (100) among 799 values in [-1, 1] stretches min/max ...
// OUTLIER: name = "fc1", quant = #cim.quant<{{.*}}ascale = 0.787401556 : f32>}
// OUTLIER: name = "fc2", quant = #cim.quant<{{.*}}ascale = 3.911740e-03 : f32>}
// ... the 99th percentile clips it; overwrite replaces fc3's scales.
// PERCENTILE: name = "fc1", quant = #cim.quant<{{.*}}ascale = 0.00773607241 : f32>}
// PERCENTILE: name = "fc2", quant = #cim.quant<{{.*}}ascale = 0.00383340707 : f32>}
// PERCENTILE: name = "fc3", quant = #cim.quant<{{.*}}wscale = [7.874016e-03], ascale = 0.00375979324 : f32>}
func.func @main(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  %w = cim.constant dense<[[1.0, 0.0], [0.0, -1.0], [0.0, 0.0], [0.0, 0.0]]> : tensor<4x2xf32>
  %0 = cim.gemm %x, %w {name = "fc1", quant = #cim.quant<wbits = 8, abits = 8>}
     : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  %1 = cim.relu %0 : tensor<?x2xf32>
  %w2 = cim.constant dense<[[0.5, 0.0], [0.0, 0.0]]> : tensor<2x2xf32>
  %2 = cim.gemm %1, %w2 {name = "fc2", quant = #cim.quant<wbits = 4, abits = 8, ascheme = asymmetric>}
     : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %w3 = cim.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %3 = cim.gemm %2, %w3 {name = "fc3", quant = #cim.quant<wbits = 8, abits = 8, granularity = per_tensor, wscale = [0.5], ascale = 5.0 : f32>}
     : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %3 : tensor<?x2xf32>
}
