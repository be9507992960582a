//===- Search.cpp - The DDPG bit-width search and its baselines -----------===//
//
// The episode loop (HAQ / CIM-AQ): one step per weight-bearing layer, a
// two-dimensional action (weight and activation width) per step, rewards
// from the compiler's latency and the fine-tuned accuracy; the baselines;
// the choice of the reported policies and their final QAT. The state it
// resumes from is in SearchCheckpoint.cpp, the files it writes in
// SearchReport.cpp. docs/search.md.
//
//===----------------------------------------------------------------------===//

#include "cim/Tune/Search.h"

#include "SearchCheckpoint.h"
#include "SearchText.h"

#include "cim/Tune/SearchEval.h"
#include "cim/Tune/SearchLatency.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

using namespace mlir::cim;
using namespace mlir::cim::tune;

double tune::computeReward(double latencyRatio, double accuracy,
                           double reference, double maxDrop,
                           bool accuracyOnly) {
  double drop = reference - accuracy;
  if (drop <= maxDrop + 1e-12)
    return accuracyOnly ? 10.0 * (accuracy - reference)
                        : 1.0 - latencyRatio + (accuracy - reference);
  return (accuracyOnly ? -10.0 * maxDrop : 0.0) - 0.1 -
         std::min(1.0, 10.0 * (drop - maxDrop));
}

namespace {

/// Whether a speedup meets the latency budget (always without one).
bool meetsBudget(double speedup, double targetSpeedup) {
  return targetSpeedup <= 0 || speedup >= targetSpeedup * (1 - 1e-12);
}

constexpr int64_t kActionDim = 2;

/// The agent's state: a layer's features and the previous action.
int64_t stateDim(const std::vector<std::vector<float>> &features) {
  return int64_t(features.empty() ? 14 : features[0].size()) + kActionDim;
}

/// Per-layer features normalized to [0, 1] over the layers (min-max; a
/// feature equal in every layer is 0), without the previous action.
std::vector<std::vector<float>>
layerFeatures(const std::vector<SearchLayer> &layers) {
  size_t n = layers.size();
  std::vector<std::vector<double>> raw(n);
  for (size_t i = 0; i < n; ++i) {
    const SearchLayer &l = layers[i];
    auto lg = [](int64_t v) {
      return std::log2(double(std::max<int64_t>(1, v)));
    };
    raw[i] = {double(l.kind == "conv"),
              double(l.kind == "depthwise"),
              double(l.kind == "dense"),
              lg(l.inChannels),
              lg(l.outChannels),
              double(l.kernel),
              double(l.stride),
              lg(l.weights),
              lg(l.inputSize),
              lg(l.invocations),
              lg(l.rows),
              lg(l.cols),
              lg(l.crossbarsAtW8),
              n > 1 ? double(i) / double(n - 1) : 0.0};
  }
  // Products of two activations get a feature of their own; networks
  // without them keep the state (and the search) they always had.
  bool products =
      std::any_of(layers.begin(), layers.end(),
                  [](const SearchLayer &l) { return l.kind == "product"; });
  if (products)
    for (size_t i = 0; i < n; ++i)
      raw[i].insert(raw[i].begin() + 3, double(layers[i].kind == "product"));
  std::vector<std::vector<float>> out(n);
  size_t dims = raw.empty() ? 0 : raw[0].size();
  for (size_t d = 0; d < dims; ++d) {
    double lo = raw[0][d], hi = raw[0][d];
    for (size_t i = 0; i < n; ++i) {
      lo = std::min(lo, raw[i][d]);
      hi = std::max(hi, raw[i][d]);
    }
    bool scale = d >= 3 && d <= 12; // one-hots and the index stay
    for (size_t i = 0; i < n; ++i)
      out[i].push_back(float(!scale    ? raw[i][d]
                             : hi > lo ? (raw[i][d] - lo) / (hi - lo)
                                       : 0.0));
  }
  return out;
}

/// The search's state between episodes, and the checkpoint.
class Searcher {
public:
  Searcher(LatencyModel &latency, PolicyEvaluator &evaluator,
           const SearchOptions &options, SearchResult &result)
      : latency(latency), evaluator(evaluator), options(options),
        result(result),
        layers(options.layers.empty() ? latency.getLayers() : options.layers),
        space(layers.size(), options.minBits, options.maxBits,
              latency.getCellBits(), options.constraints),
        features(layerFeatures(layers)),
        agent(stateDim(features), kActionDim, options.ddpg, options.seed) {
    state.rng.seed(options.seed);
    warmup = options.warmup >= 0 ? options.warmup
                                 : std::min<int64_t>(20, options.episodes / 4);
    decay = options.noiseDecay;
    if (decay < 0)
      decay = std::min(
          0.99,
          std::max(0.8,
                   std::pow(0.01, 1.0 / double(std::max<int64_t>(
                                            1, options.episodes - warmup)))));
  }

