// cim-calibrate's errors: one located line each, and the pass fails.
// RUN: rm -rf %t && mkdir -p %t/empty %t/two
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/two/input_0.pb "[[1, 2, 3, 4]]"
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/two/input_1.pb "[[1, 2, 3, 4]]"
// RUN: echo "not a tensor" > %t/bad.pb
// RUN: not cim-opt %s --cim-calibrate="method=entropy" 2>&1 | FileCheck %s --check-prefix=METHOD
// RUN: not cim-opt %s --cim-calibrate="method=percentile percentile=20" 2>&1 | FileCheck %s --check-prefix=PERCENTILE
// RUN: not cim-opt %s --cim-calibrate="inputs=%t/missing.pb function=main" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not cim-opt %s --cim-calibrate="inputs=%t/bad.pb function=main" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not cim-opt %s --cim-calibrate="inputs=%t/empty function=main" 2>&1 | FileCheck %s --check-prefix=EMPTY
// RUN: not cim-opt %s --cim-calibrate="inputs=%t/two function=main" 2>&1 | FileCheck %s --check-prefix=COUNT
// RUN: not cim-opt %s --cim-calibrate="inputs=%t/two/input_0.pb function=nope" 2>&1 | FileCheck %s --check-prefix=FUNC
// RUN: not cim-opt %s -split-input-file --cim-calibrate="inputs=%t/two/input_0.pb" 2>&1 | FileCheck %s --check-prefix=SPLIT

// METHOD: error: cim-calibrate: method must be minmax, percentile or mse, got 'entropy'
// PERCENTILE: error: cim-calibrate: percentile must be in [50, 100], got 20
// MISSING: missing.pb:0:0: error: cim-calibrate: cannot read the calibration input: {{.*}}
// BAD: bad.pb:0:0: error: cim-calibrate: cannot read the calibration input: {{.*}}
// EMPTY: error: cim-calibrate: {{.*}}empty holds neither input_0.pb nor test_data_set_* directories
// COUNT: two:0:0: error: cim-calibrate: the calibration sample has 2 input(s) but @main takes 1
// FUNC: error: cim-calibrate: no function @nope with a body
// A layer without #cim.quant is reported and left float; the second split
// has two functions, so the one to run must be named.
// SPLIT: warning: layer has no #cim.quant (run cim-assign-bitwidths first); it stays float
// SPLIT: error: cim-calibrate: the module has 2 functions; name the one to run with function=
func.func @main(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %w = cim.constant dense<0.5> : tensor<4x2xf32>
  %0 = cim.gemm %x, %w {quant = #cim.quant<wbits = 8, abits = 8>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @a(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %w = cim.constant dense<0.5> : tensor<4x2xf32>
  %0 = cim.gemm %x, %w : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}
func.func @b(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  return %x : tensor<1x4xf32>
}
