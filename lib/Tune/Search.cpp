//===- Search.cpp - The DDPG bit-width search and its baselines -----------===//
//
// The episode loop (HAQ / CIM-AQ): one step per weight-bearing layer, a
// two-dimensional action (weight and activation width) per step, rewards
// from the compiler's latency and the fine-tuned accuracy; the baselines;
// the checkpoint; the summary, Pareto CSV and SVG. docs/search.md.
//
//===----------------------------------------------------------------------===//

#include "cim/Tune/Search.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
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

constexpr int64_t kStateDim = 16;
constexpr int64_t kActionDim = 2;

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

std::string hexDouble(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}

std::string fixed(double v, int digits = 6) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string joinBits(const std::vector<unsigned> &bits, const char *sep) {
  std::string s;
  for (size_t i = 0; i < bits.size(); ++i)
    s += (i ? sep : "") + std::to_string(bits[i]);
  return s;
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
        agent(kStateDim, kActionDim, options.ddpg, options.seed),
        rng(options.seed) {
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
  std::mt19937_64 rng;
  int64_t warmup = 0;
  double decay = 0.99;

  int64_t episodesDone = 0;
  std::vector<std::string> ddpgHistory;
  std::map<std::string, double> accuracyCache, finalCache, divergenceCache;
  /// Validation accuracy after the final QAT (keys as finalCache's).
  std::map<std::string, double> finalValidationCache;
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
  bool saveCheckpoint(std::string &error) const;
  bool loadCheckpoint(std::string &error);
  std::string fingerprint() const;
};

std::string Searcher::fingerprint() const {
  std::ostringstream os;
  os << options.fingerprint << ";seed=" << options.seed
     << ";episodes=" << options.episodes
     << ";drop=" << hexDouble(options.maxAccDrop) << ";warmup=" << warmup
     << ";batch=" << options.batchEpisodes << ";bits=" << options.minBits << "-"
     << options.maxBits << ";constraints=" << options.constraints.weight
     << options.constraints.io << ";noise=" << hexDouble(options.noiseSigma)
     << "," << hexDouble(decay) << ";layers=" << layers.size()
     << ";final-seeds=" << options.finalSeeds;
  if (options.targetSpeedup > 0)
    os << ";target=" << hexDouble(options.targetSpeedup)
       << ";sensitivity=" << options.sensitivity;
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
  if (!evaluateMissing(wanted, {{&accuracyCache, &Measurement::accuracy}},
                       error))
    return false;
  out.clear();
  for (const BitPolicy &p : policies) {
    std::optional<uint64_t> cycles = latency.getLatency(p, error);
    if (!cycles)
      return false;
    out.push_back({*cycles, accuracyCache.at(p.key())});
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
  return evaluateMissing(
      wanted,
      {{&finalCache, &Measurement::accuracy},
       {&finalValidationCache, &Measurement::finalValidation, validation}},
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
  if (!evaluateMissing(wanted, {{&divergenceCache, &Measurement::divergence}},
                       error))
    return false;

  // The tables: W8A8's own divergence at and above the base's widths, the
  // probes below, made non-increasing in the width (a probe measured below
  // a wider one's counts as that).
  double own = divergenceCache.at(base.key());
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
        auto it = divergenceCache.find(p.key());
        table[i][size_t(b)] = table[i][size_t(b) + 1];
        if (it != divergenceCache.end()) {
          reported[i][size_t(b)] = it->second;
          table[i][size_t(b)] = std::max(table[i][size_t(b)], it->second);
        }
      }
    }
  }
  if (options.log)
    options.log("sensitivity: " + std::to_string(probes.size()) +
                " probes; W8A8 diverges by " + fixed(own, 6) + " nats");
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
  std::snprintf(buf, sizeof buf,
                "%s %lld/%lld: W %s A %s: %.2fx, accuracy %.2f %% (drop "
                "%.2f %%), reward %.4f; best %.2fx at %.2f %%",
                label.c_str(), (long long)index, (long long)total,
                joinBits(e.policy.wbits, ",").c_str(),
                joinBits(e.policy.abits, ",").c_str(), e.speedup,
                100 * e.accuracy, 100 * (reference - e.accuracy), e.reward,
                best ? best->speedup : 1.0,
                100 * (best ? best->accuracy : reference));
  options.log(buf);
}

