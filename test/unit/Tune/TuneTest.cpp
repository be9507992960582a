//===- TuneTest.cpp - The training library --------------------------------===//
//
// Loaders on synthetic idx / CIFAR files, the LibTorch network against the
// compiler's reference executor, the fake quantizer against
// quant::fakeQuantize (bit for bit), and the ONNX export round trips.
//
//===----------------------------------------------------------------------===//

#include "cim/Data/Npy.h"
#include "cim/Importer/TensorIO.h"
#include "cim/Tune/Dataset.h"
#include "cim/Tune/Export.h"
#include "cim/Tune/IRModel.h"
#include "cim/Tune/Metrics.h"
#include "cim/Tune/Network.h"

#include "gtest/gtest.h"

#include "llvm/Support/FileSystem.h"

#include <png.h>
#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

using namespace mlir::cim;
using namespace mlir::cim::tune;

namespace {

std::string tempPath(const std::string &name) {
  std::string dir = ::testing::TempDir();
  return dir + "tune-" + std::to_string(::getpid()) + "-" + name;
}

std::vector<uint8_t> bigEndian(uint32_t v) {
  return {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
}

void writeBytes(const std::string &path, const std::vector<uint8_t> &bytes,
                bool gzip) {
  if (gzip) {
    gzFile f = gzopen(path.c_str(), "wb");
    ASSERT_TRUE(f);
    gzwrite(f, bytes.data(), unsigned(bytes.size()));
    gzclose(f);
    return;
  }
  std::ofstream os(path, std::ios::binary);
  os.write(reinterpret_cast<const char *>(bytes.data()),
           std::streamsize(bytes.size()));
}

/// idx3 images (count x 2 x 3, pixel = 10 * image + i) and idx1 labels.
void writeIdx(const std::string &images, const std::string &labels,
              uint32_t count, bool gzip, uint32_t labelCount = 0) {
  std::vector<uint8_t> img = bigEndian(0x803);
  for (uint32_t v : {count, 2u, 3u})
    for (uint8_t b : bigEndian(v))
      img.push_back(b);
  for (uint32_t n = 0; n < count; ++n)
    for (int i = 0; i < 6; ++i)
      img.push_back(uint8_t(10 * n + i));
  writeBytes(images, img, gzip);
  labelCount = labelCount ? labelCount : count;
  std::vector<uint8_t> lab = bigEndian(0x801);
  for (uint8_t b : bigEndian(labelCount))
    lab.push_back(b);
  for (uint32_t n = 0; n < labelCount; ++n)
    lab.push_back(uint8_t(n % 10));
  writeBytes(labels, lab, gzip);
}

TEST(TuneDataset, ReadsRawAndGzipIdx) {
  for (bool gzip : {false, true}) {
    std::string images = tempPath(gzip ? "i.gz" : "i"),
                labels = tempPath(gzip ? "l.gz" : "l");
    writeIdx(images, labels, 4, gzip);
    Dataset data;
    std::string error;
    ASSERT_TRUE(loadIdx(images, labels, data, error)) << error;
    EXPECT_EQ(data.count, 4);
    EXPECT_EQ(data.height, 2);
    EXPECT_EQ(data.width, 3);
    EXPECT_EQ(data.pixels[6 * 3 + 5], 35);
    EXPECT_EQ(data.labels[3], 3);
    data.truncate(2);
    EXPECT_EQ(data.count, 2);
    EXPECT_EQ(data.pixels.size(), 12u);
  }
}

TEST(TuneDataset, RejectsBadIdx) {
  std::string images = tempPath("bad-i"), labels = tempPath("bad-l");
  writeIdx(images, labels, 4, false, 3);
  Dataset data;
  std::string error;
  EXPECT_FALSE(loadIdx(images, labels, data, error));
  EXPECT_NE(error.find("3 labels for 4 images"), std::string::npos) << error;

  writeBytes(images, {0, 0, 8, 1, 0, 0, 0, 0}, false);
  EXPECT_FALSE(loadIdx(images, labels, data, error));
  EXPECT_NE(error.find("not an idx3 image file"), std::string::npos) << error;

  EXPECT_FALSE(loadIdx(tempPath("missing"), labels, data, error));
  EXPECT_NE(error.find("cannot open"), std::string::npos) << error;
}

TEST(TuneDataset, ReadsCifarBatches) {
  std::string path = tempPath("cifar.bin");
  std::vector<uint8_t> bytes;
  for (int n = 0; n < 2; ++n) {
    bytes.push_back(uint8_t(7 - n));
    for (int i = 0; i < 3072; ++i)
      bytes.push_back(uint8_t((i + n) % 251));
  }
  writeBytes(path, bytes, false);
  Dataset data;
  std::string error;
  ASSERT_TRUE(loadCifar10({path}, data, error)) << error;
  EXPECT_EQ(data.count, 2);
  EXPECT_EQ(data.channels, 3);
  EXPECT_EQ(data.labels[1], 6);
  EXPECT_EQ(data.pixels[3072 + 1024], uint8_t((1024 + 1) % 251));
  bytes.pop_back();
  writeBytes(path, bytes, false);
  EXPECT_FALSE(loadCifar10({path}, data, error));
}

Dataset syntheticData(int64_t count, int64_t side, uint64_t seed) {
  Dataset data;
  data.count = count;
  data.height = data.width = side;
  std::mt19937 rng{unsigned(seed)};
  for (int64_t i = 0; i < count * side * side; ++i)
    data.pixels.push_back(uint8_t(rng() % 256));
  for (int64_t i = 0; i < count; ++i)
    data.labels.push_back(uint8_t(i % 4));
  return data;
}

TEST(TuneDataset, SeededShuffleAndNormalization) {
  Dataset data = syntheticData(10, 2, 3);
  Transform t;
  t.mean = {0.5f};
  t.std = {0.25f};
  auto order = [&](uint64_t seed, int64_t epoch) {
    BatchIterator it(data, t, 4, true, false, seed, epoch);
    std::vector<float> images, all;
    std::vector<int64_t> labels;
    while (it.next(images, labels))
      all.insert(all.end(), images.begin(), images.end());
    return all;
  };
  std::vector<float> a = order(1, 0);
  EXPECT_EQ(a, order(1, 0));
  EXPECT_NE(a, order(2, 0));
  EXPECT_NE(a, order(1, 1));
  ASSERT_EQ(a.size(), 40u);
  // Every image once, normalized.
  std::vector<float> expected(40), sortedA = a;
  for (int64_t i = 0; i < 10; ++i)
    getImage(data, i, t, expected.data() + 4 * i);
  std::sort(expected.begin(), expected.end());
  std::sort(sortedA.begin(), sortedA.end());
  EXPECT_EQ(sortedA, expected);
  // A selection of a named set copies its images and labels in order.
  Dataset picked = data.select({7, 2});
  ASSERT_EQ(picked.count, 2);
  EXPECT_EQ(picked.labels, (std::vector<int64_t>{3, 2}));
  EXPECT_TRUE(std::equal(picked.pixels.begin(), picked.pixels.begin() + 4,
                         data.pixels.begin() + 28));
  EXPECT_TRUE(std::equal(picked.pixels.begin() + 4, picked.pixels.end(),
                         data.pixels.begin() + 8));
  float x;
  Dataset one = syntheticData(1, 1, 0);
  one.pixels[0] = 255;
  getImage(one, 0, t, &x);
  EXPECT_FLOAT_EQ(x, 2.0f);
}

namespace {
/// A model of two inputs, x (1x8x8) and z (4), to 3 classes:
/// y = A flatten(x) + B z, with A[c][i] = (c + 1) / 64 and B[c][k] = k - c.
std::string writeTwoInputModel(const std::string &dir) {
  std::string a, b;
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 64; ++i)
      a += (a.empty() ? "" : ",") + std::to_string((c + 1) / 64.0);
  for (int c = 0; c < 3; ++c)
    for (int k = 0; k < 4; ++k)
      b += (b.empty() ? "" : ",") + std::to_string(k - c);
  std::string path = dir + "/two.onnxtxt";
  std::ofstream(path) << "<\n  ir_version: 8,\n  opset_import: [\"\" : 13]\n>\n"
                      << "two (float[N,1,8,8] x, float[N,4] z) => (float[N,3] "
                         "y)\n<float[3,64] a = {"
                      << a << "}, float[3,4] b = {" << b
                      << "}>\n{\n  f = Flatten(x)\n  y1 = Gemm <transB = 1> "
                         "(f, a)\n  y2 = Gemm <transB = 1> (z, b)\n  y = "
                         "Add(y1, y2)\n}\n";
  return path;
}

void writeNpy(const std::string &path, const HostTensor &tensor) {
  std::ofstream(path, std::ios::binary) << data::serializeNpy(tensor);
}
} // namespace

// The ONNX test layout for a model of two inputs: each sample's inputs (x
// as .npy with its batch dimension, z as a TensorProto without it) and
// target, the labels of labels.txt, in sample order; slices, unlabeled
// data and labels outside the model's classes; the network runs both
// inputs.
TEST(TuneDataset, SampleFoldersOfTwoInputsWithLabelsAndTargets) {
  std::string dir = tempPath("two-inputs");
  llvm::sys::fs::remove_directories(dir);
  std::string error;
  ASSERT_FALSE(llvm::sys::fs::create_directories(dir));
  std::string modelPath = writeTwoInputModel(dir);
  std::unique_ptr<IRModel> model = IRModel::load(modelPath, {}, error);
  ASSERT_TRUE(model) << error;
  const Graph &graph = model->getGraph();
  std::string data = dir + "/data";
  for (int n = 0; n < 5; ++n) {
    std::string sample = data + "/test_data_set_" + std::to_string(n);
    ASSERT_FALSE(llvm::sys::fs::create_directories(sample));
    std::vector<float> x(64), z(4), y(3);
    for (int i = 0; i < 64; ++i)
      x[size_t(i)] = float(n) + i / 64.0f;
    for (int k = 0; k < 4; ++k)
      z[size_t(k)] = float(k * n);
    for (int c = 0; c < 3; ++c)
      y[size_t(c)] = float(10 * n + c);
    writeNpy(sample + "/input_0.npy", HostTensor::fromFloats({1, 1, 8, 8}, x));
    ASSERT_TRUE(succeeded(writeTensorFile(
        sample + "/input_1.pb", HostTensor::fromFloats({4}, z), "z", error)))
        << error;
    writeNpy(sample + "/output_0.npy", HostTensor::fromFloats({1, 3}, y));
  }
  std::ofstream(data + "/labels.txt") << "0\n1\n2\n0\n1\n";

  Dataset set;
  ASSERT_TRUE(loadDataset(data, "", true, set, error, &graph)) << error;
  EXPECT_TRUE(checkImageShape(graph, set, error)) << error;
  EXPECT_EQ(set.count, 5);
  EXPECT_EQ(set.getNumInputs(), 2u);
  EXPECT_EQ(set.getSampleSize(0), 64);
  EXPECT_EQ(set.getSampleSize(1), 4);
  EXPECT_TRUE(set.hasTargets());
  EXPECT_EQ(set.labels, (std::vector<int64_t>{0, 1, 2, 0, 1}));

  BatchIterator it(set, {}, 2, false, false, 0, 0);
  it.readTargets();
  Batch batch;
  ASSERT_TRUE(it.next(batch));
  ASSERT_EQ(batch.size, 2);
  ASSERT_EQ(batch.inputs.size(), 2u);
  ASSERT_EQ(batch.inputs[0].size(), 128u);
  EXPECT_FLOAT_EQ(batch.inputs[0][64 + 32], 1.5f);
  EXPECT_EQ(batch.inputs[1], (std::vector<float>{0, 0, 0, 0, 0, 1, 2, 3}));
  ASSERT_EQ(batch.targets.size(), 1u);
  EXPECT_EQ(batch.targets[0], (std::vector<float>{0, 1, 2, 10, 11, 12}));
  EXPECT_EQ(batch.labels, (std::vector<int64_t>{0, 1}));

  // The network takes x and z: y = A flatten(x) + B z.
  std::unique_ptr<Network> net = Network::create(graph, error);
  ASSERT_TRUE(net) << error;
  std::vector<float> out = net->forward(batch);
  ASSERT_EQ(out.size(), 6u);
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 3; ++c) {
      double sum = 0;
      for (int i = 0; i < 64; ++i)
        sum += (c + 1) / 64.0 * (n + i / 64.0);
      for (int k = 0; k < 4; ++k)
        sum += (k - c) * double(k * n);
      EXPECT_NEAR(out[size_t(3 * n + c)], sum, 1e-4) << n << " " << c;
    }
  EvalResult result = net->evaluate(set, {}, 4, true);
  EXPECT_EQ(result.count, 5);
  EXPECT_EQ(result.labeled, 5);
  EXPECT_EQ(result.predictions.size(), 5u);

