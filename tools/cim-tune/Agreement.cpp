//===- Agreement.cpp - cim-tune against another predictor -----------------===//

#include "Agreement.h"

#include <algorithm>

using namespace mlir::cim;
using namespace mlir::cim::tune;

bool tune::computeAgreement(const Dataset &data, const Transform &transform,
                            const std::vector<int64_t> &predictions,
                            const PredictFn &predict, AgreementResult &result,
                            std::string &error) {
  result = AgreementResult();
  if (data.getNumInputs() != 1) {
    error = "cim-tune: error: the agreement with another executor is "
            "measured for models of one input";
    return false;
  }
  std::vector<std::vector<float>> inputs;
  std::vector<float> output;
  int64_t n = std::min<int64_t>(int64_t(predictions.size()), data.count);
  for (int64_t i = 0; i < n; ++i) {
    getSample(data, i, transform, inputs);
    if (!predict(inputs.front(), output, error))
      return false;
    if (output.empty()) {
      error = "cim-tune: error: the predictor returned no output";
      return false;
    }
    int64_t best =
        std::max_element(output.begin(), output.end()) - output.begin();
    ++result.count;
    result.agreeing += best == predictions[size_t(i)];
    if (data.hasLabels())
      result.correct += best == data.labels[size_t(i)];
  }
  return true;
}
