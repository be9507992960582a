//===- SearchSpace.h - What the bit-width search chooses from ---*- C++ -*-===//
//
// Library CIMTune, `cim-tune search` (docs/search.md). Plain C++: the layers
// as the search sees them, bit-width policies and their files, the mapping
// from actions to widths, the constraints, the seeded samplers, and the
// resource and latency adjustments every searched policy goes through.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TUNE_SEARCHSPACE_H
#define CIM_TUNE_SEARCHSPACE_H

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace tune {

struct Graph;

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

/// The policy file cim-assign-bitwidths reads (cimc --bits): one entry per
/// layer (by name when the name is unique, else by index) with its widths.
/// Same widths, same bytes.
std::string formatPolicyJson(const std::vector<std::string> &names,
                             const std::vector<unsigned> &wbits,
                             const std::vector<unsigned> &abits);
std::string formatPolicyJson(const std::vector<SearchLayer> &layers,
                             const BitPolicy &policy);
/// The widths of every quantized layer of `graph`.
std::string formatPolicyJson(const Graph &graph);

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

/// The HAQ resource-constrained adjustment: while the weights do not fit,
/// lower the weight of the layer with the most crossbars (the earliest on a
/// tie) that can still go lower by one allowed width. False when even the
/// lowest widths do not fit.
bool fitWeights(const ActionSpace &space,
                const std::function<bool(const std::vector<unsigned> &)> &fits,
                const std::function<int64_t(size_t, unsigned)> &crossbars,
                std::vector<unsigned> &wbits);

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

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_TUNE_SEARCHSPACE_H