  // A slice starts at its first sample.
  Dataset tail = set.slice(3, 2);
  BatchIterator tailIt(tail, {}, 4, false, false, 0, 0);
  ASSERT_TRUE(tailIt.next(batch));
  EXPECT_EQ(batch.size, 2);
  EXPECT_TRUE(batch.targets.empty()); // not asked for
  EXPECT_FLOAT_EQ(batch.inputs[0][0], 3.0f);
  EXPECT_EQ(batch.labels, (std::vector<int64_t>{0, 1}));
  EXPECT_FALSE(tailIt.next(batch));

  // A selection takes its samples in the order given, from a slice too.
  Dataset picked = set.select({4, 0, 2});
  BatchIterator pickedIt(picked, {}, 4, false, false, 0, 0);
  ASSERT_TRUE(pickedIt.next(batch));
  ASSERT_EQ(batch.size, 3);
  EXPECT_FLOAT_EQ(batch.inputs[0][0], 4.0f);
  EXPECT_FLOAT_EQ(batch.inputs[0][64], 0.0f);
  EXPECT_FLOAT_EQ(batch.inputs[0][128], 2.0f);
  EXPECT_EQ(batch.labels, (std::vector<int64_t>{1, 0, 2}));
  Dataset fromTail = tail.select({1});
  BatchIterator fromTailIt(fromTail, {}, 4, false, false, 0, 0);
  ASSERT_TRUE(fromTailIt.next(batch));
  EXPECT_FLOAT_EQ(batch.inputs[0][0], 4.0f);
  EXPECT_EQ(batch.labels, (std::vector<int64_t>{1}));

