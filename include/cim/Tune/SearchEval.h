//===- SearchEval.h - Measuring a bit-width policy --------------*- C++ -*-===//
//
// Library CIMTune, `cim-tune search` (docs/search.md): the accuracy of a
// policy after a short fine-tune (or the final QAT, or the output
// perturbation without training), and the evaluation interface the search
// asks for measurements through. No LibTorch and no MLIR types.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TUNE_SEARCHEVAL_H
#define CIM_TUNE_SEARCHEVAL_H

#include "cim/Quant/Observer.h"
#include "cim/Tune/Dataset.h"
#include "cim/Tune/Graph.h"
#include "cim/Tune/Metrics.h"
#include "cim/Tune/Network.h"
#include "cim/Tune/SearchSpace.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace tune {

class LatencyModel;

/// How a policy's network learns before it is measured.
enum class FinetuneMode {
  /// Cross-entropy against the labels (quantization-aware training).
  Labels,
  /// The float model as teacher (DistillLoss per output): no labels needed.
  Distill,
  /// None: calibrated only.
  None,
  /// Post-training quantization (range search, GPTQ, bias correction;
  /// PostTraining.h): no training, no labels.
  Ptq,
};
/// "qat", "distill", "none", "ptq".
const char *stringify(FinetuneMode mode);

struct FinetuneOptions {
  /// What a policy is measured by: accuracy (labels), or the agreement or
  /// cosine of its outputs with the float model's (no labels).
  Metric metric = Metric::Accuracy;
  /// How the short fine-tunes and the final QAT learn.
  FinetuneMode mode = FinetuneMode::Labels;
  DistillLoss distillLoss = DistillLoss::Auto;
  /// Fine-tune epochs over `subset` training images (0: calibrate only).
  int64_t epochs = 1;
  int64_t subset = 2000;
  /// Validation images carved from the end of the training set.
  int64_t validation = 5000;
  int64_t batchSize = 64;
  double learningRate = 0.002;
  int64_t calibrationImages = 256;
  /// How the activation ranges are calibrated before every fine-tune, final
  /// QAT and divergence probe (percentile 99.99, or the least-error range
  /// at each layer's width).
  quant::CalibrationMethod calibration = quant::CalibrationMethod::Percentile;
  /// Images of the divergence (layer sensitivity) probes.
  int64_t sensitivityImages = 256;
  /// Learn the per-channel weight scales of symmetric layers (LSQ) in the
  /// fine-tune and in the final QAT (Network's TrainOptions).
  bool learnWeightScales = true;
  /// Final QAT of a chosen policy: epochs over the training set less the
  /// validation images (weight decay, the transform's augmentation, scales
  /// calibrated on `finalCalibrationImages`), then the test set.
  int64_t finalEpochs = 8;
  double finalLearningRate = 0.005;
  double finalWeightDecay = 5e-4;
  Optimizer finalOptimizer = Optimizer::Sgd;
  int64_t finalCalibrationImages = 2048;
  uint64_t seed = 1;
  Transform transform;
};

