//===- Agreement.cpp - cim-tune against another predictor -----------------===//

#include "Agreement.h"

#include "cim/Tune/Metrics.h"

#include <algorithm>
#include <cstdio>

using namespace mlir::cim;
using namespace mlir::cim::tune;

bool tune::computeAgreement(const Dataset &data, const Transform &transform,
                            const std::vector<int64_t> &predictions,
                            const PredictFn &predict, double threshold,
                            AgreementResult &result, std::string &error) {
  result = AgreementResult();
  std::vector<std::vector<float>> inputs;
  std::vector<float> output;
  int64_t n = std::min<int64_t>(int64_t(predictions.size()), data.count);
  for (int64_t i = 0; i < n; ++i) {
    getSample(data, i, transform, inputs);
    if (!predict(inputs, output, error))
      return false;
    if (output.empty()) {
      error = "cim-tune: error: the predictor returned no output";
      return false;
    }
    int64_t best = decide(output.data(), output.size(), threshold);
    ++result.count;
    result.agreeing += best == predictions[size_t(i)];
    if (data.hasLabels())
      result.correct += best == data.labels[size_t(i)];
  }
  return true;
}

/// "W4A8".
static std::string widths(unsigned wbits, unsigned abits) {
  return "W" + std::to_string(wbits) + "A" + std::to_string(abits);
}

/// "0.0666666701 (zero point 3)", or "none".
static std::string scaleText(std::optional<float> scale, int32_t zeroPoint) {
  if (!scale)
    return "none";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g (zero point %d)", double(*scale),
                int(zeroPoint));
  return buf;
}

std::string
tune::describeProgramDifference(const Graph &graph,
                                const std::vector<ProgramLayer> &layers,
                                const std::string &program) {
  std::vector<const Node *> own;
  for (const Node *layer : graph.getLayers())
    if (layer->quant)
      own.push_back(layer);
  // cimc quantizes by default (W8A8); eval only with widths or a QDQ model.
  if (own.empty() && !layers.empty())
    return program + " is quantized (" + std::to_string(layers.size()) +
           " layers, the first " + widths(layers[0].wbits, layers[0].abits) +
           ") and this network is float: give eval the --wbits/--abits or "
           "--bits the program was compiled with";
  if (own.size() != layers.size())
    return program + " has " + std::to_string(layers.size()) +
           " quantized layers, this network " + std::to_string(own.size());
  size_t differing = 0, uncalibrated = 0;
  std::string first;
  for (size_t i = 0; i < own.size(); ++i) {
    const LayerQuant &q = *own[i]->quant;
    const ProgramLayer &p = layers[i];
    std::string what;
    if (q.wbits != p.wbits || q.abits != p.abits) {
      what = widths(p.wbits, p.abits) + " against " + widths(q.wbits, q.abits);
    } else if (q.ascheme != p.ascheme) {
      what = stringifyQuantScheme(p.ascheme).str() + " activations against " +
             stringifyQuantScheme(q.ascheme).str();
    } else if (q.ascale != p.ascale || (p.ascale && q.azp != p.azp)) {
      uncalibrated += !p.ascale;
      what = "activation scale " + scaleText(p.ascale, p.azp) + " against " +
             scaleText(q.ascale, q.azp);
    }
    if (what.empty())
      continue;
    if (!differing++)
      first = "'" + p.name + "' " + what;
  }
  if (!differing)
    return "";
  std::string line = program + " is quantized otherwise than this network in " +
                     std::to_string(differing) + " of " +
                     std::to_string(own.size()) + " layers (first " + first +
                     "); ";
  if (uncalibrated)
    return line + "it was compiled without --calibrate: compile with cimc "
                  "--calibrate DIR, DIR written by --save-calibration DIR, "
                  "for this network";
  return line + "compile with the same --wbits/--abits/--bits, --ascheme, "
                "--calibration and --calibrate samples for this network";
}