  // Without labels.txt: no labels, -1 from the one-input interface, no
  // accuracy.
  ASSERT_FALSE(llvm::sys::fs::remove(data + "/labels.txt"));
  ASSERT_TRUE(loadDataset(data, "", false, set, error, &graph)) << error;
  EXPECT_FALSE(set.hasLabels());
  BatchIterator unlabeled(set, {}, 3, false, false, 0, 0);
  ASSERT_TRUE(unlabeled.next(batch));
  EXPECT_TRUE(batch.labels.empty());
  EXPECT_EQ(net->evaluate(set, {}, 4, false).labeled, 0);

  // A label outside the model's 3 classes names the labels file.
  std::ofstream(data + "/labels.txt") << "0\n1\n2\n3\n1\n";
  EXPECT_FALSE(loadDataset(data, "", true, set, error, &graph));
  EXPECT_NE(error.find("labels.txt: error: sample 3 ("), std::string::npos)
      << error;
  EXPECT_NE(error.find("label 3 is outside the model's 3 classes"),
            std::string::npos)
      << error;

  // A sample whose file changed after loading is a SampleError naming it.
  ASSERT_FALSE(llvm::sys::fs::remove(data + "/labels.txt"));
  ASSERT_TRUE(loadDataset(data, "", true, set, error, &graph)) << error;
  std::ofstream(data + "/test_data_set_4/input_0.npy") << "not numpy";
  std::ofstream(data + "/test_data_set_2/input_0.npy") << "not numpy";
  // Read by several threads, the first failing sample is reported.
  setReaderThreads(4);
  BatchIterator broken(set, {}, 5, false, false, 0, 0);
  try {
    broken.next(batch);
    ADD_FAILURE() << "no SampleError";
  } catch (const SampleError &e) {
    EXPECT_NE(std::string(e.what()).find("test_data_set_2/input_0.npy: error:"),
              std::string::npos)
        << e.what();
  }
  setReaderThreads(1);
  llvm::sys::fs::remove_directories(dir);
}

namespace {
/// Writes a height x width RGB PNG whose pixels depend on `seed`.
void writePng(const std::string &path, int height, int width, int seed) {
  std::vector<uint8_t> pixels;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < 3; ++c)
        pixels.push_back(uint8_t((37 * seed + 17 * y + 29 * x + 71 * c) % 256));
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  png.width = uint32_t(width);
  png.height = uint32_t(height);
  png.format = PNG_FORMAT_RGB;
  EXPECT_TRUE(png_image_write_to_file(&png, path.c_str(), 0, pixels.data(), 0,
                                      nullptr));
}
} // namespace

// An image folder for a 3x8x8 input: labels from the class folders, the
// checks of the transform, and augmentation drawn per sample, so that an
// epoch's samples are the same for any batch size.
TEST(TuneDataset, ImageFolderAugmentsEachSampleAloneFromTheSeed) {
  std::string dir = tempPath("images");
  llvm::sys::fs::remove_directories(dir);
  for (int c = 0; c < 2; ++c) {
    std::string cls = dir + "/data/class_" + std::to_string(c);
    ASSERT_FALSE(llvm::sys::fs::create_directories(cls));
    for (int i = 0; i < 3; ++i)
      writePng(cls + "/img_" + std::to_string(i) + ".png", 12, 10, 3 * c + i);
  }
  std::string error;
  std::unique_ptr<IRModel> model = IRModel::load(
      std::string(CIM_TUNE_INPUTS) + "/tune-net.onnxtxt", {}, error);
  ASSERT_TRUE(model) << error;
  // tune-net takes 1x8x8: the images are read as gray.
  Dataset set;
  ASSERT_TRUE(
      loadDataset(dir + "/data", "", true, set, error, &model->getGraph()))
      << error;
  EXPECT_TRUE(set.isImageFolder());
  EXPECT_EQ(set.count, 6);
  EXPECT_EQ(set.channels, 1);
  EXPECT_EQ(set.labels, (std::vector<int64_t>{0, 0, 0, 1, 1, 1}));

  Transform t;
  t.mean = {0.5f};
  t.std = {0.25f};
  EXPECT_TRUE(checkTransform(set, t, error)) << error;
  Transform padded = t;
  padded.cropPadding = 2;
  EXPECT_FALSE(checkTransform(set, padded, error));
  EXPECT_NE(error.find("image folders take random-resized-crop"),
            std::string::npos)
      << error;
  Transform threeMeans = t;
  threeMeans.mean = {0.5f, 0.5f, 0.5f};
  EXPECT_FALSE(checkTransform(set, threeMeans, error));

  t.randomResizedCrop = true;
  t.horizontalFlip = true;
  auto epoch = [&](int64_t batchSize, bool augment, int64_t e,
                   bool shuffle = true) {
    BatchIterator it(set, t, batchSize, shuffle, augment, 7, e);
    Batch batch;
    std::vector<float> all;
    std::vector<int64_t> labels;
    while (it.next(batch)) {
      all.insert(all.end(), batch.inputs[0].begin(), batch.inputs[0].end());
      labels.insert(labels.end(), batch.labels.begin(), batch.labels.end());
    }
    EXPECT_EQ(all.size(), 6u * 64u);
    return std::make_pair(all, labels);
  };
  auto one = epoch(1, true, 0);
  EXPECT_EQ(one, epoch(4, true, 0));
  // Read by 3 threads: the same batches.
  setReaderThreads(3);
  EXPECT_EQ(one, epoch(4, true, 0));
  setReaderThreads(1);
  EXPECT_NE(one.first, epoch(1, true, 1).first);
  EXPECT_NE(one.first, epoch(1, false, 0).first);
  // The same augmented samples in any order: each sample's draws depend on
  // the seed, the epoch and the sample only.
  auto samplesOf = [](const std::vector<float> &all) {
    std::vector<std::vector<float>> samples;
    for (size_t i = 0; i < all.size(); i += 64)
      samples.emplace_back(all.begin() + i, all.begin() + i + 64);
    std::sort(samples.begin(), samples.end());
    return samples;
  };
  auto inOrder = epoch(3, true, 0, false);
  EXPECT_NE(inOrder.first, one.first);
  EXPECT_EQ(samplesOf(inOrder.first), samplesOf(one.first));
  // Not augmented: the center crop of getSample, normalized.
  auto plain = epoch(2, false, 0);
  std::vector<std::vector<float>> sample;
  BatchIterator it(set, t, 1, true, false, 7, 0);
  Batch batch;
  ASSERT_TRUE(it.next(batch));
  std::vector<float> expected;
  for (int64_t i = 0; i < 6; ++i) {
    getSample(set, i, t, sample);
    if (sample[0] == batch.inputs[0])
      expected = sample[0];
  }
  EXPECT_FALSE(expected.empty());
  EXPECT_EQ(std::vector<float>(plain.first.begin(), plain.first.begin() + 64),
            expected);
  llvm::sys::fs::remove_directories(dir);
}

