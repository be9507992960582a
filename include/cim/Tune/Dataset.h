//===- Dataset.h - Training and evaluation data -----------------*- C++ -*-===//
//
// Library CIMTune. The named image sets (idx files of MNIST and
// Fashion-MNIST, gzip or raw; CIFAR-10 binary batches), held as bytes, and
// the data folders of CIMData (tensor files, sample folders with several
// inputs and targets, image folders; docs/tune.md, "Data"), read per batch:
// samples of float tensors with any number of inputs and optional labels.
// Normalization, augmentation and a seeded batch iterator. Plain C++: the
// LibTorch side wraps the batches.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TUNE_DATASET_H
#define CIM_TUNE_DATASET_H

#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace tune {

struct Graph;
/// A data folder's samples and how to read them (Dataset.cpp).
struct FolderData;

/// Samples with one label each or none: a named set's images as bytes (N x
/// C x H x W, one input), or a data folder read per batch.
struct Dataset {
  int64_t count = 0, channels = 1, height = 0, width = 0;
  /// The images of a named set; empty for a data folder.
  std::vector<uint8_t> pixels;
  /// One label per sample, or none.
  std::vector<int64_t> labels;
  int64_t numClasses = 10;
  /// A data folder's samples (null for a named set), and the first of them
  /// this data set starts at.
  std::shared_ptr<const FolderData> folder;
  int64_t first = 0;

  bool hasLabels() const { return !labels.empty(); }
  /// Whether the samples carry expected outputs (output_N files).
  bool hasTargets() const;
  size_t getNumInputs() const;
  /// The shape of one sample of input `input` (no batch dimension).
  std::vector<int64_t> getInputShape(size_t input) const;
  /// The number of floats in one sample of input `input`.
  int64_t getSampleSize(size_t input) const;
  int64_t getImageSize() const { return getSampleSize(0); }
  /// Whether the samples are images of an image folder.
  bool isImageFolder() const;
  /// The first `n` samples (all when n <= 0 or n >= count).
  void truncate(int64_t n);
  /// Samples [begin, begin + n).
  Dataset slice(int64_t begin, int64_t n) const;
  /// The samples at `indices` (each in [0, count)), in that order.
  Dataset select(const std::vector<int64_t> &indices) const;
};

/// A sample of a data folder that cannot be read (a corrupt image, a file
/// changed since the data set was listed): one line `FILE: error: ...`.
struct SampleError : std::runtime_error {
  using std::runtime_error::runtime_error;
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

/// Whether `name` is a named set ("fashion-mnist", "mnist", "cifar10") or
/// a directory of idx files, rather than a data folder or tensor file.
bool isNamedDataset(const std::string &name);

/// Loads the `train` or test split of a named data set: "fashion-mnist"
/// (default directory /usr/share/datasets/fashion-mnist), "mnist" or
/// "cifar10" (directory of data_batch_N.bin / test_batch.bin). `dir`
/// overrides the directory; a name that is a directory of idx files is read
/// there. Any other path is a data folder or tensor file (CIMData's
/// layouts) for `model`, which its samples must fit: the tensors' shapes
/// and types, the labels' range (the first output's last dimension), the
/// targets' shapes; a folder with `train` and `val` (or `test`) subfolders
/// gives the two splits, any other serves both. Every error is one line
/// naming the file (and sample).
bool loadDataset(const std::string &name, const std::string &dir, bool train,
                 Dataset &dataset, std::string &error,
                 const Graph *model = nullptr);

/// How bytes become network inputs, and the random augmentation of training
/// batches.
struct Transform {
  /// x = (pixel / 255 - mean[c]) / std[c]; empty: mean 0, std 1.
  std::vector<float> mean, std;
  /// Random crop after zero padding by this many pixels (0: none).
  int64_t cropPadding = 0;
  /// Random horizontal flip.
  bool horizontalFlip = false;
  /// Image folders: the shorter side before the center crop to the model
  /// input's height and width (0: the larger of them).
  int64_t resize = 0;
  /// Image folders, training: torchvision's RandomResizedCrop (scale 0.08-1,
  /// ratio 3/4-4/3) to the input's size instead of the resize and crop.
  bool randomResizedCrop = false;
};

/// Checks that `transform` applies to `dataset` (the image options to an
/// image folder, the crop padding to a named set, no augmentation nor
/// normalization for tensor files, mean and std of 1 value or one per
/// channel for an image folder); false with a one-line `error` naming
/// cim-tune's options.
bool checkTransform(const Dataset &dataset, const Transform &transform,
                    std::string &error);

/// Writes image `index` (normalized, not augmented) to `out`.
void getImage(const Dataset &dataset, int64_t index, const Transform &transform,
              float *out);

/// Writes every input of sample `index` (normalized, not augmented) to
/// `inputs`, one vector per input; throws SampleError.
void getSample(const Dataset &dataset, int64_t index,
               const Transform &transform,
               std::vector<std::vector<float>> &inputs);

/// One batch: every input's samples (n x sample, f32) and the labels (none
/// when the data set has none) and targets (one vector per output, when
/// the samples have them and the iterator reads them).
struct Batch {
  int64_t size = 0;
  std::vector<std::vector<float>> inputs;
  std::vector<int64_t> labels;
  std::vector<std::vector<float>> targets;
};

/// How many threads read the samples of a data folder's batch (decode and
/// transform images, parse tensor files); 1 by default. Batches are the
/// same for any count: each sample's augmentation is drawn from the seed,
/// the epoch and the sample, and the first failing sample in batch order
/// is reported.
void setReaderThreads(int threads);

/// Iterates over a data set in batches, shuffled with a seeded generator
/// (the same seed and epoch give the same order and augmentation).
class BatchIterator {
public:
  BatchIterator(const Dataset &dataset, const Transform &transform,
                int64_t batchSize, bool shuffle, bool augment, uint64_t seed,
                int64_t epoch);

  /// Fills the next batch (up to batchSize samples); false when the epoch
  /// is over. Samples of a data folder are read here (images decoded and
  /// transformed); one that cannot be read throws SampleError.
  bool next(Batch &batch);
  /// The same for a data set of one input: the images (NCHW f32) and the
  /// labels (-1 for unlabeled data).
  bool next(std::vector<float> &images, std::vector<int64_t> &labels);
  int64_t getBatchCount() const;
  /// Reads the samples' targets (output_N files) into the batches too.
  void readTargets() { wantTargets = true; }

private:
  const Dataset &dataset;
  Transform transform;
  int64_t batchSize;
  bool augment;
  std::vector<int64_t> order;
  size_t position = 0;
  std::mt19937_64 rng;
  uint64_t seed, epoch;
  bool wantTargets = false;
  Batch scratch;
};

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_TUNE_DATASET_H
