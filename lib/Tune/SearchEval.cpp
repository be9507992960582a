//===- SearchEval.cpp - Measuring a bit-width policy ----------------------===//
//
// The accuracy side of a policy evaluation (a fresh QAT network, calibrated
// and fine-tuned on a subset, evaluated on the validation split) and the
// local evaluator on an llvm::ThreadPool. Uses the Network API only (no
// torch header).
//
//===----------------------------------------------------------------------===//

#include "cim/Tune/SearchEval.h"

#include "cim/Tune/Network.h"
#include "cim/Tune/PostTraining.h"
#include "cim/Tune/SearchLatency.h"

#include "llvm/Support/ThreadPool.h"

#include <algorithm>
#include <cmath>

using namespace mlir::cim;
using namespace mlir::cim::tune;

/// The first output of `net` on every sample of `data`.
static std::vector<float> forwardAll(Network &net, const Dataset &data,
                                     const Transform &transform) {
  std::vector<float> outputs;
  Batch batch;
  BatchIterator it(data, transform, net.getRunBatch(256), false, false, 0, 0);
  while (it.next(batch)) {
    std::vector<float> y = net.forward(batch);
    outputs.insert(outputs.end(), y.begin(), y.end());
  }
  return outputs;
}

/// `n` samples of `data` spread evenly over it (sample floor((2k + 1)
/// count / 2n) for k < n) into `picked`, the others in order into `rest`.
static void spreadSplit(const Dataset &data, int64_t n, Dataset &picked,
                        Dataset &rest) {
  std::vector<int64_t> chosen, others;
  n = std::clamp<int64_t>(n, 0, data.count);
  for (int64_t k = 0; k < n; ++k)
    chosen.push_back((2 * k + 1) * data.count / (2 * n));
  for (int64_t i = 0, k = 0; i < data.count; ++i) {
    if (k < n && chosen[size_t(k)] == i) {
      ++k;
      continue;
    }
    others.push_back(i);
  }
  picked = data.select(chosen);
  rest = data.select(others);
}

AccuracyModel::AccuracyModel(Graph g, const Dataset &train, Dataset t,
                             const FinetuneOptions &o)
    : graph(std::move(g)), test(std::move(t)), options(o) {
  int64_t valCount = std::min<int64_t>(options.validation,
                                       std::max<int64_t>(1, train.count / 2));
  int64_t subsetCount = options.subset > 0
                            ? std::min(options.subset, train.count - valCount)
                            : train.count - valCount;
  if (train.folder) {
    // A folder lists its samples by name (an image folder by class): the
    // validation samples, then the fine-tune's subset of the others, are
    // spread evenly over it, so that every part of it is represented.
    Dataset rest, unused;
    spreadSplit(train, valCount, validation, rest);
    pool = rest;
    spreadSplit(rest, subsetCount, subset, unused);
  } else {
    pool = train.slice(0, train.count - valCount);
    validation = train.slice(train.count - valCount, valCount);
    subset = pool.slice(0, subsetCount);
  }
  if (options.metric == Metric::Accuracy)
    return;
  // The float model's outputs, which the other metrics compare with.
  std::string error;
  std::unique_ptr<Network> reference = Network::create(graph, error);
  if (!reference)
    return; // reported by the first evaluation, which builds it again
  reference->setQuantized(false);
  floatValidation = forwardAll(*reference, validation, options.transform);
  floatTest = forwardAll(*reference, test, options.transform);
}

const char *tune::stringify(FinetuneMode mode) {
  switch (mode) {
  case FinetuneMode::Labels:
    return "qat";
  case FinetuneMode::Distill:
    return "distill";
  case FinetuneMode::None:
    return "none";
  case FinetuneMode::Ptq:
    return "ptq";
  }
  return "qat";
}

double AccuracyModel::score(Network &net, const Dataset &data,
                            const std::vector<float> &reference) const {
  if (options.metric == Metric::Accuracy)
    return net.evaluate(data, options.transform, 256, false).getAccuracy();
  OutputComparison comparison(getDecisionThreshold(graph, 0));
  comparison.add(forwardAll(net, data, options.transform), reference,
                 data.count);
  return getScore(comparison, options.metric);
}