TEST(TuneFakeQuant, TorchEqualsQuantizerBitForBit) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  quant::ChannelLayout layout;
  layout.channels = 3;
  layout.inner = 40;
  std::vector<float> values;
  for (int64_t i = 0; i < layout.getNumElements(); ++i)
    values.push_back(normal(rng) * 3.0f);
  // Ties at every scale, NaN, infinities, huge values.
  float special[] = {0.5f,
                     1.5f,
                     2.5f,
                     -2.5f,
                     0.35f,
                     std::numeric_limits<float>::quiet_NaN(),
                     std::numeric_limits<float>::infinity(),
                     -std::numeric_limits<float>::infinity(),
                     3e38f,
                     -1e30f};
  for (size_t i = 0; i < sizeof special / sizeof *special; ++i)
    values[i * 7] = special[i];
  for (quant::Scheme scheme :
       {quant::Scheme::Symmetric, quant::Scheme::Asymmetric}) {
    for (unsigned bits : {1u, 2u, 4u, 8u, 16u}) {
      std::vector<quant::QuantParams> params = {
          quant::makeParams(scheme, bits, 0.1f,
                            scheme == quant::Scheme::Symmetric ? 0 : 1),
          quant::makeParams(scheme, bits, 0.5f, 0),
          quant::makeParams(scheme, bits, 0.0123f,
                            scheme == quant::Scheme::Symmetric ? 0 : 3)};
      std::vector<float> expected = values;
      quant::fakeQuantizeWeights(expected.data(), layout, params);
      std::vector<float> got = fakeQuantizeWithTorch(values, layout, params);
      ASSERT_EQ(got.size(), expected.size());
      for (size_t i = 0; i < got.size(); ++i) {
        uint32_t a, b;
        std::memcpy(&a, &got[i], 4);
        std::memcpy(&b, &expected[i], 4);
        ASSERT_EQ(a, b) << "value " << values[i] << " bits " << bits
                        << " element " << i;
      }
      // One set for the whole tensor.
      std::vector<quant::QuantParams> one = {params[2]};
      expected = values;
      quant::fakeQuantizeWeights(expected.data(), layout, one);
      got = fakeQuantizeWithTorch(values, layout, one);
      for (size_t i = 0; i < got.size(); ++i)
        ASSERT_TRUE(got[i] == expected[i] ||
                    (std::isnan(got[i]) && std::isnan(expected[i])));
    }
  }
}

// Training's one-pass LSQ backward of an activation equals the tensor
// formula: the input's gradient bit for bit, the scale's sum to float
// rounding (the kernel sums in double per chunk), over several chunks.
TEST(TuneFakeQuant, OnePassGradientsEqualTheTensorFormula) {
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const int64_t batch = 3, perSample = 20000;
  std::vector<float> values, grad;
  for (int64_t i = 0; i < batch * perSample; ++i) {
    values.push_back(normal(rng) * 4.0f);
    grad.push_back(normal(rng));
  }
  values[5] = 0.25f; // a tie at scale 0.1 after the division
  for (quant::Scheme scheme :
       {quant::Scheme::Symmetric, quant::Scheme::Asymmetric}) {
    for (unsigned bits : {2u, 4u, 8u}) {
      quant::QuantParams p = quant::makeParams(
          scheme, bits, 0.1f, scheme == quant::Scheme::Symmetric ? 0 : 1);
      ActivationGradients fused =
          fakeQuantizeActivationGradients(values, grad, batch, p, true);
      ActivationGradients tensors =
          fakeQuantizeActivationGradients(values, grad, batch, p, false);
      ASSERT_EQ(fused.input.size(), tensors.input.size());
      int64_t clipped = 0;
      for (size_t i = 0; i < fused.input.size(); ++i) {
        ASSERT_EQ(fused.input[i], tensors.input[i]) << "element " << i;
        clipped += fused.input[i] == 0.0f;
      }
      // The ranges clip some values and keep others.
      EXPECT_GT(clipped, 0);
      EXPECT_LT(clipped, batch * perSample);
      EXPECT_NEAR(fused.scale, tensors.scale,
                  1e-5 * std::max(1.0, std::abs(tensors.scale)))
          << "bits " << bits;
    }
  }
}

std::string netPath() {
  return std::string(CIM_TUNE_INPUTS) + "/tune-net.onnxtxt";
}

std::vector<float> randomInput(int64_t count, uint64_t seed) {
  std::mt19937 rng{unsigned(seed)};
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> x(size_t(count * 64));
  for (float &v : x)
    v = u(rng);
  return x;
}

TEST(TuneNetwork, FloatOutputsEqualTheReferenceExecutor) {
  std::string error;
  std::unique_ptr<IRModel> model = IRModel::load(netPath(), {}, error);
  ASSERT_TRUE(model) << error;
  std::unique_ptr<Network> net = Network::create(model->getGraph(), error);
  ASSERT_TRUE(net) << error;
  std::vector<float> batch = randomInput(3, 1);
  std::vector<float> out = net->forward(batch.data(), 3);
  ASSERT_EQ(out.size(), 12u);
  for (int64_t n = 0; n < 3; ++n) {
    std::vector<float> one(batch.begin() + n * 64, batch.begin() + n * 64 + 64);
    std::vector<float> ref;
    ASSERT_TRUE(model->run(one, false, ref, error)) << error;
    ASSERT_EQ(ref.size(), 4u);
    for (int k = 0; k < 4; ++k)
      EXPECT_NEAR(out[size_t(n * 4 + k)], ref[size_t(k)], 1e-5);
  }
}

/// The test network quantized at W4A4 by cimc's front end, and its network.
static void loadW4A4(std::unique_ptr<IRModel> &model,
                     std::unique_ptr<Network> &net) {
  std::string error;
  LoadOptions options;
  options.quantize = true;
  options.wbits = 4;
  options.abits = 4;
  model = IRModel::load(netPath(), options, error);
  ASSERT_TRUE(model) << error;
  ASSERT_EQ(model->getGraph().getLayers().size(), 3u);
  net = Network::create(model->getGraph(), error);
  ASSERT_TRUE(net) << error;
}

TEST(TuneNetwork, QuantizedOutputsMatchTheFakeQuantizedReference) {
  std::string error;
  std::unique_ptr<IRModel> model;
  std::unique_ptr<Network> net;
  ASSERT_NO_FATAL_FAILURE(loadW4A4(model, net));
  Dataset data = syntheticData(32, 8, 5);
  Transform t;
  t.mean = {0.5f};
  net->setActivationScheme(quant::Scheme::Asymmetric);
  net->calibrate(data, t, {});
  net->setQuantized(true);
  Graph graph = net->getGraph();
  for (const Node *layer : graph.getLayers())
    ASSERT_TRUE(layer->quant && layer->quant->ascale);
  ASSERT_TRUE(model->update(graph, error)) << error;
  EXPECT_NE(model->print().find("ascheme = asymmetric"), std::string::npos);
  std::vector<float> image(64), ref;
  for (int64_t n = 0; n < 8; ++n) {
    getImage(data, n, t, image.data());
    std::vector<float> out = net->forward(image.data(), 1);
    ASSERT_TRUE(model->run(image, true, ref, error)) << error;
    for (int k = 0; k < 4; ++k)
      EXPECT_NEAR(out[size_t(k)], ref[size_t(k)], 1e-5);
  }
  // Quantization changes the outputs.
  net->setQuantized(false);
  getImage(data, 0, t, image.data());
  std::vector<float> fl = net->forward(image.data(), 1);
  ASSERT_TRUE(model->run(image, true, ref, error));
  float diff = 0;
  for (int k = 0; k < 4; ++k)
    diff += std::fabs(fl[size_t(k)] - ref[size_t(k)]);
  EXPECT_GT(diff, 1e-4);
}

