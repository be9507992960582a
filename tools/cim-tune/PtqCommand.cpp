//===- PtqCommand.cpp - cim-tune ptq --------------------------------------===//
//
//   cim-tune ptq --model M.onnx --data D (--wbits W --abits A | --bits P)
//                [--calibration-samples N] [--no-gptq] [--no-bias-correction]
//                [--no-range-search] -o OUT.onnx [--policy-out P.json]
//
// Post-training quantization (lib/Tune/PostTraining.cpp): loads the model
// through cimc's front end at the given widths, quantizes it layer by layer
// on calibration images and writes the QDQ model that cimc compiles at its
// own widths. Every error is one line "where: error: message" and exit
// status 1; the outputs are written together at the end, or none of them.
//
//===----------------------------------------------------------------------===//

#include "PtqCommand.h"

#include "Options.h"

#include "cim/Support/OutputFiles.h"
#include "cim/Tune/Dataset.h"
#include "cim/Tune/Export.h"
#include "cim/Tune/IRModel.h"
#include "cim/Tune/Metrics.h"
#include "cim/Tune/Network.h"
#include "cim/Tune/PostTraining.h"
#include "cim/Tune/SearchSpace.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

using namespace mlir::cim;
using namespace mlir::cim::tune;
namespace cl = llvm::cl;

namespace {

const Of ptqOnly = {Command::Ptq};

CountOption weightBits("wbits", cl::desc("weight width of every layer (1-8)"),
                       cl::init(8), ptqOnly);
CountOption activationBits("abits",
                           cl::desc("activation width of every layer (1-8)"),
                           cl::init(8), ptqOnly);
TextOption bitsPolicy("bits", cl::desc("per-layer widths (cimc --bits)"),
                      cl::value_desc("POLICY.json"), ptqOnly);
EnumOption<quant::Scheme>
    activationScheme("ascheme",
                     cl::desc("activation scheme of layers without a "
                              "quantization of their own (cimc --ascheme)"),
                     Names<quant::Scheme>{getSchemeNames()},
                     cl::init(quant::Scheme::Asymmetric), ptqOnly);
EnumOption<quant::CalibrationMethod> calibrationMethod(
    "calibration",
    cl::desc("activation ranges where the range search is off (and one of "
             "its candidates)"),
    Names<quant::CalibrationMethod>{getCalibrationNames()},
    cl::init(quant::CalibrationMethod::MinMax), ptqOnly);
NumberOption percentile("percentile",
                        cl::desc("the percentile of --calibration percentile"),
                        InRange{50, 100}, cl::init(99.99), ptqOnly);
CountOption calibrationSamples("calibration-samples",
                               cl::desc("quantize the layers on the first N "
                                        "training images"),
                               AtLeast{1}, cl::init(512), ptqOnly);
cl::alias calibrationImages("calibration-images",
                            cl::desc("alias of --calibration-samples"),
                            cl::aliasopt(calibrationSamples),
                            cl::cat(getToolCategory()));
CountOption rangeImages("range-images",
                        cl::desc("of those, the images the range search "
                                 "scores its candidates on"),
                        AtLeast{1}, cl::init(128), ptqOnly);
FlagOption noGptq("no-gptq",
                  cl::desc("round the weights to nearest instead of GPTQ"),
                  ptqOnly);
FlagOption noActOrder("no-act-order",
                      cl::desc("GPTQ rounds the columns in storage order "
                               "(default: by decreasing Hessian diagonal)"),
                      ptqOnly);
NumberOption dampening("dampening",
                       cl::desc("GPTQ's dampening, a fraction of the mean "
                                "Hessian diagonal"),
                       InRange{0, 10}, cl::init(0.01), ptqOnly);
FlagOption noWeightClipping("no-weight-clipping",
                            cl::desc("the compiler's max-based weight scales "
                                     "instead of searched clipping ratios"),
                            ptqOnly);
FlagOption noBiasCorrection("no-bias-correction", cl::desc("keep the biases"),
                            ptqOnly);
FlagOption noRangeSearch("no-range-search",
                         cl::desc("the calibration method's activation "
                                  "ranges instead of the searched ones"),
                         ptqOnly);
TextOption policyOut("policy-out",
                     cl::desc("also write the per-layer widths (a --bits "
                              "policy file)"),
                     cl::value_desc("P.json"), ptqOnly);

/// The QDQ export of `graph` as bytes, through a temporary file.
std::string exportBytes(const Graph &graph) {
  llvm::SmallString<128> path;
  if (llvm::sys::fs::createTemporaryFile("cim-tune-ptq", "onnx", path))
    fail("cim-tune: error: cannot create a temporary file");
  std::string error;
  bool ok = exportOnnx(graph, path.str().str(), true, error);
  auto buffer = llvm::MemoryBuffer::getFile(path);
  llvm::sys::fs::remove(path);
  if (!ok)
    fail(error);
  if (!buffer)
    fail(path.str().str() + ": error: cannot read the exported model back");
  return (*buffer)->getBuffer().str();
}

} // namespace

