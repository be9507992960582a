//===- Network.h - A trainable LibTorch network from a graph ----*- C++ -*-===//
//
// Library CIMTune. Builds a LibTorch network from a tune::Graph: every
// constant becomes a tensor (layer weights and biases and batch-norm
// scale/shift are trained, batch-norm statistics are running buffers), and
// every weight-bearing layer with a LayerQuant gets fake quantization of its
// weight (per channel, scales computed as the compiler computes them) and of
// its input activation (scale calibrated with the compiler's observers, then
// learned with a straight-through estimator). The forward values of the
// fake quantizer equal quant::fakeQuantize bit for bit.
//
// The header shows no LibTorch types: only the units behind it
// (Network.cpp, NetworkTrain.cpp, FakeQuant.cpp) pay for torch's headers.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TUNE_NETWORK_H
#define CIM_TUNE_NETWORK_H

#include "cim/Quant/Observer.h"
#include "cim/Tune/Dataset.h"
#include "cim/Tune/Graph.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace tune {

/// Sets LibTorch's intra-op threads and OpenBLAS's threads (0: one per
/// core). Returns the count used.
int setThreadCount(int threads);

/// Fake-quantizes `values` exactly as the fake quantizer of a Network does
/// (exposed to test it against quant::fakeQuantize): with one entry in
/// `params`, by the activations' one-pass kernel; with one per channel of
/// `layout`, by LibTorch's tensor operations, as weights are.
std::vector<float>
fakeQuantizeWithTorch(const std::vector<float> &values,
                      const quant::ChannelLayout &layout,
                      const std::vector<quant::QuantParams> &params);

/// An activation quantizer's LSQ gradients for an upstream gradient: the
/// input's, and the sum of g x dq/ds before the LSQ scaling.
struct ActivationGradients {
  std::vector<float> input;
  double scale = 0;
};

/// The LSQ backward of a per-tensor activation quantizer over `batch` rows
/// of `values`, by the one-pass kernel that training uses (`onePass`) or by
/// tensor operations (exposed to test one against the other).
ActivationGradients
fakeQuantizeActivationGradients(const std::vector<float> &values,
                                const std::vector<float> &grad, int64_t batch,
                                const quant::QuantParams &params, bool onePass);

/// Progress of a training epoch, reported after every batch.
struct Progress {
  int64_t epoch = 0, epochs = 0;
  int64_t images = 0, totalImages = 0;
  double loss = 0, accuracy = 0;
  double imagesPerSecond = 0;
  double secondsLeft = 0;
  bool epochDone = false;
  /// After an epoch, the test accuracy when a test set was given (< 0: none).
  double testAccuracy = -1;
  /// The data has no labels: `accuracy` is the top-1 agreement of the
  /// network's first output with the teacher's.
  bool agreement = false;
};

/// The ops cim-tune's network runs, and the reason for each graph op it
/// does not (lib/Reference/GraphOps.def lists them all).
struct OpSupport {
  /// A trainable kernel exists (its float forward equals the reference
  /// executor's).
  bool trainable = false;
  /// Why not, when it does not.
  const char *reason = nullptr;
};
/// Whether cim-tune's network runs the graph op `mnemonic` ("conv2d").
OpSupport getOpSupport(const std::string &mnemonic);

class Network;

/// Whether `graph`'s inputs take `data`'s samples: a named set's images
/// (one NCHW input of their channels, height and width), or a data folder
/// loaded for the graph (checked at load); false with a one-line `error`
/// naming the input.
bool checkImageShape(const Graph &graph, const Dataset &data,
                     std::string &error);

/// How a student's output is compared with its teacher's in distillation.
enum class DistillLoss {
  /// KL for an output that is a class distribution (a softmax's, or a
  /// matrix of one row per sample), Mse for any other.
  Auto,
  /// KL(teacher || student) of the softmax distributions of the rows.
  Kl,
  /// The mean squared error relative to the teacher output's mean square
  /// (the inverse of the output's SQNR).
  Mse,
  /// 1 - the cosine of each sample's output with the teacher's.
  Cosine,
};
/// "auto", "kl", "mse", "cosine".
const char *stringify(DistillLoss loss);

/// How the trained constants are updated.
enum class Optimizer {
  /// SGD with (Nesterov) momentum.
  Sgd,
  Adam,
};

struct TrainOptions {
  int64_t epochs = 10;
  int64_t batchSize = 128;
  Optimizer optimizer = Optimizer::Sgd;
  double learningRate = 0.05;
  double momentum = 0.9;
  double weightDecay = 5e-4;
  /// Cosine decay of the learning rate to 0 over all epochs (else constant).
  bool cosine = true;
  uint64_t seed = 1;
  Transform transform;
  /// Apply the transform's augmentation to training batches.
  bool augment = false;
  /// Learn activation scales (LSQ); otherwise they stay as calibrated.
  bool learnScales = true;
  /// Learn the weight scales of symmetric layers too (LSQ), starting from
  /// the compiler's max-based ones; they are exported with the model (QDQ
  /// weight scales, #cim.quant wscale). Otherwise the weight scales are the
  /// compiler's, recomputed from the weights at every step.
  bool learnWeightScales = false;
  /// Knowledge distillation: with a teacher (the float network), the loss
  /// is (1 - distill) x cross-entropy + distill x the distillation loss of
  /// every output against the teacher's on the same (augmented) batch. Data
  /// without labels trains on the distillation loss alone (a teacher is
  /// then required).
  Network *teacher = nullptr;
  double distill = 0.0;
  DistillLoss distillLoss = DistillLoss::Auto;
  /// Checkpoint file written after every epoch (empty: none); an existing
  /// one for the same network is resumed from.
  std::string checkpoint;
  std::function<void(const Progress &)> progress;
};

