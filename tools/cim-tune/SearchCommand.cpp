//===- SearchCommand.cpp - cim-tune search --------------------------------===//
//
//   cim-tune search --model M.onnx --data D --hw HW --max-drop PCT
//                   --episodes N --seed S -o POLICY.json [--json SUMMARY]
//                   [--finetune-epochs E --subset K] [--constraints weight,io]
//
// The DDPG mixed-precision search and its baselines (docs/search.md): its
// options (llvm::cl, the `search` subcommand of Options.h) and its driver.
// Every error is one line "where: error: message" and exit status 1; the
// outputs are written at the end, each through a temporary file.
//
//===----------------------------------------------------------------------===//

#include "SearchCommand.h"

#include "Options.h"

#include "cim/Support/OutputFiles.h"
#include "cim/Tune/Dataset.h"
#include "cim/Tune/IRModel.h"
#include "cim/Tune/Network.h"
#include "cim/Tune/Search.h"
#include "cim/Tune/SearchEval.h"
#include "cim/Tune/SearchLatency.h"
#include "cim/Tune/SearchReport.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace mlir::cim;
using namespace mlir::cim::tune;
namespace cl = llvm::cl;

namespace {

const Of searchOnly = {Command::Search};

TextOption hardware("hw",
                    cl::desc("hardware preset or YAML (default: the default "
                             "preset)"),
                    cl::value_desc("NAME|FILE"), searchOnly);
EnumOption<Placement> placement("placement",
                                cl::desc("latencies with cimc --placement"),
                                Names<Placement>{getPlacementNames()},
                                cl::init(Placement::Packed), searchOnly);
NumberOption maxDrop("max-drop",
                     cl::desc("allowed drop of --metric in percent points "
                              "(default 0.5)"),
                     InRange{0, 100}, cl::init(0.5), searchOnly);
NumberOption maxAccDrop("max-acc-drop", cl::desc("the same as --max-drop"),
                        InRange{0, 100}, cl::init(0.5), searchOnly);
EnumOption<Metric>
    metric("metric",
           cl::desc("what a policy is measured by: accuracy (labels), or "
                    "top-1 agreement or output cosine with the float model "
                    "(default: accuracy when the data has labels, else "
                    "agreement)"),
           Names<Metric>{getMetricNames()}, cl::init(Metric::Accuracy),
           searchOnly);
EnumOption<FinetuneMode>
    finetuneMode("finetune",
                 cl::desc("how fine-tunes and the final QAT learn: qat "
                          "(labels), distill (the float model as teacher), "
                          "ptq (post-training quantization, no training) or "
                          "none (calibration only; default: qat when the "
                          "data has labels, else distill)"),
                 Names<FinetuneMode>{getFinetuneModeNames()},
                 cl::init(FinetuneMode::Labels), searchOnly);
EnumOption<DistillLoss>
    distillLoss("distill-loss",
                cl::desc("with --finetune distill: kl, mse, cosine or auto "
                         "(per output)"),
                Names<DistillLoss>{getDistillLossNames()},
                cl::init(DistillLoss::Auto), searchOnly);
CountOption episodes("episodes",
                     cl::desc("DDPG episodes; random and greedy get the same "
                              "number of evaluations"),
                     AtLeast{1}, cl::init(100), searchOnly);
CountOption warmup("warmup",
                   cl::desc("random-action episodes first (default "
                            "min(20, episodes/4))"),
                   cl::init(-1), searchOnly);
CountOption batchEpisodes("batch-episodes",
                          cl::desc("episodes rolled out per agent round"),
                          AtLeast{1}, cl::init(2), searchOnly);
CountOption jobs("jobs",
                 cl::desc("evaluation threads (default: one per core); does "
                          "not change results"),
                 AtLeast{1}, searchOnly);
NumberOption noise("noise", cl::desc("exploration sigma"), InRange{0, 10},
                   cl::init(0.5), searchOnly);
NumberOption noiseDecay("noise-decay",
                        cl::desc("sigma's decay per episode (default: to 1 % "
                                 "of sigma by the end, in [0.8, 0.99])"),
                        InRange{-1, 1}, cl::init(-1), searchOnly);
TextOption constraints("constraints", cl::desc("weight, io, both or none"),
                       cl::value_desc("LIST"), searchOnly);
CountOption minBits("min-bits", cl::desc("narrowest width"), AtLeast{1},
                    cl::init(2), searchOnly);
CountOption maxBits("max-bits", cl::desc("widest width"), AtLeast{1},
                    cl::init(8), searchOnly);
CountOption finetuneEpochs("finetune-epochs",
                           cl::desc("short fine-tune per evaluation"),
                           cl::init(1), searchOnly);
CountOption subset("subset", cl::desc("fine-tune images"), AtLeast{1},
                   cl::init(2000), searchOnly);
CountOption validation("validation",
                       cl::desc("validation images: the end of a named "
                                "training set, spread evenly over a data "
                                "folder"),
                       AtLeast{1}, cl::init(5000), searchOnly);
NumberOption learningRate("lr", cl::desc("fine-tune learning rate"),
                          InRange{0, 10}, cl::init(0.002), searchOnly);
CountOption batchSize("batch-size", cl::desc("fine-tune batch"), AtLeast{1},
                      cl::init(64), searchOnly);
NumberOption targetSpeedup("target-speedup",
                           cl::desc("latency budget: searched policies are "
                                    "lowered until this much faster than "
                                    "W8A8, the reward is the accuracy (0: "
                                    "none, latency in the reward)"),
                           InRange{0, 1000}, cl::init(0), searchOnly);
CountOption sensitivityImages("sensitivity-images",
                              cl::desc("under a budget, lower first the "
                                       "widths whose measured output "
                                       "divergence (N images, no training) "
                                       "grows least per cycle saved (0: the "
                                       "2^-bits rule alone)"),
                              cl::init(256), searchOnly);
CountOption finalEpochs("final-epochs", cl::desc("final QAT epochs"),
                        cl::init(8), searchOnly);
NumberOption finalLearningRate("final-lr", cl::desc("final QAT learning rate"),
                               InRange{0, 10}, cl::init(0.005), searchOnly);
EnumOption<Optimizer>
    finalOptimizer("final-optimizer",
                   cl::desc("final QAT optimizer: sgd (Nesterov momentum) "
                            "or adam"),
                   Names<Optimizer>{getOptimizerNames()},
                   cl::init(Optimizer::Sgd), searchOnly);
NumberOption finalWeightDecay("final-weight-decay",
                              cl::desc("final QAT weight decay"), InRange{0, 1},
                              cl::init(5e-4), searchOnly);
CountOption finalSeeds("final-seeds",
                       cl::desc("final QAT of each chosen policy with N "
                                "seeds; the mean is reported"),
                       AtLeast{1}, cl::init(1), searchOnly);
CountOption finalCandidates("final-candidates",
                            cl::desc("final QAT of each search's K best "
                                     "policies by the short fine-tune; the "
                                     "best by validation accuracy after it "
                                     "is chosen"),
                            AtLeast{1}, cl::init(1), searchOnly);
EnumOption<quant::CalibrationMethod> calibrationMethod(
    "calibration",
    cl::desc("activation ranges before every fine-tune and the final QAT"),
    Names<quant::CalibrationMethod>{getCalibrationNames()},
    cl::init(quant::CalibrationMethod::Percentile), searchOnly);
TextOption augmentation("augment",
                        cl::desc("final QAT augmentation: flip, crop:N, "
                                 "random-resized-crop (image folders), "
                                 "none"),
                        cl::value_desc("LIST"), cl::init("flip"), searchOnly);
FlagOption fixedWeightScales("fixed-weight-scales",
                             cl::desc("do not learn the weight scales (LSQ) "
                                      "in the fine-tunes and the final QAT"),
                             searchOnly);
FlagOption noBaselines("no-baselines",
                       cl::desc("skip random and greedy search"), searchOnly);
FlagOption noFinalQat("no-final-qat",
                      cl::desc("report validation accuracies only"),
                      searchOnly);
TextOption paretoPrefix("pareto",
                        cl::desc("PREFIX.csv and PREFIX.svg (default: the "
                                 "policy without .json, + .pareto)"),
                        cl::value_desc("PREFIX"), searchOnly);
FlagOption quiet("quiet", cl::desc("no progress lines"), searchOnly);

void writeOrFail(const std::string &path, const std::string &bytes) {
  std::string error;
  if (!writeFileAtomically(path, bytes, error))
    fail(path + ": error: " + error);
}

} // namespace