/// Accuracy of one policy: a fresh QAT network from the W8A8 graph with the
/// policy's widths, activation scales calibrated (asymmetric, percentile
/// 99.99 or FinetuneOptions::calibration), fine-tuned, evaluated. A pure
/// function of the policy and the options: every evaluation starts from the
/// same weights and seeds. Thread-safe; each call uses one LibTorch thread.
class AccuracyModel {
public:
  /// `graph`: the W8A8 graph the compiler quantizes (IRModel with
  /// quantize). Splits `train` into fine-tune pool and validation.
  AccuracyModel(Graph graph, const Dataset &train, Dataset test,
                const FinetuneOptions &options);
  /// The validation score (FinetuneOptions::metric) after the short
  /// fine-tune.
  bool evaluate(const BitPolicy &policy, double &accuracy,
                std::string &error) const;
  /// Test accuracy after the final QAT, trained with seed
  /// options.seed + `replicate`; the validation accuracy of the same
  /// network in `validation` and the trained graph in `trained` when given.
  bool finalQat(const BitPolicy &policy, uint64_t replicate, double &accuracy,
                double *validation, Graph *trained, std::string &error) const;
  /// The mean KL divergence (nats) from the float network's class
  /// distribution to the calibrated, untrained policy's, over the first
  /// `sensitivityImages` fine-tune images: the output perturbation by which
  /// ZeroQ (Cai et al., CVPR 2020) ranks the layers' sensitivity.
  bool divergence(const BitPolicy &policy, double &kl,
                  std::string &error) const;
  /// The float network's score on the test set and on validation (1 for
  /// the agreement and cosine metrics).
  bool floatAccuracy(double &test, double &validation,
                     std::string &error) const;
  const Dataset &getValidation() const { return validation; }

private:
  /// The score of `net` on `data` (`reference`: the float network's first
  /// output on it, for the metrics that compare with it).
  double score(Network &net, const Dataset &data,
               const std::vector<float> &reference) const;
  /// The short fine-tune (`final` false) or the final QAT of `net`.
  bool fineTune(Network &net, const Dataset &data, bool final,
                const FinetuneOptions &options, std::string &error) const;

  Graph graph;
  Dataset pool, subset, validation, test;
  FinetuneOptions options;
  /// The float network's first output on validation and test (metrics
  /// other than accuracy).
  std::vector<float> floatValidation, floatTest;

  /// What every evaluation shares, computed once by whichever thread needs
  /// it first: the calibration ranges on the fine-tune subset (every
  /// method but MSE) and the float outputs on the sensitivity images.
  struct SharedCache {
    std::once_flag once, probeOnce;
    bool ready = false, probeReady = false;
    std::string error, probeError;
    Network::Ranges ranges;
    std::vector<float> floatProbe;
  };
  std::shared_ptr<SharedCache> cache = std::make_shared<SharedCache>();
  /// The shared calibration ranges, or null (MSE, or `error` when the
  /// network cannot be built).
  const Network::Ranges *subsetRanges(std::string &error) const;
};

/// What an evaluation measures.
enum class EvalKind {
  /// Validation accuracy after the short fine-tune.
  FineTune,
  /// Test accuracy after the final QAT.
  Final,
  /// The output perturbation, without training (AccuracyModel::divergence).
  Divergence,
};

struct EvalRequest {
  BitPolicy policy;
  EvalKind kind = EvalKind::FineTune;
  /// Final requests: the final QAT's seed is FinetuneOptions::seed plus
  /// this.
  uint64_t replicate = 0;
};

struct Measurement {
  uint64_t latencyCycles = 0;
  /// FineTune and Final requests.
  double accuracy = 0;
  /// Divergence requests.
  double divergence = 0;
  /// Final requests: the validation accuracy after the final QAT.
  double finalValidation = 0;
};

/// Measures policies. Requests of one call are independent; results come
/// back in request order, whatever order they finish in. A remote
/// implementation ships each request (model, hardware, options, the policy
/// as formatPolicyJson) to a worker running the same AccuracyModel and
/// returns the same numbers (docs/search.md). Latency is measured for
/// FineTune and Final requests only.
class PolicyEvaluator {
public:
  virtual ~PolicyEvaluator();
  virtual bool evaluate(const std::vector<EvalRequest> &requests,
                        std::vector<Measurement> &results,
                        std::string &error) = 0;
};

/// Latency from the LatencyModel on the calling thread, accuracies on a
/// pool of `jobs` threads (one LibTorch thread each).
class LocalEvaluator : public PolicyEvaluator {
public:
  LocalEvaluator(LatencyModel &latency, const AccuracyModel &accuracy,
                 int jobs);
  bool evaluate(const std::vector<EvalRequest> &requests,
                std::vector<Measurement> &results, std::string &error) override;

private:
  LatencyModel &latency;
  const AccuracyModel &accuracy;
  int jobs;
};

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_TUNE_SEARCHEVAL_H