TEST(TuneNetwork, CalibratesAsTheCompilerDoesFromMemoryOrFiles) {
  // The layers get cimc's default activation scheme, and their scales from
  // the compiler's calibration: the same from samples in memory as from
  // the same samples written as cimc --calibrate reads them.
  std::string error;
  std::unique_ptr<IRModel> fromMemory, fromFiles;
  std::unique_ptr<Network> net;
  ASSERT_NO_FATAL_FAILURE(loadW4A4(fromMemory, net));
  ASSERT_NO_FATAL_FAILURE(loadW4A4(fromFiles, net));
  for (const Node *layer : fromMemory->getGraph().getLayers())
    EXPECT_EQ(layer->quant->ascheme, quant::Scheme::Asymmetric);
  std::vector<std::vector<float>> samples;
  std::string dir = tempPath("calibration");
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
  for (unsigned i = 0; i < 6; ++i) {
    samples.push_back(randomInput(1, 20 + i));
    // The last two samples lie far outside: only the first four count.
    if (i >= 4)
      for (float &v : samples.back())
        v *= 100;
    std::string bytes;
    ASSERT_TRUE(fromMemory->serializeInput(samples.back(), bytes, error))
        << error;
    std::string set = dir + "/test_data_set_" + std::to_string(i);
    ASSERT_EQ(::mkdir(set.c_str(), 0755), 0);
    std::ofstream(set + "/input_0.pb", std::ios::binary) << bytes;
  }
  CalibrationOptions options;
  options.images = 4;
  ASSERT_TRUE(fromMemory->calibrate(samples, options, error)) << error;
  ASSERT_TRUE(
      fromFiles->calibrate(std::vector<std::string>{dir}, options, error))
      << error;
  std::vector<const Node *> a = fromMemory->getGraph().getLayers(),
                            b = fromFiles->getGraph().getLayers();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_TRUE(a[i]->quant->ascale && b[i]->quant->ascale);
    EXPECT_EQ(*a[i]->quant->ascale, *b[i]->quant->ascale);
    EXPECT_EQ(a[i]->quant->azp, b[i]->quant->azp);
    // Weight scales stay computed from the trained weights.
    EXPECT_TRUE(a[i]->quant->wscale.empty());
  }
  // All six samples: the outliers widen the first layer's range.
  std::unique_ptr<IRModel> all;
  ASSERT_NO_FATAL_FAILURE(loadW4A4(all, net));
  options.images = 0;
  ASSERT_TRUE(all->calibrate(samples, options, error)) << error;
  EXPECT_GT(*all->getGraph().getLayers()[0]->quant->ascale,
            10 * *a[0]->quant->ascale);
  // A file that is no tensor is one located error.
  std::ofstream(dir + "/test_data_set_0/input_0.pb") << "not a tensor";
  EXPECT_FALSE(
      fromFiles->calibrate(std::vector<std::string>{dir}, options, error));
  EXPECT_NE(error.find("test_data_set_0/input_0.pb"), std::string::npos)
      << error;
  // A sample of another size is an error, not a crash.
  std::vector<std::vector<float>> wrong = {std::vector<float>(3, 0.f)};
  EXPECT_FALSE(all->calibrate(wrong, options, error));
  EXPECT_NE(error.find("a sample of 3 values"), std::string::npos) << error;
  std::string bytes;
  EXPECT_FALSE(all->serializeInput(wrong[0], bytes, error));
}

TEST(TuneExport, FloatRoundTripKeepsOutputs) {
  std::string error;
  std::unique_ptr<IRModel> model = IRModel::load(netPath(), {}, error);
  ASSERT_TRUE(model) << error;
  std::string path = tempPath("float.onnx");
  ASSERT_TRUE(exportOnnx(model->getGraph(), path, false, error)) << error;
  LoadOptions batch4;
  batch4.batch = 4; // the exported batch dimension is dynamic
  std::unique_ptr<IRModel> again = IRModel::load(path, batch4, error);
  ASSERT_TRUE(again) << error;
  EXPECT_EQ(again->getGraph().inputShapes[0][0], 4);
  std::unique_ptr<IRModel> one = IRModel::load(path, {}, error);
  ASSERT_TRUE(one) << error;
  std::vector<float> x = randomInput(1, 9), a, b;
  ASSERT_TRUE(model->run(x, false, a, error)) << error;
  ASSERT_TRUE(one->run(x, false, b, error)) << error;
  EXPECT_EQ(a, b);
}

/// Exports the test network quantized at `wbits`/`abits` as QDQ and checks
/// what cimc's front end reads back: the activation widths, schemes and
/// scales exactly, the weight width of the container (INT4 up to 4 bits,
/// INT8 above), the compiler's weight scales and the same fake-quantized
/// outputs.
static void checkQdqRoundTrip(unsigned wbits, unsigned abits,
                              quant::Scheme ascheme) {
  SCOPED_TRACE("W" + std::to_string(wbits) + "A" + std::to_string(abits) +
               (ascheme == quant::Scheme::Symmetric ? " symmetric" : ""));
  std::string error;
  LoadOptions options;
  options.quantize = true;
  options.wbits = wbits;
  options.abits = abits;
  std::unique_ptr<IRModel> model = IRModel::load(netPath(), options, error);
  ASSERT_TRUE(model) << error;
  std::unique_ptr<Network> net = Network::create(model->getGraph(), error);
  ASSERT_TRUE(net) << error;
  net->setActivationScheme(ascheme);
  net->calibrate(syntheticData(16, 8, 2), {}, {});
  Graph graph = net->getGraph();
  std::string path = tempPath("qdq.onnx");
  ASSERT_TRUE(exportOnnx(graph, path, true, error)) << error;

  // cimc's front end (canonicalize, fold-batchnorm, fold-qdq, and W8A8 for
  // layers without QDQ, of which there are none).
  LoadOptions w8a8;
  w8a8.quantize = true;
  w8a8.keepQuantWidths = true;
  std::unique_ptr<IRModel> again = IRModel::load(path, w8a8, error);
  ASSERT_TRUE(again) << error;
  const Graph &exported = graph;
  std::vector<const Node *> before = exported.getLayers(),
                            after = again->getGraph().getLayers();
  ASSERT_EQ(before.size(), after.size());
  unsigned container = wbits <= 4 ? 4 : 8;
  for (size_t i = 0; i < before.size(); ++i) {
    const LayerQuant &q0 = *before[i]->quant, &q1 = *after[i]->quant;
    EXPECT_EQ(after[i]->name, before[i]->name);
    EXPECT_EQ(q0.wbits, wbits);
    EXPECT_EQ(q1.wbits, container);
    EXPECT_EQ(q1.abits, q0.abits);
    EXPECT_EQ(q1.ascheme, ascheme);
    EXPECT_EQ(q1.wscheme, quant::Scheme::Symmetric);
    ASSERT_TRUE(q1.ascale);
    EXPECT_EQ(*q1.ascale, *q0.ascale);
    EXPECT_EQ(q1.azp, q0.azp);
    const FloatTensor &w = graph.constants.at(before[i]->inputs[1]);
    std::vector<quant::QuantParams> params = quant::computeWeightParams(
        w.data.data(), getWeightLayout(graph, *before[i]), q0.wscheme, q0.wbits,
        q0.perChannel);
    ASSERT_EQ(q1.wscale.size(), params.size());
    for (size_t c = 0; c < params.size(); ++c)
      EXPECT_EQ(q1.wscale[c], params[c].scale);
  }
  // The same quantized computation: the original with these scales and the
  // re-imported QDQ model give the same fake-quantized outputs.
  ASSERT_TRUE(model->update(graph, error)) << error;
  for (uint64_t seed : {4, 5, 6}) {
    std::vector<float> x = randomInput(1, seed), a, b;
    for (float &v : x)
      v *= 4.0f; // beyond the calibrated ranges: saturation
    ASSERT_TRUE(model->run(x, true, a, error)) << error;
    ASSERT_TRUE(again->run(x, true, b, error)) << error;
    ASSERT_EQ(a.size(), b.size());
    for (size_t k = 0; k < a.size(); ++k)
      EXPECT_NEAR(a[k], b[k], 1e-6);
  }
}

