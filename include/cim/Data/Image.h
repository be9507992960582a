//===- Image.h - Decoding and transforming images ---------------*- C++ -*-===//
//
// Library CIMData. JPEG files decoded by libjpeg-turbo (turbojpeg.h) and PNG
// files by libpng's simplified API, and the torchvision transforms that
// turn an image into a network input: resize of the shorter side
// (bilinear, with PIL's antialiasing when shrinking), center crop, scaling
// to [0, 1], per-channel normalization, and for training
// RandomResizedCrop and a horizontal flip, drawn from a caller's generator.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DATA_IMAGE_H
#define CIM_DATA_IMAGE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace data {

/// 8-bit pixels, height x width x channels (1: gray, 3: RGB), interleaved.
struct Image {
  int64_t height = 0, width = 0, channels = 0;
  std::vector<uint8_t> pixels;
  uint8_t at(int64_t y, int64_t x, int64_t c) const {
    return pixels[size_t((y * width + x) * channels + c)];
  }
};

/// Whether a file name ends in .jpg, .jpeg or .png (any case).
bool isImageFileName(llvm::StringRef name);

/// Decodes a JPEG or PNG file (told apart by their magic bytes) to
/// `channels` (1 or 3) channels; a DataError naming `name` for a file that
/// is neither, is truncated or corrupt.
llvm::Expected<Image> decodeImage(llvm::StringRef bytes, llvm::StringRef name,
                                  int64_t channels);
/// The same for the file `path`.
llvm::Expected<Image> readImageFile(llvm::StringRef path, int64_t channels);

/// How an image becomes a network input (torchvision's transforms, in
/// their order).
struct ImageTransform {
  /// The output's size (the model input's height and width).
  int64_t height = 0, width = 0;
  /// Evaluation: Resize(resize) then CenterCrop(height, width). 0: the
  /// shorter side is resized to max(height, width).
  int64_t resize = 0;
  /// Training: RandomResizedCrop((height, width), scale, ratio) instead of
  /// the resize and center crop.
  bool randomResizedCrop = false;
  double minScale = 0.08, maxScale = 1.0;
  double minRatio = 3.0 / 4.0, maxRatio = 4.0 / 3.0;
  /// Training: RandomHorizontalFlip(0.5).
  bool horizontalFlip = false;
  /// Normalize: x = (pixel / 255 - mean[c]) / std[c] (a list of one value
  /// applies to every channel; empty: mean 0, std 1).
  std::vector<float> mean, std;
};

/// Checks the transform for an input of `channels` channels: a size, and
/// mean and std lists of 0, 1 or `channels` values (std nonzero). The
/// message names `meanName` and `stdName`, the options that set them.
llvm::Error checkImageTransform(const ImageTransform &transform,
                                int64_t channels, llvm::StringRef meanName,
                                llvm::StringRef stdName);

/// Resizes to exactly `height` x `width` as PIL's Image.resize with
/// BILINEAR does (a triangle filter, widened by the scale when shrinking;
/// each pass rounded to 8 bits).
Image resizeBilinear(const Image &image, int64_t height, int64_t width);

/// The `height` x `width` window at (top, left); pixels outside the image
/// are 0 (torchvision pads a crop larger than the image with zeros).
Image cropImage(const Image &image, int64_t top, int64_t left, int64_t height,
                int64_t width);

/// A crop window: top, left, height, width.
struct CropWindow {
  int64_t top = 0, left = 0, height = 0, width = 0;
};

/// torchvision's RandomResizedCrop.get_params: ten tries of a random area
/// and log-uniform aspect ratio, then the central crop of the clamped ratio.
CropWindow drawResizedCrop(int64_t height, int64_t width,
                           const ImageTransform &transform,
                           std::mt19937_64 &rng);

/// Applies `transform` to `image` and writes channels x height x width
/// floats to `out`; `rng` draws the training augmentations (unused
/// otherwise).
void transformImage(const Image &image, const ImageTransform &transform,
                    std::mt19937_64 &rng, float *out);

} // namespace data
} // namespace cim
} // namespace mlir

#endif // CIM_DATA_IMAGE_H
