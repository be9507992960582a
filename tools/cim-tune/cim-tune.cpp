//===- cim-tune.cpp - Training and QAT with the compiler's quantizer ------===//
//
//   cim-tune train  --model M.onnx --data fashion-mnist --epochs N -o OUT.onnx
//   cim-tune qat    --model M.onnx --wbits 4 --abits 4 ... -o OUT.onnx
//   cim-tune eval   --model M.onnx --data D [--wbits/--abits | --bits P]
//                   [--reference] [--program PROG.cim] [--limit N] [--json F]
//   cim-tune export --model M.onnx [--qdq --wbits W --abits A ...] -o OUT.onnx
//
// Every error is one line "where: error: message" and exit status 1.
// docs/tune.md describes the commands.
//
//===----------------------------------------------------------------------===//

#include "Agreement.h"
#include "SearchCommand.h"

#include "cim/Support/OutputFiles.h"
#include "cim/Tune/Dataset.h"
#include "cim/Tune/Export.h"
#include "cim/Tune/IRModel.h"
#include "cim/Tune/Network.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace mlir::cim;
using namespace mlir::cim::tune;

namespace {

const char *kUsage =
    "usage: cim-tune <command> [options]\n"
    "commands:\n"
    "  train   train a float model:  --model M.onnx --data D --epochs N -o "
    "OUT.onnx\n"
    "  qat     quantization-aware fine-tuning: --model M.onnx --data D\n"
    "          (--wbits W --abits A | --bits POLICY) --epochs N -o OUT.onnx "
    "(QDQ)\n"
    "  eval    accuracy: --model M.onnx --data D [--wbits/--abits | --bits]\n"
    "          [--reference] [--program PROG.cim] [--limit N] [--json F]\n"
    "  export  --model M.onnx -o OUT.onnx [--qdq (--wbits/--abits | --bits)]\n"
    "options:\n"
    "  --data NAME          fashion-mnist (default), mnist, cifar10 or a "
    "directory of idx files\n"
    "  --data-dir DIR       where the data set lies\n"
    "  --limit N            use the first N test images (eval) / N training "
    "images (train, qat)\n"
    "  --epochs N --batch-size N --lr X --optimizer sgd|adam --weight-decay "
    "X\n"
    "  --no-cosine          constant learning rate\n"
    "  --seed N             shuffling and augmentation seed (default 1)\n"
    "  --augment crop:N,flip  random crop after N-pixel padding, horizontal "
    "flip\n"
    "  --mean X[,Y,Z] --std X[,Y,Z]  input normalization after /255\n"
    "  --ascheme asymmetric|symmetric  activation scheme of QAT (default "
    "asymmetric)\n"
    "  --calibration minmax|percentile|mse --percentile P --calibration-images "
    "N\n"
    "  --fixed-scales       do not learn activation scales in qat\n"
    "  --learn-weight-scales  learn symmetric weight scales in qat too\n"
    "  --distill A          qat: loss (1-A) x cross-entropy + A x KL(float "
    "model || quantized)\n"
    "  --checkpoint FILE    (default OUT.ckpt) resumed when present\n"
    "  --threads N          (default: one per core)\n"
    "  --progress auto|bar|plain|none\n";

[[noreturn]] void fail(const std::string &line) {
  std::cerr << line << "\n";
  std::exit(1);
}

struct Args {
  std::string command;
  std::map<std::string, std::string> values;
  std::set<std::string> flags;

  bool has(const std::string &key) const {
    return values.count(key) || flags.count(key);
  }
  std::string get(const std::string &key, const std::string &def = "") const {
    auto it = values.find(key);
    return it == values.end() ? def : it->second;
  }
  int64_t getInt(const std::string &key, int64_t def) const {
    if (!values.count(key))
      return def;
    const std::string &text = values.at(key);
    char *end = nullptr;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end || v < 0)
      fail("cim-tune: error: --" + key +
           " expects a non-negative integer, got '" + text + "'");
    return v;
  }
  double getDouble(const std::string &key, double def) const {
    if (!values.count(key))
      return def;
    const std::string &text = values.at(key);
    char *end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end || !std::isfinite(v))
      fail("cim-tune: error: --" + key + " expects a number, got '" + text +
           "'");
    return v;
  }
};

