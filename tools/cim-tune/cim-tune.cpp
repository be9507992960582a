//===- cim-tune.cpp - Training and QAT with the compiler's quantizer ------===//
//
//   cim-tune train  --model M.onnx --data fashion-mnist --epochs N -o OUT.onnx
//   cim-tune qat    --model M.onnx --wbits 4 --abits 4 ... -o OUT.onnx
//   cim-tune eval   --model M.onnx --data D [--wbits/--abits | --bits P]
//                   [--reference] [--program PROG.cim] [--limit N] [--json F]
//   cim-tune export --model M.onnx [--qdq --wbits W --abits A ...] -o OUT.onnx
//   cim-tune search ... (SearchCommand.cpp)
//   cim-tune ptq ... (PtqCommand.cpp)
//
// The subcommands' options are llvm::cl options (Options.h). Every error is
// one line "where: error: message" and exit status 1. docs/tune.md
// describes the commands.
//
//===----------------------------------------------------------------------===//

#include "Agreement.h"
#include "Options.h"
#include "PtqCommand.h"
#include "SearchCommand.h"

#include "cim/Support/OutputFiles.h"
#include "cim/Tune/Dataset.h"
#include "cim/Tune/Export.h"
#include "cim/Tune/IRModel.h"
#include "cim/Tune/Metrics.h"
#include "cim/Tune/Network.h"
#include "cim/Tune/SearchSpace.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace mlir::cim;
using namespace mlir::cim::tune;
namespace cl = llvm::cl;

namespace {

/// The options of a command that trains (train, qat), with its defaults.
struct TrainingFlags {
  CountOption epochs, batchSize;
  NumberOption learningRate, weightDecay;
  EnumOption<Optimizer> optimizer;
  FlagOption noCosine;
  TextOption augment;
  EnumOption<ProgressMode> progress;

  TrainingFlags(Command command, int64_t epochCount, double lr, double decay)
      : epochs("epochs", cl::desc("training epochs"), cl::init(epochCount),
               Of{command}),
        batchSize("batch-size", cl::desc("training batch"), cl::init(128),
                  Of{command}),
        learningRate("lr", cl::desc("learning rate"), cl::init(lr),
                     Of{command}),
        weightDecay("weight-decay", cl::desc("weight decay"), cl::init(decay),
                    Of{command}),
        optimizer("optimizer", cl::desc("sgd (Nesterov momentum) or adam"),
                  Names<Optimizer>{getOptimizerNames()},
                  cl::init(Optimizer::Sgd), Of{command}),
        noCosine("no-cosine", cl::desc("constant learning rate"), Of{command}),
        augment("augment",
                cl::desc("random crop after N-pixel padding (named "
                         "sets), horizontal flip, random-resized-crop "
                         "(image folders)"),
                cl::value_desc("crop:N,flip,random-resized-crop"), Of{command}),
        progress("progress",
                 cl::desc("a bar on a terminal (auto), plain lines every "
                          "10 % or none"),
                 Names<ProgressMode>{getProgressNames()},
                 cl::init(ProgressMode::Auto), Of{command}) {}

