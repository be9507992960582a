//===- Search.h - Mixed-precision search (DDPG, baselines) ------*- C++ -*-===//
//
// Library CIMTune. `cim-tune search`: a DDPG agent (HAQ / CIM-AQ style,
// docs/search.md) picks per-layer weight and activation widths that trade
// the compiler's latency on a chip against accuracy after a short
// fine-tune, beside the baselines uniform W8A8 and W4A4, random search and
// greedy sensitivity descent. This header holds the search's options and
// results and runs it; the pieces it is made of have headers of their own
// (SearchSpace.h, SearchLatency.h, SearchEval.h, SearchAgent.h), and
// SearchReport.h writes a result's summary and Pareto front.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TUNE_SEARCH_H
#define CIM_TUNE_SEARCH_H

#include "cim/Analysis/CostModel.h"
#include "cim/Tune/SearchAgent.h"
#include "cim/Tune/SearchSpace.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace tune {

class LatencyModel;
class PolicyEvaluator;

struct SearchOptions {
  /// The allowed drop of the measure ("accuracy" fields: the accuracy, or
  /// the score of `metric`, FinetuneOptions::metric).
  double maxAccDrop = 0.005;
  std::string metric = "accuracy";
  /// How each policy was fine-tuned (stringify(FinetuneMode)), for the
  /// summary.
  std::string finetune = "qat";
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

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_TUNE_SEARCH_H
