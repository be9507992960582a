//===- Dataset.cpp - Image classification data sets -----------------------===//

#include "cim/Tune/Dataset.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sys/stat.h>

using namespace mlir::cim;
using namespace mlir::cim::tune;

void Dataset::truncate(int64_t n) {
  if (n <= 0 || n >= count)
    return;
  count = n;
  pixels.resize(size_t(n * getImageSize()));
  if (!labels.empty())
    labels.resize(size_t(n));
}

/// The whole file, inflated when it is gzip-compressed.
static bool readMaybeGzip(const std::string &path, std::vector<uint8_t> &out,
                          std::string &error) {
  gzFile file = gzopen(path.c_str(), "rb"); // reads plain files as they are
  if (!file) {
    error = path + ": error: cannot open the file";
    return false;
  }
  out.clear();
  std::vector<uint8_t> chunk(1 << 20);
  while (true) {
    int n = gzread(file, chunk.data(), unsigned(chunk.size()));
    if (n < 0) {
      int code = 0;
      error = path + ": error: cannot read the file: " + gzerror(file, &code);
      gzclose(file);
      return false;
    }
    if (n == 0)
      break;
    out.insert(out.end(), chunk.begin(), chunk.begin() + n);
  }
  gzclose(file);
  return true;
}

static uint32_t readBigEndian(const uint8_t *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 |
         uint32_t(p[3]);
}

bool tune::loadIdx(const std::string &imagesPath, const std::string &labelsPath,
                   Dataset &dataset, std::string &error) {
  std::vector<uint8_t> images, labels;
  if (!readMaybeGzip(imagesPath, images, error) ||
      !readMaybeGzip(labelsPath, labels, error))
    return false;
  if (images.size() < 16 || readBigEndian(images.data()) != 0x00000803) {
    error = imagesPath + ": error: not an idx3 image file (magic 0x00000803, "
                         "unsigned bytes, 3 dimensions)";
    return false;
  }
  if (labels.size() < 8 || readBigEndian(labels.data()) != 0x00000801) {
    error = labelsPath + ": error: not an idx1 label file (magic 0x00000801)";
    return false;
  }
  int64_t count = readBigEndian(images.data() + 4);
  int64_t height = readBigEndian(images.data() + 8);
  int64_t width = readBigEndian(images.data() + 12);
  if (int64_t(images.size()) != 16 + count * height * width) {
    error = imagesPath + ": error: the header declares " +
            std::to_string(count) + " images of " + std::to_string(height) +
            "x" + std::to_string(width) + " but the file holds " +
            std::to_string(images.size() - 16) + " bytes of pixels";
    return false;
  }
  int64_t labelCount = readBigEndian(labels.data() + 4);
  if (int64_t(labels.size()) != 8 + labelCount) {
    error = labelsPath + ": error: the header declares " +
            std::to_string(labelCount) + " labels but the file holds " +
            std::to_string(labels.size() - 8);
    return false;
  }
  if (labelCount != count) {
    error = labelsPath + ": error: " + std::to_string(labelCount) +
            " labels for " + std::to_string(count) + " images";
    return false;
  }
  dataset.count = count;
  dataset.channels = 1;
  dataset.height = height;
  dataset.width = width;
  dataset.pixels.assign(images.begin() + 16, images.end());
  dataset.labels.assign(labels.begin() + 8, labels.end());
  dataset.numClasses = 10;
  for (uint8_t label : dataset.labels) {
    if (label >= 10) {
      error = labelsPath + ": error: label " + std::to_string(label) +
              " is outside 0..9";
      return false;
    }
  }
  return true;
}

bool tune::loadCifar10(const std::vector<std::string> &paths, Dataset &dataset,
                       std::string &error) {
  constexpr int64_t kRecord = 1 + 3 * 32 * 32;
  dataset = Dataset();
  dataset.channels = 3;
  dataset.height = dataset.width = 32;
  for (const std::string &path : paths) {
    std::vector<uint8_t> data;
    if (!readMaybeGzip(path, data, error))
      return false;
    if (data.empty() || data.size() % kRecord) {
      error = path + ": error: not a CIFAR-10 binary batch (" +
              std::to_string(data.size()) + " bytes is not a multiple of " +
              std::to_string(kRecord) + ")";
      return false;
    }
    for (size_t offset = 0; offset < data.size(); offset += kRecord) {
      if (data[offset] >= 10) {
        error = path + ": error: label " + std::to_string(data[offset]) +
                " is outside 0..9";
        return false;
      }
      dataset.labels.push_back(data[offset]);
      dataset.pixels.insert(dataset.pixels.end(), data.begin() + offset + 1,
                            data.begin() + offset + kRecord);
      ++dataset.count;
    }
  }
  return true;
}

std::string tune::getDefaultDataDir(const std::string &name) {
  if (name == "fashion-mnist")
    return "/usr/share/datasets/fashion-mnist";
  if (name == "mnist")
    return "/usr/share/datasets/mnist";
  if (name == "cifar10")
    return "/usr/share/datasets/cifar10";
  return name;
}

