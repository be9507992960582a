// cim-calibrate on an image folder: every image decoded, resized (shorter
// side to the input's larger side, or to resize=), center-cropped to the
// input's 8x8, scaled to [0, 1] and normalized with mean= and std=. The
// expected scales are max|x| / 127 of the same images through torchvision
// (ImageFolder with Resize(8), CenterCrop(8), ToTensor(), Normalize):
// 0.992157 / 127, and with mean 0.5 and std 0.25, 1.968627 / 127.
// RUN: rm -rf %t && %python %cim_src_root/scripts/write-images.py %t/images --classes 2 --per-class 2 --size 12x10
// RUN: cim-opt %s --cim-calibrate="inputs=%t/images" | FileCheck %s --check-prefix=PLAIN
// RUN: cim-opt %s --cim-calibrate="inputs=%t/images mean=0.5 std=0.25" | FileCheck %s --check-prefix=NORMALIZED
// RUN: not cim-opt %s --cim-calibrate="inputs=%t/images mean=0.5,0.4" 2>&1 | FileCheck %s --check-prefix=MEAN
// RUN: printf 'not a jpeg' > %t/images/class_1/broken.jpg
// RUN: not cim-opt %s --cim-calibrate="inputs=%t/images" 2>&1 | FileCheck %s --check-prefix=CORRUPT

// PLAIN: name = "conv1", quant = #cim.quant<wbits = 8, abits = 8, wscale = [{{.*}}], ascale = 0.00781225879 : f32>}
// NORMALIZED: name = "conv1", quant = #cim.quant<wbits = 8, abits = 8, wscale = [{{.*}}], ascale = 0.0155010037 : f32>}
// MEAN: error: cim-calibrate: mean has 2 values for images of 3 channels (give 1 or 3)
// CORRUPT: class_1/broken.jpg:0:0: error: cim-calibrate: neither a JPEG nor a PNG image
func.func @main(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x6x6xf32> {
  %w = cim.constant dense<0.1> : tensor<4x3x3x3xf32>
  %0 = cim.conv2d %x, %w {name = "conv1", quant = #cim.quant<wbits = 8, abits = 8>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}
