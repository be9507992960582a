// cim-calibrate's errors: one located line each, and the pass fails.
// RUN: rm -rf %t && mkdir -p %t/empty %t/two
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/two/input_0.pb "[[1, 2, 3, 4]]"
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/two/input_1.pb "[[1, 2, 3, 4]]"
// RUN: echo "not a tensor" > %t/bad.pb
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/shape.pb "[[1.5, 2, 3]]"
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/int.npy "np.array([[1, 2, 3, 4]])"
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/fortran.npy "np.asfortranarray(np.ones((4, 2)))"
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/sets/test_data_set_0/input_0.npy "[[1.5, 2, 3, 4]]"
// RUN: %python %cim_src_root/scripts/write-tensor.py %t/sets/test_data_set_1/input_0.npy "[[1.5, 2, 3, 4, 5]]"
// RUN: %python %cim_src_root/scripts/write-images.py %t/images --classes 2 --per-class 1
// RUN: not cim-opt %s --cim-calibrate="method=entropy" 2>&1 | FileCheck %s --check-prefix=METHOD
// RUN: not cim-opt %s --cim-calibrate="method=percentile percentile=20" 2>&1 | FileCheck %s --check-prefix=PERCENTILE
// RUN: not cim-opt %s --cim-calibrate="inputs=%t/missing.pb function=main" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not cim-opt %s --cim-calibrate="inputs=%t/bad.pb function=main" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not cim-opt %s --cim-calibrate="inputs=%t/empty function=main" 2>&1 | FileCheck %s --check-prefix=EMPTY
// RUN: not cim-opt %s --cim-calibrate="inputs=%t/two function=main" 2>&1 | FileCheck %s --check-prefix=COUNT
// RUN: not cim-opt %s --cim-calibrate="inputs=%t/shape.pb function=main" 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not cim-opt %s --cim-calibrate="inputs=%t/int.npy function=main" 2>&1 | FileCheck %s --check-prefix=TYPE
// RUN: not cim-opt %s --cim-calibrate="inputs=%t/fortran.npy function=main" 2>&1 | FileCheck %s --check-prefix=FORTRAN
// RUN: not cim-opt %s --cim-calibrate="inputs=%t/sets function=main" 2>&1 | FileCheck %s --check-prefix=SAMPLE
// RUN: not cim-opt %s --cim-calibrate="inputs=%t/images function=main" 2>&1 | FileCheck %s --check-prefix=IMAGES
// RUN: not cim-opt %s --cim-calibrate="inputs=%t/two/input_0.pb function=nope" 2>&1 | FileCheck %s --check-prefix=FUNC
// RUN: not cim-opt %s -split-input-file --cim-calibrate="inputs=%t/two/input_0.pb" 2>&1 | FileCheck %s --check-prefix=SPLIT

// METHOD: error: cim-calibrate: method must be minmax, percentile or mse, got 'entropy'
// PERCENTILE: error: cim-calibrate: percentile must be in [50, 100], got 20
// MISSING: missing.pb:0:0: error: cim-calibrate: cannot read: {{.*}}
// BAD: bad.pb:0:0: error: cim-calibrate: {{.*}}
// EMPTY: empty:0:0: error: cim-calibrate: holds no samples: expected .pb or .npy files, input_0.pb (or .npy), sample folders such as test_data_set_0, or one folder of images per class
// COUNT: two/input_0.pb:0:0: error: cim-calibrate: the calibration sample has 2 input(s) but @main takes 1
// SHAPE: shape.pb:0:0: error: cim-calibrate: sample 0: a 1x3 f32 tensor does not fit input 0 of @main (1x4 f32)
// TYPE: int.npy:0:0: error: cim-calibrate: sample 0: a 1x4 i64 tensor does not fit input 0 of @main (1x4 f32)
// FORTRAN: fortran.npy:0:0: error: cim-calibrate: Fortran-order arrays are not supported; save the array in C order (numpy.ascontiguousarray)
// SAMPLE: test_data_set_1/input_0.npy:0:0: error: cim-calibrate: sample 1: a 1x5 f32 tensor does not fit input 0 of @main (1x4 f32)
// IMAGES: images:0:0: error: cim-calibrate: an image folder calibrates a function with one f32 input of 1x1xHxW or 1x3xHxW (NCHW)
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
