//===- Metrics.h - Task-agnostic comparisons of network outputs -*- C++ -*-===//
//
// Library CIMTune. How far a quantized network's outputs are from a
// reference's (the float model's), without labels: the top-1 agreement of
// each sample's output, the cosine of all outputs and the SQNR. Used by
// `cim-tune eval`, `qat`, `ptq` and as the search's accuracy term
// (`search --metric`). Plain C++.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TUNE_METRICS_H
#define CIM_TUNE_METRICS_H

#include <cstdint>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace tune {

/// The decision one output row makes: the index of its largest value, or,
/// for a single value (a binary classifier's score), 1 when it is at least
/// `threshold` (getDecisionThreshold) and 0 otherwise.
int64_t decide(const float *row, size_t width, double threshold);

/// Accumulates the comparison of outputs with reference outputs, sample by
/// sample (one row of `width` values each).
class OutputComparison {
public:
  /// `decisionThreshold`: a sample whose row is a single value (a binary
  /// classifier's score) agrees when both values lie on the same side of it
  /// (value >= threshold: 0.5 for a sigmoid's probability, 0 for a logit;
  /// getDecisionThreshold).
  explicit OutputComparison(double decisionThreshold = 0)
      : threshold(decisionThreshold) {}

  /// Adds `count` samples: `outputs` and `reference` hold count rows each.
  void add(const std::vector<float> &outputs,
           const std::vector<float> &reference, int64_t count);

  int64_t getCount() const { return count; }
  /// The fraction of samples whose largest output is the reference's (one
  /// value per sample: whose decision is the reference's).
  double getAgreement() const;
  /// Whether the rows were single values compared by their decisions.
  bool isBinary() const { return width == 1; }
  double getDecisionThreshold() const { return threshold; }
  /// The cosine of all outputs with all reference outputs (1 when equal).
  double getCosine() const;
  /// 10 log10(sum ref^2 / sum (out - ref)^2): infinite when equal.
  double getSqnrDb() const;

private:
  double threshold;
  size_t width = 0;
  int64_t count = 0, agreeing = 0;
  double dot = 0, norm = 0, referenceNorm = 0, noise = 0;
};

class Network;
struct Dataset;
struct Graph;
struct Transform;

/// The decision threshold of graph output `output` when it is one value per
/// sample: 0.5 when a Sigmoid or HardSigmoid produces it (a probability),
/// else 0 (a logit).
double getDecisionThreshold(const Graph &graph, size_t output);

/// The outputs of `net` quantized against the same network in float (its
/// graph without fake quantization) on `data`: one comparison per output of
/// the graph. Leaves the network quantized.
std::vector<OutputComparison> compareWithFloat(Network &net,
                                               const Dataset &data,
                                               const Transform &transform,
                                               int64_t batchSize);

/// The outputs of `net` (as it is set, float or quantized) against the
/// expected outputs of `data`'s samples (a data folder's output_N files):
/// one comparison per output with targets.
std::vector<OutputComparison> compareWithTargets(Network &net,
                                                 const Dataset &data,
                                                 const Transform &transform,
                                                 int64_t batchSize);

/// One line per comparison: "against AGAINST[ (output K)]: top-1 agreement
/// A %, output cosine C, SQNR S dB" ("decision agreement A % (>= T)" for
/// single-value outputs).
std::string formatComparisons(const std::vector<OutputComparison> &comparisons,
                              const char *against = "the float model");

/// What the search measures a policy by, and what `--max-drop` bounds.
enum class Metric {
  /// Top-1 accuracy against the labels.
  Accuracy,
  /// Top-1 agreement with the float model's first output (for one value
  /// per sample, the agreement of the decisions).
  Agreement,
  /// Cosine of the first output with the float model's.
  Cosine,
};
/// "accuracy", "agreement", "cosine".
const char *stringify(Metric metric);

/// The score of a comparison by `metric` (Agreement or Cosine), in [0, 1]
/// (a negative cosine counts as 0): the float model scores 1.
double getScore(const OutputComparison &comparison, Metric metric);

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_TUNE_METRICS_H