namespace {
/// Gives every layer of `graph` `policy`'s widths and no activation scale;
/// false with `error` when the policy does not fit.
bool setWidths(Graph &graph, const BitPolicy &policy, std::string &error) {
  std::vector<Node *> layers = graph.getLayers();
  if (layers.size() != policy.wbits.size()) {
    error = "cim-tune: error: the policy has " +
            std::to_string(policy.wbits.size()) + " layers, the network " +
            std::to_string(layers.size());
    return false;
  }
  for (size_t i = 0; i < layers.size(); ++i) {
    if (!layers[i]->quant)
      layers[i]->quant = LayerQuant();
    layers[i]->quant->wbits = policy.wbits[i];
    layers[i]->quant->abits = policy.abits[i];
    layers[i]->quant->ascale.reset();
  }
  return true;
}

CalibrationOptions calibrationOf(const FinetuneOptions &options,
                                 int64_t calibrationImages) {
  CalibrationOptions calibration;
  calibration.method = options.calibration;
  calibration.percentile = 99.99;
  calibration.images = calibrationImages;
  return calibration;
}

/// A QAT network of `graph` with `policy`'s widths, calibrated on `data`,
/// or given the ranges observed there (`ranges`, when not null).
std::unique_ptr<Network>
makeQuantized(Graph graph, const BitPolicy &policy, const Dataset &data,
              int64_t calibrationImages, const FinetuneOptions &options,
              std::string &error, const Network::Ranges *ranges = nullptr) {
  if (!setWidths(graph, policy, error))
    return nullptr;
  std::unique_ptr<Network> net = Network::create(graph, error);
  if (!net)
    return nullptr;
  net->setActivationScheme(quant::Scheme::Asymmetric);
  if (ranges)
    net->applyRanges(*ranges);
  else
    net->calibrate(data, options.transform,
                   calibrationOf(options, calibrationImages));
  net->setQuantized(true);
  return net;
}

} // namespace

const Network::Ranges *AccuracyModel::subsetRanges(std::string &error) const {
  // An MSE range depends on the width: calibrated per policy.
  if (options.calibration == quant::CalibrationMethod::Mse)
    return nullptr;
  std::call_once(cache->once, [&] {
    Graph g = graph;
    BitPolicy widest;
    size_t layers = g.getLayers().size();
    widest.wbits.assign(layers, 8);
    widest.abits.assign(layers, 8);
    std::unique_ptr<Network> net;
    if (setWidths(g, widest, cache->error))
      net = Network::create(g, cache->error);
    if (!net)
      return;
    net->setActivationScheme(quant::Scheme::Asymmetric);
    cache->ranges =
        net->observeRanges(subset, options.transform,
                           calibrationOf(options, options.calibrationImages));
    cache->ready = true;
  });
  if (!cache->ready) {
    error = cache->error;
    return nullptr;
  }
  return &cache->ranges;
}

bool AccuracyModel::fineTune(Network &net, const Dataset &data, bool final,
                             const FinetuneOptions &options,
                             std::string &error) const {
  if (options.mode == FinetuneMode::Ptq) {
    // Quantized once, layer by layer, on the calibration images.
    PostTrainingOptions ptq;
    ptq.calibration.method = options.calibration;
    ptq.calibration.percentile = 99.99;
    ptq.calibration.images =
        final ? options.finalCalibrationImages : options.calibrationImages;
    ptq.rangeImages =
        std::min<int64_t>(ptq.rangeImages, ptq.calibration.images);
    ptq.transform = options.transform;
    std::vector<PostTrainingLayer> layers;
    return quantizePostTraining(net, data, ptq, layers, error);
  }
  TrainOptions train;
  train.epochs = final ? options.finalEpochs : options.epochs;
  if (train.epochs <= 0 || options.mode == FinetuneMode::None)
    return true;
  std::unique_ptr<Network> teacher;
  if (options.mode == FinetuneMode::Distill) {
    teacher = Network::create(graph, error);
    if (!teacher)
      return false;
    teacher->setQuantized(false);
    train.teacher = teacher.get();
    train.distill = 1;
    train.distillLoss = options.distillLoss;
  }
  train.batchSize = options.batchSize;
  train.learningRate = final ? options.finalLearningRate : options.learningRate;
  train.weightDecay = final ? options.finalWeightDecay : 1e-4;
  train.optimizer = final ? options.finalOptimizer : Optimizer::Sgd;
  train.seed = options.seed;
  train.transform = options.transform;
  train.augment = final && (options.transform.cropPadding > 0 ||
                            options.transform.horizontalFlip ||
                            options.transform.randomResizedCrop);
  train.learnWeightScales = options.learnWeightScales;
  return net.train(data, nullptr, train, error);
}

