//===- PostTrainingTest.cpp - cim-tune ptq's algorithms -------------------===//
//
// GPTQ against rounding to nearest on a layer with correlated inputs, bias
// correction, and the exported weights read back by cimc's front end.
//
//===----------------------------------------------------------------------===//

#include "cim/Tune/PostTraining.h"
#include "cim/Tune/Export.h"
#include "cim/Tune/IRModel.h"
#include "cim/Tune/Network.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

using namespace mlir::cim;
using namespace mlir::cim::tune;

namespace {

std::string netPath() {
  return std::string(CIM_TUNE_INPUTS) + "/tune-net.onnxtxt";
}

/// 8x8 images whose pixels follow a few smooth patterns (correlated, as
/// natural images are), labels unused.
Dataset patternData(int64_t count, uint64_t seed) {
  Dataset data;
  data.count = count;
  data.height = data.width = 8;
  std::mt19937 rng{unsigned(seed)};
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (int64_t n = 0; n < count; ++n) {
    float a = u(rng), b = u(rng), c = u(rng);
    for (int64_t y = 0; y < 8; ++y)
      for (int64_t x = 0; x < 8; ++x) {
        float v = 0.5f + 0.4f * a * std::sin(0.7f * float(x) + 6 * c) +
                  0.3f * b * std::cos(0.5f * float(y)) + 0.1f * u(rng);
        data.pixels.push_back(uint8_t(std::clamp(v, 0.0f, 1.0f) * 255));
      }
    data.labels.push_back(uint8_t(n % 4));
  }
  return data;
}

/// The test network loaded through cimc's front end at `bits`, with
/// asymmetric activations.
std::unique_ptr<Network> loadNetwork(unsigned bits,
                                     std::unique_ptr<IRModel> &model) {
  std::string error;
  LoadOptions options;
  options.quantize = true;
  options.wbits = options.abits = bits;
  model = IRModel::load(netPath(), options, error);
  EXPECT_TRUE(model) << error;
  if (!model)
    return nullptr;
  std::unique_ptr<Network> net = Network::create(model->getGraph(), error);
  EXPECT_TRUE(net) << error;
  if (net)
    net->setActivationScheme(quant::Scheme::Asymmetric);
  return net;
}

PostTrainingOptions onlySteps(bool gptq, bool bias, bool range) {
  PostTrainingOptions options;
  options.gptq = gptq;
  options.weightClipping = gptq;
  options.biasCorrection = bias;
  options.rangeSearch = range;
  options.calibration.images = 64;
  options.rangeImages = 32;
  return options;
}

} // namespace