TEST(TuneExport, QdqRoundTripKeepsBitsAndScales) {
  checkQdqRoundTrip(8, 8, quant::Scheme::Asymmetric);
  checkQdqRoundTrip(4, 4, quant::Scheme::Asymmetric);
  checkQdqRoundTrip(4, 4, quant::Scheme::Symmetric);
  checkQdqRoundTrip(8, 8, quant::Scheme::Symmetric);
  // Widths between the containers: the activation's through a Clip.
  checkQdqRoundTrip(3, 6, quant::Scheme::Asymmetric);
  checkQdqRoundTrip(2, 3, quant::Scheme::Symmetric);
}

TEST(TuneTrain, LearnedWeightScalesReachTheCompiler) {
  std::string error;
  std::unique_ptr<IRModel> model;
  std::unique_ptr<Network> net;
  ASSERT_NO_FATAL_FAILURE(loadW4A4(model, net));
  Dataset data = syntheticData(64, 8, 7);
  net->setActivationScheme(quant::Scheme::Asymmetric);
  net->calibrate(data, {}, {});
  net->setQuantized(true);
  TrainOptions train;
  train.epochs = 2;
  train.batchSize = 16;
  train.learningRate = 0.05;
  train.learnWeightScales = true;
  train.checkpoint = tempPath("lsq.ckpt");
  std::remove(train.checkpoint.c_str());
  ASSERT_TRUE(net->train(data, nullptr, train, error)) << error;
  Graph graph = net->getGraph();
  // The learned scales moved away from the compiler's max-based ones.
  bool moved = false;
  for (const Node *layer : graph.getLayers()) {
    const LayerQuant &q = *layer->quant;
    const FloatTensor &w = graph.constants.at(layer->inputs[1]);
    std::vector<quant::QuantParams> max = quant::computeWeightParams(
        w.data.data(), getWeightLayout(graph, *layer), q.wscheme, q.wbits,
        q.perChannel);
    ASSERT_EQ(q.wscale.size(), max.size());
    for (size_t c = 0; c < max.size(); ++c)
      moved |= q.wscale[c] != max[c].scale;
  }
  EXPECT_TRUE(moved);
  // The compiler's fake-quantized reference with these scales, and the QDQ
  // export read back by cimc's front end, compute what the network does.
  ASSERT_TRUE(model->update(graph, error)) << error;
  std::string path = tempPath("lsq.onnx");
  ASSERT_TRUE(exportOnnx(graph, path, true, error)) << error;
  LoadOptions keep;
  keep.keepQuantWidths = true;
  std::unique_ptr<IRModel> again = IRModel::load(path, keep, error);
  ASSERT_TRUE(again) << error;
  std::vector<float> image(64), ref, back;
  for (int64_t n = 0; n < 8; ++n) {
    getImage(data, n, {}, image.data());
    std::vector<float> out = net->forward(image.data(), 1);
    ASSERT_TRUE(model->run(image, true, ref, error)) << error;
    ASSERT_TRUE(again->run(image, true, back, error)) << error;
    for (int k = 0; k < 4; ++k) {
      EXPECT_NEAR(out[size_t(k)], ref[size_t(k)], 1e-5);
      EXPECT_NEAR(back[size_t(k)], ref[size_t(k)], 1e-6);
    }
  }
  // A resumed run reads the learned scales from the checkpoint.
  std::unique_ptr<Network> resumed = Network::create(model->getGraph(), error);
  resumed->setActivationScheme(quant::Scheme::Asymmetric);
  resumed->calibrate(data, {}, {});
  resumed->setQuantized(true);
  ASSERT_TRUE(resumed->train(data, nullptr, train, error)) << error;
  EXPECT_EQ(resumed->getGraph().getLayers()[0]->quant->wscale,
            graph.getLayers()[0]->quant->wscale);
  std::remove(train.checkpoint.c_str());
}

TEST(TuneTrain, DistillationFollowsTheTeacher) {
  // A float network taught by its own copy with distill = 1 sees zero
  // gradients (KL of equal distributions, up to rounding) and keeps its
  // outputs; with cross-entropy alone it learns. (Batch norms folded: in
  // training mode they would use batch statistics and differ from the
  // teacher's.)
  std::string error;
  LoadOptions folded;
  folded.quantize = true;
  std::unique_ptr<IRModel> model = IRModel::load(netPath(), folded, error);
  ASSERT_TRUE(model) << error;
  Dataset data = syntheticData(64, 8, 9);
  std::vector<float> image(64);
  getImage(data, 0, {}, image.data());
  for (double distill : {1.0, 0.0}) {
    std::unique_ptr<Network> net = Network::create(model->getGraph(), error);
    std::unique_ptr<Network> teacher =
        Network::create(model->getGraph(), error);
    ASSERT_TRUE(net && teacher) << error;
    std::vector<float> before = net->forward(image.data(), 1);
    TrainOptions train;
    train.epochs = 1;
    train.batchSize = 16;
    train.weightDecay = 0;
    train.teacher = teacher.get();
    train.distill = distill;
    ASSERT_TRUE(net->train(data, nullptr, train, error)) << error;
    std::vector<float> after = net->forward(image.data(), 1);
    float change = 0;
    for (size_t k = 0; k < after.size(); ++k)
      change = std::max(change, std::fabs(after[k] - before[k]));
    if (distill == 1.0)
      EXPECT_LT(change, 1e-5);
    else
      EXPECT_GT(change, 1e-3);
  }
}