int tune::runSearchCommand() {
  if (!modelPath.getNumOccurrences())
    fail("cim-tune: error: --model M.onnx is required");
  if (!outputPath.getNumOccurrences())
    fail("cim-tune: error: -o POLICY.json is required");

  SearchOptions search;
  if (maxDrop.getNumOccurrences() && maxAccDrop.getNumOccurrences())
    fail("cim-tune: error: --max-acc-drop is --max-drop: give one");
  search.maxAccDrop =
      (maxAccDrop.getNumOccurrences() ? maxAccDrop : maxDrop) / 100;
  search.episodes = episodes;
  search.seed = uint64_t(int64_t(seedOption));
  search.warmup = warmup;
  search.batchEpisodes = batchEpisodes;
  search.jobs = jobs.getNumOccurrences()
                    ? int(jobs)
                    : int(std::max(1u, std::thread::hardware_concurrency()));
  search.noiseSigma = noise;
  search.noiseDecay = noiseDecay;
  search.targetSpeedup = targetSpeedup;
  search.minBits = unsigned(minBits);
  search.maxBits = unsigned(maxBits);
  if (search.maxBits > 16 || search.minBits > search.maxBits)
    fail("cim-tune: error: --min-bits and --max-bits must satisfy 1 <= min "
         "<= max <= 16");
  std::string error;
  if (!parseConstraints(constraints, search.constraints, error))
    fail("cim-tune: error: --constraints: " + error);
  search.baselines = !noBaselines;
  search.finalQat = !noFinalQat;
  search.finalSeeds = finalSeeds;
  // Not in the fingerprint: the caches are keyed by policy and seed, so a
  // finished search can be resumed to compare more candidates.
  search.finalCandidates = finalCandidates;
  std::string policyPath = outputPath;
  search.checkpoint = checkpointPath.getNumOccurrences()
                          ? std::string(checkpointPath)
                          : policyPath + ".ckpt";
  std::string pareto = paretoPrefix;
  if (pareto.empty()) {
    pareto = policyPath;
    if (pareto.size() > 5 && pareto.substr(pareto.size() - 5) == ".json")
      pareto.resize(pareto.size() - 5);
    pareto += ".pareto";
  }

  FinetuneOptions finetune;
  finetune.epochs = finetuneEpochs;
  finetune.subset = subset;
  finetune.validation = validation;
  finetune.learningRate = learningRate;
  finetune.batchSize = batchSize;
  finetune.finalEpochs = finalEpochs;
  finetune.finalLearningRate = finalLearningRate;
  finetune.finalWeightDecay = finalWeightDecay;
  finetune.finalOptimizer = finalOptimizer;
  finetune.learnWeightScales = !fixedWeightScales;
  std::string augment = augmentation;
  if (augment != "none" &&
      !parseAugmentation(augment, finetune.transform, error))
    fail(error);
  finetune.seed = search.seed;
  finetune.transform.mean = meanOption;
  finetune.transform.std = stdOption;
  finetune.transform.resize = resizeOption;
  finetune.calibrationImages = std::min<int64_t>(256, finetune.subset);
  finetune.sensitivityImages = sensitivityImages;
  finetune.calibration = calibrationMethod;
  search.sensitivity = finetune.sensitivityImages > 0;

  if (!quiet)
    search.log = [](const std::string &line) { std::cerr << line << "\n"; };
  auto start = std::chrono::steady_clock::now();

  // The compiler's view (latency) and the trainable graph (accuracy).
  std::string model = modelPath;
  std::unique_ptr<LatencyModel> latency =
      LatencyModel::create(model, hardware, error, placement);
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
  std::string data = dataName;
  if (!loadDataset(data, dataDir, true, train, error, &graph) ||
      !loadDataset(data, dataDir, false, test, error, &graph) ||
      !checkImageShape(graph, train, error))
    fail(error);
  // The default flip is for images: tensor files are taken as they are.
  if (train.folder && !train.isImageFolder() &&
      !augmentation.getNumOccurrences())
    finetune.transform.horizontalFlip = false;
  if (!checkTransform(train, finetune.transform, error))
    fail(error);
  test.truncate(limitOption);
  // Without labels: measured against the float model, taught by it.
  bool labeled = !train.labels.empty() && !test.labels.empty();
  finetune.metric = metric.getNumOccurrences() || labeled ? Metric(metric)
                                                          : Metric::Agreement;
  finetune.mode = finetuneMode.getNumOccurrences() || labeled
                      ? FinetuneMode(finetuneMode)
                      : FinetuneMode::Distill;
  finetune.distillLoss = distillLoss;
  search.metric = stringify(finetune.metric);
  search.finetune = stringify(finetune.mode);
  if (!labeled && finetune.metric == Metric::Accuracy)
    fail("cim-tune: error: --metric accuracy needs labels, and the data has "
         "none: use --metric agreement or cosine");
  if (!labeled && finetune.mode == FinetuneMode::Labels)
    fail("cim-tune: error: --finetune qat needs labels, and the data has "
         "none: use --finetune distill, ptq or none");
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
  // (Numbers as typed, "" when not given.)
  fp << "model=" << model << ";hw=" << hardware << ";data=" << data << ","
     << dataDir << ";finetune=" << finetune.epochs << "," << finetune.subset
     << "," << finetune.validation << "," << learningRate.getParser().getText()
     << "," << finetune.batchSize << ";final=" << finetune.finalEpochs << ","
     << finalLearningRate.getParser().getText() << ","
     << finalWeightDecay.getParser().getText() << "," << augment << ",lsq"
     << finetune.learnWeightScales
     // Adam after the rest, so that SGD searches keep their fingerprints.
     << (finetune.finalOptimizer == Optimizer::Adam ? ",adam" : "")
     << ";norm=" << meanOption.getParser().getText() << "/"
     << stdOption.getParser().getText() << ";baselines=" << search.baselines
     << search.finalQat << ";probe=" << finetune.sensitivityImages;
  if (resizeOption.getNumOccurrences())
    fp << ";resize=" << finetune.transform.resize;
  // (Only a non-default method: older checkpoints keep their fingerprint.)
  if (finetune.calibration != quant::CalibrationMethod::Percentile)
    fp << ";calibration="
       << calibrationMethod.getParser().getName(finetune.calibration).str();
  if (placement != Placement::Packed)
    fp << ";placement=" << stringify(placement).str();
  if (finetune.metric != Metric::Accuracy)
    fp << ";metric=" << stringify(finetune.metric);
  if (finetune.mode != FinetuneMode::Labels)
    fp << ";finetune=" << stringify(finetune.mode) << ","
       << stringify(finetune.distillLoss);
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
  if (jsonPath.getNumOccurrences())
    writeOrFail(jsonPath, summary);
  writeOrFail(pareto + ".csv", formatParetoCsv(result));
  writeOrFail(pareto + ".svg",
              formatParetoSvg(result, model + " on " + result.hardware));

  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::printf("%-7s %9s %12s %10s %8s\n", "policy", "speedup", "latency",
              stringify(finetune.metric), "drop");
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
  std::printf("float %s %.2f %% (test)%s, %lld evaluations, %.1f s; "
              "policy %s\n",
              stringify(finetune.metric), 100 * result.floatAccuracy,
              final.c_str(), (long long)result.evaluations, seconds,
              policyPath.c_str());
  return 0;
}