/// Options that take no value; every other option takes one.
const std::set<std::string> kFlagOptions = {
    "no-cosine", "fixed-scales", "learn-weight-scales",
    "reference", "qdq",          "help"};

/// The options of each command (search parses its own).
std::map<std::string, std::set<std::string>> makeCommandOptions() {
  std::set<std::string> train = {
      "model",      "data", "data-dir",  "limit",        "epochs",
      "batch-size", "lr",   "optimizer", "weight-decay", "seed",
      "augment",    "mean", "std",       "checkpoint",   "threads",
      "progress",   "o",    "no-cosine"};
  // QAT: training with the quantizer's options.
  std::set<std::string> qat = train;
  qat.insert({"wbits", "abits", "bits", "ascheme", "calibration", "percentile",
              "calibration-images", "float-output", "fixed-scales",
              "learn-weight-scales", "distill"});
  return {
      {"train", train},
      {"qat", qat},
      {"eval",
       {"model", "data", "data-dir", "limit", "batch-size", "mean", "std",
        "wbits", "abits", "bits", "ascheme", "calibration", "percentile",
        "calibration-images", "threads", "json", "program", "reference"}},
      {"export",
       {"model", "data", "data-dir", "mean", "std", "wbits", "abits", "bits",
        "ascheme", "calibration", "percentile", "calibration-images", "o",
        "qdq", "threads"}},
  };
}
const std::map<std::string, std::set<std::string>> kCommandOptions =
    makeCommandOptions();

Args parseArgs(int argc, char **argv) {
  Args args;
  if (argc < 2)
    fail("cim-tune: error: missing command (train, qat, eval, export or "
         "search); "
         "see cim-tune --help");
  args.command = argv[1];
  if (args.command == "--help" || args.command == "-h") {
    std::cout << kUsage << kSearchUsage;
    std::exit(0);
  }
  auto allowed = kCommandOptions.find(args.command);
  if (allowed == kCommandOptions.end())
    fail("cim-tune: error: unknown command '" + args.command +
         "' (expected train, qat, eval, export or search)");
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    std::string key, value;
    bool hasValue = false;
    if (arg == "-o") {
      key = "o";
    } else if (arg.rfind("--", 0) == 0) {
      key = arg.substr(2);
      size_t eq = key.find('=');
      if (eq != std::string::npos) {
        value = key.substr(eq + 1);
        key = key.substr(0, eq);
        hasValue = true;
      }
    } else {
      fail("cim-tune: error: unexpected argument '" + arg + "'");
    }
    if (key == "help") {
      std::cout << kUsage << kSearchUsage;
      std::exit(0);
    }
    if (std::none_of(kCommandOptions.begin(), kCommandOptions.end(),
                     [&](const auto &c) { return c.second.count(key); }))
      fail("cim-tune: error: unknown option '" + arg + "'");
    if (!allowed->second.count(key))
      fail("cim-tune: error: option '--" + key + "' does not apply to '" +
           args.command + "'");
    if (kFlagOptions.count(key)) {
      if (hasValue)
        fail("cim-tune: error: option '--" + key + "' takes no value");
      args.flags.insert(key);
      continue;
    }
    if (!hasValue) {
      if (i + 1 >= argc)
        fail("cim-tune: error: option '" + arg + "' needs a value");
      value = argv[++i];
    }
    args.values[key] = value;
  }
  return args;
}

std::vector<float> parseFloats(const Args &args, const std::string &key) {
  std::vector<float> out;
  std::stringstream ss(args.get(key));
  std::string item;
  while (std::getline(ss, item, ',')) {
    char *end = nullptr;
    float v = std::strtof(item.c_str(), &end);
    if (item.empty() || *end)
      fail("cim-tune: error: --" + key +
           " expects comma-separated numbers, got '" + args.get(key) + "'");
    out.push_back(v);
  }
  return out;
}

} // namespace

