//===- Image.cpp - Decoding and transforming images -----------------------===//
//
// The resize is PIL's (Resample.c, which torchvision calls for images):
// for each output pixel a triangle filter centred on it in input
// coordinates, its support widened by the scale when shrinking
// (antialiasing), coefficients normalized and rounded to 22-bit fixed
// point, the horizontal pass first, each pass rounded and clipped to 8 bits.
// The crops and the random draws follow torchvision's transforms.
//
//===----------------------------------------------------------------------===//

#include "cim/Data/Image.h"

#include "cim/Data/DataError.h"

#include "llvm/Support/MemoryBuffer.h"

#include <png.h>
#include <turbojpeg.h>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace mlir::cim;
using namespace mlir::cim::data;
using llvm::StringRef;

/// Larger images are refused: a corrupt header must not allocate gigabytes.
static constexpr int64_t kMaxPixels = int64_t(1) << 28;

bool data::isImageFileName(StringRef name) {
  return name.endswith_insensitive(".jpg") ||
         name.endswith_insensitive(".jpeg") ||
         name.endswith_insensitive(".png");
}

static llvm::Expected<Image> decodeJpeg(StringRef bytes, StringRef name,
                                        int64_t channels) {
  tjhandle handle = tjInitDecompress();
  if (!handle)
    return makeDataError(name, "cannot start the JPEG decoder");
  auto fail = [&](const llvm::Twine &what) {
    llvm::Error error = makeDataError(
        name, what + ": " + llvm::StringRef(tjGetErrorStr2(handle)).trim());
    tjDestroy(handle);
    return error;
  };
  const auto *data = reinterpret_cast<const unsigned char *>(bytes.data());
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(handle, data,
                          static_cast<unsigned long>(bytes.size()), &width,
                          &height, &subsampling, &colorspace) != 0)
    return fail("not a valid JPEG image");
  if (int64_t(width) * height > kMaxPixels) {
    tjDestroy(handle);
    return makeDataError(name, "the JPEG image is " + llvm::Twine(width) + "x" +
                                   llvm::Twine(height) +
                                   " pixels, more than the 2^28 read");
  }
  Image image;
  image.height = height;
  image.width = width;
  image.channels = channels;
  image.pixels.resize(size_t(int64_t(width) * height * channels));
  // A truncated file is a warning to libjpeg (it fills the rest with gray):
  // stop on it. LIMITSCANS refuses progressive files with absurd scan counts.
  int flags = TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS;
  if (tjDecompress2(handle, data, static_cast<unsigned long>(bytes.size()),
                    image.pixels.data(), width, 0, height,
                    channels == 1 ? TJPF_GRAY : TJPF_RGB, flags) != 0)
    return fail("corrupt or truncated JPEG image");
  tjDestroy(handle);
  return image;
}

static llvm::Expected<Image> decodePng(StringRef bytes, StringRef name,
                                       int64_t channels) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size()))
    return makeDataError(name,
                         llvm::Twine("not a valid PNG image: ") + png.message);
  if (int64_t(png.width) * png.height > kMaxPixels) {
    png_image_free(&png);
    return makeDataError(name, "the PNG image is " + llvm::Twine(png.width) +
                                   "x" + llvm::Twine(png.height) +
                                   " pixels, more than the 2^28 read");
  }
  png.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  Image image;
  image.height = png.height;
  image.width = png.width;
  image.channels = channels;
  // Zeroed: an image with alpha is composed onto black.
  image.pixels.assign(PNG_IMAGE_SIZE(png), 0);
  if (!png_image_finish_read(&png, nullptr, image.pixels.data(), 0, nullptr)) {
    llvm::Error error = makeDataError(
        name, llvm::Twine("corrupt or truncated PNG image: ") + png.message);
    png_image_free(&png);
    return std::move(error);
  }
  png_image_free(&png);
  return image;
}

llvm::Expected<Image> data::decodeImage(StringRef bytes, StringRef name,
                                        int64_t channels) {
  if (channels != 1 && channels != 3)
    return makeDataError(name, "images are read with 1 or 3 channels, not " +
                                   llvm::Twine(channels));
  if (bytes.startswith("\xFF\xD8"))
    return decodeJpeg(bytes, name, channels);
  if (bytes.startswith("\x89PNG\r\n\x1A\n"))
    return decodePng(bytes, name, channels);
  return makeDataError(name, bytes.empty() ? "empty image file"
                                           : "neither a JPEG nor a PNG image");
}

llvm::Expected<Image> data::readImageFile(StringRef path, int64_t channels) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeDataError(path, "cannot read the file: " +
                                   buffer.getError().message());
  return decodeImage((*buffer)->getBuffer(), path, channels);
}