  /// The training options, checked in the order of the command line's
  /// documentation (-o last).
  TrainOptions get() const;
};

TrainingFlags trainFlags(Command::Train, 10, 0.05, 5e-4);
TrainingFlags qatFlags(Command::Qat, 3, 0.005, 1e-4);

// Quantization (qat, eval, export).
CountOption weightBits("wbits", cl::desc("weight width of every layer (1-16)"),
                       cl::init(8),
                       Of{Command::Qat, Command::Eval, Command::Export});
CountOption activationBits("abits",
                           cl::desc("activation width of every layer (1-16)"),
                           cl::init(8),
                           Of{Command::Qat, Command::Eval, Command::Export});
TextOption bitsPolicy("bits", cl::desc("per-layer widths (cimc --bits)"),
                      cl::value_desc("POLICY.json"),
                      Of{Command::Qat, Command::Eval, Command::Export});
EnumOption<quant::Scheme>
    activationScheme("ascheme",
                     cl::desc("activation scheme of layers without a "
                              "quantization of their own (cimc --ascheme)"),
                     Names<quant::Scheme>{getSchemeNames()},
                     cl::init(quant::Scheme::Asymmetric),
                     Of{Command::Qat, Command::Eval, Command::Export});
EnumOption<quant::CalibrationMethod>
    calibrationMethod("calibration",
                      cl::desc("how the observed values give a layer's "
                               "activation range (cimc --calibration)"),
                      Names<quant::CalibrationMethod>{getCalibrationNames()},
                      cl::init(quant::CalibrationMethod::MinMax),
                      Of{Command::Qat, Command::Eval, Command::Export});
NumberOption percentile("percentile",
                        cl::desc("the percentile of --calibration percentile "
                                 "(50-100)"),
                        cl::init(99.99),
                        Of{Command::Qat, Command::Eval, Command::Export});
CountOption calibrationSamples(
    "calibration-samples",
    cl::desc("calibrate on the first N samples (default: every --calibrate "
             "sample, else 512 training images)"),
    Of{Command::Qat, Command::Eval, Command::Export});
cl::alias calibrationImages("calibration-images",
                            cl::desc("alias of --calibration-samples"),
                            cl::aliasopt(calibrationSamples),
                            cl::cat(getToolCategory()));
cl::list<std::string>
    calibrate("calibrate",
              cl::desc("calibration samples as cimc --calibrate reads them: "
                       "TensorProto files, folders with input_N.pb, folders "
                       "of test_data_set_* (repeatable; default: training "
                       "images)"),
              cl::value_desc("PATH"),
              Of{Command::Qat, Command::Eval, Command::Export});
TextOption saveCalibration(
    "save-calibration",
    cl::desc("write the training images calibrated on as "
             "DIR/test_data_set_N/input_0.pb (cimc --calibrate DIR)"),
    cl::value_desc("DIR"), Of{Command::Qat, Command::Eval, Command::Export});

// qat.
TextOption floatOutput("float-output",
                       cl::desc("also write the float weights to FILE"),
                       cl::value_desc("FILE"), Of{Command::Qat});
FlagOption fixedScales("fixed-scales",
                       cl::desc("do not learn activation scales"),
                       Of{Command::Qat});
FlagOption learnWeightScales("learn-weight-scales",
                             cl::desc("learn symmetric weight scales too "
                                      "(LSQ)"),
                             Of{Command::Qat});
NumberOption distill("distill",
                     cl::desc("loss (1-A) x cross-entropy + A x KL(float "
                              "model || quantized)"),
                     cl::init(0.0), Of{Command::Qat});
EnumOption<DistillLoss>
    distillLoss("distill-loss",
                cl::desc("how each output is distilled: kl for class "
                         "scores, mse or cosine for other outputs; auto "
                         "picks per output"),
                Names<DistillLoss>{getDistillLossNames()},
                cl::init(DistillLoss::Auto), Of{Command::Qat});

// eval.
CountOption evalBatchSize("batch-size", cl::desc("evaluation batch"),
                          cl::init(256), Of{Command::Eval});
FlagOption reference("reference",
                     cl::desc("agreement with the compiler's reference "
                              "executor"),
                     Of{Command::Eval});
TextOption programPath("program",
                       cl::desc("agreement with a compiled program on the "
                                "simulator"),
                       cl::value_desc("PROG.cim"), Of{Command::Eval});

// export.
FlagOption qdq("qdq",
               cl::desc("a QDQ model (activation scales calibrated "
                        "when the model has none)"),
               Of{Command::Export});

/// The normalization of --mean/--std and the augmentation `augment`.
Transform getTransform(const std::string &augment) {
  Transform t;
  t.mean = meanOption;
  t.std = stdOption;
  t.resize = resizeOption;
  std::string error;
  if (!parseAugmentation(augment, t, error))
    fail(error);
  return t;
}

LoadOptions getLoadOptions(bool quantize) {
  LoadOptions options;
  options.quantize = quantize;
  options.wbits = unsigned(weightBits);
  options.abits = unsigned(activationBits);
  if (options.wbits < 1 || options.wbits > 16 || options.abits < 1 ||
      options.abits > 16)
    fail("cim-tune: error: --wbits and --abits must be in 1..16");
  options.policy = bitsPolicy;
  options.activationScheme = activationScheme;
  options.keepQuantWidths =
      !weightBits.getNumOccurrences() && !activationBits.getNumOccurrences();
  if (!options.policy.empty() && !std::ifstream(options.policy))
    fail(options.policy + ": error: cannot read the policy file");
  return options;
}

bool wantsQuantization() {
  return weightBits.getNumOccurrences() || activationBits.getNumOccurrences() ||
         bitsPolicy.getNumOccurrences();
}

std::unique_ptr<IRModel> loadModel(bool quantize) {
  if (!modelPath.getNumOccurrences())
    fail("cim-tune: error: --model M.onnx is required");
  std::string error;
  std::unique_ptr<IRModel> model =
      IRModel::load(modelPath, getLoadOptions(quantize), error);
  if (!model)
    fail(error);
  return model;
}

/// The training or test split of --data for `graph`, checked against it
/// and against `transform`.
Dataset loadData(bool train, int64_t limit, const Graph &graph,
                 const Transform &transform) {
  Dataset data;
  std::string error;
  if (!loadDataset(dataName, dataDir, train, data, error, &graph) ||
      !checkImageShape(graph, data, error) ||
      !checkTransform(data, transform, error))
    fail(error);
  data.truncate(limit);
  return data;
}

std::unique_ptr<Network> makeNetwork(const Graph &graph) {
  std::string error;
  std::unique_ptr<Network> net = Network::create(graph, error);
  if (!net)
    fail(error);
  return net;
}

CalibrationOptions getCalibration() {
  CalibrationOptions options;
  options.method = calibrationMethod;
  options.percentile = percentile;
  if (options.percentile < 50 || options.percentile > 100)
    fail("cim-tune: error: --percentile must be in 50..100");
  // Every --calibrate sample, as cimc takes them; else 512 training images.
  options.images = calibrationSamples.getNumOccurrences() ? calibrationSamples
                   : calibrate.empty()                    ? 512
                                                          : 0;
  return options;
}

/// Calibrates the quantized layers of `model` that have no activation
/// scales with the compiler's calibration, as cimc --calibrate does: on the
/// --calibrate samples, else on the first training images (normalized by
/// `transform`, not augmented; of the first `trainLimit`, all when 0),
/// which --save-calibration writes for cimc.
void calibrateModel(IRModel &model, const Transform &transform,
                    int64_t trainLimit = 0) {
  bool missing = false;
  for (const Node *layer : model.getGraph().getLayers())
    missing |= layer->quant && !layer->quant->ascale;
  if (!missing) {
    if (saveCalibration.getNumOccurrences())
      std::fprintf(stderr,
                   "cim-tune: note: every layer has its activation scale "
                   "(a QDQ model): nothing calibrated, --save-calibration "
                   "%s not written\n",
                   saveCalibration.c_str());
    return;
  }
  CalibrationOptions options = getCalibration();
  std::string error;
  if (!calibrate.empty()) {
    if (saveCalibration.getNumOccurrences())
      fail("cim-tune: error: --save-calibration writes training images; "
           "the --calibrate samples are files already");
    std::vector<std::string> paths(calibrate.begin(), calibrate.end());
    if (!model.calibrate(paths, options, error))
      fail(error);
    return;
  }
  // Of the training samples qat trains on (its --limit).
  Dataset train = loadData(true, trainLimit, model.getGraph(), transform);
  train.truncate(options.images);
  std::vector<std::vector<std::vector<float>>> samples(size_t(train.count));
  try {
    for (int64_t i = 0; i < train.count; ++i)
      getSample(train, i, transform, samples[size_t(i)]);
  } catch (const SampleError &e) {
    fail(e.what());
  }
  if (!model.calibrate(samples, options, error))
    fail(error);
  if (!saveCalibration.getNumOccurrences())
    return;
  OutputFiles files;
  files.addDirectory(saveCalibration);
  for (size_t i = 0; i < samples.size(); ++i) {
    std::string dir = saveCalibration + "/test_data_set_" + std::to_string(i);
    files.addDirectory(dir);
    for (size_t k = 0; k < samples[i].size(); ++k) {
      std::string bytes;
      if (!model.serializeInput(k, samples[i][k], bytes, error))
        fail(error);
      files.add(dir + "/input_" + std::to_string(k) + ".pb", std::move(bytes));
    }
  }
  std::string failedPath;
  if (!files.commit(failedPath, error))
    fail(failedPath + ": error: " + error);
}

/// "1:02:03" or "2:03".
std::string formatTime(double seconds) {
  long s = long(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60,
                  s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

std::function<void(const Progress &)> makeProgress(ProgressMode mode) {
  bool bar = mode == ProgressMode::Bar ||
             (mode == ProgressMode::Auto && isatty(STDERR_FILENO));
  if (mode == ProgressMode::None)
    return [](const Progress &) {};
  auto lastPlain = std::make_shared<double>(-1);
  return [bar, lastPlain](const Progress &p) {
    char line[256];
    if (p.epochDone) {
      std::snprintf(line, sizeof line,
                    "epoch %lld/%lld: loss %.4f, train %s %.2f %%, "
                    "%.0f images/s",
                    (long long)p.epoch, (long long)p.epochs, p.loss,
                    p.agreement ? "agreement" : "accuracy", 100 * p.accuracy,
                    p.imagesPerSecond);
      std::string text = line;
      if (p.testAccuracy >= 0) {
        std::snprintf(line, sizeof line, ", test accuracy %.2f %%",
                      100 * p.testAccuracy);
        text += line;
      }
      std::cerr << (bar ? "\r\033[K" : "") << text << std::endl;
      return;
    }
    if (bar) {
      int width = 24;
      int filled = int(double(width) * double(p.images) /
                       double(std::max<int64_t>(1, p.totalImages)));
      std::string gauge(size_t(filled), '=');
      gauge += std::string(size_t(width - filled), ' ');
      std::snprintf(line, sizeof line,
                    "\r\033[Kepoch %lld/%lld [%s] %lld/%lld loss %.4f %s "
                    "%.2f %% %.0f img/s ETA %s",
                    (long long)p.epoch, (long long)p.epochs, gauge.c_str(),
                    (long long)p.images, (long long)p.totalImages, p.loss,
                    p.agreement ? "agree" : "acc", 100 * p.accuracy,
                    p.imagesPerSecond, formatTime(p.secondsLeft).c_str());
      std::cerr << line << std::flush;
      return;
    }
    // Plain lines: about every 10 % of an epoch.
    double fraction = double(p.images) / double(p.totalImages);
    if (fraction - *lastPlain < 0.1 && fraction > *lastPlain)
      return;
    *lastPlain = fraction;
    std::snprintf(line, sizeof line,
                  "epoch %lld/%lld: %lld/%lld images, loss %.4f, %s "
                  "%.2f %%, %.0f images/s, ETA %s",
                  (long long)p.epoch, (long long)p.epochs, (long long)p.images,
                  (long long)p.totalImages, p.loss,
                  p.agreement ? "agreement" : "accuracy", 100 * p.accuracy,
                  p.imagesPerSecond, formatTime(p.secondsLeft).c_str());
    std::cerr << line << "\n";
  };
}

TrainOptions TrainingFlags::get() const {
  TrainOptions o;
  o.epochs = epochs;
  o.batchSize = batchSize;
  if (o.batchSize < 1)
    fail("cim-tune: error: --batch-size must be positive");
  o.optimizer = optimizer;
  o.learningRate = learningRate;
  o.weightDecay = weightDecay;
  o.cosine = !noCosine;
  o.seed = uint64_t(int64_t(seedOption));
  o.transform = getTransform(augment);
  o.augment = o.transform.cropPadding > 0 || o.transform.horizontalFlip ||
              o.transform.randomResizedCrop;
  o.learnScales = !fixedScales;
  o.learnWeightScales = learnWeightScales;
  if (!outputPath.getNumOccurrences())
    fail("cim-tune: error: -o OUT.onnx is required");
  o.checkpoint = checkpointPath.getNumOccurrences()
                     ? std::string(checkpointPath)
                     : outputPath + ".ckpt";
  o.progress = makeProgress(progress);
  return o;
}

/// Writes a file whole (temporary file + rename) or exits with one line.
void writeOrFail(const std::string &path, const std::string &bytes) {
  std::string error;
  if (!mlir::cim::writeFileAtomically(path, bytes, error))
    fail(path + ": error: " + error);
}

void writeOrFail(const Graph &graph, const std::string &path, bool qdq) {
  std::string error;
  if (!exportOnnx(graph, path, qdq, error))
    fail(error);
}

/// The per-layer widths as a cim-assign-bitwidths policy file.
void writeBitsPolicy(const Graph &graph, const std::string &path) {
  writeOrFail(path, formatPolicyJson(graph));
}

/// Prints the comparisons of compareWithFloat or compareWithTargets
/// (`against`: "the float model", "the targets"), one line per output.
void printComparisons(const std::vector<OutputComparison> &comparisons,
                      const char *against = "the float model") {
  std::fputs(formatComparisons(comparisons, against).c_str(), stdout);
}

/// train (float) or qat: the trained model to -o.
int runTrain(bool quantized) {
  TrainOptions options = (quantized ? qatFlags : trainFlags).get();
  std::unique_ptr<IRModel> model = loadModel(quantized);
  Dataset train =
      loadData(true, limitOption, model->getGraph(), options.transform);
  Dataset test = loadData(false, 0, model->getGraph(), options.transform);
  if (!quantized && !train.hasLabels())
    fail("cim-tune: error: the training data has no labels (a labels.txt, "
         "or an image folder's class folders): train learns from labels; "
         "qat fine-tunes without them from the float model");
  if (quantized)
    calibrateModel(*model, options.transform, limitOption);
  std::unique_ptr<Network> net = makeNetwork(model->getGraph());
  // The float network teaches the quantized one (--distill).
  std::unique_ptr<Network> teacher;
  if (quantized) {
    teacher = makeNetwork(model->getGraph());
    options.distill = distill;
    options.distillLoss = distillLoss;
    if (options.distill < 0 || options.distill > 1)
      fail("cim-tune: error: --distill must be in 0..1");
    if (train.labels.empty() && distill.getNumOccurrences() &&
        options.distill < 1)
      fail("cim-tune: error: --distill " + distill.getParser().getText() +
           ": the training data has no labels, so the fine-tune learns "
           "from the float model alone (--distill 1)");
    if (options.distill > 0 || train.labels.empty())
      options.teacher = teacher.get();
    net->setQuantized(true);
    if (!test.labels.empty()) {
      EvalResult before = net->evaluate(test, options.transform, 256, false);
      std::fprintf(stderr, "calibrated: test accuracy %.2f %%\n",
                   100 * before.getAccuracy());
    }
  }
  std::string error;
  if (!net->train(train, &test, options, error))
    fail(error);
  EvalResult result = net->evaluate(test, options.transform, 256, false);
  Graph graph = net->getGraph();
  writeOrFail(graph, outputPath, quantized);
  if (quantized) {
    writeBitsPolicy(graph, outputPath + ".bits.json");
    if (floatOutput.getNumOccurrences())
      writeOrFail(graph, floatOutput, false);
  }
  if (!test.labels.empty())
    std::printf("%stest accuracy %.2f %% (%lld images)\n",
                quantized ? "quantized " : "", 100 * result.getAccuracy(),
                (long long)result.count);
  if (quantized)
    printComparisons(compareWithFloat(*net, test, options.transform, 256));
  return 0;
}

int runEval() {
  bool quantize = wantsQuantization();
  Transform transform = getTransform("");
  std::unique_ptr<IRModel> model = loadModel(quantize);
  for (const Node *layer : model->getGraph().getLayers())
    quantize |= layer->quant.has_value(); // a QDQ model
  Dataset test = loadData(false, limitOption, model->getGraph(), transform);
  // Layers without activation scales (a float model) are calibrated as
  // cimc --calibrate calibrates them, as qat starts.
  if (quantize)
    calibrateModel(*model, transform);
  std::unique_ptr<Network> net = makeNetwork(model->getGraph());
  net->setQuantized(quantize);
  EvalResult result = net->evaluate(test, transform, evalBatchSize, true);
  if (test.labels.empty())
    std::printf("%lld images without labels, %.0f images/s\n",
                (long long)result.count, result.imagesPerSecond);
  else
    std::printf("accuracy %.2f %% (%lld of %lld images), %.0f images/s\n",
                100 * result.getAccuracy(), (long long)result.correct,
                (long long)result.count, result.imagesPerSecond);
  std::vector<OutputComparison> versusFloat;
  if (quantize) {
    versusFloat = compareWithFloat(*net, test, transform, evalBatchSize);
    printComparisons(versusFloat);
  }
  std::vector<OutputComparison> versusTargets;
  if (test.hasTargets()) {
    versusTargets = compareWithTargets(*net, test, transform, evalBatchSize);
    printComparisons(versusTargets, "the targets");
  }

  std::vector<std::pair<std::string, AgreementResult>> agreements;
  auto runAgreement = [&](const std::string &label, const PredictFn &predict) {
    std::string error;
    AgreementResult agreement;
    if (!computeAgreement(test, transform, result.predictions, predict,
                          getDecisionThreshold(net->getGraph(), 0), agreement,
                          error))
      fail(error);
    std::printf("%s: agreement %.2f %% (%lld of %lld)", label.c_str(),
                100 * agreement.getAgreement(), (long long)agreement.agreeing,
                (long long)agreement.count);
    if (test.hasLabels())
      std::printf(", accuracy %.2f %%", 100 * agreement.getAccuracy());
    std::printf("\n");
    agreements.emplace_back(label, agreement);
  };
  if (reference) {
    // The compiler's reference executor on the IR with the same bits and
    // scales (fake-quantized when quantized).
    std::string error;
    if (!model->update(net->getGraph(), error))
      fail(error);
    runAgreement("reference",
                 [&](const std::vector<std::vector<float>> &inputs,
                     std::vector<float> &logits, std::string &err) {
                   return model->run(inputs, quantize, logits, err);
                 });
  }
  if (programPath.getNumOccurrences()) {
    PredictFn predict;
    std::vector<ProgramLayer> layers;
    std::string error;
    if (!makeProgramPredictor(programPath, predict, layers, error))
      fail(error);
    // A program compiled with other defaults or samples: say what differs.
    std::string difference =
        describeProgramDifference(net->getGraph(), layers, programPath);
    if (!difference.empty())
      std::fprintf(stderr, "cim-tune: note: %s\n", difference.c_str());
    runAgreement("program", predict);
  }
  if (jsonPath.getNumOccurrences()) {
    std::ostringstream os;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6f", result.getAccuracy());
    os << "{\"model\": "
       << llvm::formatv("{0}", llvm::json::Value(modelPath)).str()
       << ", \"images\": " << result.count
       << ", \"accuracy\": " << (test.labels.empty() ? "null" : buf);
    // The first output's comparison, then every output's.
    auto writeComparison = [&](const OutputComparison &c,
                               const std::string &prefix) {
      std::snprintf(buf, sizeof buf, "%.6f", c.getAgreement());
      os << ", \"" << prefix << "agreement\": " << buf;
      std::snprintf(buf, sizeof buf, "%.6f", c.getCosine());
      os << ", \"" << prefix << "cosine\": " << buf;
      // Identical outputs have no noise: JSON has no infinity.
      std::snprintf(buf, sizeof buf, "%.3f", c.getSqnrDb());
      os << ", \"" << prefix
         << "sqnr_db\": " << (std::isfinite(c.getSqnrDb()) ? buf : "null");
    };
    if (!versusFloat.empty())
      writeComparison(versusFloat[0], "float_");
    if (versusFloat.size() > 1)
      for (size_t k = 0; k < versusFloat.size(); ++k)
        writeComparison(versusFloat[k],
                        "float_output" + std::to_string(k) + "_");
    for (size_t k = 0; k < versusTargets.size(); ++k)
      writeComparison(versusTargets[k],
                      "target_output" + std::to_string(k) + "_");
    for (auto &[label, a] : agreements) {
      std::snprintf(buf, sizeof buf, "%.6f", a.getAgreement());
      os << ", \"" << (label == "program" ? "agreement" : label + "_agreement")
         << "\": " << buf;
      std::snprintf(buf, sizeof buf, "%.6f", a.getAccuracy());
      os << ", \"" << label
         << "_accuracy\": " << (test.hasLabels() ? buf : "null");
    }
    os << "}\n";
    writeOrFail(jsonPath, os.str());
  }
  return 0;
}

int runExport() {
  if (!outputPath.getNumOccurrences())
    fail("cim-tune: error: -o OUT.onnx is required");
  std::unique_ptr<IRModel> model = loadModel(qdq);
  if (qdq)
    calibrateModel(*model, getTransform(""));
  writeOrFail(model->getGraph(), outputPath, qdq);
  return 0;
}

//===----------------------------------------------------------------------===//
// check
//===----------------------------------------------------------------------===//

cl::list<std::string>
    inputShapeOption("input-shape",
                     cl::desc("an input's shape, NAME=DIMS (e.g. "
                              "input=Nx3x224x224; N or ? is the batch)"),
                     cl::value_desc("NAME=DIMS"), Of{Command::Check});

/// The largest |a - b| over the largest |b|: the forward's error relative
/// to the reference output's scale.
double relativeDifference(const std::vector<float> &a,
                          const std::vector<float> &b) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    diff = std::max(diff, std::abs(double(a[i]) - double(b[i])));
    scale = std::max(scale, std::abs(double(b[i])));
  }
  if (a.size() != b.size() || !std::isfinite(diff))
    return INFINITY;
  return diff / std::max(scale, 1e-30);
}

int runCheck() {
  if (!modelPath.getNumOccurrences())
    fail("cim-tune: error: --model M.onnx is required");
  LoadOptions options;
  for (const std::string &arg : inputShapeOption) {
    size_t eq = arg.find('=');
    std::vector<int64_t> dims;
    bool ok = eq != std::string::npos && eq > 0;
    std::stringstream ss(ok ? arg.substr(eq + 1) : "");
    std::string dim;
    while (ok && std::getline(ss, dim, 'x')) {
      if (dim == "N" || dim == "?") {
        dims.push_back(-1);
        continue;
      }
      char *end = nullptr;
      long long v = std::strtoll(dim.c_str(), &end, 10);
      ok = !dim.empty() && *end == 0 && v > 0;
      dims.push_back(v);
    }
    if (!ok || dims.empty())
      fail("cim-tune: error: --input-shape expects NAME=DIMS such as "
           "input=Nx3x224x224, got '" +
           arg + "'");
    options.inputShapes[arg.substr(0, eq)] = dims;
  }
  std::string error;
  std::unique_ptr<IRModel> model = IRModel::load(modelPath, options, error);
  if (!model)
    fail(error);
  const Graph &graph = model->getGraph();
  std::cout << modelPath << ": " << graph.nodes.size() << " ops, "
            << graph.constants.size() << " constants\n";
  std::unique_ptr<Network> net = Network::create(graph, error);
  if (!net)
    fail(error);

  // One seeded float forward at a batch of 2 (not the batch the graph was
  // loaded at, so that batch-dependent shapes are exercised) against the
  // reference executor, sample by sample. Every input gets normal values.
  const int64_t batch = 2;
  bool batched = true;
  std::vector<int64_t> samples;
  for (int id : graph.inputs) {
    std::vector<int64_t> shape = graph.getShape(id, graph.batch);
    batched &= !graph.batchSlope.empty() &&
               !graph.batchSlope[size_t(id)].empty() &&
               graph.batchSlope[size_t(id)][0] == 1 && !shape.empty() &&
               shape[0] == graph.batch;
    int64_t sample = 1;
    for (size_t d = 1; d < shape.size(); ++d)
      sample *= shape[d];
    samples.push_back(sample);
  }
  int64_t count = batched ? batch : 1;
  std::mt19937_64 rng{uint64_t(int64_t(seedOption))};
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Batch inputs;
  inputs.size = count;
  for (size_t k = 0; k < graph.inputs.size(); ++k) {
    std::vector<int64_t> shape = graph.getShape(graph.inputs[k], graph.batch);
    if (!batched)
      samples[k] *= shape.empty() ? 1 : shape[0];
    inputs.inputs.emplace_back(size_t(count * samples[k]));
    for (float &v : inputs.inputs.back())
      v = normal(rng);
  }
  // Sample n of every input.
  auto sampleOf = [&](int64_t n) {
    std::vector<std::vector<float>> one;
    for (size_t k = 0; k < inputs.inputs.size(); ++k)
      one.emplace_back(inputs.inputs[k].begin() + n * samples[k],
                       inputs.inputs[k].begin() + (n + 1) * samples[k]);
    return one;
  };
  std::vector<float> outputs;
  try {
    outputs = net->forward(inputs);
  } catch (const std::exception &e) {
    fail(e.what());
  }
  std::vector<float> reference;
  for (int64_t n = 0; n < count; ++n) {
    std::vector<float> out;
    if (!model->run(sampleOf(n), /*quantized=*/false, out, error))
      fail(error);
    reference.insert(reference.end(), out.begin(), out.end());
  }
  // Each op on the reference's values of its operands: the kernels'
  // agreement, free of the rounding that a deep network amplifies.
  std::map<int, FloatTensor> trace;
  if (!model->trace(sampleOf(0), trace, error))
    fail(error);
  std::string worstNode;
  double perOp = net->compareOps(trace, worstNode, error);
  if (!error.empty())
    fail(error);
  const double tolerance = 1e-5;
  std::cout << llvm::formatv("float forward, op by op against the reference "
                             "executor: largest relative difference {0:e2} "
                             "(tolerance {1:e0}) at {2}\n",
                             perOp, tolerance, worstNode)
                   .str();
  bool ok = perOp <= tolerance;
  if (!ok)
    std::cerr << worstNode << ": error: the trainable kernel differs from "
              << "the reference executor's by " << perOp << " (relative)\n";
  // The whole network at once (a batch of 2 where the batch is dynamic):
  // shapes that follow the batch, and the rounding of the whole chain.
  double difference = relativeDifference(outputs, reference);
  const double chainTolerance = 1e-3;
  std::cout << llvm::formatv("float forward, whole network (batch {0}): "
                             "largest relative difference {1:e2} (tolerance "
                             "{2:e0})\n",
                             count, difference, chainTolerance)
                   .str();
  if (difference > chainTolerance) {
    ok = false;
    std::cerr << "cim-tune: error: the trainable network's output differs "
                 "from the reference executor's by "
              << difference << " (relative)\n";
  }
  if (!batched)
    std::cout << "note: the input's batch dimension is static: training "
                 "takes one sample per step (export the model with a dynamic "
                 "batch to train in batches)\n";

  std::vector<std::string> problems;
  if (net->checkGradients(inputs, uint64_t(int64_t(seedOption)), problems)) {
    std::cout << "backward: " << net->getTrainedCount()
              << " trained constants, every gradient finite\n";
  } else {
    ok = false;
    for (const std::string &line : problems)
      std::cerr << line << "\n";
  }

  std::vector<const Node *> layers = graph.getLayers();
  std::cout << layers.size() << " layers with their own widths (index, name, "
            << "op, second operand):\n";
  for (size_t i = 0; i < layers.size(); ++i) {
    const Node &layer = *layers[i];
    std::string operand = "weight ";
    const std::vector<int64_t> &w = graph.shapes[size_t(layer.inputs[1])];
    for (size_t d = 0; d < w.size(); ++d)
      operand += (d ? "x" : "") + std::to_string(w[d]);
    if (!graph.hasConstantWeight(layer))
      operand = "activation (crossbar-held: weight width)";
    std::cout << "  " << i << "  " << layer.name << "  " << layer.op << "  "
              << operand << "\n";
  }
  std::cout << (ok ? "cim-tune can train this model\n"
                   : "cim-tune cannot train this model\n");
  return ok ? 0 : 1;
}

} // namespace

static int run(int argc, char **argv);

int main(int argc, char **argv) {
  // A kernel's failure on data it cannot follow (or LibTorch's) is one line
  // and exit status 1, never an exception escaping. Checkpoints and outputs
  // are written whole or not at all (writeFileAtomically).
  try {
    return run(argc, argv);
  } catch (const std::exception &e) {
    std::string what = e.what();
    std::string line = what.substr(0, what.find('\n'));
    if (line.find(": error: ") == std::string::npos)
      line = "cim-tune: error: " + line;
    std::cerr << line << "\n";
    return 1;
  }
}

static int run(int argc, char **argv) {
  parseCommandLine(argc, argv);
  Command command = *getChosenCommand();
  if (command == Command::Search)
    return runSearchCommand();
  setReaderThreads(setThreadCount(int(threadsOption)));
  switch (command) {
  case Command::Train:
    return runTrain(false);
  case Command::Qat:
    return runTrain(true);
  case Command::Eval:
    return runEval();
  case Command::Check:
    return runCheck();
  case Command::Ptq:
    return runPtqCommand();
  case Command::Export:
  case Command::Search:
    break;
  }
  return runExport();
}