bool parseAugmentation(const std::string &list, Transform &t,
                       std::string &error) {
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item == "flip") {
      t.horizontalFlip = true;
    } else if (item.rfind("crop:", 0) == 0) {
      char *end = nullptr;
      long v = std::strtol(item.c_str() + 5, &end, 10);
      if (*end || v < 0 || item.size() == 5) {
        error = "cim-tune: error: --augment crop:N expects a pixel count, "
                "got '" +
                item + "'";
        return false;
      }
      t.cropPadding = v;
    } else {
      error = "cim-tune: error: unknown augmentation '" + item +
              "' (expected crop:N or flip)";
      return false;
    }
  }
  return true;
}

bool parseCalibrationMethod(const std::string &value,
                            quant::CalibrationMethod &method,
                            std::string &error) {
  std::optional<quant::CalibrationMethod> parsed =
      quant::parseCalibrationMethod(value);
  if (!parsed) {
    error = "cim-tune: error: --calibration expects minmax, percentile or "
            "mse, got '" +
            value + "'";
    return false;
  }
  method = *parsed;
  return true;
}

namespace {

Transform parseTransform(const Args &args) {
  Transform t;
  t.mean = parseFloats(args, "mean");
  t.std = parseFloats(args, "std");
  for (float s : t.std)
    if (!(s > 0))
      fail("cim-tune: error: --std values must be positive");
  std::string error;
  if (!parseAugmentation(args.get("augment"), t, error))
    fail(error);
  return t;
}

LoadOptions parseLoadOptions(const Args &args, bool quantize) {
  LoadOptions options;
  options.quantize = quantize;
  options.wbits = unsigned(args.getInt("wbits", 8));
  options.abits = unsigned(args.getInt("abits", 8));
  if (options.wbits < 1 || options.wbits > 16 || options.abits < 1 ||
      options.abits > 16)
    fail("cim-tune: error: --wbits and --abits must be in 1..16");
  options.policy = args.get("bits");
  options.keepQuantWidths = !args.has("wbits") && !args.has("abits");
  if (!options.policy.empty() && !std::ifstream(options.policy))
    fail(options.policy + ": error: cannot read the policy file");
  return options;
}

bool wantsQuantization(const Args &args) {
  return args.has("wbits") || args.has("abits") || args.has("bits");
}

std::unique_ptr<IRModel> loadModel(const Args &args, bool quantize) {
  if (!args.has("model"))
    fail("cim-tune: error: --model M.onnx is required");
  std::string error;
  std::unique_ptr<IRModel> model =
      IRModel::load(args.get("model"), parseLoadOptions(args, quantize), error);
  if (!model)
    fail(error);
  return model;
}

Dataset loadData(const Args &args, bool train, int64_t limit) {
  Dataset data;
  std::string error;
  if (!loadDataset(args.get("data", "fashion-mnist"), args.get("data-dir"),
                   train, data, error))
    fail(error);
  data.truncate(limit);
  return data;
}

void checkInputShape(const Graph &graph, const Dataset &data) {
  const std::vector<int64_t> &shape = graph.inputShapes[0];
  if (shape.size() != 4 || shape[1] != data.channels ||
      shape[2] != data.height || shape[3] != data.width)
    fail("cim-tune: error: the model's input " + graph.inputNames[0] +
         " does not take " + std::to_string(data.channels) + "x" +
         std::to_string(data.height) + "x" + std::to_string(data.width) +
         " images");
}

std::unique_ptr<Network> makeNetwork(const Graph &graph) {
  std::string error;
  std::unique_ptr<Network> net = Network::create(graph, error);
  if (!net)
    fail(error);
  return net;
}

CalibrationOptions parseCalibration(const Args &args) {
  CalibrationOptions options;
  std::string error;
  if (!parseCalibrationMethod(args.get("calibration", "minmax"), options.method,
                              error))
    fail(error);
  options.percentile = args.getDouble("percentile", 99.99);
  if (options.percentile < 50 || options.percentile > 100)
    fail("cim-tune: error: --percentile must be in 50..100");
  options.images = args.getInt("calibration-images", 512);
  return options;
}

quant::Scheme parseScheme(const Args &args) {
  std::string scheme = args.get("ascheme", "asymmetric");
  if (scheme == "asymmetric")
    return quant::Scheme::Asymmetric;
  if (scheme != "symmetric")
    fail("cim-tune: error: --ascheme expects asymmetric or symmetric, got '" +
         scheme + "'");
  return quant::Scheme::Symmetric;
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

std::function<void(const Progress &)> makeProgress(const Args &args) {
  std::string mode = args.get("progress", "auto");
  if (mode != "auto" && mode != "bar" && mode != "plain" && mode != "none")
    fail("cim-tune: error: --progress expects auto, bar, plain or none");
  bool bar = mode == "bar" || (mode == "auto" && isatty(STDERR_FILENO));
  if (mode == "none")
    return [](const Progress &) {};
  auto lastPlain = std::make_shared<double>(-1);
  return [bar, lastPlain](const Progress &p) {
    char line[256];
    if (p.epochDone) {
      std::snprintf(line, sizeof line,
                    "epoch %lld/%lld: loss %.4f, train accuracy %.2f %%, "
                    "%.0f images/s",
                    (long long)p.epoch, (long long)p.epochs, p.loss,
                    100 * p.accuracy, p.imagesPerSecond);
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
                    "\r\033[Kepoch %lld/%lld [%s] %lld/%lld loss %.4f acc "
                    "%.2f %% %.0f img/s ETA %s",
                    (long long)p.epoch, (long long)p.epochs, gauge.c_str(),
                    (long long)p.images, (long long)p.totalImages, p.loss,
                    100 * p.accuracy, p.imagesPerSecond,
                    formatTime(p.secondsLeft).c_str());
      std::cerr << line << std::flush;
      return;
    }
    // Plain lines: about every 10 % of an epoch.
    double fraction = double(p.images) / double(p.totalImages);
    if (fraction - *lastPlain < 0.1 && fraction > *lastPlain)
      return;
    *lastPlain = fraction;
    std::snprintf(line, sizeof line,
                  "epoch %lld/%lld: %lld/%lld images, loss %.4f, accuracy "
                  "%.2f %%, %.0f images/s, ETA %s",
                  (long long)p.epoch, (long long)p.epochs, (long long)p.images,
                  (long long)p.totalImages, p.loss, 100 * p.accuracy,
                  p.imagesPerSecond, formatTime(p.secondsLeft).c_str());
    std::cerr << line << "\n";
  };
}

TrainOptions parseTrainOptions(const Args &args, bool qat) {
  TrainOptions o;
  o.epochs = args.getInt("epochs", qat ? 3 : 10);
  o.batchSize = args.getInt("batch-size", 128);
  if (o.batchSize < 1)
    fail("cim-tune: error: --batch-size must be positive");
  std::string optimizer = args.get("optimizer", "sgd");
  if (optimizer != "sgd" && optimizer != "adam")
    fail("cim-tune: error: --optimizer expects sgd or adam, got '" + optimizer +
         "'");
  o.optimizer = optimizer == "adam" ? Optimizer::Adam : Optimizer::Sgd;
  o.learningRate = args.getDouble("lr", qat ? 0.005 : 0.05);
  o.weightDecay = args.getDouble("weight-decay", qat ? 1e-4 : 5e-4);
  o.cosine = !args.has("no-cosine");
  o.seed = uint64_t(args.getInt("seed", 1));
  o.transform = parseTransform(args);
  o.augment = o.transform.cropPadding > 0 || o.transform.horizontalFlip;
  o.learnScales = !args.has("fixed-scales");
  o.learnWeightScales = args.has("learn-weight-scales");
  if (!args.has("o"))
    fail("cim-tune: error: -o OUT.onnx is required");
  o.checkpoint = args.get("checkpoint", args.get("o") + ".ckpt");
  o.progress = makeProgress(args);
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
  std::ostringstream os;
  os << "{\"layers\": [";
  bool first = true;
  for (const Node *layer : graph.getLayers()) {
    if (!layer->quant)
      continue;
    os << (first ? "\n" : ",\n") << "  {\"name\": \"" << layer->name
       << "\", \"wbits\": " << layer->quant->wbits
       << ", \"abits\": " << layer->quant->abits << "}";
    first = false;
  }
  os << "\n]}\n";
  writeOrFail(path, os.str());
}

int runTrain(const Args &args) {
  TrainOptions options = parseTrainOptions(args, false);
  std::unique_ptr<IRModel> model = loadModel(args, false);
  Dataset train = loadData(args, true, args.getInt("limit", 0));
  Dataset test = loadData(args, false, 0);
  checkInputShape(model->getGraph(), train);
  std::unique_ptr<Network> net = makeNetwork(model->getGraph());
  std::string error;
  if (!net->train(train, &test, options, error))
    fail(error);
  EvalResult result = net->evaluate(test, options.transform, 256, false);
  writeOrFail(net->getGraph(), args.get("o"), false);
  std::printf("test accuracy %.2f %% (%lld images)\n",
              100 * result.getAccuracy(), (long long)result.count);
  return 0;
}

int runQat(const Args &args) {
  TrainOptions options = parseTrainOptions(args, true);
  std::unique_ptr<IRModel> model = loadModel(args, true);
  Dataset train = loadData(args, true, args.getInt("limit", 0));
  Dataset test = loadData(args, false, 0);
  checkInputShape(model->getGraph(), train);
  std::unique_ptr<Network> net = makeNetwork(model->getGraph());
  // The float network teaches the quantized one (--distill).
  std::unique_ptr<Network> teacher = makeNetwork(model->getGraph());
  options.distill = args.getDouble("distill", 0.0);
  if (options.distill < 0 || options.distill > 1)
    fail("cim-tune: error: --distill must be in 0..1");
  if (options.distill > 0)
    options.teacher = teacher.get();
  net->setActivationScheme(parseScheme(args));
  net->calibrate(train, options.transform, parseCalibration(args));
  net->setQuantized(true);
  EvalResult before = net->evaluate(test, options.transform, 256, false);
  std::fprintf(stderr, "calibrated: test accuracy %.2f %%\n",
               100 * before.getAccuracy());
  std::string error;
  if (!net->train(train, &test, options, error))
    fail(error);
  EvalResult result = net->evaluate(test, options.transform, 256, false);
  Graph graph = net->getGraph();
  writeOrFail(graph, args.get("o"), true);
  writeBitsPolicy(graph, args.get("o") + ".bits.json");
  if (args.has("float-output"))
    writeOrFail(graph, args.get("float-output"), false);
  std::printf("quantized test accuracy %.2f %% (%lld images)\n",
              100 * result.getAccuracy(), (long long)result.count);
  return 0;
}

int runEval(const Args &args) {
  bool quantize = wantsQuantization(args);
  Transform transform = parseTransform(args);
  CalibrationOptions calibration = parseCalibration(args);
  std::unique_ptr<IRModel> model = loadModel(args, quantize);
  for (const Node *layer : model->getGraph().getLayers())
    quantize |= layer->quant.has_value(); // a QDQ model
  Dataset test = loadData(args, false, args.getInt("limit", 0));
  checkInputShape(model->getGraph(), test);
  std::unique_ptr<Network> net = makeNetwork(model->getGraph());
  if (quantize) {
    // Layers without activation scales (a float model) are calibrated on
    // training images, as qat starts.
    bool missing = false;
    for (const Node *layer : model->getGraph().getLayers())
      missing |= layer->quant && !layer->quant->ascale;
    if (missing) {
      if (args.has("ascheme"))
        net->setActivationScheme(parseScheme(args));
      Dataset train = loadData(args, true, 0);
      net->calibrate(train, transform, calibration);
    }
    net->setQuantized(true);
  }
  EvalResult result =
      net->evaluate(test, transform, args.getInt("batch-size", 256), true);
  std::printf("accuracy %.2f %% (%lld of %lld images), %.0f images/s\n",
              100 * result.getAccuracy(), (long long)result.correct,
              (long long)result.count, result.imagesPerSecond);

  std::vector<std::pair<std::string, AgreementResult>> agreements;
  auto runAgreement = [&](const std::string &label, const PredictFn &predict) {
    std::string error;
    AgreementResult agreement;
    if (!computeAgreement(test, transform, result.predictions, predict,
                          agreement, error))
      fail(error);
    std::printf("%s: agreement %.2f %% (%lld of %lld), accuracy %.2f %%\n",
                label.c_str(), 100 * agreement.getAgreement(),
                (long long)agreement.agreeing, (long long)agreement.count,
                100 * agreement.getAccuracy());
    agreements.emplace_back(label, agreement);
  };
  if (args.has("reference")) {
    // The compiler's reference executor on the IR with the same bits and
    // scales (fake-quantized when quantized).
    std::string error;
    if (!model->update(net->getGraph(), error))
      fail(error);
    runAgreement("reference",
                 [&](const std::vector<float> &image,
                     std::vector<float> &logits, std::string &err) {
                   return model->run(image, quantize, logits, err);
                 });
  }
  if (args.has("program")) {
    PredictFn predict;
    std::string error;
    if (!makeProgramPredictor(args.get("program"), predict, error))
      fail(error);
    runAgreement("program", predict);
  }
  if (args.has("json")) {
    std::ostringstream os;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6f", result.getAccuracy());
    os << "{\"model\": \"" << args.get("model")
       << "\", \"images\": " << result.count << ", \"accuracy\": " << buf;
    for (auto &[label, a] : agreements) {
      std::snprintf(buf, sizeof buf, "%.6f", a.getAgreement());
      os << ", \"" << (label == "program" ? "agreement" : label + "_agreement")
         << "\": " << buf;
      std::snprintf(buf, sizeof buf, "%.6f", a.getAccuracy());
      os << ", \"" << label << "_accuracy\": " << buf;
    }
    os << "}\n";
    writeOrFail(args.get("json"), os.str());
  }
  return 0;
}

int runExport(const Args &args) {
  if (!args.has("o"))
    fail("cim-tune: error: -o OUT.onnx is required");
  bool qdq = args.has("qdq");
  std::unique_ptr<IRModel> model = loadModel(args, qdq);
  Graph graph = model->getGraph();
  if (qdq) {
    bool missing = false;
    for (const Node *layer : graph.getLayers())
      missing |= layer->quant && !layer->quant->ascale;
    if (missing) {
      Dataset train = loadData(args, true, 0);
      checkInputShape(graph, train);
      std::unique_ptr<Network> net = makeNetwork(graph);
      net->setActivationScheme(parseScheme(args));
      net->calibrate(train, parseTransform(args), parseCalibration(args));
      graph = net->getGraph();
    }
  }
  writeOrFail(graph, args.get("o"), qdq);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc >= 2 && std::string(argv[1]) == "search")
    return runSearchCommand(argc, argv);
  Args args = parseArgs(argc, argv);
  // Numbers are checked before anything is loaded.
  for (const char *key : {"limit", "epochs", "batch-size", "seed", "wbits",
                          "abits", "calibration-images", "threads"})
    (void)args.getInt(key, 0);
  for (const char *key : {"lr", "weight-decay", "percentile"})
    (void)args.getDouble(key, 0);
  setThreadCount(int(args.getInt("threads", 0)));
  if (args.command == "train")
    return runTrain(args);
  if (args.command == "qat")
    return runQat(args);
  if (args.command == "eval")
    return runEval(args);
  return runExport(args);
}
