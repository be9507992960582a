//===- Dataset.h - Image classification data sets ---------------*- C++ -*-===//
//
// Library CIMTune. Loaders for idx files (MNIST, Fashion-MNIST; gzip or
// raw) and CIFAR-10 binary batches, normalization and augmentation, and a
// seeded batch iterator. Plain C++: the LibTorch side wraps the batches.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TUNE_DATASET_H
#define CIM_TUNE_DATASET_H

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace tune {

/// Images as bytes, N x C x H x W, with one label each, or none (`labels`
/// empty: unlabeled data, learned from a teacher).
struct Dataset {
  int64_t count = 0, channels = 1, height = 0, width = 0;
  std::vector<uint8_t> pixels;
  std::vector<uint8_t> labels;
  int64_t numClasses = 10;

  int64_t getImageSize() const { return channels * height * width; }
  /// The first `n` images (all when n <= 0 or n >= count).
  void truncate(int64_t n);
};

/// Reads an idx3 image file and an idx1 label file (gzip-compressed when
/// they start with the gzip magic). On failure sets `error` to one line
/// naming the file.
bool loadIdx(const std::string &imagesPath, const std::string &labelsPath,
             Dataset &dataset, std::string &error);

/// Reads CIFAR-10 binary batches (each record: label byte + 3072 pixels).
bool loadCifar10(const std::vector<std::string> &paths, Dataset &dataset,
                 std::string &error);

/// Default directory of a named data set.
std::string getDefaultDataDir(const std::string &name);

/// Loads the `train` or test split of a named data set: "fashion-mnist"
/// (default directory /usr/share/datasets/fashion-mnist), "mnist" or
/// "cifar10" (directory of data_batch_N.bin / test_batch.bin). `dir`
/// overrides the directory; a name that is a directory is read as idx files
/// there.
bool loadDataset(const std::string &name, const std::string &dir, bool train,
                 Dataset &dataset, std::string &error);

/// How bytes become network inputs, and the random augmentation of training
/// batches.
struct Transform {
  /// x = (pixel / 255 - mean[c]) / std[c]; empty: mean 0, std 1.
  std::vector<float> mean, std;
  /// Random crop after zero padding by this many pixels (0: none).
  int64_t cropPadding = 0;
  /// Random horizontal flip.
  bool horizontalFlip = false;
};

/// Writes image `index` (normalized, not augmented) to `out`.
void getImage(const Dataset &dataset, int64_t index, const Transform &transform,
              float *out);

/// Iterates over a data set in batches, shuffled with a seeded generator
/// (the same seed and epoch give the same order and augmentation).
class BatchIterator {
public:
  BatchIterator(const Dataset &dataset, const Transform &transform,
                int64_t batchSize, bool shuffle, bool augment, uint64_t seed,
                int64_t epoch);

  /// Fills the next batch (up to batchSize images, NCHW f32) and its labels
  /// (-1 for unlabeled data);
  /// false when the epoch is over.
  bool next(std::vector<float> &images, std::vector<int64_t> &labels);
  int64_t getBatchCount() const;

private:
  const Dataset &dataset;
  Transform transform;
  int64_t batchSize;
  bool augment;
  std::vector<int64_t> order;
  size_t position = 0;
  std::mt19937_64 rng;
};

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_TUNE_DATASET_H