static bool exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

/// `base` or `base.gz`, whichever exists (base when neither does, so that
/// the error names it).
static std::string findFile(const std::string &dir, const std::string &base) {
  std::string plain = dir + "/" + base;
  if (!exists(plain) && exists(plain + ".gz"))
    return plain + ".gz";
  return plain;
}

bool tune::loadDataset(const std::string &name, const std::string &dir,
                       bool train, Dataset &dataset, std::string &error) {
  bool known = name == "fashion-mnist" || name == "mnist" || name == "cifar10";
  if (!known && !exists(name)) {
    error = "cim-tune: error: unknown data set '" + name +
            "' (expected fashion-mnist, mnist, cifar10 or a directory of idx "
            "files)";
    return false;
  }
  std::string root = dir.empty() ? getDefaultDataDir(name) : dir;
  if (!exists(root)) {
    error = root + ": error: data directory not found" +
            (name == "fashion-mnist"
                 ? " (install the Debian package dataset-fashion-mnist)"
                 : "");
    return false;
  }
  if (name == "cifar10") {
    std::vector<std::string> paths;
    if (train) {
      for (int i = 1; i <= 5; ++i)
        paths.push_back(
            findFile(root, "data_batch_" + std::to_string(i) + ".bin"));
    } else {
      paths.push_back(findFile(root, "test_batch.bin"));
    }
    return loadCifar10(paths, dataset, error);
  }
  const char *prefix = train ? "train" : "t10k";
  return loadIdx(findFile(root, std::string(prefix) + "-images-idx3-ubyte"),
                 findFile(root, std::string(prefix) + "-labels-idx1-ubyte"),
                 dataset, error);
}

void tune::getImage(const Dataset &dataset, int64_t index,
                    const Transform &transform, float *out) {
  int64_t plane = dataset.height * dataset.width;
  const uint8_t *src = dataset.pixels.data() + index * dataset.getImageSize();
  for (int64_t c = 0; c < dataset.channels; ++c) {
    float mean = transform.mean.empty()
                     ? 0.0f
                     : transform.mean[size_t(c) % transform.mean.size()];
    float std = transform.std.empty()
                    ? 1.0f
                    : transform.std[size_t(c) % transform.std.size()];
    for (int64_t i = 0; i < plane; ++i)
      out[c * plane + i] = (float(src[c * plane + i]) / 255.0f - mean) / std;
  }
}

BatchIterator::BatchIterator(const Dataset &dataset, const Transform &transform,
                             int64_t batchSize, bool shuffle, bool augment,
                             uint64_t seed, int64_t epoch)
    : dataset(dataset), transform(transform), batchSize(batchSize),
      augment(augment), rng(seed * 1000003ull + uint64_t(epoch)) {
  order.resize(size_t(dataset.count));
  for (int64_t i = 0; i < dataset.count; ++i)
    order[size_t(i)] = i;
  if (shuffle)
    std::shuffle(order.begin(), order.end(), rng);
}

int64_t BatchIterator::getBatchCount() const {
  return (dataset.count + batchSize - 1) / batchSize;
}

bool BatchIterator::next(std::vector<float> &images,
                         std::vector<int64_t> &labels) {
  if (position >= order.size())
    return false;
  size_t n = std::min(order.size() - position, size_t(batchSize));
  int64_t size = dataset.getImageSize();
  int64_t h = dataset.height, w = dataset.width;
  images.assign(n * size_t(size), 0.0f);
  labels.resize(n);
  std::vector<float> pixels(static_cast<size_t>(size));
  for (size_t b = 0; b < n; ++b) {
    int64_t index = order[position + b];
    labels[b] = dataset.labels.empty() ? -1 : dataset.labels[size_t(index)];
    float *out = images.data() + b * size_t(size);
    if (!augment || (transform.cropPadding == 0 && !transform.horizontalFlip)) {
      getImage(dataset, index, transform, out);
      continue;
    }
    getImage(dataset, index, transform, pixels.data());
    int64_t pad = transform.cropPadding;
    int64_t dy = 0, dx = 0;
    if (pad > 0) {
      std::uniform_int_distribution<int64_t> shift(-pad, pad);
      dy = shift(rng);
      dx = shift(rng);
    }
    bool flip = transform.horizontalFlip &&
                std::uniform_int_distribution<int>(0, 1)(rng) == 1;
    // Zero padding is the normalized zero (the padding value of a conv).
    for (int64_t c = 0; c < dataset.channels; ++c)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) {
          int64_t sy = y + dy, sx = (flip ? w - 1 - x : x) + dx;
          if (sy >= 0 && sy < h && sx >= 0 && sx < w)
            out[(c * h + y) * w + x] = pixels[size_t((c * h + sy) * w + sx)];
        }
  }
  position += n;
  return true;
}