  bool run(std::string &error);

private:
  LatencyModel &latency;
  PolicyEvaluator &evaluator;
  const SearchOptions &options;
  SearchResult &result;
  std::vector<SearchLayer> layers;
  ActionSpace space;
  std::vector<std::vector<float>> features;
  DdpgAgent agent;
  int64_t warmup = 0;
  double decay = 0.99;

  /// What the checkpoint keeps: episodes, generator, caches, history.
  SearchState state;
  /// [layer][bits]: the noise fitLatency adds up (measureSensitivity);
  /// empty: the 2^-bits rule.
  std::vector<std::vector<double>> weightNoise, activationNoise;
  uint64_t w8a8Latency = 0;
  double reference = 0;

  std::vector<float> stateOf(size_t layer, double prevW, double prevA) const {
    std::vector<float> s = features[layer];
    s.push_back(float(prevW));
    s.push_back(float(prevA));
    return s;
  }

  void fit(BitPolicy &p) const {
    const LatencyModel &lat = latency;
    fitWeights(
        space, [&](const std::vector<unsigned> &w) { return lat.fits(w); },
        [&](size_t i, unsigned bits) { return lat.layerCrossbars(i, bits); },
        p.wbits);
  }

  /// The widest allowed policy, its weights on the chip.
  BitPolicy widest() const {
    BitPolicy p;
    for (size_t i = 0; i < layers.size(); ++i) {
      p.wbits.push_back(space.getWeightChoices(i).back());
      p.abits.push_back(space.getActivationChoices(i).back());
    }
    fit(p);
    return p;
  }

  /// The weights onto the chip, then the policy within the latency budget
  /// (when there is one): every searched policy goes through this. With
  /// measured sensitivities the policy's widths are soft floors: the
  /// widest policy is lowered by sensitivity, with 4x the noise per bit
  /// below the policy's width (withPreferredWidths; not with `prefer`
  /// false: the measured noise alone); else HAQ's rule lowers the policy
  /// itself.
  bool constrain(BitPolicy &p, std::string &error, bool prefer = true) {
    fit(p);
    if (options.targetSpeedup <= 0)
      return true;
    uint64_t budget =
        uint64_t(std::floor(double(w8a8Latency) / options.targetSpeedup));
    const LatencyModel &lat = latency;
    NoiseFn noise;
    if (!weightNoise.empty()) {
      noise = [&](size_t layer, bool weight, unsigned bits) {
        return (weight ? weightNoise : activationNoise)[layer][bits];
      };
      if (prefer)
        noise = withPreferredWidths(std::move(noise), p);
      p = widest();
    }
    fitLatency(
        space,
        [&](const BitPolicy &q) -> uint64_t {
          std::optional<uint64_t> c = latency.getLatency(q, error);
          return c ? *c : 0;
        },
        [&](const std::vector<unsigned> &w) { return lat.fits(w); }, budget, p,
        noise,
        [&](const std::vector<BitPolicy> &candidates) {
          latency.prefetch(candidates, options.jobs);
        },
        size_t(std::max(1, options.jobs)));
    return error.empty();
  }

  bool measureSensitivity(const BitPolicy &base, std::string &error);

