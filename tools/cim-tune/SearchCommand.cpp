//===- SearchCommand.cpp - cim-tune search --------------------------------===//
//
//   cim-tune search --model M.onnx --data D --hw HW --max-acc-drop PCT
//                   --episodes N --seed S -o POLICY.json [--json SUMMARY]
//                   [--finetune-epochs E --subset K] [--constraints weight,io]
//
// The DDPG mixed-precision search and its baselines (docs/search.md).
// Every error is one line "where: error: message" and exit status 1; the
// outputs are written at the end, each through a temporary file.
//
//===----------------------------------------------------------------------===//

#include "SearchCommand.h"

#include "cim/Program/Program.h"
#include "cim/Tune/Dataset.h"
#include "cim/Tune/IRModel.h"
#include "cim/Tune/Network.h"
#include "cim/Tune/Search.h"
#include "cim/Tune/SearchEval.h"
#include "cim/Tune/SearchLatency.h"
#include "cim/Tune/SearchReport.h"

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
#include <thread>
#include <vector>

using namespace mlir::cim;
using namespace mlir::cim::tune;

const char *kSearchUsage =
    "  search  mixed-precision search (DDPG) and baselines:\n"
    "          --model M.onnx --data D --hw HW --max-acc-drop PCT --episodes "
    "N\n"
    "          --seed S -o POLICY.json [--json SUMMARY.json] "
    "[--finetune-epochs E]\n"
    "          [--subset K] [--constraints weight,io] (docs/search.md)\n";

namespace {

const char *kHelp =
    "usage: cim-tune search --model M.onnx -o POLICY.json [options]\n"
    "  --data NAME --data-dir DIR   training data (default fashion-mnist)\n"
    "  --hw NAME|FILE         hardware preset or YAML (default: the default "
    "preset)\n"
    "  --placement P          latencies with cimc --placement P: packed\n"
    "                         (default) or spread\n"
    "  --max-acc-drop PCT     allowed accuracy drop in percent (default 0.5)\n"
    "  --episodes N           DDPG episodes (default 100); random and greedy\n"
    "                         get the same number of evaluations\n"
    "  --seed S               (default 1)\n"
    "  --warmup N             random-action episodes first (default "
    "min(20, N/4))\n"
    "  --batch-episodes B     episodes rolled out per agent round (default 2)\n"
    "  --jobs N               evaluation threads (default: one per core); "
    "does not change results\n"
    "  --noise S --noise-decay D  exploration sigma (0.5) and its decay per\n"
    "                         episode (default: to 1 % of S by the end, in "
    "[0.8, 0.99])\n"
    "  --constraints LIST     weight, io, both or none (default none)\n"
    "  --min-bits B --max-bits B  width range (default 2..8)\n"
    "  --finetune-epochs E    short fine-tune per evaluation (default 1)\n"
    "  --subset K             fine-tune images (default 2000)\n"
    "  --validation V         validation images from the end of the training "
    "set (default 5000)\n"
    "  --lr X --batch-size N  fine-tune learning rate (0.002) and batch (64)\n"
    "  --target-speedup X     latency budget: searched policies are lowered\n"
    "                         until X times faster than W8A8, the reward is\n"
    "                         the accuracy (default 0: none, latency in the\n"
    "                         reward)\n"
    "  --sensitivity-images N under a budget, lower first the widths whose\n"
    "                         measured output divergence (N images, no\n"
    "                         training) grows least per cycle saved\n"
    "                         (default 256; 0: the 2^-bits rule alone)\n"
    "  --final-epochs E --final-lr X  final QAT (default 8 epochs, 0.005)\n"
    "  --final-weight-decay X final QAT weight decay (default 5e-4)\n"
    "  --final-seeds N        final QAT of each chosen policy with N seeds;\n"
    "                         the mean is reported (default 1)\n"
    "  --final-candidates K   final QAT of each search's K best policies by\n"
    "                         the short fine-tune; the best by validation\n"
    "                         accuracy after it is chosen (default 1)\n"
    "  --calibration M        activation ranges before every fine-tune and\n"
    "                         the final QAT: percentile (99.99, default), mse\n"
    "                         (least error at each layer's width) or minmax\n"
    "  --augment LIST         final QAT augmentation: flip, crop:N, none\n"
    "                         (default flip)\n"
    "  --fixed-weight-scales  do not learn the weight scales (LSQ) in the\n"
    "                         fine-tunes and the final QAT\n"
    "  --limit N              the first N test images for the final accuracy\n"
    "  --no-baselines         skip random and greedy search\n"
    "  --no-final-qat         report validation accuracies only\n"
    "  --mean X[,Y,Z] --std X[,Y,Z]  input normalization after /255\n"
    "  --json FILE            summary (speedups, accuracies, baselines)\n"
    "  --pareto PREFIX        PREFIX.csv and PREFIX.svg (default: POLICY "
    "without .json, + .pareto)\n"
    "  --checkpoint FILE      (default POLICY.json.ckpt) resumed when present\n"
    "  --quiet                no progress lines\n";

[[noreturn]] void fail(const std::string &line) {
  std::cerr << line << "\n";
  std::exit(1);
}

// clang-format off
const std::set<std::string> kValues = {
    "model", "data", "data-dir", "hw", "max-acc-drop", "episodes", "seed",
    "warmup", "batch-episodes", "jobs", "constraints", "min-bits", "max-bits",
    "finetune-epochs", "subset", "validation", "lr", "batch-size",
    "final-epochs", "final-lr", "final-weight-decay", "augment", "mean", "std",
    "json", "pareto", "checkpoint", "limit", "noise", "noise-decay",
    "target-speedup", "sensitivity-images", "final-seeds", "final-candidates",
    "calibration", "placement", "o"};
// clang-format on
const std::set<std::string> kFlags = {"no-baselines", "no-final-qat", "quiet",
                                      "fixed-weight-scales"};

struct Options {
  std::map<std::string, std::string> values;
  std::set<std::string> flags;