struct EvalResult {
  /// Samples evaluated, and those with labels (all or none).
  int64_t count = 0, labeled = 0, correct = 0;
  /// The mean cross-entropy (0 without labels).
  double loss = 0;
  double imagesPerSecond = 0;
  std::vector<int64_t> predictions;
  double getAccuracy() const { return labeled ? double(correct) / labeled : 0; }
};

struct CalibrationOptions {
  quant::CalibrationMethod method = quant::CalibrationMethod::MinMax;
  double percentile = 99.99;
  int64_t images = 256;
  /// Replace scales layers already have.
  bool overwrite = false;
};

class Network {
public:
  ~Network();
  /// The LibTorch state (lib/Tune/NetworkImpl.h).
  struct Impl;
  /// For the library's units that include NetworkImpl.h (PostTraining.cpp).
  Impl &getImpl() { return *impl; }

  /// Builds the network. Fails for graphs without inputs or outputs and for
  /// ops without a trainable kernel (`error` then holds one located line
  /// per such op).
  static std::unique_ptr<Network> create(const Graph &graph,
                                         std::string &error);

  /// Turns fake quantization of the layers with a LayerQuant on or off.
  void setQuantized(bool quantized);
  bool isQuantized() const;

  /// Overrides the activation scheme of every quantized layer (for example
  /// asymmetric inputs after ReLU); clears scales that were set.
  void setActivationScheme(quant::Scheme scheme);

  /// Sets the activation scale of every quantized layer from the float
  /// network's inputs to it over the first `options.images` images, with
  /// the compiler's observers and quant::paramsFromRange.
  void calibrate(const Dataset &data, const Transform &transform,
                 const CalibrationOptions &options);

  /// The observed ranges of calibrate(), by (node index, operand: 0 the
  /// layer's input, 1 a product's second activation operand).
  using Ranges = std::map<std::pair<size_t, int>, quant::Range>;
  /// calibrate()'s first half: the float network's ranges of the operands
  /// it would calibrate. Except for CalibrationMethod::Mse (whose range
  /// depends on the width), they depend on the data alone, so networks of
  /// the same graph with other widths can share them.
  Ranges observeRanges(const Dataset &data, const Transform &transform,
                       const CalibrationOptions &options);
  /// calibrate()'s second half: each layer's scales from `ranges` at its
  /// own widths and schemes.
  void applyRanges(const Ranges &ranges);

  /// Trains (float or quantization-aware, as set) and returns the loss of
  /// the last epoch; `test`, when given, is evaluated after every epoch.
  /// Data without labels trains only from a teacher.
  bool train(const Dataset &data, const Dataset *test,
             const TrainOptions &options, std::string &error);

  /// Accuracy and mean cross-entropy on `data` where it has labels (the
  /// outputs are logits; a trailing softmax is skipped for the loss), and
  /// the predictions (the first output's argmax); unlabeled data gives the
  /// predictions only.
  EvalResult evaluate(const Dataset &data, const Transform &transform,
                      int64_t batchSize, bool keepPredictions);

  /// The batch a run takes when `wanted` samples are asked for: `wanted`
  /// where the model's batch is dynamic, else its static batch.
  int64_t getRunBatch(int64_t wanted) const;

  /// The first output for `count` images (NCHW f32) of a one-input model.
  std::vector<float> forward(const float *images, int64_t count);
  /// The first output for a batch of every input.
  std::vector<float> forward(Batch &batch);
  /// Every output of the graph for `count` images of a one-input model, or
  /// for a batch of every input, each flattened.
  std::vector<std::vector<float>> forwardOutputs(const float *images,
                                                 int64_t count);
  std::vector<std::vector<float>> forwardOutputs(Batch &batch);

  /// The loss each output of the graph is distilled with when `requested`
  /// is asked for (Auto resolved per output).
  std::vector<DistillLoss> getDistillLosses(DistillLoss requested) const;

  /// One backward pass of a random projection of the outputs for `batch`
  /// (every input): every trained constant must get a finite gradient. Appends
  /// one located line per constant that does not, or per op that fails.
  bool checkGradients(Batch &batch, uint64_t seed,
                      std::vector<std::string> &problems);

  /// Runs every node on the reference executor's values of its operands
  /// (`values`, from IRModel::trace at the graph's batch) and compares its
  /// results with the reference's: the largest relative difference (max
  /// |a - b| over the largest magnitude among the op's float operands and
  /// its result) and the node it occurs at. Integer
  /// results must be equal (else the difference is infinite).
  double compareOps(const std::map<int, FloatTensor> &values,
                    std::string &worstNode, std::string &error);

  /// The number of trained constants.
  size_t getTrainedCount() const;

  /// The graph with the trained constants and the layers' activation
  /// scales.
  Graph getGraph() const;

private:
  Network();
  std::unique_ptr<Impl> impl;
};

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_TUNE_NETWORK_H