bool AccuracyModel::evaluate(const BitPolicy &policy, double &accuracy,
                             std::string &error) const {
  std::unique_ptr<Network> net =
      makeQuantized(graph, policy, subset, options.calibrationImages, options,
                    error, subsetRanges(error));
  if (!net || !fineTune(*net, subset, false, options, error))
    return false;
  accuracy = score(*net, validation, floatValidation);
  return true;
}

bool AccuracyModel::finalQat(const BitPolicy &policy, uint64_t replicate,
                             double &accuracy, double *validationAccuracy,
                             Graph *trained, std::string &error) const {
  FinetuneOptions seeded = options;
  seeded.seed += replicate;
  std::unique_ptr<Network> net = makeQuantized(
      graph, policy, pool, options.finalCalibrationImages, seeded, error);
  if (!net || !fineTune(*net, pool, true, seeded, error))
    return false;
  accuracy = score(*net, test, floatTest);
  if (validationAccuracy)
    *validationAccuracy = score(*net, validation, floatValidation);
  if (trained)
    *trained = net->getGraph();
  return true;
}

namespace {
/// Log-probabilities of `count` output rows (logits, or a trailing
/// softmax's probabilities), in double.
std::vector<double> logProbabilities(const std::vector<float> &out,
                                     int64_t count, bool softmax) {
  std::vector<double> lp(out.begin(), out.end());
  size_t classes = count > 0 ? out.size() / size_t(count) : 0;
  for (int64_t n = 0; n < count; ++n) {
    double *row = lp.data() + size_t(n) * classes;
    if (softmax) {
      for (size_t k = 0; k < classes; ++k)
        row[k] = std::log(std::max(row[k], 1e-12));
      continue;
    }
    double top = *std::max_element(row, row + classes), sum = 0;
    for (size_t k = 0; k < classes; ++k)
      sum += std::exp(row[k] - top);
    double norm = top + std::log(sum);
    for (size_t k = 0; k < classes; ++k)
      row[k] -= norm;
  }
  return lp;
}
} // namespace

bool AccuracyModel::divergence(const BitPolicy &policy, double &kl,
                               std::string &error) const {
  int64_t count = std::min(options.sensitivityImages, subset.count);
  Dataset first = subset.slice(0, count);
  // The float outputs on the probe images, the same for every probe.
  std::call_once(cache->probeOnce, [&] {
    std::unique_ptr<Network> reference =
        Network::create(graph, cache->probeError);
    if (!reference)
      return;
    reference->setQuantized(false);
    cache->floatProbe = forwardAll(*reference, first, options.transform);
    cache->probeReady = true;
  });
  if (!cache->probeReady) {
    error = cache->probeError;
    return false;
  }
  std::unique_ptr<Network> net =
      makeQuantized(graph, policy, subset, options.calibrationImages, options,
                    error, subsetRanges(error));
  if (!net)
    return false;
  bool softmax = false;
  for (const Node &node : graph.nodes)
    if (node.output() == graph.outputs[0])
      softmax = node.op == "softmax";
  std::vector<float> floatOut = cache->floatProbe;
  std::vector<float> quantOut = forwardAll(*net, first, options.transform);
  // A single score (a detector's, a wake word's) is the probability of
  // the positive decision, or its logit: the divergence is that of the two
  // decisions' Bernoulli distributions.
  if (count > 0 && floatOut.size() == size_t(count) &&
      quantOut.size() == size_t(count)) {
    bool probability = getDecisionThreshold(graph, 0) == 0.5;
    auto binary = [&](const std::vector<float> &scores) {
      std::vector<float> pairs;
      for (float v : scores) {
        double positive = probability ? std::clamp(double(v), 0.0, 1.0)
                                      : 1.0 / (1.0 + std::exp(-double(v)));
        pairs.push_back(float(1.0 - positive));
        pairs.push_back(float(positive));
      }
      return pairs;
    };
    floatOut = binary(floatOut);
    quantOut = binary(quantOut);
    softmax = true;
  }
  std::vector<double> p = logProbabilities(floatOut, count, softmax);
  std::vector<double> q = logProbabilities(quantOut, count, softmax);
  if (p.size() != q.size()) {
    error = "cim-tune: error: the quantized network's output has another "
            "shape than the float network's";
    return false;
  }
  double sum = 0;
  for (size_t k = 0; k < p.size(); ++k)
    sum += std::exp(p[k]) * (p[k] - q[k]);
  kl = count > 0 ? std::max(0.0, sum / double(count)) : 0;
  return true;
}