TEST(TuneTrain, LabelFreeDistillationRecoversTheFloatOutputs) {
  // Unlabeled data: a W3A3 network learns from the float one alone, with
  // each distillation loss, and its outputs come closer to the float
  // outputs by that loss's distance; without a teacher training is refused.
  Dataset data = syntheticData(128, 8, 11);
  data.labels.clear();
  std::vector<float> images(size_t(64 * data.getImageSize()));
  for (int64_t i = 0; i < 64; ++i)
    getImage(data, i, {}, images.data() + i * data.getImageSize());
  for (DistillLoss loss :
       {DistillLoss::Kl, DistillLoss::Mse, DistillLoss::Cosine}) {
    std::string error;
    LoadOptions options;
    options.quantize = true;
    options.wbits = 3;
    options.abits = 3;
    std::unique_ptr<IRModel> model = IRModel::load(netPath(), options, error);
    ASSERT_TRUE(model) << error;
    std::unique_ptr<Network> net = Network::create(model->getGraph(), error);
    std::unique_ptr<Network> teacher =
        Network::create(model->getGraph(), error);
    ASSERT_TRUE(net && teacher) << error;
    CalibrationOptions calibration;
    calibration.images = 64;
    net->calibrate(data, {}, calibration);
    std::vector<float> reference = teacher->forward(images.data(), 64);
    // The distance the loss minimizes: KL of the class distributions
    // (blind to a shift of the logits), the relative squared error, or 1 -
    // the cosine.
    auto distance = [&] {
      net->setQuantized(true);
      std::vector<float> out = net->forward(images.data(), 64);
      OutputComparison comparison;
      comparison.add(out, reference, 64);
      if (loss == DistillLoss::Mse)
        return std::pow(10.0, -comparison.getSqnrDb() / 10);
      if (loss == DistillLoss::Cosine)
        return 1 - comparison.getCosine();
      size_t classes = out.size() / 64;
      double kl = 0;
      for (size_t n = 0; n < 64; ++n) {
        auto logSoftmax = [&](const float *row, std::vector<double> &lp) {
          double top = *std::max_element(row, row + classes), sum = 0;
          for (size_t k = 0; k < classes; ++k)
            sum += std::exp(row[k] - top);
          for (size_t k = 0; k < classes; ++k)
            lp.push_back(row[k] - top - std::log(sum));
        };
        std::vector<double> p, q;
        logSoftmax(reference.data() + n * classes, p);
        logSoftmax(out.data() + n * classes, q);
        for (size_t k = 0; k < classes; ++k)
          kl += std::exp(p[k]) * (p[k] - q[k]);
      }
      return kl / 64;
    };
    double before = distance();
    TrainOptions train;
    train.epochs = 4;
    train.batchSize = 16;
    train.optimizer = Optimizer::Adam;
    train.learningRate = 1e-3;
    train.weightDecay = 0;
    train.cosine = false;
    std::string refused;
    EXPECT_FALSE(net->train(data, nullptr, train, refused));
    EXPECT_NE(refused.find("no labels"), std::string::npos) << refused;
    train.teacher = teacher.get();
    train.distillLoss = loss;
    ASSERT_TRUE(net->train(data, nullptr, train, error)) << error;
    EXPECT_LT(distance(), 0.8 * before) << stringify(loss);
  }
}

TEST(TuneTrain, AutoDistillationPicksKlForClassScores) {
  // The test network ends in one row of class scores per sample.
  std::string error;
  std::unique_ptr<IRModel> model = IRModel::load(netPath(), {}, error);
  ASSERT_TRUE(model) << error;
  std::unique_ptr<Network> net = Network::create(model->getGraph(), error);
  ASSERT_TRUE(net) << error;
  EXPECT_EQ(net->getDistillLosses(DistillLoss::Auto),
            std::vector<DistillLoss>{DistillLoss::Kl});
  EXPECT_EQ(net->getDistillLosses(DistillLoss::Cosine),
            std::vector<DistillLoss>{DistillLoss::Cosine});
}

TEST(TuneMetrics, ComparesOutputsWithTheReference) {
  OutputComparison same;
  same.add({1, 2, 3, 3, 2, 1}, {1, 2, 3, 3, 2, 1}, 2);
  EXPECT_EQ(same.getCount(), 2);
  EXPECT_DOUBLE_EQ(same.getAgreement(), 1.0);
  EXPECT_DOUBLE_EQ(same.getCosine(), 1.0);
  EXPECT_TRUE(std::isinf(same.getSqnrDb()));
  // Sample 0 keeps its top class, sample 1 loses it; noise = 0.5^2 * 2.
  OutputComparison off;
  off.add({1, 2, 3.5f, 1, 2.5f, 1}, {1, 2, 3, 3, 2, 1}, 2);
  EXPECT_DOUBLE_EQ(off.getAgreement(), 0.5);
  double reference = 1 + 4 + 9 + 9 + 4 + 1;
  EXPECT_NEAR(off.getSqnrDb(), 10 * std::log10(reference / (0.25 + 4 + 0.25)),
              1e-9);
  EXPECT_LT(off.getCosine(), 1.0);
  EXPECT_DOUBLE_EQ(getScore(off, Metric::Agreement), 0.5);
  EXPECT_DOUBLE_EQ(getScore(off, Metric::Cosine), off.getCosine());
}

TEST(TuneMetrics, DecisionsAreTheArgmaxOrTheSideOfTheThreshold) {
  const float rows[] = {0.1f, 0.7f, 0.2f};
  EXPECT_EQ(decide(rows, 3, 0.5), 1);
  EXPECT_EQ(decide(rows + 2, 1, 0.5), 0);
  EXPECT_EQ(decide(rows + 1, 1, 0.5), 1);
  // At the threshold the decision is positive; a logit decides at 0.
  const float half = 0.5f, negative = -0.25f;
  EXPECT_EQ(decide(&half, 1, 0.5), 1);
  EXPECT_EQ(decide(&negative, 1, 0), 0);
  EXPECT_EQ(decide(&half, 1, 0), 1);
}

TEST(TuneMetrics, SingleValueOutputsAgreeByTheirDecisions) {
  // A sigmoid's probabilities: 0.6 and 0.9 are both "yes" at 0.5, 0.45 is
  // "no"; the top-1 of one value would always agree.
  OutputComparison probabilities(0.5);
  probabilities.add({0.6f, 0.45f, 0.1f}, {0.9f, 0.55f, 0.2f}, 3);
  EXPECT_TRUE(probabilities.isBinary());
  EXPECT_NEAR(probabilities.getAgreement(), 2.0 / 3, 1e-12);
  // Logits decide at 0.
  OutputComparison logits;
  logits.add({0.2f, -0.1f}, {1.5f, 0.3f}, 2);
  EXPECT_DOUBLE_EQ(logits.getAgreement(), 0.5);
  // The threshold of a graph output follows the op that produces it.
  Graph graph;
  graph.numValues = 3;
  graph.inputs = {0};
  graph.outputs = {2, 1};
  Node gemm, sigmoid;
  gemm.op = "gemm";
  gemm.outputs = {1};
  sigmoid.op = "sigmoid";
  sigmoid.outputs = {2};
  graph.nodes = {gemm, sigmoid};
  EXPECT_DOUBLE_EQ(getDecisionThreshold(graph, 0), 0.5);
  EXPECT_DOUBLE_EQ(getDecisionThreshold(graph, 1), 0.0);
  EXPECT_NE(formatComparisons({probabilities})
                .find("decision agreement 66.67 % (>= 0.5)"),
            std::string::npos);
}