llvm::Error data::checkImageTransform(const ImageTransform &t, int64_t channels,
                                      StringRef meanName, StringRef stdName) {
  auto fail = [](const llvm::Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
  };
  if (t.height <= 0 || t.width <= 0)
    return fail("images need a size; the input's is " + llvm::Twine(t.height) +
                "x" + llvm::Twine(t.width));
  for (auto [list, name] :
       {std::make_pair(&t.mean, meanName), std::make_pair(&t.std, stdName)})
    if (list->size() > 1 && int64_t(list->size()) != channels)
      return fail(name + " has " + llvm::Twine(list->size()) +
                  " values for images of " + llvm::Twine(channels) +
                  " channels (give 1 or " + llvm::Twine(channels) + ")");
  for (float v : t.std)
    if (!(v != 0.0f) || !std::isfinite(v))
      return fail(stdName + " must be finite and nonzero");
  if (!(t.minScale > 0 && t.minScale <= t.maxScale && t.maxScale <= 1 &&
        t.minRatio > 0 && t.minRatio <= t.maxRatio))
    return fail("the random-resized-crop scale must lie in (0, 1] and the "
                "ratio be positive, each as min <= max");
  return llvm::Error::success();
}

namespace {
constexpr int kPrecisionBits = 32 - 8 - 2;

/// PIL's coefficients for resampling `inSize` samples to `outSize`: for
/// output i, the first input `first[i]` and the fixed-point weights.
struct Coefficients {
  std::vector<int64_t> first, count;
  std::vector<int32_t> weights;
  int64_t stride = 0;
};

Coefficients computeCoefficients(int64_t inSize, int64_t outSize) {
  double scale = double(inSize) / double(outSize);
  double filterScale = std::max(scale, 1.0);
  double support = 1.0 * filterScale; // the triangle's support is 1
  Coefficients c;
  c.stride = int64_t(std::ceil(support)) * 2 + 1;
  c.first.resize(size_t(outSize));
  c.count.resize(size_t(outSize));
  c.weights.assign(size_t(outSize * c.stride), 0);
  std::vector<double> k(size_t(c.stride));
  for (int64_t i = 0; i < outSize; ++i) {
    double center = (double(i) + 0.5) * scale;
    int64_t lo = std::max<int64_t>(0, int64_t(center - support + 0.5));
    int64_t hi = std::min<int64_t>(inSize, int64_t(center + support + 0.5));
    double sum = 0;
    for (int64_t x = lo; x < hi; ++x) {
      double t = std::abs((double(x) - center + 0.5) / filterScale);
      double w = t < 1.0 ? 1.0 - t : 0.0;
      k[size_t(x - lo)] = w;
      sum += w;
    }
    for (int64_t x = lo; x < hi; ++x) {
      double w = sum != 0 ? k[size_t(x - lo)] / sum : 0;
      c.weights[size_t(i * c.stride + x - lo)] =
          int32_t(w < 0 ? -0.5 + w * (1 << kPrecisionBits)
                        : 0.5 + w * (1 << kPrecisionBits));
    }
    c.first[size_t(i)] = lo;
    c.count[size_t(i)] = hi - lo;
  }
  return c;
}

uint8_t clip8(int64_t accumulated) {
  int64_t v = accumulated >> kPrecisionBits;
  return uint8_t(std::clamp<int64_t>(v, 0, 255));
}

/// One pass along x (horizontal) or y.
Image resamplePass(const Image &in, int64_t outSize, bool horizontal) {
  Image out;
  out.channels = in.channels;
  out.height = horizontal ? in.height : outSize;
  out.width = horizontal ? outSize : in.width;
  out.pixels.resize(size_t(out.height * out.width * out.channels));
  Coefficients c =
      computeCoefficients(horizontal ? in.width : in.height, outSize);
  for (int64_t y = 0; y < out.height; ++y)
    for (int64_t x = 0; x < out.width; ++x) {
      int64_t i = horizontal ? x : y;
      const int32_t *w = &c.weights[size_t(i * c.stride)];
      for (int64_t ch = 0; ch < in.channels; ++ch) {
        int64_t sum = int64_t(1) << (kPrecisionBits - 1);
        for (int64_t k = 0; k < c.count[size_t(i)]; ++k) {
          int64_t src = c.first[size_t(i)] + k;
          sum += int64_t(horizontal ? in.at(y, src, ch) : in.at(src, x, ch)) *
                 w[k];
        }
        out.pixels[size_t((y * out.width + x) * out.channels + ch)] =
            clip8(sum);
      }
    }
  return out;
}
} // namespace

