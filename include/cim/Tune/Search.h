//===- Search.h - Mixed-precision search (DDPG, baselines) ------*- C++ -*-===//
//
// Library CIMTune. `cim-tune search`: a DDPG agent (HAQ / CIM-AQ style,
// docs/search.md) picks per-layer weight and activation widths that trade
// the compiler's latency on a chip against accuracy after a short
// fine-tune, beside the baselines uniform W8A8 and W4A4, random search and
// greedy sensitivity descent. The header shows no LibTorch and no MLIR
// types: SearchAgent.cpp is the only unit that includes torch, and
// SearchLatency.cpp the only one that includes MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TUNE_SEARCH_H
#define CIM_TUNE_SEARCH_H

#include "cim/Analysis/CostModel.h"
#include "cim/Quant/Observer.h"
#include "cim/Tune/Dataset.h"
#include "cim/Tune/Graph.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace tune {

//===----------------------------------------------------------------------===//
// The search space
//===----------------------------------------------------------------------===//

/// A weight-bearing layer as the search sees it: the compiler's crossbar
/// view (im2col rows and columns, groups, invocations, crossbars of one copy
/// at W8) and the graph's (kind, channels, kernel, stride, input size).
struct SearchLayer {
  std::string name;
  /// "conv", "depthwise" or "dense".
  std::string kind;
  int64_t inChannels = 0, outChannels = 0, kernel = 1, stride = 1;
  int64_t weights = 0;
  /// Input feature-map pixels (H x W; 1 for dense layers).
  int64_t inputSize = 1;
  int64_t rows = 0, cols = 0, groups = 1, invocations = 1;
  int64_t crossbarsAtW8 = 0;
};

/// Fills the graph's part of `layers` (kind, channels, kernel, stride,
/// weights, input size) from the weight-bearing layers of `graph`, which
/// are in the same order as the compiler's crossbar layers.
void describeLayers(const Graph &graph, std::vector<SearchLayer> &layers);

/// Widths of every weight-bearing layer, in graph order.
struct BitPolicy {
  std::vector<unsigned> wbits, abits;

  static BitPolicy uniform(size_t layers, unsigned w, unsigned a);
  /// "8/8,4/3,..." (weight/activation per layer): the cache key.
  std::string key() const;
  static std::optional<BitPolicy> fromKey(const std::string &key);
  bool operator==(const BitPolicy &o) const {
    return wbits == o.wbits && abits == o.abits;
  }
};

/// The policy file cim-assign-bitwidths reads (cimc --bits): entries by
/// name when the name is unique, else by index. Same policy, same bytes.
std::string formatPolicyJson(const std::vector<SearchLayer> &layers,
                             const BitPolicy &policy);

struct Constraints {
  /// Weight widths are multiples of the crossbar's cell bits (CIM-AQ's
  /// weight constraint: a 5..7-bit weight would pay for 8 bits of cells).
  bool weight = false;
  /// First and last layer at W8A8 (the I/O constraint).
  bool io = false;
};

/// Parses "weight,io" (either, both, "none" or empty).
bool parseConstraints(const std::string &text, Constraints &out,
                      std::string &error);

/// Maps actions in [0, 1] to widths: the allowed widths of a layer are
/// spread evenly over [0, 1] (action a picks choice floor(a * n), a = 1 the
/// last), and `actionOf` is the centre of a width's interval.
class ActionSpace {
public:
  ActionSpace(size_t layers, unsigned minBits, unsigned maxBits,
              unsigned cellBits, const Constraints &constraints);
  const std::vector<unsigned> &getWeightChoices(size_t layer) const;
  const std::vector<unsigned> &getActivationChoices(size_t layer) const;
  unsigned mapWeight(size_t layer, double action) const;
  unsigned mapActivation(size_t layer, double action) const;
  double weightAction(size_t layer, unsigned bits) const;
  double activationAction(size_t layer, unsigned bits) const;
  /// The next lower allowed width, or nothing at the lowest.
  std::optional<unsigned> lowerWeight(size_t layer, unsigned bits) const;
  std::optional<unsigned> lowerActivation(size_t layer, unsigned bits) const;
  size_t size() const { return weightChoices.size(); }
  unsigned getCellBits() const { return cellBits; }

private:
  std::vector<std::vector<unsigned>> weightChoices, activationChoices;
  unsigned cellBits = 1;
};

/// Truncated normal sample in [lo, hi] (rejection; the generator's 64-bit
/// outputs only, so the same seed gives the same samples everywhere).
double sampleTruncatedNormal(double mean, double sigma, double lo, double hi,
                             std::mt19937_64 &rng);
double sampleUniform(std::mt19937_64 &rng);

//===----------------------------------------------------------------------===//
// Latency: the compiler's cost on the chip
//===----------------------------------------------------------------------===//