  std::string get(const std::string &k, const std::string &d = "") const {
    auto it = values.find(k);
    return it == values.end() ? d : it->second;
  }
  int64_t count(const std::string &k, int64_t d, int64_t min = 0) const {
    if (!values.count(k))
      return d;
    const std::string &t = values.at(k);
    char *end = nullptr;
    long long v = std::strtoll(t.c_str(), &end, 10);
    if (t.empty() || *end || v < min)
      fail("cim-tune: error: --" + k + " expects an integer >= " +
           std::to_string(min) + ", got '" + t + "'");
    return v;
  }
  double number(const std::string &k, double d, double min, double max) const {
    if (!values.count(k))
      return d;
    const std::string &t = values.at(k);
    char *end = nullptr;
    double v = std::strtod(t.c_str(), &end);
    if (t.empty() || *end || !std::isfinite(v) || v < min || v > max) {
      char range[64];
      std::snprintf(range, sizeof range, "[%g, %g]", min, max);
      fail("cim-tune: error: --" + k + " expects a number in " + range +
           ", got '" + t + "'");
    }
    return v;
  }
};

Options parse(int argc, char **argv) {
  Options o;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i], key, value;
    bool inline_ = false;
    if (arg == "-o")
      key = "o";
    else if (arg.rfind("--", 0) == 0) {
      key = arg.substr(2);
      size_t eq = key.find('=');
      if (eq != std::string::npos) {
        value = key.substr(eq + 1);
        key.resize(eq);
        inline_ = true;
      }
    } else
      fail("cim-tune: error: unexpected argument '" + arg + "'");
    if (key == "help") {
      std::cout << kHelp;
      std::exit(0);
    }
    if (kFlags.count(key)) {
      if (inline_)
        fail("cim-tune: error: option '--" + key + "' takes no value");
      o.flags.insert(key);
      continue;
    }
    if (!kValues.count(key))
      fail("cim-tune: error: option '" + arg + "' does not apply to 'search'");
    if (!inline_) {
      if (i + 1 >= argc)
        fail("cim-tune: error: option '" + arg + "' needs a value");
      value = argv[++i];
    }
    o.values[key] = value;
  }
  return o;
}

std::vector<float> floatList(const Options &o, const std::string &key) {
  std::vector<float> out;
  std::stringstream ss(o.get(key));
  std::string item;
  while (std::getline(ss, item, ',')) {
    char *end = nullptr;
    float v = std::strtof(item.c_str(), &end);
    if (item.empty() || *end || (key == "std" && !(v > 0)))
      fail("cim-tune: error: --" + key + " expects comma-separated numbers" +
           (key == "std" ? " > 0" : "") + ", got '" + o.get(key) + "'");
    out.push_back(v);
  }
  return out;
}

void writeOrFail(const std::string &path, const std::string &bytes) {
  std::string error;
  if (!prog::writeFileAtomically(path, bytes, error))
    fail(error);
}

} // namespace

