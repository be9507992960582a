//===- Dataset.cpp - Training and evaluation data -------------------------===//

#include "cim/Tune/Dataset.h"

#include "cim/Data/DataError.h"
#include "cim/Data/Image.h"
#include "cim/Data/Samples.h"
#include "cim/Importer/TensorIO.h"
#include "cim/Tune/Graph.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <sys/stat.h>
#include <thread>

using namespace mlir::cim;
using namespace mlir::cim::tune;

/// A data folder's samples, what they must fit, and how they are read.
struct tune::FolderData {
  data::SampleList list;
  /// Per input: the model input (batch 1) and one sample's shape.
  std::vector<data::TensorSpec> inputs, outputs;
  std::vector<std::vector<int64_t>> inputShapes, outputShapes;
};

/// TensorProto files through the importer (the only library with protobuf).
static mlir::FailureOr<HostTensor> readProtoFile(llvm::StringRef path,
                                                 std::string &error) {
  std::string name;
  return mlir::cim::readTensorFile(path, name, error);
}

bool Dataset::hasTargets() const { return folder && !folder->outputs.empty(); }

size_t Dataset::getNumInputs() const {
  return folder ? folder->inputs.size() : 1;
}

std::vector<int64_t> Dataset::getInputShape(size_t input) const {
  if (folder)
    return folder->inputShapes[input];
  return {channels, height, width};
}

int64_t Dataset::getSampleSize(size_t input) const {
  int64_t size = 1;
  for (int64_t d : getInputShape(input))
    size *= d;
  return size;
}

bool Dataset::isImageFolder() const {
  return folder && folder->list.isImageFolder();
}

bool tune::checkTransform(const Dataset &dataset, const Transform &transform,
                          std::string &error) {
  if (!dataset.isImageFolder()) {
    if (transform.resize > 0 || transform.randomResizedCrop) {
      error = "cim-tune: error: --resize and --augment random-resized-crop "
              "apply to image folders";
      return false;
    }
    if (dataset.folder &&
        (transform.cropPadding > 0 || transform.horizontalFlip)) {
      error = "cim-tune: error: --augment applies to images, not to tensor "
              "files";
      return false;
    }
    if (dataset.folder && (!transform.mean.empty() || !transform.std.empty())) {
      error = "cim-tune: error: --mean and --std normalize images; tensor "
              "files are fed as they are";
      return false;
    }
    return true;
  }
  if (transform.cropPadding > 0) {
    error = "cim-tune: error: --augment crop:N pads idx and CIFAR images; "
            "image folders take random-resized-crop";
    return false;
  }
  data::ImageTransform t;
  t.height = dataset.height;
  t.width = dataset.width;
  t.mean = transform.mean;
  t.std = transform.std;
  if (llvm::Error e =
          data::checkImageTransform(t, dataset.channels, "--mean", "--std")) {
    error = "cim-tune: error: " + llvm::toString(std::move(e));
    return false;
  }
  return true;
}

void Dataset::truncate(int64_t n) {
  if (n <= 0 || n >= count)
    return;
  count = n;
  if (!folder)
    pixels.resize(size_t(n * getImageSize()));
  if (hasLabels())
    labels.resize(size_t(n));
}

Dataset Dataset::slice(int64_t begin, int64_t n) const {
  Dataset out = *this;
  out.count = n;
  if (folder) {
    out.first = first + begin;
  } else {
    int64_t size = getImageSize();
    out.pixels.assign(pixels.begin() + begin * size,
                      pixels.begin() + (begin + n) * size);
  }
  if (hasLabels())
    out.labels.assign(labels.begin() + begin, labels.begin() + begin + n);
  return out;
}