  /// Where evaluateMissing keeps a measured field.
  struct Store {
    std::map<std::string, double> *cache;
    double Measurement::*field;
    /// Whether a key missing here is measured (else the field is only kept
    /// when the key is measured for another store).
    bool required = true;
  };
  /// Evaluates, once each, the requests whose key is missing from a
  /// required store, and keeps each store's field under the key.
  bool evaluateMissing(
      const std::vector<std::pair<std::string, EvalRequest>> &wanted,
      const std::vector<Store> &stores, std::string &error);
  /// Latency and fine-tuned accuracy (cached).
  bool measure(const std::vector<BitPolicy> &policies,
               std::vector<Measurement> &out, std::string &error);
  /// The final QAT of `policies`, every seed (cached); a validation
  /// accuracy after it is measured when `validation` (else kept when the
  /// QAT runs).
  bool measureFinal(const std::vector<BitPolicy> &policies, bool validation,
                    std::string &error);
  /// The mean over the final QAT's seeds of a measured policy's test
  /// accuracy (`cache` finalCache) or validation accuracy
  /// (finalValidationCache), each seed's in `each` when given.
  double finalMean(const std::map<std::string, double> &cache,
                   const BitPolicy &p,
                   std::vector<double> *each = nullptr) const;
  /// A searching source's policies to choose from, best first by the short
  /// fine-tune, distinct, at most `limit`: within the allowed drop and the
  /// budget by reward (then id); when none is and there is a budget, within
  /// the budget by accuracy (`withinDrop` false); else W8A8.
  std::vector<const EvaluatedPolicy *>
  candidatesOf(const std::string &source, size_t limit, bool &withinDrop) const;
  /// The chosen policy of each source, then their final QAT.
  bool choose(std::string &error);
  /// Constrains the searched policies (in place), then measures them.
  bool constrainAndMeasure(std::vector<BitPolicy> &policies,
                           std::vector<Measurement> &out, std::string &error) {
    for (BitPolicy &p : policies)
      if (!constrain(p, error))
        return false;
    return measure(policies, out, error);
  }
  EvaluatedPolicy record(const std::string &source, const BitPolicy &p,
                         const Measurement &m);
  void logLine(const std::string &label, int64_t index, int64_t total,
               const EvaluatedPolicy &e, const std::string &source);
  bool runEpisodes(std::string &error);
  bool runRandom(std::string &error);
  bool runGreedy(std::string &error);
  /// Writes the checkpoint (when there is one) after a round.
  bool saveCheckpoint(std::string &error) const;
  /// Resumes from the checkpoint.
  bool loadCheckpoint(std::string &error);
  std::string fingerprint() const;
};

std::string Searcher::fingerprint() const {
  std::ostringstream os;
  os << options.fingerprint << ";seed=" << options.seed
     << ";episodes=" << options.episodes
     << ";drop=" << formatHexDouble(options.maxAccDrop) << ";warmup=" << warmup
     << ";batch=" << options.batchEpisodes << ";bits=" << options.minBits << "-"
     << options.maxBits << ";constraints=" << options.constraints.weight
     << options.constraints.io
     << ";noise=" << formatHexDouble(options.noiseSigma) << ","
     << formatHexDouble(decay) << ";layers=" << layers.size()
     << ";final-seeds=" << options.finalSeeds;
  if (options.targetSpeedup > 0)
    os << ";target=" << formatHexDouble(options.targetSpeedup)
       << ";sensitivity=" << options.sensitivity;
  // Networks with products of two activations have one more feature.
  if (stateDim(features) != 16)
    os << ";state=" << stateDim(features);
  std::string s = os.str();
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

bool Searcher::evaluateMissing(
    const std::vector<std::pair<std::string, EvalRequest>> &wanted,
    const std::vector<Store> &stores, std::string &error) {
  std::vector<EvalRequest> requests;
  std::vector<std::string> keys;
  std::set<std::string> queued;
  for (const auto &[key, request] : wanted) {
    bool missing = false;
    for (const Store &store : stores)
      missing |= store.required && !store.cache->count(key);
    if (missing && queued.insert(key).second) {
      requests.push_back(request);
      keys.push_back(key);
    }
  }
  std::vector<Measurement> measured;
  if (!requests.empty() && !evaluator.evaluate(requests, measured, error))
    return false;
  for (size_t i = 0; i < requests.size(); ++i)
    for (const Store &store : stores)
      (*store.cache)[keys[i]] = measured[i].*store.field;
  return true;
}

bool Searcher::measure(const std::vector<BitPolicy> &policies,
                       std::vector<Measurement> &out, std::string &error) {
  std::vector<std::pair<std::string, EvalRequest>> wanted;
  for (const BitPolicy &p : policies)
    wanted.push_back({p.key(), {p, EvalKind::FineTune}});
  if (!evaluateMissing(wanted, {{&state.accuracyCache, &Measurement::accuracy}},
                       error))
    return false;
  out.clear();
  for (const BitPolicy &p : policies) {
    std::optional<uint64_t> cycles = latency.getLatency(p, error);
    if (!cycles)
      return false;
    out.push_back({*cycles, state.accuracyCache.at(p.key())});
  }
  return true;
}

/// A final QAT's cache key: seed 0's is the policy's (the checkpoints of
/// one-seed runs).
static std::string finalKey(const BitPolicy &p, int64_t seed) {
  return seed ? p.key() + "#" + std::to_string(seed) : p.key();
}

bool Searcher::measureFinal(const std::vector<BitPolicy> &policies,
                            bool validation, std::string &error) {
  int64_t seeds = std::max<int64_t>(1, options.finalSeeds);
  std::vector<std::pair<std::string, EvalRequest>> wanted;
  for (int64_t r = 0; r < seeds; ++r)
    for (const BitPolicy &p : policies)
      wanted.push_back({finalKey(p, r), {p, EvalKind::Final, uint64_t(r)}});
  return evaluateMissing(wanted,
                         {{&state.finalCache, &Measurement::accuracy},
                          {&state.finalValidationCache,
                           &Measurement::finalValidation, validation}},
                         error);
}

double Searcher::finalMean(const std::map<std::string, double> &cache,
                           const BitPolicy &p,
                           std::vector<double> *each) const {
  int64_t seeds = std::max<int64_t>(1, options.finalSeeds);
  double sum = 0;
  if (each)
    each->clear();
  for (int64_t r = 0; r < seeds; ++r) {
    double v = cache.at(finalKey(p, r));
    sum += v;
    if (each)
      each->push_back(v);
  }
  return sum / double(seeds);
}

bool Searcher::measureSensitivity(const BitPolicy &base, std::string &error) {
  // One probe per layer, kind and allowed width below the base's: the base
  // with that width alone lowered, calibrated, not trained.
  size_t n = layers.size();
  std::vector<BitPolicy> probes = {base};
  for (size_t i = 0; i < n; ++i)
    for (int kind = 0; kind < 2; ++kind)
      for (unsigned b :
           kind ? space.getActivationChoices(i) : space.getWeightChoices(i)) {
        BitPolicy p = base;
        unsigned &bits = kind ? p.abits[i] : p.wbits[i];
        if (b >= bits)
          continue;
        bits = b;
        probes.push_back(p);
      }
  std::vector<std::pair<std::string, EvalRequest>> wanted;
  for (const BitPolicy &p : probes)
    wanted.push_back({p.key(), {p, EvalKind::Divergence}});
  if (!evaluateMissing(
          wanted, {{&state.divergenceCache, &Measurement::divergence}}, error))
    return false;

  // The tables: W8A8's own divergence at and above the base's widths, the
  // probes below, made non-increasing in the width (a probe measured below
  // a wider one's counts as that).
  double own = state.divergenceCache.at(base.key());
  unsigned top = std::max(options.maxBits, 8u);
  for (int kind = 0; kind < 2; ++kind) {
    std::vector<std::vector<double>> &table =
        kind ? activationNoise : weightNoise;
    std::vector<std::vector<double>> &reported =
        kind ? result.activationDivergence : result.weightDivergence;
    table.assign(n, std::vector<double>(top + 1, own));
    reported.assign(n, std::vector<double>(top + 1, -1));
    for (size_t i = 0; i < n; ++i) {
      unsigned from = kind ? base.abits[i] : base.wbits[i];
      reported[i][from] = own;
      for (int b = int(from) - 1; b >= 0; --b) {
        BitPolicy p = base;
        (kind ? p.abits : p.wbits)[i] = unsigned(b);
        auto it = state.divergenceCache.find(p.key());
        table[i][size_t(b)] = table[i][size_t(b) + 1];
        if (it != state.divergenceCache.end()) {
          reported[i][size_t(b)] = it->second;
          table[i][size_t(b)] = std::max(table[i][size_t(b)], it->second);
        }
      }
    }
  }
  if (options.log)
    options.log("sensitivity: " + std::to_string(probes.size()) +
                " probes; W8A8 diverges by " + formatFixed(own, 6) + " nats");
  return saveCheckpoint(error);
}

EvaluatedPolicy Searcher::record(const std::string &source, const BitPolicy &p,
                                 const Measurement &m) {
  EvaluatedPolicy e;
  e.id = int64_t(result.history.size());
  e.source = source;
  e.policy = p;
  e.latencyCycles = m.latencyCycles;
  e.speedup =
      double(w8a8Latency) / double(std::max<uint64_t>(1, m.latencyCycles));
  e.accuracy = m.accuracy;
  e.reward =
      computeReward(double(m.latencyCycles) / double(w8a8Latency), m.accuracy,
                    reference, options.maxAccDrop, options.targetSpeedup > 0);
  // Under a budget, a policy the adjustment could not bring within it ranks
  // below every one that is (the least reward of an accuracy miss, less
  // the share of the speedup missed).
  if (!meetsBudget(e.speedup, options.targetSpeedup))
    e.reward = -10 * options.maxAccDrop - 1.1 -
               (1 - e.speedup / options.targetSpeedup);
  result.history.push_back(e);
  return e;
}

void Searcher::logLine(const std::string &label, int64_t index, int64_t total,
                       const EvaluatedPolicy &e, const std::string &source) {
  if (!options.log)
    return;
  // The best feasible policy so far (within the allowed drop and the
  // budget), if any.
  bool feasible = false;
  const EvaluatedPolicy *best = candidatesOf(source, 1, feasible)[0];
  if (!feasible)
    best = nullptr;
  char buf[512];
  std::snprintf(
      buf, sizeof buf,
      "%s %lld/%lld: W %s A %s: %.2fx, %s %.2f %% (drop "
      "%.2f %%), reward %.4f; best %.2fx at %.2f %%",
      label.c_str(), (long long)index, (long long)total,
      joinBits(e.policy.wbits, ",").c_str(),
      joinBits(e.policy.abits, ",").c_str(), e.speedup, options.metric.c_str(),
      100 * e.accuracy, 100 * (reference - e.accuracy), e.reward,
      best ? best->speedup : 1.0, 100 * (best ? best->accuracy : reference));
  options.log(buf);
}

bool Searcher::runEpisodes(std::string &error) {
  size_t n = layers.size();
  // Replay the history of a resumed run into the result.
  for (size_t k = 0; k < state.ddpgHistory.size(); ++k) {
    BitPolicy p = *BitPolicy::fromKey(state.ddpgHistory[k]);
    std::vector<Measurement> m;
    if (!measure({p}, m, error))
      return false;
    EvaluatedPolicy e = record("ddpg", p, m[0]);
    logLine("episode", int64_t(k) + 1, options.episodes, e, "ddpg");
  }
  while (state.episodesDone < options.episodes) {
    if (options.stopAfterEpisodes >= 0 &&
        state.episodesDone >= options.stopAfterEpisodes) {
      result.complete = false;
      return true;
    }
    int64_t count =
        std::min(options.batchEpisodes, options.episodes - state.episodesDone);
    std::vector<BitPolicy> policies;
    for (int64_t b = 0; b < count; ++b) {
      int64_t episode = state.episodesDone + b;
      bool explore = episode < warmup;
      double sigma =
          options.noiseSigma * std::pow(decay, double(episode - warmup));
      BitPolicy p;
      double prevW = 0, prevA = 0;
      for (size_t i = 0; i < n; ++i) {
        double aw, aa;
        if (explore) {
          aw = sampleUniform(state.rng);
          aa = sampleUniform(state.rng);
        } else {
          std::vector<float> mu = agent.act(stateOf(i, prevW, prevA));
          aw = sampleTruncatedNormal(mu[0], sigma, 0, 1, state.rng);
          aa = sampleTruncatedNormal(mu[1], sigma, 0, 1, state.rng);
        }
        p.wbits.push_back(space.mapWeight(i, aw));
        p.abits.push_back(space.mapActivation(i, aa));
        prevW = space.weightAction(i, p.wbits.back());
        prevA = space.activationAction(i, p.abits.back());
      }
      policies.push_back(p);
    }
    std::vector<BitPolicy> requested = policies;
    std::vector<Measurement> measured;
    if (!constrainAndMeasure(policies, measured, error))
      return false;
    for (int64_t b = 0; b < count; ++b) {
      const BitPolicy &p = policies[size_t(b)];
      EvaluatedPolicy e = record("ddpg", p, measured[size_t(b)]);
      state.ddpgHistory.push_back(p.key());
      // The transitions of the episode, all with the episode's reward
      // (discount 1), with the widths it got after the constraints (HAQ),
      // or the widths it asked for when they are soft floors.
      const BitPolicy &acted = weightNoise.empty() ? p : requested[size_t(b)];
      std::vector<std::vector<float>> states, actions;
      double prevW = 0, prevA = 0;
      for (size_t i = 0; i < n; ++i) {
        states.push_back(stateOf(i, prevW, prevA));
        prevW = space.weightAction(i, acted.wbits[i]);
        prevA = space.activationAction(i, acted.abits[i]);
        actions.push_back({float(prevW), float(prevA)});
      }
      for (size_t i = 0; i < n; ++i) {
        Transition t;
        t.state = states[i];
        t.action = actions[i];
        t.nextState = i + 1 < n ? states[i + 1] : states[i];
        t.reward = float(e.reward);
        t.done = i + 1 == n;
        agent.getBuffer().push(std::move(t));
      }
      if (state.episodesDone + b >= warmup)
        for (size_t i = 0; i < n; ++i)
          agent.update(state.rng);
      agent.observeReward(e.reward);
      logLine("episode", state.episodesDone + b + 1, options.episodes, e,
              "ddpg");
    }
    state.episodesDone += count;
    if (!saveCheckpoint(error))
      return false;
  }
  return true;
}

bool Searcher::runRandom(std::string &error) {
  // Its own stream: the same policies whether or not the search resumed.
  std::mt19937_64 random(options.seed ^ 0x5eed5eed5eed5eedULL);
  int64_t done = 0;
  while (done < options.episodes) {
    int64_t count = std::min(options.batchEpisodes, options.episodes - done);
    std::vector<BitPolicy> policies;
    for (int64_t b = 0; b < count; ++b) {
      BitPolicy p;
      for (size_t i = 0; i < layers.size(); ++i) {
        p.wbits.push_back(space.mapWeight(i, sampleUniform(random)));
        p.abits.push_back(space.mapActivation(i, sampleUniform(random)));
      }
      policies.push_back(p);
    }
    std::vector<Measurement> measured;
    if (!constrainAndMeasure(policies, measured, error))
      return false;
    for (int64_t b = 0; b < count; ++b)
      logLine("random", done + b + 1, options.episodes,
              record("random", policies[size_t(b)], measured[size_t(b)]),
              "random");
    done += count;
    if (!saveCheckpoint(error))
      return false;
  }
  return true;
}

bool Searcher::runGreedy(std::string &error) {
  // From the widest allowed policy (under a budget with measured
  // sensitivities: the policy the sensitivities alone choose), lower one
  // width at a time: of the candidates one allowed step lower that stay
  // within the accuracy budget, take the one with the most latency saved
  // per accuracy lost.
  size_t n = layers.size();
  BitPolicy current = widest();
  if (!constrain(current, error, false))
    return false;
  std::vector<Measurement> m;
  if (!measure({current}, m, error))
    return false;
  Measurement here = m[0];
  int64_t used = 1;
  logLine("greedy", used, options.episodes, record("greedy", current, here),
          "greedy");
  while (used < options.episodes) {
    std::vector<BitPolicy> candidates;
    std::set<std::string> seen;
    for (size_t i = 0; i < n; ++i)
      for (int kind = 0; kind < 2; ++kind) {
        BitPolicy p = current;
        std::optional<unsigned> lower =
            kind == 0 ? space.lowerWeight(i, p.wbits[i])
                      : space.lowerActivation(i, p.abits[i]);
        if (!lower)
          continue;
        (kind == 0 ? p.wbits : p.abits)[i] = *lower;
        fit(p);
        std::optional<uint64_t> cycles = latency.getLatency(p, error);
        if (!cycles)
          return false;
        if (*cycles < here.latencyCycles && seen.insert(p.key()).second)
          candidates.push_back(p);
      }
    if (candidates.empty())
      break;
    if (int64_t(candidates.size()) > options.episodes - used)
      candidates.resize(size_t(options.episodes - used));
    if (!measure(candidates, m, error))
      return false;
    int best = -1;
    double bestScore = 0;
    for (size_t c = 0; c < candidates.size(); ++c) {
      logLine("greedy", used + int64_t(c) + 1, options.episodes,
              record("greedy", candidates[c], m[c]), "greedy");
      if (reference - m[c].accuracy > options.maxAccDrop + 1e-12)
        continue;
      double saved =
          double(here.latencyCycles - m[c].latencyCycles) / double(w8a8Latency);
      double lost = std::max(1e-3, here.accuracy - m[c].accuracy);
      double score = saved / lost;
      if (best < 0 || score > bestScore) {
        best = int(c);
        bestScore = score;
      }
    }
    used += int64_t(candidates.size());
    if (!saveCheckpoint(error))
      return false;
    if (best < 0)
      break;
    current = candidates[size_t(best)];
    here = m[size_t(best)];
  }
  return true;
}

bool Searcher::run(std::string &error) {
  if (!options.checkpoint.empty() && std::ifstream(options.checkpoint) &&
      !loadCheckpoint(error))
    return false;
  size_t n = layers.size();
  result.layers = layers;
  result.hardware = latency.getHardwareName();
  result.placement = latency.getPlacement();

  // The references: W8A8 (the reward's baseline) and W4A4, uniform; the
  // weights lowered like any policy when the chip cannot hold them.
  BitPolicy w8 = BitPolicy::uniform(n, 8, 8), w4 = BitPolicy::uniform(n, 4, 4);
  fit(w8);
  fit(w4);
  std::vector<Measurement> refs;
  if (!measure({w8, w4}, refs, error))
    return false;
  w8a8Latency = refs[0].latencyCycles;
  reference = refs[0].accuracy;
  result.w8a8Latency = w8a8Latency;
  result.referenceAccuracy = reference;
  record("w8a8", w8, refs[0]);
  record("w4a4", w4, refs[1]);
  if (options.targetSpeedup > 0 && options.sensitivity &&
      !measureSensitivity(w8, error))
    return false;
  if (options.log)
    options.log("reference: W8A8 " + std::to_string(w8a8Latency) +
                " cycles, validation " + options.metric + " " +
                formatFixed(100 * reference, 2) + " %; W4A4 " +
                formatFixed(double(w8a8Latency) / refs[1].latencyCycles, 2) +
                "x, " + formatFixed(100 * refs[1].accuracy, 2) + " %");

  if (!runEpisodes(error))
    return false;
  if (!result.complete)
    return true;
  if (options.baselines && (!runRandom(error) || !runGreedy(error)))
    return false;

  if (!choose(error))
    return false;
  result.evaluations = int64_t(state.accuracyCache.size());
  return true;
}

std::vector<const EvaluatedPolicy *>
Searcher::candidatesOf(const std::string &source, size_t limit,
                       bool &withinDrop) const {
  std::vector<const EvaluatedPolicy *> all;
  for (const EvaluatedPolicy &e : result.history)
    if (e.source == source &&
        reference - e.accuracy <= options.maxAccDrop + 1e-12 &&
        meetsBudget(e.speedup, options.targetSpeedup))
      all.push_back(&e);
  withinDrop = !all.empty();
  if (all.empty() && options.targetSpeedup > 0)
    for (const EvaluatedPolicy &e : result.history)
      if (e.source == source && meetsBudget(e.speedup, options.targetSpeedup))
        all.push_back(&e);
  // History is in id order: the stable sort keeps the lowest id first.
  std::stable_sort(all.begin(), all.end(),
                   [&](const EvaluatedPolicy *a, const EvaluatedPolicy *b) {
                     return withinDrop ? a->reward > b->reward
                                       : a->accuracy > b->accuracy;
                   });
  std::vector<const EvaluatedPolicy *> out;
  std::set<std::string> keys;
  for (const EvaluatedPolicy *e : all)
    if (out.size() < limit && keys.insert(e->policy.key()).second)
      out.push_back(e);
  if (out.empty())
    out.push_back(&result.history[0]); // nothing within the allowed drop
  return out;
}

bool Searcher::choose(std::string &error) {
  std::vector<std::string> sources = {"ddpg", "w8a8", "w4a4"};
  if (options.baselines) {
    sources.push_back("random");
    sources.push_back("greedy");
  }
  size_t limit = size_t(std::max<int64_t>(1, options.finalCandidates));
  bool compare = options.finalQat && limit > 1;
  std::vector<std::vector<const EvaluatedPolicy *>> lists;
  std::vector<bool> within;
  std::vector<BitPolicy> measured;
  for (const std::string &source : sources) {
    bool withinDrop = true;
    std::vector<const EvaluatedPolicy *> list;
    if (source == "w8a8" || source == "w4a4") {
      list = {&result.history[source == "w8a8" ? 0 : 1]};
      withinDrop = reference - list[0]->accuracy <= options.maxAccDrop + 1e-12;
    } else {
      list = candidatesOf(source, limit, withinDrop);
      if (!withinDrop && options.targetSpeedup > 0 && options.log)
        // The speed budget is the hard constraint: the most accurate
        // policies that meet it; the final QAT says what they really lose.
        options.log(source +
                    ": no policy within the allowed drop; the most "
                    "accurate " +
                    (compare ? "ones within the latency budget are the "
                               "candidates"
                             : "one within the latency budget is kept"));
    }
    for (const EvaluatedPolicy *e : list)
      measured.push_back(e->policy);
    lists.push_back(list);
    within.push_back(withinDrop);
  }
  if (compare) {
    if (options.log)
      options.log("final QAT of the best " + std::to_string(limit) +
                  " policies of each search and the uniform ones (" +
                  std::to_string(measured.size()) + " in all)");
    if (!measureFinal(measured, true, error) || !saveCheckpoint(error))
      return false;
  }
  double finalReference =
      compare ? finalMean(state.finalValidationCache, result.history[0].policy)
              : 0;
  for (size_t s = 0; s < sources.size(); ++s) {
    const std::vector<const EvaluatedPolicy *> &list = lists[s];
    size_t pick = 0;
    ChosenPolicy c;
    double bestReward = 0;
    for (size_t k = 0; compare && k < list.size(); ++k) {
      const EvaluatedPolicy &e = *list[k];
      FinalCandidate f;
      f.policy = e.policy;
      f.latencyCycles = e.latencyCycles;
      f.speedup = e.speedup;
      f.validationAccuracy = e.accuracy;
      f.finalValidationAccuracy =
          finalMean(state.finalValidationCache, e.policy);
      f.testAccuracy = finalMean(state.finalCache, e.policy);
      double reward =
          computeReward(double(e.latencyCycles) / double(w8a8Latency),
                        f.finalValidationAccuracy, finalReference,
                        options.maxAccDrop, options.targetSpeedup > 0);
      if (k == 0 || reward > bestReward) {
        pick = k;
        bestReward = reward;
      }
      if (list.size() > 1)
        c.candidates.push_back(f);
    }
    const EvaluatedPolicy &best = *list[pick];
    if (compare && list.size() > 1 && options.log)
      for (size_t k = 0; k < list.size(); ++k)
        options.log(
            sources[s] + " candidate " + std::to_string(k + 1) + "/" +
            std::to_string(list.size()) + ": W " +
            joinBits(list[k]->policy.wbits, ",") + " A " +
            joinBits(list[k]->policy.abits, ",") + ": validation " +
            formatFixed(100 * list[k]->accuracy, 2) + " % fine-tuned, " +
            formatFixed(100 * c.candidates[k].finalValidationAccuracy, 2) +
            " % after the final QAT" + (k == pick ? " (chosen)" : ""));
    c.withinDrop = within[s];
    c.source = sources[s];
    c.policy = best.policy;
    c.latencyCycles = best.latencyCycles;
    c.speedup = best.speedup;
    c.validationAccuracy = best.accuracy;
    if (compare)
      c.finalValidationAccuracy =
          finalMean(state.finalValidationCache, best.policy);
    result.chosen.push_back(c);
  }
  if (!options.finalQat)
    return true;
  std::vector<BitPolicy> chosen;
  for (const ChosenPolicy &c : result.chosen)
    chosen.push_back(c.policy);
  if (!compare && options.log) {
    int64_t seeds = std::max<int64_t>(1, options.finalSeeds);
    options.log("final QAT of " + std::to_string(chosen.size()) + " policies" +
                (seeds > 1 ? ", " + std::to_string(seeds) + " seeds each"
                           : std::string()));
  }
  if (!measureFinal(chosen, false, error))
    return false;
  for (ChosenPolicy &c : result.chosen)
    c.testAccuracy = finalMean(state.finalCache, c.policy, &c.testAccuracies);
  return saveCheckpoint(error);
}

bool Searcher::saveCheckpoint(std::string &error) const {
  if (options.checkpoint.empty())
    return true;
  return writeSearchCheckpoint(options.checkpoint, fingerprint(), state,
                               latency.getCache(), agent.save(), error);
}

bool Searcher::loadCheckpoint(std::string &error) {
  std::map<std::string, uint64_t> latencies;
  std::string bytes, agentError;
  if (!readSearchCheckpoint(options.checkpoint, fingerprint(), state, latencies,
                            bytes, error))
    return false;
  latency.setCache(latencies);
  if (!agent.load(bytes, agentError)) {
    error = options.checkpoint + ": error: " + agentError;
    return false;
  }
  if (options.log)
    options.log("resuming after episode " + std::to_string(state.episodesDone) +
                " from " + options.checkpoint);
  return true;
}

} // namespace

bool tune::runSearch(LatencyModel &latency, PolicyEvaluator &evaluator,
                     const SearchOptions &options, SearchResult &result,
                     std::string &error) {
  Searcher searcher(latency, evaluator, options, result);
  return searcher.run(error);
}