/// Imports a model once and compiles clones of it with a policy up to the
/// schedule (cim.latency_cycles). Latencies are cached per policy. Safe to
/// call from several threads (getLatency's compilations are serialized;
/// prefetch runs its own in parallel, each in its own context).
class LatencyModel {
public:
  ~LatencyModel();
  /// Fails with the compiler's diagnostics as lines in `error`. Policies
  /// are compiled with `placement` (cimc --placement).
  static std::unique_ptr<LatencyModel>
  create(const std::string &modelPath, const std::string &hardware,
         std::string &error, Placement placement = Placement::Packed);

  const std::vector<SearchLayer> &getLayers() const;
  /// The hardware's name, cell bits, and whether weights stay in place.
  const std::string &getHardwareName() const;
  Placement getPlacement() const;
  /// What the latencies depend on besides the model and the placement:
  /// the cost model's version and a hash of the hardware description as
  /// printed (a checkpoint's latency cache is only valid under the same).
  std::string getCostFingerprint() const;
  unsigned getCellBits() const;
  /// Crossbars one copy of every layer needs with `wbits`, and whether the
  /// chip takes them (always under rewriting).
  int64_t crossbarsNeeded(const std::vector<unsigned> &wbits) const;
  /// Crossbars of one copy of layer `i` with `wbits`-bit weights.
  int64_t layerCrossbars(size_t i, unsigned wbits) const;
  bool fits(const std::vector<unsigned> &wbits) const;
  int64_t getChipCrossbars() const;

  /// Latency in cycles of the scheduled program; fails (error set) when the
  /// compiler rejects the policy.
  std::optional<uint64_t> getLatency(const BitPolicy &policy,
                                     std::string &error);
  /// Compiles the policies not cached yet on up to `threads` threads and
  /// caches their latencies (the same numbers getLatency computes); a
  /// policy the compiler rejects is left for getLatency to report.
  void prefetch(const std::vector<BitPolicy> &policies, int threads);
  /// The cache (for checkpoints).
  std::map<std::string, uint64_t> getCache() const;
  void setCache(const std::map<std::string, uint64_t> &cache);

private:
  LatencyModel();
  struct Impl;
  std::unique_ptr<Impl> impl;
};

/// The HAQ resource-constrained adjustment: while the weights do not fit,
/// lower the weight of the layer with the most crossbars (the earliest on a
/// tie) that can still go lower by one allowed width. False when even the
/// lowest widths do not fit.
bool fitWeights(const ActionSpace &space,
                const std::function<bool(const std::vector<unsigned> &)> &fits,
                const std::function<int64_t(size_t, unsigned)> &crossbars,
                std::vector<unsigned> &wbits);

//===----------------------------------------------------------------------===//
// Accuracy: a short fine-tune of the QAT network
//===----------------------------------------------------------------------===//

struct FinetuneOptions {
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
  /// Validation accuracy after the short fine-tune.
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
  /// The float network's accuracy on the test set and on validation.
  bool floatAccuracy(double &test, double &validation,
                     std::string &error) const;
  const Dataset &getValidation() const { return validation; }

private:
  Graph graph;
  Dataset pool, subset, validation, test;
  FinetuneOptions options;
};

//===----------------------------------------------------------------------===//
// Evaluation interface
//===----------------------------------------------------------------------===//

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

/// Runs `worker` on `workers` threads, the calling one among them, and
/// returns when every one has returned (workers take their items from a
/// shared counter).
void runWorkers(int workers, const std::function<void()> &worker);

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

//===----------------------------------------------------------------------===//
// The DDPG agent
//===----------------------------------------------------------------------===//

struct DdpgOptions {
  int64_t hidden = 300;
  double actorLr = 1e-4, criticLr = 1e-3;
  double tau = 0.01;
  double discount = 1.0;
  int64_t batchSize = 64;
  int64_t replayCapacity = 4096;
  /// The moving average of episode rewards subtracted from rewards.
  double rewardMomentum = 0.5;
};

/// One step of an episode.
struct Transition {
  std::vector<float> state, action, nextState;
  float reward = 0;
  bool done = false;
};

/// A ring buffer of transitions with seeded uniform sampling.
class ReplayBuffer {
public:
  explicit ReplayBuffer(size_t capacity) : capacity(capacity) {}
  void push(Transition t);
  size_t size() const { return items.size(); }
  size_t getNext() const { return next; }
  const Transition &operator[](size_t i) const { return items[i]; }
  /// `count` indices drawn uniformly with replacement.
  std::vector<size_t> sample(size_t count, std::mt19937_64 &rng) const;
  /// Restores a saved buffer.
  void assign(std::vector<Transition> items, size_t next);
  size_t getCapacity() const { return capacity; }

private:
  size_t capacity;
  size_t next = 0;
  std::vector<Transition> items;
};