Dataset Dataset::select(const std::vector<int64_t> &indices) const {
  Dataset out = *this;
  out.count = int64_t(indices.size());
  out.labels.clear();
  if (hasLabels())
    for (int64_t i : indices)
      out.labels.push_back(labels[size_t(i)]);
  if (folder) {
    auto selected = std::make_shared<FolderData>(*folder);
    selected->list.samples.clear();
    selected->list.labels.clear();
    for (int64_t i : indices) {
      selected->list.samples.push_back(folder->list.samples[size_t(first + i)]);
      if (folder->list.hasLabels())
        selected->list.labels.push_back(folder->list.labels[size_t(first + i)]);
    }
    out.folder = std::move(selected);
    out.first = 0;
    return out;
  }
  int64_t size = getImageSize();
  out.pixels.clear();
  out.pixels.reserve(indices.size() * size_t(size));
  for (int64_t i : indices)
    out.pixels.insert(out.pixels.end(), pixels.begin() + i * size,
                      pixels.begin() + (i + 1) * size);
  return out;
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
  for (int64_t label : dataset.labels) {
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

bool tune::isNamedDataset(const std::string &name) {
  if (name == "fashion-mnist" || name == "mnist" || name == "cifar10")
    return true;
  for (const char *prefix : {"train", "t10k"})
    for (const char *ext : {"", ".gz"})
      if (exists(name + "/" + prefix + "-images-idx3-ubyte" + ext))
        return true;
  return false;
}

namespace {
/// One line for `error`; consumes it.
std::string lineOf(llvm::Error error) {
  return data::toErrorLine(std::move(error));
}

/// The model input or output `id` as samples must fit it: f32, batch 1.
data::TensorSpec specOf(const Graph &graph, int id, const std::string &what) {
  data::TensorSpec spec;
  spec.what = what;
  spec.kind = ElementKind::F32;
  spec.shape = graph.shapes[size_t(id)];
  if (!spec.shape.empty())
    spec.shape[0] = 1;
  return spec;
}

std::vector<int64_t> sampleShape(const data::TensorSpec &spec) {
  return std::vector<int64_t>(spec.shape.begin() + (spec.shape.empty() ? 0 : 1),
                              spec.shape.end());
}

/// The path of a split: PATH/train and PATH/val (or PATH/test) when both
/// exist, else PATH itself.
std::string splitPath(const std::string &path, bool train) {
  namespace fs = llvm::sys::fs;
  std::string val = path + "/val";
  if (!fs::is_directory(val))
    val = path + "/test";
  if (!fs::is_directory(path + "/train") || !fs::is_directory(val))
    return path;
  return train ? path + "/train" : val;
}

/// A data folder (or tensor file) for `graph`: listed, and every sample
/// checked against the model without reading the images.
bool loadFolder(const std::string &path, const Graph &graph, Dataset &dataset,
                std::string &error) {
  llvm::Expected<data::SampleList> list = data::listSamples(path);
  if (!list) {
    error = lineOf(list.takeError());
    return false;
  }
  auto folder = std::make_shared<FolderData>();
  folder->list = std::move(*list);
  const data::SampleList &samples = folder->list;
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    int id = graph.inputs[i];
    if (graph.types[size_t(id)] != ElementType::F32) {
      error = "cim-tune: error: the model input '" + graph.inputNames[i] +
              "' takes integers; cim-tune feeds f32 inputs only";
      return false;
    }
    folder->inputs.push_back(
        specOf(graph, id, "the model input '" + graph.inputNames[i] + "'"));
    folder->inputShapes.push_back(sampleShape(folder->inputs.back()));
  }
  // The number of classes: the first output's last dimension; one value
  // per sample is a binary classifier's score (labels 0 and 1).
  const std::vector<int64_t> &out = graph.shapes[size_t(graph.outputs[0])];
  dataset = Dataset();
  dataset.numClasses = out.empty() ? 1 : out.back();
  if (dataset.numClasses == 1)
    dataset.numClasses = 2;
  // A dynamic class dimension bounds no label.
  bool bounded = dataset.numClasses > 0;
  dataset.count = int64_t(samples.size());
  dataset.labels = samples.labels;

  if (samples.isImageFolder()) {
    const std::vector<int64_t> &shape = folder->inputShapes.front();
    if (graph.inputs.size() != 1 || shape.size() != 3 ||
        (shape[0] != 1 && shape[0] != 3)) {
      error = path +
              ": error: an image folder feeds a model with one NCHW "
              "input of 1 or 3 channels; " +
              (graph.inputs.size() != 1
                   ? "this one takes " + std::to_string(graph.inputs.size()) +
                         " inputs"
                   : "'" + graph.inputNames[0] + "' is " +
                         data::formatShape(folder->inputs[0].shape));
      return false;
    }
    if (bounded && int64_t(samples.classes.size()) > dataset.numClasses) {
      error = path + ": error: " + std::to_string(samples.classes.size()) +
              " class folders for a model of " +
              std::to_string(dataset.numClasses) + " classes";
      return false;
    }
    dataset.channels = shape[0];
    dataset.height = shape[1];
    dataset.width = shape[2];
    dataset.folder = std::move(folder);
    return true;
  }

  if (samples.getNumInputs() != graph.inputs.size()) {
    error = samples.samples.front().inputs.front() + ": error: sample 0 has " +
            std::to_string(samples.getNumInputs()) +
            " input(s) but the model takes " +
            std::to_string(graph.inputs.size());
    return false;
  }
  size_t outputs = samples.samples.front().outputs.size();
  if (outputs > graph.outputs.size()) {
    error = samples.samples.front().outputs.back() + ": error: sample 0 has " +
            std::to_string(outputs) + " targets but the model has " +
            std::to_string(graph.outputs.size()) + " outputs";
    return false;
  }
  for (size_t k = 0; k < outputs; ++k) {
    folder->outputs.push_back(specOf(graph, graph.outputs[k],
                                     "the model output " + std::to_string(k)));
    folder->outputShapes.push_back(sampleShape(folder->outputs.back()));
  }
  for (size_t i = 0; i < samples.size(); ++i) {
    const data::SampleFiles &files = samples.samples[i];
    for (auto [list, specs] :
         {std::make_pair(&files.inputs, &folder->inputs),
          std::make_pair(&files.outputs, &folder->outputs)})
      for (size_t k = 0; k < list->size(); ++k) {
        const std::string &file = (*list)[k];
        llvm::Expected<data::TensorInfo> info =
            data::readTensorInfo(file, readProtoFile);
        if (!info) {
          error = lineOf(info.takeError());
          return false;
        }
        if (llvm::Error e = data::checkFits(*info, file, i, (*specs)[k])) {
          error = lineOf(std::move(e));
          return false;
        }
      }
  }
  for (size_t i = 0; i < dataset.labels.size(); ++i)
    if (bounded && dataset.labels[i] >= dataset.numClasses) {
      error = samples.labelsSource + ": error: sample " + std::to_string(i) +
              " (" + samples.samples[i].inputs.front() + "): label " +
              std::to_string(dataset.labels[i]) + " is outside the model's " +
              std::to_string(dataset.numClasses) + " classes";
      return false;
    }
  dataset.folder = std::move(folder);
  return true;
}
} // namespace

bool tune::loadDataset(const std::string &name, const std::string &dir,
                       bool train, Dataset &dataset, std::string &error,
                       const Graph *model) {
  bool known = name == "fashion-mnist" || name == "mnist" || name == "cifar10";
  if (!known && !exists(name) && name.find('/') != std::string::npos) {
    error = name + ": error: no such data folder or tensor file";
    return false;
  }
  if (!known && !exists(name)) {
    error = "cim-tune: error: unknown data set '" + name +
            "' (expected fashion-mnist, mnist, cifar10, a directory of idx "
            "files, a data folder or a tensor file)";
    return false;
  }
  if (!isNamedDataset(name)) {
    if (!model) {
      error =
          "cim-tune: error: the data folder " + name + " is read for a model";
      return false;
    }
    if (!dir.empty()) {
      error = "cim-tune: error: --data-dir is the directory of a named set; "
              "a data folder is given to --data alone";
      return false;
    }
    return loadFolder(splitPath(name, train), *model, dataset, error);
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

/// Image `index` of a named set, normalized.
static void getPixels(const Dataset &dataset, int64_t index,
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

/// Reads sample `index` of a data folder: every input to `inputs` and
/// every target to `targets` (none read when it is empty); images are
/// augmented from `rng` when `augment`.
static void readFolderSample(const Dataset &dataset, int64_t index,
                             const Transform &transform, bool augment,
                             std::mt19937_64 &rng,
                             const std::vector<float *> &inputs,
                             const std::vector<float *> &targets) {
  const FolderData &folder = *dataset.folder;
  const data::SampleFiles &files =
      folder.list.samples[size_t(dataset.first + index)];
  if (folder.list.isImageFolder()) {
    data::ImageTransform t;
    t.height = dataset.height;
    t.width = dataset.width;
    t.resize = transform.resize;
    t.randomResizedCrop = augment && transform.randomResizedCrop;
    t.horizontalFlip = augment && transform.horizontalFlip;
    t.mean = transform.mean;
    t.std = transform.std;
    llvm::Expected<data::Image> image =
        data::readImageFile(files.inputs.front(), dataset.channels);
    if (!image)
      throw SampleError(lineOf(image.takeError()));
    data::transformImage(*image, t, rng, inputs.front());
    return;
  }
  auto read = [&](const std::string &file, const data::TensorSpec &spec,
                  float *out) {
    llvm::Expected<HostTensor> tensor =
        data::readTensorFile(file, readProtoFile);
    if (!tensor)
      throw SampleError(lineOf(tensor.takeError()));
    data::TensorInfo info{tensor->getKind(),
                          std::vector<int64_t>(tensor->getShape().begin(),
                                               tensor->getShape().end())};
    if (llvm::Error error =
            data::checkFits(info, file, size_t(dataset.first + index), spec))
      throw SampleError(lineOf(std::move(error)));
    HostTensor f32 = data::fitToSpec(std::move(*tensor), spec);
    llvm::ArrayRef<float> values = f32.data<float>();
    std::copy(values.begin(), values.end(), out);
  };
  for (size_t k = 0; k < inputs.size(); ++k)
    read(files.inputs[k], folder.inputs[k], inputs[k]);
  for (size_t k = 0; k < targets.size(); ++k)
    read(files.outputs[k], folder.outputs[k], targets[k]);
}

void tune::getSample(const Dataset &dataset, int64_t index,
                     const Transform &transform,
                     std::vector<std::vector<float>> &inputs) {
  inputs.resize(dataset.getNumInputs());
  std::vector<float *> out;
  for (size_t k = 0; k < inputs.size(); ++k) {
    inputs[k].resize(size_t(dataset.getSampleSize(k)));
    out.push_back(inputs[k].data());
  }
  if (!dataset.folder)
    return getPixels(dataset, index, transform, out.front());
  std::mt19937_64 unused;
  readFolderSample(dataset, index, transform, false, unused, out, {});
}

void tune::getImage(const Dataset &dataset, int64_t index,
                    const Transform &transform, float *out) {
  if (!dataset.folder)
    return getPixels(dataset, index, transform, out);
  std::mt19937_64 unused;
  readFolderSample(dataset, index, transform, false, unused, {out}, {});
}

namespace {
/// Threads reading a batch of a data folder (setReaderThreads).
std::atomic<int> readerThreads{1};
} // namespace

void tune::setReaderThreads(int threads) {
  readerThreads = std::max(1, threads);
}

BatchIterator::BatchIterator(const Dataset &dataset, const Transform &transform,
                             int64_t batchSize, bool shuffle, bool augment,
                             uint64_t seed, int64_t epoch)
    : dataset(dataset), transform(transform), batchSize(batchSize),
      augment(augment), rng(seed * 1000003ull + uint64_t(epoch)), seed(seed),
      epoch(uint64_t(epoch)) {
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
  if (!next(scratch))
    return false;
  images.swap(scratch.inputs.front());
  labels.swap(scratch.labels);
  if (labels.empty())
    labels.assign(size_t(scratch.size), -1);
  return true;
}

bool BatchIterator::next(Batch &batch) {
  if (position >= order.size())
    return false;
  size_t n = std::min(order.size() - position, size_t(batchSize));
  batch.size = int64_t(n);
  batch.inputs.resize(dataset.getNumInputs());
  for (size_t k = 0; k < batch.inputs.size(); ++k)
    batch.inputs[k].assign(n * size_t(dataset.getSampleSize(k)), 0.0f);
  batch.labels.clear();
  if (dataset.hasLabels())
    for (size_t b = 0; b < n; ++b)
      batch.labels.push_back(dataset.labels[size_t(order[position + b])]);
  if (dataset.folder) {
    const FolderData &folder = *dataset.folder;
    batch.targets.resize(wantTargets ? folder.outputs.size() : 0);
    for (size_t k = 0; k < batch.targets.size(); ++k) {
      int64_t size = 1;
      for (int64_t d : folder.outputShapes[k])
        size *= d;
      batch.targets[k].assign(n * size_t(size), 0.0f);
    }
    // Sample b of the batch; a failure is kept for the sample's place.
    std::vector<std::string> errors(n);
    auto readOne = [&](size_t b) {
      int64_t index = order[position + b];
      std::vector<float *> inputs(batch.inputs.size()),
          targets(batch.targets.size());
      for (size_t k = 0; k < inputs.size(); ++k)
        inputs[k] =
            batch.inputs[k].data() + b * size_t(dataset.getSampleSize(k));
      for (size_t k = 0; k < targets.size(); ++k)
        targets[k] =
            batch.targets[k].data() + b * (batch.targets[k].size() / n);
      // Each sample's draws depend on the seed, epoch and sample only, so
      // that batches are the same however they are read.
      std::seed_seq sequence{seed, epoch, uint64_t(index)};
      std::mt19937_64 sampleRng(sequence);
      try {
        readFolderSample(dataset, index, transform, augment, sampleRng, inputs,
                         targets);
      } catch (const std::exception &e) {
        errors[b] = e.what();
      }
    };
    size_t workers = std::min(n, size_t(readerThreads.load()));
    if (workers <= 1) {
      for (size_t b = 0; b < n; ++b)
        readOne(b);
    } else {
      std::atomic<size_t> next{0};
      auto work = [&] {
        for (size_t b; (b = next++) < n;)
          readOne(b);
      };
      std::vector<std::thread> threads;
      for (size_t t = 1; t < workers; ++t)
        threads.emplace_back(work);
      work();
      for (std::thread &t : threads)
        t.join();
    }
    // The first failure in sample order, whatever the threads' timing.
    for (const std::string &error : errors)
      if (!error.empty())
        throw SampleError(error);
    position += n;
    return true;
  }
  batch.targets.clear();
  int64_t size = dataset.getImageSize();
  int64_t h = dataset.height, w = dataset.width;
  std::vector<float> pixels(static_cast<size_t>(size));
  for (size_t b = 0; b < n; ++b) {
    int64_t index = order[position + b];
    float *out = batch.inputs.front().data() + b * size_t(size);
    if (!augment || (transform.cropPadding == 0 && !transform.horizontalFlip)) {
      getPixels(dataset, index, transform, out);
      continue;
    }
    getPixels(dataset, index, transform, pixels.data());
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