int runSearchCommand(int argc, char **argv) {
  Options o = parse(argc, argv);
  if (!o.values.count("model"))
    fail("cim-tune: error: --model M.onnx is required");
  if (!o.values.count("o"))
    fail("cim-tune: error: -o POLICY.json is required");

  SearchOptions search;
  search.maxAccDrop = o.number("max-acc-drop", 0.5, 0, 100) / 100;
  search.episodes = o.count("episodes", 100, 1);
  search.seed = uint64_t(o.count("seed", 1));
  search.warmup = o.count("warmup", -1, 0);
  search.batchEpisodes = o.count("batch-episodes", 2, 1);
  search.jobs = int(
      o.count("jobs", std::max(1u, std::thread::hardware_concurrency()), 1));
  search.noiseSigma = o.number("noise", 0.5, 0, 10);
  search.noiseDecay = o.number("noise-decay", -1, -1, 1);
  search.targetSpeedup = o.number("target-speedup", 0, 0, 1000);
  search.minBits = unsigned(o.count("min-bits", 2, 1));
  search.maxBits = unsigned(o.count("max-bits", 8, 1));
  if (search.maxBits > 16 || search.minBits > search.maxBits)
    fail("cim-tune: error: --min-bits and --max-bits must satisfy 1 <= min "
         "<= max <= 16");
  std::string error;
  if (!parseConstraints(o.get("constraints"), search.constraints, error))
    fail("cim-tune: error: --constraints: " + error);
  search.baselines = !o.flags.count("no-baselines");
  search.finalQat = !o.flags.count("no-final-qat");
  search.finalSeeds = o.count("final-seeds", 1, 1);
  // Not in the fingerprint: the caches are keyed by policy and seed, so a
  // finished search can be resumed to compare more candidates.
  search.finalCandidates = o.count("final-candidates", 1, 1);
  std::string policyPath = o.get("o");
  search.checkpoint = o.get("checkpoint", policyPath + ".ckpt");
  std::string pareto = o.get("pareto");
  if (pareto.empty()) {
    pareto = policyPath;
    if (pareto.size() > 5 && pareto.substr(pareto.size() - 5) == ".json")
      pareto.resize(pareto.size() - 5);
    pareto += ".pareto";
  }

  FinetuneOptions finetune;
  finetune.epochs = o.count("finetune-epochs", 1);
  finetune.subset = o.count("subset", 2000, 1);
  finetune.validation = o.count("validation", 5000, 1);
  finetune.learningRate = o.number("lr", 0.002, 0, 10);
  finetune.batchSize = o.count("batch-size", 64, 1);
  finetune.finalEpochs = o.count("final-epochs", 8);
  finetune.finalLearningRate = o.number("final-lr", 0.005, 0, 10);
  finetune.finalWeightDecay = o.number("final-weight-decay", 5e-4, 0, 1);
  finetune.learnWeightScales = !o.flags.count("fixed-weight-scales");
  std::string augment = o.get("augment", "flip");
  if (augment != "none" &&
      !parseAugmentation(augment, finetune.transform, error))
    fail(error);
  finetune.seed = search.seed;
  finetune.transform.mean = floatList(o, "mean");
  finetune.transform.std = floatList(o, "std");
  finetune.calibrationImages = std::min<int64_t>(256, finetune.subset);
  finetune.sensitivityImages = o.count("sensitivity-images", 256);
  std::string calibration = o.get("calibration", "percentile");
  if (!parseCalibrationMethod(calibration, finetune.calibration, error))
    fail(error);
  search.sensitivity = finetune.sensitivityImages > 0;

  bool quiet = o.flags.count("quiet");
  if (!quiet)
    search.log = [](const std::string &line) { std::cerr << line << "\n"; };
  auto start = std::chrono::steady_clock::now();

  // The compiler's view (latency) and the trainable graph (accuracy).
  std::string model = o.get("model");
  std::string placementName = o.get("placement", "packed");
  std::optional<Placement> placement = parsePlacement(placementName);
  if (!placement)
    fail("cim-tune: error: --placement expects packed or spread, got '" +
         placementName + "'");
  std::unique_ptr<LatencyModel> latency =
      LatencyModel::create(model, o.get("hw"), error, *placement);
  if (!latency)
    fail(error);
  LoadOptions load;
  load.quantize = true;
  std::unique_ptr<IRModel> ir = IRModel::load(model, load, error);
  if (!ir)
    fail(error);
  const Graph &graph = ir->getGraph();
  if (graph.getLayers().size() != latency->getLayers().size())
    fail(model + ": error: the compiler sees " +
         std::to_string(latency->getLayers().size()) +
         " weight-bearing layers, the training graph " +
         std::to_string(graph.getLayers().size()));
  Dataset train, test;
  std::string data = o.get("data", "fashion-mnist");
  if (!loadDataset(data, o.get("data-dir"), true, train, error) ||
      !loadDataset(data, o.get("data-dir"), false, test, error))
    fail(error);
  test.truncate(o.count("limit", 0));
  const std::vector<int64_t> &shape = graph.inputShapes[0];
  if (shape.size() != 4 || shape[1] != train.channels ||
      shape[2] != train.height || shape[3] != train.width)
    fail("cim-tune: error: the model's input " + graph.inputNames[0] +
         " does not take " + std::to_string(train.channels) + "x" +
         std::to_string(train.height) + "x" + std::to_string(train.width) +
         " images");
  if (finetune.validation >= train.count)
    fail("cim-tune: error: --validation " +
         std::to_string(finetune.validation) + " leaves no training images (" +
         std::to_string(train.count) + " in all)");

  search.layers = latency->getLayers();
  describeLayers(graph, search.layers);
  setThreadCount(1);
  AccuracyModel accuracy(graph, train, test, finetune);
  LocalEvaluator evaluator(*latency, accuracy, search.jobs);

  // Everything that changes results goes into the checkpoint's fingerprint.
  std::ostringstream fp;
  fp << "model=" << model << ";hw=" << o.get("hw") << ";data=" << data << ","
     << o.get("data-dir") << ";finetune=" << finetune.epochs << ","
     << finetune.subset << "," << finetune.validation << "," << o.get("lr")
     << "," << finetune.batchSize << ";final=" << finetune.finalEpochs << ","
     << o.get("final-lr") << "," << o.get("final-weight-decay") << ","
     << augment << ",lsq" << finetune.learnWeightScales
     << ";norm=" << o.get("mean") << "/" << o.get("std")
     << ";baselines=" << search.baselines << search.finalQat
     << ";probe=" << finetune.sensitivityImages;
  // (Only a non-default method: older checkpoints keep their fingerprint.)
  if (finetune.calibration != quant::CalibrationMethod::Percentile)
    fp << ";calibration=" << calibration;
  if (*placement != Placement::Packed)
    fp << ";placement=" << placementName;
  // The cost model's version and the hardware as loaded: latencies cached
  // by an older compiler or for an edited hardware file are not reused.
  fp << ";" << latency->getCostFingerprint();
  search.fingerprint = fp.str();

  SearchResult result;
  if (!accuracy.floatAccuracy(result.floatAccuracy,
                              result.floatValidationAccuracy, error))
    fail(error);
  if (!runSearch(*latency, evaluator, search, result, error))
    fail(error);

  const ChosenPolicy &best = result.chosen[0];
  std::string summary = formatSummaryJson(result, search, model);
  writeOrFail(policyPath, formatPolicyJson(result.layers, best.policy));
  if (o.values.count("json"))
    writeOrFail(o.get("json"), summary);
  writeOrFail(pareto + ".csv", formatParetoCsv(result));
  writeOrFail(pareto + ".svg",
              formatParetoSvg(result, model + " on " + result.hardware));

  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::printf("%-7s %9s %12s %10s %8s\n", "policy", "speedup", "latency",
              "accuracy", "drop");
  for (const ChosenPolicy &c : result.chosen) {
    bool final = c.testAccuracy >= 0;
    double acc = final ? c.testAccuracy : c.validationAccuracy;
    std::printf(
        "%-7s %8.2fx %12llu %8.2f %% %6.2f %%\n", c.source.c_str(), c.speedup,
        (unsigned long long)c.latencyCycles, 100 * acc,
        100 *
            ((final ? result.floatAccuracy : result.referenceAccuracy) - acc));
  }
  std::string final;
  if (search.finalQat && search.finalSeeds > 1)
    final +=
        ", final QAT mean of " + std::to_string(search.finalSeeds) + " seeds";
  if (search.finalQat && search.finalCandidates > 1)
    final += ", each search's best of " +
             std::to_string(search.finalCandidates) + " by validation after it";
  std::printf("float accuracy %.2f %% (test)%s, %lld evaluations, %.1f s; "
              "policy %s\n",
              100 * result.floatAccuracy, final.c_str(),
              (long long)result.evaluations, seconds, policyPath.c_str());
  return 0;
}