bool Searcher::runEpisodes(std::string &error) {
  size_t n = layers.size();
  // Replay the history of a resumed run into the result.
  for (size_t k = 0; k < ddpgHistory.size(); ++k) {
    BitPolicy p = *BitPolicy::fromKey(ddpgHistory[k]);
    std::vector<Measurement> m;
    if (!measure({p}, m, error))
      return false;
    EvaluatedPolicy e = record("ddpg", p, m[0]);
    logLine("episode", int64_t(k) + 1, options.episodes, e, "ddpg");
  }
  while (episodesDone < options.episodes) {
    if (options.stopAfterEpisodes >= 0 &&
        episodesDone >= options.stopAfterEpisodes) {
      result.complete = false;
      return true;
    }
    int64_t count =
        std::min(options.batchEpisodes, options.episodes - episodesDone);
    std::vector<BitPolicy> policies;
    for (int64_t b = 0; b < count; ++b) {
      int64_t episode = episodesDone + b;
      bool explore = episode < warmup;
      double sigma =
          options.noiseSigma * std::pow(decay, double(episode - warmup));
      BitPolicy p;
      double prevW = 0, prevA = 0;
      for (size_t i = 0; i < n; ++i) {
        double aw, aa;
        if (explore) {
          aw = sampleUniform(rng);
          aa = sampleUniform(rng);
        } else {
          std::vector<float> mu = agent.act(stateOf(i, prevW, prevA));
          aw = sampleTruncatedNormal(mu[0], sigma, 0, 1, rng);
          aa = sampleTruncatedNormal(mu[1], sigma, 0, 1, rng);
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
      ddpgHistory.push_back(p.key());
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
      if (episodesDone + b >= warmup)
        for (size_t i = 0; i < n; ++i)
          agent.update(rng);
      agent.observeReward(e.reward);
      logLine("episode", episodesDone + b + 1, options.episodes, e, "ddpg");
    }
    episodesDone += count;
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
                " cycles, validation accuracy " + fixed(100 * reference, 2) +
                " %; W4A4 " +
                fixed(double(w8a8Latency) / refs[1].latencyCycles, 2) + "x, " +
                fixed(100 * refs[1].accuracy, 2) + " %");

  if (!runEpisodes(error))
    return false;
  if (!result.complete)
    return true;
  if (options.baselines && (!runRandom(error) || !runGreedy(error)))
    return false;

  if (!choose(error))
    return false;
  result.evaluations = int64_t(accuracyCache.size());
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
      compare ? finalMean(finalValidationCache, result.history[0].policy) : 0;
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
      f.finalValidationAccuracy = finalMean(finalValidationCache, e.policy);
      f.testAccuracy = finalMean(finalCache, e.policy);
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
        options.log(sources[s] + " candidate " + std::to_string(k + 1) + "/" +
                    std::to_string(list.size()) + ": W " +
                    joinBits(list[k]->policy.wbits, ",") + " A " +
                    joinBits(list[k]->policy.abits, ",") + ": validation " +
                    fixed(100 * list[k]->accuracy, 2) + " % fine-tuned, " +
                    fixed(100 * c.candidates[k].finalValidationAccuracy, 2) +
                    " % after the final QAT" + (k == pick ? " (chosen)" : ""));
    c.withinDrop = within[s];
    c.source = sources[s];
    c.policy = best.policy;
    c.latencyCycles = best.latencyCycles;
    c.speedup = best.speedup;
    c.validationAccuracy = best.accuracy;
    if (compare)
      c.finalValidationAccuracy = finalMean(finalValidationCache, best.policy);
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
    c.testAccuracy = finalMean(finalCache, c.policy, &c.testAccuracies);
  return saveCheckpoint(error);
}

//===----------------------------------------------------------------------===//
// Checkpoint
//===----------------------------------------------------------------------===//

const char *kMagic = "cim-tune-search-checkpoint 2";

bool Searcher::saveCheckpoint(std::string &error) const {
  if (options.checkpoint.empty())
    return true;
  std::ostringstream os;
  os << kMagic << "\n" << fingerprint() << "\n";
  os << "episodes " << episodesDone << "\n";
  os << "rng " << rng << "\n";
  auto writeCache = [&](const char *name,
                        const std::map<std::string, double> &cache) {
    os << name << " " << cache.size() << "\n";
    for (auto &[key, value] : cache)
      os << key << " " << hexDouble(value) << "\n";
  };
  writeCache("accuracy", accuracyCache);
  writeCache("final", finalCache);
  writeCache("divergence", divergenceCache);
  if (!finalValidationCache.empty()) // absent from older checkpoints
    writeCache("final-validation", finalValidationCache);
  std::map<std::string, uint64_t> latencies = latency.getCache();
  os << "latency " << latencies.size() << "\n";
  for (auto &[key, value] : latencies)
    os << key << " " << value << "\n";
  os << "history " << ddpgHistory.size() << "\n";
  for (const std::string &key : ddpgHistory)
    os << key << "\n";
  std::string bytes = agent.save();
  os << "agent " << bytes.size() << "\n";
  os.write(bytes.data(), std::streamsize(bytes.size()));

  std::string temp = options.checkpoint + ".tmp";
  {
    std::ofstream file(temp, std::ios::binary);
    std::string text = os.str();
    if (!file.write(text.data(), std::streamsize(text.size())) ||
        !file.flush()) {
      std::remove(temp.c_str());
      error = options.checkpoint + ": error: cannot write the checkpoint";
      return false;
    }
  }
  if (std::rename(temp.c_str(), options.checkpoint.c_str()) != 0) {
    std::remove(temp.c_str());
    error = options.checkpoint + ": error: cannot write the checkpoint";
    return false;
  }
  return true;
}

bool Searcher::loadCheckpoint(std::string &error) {
  std::ifstream is(options.checkpoint, std::ios::binary);
  std::string where = options.checkpoint + ": error: ";
  std::string line;
  auto bad = [&](const std::string &what) {
    error = where + what;
    return false;
  };
  if (!std::getline(is, line) || line != kMagic)
    return bad("not a search checkpoint");
  if (!std::getline(is, line) || line != fingerprint())
    return bad("the checkpoint was written by a search with other options "
               "(model, data, hardware, seed, episodes or search options); "
               "remove it or repeat those options");
  std::string word;
  size_t count = 0;
  auto header = [&](const char *name) {
    return bool(is >> word >> count) && word == name;
  };
  if (!(is >> word >> episodesDone) || word != "episodes")
    return bad("truncated checkpoint");
  if (!(is >> word >> rng) || word != "rng")
    return bad("truncated checkpoint");
  auto readCache = [&](std::map<std::string, double> &cache) {
    for (size_t i = 0; i < count; ++i) {
      std::string key, value;
      if (!(is >> key >> value))
        return false;
      cache[key] = std::strtod(value.c_str(), nullptr);
    }
    return true;
  };
  if (!header("accuracy") || !readCache(accuracyCache) || !header("final") ||
      !readCache(finalCache) || !header("divergence") ||
      !readCache(divergenceCache) || !(is >> word >> count))
    return bad("truncated checkpoint");
  if (word == "final-validation" &&
      (!readCache(finalValidationCache) || !(is >> word >> count)))
    return bad("truncated checkpoint");
  if (word != "latency")
    return bad("truncated checkpoint");
  std::map<std::string, uint64_t> latencies;
  for (size_t i = 0; i < count; ++i) {
    std::string key;
    uint64_t value;
    if (!(is >> key >> value))
      return bad("truncated checkpoint");
    latencies[key] = value;
  }
  latency.setCache(latencies);
  if (!header("history"))
    return bad("truncated checkpoint");
  for (size_t i = 0; i < count; ++i) {
    std::string key;
    if (!(is >> key) || !BitPolicy::fromKey(key))
      return bad("truncated checkpoint");
    ddpgHistory.push_back(key);
  }
  if (!header("agent") || is.get() != '\n')
    return bad("truncated checkpoint");
  std::string bytes(count, '\0');
  if (!is.read(bytes.data(), std::streamsize(count)))
    return bad("truncated checkpoint");
  std::string agentError;
  if (!agent.load(bytes, agentError))
    return bad(agentError);
  if (options.log)
    options.log("resuming after episode " + std::to_string(episodesDone) +
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

//===----------------------------------------------------------------------===//
// Outputs
//===----------------------------------------------------------------------===//

std::vector<size_t>
tune::getParetoFront(const std::vector<EvaluatedPolicy> &all) {
  std::vector<size_t> order(all.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (all[a].latencyCycles != all[b].latencyCycles)
      return all[a].latencyCycles < all[b].latencyCycles;
    return all[a].accuracy > all[b].accuracy;
  });
  std::vector<size_t> front;
  std::set<std::string> keys;
  double bestAccuracy = -1;
  for (size_t i : order)
    if (all[i].accuracy > bestAccuracy) {
      bestAccuracy = all[i].accuracy;
      if (keys.insert(all[i].policy.key()).second)
        front.push_back(i);
    }
  return front;
}

static std::string layersJson(const SearchResult &r, const BitPolicy &p,
                              const std::string &indent) {
  std::string out = "[";
  for (size_t i = 0; i < r.layers.size(); ++i) {
    out += (i ? ",\n" : "\n") + indent + "  {\"name\": \"" + r.layers[i].name +
           "\", \"wbits\": " + std::to_string(p.wbits[i]) +
           ", \"abits\": " + std::to_string(p.abits[i]) + "}";
  }
  return out + "\n" + indent + "]";
}

std::string tune::formatSummaryJson(const SearchResult &r,
                                    const SearchOptions &options,
                                    const std::string &model) {
  auto fields = [&](const ChosenPolicy &c, const std::string &indent) {
    bool final = c.testAccuracy >= 0;
    double accuracy = final ? c.testAccuracy : c.validationAccuracy;
    std::string out;
    out += indent + "\"source\": \"" + c.source + "\",\n";
    out += indent + "\"speedup_vs_w8a8\": " + fixed(c.speedup) + ",\n";
    out += indent + "\"latency_cycles\": " + std::to_string(c.latencyCycles) +
           ",\n";
    out += indent + "\"accuracy\": " + fixed(accuracy) + ",\n";
    out += indent + "\"accuracy_drop\": " +
           fixed(final ? r.floatAccuracy - accuracy
                       : r.referenceAccuracy - accuracy) +
           ",\n";
    out += indent + "\"validation_accuracy\": " + fixed(c.validationAccuracy) +
           ",\n";
    out += indent + "\"final_qat\": " + (final ? "true" : "false") + ",\n";
    if (c.testAccuracies.size() > 1) {
      // The mean above; each seed's here.
      out += indent + "\"final_accuracies\": [";
      for (size_t k = 0; k < c.testAccuracies.size(); ++k)
        out += (k ? ", " : "") + fixed(c.testAccuracies[k]);
      out += "],\n";
    }
    if (c.finalValidationAccuracy >= 0)
      out += indent + "\"final_validation_accuracy\": " +
             fixed(c.finalValidationAccuracy) + ",\n";
    out += indent +
           "\"proxy_within_drop\": " + (c.withinDrop ? "true" : "false") +
           ",\n";
    if (!c.candidates.empty()) {
      // What the policy was chosen from (by final validation accuracy);
      // their test accuracies are reported, not used.
      out += indent + "\"candidates\": [";
      for (size_t k = 0; k < c.candidates.size(); ++k) {
        const FinalCandidate &f = c.candidates[k];
        out += std::string(k ? "," : "") + "\n" + indent + "  {\"wbits\": \"" +
               joinBits(f.policy.wbits, " ") + "\", \"abits\": \"" +
               joinBits(f.policy.abits, " ") +
               "\", \"speedup_vs_w8a8\": " + fixed(f.speedup) +
               ", \"validation_accuracy\": " + fixed(f.validationAccuracy) +
               ", \"final_validation_accuracy\": " +
               fixed(f.finalValidationAccuracy) +
               ", \"accuracy\": " + fixed(f.testAccuracy) + "}";
      }
      out += "\n" + indent + "],\n";
    }
    out += indent + "\"layers\": " + layersJson(r, c.policy, indent);
    return out;
  };
  std::string constraints;
  if (options.constraints.weight)
    constraints = "weight";
  if (options.constraints.io)
    constraints += constraints.empty() ? "io" : ",io";
  std::string out = "{\n";
  out += "  \"model\": \"" + model + "\",\n";
  out += "  \"hardware\": \"" + r.hardware + "\",\n";
  if (r.placement != Placement::Packed)
    out += "  \"placement\": \"" + stringify(r.placement).str() + "\",\n";
  out += "  \"seed\": " + std::to_string(options.seed) + ",\n";
  out += "  \"episodes\": " + std::to_string(options.episodes) + ",\n";
  out += "  \"max_acc_drop\": " + fixed(options.maxAccDrop) + ",\n";
  out += "  \"constraints\": \"" +
         (constraints.empty() ? "none" : constraints) + "\",\n";
  out += "  \"float_accuracy\": " + fixed(r.floatAccuracy) + ",\n";
  out +=
      "  \"float_validation_accuracy\": " + fixed(r.floatValidationAccuracy) +
      ",\n";
  out += "  \"w8a8_latency_cycles\": " + std::to_string(r.w8a8Latency) + ",\n";
  out += "  \"reference_validation_accuracy\": " + fixed(r.referenceAccuracy) +
         ",\n";
  out += "  \"evaluations\": " + std::to_string(r.evaluations) + ",\n";
  if (options.finalQat && options.finalCandidates > 1)
    out +=
        "  \"final_candidates\": " + std::to_string(options.finalCandidates) +
        ",\n";
  out += fields(r.chosen[0], "  ") + ",\n";
  out += "  \"policies\": [";
  for (size_t i = 0; i < r.chosen.size(); ++i)
    out += (i ? ", {\n" : "{\n") + fields(r.chosen[i], "    ") + "\n  }";
  out += "]";
  if (!r.weightDivergence.empty()) {
    // Per layer and width: the divergence measured with that width alone
    // lowered from W8A8.
    auto widths = [&](const std::vector<double> &row) {
      std::string o = "{";
      for (size_t b = 0; b < row.size(); ++b)
        if (row[b] >= 0) {
          char buf[64];
          std::snprintf(buf, sizeof buf, "%.6g", row[b]);
          o += std::string(o.size() > 1 ? ", " : "") + "\"" +
               std::to_string(b) + "\": " + buf;
        }
      return o + "}";
    };
    out += ",\n  \"sensitivity_kl\": [";
    for (size_t i = 0; i < r.layers.size(); ++i)
      out += std::string(i ? ",\n" : "\n") + "    {\"name\": \"" +
             r.layers[i].name +
             "\", \"weight\": " + widths(r.weightDivergence[i]) +
             ", \"activation\": " + widths(r.activationDivergence[i]) + "}";
    out += "\n  ]";
  }
  out += "\n}\n";
  return out;
}

std::string tune::formatParetoCsv(const SearchResult &r) {
  std::vector<size_t> front = getParetoFront(r.history);
  std::set<size_t> onFront(front.begin(), front.end());
  std::string out =
      "id,source,latency_cycles,speedup,accuracy,pareto,wbits,abits\n";
  for (size_t i = 0; i < r.history.size(); ++i) {
    const EvaluatedPolicy &e = r.history[i];
    out += std::to_string(e.id) + "," + e.source + "," +
           std::to_string(e.latencyCycles) + "," + fixed(e.speedup, 4) + "," +
           fixed(e.accuracy) + "," + (onFront.count(i) ? "1" : "0") + "," +
           joinBits(e.policy.wbits, " ") + "," + joinBits(e.policy.abits, " ") +
           "\n";
  }
  return out;
}

std::string tune::formatParetoSvg(const SearchResult &r,
                                  const std::string &title) {
  const double W = 720, H = 460, L = 70, R = 170, T = 40, B = 50;
  double xmin = 1e300, xmax = -1e300, ymin = 1e300, ymax = -1e300;
  for (const EvaluatedPolicy &e : r.history) {
    xmin = std::min(xmin, e.speedup);
    xmax = std::max(xmax, e.speedup);
    ymin = std::min(ymin, 100 * e.accuracy);
    ymax = std::max(ymax, 100 * e.accuracy);
  }
  if (r.history.empty())
    xmin = ymin = 0, xmax = ymax = 1;
  double xpad = std::max(0.05, (xmax - xmin) * 0.05);
  double ypad = std::max(0.05, (ymax - ymin) * 0.05);
  xmin -= xpad, xmax += xpad, ymin -= ypad, ymax += ypad;
  auto px = [&](double x) {
    return L + (x - xmin) / (xmax - xmin) * (W - L - R);
  };
  auto py = [&](double y) {
    return H - B - (y - ymin) / (ymax - ymin) * (H - T - B);
  };
  const std::map<std::string, std::string> colors = {{"ddpg", "#1f77b4"},
                                                     {"random", "#ff7f0e"},
                                                     {"greedy", "#2ca02c"},
                                                     {"w8a8", "#d62728"},
                                                     {"w4a4", "#9467bd"}};
  std::ostringstream os;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W
     << "\" height=\"" << H
     << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  os << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  os << "<text x=\"" << L << "\" y=\"22\" font-size=\"14\">" << title
     << "</text>\n";
  os << "<rect x=\"" << L << "\" y=\"" << T << "\" width=\"" << W - L - R
     << "\" height=\"" << H - T - B << "\" fill=\"none\" stroke=\"#444\"/>\n";
  for (int k = 0; k <= 4; ++k) {
    double x = xmin + (xmax - xmin) * k / 4, y = ymin + (ymax - ymin) * k / 4;
    os << "<text x=\"" << px(x) << "\" y=\"" << H - B + 16
       << "\" text-anchor=\"middle\">" << fixed(x, 2) << "x</text>\n";
    os << "<text x=\"" << L - 6 << "\" y=\"" << py(y) + 4
       << "\" text-anchor=\"end\">" << fixed(y, 2) << "</text>\n";
  }
  os << "<text x=\"" << (L + W - R) / 2 << "\" y=\"" << H - 12
     << "\" text-anchor=\"middle\">speedup over W8A8 (compiler "
        "latency)</text>\n";
  os << "<text transform=\"translate(16," << (T + H - B) / 2
     << ") rotate(-90)\" text-anchor=\"middle\">validation accuracy "
        "(%)</text>\n";
  std::vector<size_t> front = getParetoFront(r.history);
  os << "<polyline fill=\"none\" stroke=\"#333\" stroke-dasharray=\"4 3\" "
        "points=\"";
  for (size_t i : front)
    os << px(r.history[i].speedup) << "," << py(100 * r.history[i].accuracy)
       << " ";
  os << "\"/>\n";
  std::set<size_t> onFront(front.begin(), front.end());
  for (size_t i = 0; i < r.history.size(); ++i) {
    const EvaluatedPolicy &e = r.history[i];
    auto color = colors.count(e.source) ? colors.at(e.source) : "#777";
    os << "<circle cx=\"" << px(e.speedup) << "\" cy=\"" << py(100 * e.accuracy)
       << "\" r=\"" << (onFront.count(i) ? 5 : 3) << "\" fill=\"" << color
       << "\""
       << (onFront.count(i) ? " stroke=\"black\"" : " fill-opacity=\"0.6\"")
       << "><title>#" << e.id << " " << e.source << " W "
       << joinBits(e.policy.wbits, ",") << " A "
       << joinBits(e.policy.abits, ",") << ": " << fixed(e.speedup, 2) << "x, "
       << fixed(100 * e.accuracy, 2) << " %</title></circle>\n";
  }
  double ly = T + 10;
  for (const char *source : {"ddpg", "random", "greedy", "w8a8", "w4a4"}) {
    os << "<circle cx=\"" << W - R + 20 << "\" cy=\"" << ly
       << "\" r=\"5\" fill=\"" << colors.at(source) << "\"/><text x=\""
       << W - R + 32 << "\" y=\"" << ly + 4 << "\">" << source << "</text>\n";
    ly += 20;
  }
  os << "<line x1=\"" << W - R + 12 << "\" y1=\"" << ly << "\" x2=\""
     << W - R + 28 << "\" y2=\"" << ly
     << "\" stroke=\"#333\" stroke-dasharray=\"4 3\"/><text x=\"" << W - R + 32
     << "\" y=\"" << ly + 4 << "\">Pareto front</text>\n";
  os << "</svg>\n";
  return os.str();
}