bool AccuracyModel::floatAccuracy(double &testAccuracy, double &validationAcc,
                                  std::string &error) const {
  std::unique_ptr<Network> net = Network::create(graph, error);
  if (!net)
    return false;
  net->setQuantized(false);
  testAccuracy = score(*net, test, floatTest);
  validationAcc = score(*net, validation, floatValidation);
  return true;
}

PolicyEvaluator::~PolicyEvaluator() = default;

LocalEvaluator::LocalEvaluator(LatencyModel &latency,
                               const AccuracyModel &accuracy, int jobs)
    : latency(latency), accuracy(accuracy), jobs(std::max(1, jobs)) {}

bool LocalEvaluator::evaluate(const std::vector<EvalRequest> &requests,
                              std::vector<Measurement> &results,
                              std::string &error) {
  results.assign(requests.size(), Measurement());
  for (size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].kind == EvalKind::Divergence)
      continue; // no latency: a probe is not a candidate
    std::optional<uint64_t> cycles =
        latency.getLatency(requests[i].policy, error);
    if (!cycles)
      return false;
    results[i].latencyCycles = *cycles;
  }
  // One task per request, each writing its request's slot only, so the
  // order of completion does not matter. One LibTorch thread per task keeps
  // every evaluation's arithmetic the same for any `jobs`.
  std::vector<std::string> errors(requests.size());
  std::vector<char> ok(requests.size(), 0);
  auto measure = [&](size_t i) {
    setThreadCount(1);
    const EvalRequest &r = requests[i];
    switch (r.kind) {
    case EvalKind::FineTune:
      ok[i] = accuracy.evaluate(r.policy, results[i].accuracy, errors[i]);
      break;
    case EvalKind::Final:
      ok[i] =
          accuracy.finalQat(r.policy, r.replicate, results[i].accuracy,
                            &results[i].finalValidation, nullptr, errors[i]);
      break;
    case EvalKind::Divergence:
      ok[i] = accuracy.divergence(r.policy, results[i].divergence, errors[i]);
      break;
    }
  };
  // A sample that cannot be read fails the request (an exception must not
  // end a pool thread).
  auto work = [&](size_t i) {
    try {
      measure(i);
    } catch (const SampleError &e) {
      ok[i] = 0;
      errors[i] = e.what();
    }
  };
  if (jobs <= 1 || requests.size() <= 1) {
    for (size_t i = 0; i < requests.size(); ++i)
      work(i);
  } else {
    llvm::ThreadPool pool(llvm::hardware_concurrency(
        unsigned(std::min<size_t>(size_t(jobs), requests.size()))));
    for (size_t i = 0; i < requests.size(); ++i)
      pool.async(work, i);
    pool.wait();
  }
  for (size_t i = 0; i < requests.size(); ++i)
    if (!ok[i]) {
      error = errors[i];
      return false;
    }
  return true;
}