TEST(TunePtq, GptqLowersTheOutputErrorOfCorrelatedInputs) {
  // A 8x32 layer whose 32 inputs are 4 latent factors plus a little noise:
  // rounding errors of correlated columns can cancel, which rounding to
  // nearest ignores and GPTQ exploits.
  const int64_t rows = 8, cols = 32, samples = 512, factors = 4;
  std::mt19937 rng{7};
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> mixing(cols * factors), x(cols * samples), w(rows * cols);
  for (float &v : mixing)
    v = normal(rng);
  for (int64_t s = 0; s < samples; ++s) {
    float z[factors];
    for (float &v : z)
      v = normal(rng);
    for (int64_t c = 0; c < cols; ++c) {
      float v = 0.05f * normal(rng);
      for (int64_t f = 0; f < factors; ++f)
        v += mixing[size_t(c * factors + f)] * z[f];
      x[size_t(c * samples + s)] = v;
    }
  }
  for (float &v : w)
    v = normal(rng);
  std::vector<double> hessian(size_t(cols * cols), 0.0);
  for (int64_t i = 0; i < cols; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      double sum = 0;
      for (int64_t s = 0; s < samples; ++s)
        sum += double(x[size_t(i * samples + s)]) * x[size_t(j * samples + s)];
      hessian[size_t(i * cols + j)] = 2 * sum / samples;
    }
  quant::ChannelLayout layout;
  layout.channels = rows;
  layout.inner = cols;
  // The layer's output error ||(W - Q) X||^2 over the samples.
  auto outputError = [&](const std::vector<float> &q) {
    double sum = 0;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t s = 0; s < samples; ++s) {
        double y = 0;
        for (int64_t c = 0; c < cols; ++c)
          y += (double(w[size_t(r * cols + c)]) - q[size_t(r * cols + c)]) *
               x[size_t(c * samples + s)];
        sum += y * y;
      }
    return sum;
  };
  for (unsigned bits : {3u, 4u}) {
    SCOPED_TRACE("bits " + std::to_string(bits));
    std::vector<quant::QuantParams> params = quant::computeWeightParams(
        w.data(), layout, quant::Scheme::Symmetric, bits, true);
    std::vector<float> nearest = w;
    quant::fakeQuantizeWeights(nearest.data(), layout, params);
    for (bool actOrder : {false, true}) {
      std::vector<float> gptq =
          quantizeGptq(w, rows, cols, hessian, params, 0.01, actOrder);
      ASSERT_EQ(gptq.size(), w.size());
      // On each row's grid: requantizing gives the same values.
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) {
          float v = gptq[size_t(r * cols + c)];
          EXPECT_EQ(quant::fakeQuantize(v, params[size_t(r)]), v);
        }
      EXPECT_LT(outputError(gptq), 0.5 * outputError(nearest))
          << "act order " << actOrder;
    }
  }
}

TEST(TunePtq, BiasCorrectionRemovesTheMeanError) {
  // W3A3: a coarse grid whose rounding shifts the layers' mean outputs.
  Dataset data = patternData(64, 3);
  std::vector<float> images(size_t(64 * 64));
  for (int64_t n = 0; n < 64; ++n)
    getImage(data, n, {}, images.data() + n * 64);
  std::unique_ptr<IRModel> model;
  std::string error;
  std::unique_ptr<Network> reference = loadNetwork(3, model);
  ASSERT_TRUE(reference);
  std::vector<float> floatOutputs = reference->forward(images.data(), 64);
  // The largest mean difference of an output (the last layer's channels)
  // between the quantized network and the float one over the calibration
  // images.
  auto meanShift = [&](Network &net) {
    std::vector<float> q = net.forward(images.data(), 64);
    double worst = 0;
    for (int k = 0; k < 4; ++k) {
      double sum = 0;
      for (int64_t n = 0; n < 64; ++n)
        sum += double(q[size_t(n * 4 + k)]) - floatOutputs[size_t(n * 4 + k)];
      worst = std::max(worst, std::abs(sum / 64));
    }
    return worst;
  };
  std::vector<PostTrainingLayer> layers;
  std::unique_ptr<Network> plain = loadNetwork(3, model);
  ASSERT_TRUE(plain);
  ASSERT_TRUE(quantizePostTraining(*plain, data, onlySteps(false, false, false),
                                   layers, error))
      << error;
  double before = meanShift(*plain);

  layers.clear();
  std::unique_ptr<Network> corrected = loadNetwork(3, model);
  ASSERT_TRUE(corrected);
  ASSERT_TRUE(quantizePostTraining(
      *corrected, data, onlySteps(false, true, false), layers, error))
      << error;
  ASSERT_EQ(layers.size(), 3u);
  for (const PostTrainingLayer &layer : layers)
    EXPECT_TRUE(layer.biasCorrected) << layer.name;
  // The second convolution had no bias: it got one.
  EXPECT_FALSE(layers[0].biasAdded);
  EXPECT_TRUE(layers[1].biasAdded);
  double after = meanShift(*corrected);
  EXPECT_GT(before, 1e-3);
  EXPECT_LT(after, 1e-5);
  EXPECT_LT(after, before / 100);
}

