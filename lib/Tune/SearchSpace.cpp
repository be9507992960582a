//===- SearchSpace.cpp - Policies, actions and constraints of the search --===//
//
// Plain C++ (no torch, no MLIR): the layers' features from the graph,
// bit-width policies and their files, the action-to-width mapping, the
// constraints, the seeded samplers, and the weight and latency adjustments.
//
//===----------------------------------------------------------------------===//

#include "cim/Tune/SearchSpace.h"

#include "cim/Tune/Graph.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <sstream>

using namespace mlir::cim;
using namespace mlir::cim::tune;

void tune::describeLayers(const Graph &graph,
                          std::vector<SearchLayer> &layers) {
  std::vector<const Node *> nodes = graph.getLayers();
  for (size_t i = 0; i < layers.size() && i < nodes.size(); ++i) {
    const Node &node = *nodes[i];
    SearchLayer &layer = layers[i];
    const std::vector<int64_t> &w = graph.shapes[size_t(node.inputs[1])];
    const std::vector<int64_t> &in = graph.shapes[size_t(node.inputs[0])];
    layer.weights = 1;
    for (int64_t d : w)
      layer.weights *= d;
    int64_t group = node.getInt("group", 1);
    if (node.op == "conv2d" && w.size() == 4) {
      layer.kind = group > 1 && group == w[0] ? "depthwise" : "conv";
      layer.outChannels = w[0];
      layer.inChannels = w[1] * group;
      layer.kernel = w[2] * w[3];
      const std::vector<int64_t> &strides = node.getInts("strides");
      layer.stride = strides.empty() ? 1 : strides[0];
      layer.inputSize = in.size() == 4 ? in[2] * in[3] : 1;
    } else if (!graph.hasConstantWeight(node)) {
      // A product of two activations (attention scores, attention x V):
      // [..., M, K] x [..., K, N], the second operand written at every
      // inference.
      layer.kind = "product";
      layer.inChannels = w.size() >= 2 ? w[w.size() - 2] : 1;
      layer.outChannels = w.empty() ? 1 : w.back();
      layer.kernel = 1;
      layer.stride = 1;
      layer.inputSize = in.size() >= 2 ? in[in.size() - 2] : 1;
    } else {
      // Gemm / MatMul: the crossbar matrix is the weight.
      layer.kind = "dense";
      layer.inChannels = layer.rows;
      layer.outChannels = layer.cols;
      layer.kernel = 1;
      layer.stride = 1;
      layer.inputSize = 1;
    }
  }
}

BitPolicy BitPolicy::uniform(size_t layers, unsigned w, unsigned a) {
  BitPolicy p;
  p.wbits.assign(layers, w);
  p.abits.assign(layers, a);
  return p;
}

std::string BitPolicy::key() const {
  std::string key;
  for (size_t i = 0; i < wbits.size(); ++i)
    key += (i ? "," : "") + std::to_string(wbits[i]) + "/" +
           std::to_string(abits[i]);
  return key;
}

std::optional<BitPolicy> BitPolicy::fromKey(const std::string &key) {
  BitPolicy p;
  std::stringstream ss(key);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t slash = item.find('/');
    if (slash == std::string::npos)
      return std::nullopt;
    char *end = nullptr;
    unsigned long w = std::strtoul(item.c_str(), &end, 10);
    if (end != item.c_str() + slash)
      return std::nullopt;
    unsigned long a = std::strtoul(item.c_str() + slash + 1, &end, 10);
    if (*end || w < 1 || w > 16 || a < 1 || a > 16)
      return std::nullopt;
    p.wbits.push_back(unsigned(w));
    p.abits.push_back(unsigned(a));
  }
  if (p.wbits.empty())
    return std::nullopt;
  return p;
}

std::string tune::formatPolicyJson(const std::vector<std::string> &names,
                                   const std::vector<unsigned> &wbits,
                                   const std::vector<unsigned> &abits) {
  std::map<std::string, int> uses;
  for (const std::string &name : names)
    ++uses[name];
  std::string out = "{\"layers\": [";
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string &name = names[i];
    out += i ? ",\n  " : "\n  ";
    out += !name.empty() && uses[name] == 1
               ? "{\"name\": " +
                     llvm::formatv("{0}", llvm::json::Value(name)).str()
               : "{\"index\": " + std::to_string(i);
    out += ", \"wbits\": " + std::to_string(wbits[i]) +
           ", \"abits\": " + std::to_string(abits[i]) + "}";
  }
  return out + "\n]}\n";
}