/// Actor and critic (two hidden layers each), their target copies with soft
/// updates, Adam, the replay buffer. Initial weights come from the seed
/// (not from torch's global generator).
class DdpgAgent {
public:
  DdpgAgent(int64_t stateDim, int64_t actionDim, const DdpgOptions &options,
            uint64_t seed);
  ~DdpgAgent();
  /// The actor's action for `state` (in [0, 1]).
  std::vector<float> act(const std::vector<float> &state);
  ReplayBuffer &getBuffer();
  /// One critic and one actor step on a sampled batch, then the soft
  /// update. No-op while the buffer holds fewer than one batch.
  void update(std::mt19937_64 &rng);
  /// Records an episode's reward in the moving average (after the episode's
  /// updates).
  void observeReward(double reward);
  double getRewardBaseline() const;
  /// Everything (networks, targets, optimizer states, buffer, baseline) as
  /// bytes, and back.
  std::string save() const;
  bool load(const std::string &bytes, std::string &error);

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

//===----------------------------------------------------------------------===//
// The search
//===----------------------------------------------------------------------===//

struct SearchOptions {
  double maxAccDrop = 0.005;
  int64_t episodes = 100;
  /// Episodes with uniform random actions before the actor acts.
  int64_t warmup = -1; // -1: min(20, episodes / 4)
  /// Episodes rolled out per agent round (evaluated in parallel); part of
  /// the algorithm, so it changes results. `jobs` does not.
  int64_t batchEpisodes = 2;
  int jobs = 1;
  uint64_t seed = 1;
  unsigned minBits = 2, maxBits = 8;
  Constraints constraints;
  /// Truncated-normal exploration noise around the actor's action, sigma
  /// multiplied by the decay per episode after the warm-up. A decay < 0
  /// picks the one that brings sigma to 1 % of its start by the last
  /// episode, within [0.8, 0.99] (HAQ's 0.99 for long searches).
  double noiseSigma = 0.5, noiseDecay = -1;
  /// Latency budget (HAQ / CIM-AQ): when > 0, every searched policy (DDPG,
  /// random, greedy) is lowered until it is at least this much faster than
  /// W8A8 (fitLatency), and the reward is the accuracy alone.
  double targetSpeedup = 0;
  /// Under a budget, measure each layer's sensitivity first (the divergence
  /// of W8A8 with that layer's weights or activations at each lower width,
  /// no training) and let fitLatency add the least of it per cycle saved;
  /// false: the 2^-bits rule alone.
  bool sensitivity = true;
  DdpgOptions ddpg;
  /// Run the baselines (W8A8, W4A4 always measured; random and greedy with
  /// the search's evaluation budget).
  bool baselines = true;
  /// Final QAT of the chosen policies, with this many seeds each (the
  /// reported accuracy is their mean).
  bool finalQat = true;
  int64_t finalSeeds = 1;
  /// Final QAT of each searching source's best `finalCandidates` policies
  /// by the short fine-tune (every seed); the one with the best reward on
  /// the validation accuracy after the final QAT is chosen. 1: the best by
  /// the short fine-tune alone.
  int64_t finalCandidates = 1;
  /// The layers with their graph features (describeLayers); empty: the
  /// latency model's (compiler features only).
  std::vector<SearchLayer> layers;
  std::string checkpoint;
  /// Options that go into the checkpoint's fingerprint beside the above.
  std::string fingerprint;
  /// Tests: return after this many episodes, as if killed (-1: never).
  int64_t stopAfterEpisodes = -1;
  std::function<void(const std::string &)> log;
};

/// The noise of a layer's weights (`weight`) or activations at `bits`,
/// non-increasing in `bits`.
using NoiseFn = std::function<double(size_t layer, bool weight, unsigned bits)>;

/// The HAQ latency-constrained adjustment: while `cycles(policy)` exceeds
/// `budget`, lower the weight or activation whose step saves the most
/// cycles per noise added, (cycles saved) / (noise(lower) - noise(now))
/// (activations first, then the earliest layer, on a tie; weights only
/// where `fits` takes them). Without `noise`, 2^-bits (the rounding step,
/// the same for every layer). A step is one allowed width lower, or, when
/// that saves nothing, the first of the next space.getCellBits() that does
/// (8 -> 6 weight bits on 2-bit cells drop a slice, 8 -> 7 does not). When
/// no step lowers the latency but some keep it, the one adding the least
/// noise is taken, a weight on a tie. After the first round the steps are
/// scored lazily: in the order of their scores in earlier rounds, until the
/// best new score is above every remaining earlier one (a layer's own
/// steps are scored again after it is lowered). `prefetch`, when given,
/// gets the one-width-lower candidates before they are scored (to compute
/// their latencies in parallel): all never-scored ones together, then
/// `prefetchWidth` at a time; the result does not depend on it. False
/// when every width is at its lowest or every step costs cycles; `error`
/// set when `cycles` failed (0).
bool fitLatency(const ActionSpace &space,
                const std::function<uint64_t(const BitPolicy &)> &cycles,
                const std::function<bool(const std::vector<unsigned> &)> &fits,
                uint64_t budget, BitPolicy &policy,
                const NoiseFn &noise = nullptr,
                const std::function<void(const std::vector<BitPolicy> &)>
                    &prefetch = nullptr,
                size_t prefetchWidth = 1);

/// `noise` made 4x larger per bit below `preferred`'s width (a soft floor:
/// each bit below costs as much as the rounding noise of a whole bit).
NoiseFn withPreferredWidths(NoiseFn noise, BitPolicy preferred);

/// One evaluated policy.
struct EvaluatedPolicy {
  int64_t id = 0;
  /// "w8a8", "w4a4", "ddpg", "random", "greedy".
  std::string source;
  BitPolicy policy;
  uint64_t latencyCycles = 0;
  double speedup = 0;
  double accuracy = 0; // validation, after the short fine-tune
  double reward = 0;
};

/// A policy given the final QAT to choose among (finalCandidates > 1).
struct FinalCandidate {
  BitPolicy policy;
  uint64_t latencyCycles = 0;
  double speedup = 0;
  /// After the short fine-tune, and after the final QAT (mean over seeds).
  double validationAccuracy = 0, finalValidationAccuracy = 0;
  /// Test accuracy after the final QAT (mean over seeds): reported, never
  /// used to choose.
  double testAccuracy = 0;
};

/// A chosen policy (the search's or a baseline's) with its final result.
struct ChosenPolicy {
  std::string source;
  BitPolicy policy;
  uint64_t latencyCycles = 0;
  double speedup = 0;
  double validationAccuracy = 0;
  /// Whether the short fine-tune's drop is within --max-acc-drop (uniform
  /// baselines too). Under a latency budget a searching source with no such
  /// policy keeps its most accurate one within the budget; without a
  /// budget it falls back to W8A8 (false for both).
  bool withinDrop = true;
  /// Test accuracy after the final QAT (< 0 when not run): the mean over
  /// the seeds, each in `testAccuracies`.
  double testAccuracy = -1;
  std::vector<double> testAccuracies;
  /// Validation accuracy after the final QAT (< 0 when not measured).
  double finalValidationAccuracy = -1;
  /// The candidates it was chosen from, in the short fine-tune's order
  /// (searching sources with finalCandidates > 1).
  std::vector<FinalCandidate> candidates;
};

struct SearchResult {
  std::vector<SearchLayer> layers;
  std::string hardware;
  /// cimc's --placement for every latency (in the summary when spread).
  Placement placement = Placement::Packed;
  uint64_t w8a8Latency = 0;
  double floatAccuracy = 0, floatValidationAccuracy = 0;
  /// W8A8 after the short fine-tune: the reference of the reward.
  double referenceAccuracy = 0;
  std::vector<EvaluatedPolicy> history;
  /// Under a budget with SearchOptions::sensitivity: [layer][bits] the
  /// divergence with that width alone lowered from W8A8 (< 0: not probed;
  /// at the W8A8 width, W8A8's own).
  std::vector<std::vector<double>> weightDivergence, activationDivergence;
  /// "ddpg" first, then the baselines.
  std::vector<ChosenPolicy> chosen;
  int64_t evaluations = 0;
  /// False when stopped by stopAfterEpisodes.
  bool complete = true;
};

/// The reward of a policy (docs/search.md): with drop = reference -
/// accuracy, 1 - latency / w8a8 + (accuracy - reference) when drop <= the
/// allowed drop, else -min(1, 10 * (drop - allowed)) - 0.1. Under a
/// latency budget (`accuracyOnly`): 10 * (accuracy - reference) when drop
/// <= allowed, else -10 * allowed - 0.1 - min(1, 10 * (drop - allowed)).
double computeReward(double latencyRatio, double accuracy, double reference,
                     double maxDrop, bool accuracyOnly = false);

/// Runs the search and the baselines. Resumes from options.checkpoint when
/// it exists (a checkpoint of other options is refused).
bool runSearch(LatencyModel &latency, PolicyEvaluator &evaluator,
               const SearchOptions &options, SearchResult &result,
               std::string &error);

/// The summary JSON, the Pareto CSV and SVG of a result.
std::string formatSummaryJson(const SearchResult &result,
                              const SearchOptions &options,
                              const std::string &model);
std::string formatParetoCsv(const SearchResult &result);
std::string formatParetoSvg(const SearchResult &result,
                            const std::string &title);
/// Indices into result.history on the Pareto front (lower latency, higher
/// accuracy), by latency.
std::vector<size_t> getParetoFront(const std::vector<EvaluatedPolicy> &all);

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_TUNE_SEARCH_H