TEST(TunePtq, ExportedWeightsSurviveTheCompilersRequantization) {
  Dataset data = patternData(64, 5);
  std::unique_ptr<IRModel> model;
  std::string error;
  std::vector<PostTrainingLayer> layers;
  std::unique_ptr<Network> net = loadNetwork(4, model);
  ASSERT_TRUE(net);
  ASSERT_TRUE(quantizePostTraining(*net, data, onlySteps(true, true, true),
                                   layers, error))
      << error;
  for (const PostTrainingLayer &layer : layers) {
    EXPECT_TRUE(layer.gptq && layer.rangeSearched && layer.biasCorrected)
        << layer.name;
    EXPECT_LE(layer.weightError, layer.nearestError) << layer.name;
  }
  const Graph graph = net->getGraph();
  std::string path = ::testing::TempDir() + "/ptq-w4a4.onnx";
  ASSERT_TRUE(exportOnnx(graph, path, true, error)) << error;

  // cimc's front end on the QDQ model at its own widths.
  LoadOptions keep;
  keep.quantize = true;
  keep.keepQuantWidths = true;
  std::unique_ptr<IRModel> again = IRModel::load(path, keep, error);
  ASSERT_TRUE(again) << error;
  std::vector<const Node *> before = graph.getLayers(),
                            after = again->getGraph().getLayers();
  ASSERT_EQ(before.size(), after.size());
  for (size_t i = 0; i < before.size(); ++i) {
    const LayerQuant &q0 = *before[i]->quant, &q1 = *after[i]->quant;
    ASSERT_EQ(q1.wscale, q0.wscale) << before[i]->name;
    EXPECT_EQ(q1.ascale, q0.ascale);
    EXPECT_EQ(q1.azp, q0.azp);
    const FloatTensor &w0 = graph.constants.at(before[i]->inputs[1]);
    const FloatTensor &w1 = again->getGraph().constants.at(after[i]->inputs[1]);
    ASSERT_EQ(w0.data.size(), w1.data.size());
    quant::ChannelLayout layout = getWeightLayout(graph, *before[i]);
    // The same integers, channel by channel.
    for (int64_t k = 0; k < layout.getNumElements(); ++k) {
      int64_t channel = (k / layout.inner) % layout.channels;
      quant::QuantParams p0 = quant::makeParams(q0.wscheme, q0.wbits,
                                                q0.wscale[size_t(channel)], 0);
      quant::QuantParams p1 = quant::makeParams(q1.wscheme, q1.wbits,
                                                q1.wscale[size_t(channel)], 0);
      ASSERT_EQ(quant::quantize(w0.data[size_t(k)], p0),
                quant::quantize(w1.data[size_t(k)], p1))
          << before[i]->name << " element " << k;
      // The network computes with exactly these values.
      EXPECT_EQ(quant::fakeQuantize(w0.data[size_t(k)], p0),
                w0.data[size_t(k)]);
    }
  }
  // The compiler's fake-quantized reference of the export computes what
  // the network does.
  std::vector<float> image(64), ref;
  for (int64_t n = 0; n < 8; ++n) {
    getImage(data, n, {}, image.data());
    std::vector<float> out = net->forward(image.data(), 1);
    ASSERT_TRUE(again->run(image, true, ref, error)) << error;
    ASSERT_EQ(ref.size(), 4u);
    for (int k = 0; k < 4; ++k)
      EXPECT_NEAR(out[size_t(k)], ref[size_t(k)], 1e-5);
  }

  // Deterministic: a second run gives the same graph.
  std::unique_ptr<Network> twice = loadNetwork(4, model);
  ASSERT_TRUE(twice);
  layers.clear();
  ASSERT_TRUE(quantizePostTraining(*twice, data, onlySteps(true, true, true),
                                   layers, error));
  Graph second = twice->getGraph();
  for (const auto &[id, tensor] : graph.constants)
    EXPECT_EQ(second.constants.at(id).data, tensor.data);
  std::remove(path.c_str());
}