Image data::resizeBilinear(const Image &image, int64_t height, int64_t width) {
  Image out = image;
  if (width != image.width)
    out = resamplePass(out, width, /*horizontal=*/true);
  if (height != image.height)
    out = resamplePass(out, height, /*horizontal=*/false);
  return out;
}

Image data::cropImage(const Image &image, int64_t top, int64_t left,
                      int64_t height, int64_t width) {
  Image out;
  out.height = height;
  out.width = width;
  out.channels = image.channels;
  out.pixels.assign(size_t(height * width * image.channels), 0);
  for (int64_t y = 0; y < height; ++y) {
    int64_t sy = top + y;
    if (sy < 0 || sy >= image.height)
      continue;
    for (int64_t x = 0; x < width; ++x) {
      int64_t sx = left + x;
      if (sx < 0 || sx >= image.width)
        continue;
      for (int64_t c = 0; c < image.channels; ++c)
        out.pixels[size_t((y * width + x) * image.channels + c)] =
            image.at(sy, sx, c);
    }
  }
  return out;
}

CropWindow data::drawResizedCrop(int64_t height, int64_t width,
                                 const ImageTransform &t,
                                 std::mt19937_64 &rng) {
  double area = double(height) * double(width);
  std::uniform_real_distribution<double> scale(t.minScale, t.maxScale);
  std::uniform_real_distribution<double> logRatio(std::log(t.minRatio),
                                                  std::log(t.maxRatio));
  for (int attempt = 0; attempt < 10; ++attempt) {
    double target = area * scale(rng);
    double aspect = std::exp(logRatio(rng));
    // Python's round: half to even.
    auto w = int64_t(std::nearbyint(std::sqrt(target * aspect)));
    auto h = int64_t(std::nearbyint(std::sqrt(target / aspect)));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      int64_t top = std::uniform_int_distribution<int64_t>(0, height - h)(rng);
      int64_t left = std::uniform_int_distribution<int64_t>(0, width - w)(rng);
      return {top, left, h, w};
    }
  }
  // The central crop of the ratio clamped to [minRatio, maxRatio].
  double ratio = double(width) / double(height);
  int64_t w = width, h = height;
  if (ratio < t.minRatio)
    h = int64_t(std::nearbyint(double(w) / t.minRatio));
  else if (ratio > t.maxRatio)
    w = int64_t(std::nearbyint(double(h) * t.maxRatio));
  return {(height - h) / 2, (width - w) / 2, h, w};
}

void data::transformImage(const Image &image, const ImageTransform &t,
                          std::mt19937_64 &rng, float *out) {
  Image sized;
  if (t.randomResizedCrop) {
    CropWindow window = drawResizedCrop(image.height, image.width, t, rng);
    sized = resizeBilinear(
        cropImage(image, window.top, window.left, window.height, window.width),
        t.height, t.width);
  } else {
    // Resize(resize): the shorter side to `resize`, the longer one in
    // proportion (truncated, as torchvision computes it).
    int64_t shorter = t.resize > 0 ? t.resize : std::max(t.height, t.width);
    int64_t h = shorter, w = shorter;
    if (image.width >= image.height)
      w = int64_t(double(shorter) * double(image.width) / double(image.height));
    else
      h = int64_t(double(shorter) * double(image.height) / double(image.width));
    Image resized = resizeBilinear(image, h, w);
    // CenterCrop: round((size - crop) / 2) with Python's rounding.
    int64_t top = int64_t(std::nearbyint(double(h - t.height) / 2.0));
    int64_t left = int64_t(std::nearbyint(double(w - t.width) / 2.0));
    if (h < t.height)
      top = -((t.height - h) / 2);
    if (w < t.width)
      left = -((t.width - w) / 2);
    sized = cropImage(resized, top, left, t.height, t.width);
  }
  bool flip =
      t.horizontalFlip && std::uniform_int_distribution<int>(0, 1)(rng) == 1;
  int64_t plane = t.height * t.width;
  for (int64_t c = 0; c < sized.channels; ++c) {
    float mean = t.mean.empty() ? 0.0f : t.mean[size_t(c) % t.mean.size()];
    float std = t.std.empty() ? 1.0f : t.std[size_t(c) % t.std.size()];
    for (int64_t y = 0; y < t.height; ++y)
      for (int64_t x = 0; x < t.width; ++x) {
        int64_t sx = flip ? t.width - 1 - x : x;
        out[c * plane + y * t.width + x] =
            (float(sized.at(y, sx, c)) / 255.0f - mean) / std;
      }
  }
}