int tune::runPtqCommand() {
  if (!modelPath.getNumOccurrences())
    fail("cim-tune: error: --model M.onnx is required");
  if (!outputPath.getNumOccurrences())
    fail("cim-tune: error: -o OUT.onnx is required");
  bool widths =
      weightBits.getNumOccurrences() || activationBits.getNumOccurrences();
  if (!widths && !bitsPolicy.getNumOccurrences())
    fail("cim-tune: error: ptq needs the widths: --wbits W --abits A or "
         "--bits POLICY");
  if (weightBits < 1 || weightBits > 8 || activationBits < 1 ||
      activationBits > 8)
    fail("cim-tune: error: --wbits and --abits must be in 1..8 (the QDQ "
         "export holds at most 8 bits)");
  if (!bitsPolicy.empty() && !std::ifstream(bitsPolicy))
    fail(bitsPolicy + ": error: cannot read the policy file");

  LoadOptions load;
  load.quantize = true;
  load.wbits = unsigned(weightBits);
  load.abits = unsigned(activationBits);
  load.policy = bitsPolicy;
  load.activationScheme = activationScheme;
  std::string error;
  std::unique_ptr<IRModel> model = IRModel::load(modelPath, load, error);
  if (!model)
    fail(error);
  const Graph &loaded = model->getGraph();
  for (const Node *layer : loaded.getLayers())
    if (layer->quant && (layer->quant->wbits > 8 || layer->quant->abits > 8))
      fail(bitsPolicy + ": error: layer '" + layer->name + "' is W" +
           std::to_string(layer->quant->wbits) + "A" +
           std::to_string(layer->quant->abits) +
           "; the QDQ export holds at most 8 bits");

  Transform transform;
  transform.mean = meanOption;
  transform.std = stdOption;
  transform.resize = resizeOption;
  Dataset train, test;
  if (!loadDataset(dataName, dataDir, true, train, error, &loaded) ||
      !loadDataset(dataName, dataDir, false, test, error, &loaded) ||
      !checkImageShape(loaded, train, error) ||
      !checkTransform(train, transform, error))
    fail(error);
  test.truncate(limitOption);
  std::unique_ptr<Network> net = Network::create(loaded, error);
  if (!net)
    fail(error);

  PostTrainingOptions options;
  options.gptq = !noGptq;
  options.actOrder = !noActOrder;
  options.dampening = dampening;
  options.weightClipping = !noWeightClipping;
  options.biasCorrection = !noBiasCorrection;
  options.rangeSearch = !noRangeSearch;
  options.calibration.method = calibrationMethod;
  options.calibration.percentile = percentile;
  options.calibration.images = calibrationSamples;
  options.rangeImages = rangeImages;
  options.transform = transform;
  options.progress = [](const std::string &line) {
    std::cerr << line << std::endl;
  };
  std::vector<PostTrainingLayer> layers;
  if (!quantizePostTraining(*net, train, options, layers, error))
    fail(error);

  std::optional<EvalResult> result;
  if (!test.labels.empty())
    result = net->evaluate(test, options.transform, 256, false);
  std::vector<OutputComparison> versusFloat =
      compareWithFloat(*net, test, options.transform, 256);
  std::vector<OutputComparison> versusTargets;
  if (test.hasTargets())
    versusTargets = compareWithTargets(*net, test, options.transform, 256);
  Graph graph = net->getGraph();
  OutputFiles outputs;
  outputs.add(outputPath, exportBytes(graph));
  if (policyOut.getNumOccurrences())
    outputs.add(policyOut, formatPolicyJson(graph));
  std::string failedPath;
  if (!outputs.commit(failedPath, error))
    fail(failedPath + ": error: " + error);

  int gptq = 0, corrected = 0, searched = 0;
  for (const PostTrainingLayer &layer : layers) {
    gptq += layer.gptq;
    corrected += layer.biasCorrected;
    searched += layer.rangeSearched;
  }
  std::printf("ptq: %zu layers: %d rounded by GPTQ, %d biases corrected, %d "
              "input ranges searched\n",
              layers.size(), gptq, corrected, searched);
  if (result)
    std::printf("quantized test accuracy %.2f %% (%lld images)\n",
                100 * result->getAccuracy(), (long long)result->count);
  std::fputs(formatComparisons(versusFloat).c_str(), stdout);
  std::fputs(formatComparisons(versusTargets, "the targets").c_str(), stdout);
  return 0;
}
