//===- Agreement.h - cim-tune against another predictor ---------*- C++ -*-===//
//
// How often another executor (the compiler's reference, a compiled program
// on the simulator) predicts the same class as cim-tune's network, image by
// image.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TOOLS_CIM_TUNE_AGREEMENT_H
#define CIM_TOOLS_CIM_TUNE_AGREEMENT_H

#include "cim/Tune/Dataset.h"
#include "cim/Tune/Graph.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace tune {

/// Computes the first output (logits, probabilities or a score) for one
/// sample: one vector per model input (an image normalized as C x H x W);
/// false with a one-line `error` on failure.
using PredictFn =
    std::function<bool(const std::vector<std::vector<float>> &,
                       std::vector<float> &output, std::string &error)>;

struct AgreementResult {
  int64_t count = 0, agreeing = 0, correct = 0;
  double getAgreement() const { return count ? double(agreeing) / count : 0; }
  double getAccuracy() const { return count ? double(correct) / count : 0; }
};

/// Runs `predict` on the first predictions.size() samples of `data` and
/// counts the decisions (tune::decide at `threshold`: the
/// argmax, or a single score's side of the threshold) equal to
/// `predictions` (agreement) and to the label (accuracy, when there are
/// labels).
bool computeAgreement(const Dataset &data, const Transform &transform,
                      const std::vector<int64_t> &predictions,
                      const PredictFn &predict, double threshold,
                      AgreementResult &result, std::string &error);

/// The activation quantization of one layer of a compiled program.
struct ProgramLayer {
  std::string name;
  unsigned wbits = 0, abits = 0;
  quant::Scheme ascheme = quant::Scheme::Symmetric;
  /// Absent: compiled without calibration (the range of each input).
  std::optional<float> ascale;
  int32_t azp = 0;
};

/// A predictor that runs the compiled program `path` on the simulator
/// library (SimProgramPredictor.cpp); `layers` receives the quantization of
/// its layers in graph order.
bool makeProgramPredictor(const std::string &path, PredictFn &predict,
                          std::vector<ProgramLayer> &layers,
                          std::string &error);

/// One line saying how the layers of a compiled program are quantized
/// otherwise than `graph` (widths, activation scheme, scale or zero point),
/// with how to compile `graph`'s quantization; empty when they agree.
std::string describeProgramDifference(const Graph &graph,
                                      const std::vector<ProgramLayer> &layers,
                                      const std::string &program);

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_TOOLS_CIM_TUNE_AGREEMENT_H