std::string tune::formatPolicyJson(const std::vector<SearchLayer> &layers,
                                   const BitPolicy &policy) {
  std::vector<std::string> names;
  for (const SearchLayer &layer : layers)
    names.push_back(layer.name);
  return formatPolicyJson(names, policy.wbits, policy.abits);
}

std::string tune::formatPolicyJson(const Graph &graph) {
  std::vector<std::string> names;
  std::vector<unsigned> wbits, abits;
  for (const Node *layer : graph.getLayers()) {
    if (!layer->quant)
      continue;
    names.push_back(layer->name);
    wbits.push_back(layer->quant->wbits);
    abits.push_back(layer->quant->abits);
  }
  return formatPolicyJson(names, wbits, abits);
}

bool tune::parseConstraints(const std::string &text, Constraints &out,
                            std::string &error) {
  out = Constraints();
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item == "weight")
      out.weight = true;
    else if (item == "io")
      out.io = true;
    else if (item != "none" && !item.empty()) {
      error = "unknown constraint '" + item + "' (expected weight, io or none)";
      return false;
    }
  }
  return true;
}

ActionSpace::ActionSpace(size_t layers, unsigned minBits, unsigned maxBits,
                         unsigned cellBits, const Constraints &constraints)
    : cellBits(std::max(1u, cellBits)) {
  std::vector<unsigned> all, cellMultiples;
  for (unsigned b = minBits; b <= maxBits; ++b) {
    all.push_back(b);
    if (cellBits <= 1 || b % cellBits == 0)
      cellMultiples.push_back(b);
  }
  // Without a multiple of the cell bits in range, the largest width is the
  // only one that wastes nothing relative to the others.
  if (cellMultiples.empty())
    cellMultiples.push_back(maxBits);
  for (size_t i = 0; i < layers; ++i) {
    bool io = constraints.io && (i == 0 || i + 1 == layers);
    weightChoices.push_back(io                   ? std::vector<unsigned>{8}
                            : constraints.weight ? cellMultiples
                                                 : all);
    activationChoices.push_back(io ? std::vector<unsigned>{8} : all);
  }
}

const std::vector<unsigned> &ActionSpace::getWeightChoices(size_t i) const {
  return weightChoices[i];
}
const std::vector<unsigned> &ActionSpace::getActivationChoices(size_t i) const {
  return activationChoices[i];
}

static unsigned mapAction(const std::vector<unsigned> &choices, double a) {
  double clamped = std::min(1.0, std::max(0.0, a));
  size_t n = choices.size();
  size_t index = std::min(n - 1, size_t(clamped * double(n)));
  return choices[index];
}

static double actionOf(const std::vector<unsigned> &choices, unsigned bits) {
  auto it = std::lower_bound(choices.begin(), choices.end(), bits);
  size_t index = std::min<size_t>(it - choices.begin(), choices.size() - 1);
  return (double(index) + 0.5) / double(choices.size());
}

static std::optional<unsigned> lower(const std::vector<unsigned> &choices,
                                     unsigned bits) {
  auto it = std::lower_bound(choices.begin(), choices.end(), bits);
  if (it == choices.begin())
    return std::nullopt;
  return *std::prev(it);
}

unsigned ActionSpace::mapWeight(size_t i, double a) const {
  return mapAction(weightChoices[i], a);
}
unsigned ActionSpace::mapActivation(size_t i, double a) const {
  return mapAction(activationChoices[i], a);
}
double ActionSpace::weightAction(size_t i, unsigned bits) const {
  return actionOf(weightChoices[i], bits);
}
double ActionSpace::activationAction(size_t i, unsigned bits) const {
  return actionOf(activationChoices[i], bits);
}
std::optional<unsigned> ActionSpace::lowerWeight(size_t i,
                                                 unsigned bits) const {
  return lower(weightChoices[i], bits);
}
std::optional<unsigned> ActionSpace::lowerActivation(size_t i,
                                                     unsigned bits) const {
  return lower(activationChoices[i], bits);
}