TEST(TuneTrain, OneEpochOnFashionMnistSubset) {
  Dataset train, test;
  std::string error;
  if (!loadDataset("fashion-mnist", "", true, train, error))
    GTEST_SKIP() << "Fashion-MNIST not installed (dataset-fashion-mnist): "
                 << error;
  ASSERT_TRUE(loadDataset("fashion-mnist", "", false, test, error)) << error;
  EXPECT_EQ(train.count, 60000);
  EXPECT_EQ(test.count, 10000);
  train.truncate(512);
  test.truncate(256);
  // A 28x28 variant of the test network is not needed: train on 8x8 crops
  // of the images by resampling them.
  auto shrink = [](Dataset &d) {
    Dataset out;
    out.count = d.count;
    out.height = out.width = 8;
    out.labels = d.labels;
    for (int64_t n = 0; n < d.count; ++n)
      for (int64_t y = 0; y < 8; ++y)
        for (int64_t x = 0; x < 8; ++x)
          out.pixels.push_back(
              d.pixels[size_t(n * 784 + (3 * y + 2) * 28 + 3 * x + 2)]);
    for (int64_t &l : out.labels)
      l %= 4;
    d = out;
  };
  shrink(train);
  shrink(test);
  std::unique_ptr<IRModel> model = IRModel::load(netPath(), {}, error);
  ASSERT_TRUE(model) << error;
  std::unique_ptr<Network> net = Network::create(model->getGraph(), error);
  ASSERT_TRUE(net) << error;
  double before = net->evaluate(test, {}, 64, false).loss;
  TrainOptions options;
  options.epochs = 2;
  options.batchSize = 32;
  options.learningRate = 0.05;
  options.checkpoint = tempPath("train.ckpt");
  std::remove(options.checkpoint.c_str());
  ASSERT_TRUE(net->train(train, nullptr, options, error)) << error;
  double after = net->evaluate(test, {}, 64, false).loss;
  EXPECT_LT(after, before);
  // The checkpoint says both epochs are done: resuming trains nothing.
  std::unique_ptr<Network> resumed = Network::create(model->getGraph(), error);
  ASSERT_TRUE(resumed->train(train, nullptr, options, error)) << error;
  EXPECT_NEAR(resumed->evaluate(test, {}, 64, false).loss, after, 1e-6);
  std::remove(options.checkpoint.c_str());
}

} // namespace

//===----------------------------------------------------------------------===//
// A transformer: every op of a pre-norm encoder block trains, and its two
// products of activations are layers (test/Tools/Inputs/make-check-models.py
// wrote Inputs/tiny-vit.onnx).
//===----------------------------------------------------------------------===//

static std::string vitPath() {
  return std::string(CIM_TUNE_INPUTS) + "/tiny-vit.onnx";
}

TEST(TuneTransformer, FloatOutputsEqualTheReferenceAtAnyBatch) {
  std::string error;
  std::unique_ptr<IRModel> model = IRModel::load(vitPath(), {}, error);
  ASSERT_TRUE(model) << error;
  std::unique_ptr<Network> net = Network::create(model->getGraph(), error);
  ASSERT_TRUE(net) << error;
  // The class token was expanded to the import's batch: it follows the
  // batch of the run.
  for (int64_t count : {1, 3, 5}) {
    std::vector<float> batch = randomInput(count, uint64_t(count));
    std::vector<float> out = net->forward(batch.data(), count);
    ASSERT_EQ(out.size(), size_t(4 * count));
    for (int64_t n = 0; n < count; ++n) {
      std::vector<float> one(batch.begin() + n * 64,
                             batch.begin() + n * 64 + 64);
      std::vector<float> ref;
      ASSERT_TRUE(model->run(one, false, ref, error)) << error;
      for (int k = 0; k < 4; ++k)
        EXPECT_NEAR(out[size_t(n * 4 + k)], ref[size_t(k)], 1e-5);
    }
  }
}

TEST(TuneTransformer, QuantizedProductsMatchTheFakeQuantizedReference) {
  std::string error;
  LoadOptions options;
  options.quantize = true;
  options.wbits = 4;
  options.abits = 6;
  std::unique_ptr<IRModel> model = IRModel::load(vitPath(), options, error);
  ASSERT_TRUE(model) << error;
  std::vector<const Node *> layers = model->getGraph().getLayers();
  ASSERT_EQ(layers.size(), 10u);
  EXPECT_EQ(layers[4]->name, "scores");
  EXPECT_EQ(layers[5]->name, "context");
  for (const Node *layer : layers)
    EXPECT_TRUE(layer->quant) << layer->name;
  std::unique_ptr<Network> net = Network::create(model->getGraph(), error);
  ASSERT_TRUE(net) << error;
  Dataset data = syntheticData(32, 8, 5);
  net->calibrate(data, {}, {});
  net->setQuantized(true);
  Graph graph = net->getGraph();
  // The crossbar-held operand of each product got one observed scale.
  for (const Node *layer : graph.getLayers()) {
    ASSERT_TRUE(layer->quant->ascale) << layer->name;
    if (!graph.hasConstantWeight(*layer)) {
      EXPECT_EQ(layer->quant->wscale.size(), 1u) << layer->name;
    }
  }
  ASSERT_TRUE(model->update(graph, error)) << error;
  std::vector<float> image(64), ref;
  for (int64_t n = 0; n < 8; ++n) {
    getImage(data, n, {}, image.data());
    std::vector<float> out = net->forward(image.data(), 1);
    ASSERT_TRUE(model->run(image, true, ref, error)) << error;
    for (int k = 0; k < 4; ++k)
      EXPECT_NEAR(out[size_t(k)], ref[size_t(k)], 1e-5);
  }
}

TEST(TuneTransformer, QatTrainsAndTheQdqExportKeepsTheLayers) {
  std::string error;
  LoadOptions options;
  options.quantize = true;
  options.wbits = 4;
  options.abits = 4;
  std::unique_ptr<IRModel> model = IRModel::load(vitPath(), options, error);
  ASSERT_TRUE(model) << error;
  std::unique_ptr<Network> net = Network::create(model->getGraph(), error);
  ASSERT_TRUE(net) << error;
  Dataset data = syntheticData(64, 8, 9);
  net->calibrate(data, {}, {});
  net->setQuantized(true);
  TrainOptions train;
  train.epochs = 2;
  train.batchSize = 16;
  train.learningRate = 0.01;
  ASSERT_TRUE(net->train(data, nullptr, train, error)) << error;
  Graph graph = net->getGraph();
  // Position embedding, class token and layer norms train too.
  const Graph &start = model->getGraph();
  size_t moved = 0;
  for (const auto &[id, c] : graph.constants)
    if (c.type == ElementType::F32 && c.data != start.constants.at(id).data)
      ++moved;
  EXPECT_GE(moved, 20u);
  ASSERT_TRUE(model->update(graph, error)) << error;
  std::string path = tempPath("tiny-vit-qdq.onnx");
  ASSERT_TRUE(exportOnnx(graph, path, true, error)) << error;
  LoadOptions keep;
  keep.keepQuantWidths = true;
  std::unique_ptr<IRModel> again = IRModel::load(path, keep, error);
  ASSERT_TRUE(again) << error;
  std::vector<const Node *> before = std::as_const(graph).getLayers(),
                            after = again->getGraph().getLayers();
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    ASSERT_TRUE(after[i]->quant) << after[i]->name;
    EXPECT_EQ(after[i]->quant->wbits, 4u);
    EXPECT_EQ(after[i]->quant->abits, 4u);
  }
  std::vector<float> image(64), ref, back;
  for (int64_t n = 0; n < 4; ++n) {
    getImage(data, n, {}, image.data());
    ASSERT_TRUE(model->run(image, true, ref, error)) << error;
    ASSERT_TRUE(again->run(image, true, back, error)) << error;
    for (int k = 0; k < 4; ++k)
      EXPECT_NEAR(back[size_t(k)], ref[size_t(k)], 1e-5);
  }
  std::remove(path.c_str());
}
