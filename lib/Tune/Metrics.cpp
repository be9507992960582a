//===- Metrics.cpp - Task-agnostic comparisons of network outputs ---------===//

#include "cim/Tune/Metrics.h"

#include "cim/Tune/Dataset.h"
#include "cim/Tune/Graph.h"
#include "cim/Tune/Network.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>

using namespace mlir::cim;
using namespace mlir::cim::tune;

int64_t tune::decide(const float *row, size_t width, double threshold) {
  if (width == 1)
    return row[0] >= threshold ? 1 : 0;
  return width ? int64_t(std::max_element(row, row + width) - row) : 0;
}

void OutputComparison::add(const std::vector<float> &outputs,
                           const std::vector<float> &reference,
                           int64_t samples) {
  if (samples <= 0 || outputs.size() != reference.size())
    return;
  width = outputs.size() / size_t(samples);
  for (int64_t i = 0; i < samples; ++i) {
    const float *a = outputs.data() + size_t(i) * width;
    const float *b = reference.data() + size_t(i) * width;
    agreeing += decide(a, width, threshold) == decide(b, width, threshold);
    for (size_t k = 0; k < width; ++k) {
      dot += double(a[k]) * b[k];
      norm += double(a[k]) * a[k];
      referenceNorm += double(b[k]) * b[k];
      noise += (double(a[k]) - b[k]) * (double(a[k]) - b[k]);
    }
  }
  count += samples;
}

double OutputComparison::getAgreement() const {
  return count ? double(agreeing) / double(count) : 0;
}

double OutputComparison::getCosine() const {
  if (noise == 0 && count)
    return 1;
  return norm > 0 && referenceNorm > 0 ? dot / std::sqrt(norm * referenceNorm)
                                       : 0;
}

double OutputComparison::getSqnrDb() const {
  return noise > 0 ? 10 * std::log10(referenceNorm / noise) : INFINITY;
}

const char *tune::stringify(Metric metric) {
  switch (metric) {
  case Metric::Accuracy:
    return "accuracy";
  case Metric::Agreement:
    return "agreement";
  case Metric::Cosine:
    return "cosine";
  }
  return "accuracy";
}

double tune::getScore(const OutputComparison &comparison, Metric metric) {
  if (metric == Metric::Cosine)
    return std::max(0.0, comparison.getCosine());
  return comparison.getAgreement();
}

double tune::getDecisionThreshold(const Graph &graph, size_t output) {
  if (output >= graph.outputs.size())
    return 0;
  for (const Node &node : graph.nodes)
    if (node.output() == graph.outputs[output])
      return node.op == "sigmoid" || node.op == "hard_sigmoid" ? 0.5 : 0;
  return 0;
}

std::vector<OutputComparison> tune::compareWithFloat(Network &net,
                                                     const Dataset &data,
                                                     const Transform &transform,
                                                     int64_t batchSize) {
  std::vector<OutputComparison> comparisons;
  Graph graph = net.getGraph();
  for (size_t k = 0; k < graph.outputs.size(); ++k)
    comparisons.emplace_back(getDecisionThreshold(graph, k));
  BatchIterator it(data, transform, net.getRunBatch(batchSize), false, false, 0,
                   0);
  Batch batch;
  while (it.next(batch)) {
    int64_t n = batch.size;
    net.setQuantized(true);
    std::vector<std::vector<float>> q = net.forwardOutputs(batch);
    net.setQuantized(false);
    std::vector<std::vector<float>> f = net.forwardOutputs(batch);
    for (size_t k = 0; k < q.size() && k < comparisons.size(); ++k)
      comparisons[k].add(q[k], f[k], n);
  }
  net.setQuantized(true);
  return comparisons;
}

std::vector<OutputComparison>
tune::compareWithTargets(Network &net, const Dataset &data,
                         const Transform &transform, int64_t batchSize) {
  std::vector<OutputComparison> comparisons;
  BatchIterator it(data, transform, net.getRunBatch(batchSize), false, false, 0,
                   0);
  it.readTargets();
  Graph graph = net.getGraph();
  for (size_t k = 0; k < graph.outputs.size() && data.hasTargets(); ++k)
    comparisons.emplace_back(getDecisionThreshold(graph, k));
  Batch batch;
  while (it.next(batch)) {
    std::vector<std::vector<float>> y = net.forwardOutputs(batch);
    comparisons.resize(batch.targets.size());
    for (size_t k = 0; k < batch.targets.size() && k < y.size(); ++k)
      comparisons[k].add(y[k], batch.targets[k], batch.size);
  }
  return comparisons;
}

std::string
tune::formatComparisons(const std::vector<OutputComparison> &comparisons,
                        const char *against) {
  std::string text;
  llvm::raw_string_ostream os(text);
  for (size_t k = 0; k < comparisons.size(); ++k) {
    const OutputComparison &c = comparisons[k];
    os << "against " << against;
    if (comparisons.size() > 1)
      os << " (output " << k << ")";
    if (c.isBinary())
      os << llvm::format(": decision agreement %.2f %% (>= %g)",
                         100 * c.getAgreement(), c.getDecisionThreshold());
    else
      os << llvm::format(": top-1 agreement %.2f %%", 100 * c.getAgreement());
    os << llvm::format(", output cosine %.6f, SQNR %.2f dB\n", c.getCosine(),
                       c.getSqnrDb());
  }
  return text;
}