bool tune::fitWeights(
    const ActionSpace &space,
    const std::function<bool(const std::vector<unsigned> &)> &fits,
    const std::function<int64_t(size_t, unsigned)> &crossbars,
    std::vector<unsigned> &wbits) {
  while (!fits(wbits)) {
    int best = -1;
    int64_t most = -1;
    for (size_t i = 0; i < wbits.size(); ++i) {
      if (!space.lowerWeight(i, wbits[i]))
        continue;
      int64_t n = crossbars(i, wbits[i]);
      if (n > most) {
        most = n;
        best = int(i);
      }
    }
    if (best < 0)
      return false;
    wbits[size_t(best)] = *space.lowerWeight(size_t(best), wbits[size_t(best)]);
  }
  return true;
}

bool tune::fitLatency(
    const ActionSpace &space,
    const std::function<uint64_t(const BitPolicy &)> &cycles,
    const std::function<bool(const std::vector<unsigned> &)> &fits,
    uint64_t budget, BitPolicy &policy, const NoiseFn &noise,
    const std::function<void(const std::vector<BitPolicy> &)> &prefetch,
    size_t prefetchWidth) {
  // Without measured noise, a width's rounding step, 2^-bits: a step
  // b -> b-1 adds 2^-b, the same in every layer.
  auto noiseOf = [&](size_t layer, bool weight, unsigned bits) {
    return noise ? noise(layer, weight, bits) : std::ldexp(1.0, -int(bits));
  };
  // One allowed width lower, per kind (activations first) and layer.
  struct Step {
    BitPolicy policy;
    int kind; // 1: activations, 0: weights
    size_t layer;
    unsigned from;
    double last; // the score in an earlier round (+inf: none yet)
  };
  // What a step does from `now`: the policy it reaches (over a plateau),
  // its cycles, and the cycles saved per noise added.
  struct Scored {
    BitPolicy reach;
    uint64_t oneLower = 0, reachCycles = 0;
    double added = 0, score = 0;
  };
  // The scores of earlier rounds, by (kind, layer); a step's own layer
  // drops its entries when it is lowered.
  std::map<std::pair<int, size_t>, double> lastScores;
  const double unknown = std::numeric_limits<double>::infinity();
  uint64_t now = cycles(policy);
  while (now > budget) {
    std::vector<Step> steps;
    for (int kind = 1; kind >= 0; --kind)
      for (size_t i = 0; i < policy.wbits.size(); ++i) {
        BitPolicy p = policy;
        std::vector<unsigned> &bits = kind ? p.abits : p.wbits;
        unsigned from = bits[i];
        std::optional<unsigned> lower =
            kind ? space.lowerActivation(i, from) : space.lowerWeight(i, from);
        if (!lower)
          continue;
        bits[i] = *lower;
        if (!kind && !fits(p.wbits))
          continue;
        auto last = lastScores.find({kind, i});
        steps.push_back({std::move(p), kind, i, from,
                         last == lastScores.end() ? unknown : last->second});
      }
    // Lazy re-scoring (Minoux's accelerated greedy): lowering one layer
    // changes the cycles the others save little, so the steps are scored
    // again in the order of their last scores, and the round ends once the
    // best new score is above every remaining last score. Steps never
    // scored come first (all of them in the first round). On equal scores,
    // activations first, then the earliest layer, as when every step is
    // scored.
    std::vector<size_t> order(steps.size());
    for (size_t s = 0; s < steps.size(); ++s)
      order[s] = s;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return steps[a].last > steps[b].last;
    });
    auto evaluate = [&](const Step &step) -> std::optional<Scored> {
      Scored out;
      int kind = step.kind;
      size_t i = step.layer;
      auto lowerOf = [&](unsigned b) {
        return kind ? space.lowerActivation(i, b) : space.lowerWeight(i, b);
      };
      out.oneLower = cycles(step.policy);
      if (out.oneLower == 0)
        return std::nullopt;
      // The noise added; a step measured as free counts as a tiny one,
      // so that the cycles saved still rank it.
      auto addedBy = [&](unsigned to) {
        return std::max(1e-12,
                        noiseOf(i, !kind, to) - noiseOf(i, !kind, step.from));
      };
      unsigned lower = (kind ? step.policy.abits : step.policy.wbits)[i];
      out.added = addedBy(lower);
      // Over a plateau: the first lower width within a cell's bits that
      // saves cycles, scored with all the noise down to it.
      out.reach = step.policy;
      out.reachCycles = out.oneLower;
      unsigned reachBits = lower;
      for (unsigned k = 1; out.reachCycles == now && k < space.getCellBits();
           ++k) {
        std::optional<unsigned> next = lowerOf(reachBits);
        if (!next)
          break;
        reachBits = *next;
        (kind ? out.reach.abits : out.reach.wbits)[i] = reachBits;
        out.reachCycles = cycles(out.reach);
        if (out.reachCycles == 0)
          return std::nullopt;
      }
      out.score = (double(now) - double(out.reachCycles)) / addedBy(reachBits);
      return out;
    };
    // Never-scored steps are all needed: compile them together.
    if (prefetch) {
      std::vector<BitPolicy> fresh;
      for (size_t s : order)
        if (steps[s].last == unknown)
          fresh.push_back(steps[s].policy);
      if (!fresh.empty())
        prefetch(fresh);
    }
    std::optional<Scored> best;
    const Step *bestStep = nullptr;
    std::vector<std::optional<Scored>> scored(steps.size());
    for (size_t done = 0; done < order.size(); ++done) {
      if (best && best->score > steps[order[done]].last)
        break;
      if (prefetch && prefetchWidth > 1 && steps[order[done]].last != unknown) {
        std::vector<BitPolicy> next;
        for (size_t k = done; k < order.size() && next.size() < prefetchWidth;
             ++k)
          next.push_back(steps[order[k]].policy);
        prefetch(next);
      }
      const Step &step = steps[order[done]];
      std::optional<Scored> s = evaluate(step);
      if (!s)
        return false;
      lastScores[{step.kind, step.layer}] = s->score;
      if (s->reachCycles < now && s->score > 0 &&
          (!best || s->score > best->score ||
           (s->score == best->score && &step < bestStep))) {
        best = s;
        bestStep = &step;
      }
      scored[order[done]] = std::move(s);
    }
    const Step *taken = bestStep;
    if (best) {
      policy = best->reach;
      now = best->reachCycles;
    } else {
      // No step lowers the latency (every step was scored). One that saves
      // nothing alone can open one that does (8 -> 7 weight bits keep four
      // 2-bit slices, 7 -> 6 drops one): the one adding the least noise,
      // then the widest, a weight on a tie (their latency moves in whole
      // cell slices).
      double flatAdded = 0;
      for (size_t s = 0; s < steps.size(); ++s) {
        const Step &step = steps[s];
        if (scored[s]->oneLower != now)
          continue;
        double added = scored[s]->added;
        if (!taken || added < flatAdded ||
            (added == flatAdded && (step.from > taken->from ||
                                    (step.from == taken->from &&
                                     step.kind == 0 && taken->kind != 0)))) {
          taken = &step;
          flatAdded = added;
        }
      }
      if (!taken)
        return false;
      policy = taken->policy;
    }
    // The lowered layer's steps start from new widths: score them again.
    lastScores.erase({0, taken->layer});
    lastScores.erase({1, taken->layer});
  }
  return true;
}

NoiseFn tune::withPreferredWidths(NoiseFn noise, BitPolicy preferred) {
  return [noise = std::move(noise), preferred = std::move(preferred)](
             size_t layer, bool weight, unsigned bits) {
    unsigned want = (weight ? preferred.wbits : preferred.abits)[layer];
    int below = bits < want ? int(want - bits) : 0;
    return std::ldexp(noise(layer, weight, bits), 2 * below);
  };
}

double tune::sampleUniform(std::mt19937_64 &rng) {
  // 53 random bits: [0, 1).
  return double(rng() >> 11) * (1.0 / 9007199254740992.0);
}

double tune::sampleTruncatedNormal(double mean, double sigma, double lo,
                                   double hi, std::mt19937_64 &rng) {
  if (sigma <= 0)
    return std::min(hi, std::max(lo, mean));
  for (int attempt = 0; attempt < 1000; ++attempt) {
    // Box-Muller; one of the pair is used.
    double u1 = 1.0 - sampleUniform(rng); // (0, 1]
    double u2 = sampleUniform(rng);
    double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * M_PI * u2);
    double x = mean + sigma * z;
    if (x >= lo && x <= hi)
      return x;
  }
  return std::min(hi, std::max(lo, mean));
}
