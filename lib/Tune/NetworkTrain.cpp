//===- NetworkTrain.cpp - Training a Network, and its checkpoints ---------===//
//
// Float training and QAT of a Network (SGD with Nesterov momentum or Adam,
// cosine schedule, distillation from a teacher), and the checkpoint written
// after every epoch that a rerun resumes from (docs/tune.md, "Checkpoints").
//
//===----------------------------------------------------------------------===//

#include "NetworkImpl.h"

#include "cim/Support/OutputFiles.h"
#include "cim/Tune/Metrics.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>

using namespace mlir::cim;
using namespace mlir::cim::tune;
using torch::Tensor;

namespace {
/// A fingerprint of the network's structure: a checkpoint only resumes the
/// network (and quantization) it was written for.
std::string fingerprint(const Graph &graph, bool quantized) {
  std::string text = quantized ? "q" : "f";
  for (const Node &node : graph.nodes) {
    text += node.op;
    if (node.quant)
      text += "/" + std::to_string(node.quant->wbits) + "." +
              std::to_string(node.quant->abits);
    text += ";";
  }
  for (const auto &[id, t] : graph.constants)
    text += std::to_string(id) + ":" + std::to_string(t.data.size()) + ",";
  return text;
}

/// The optimizer of `options` over the trained constants `params` and the
/// learned `scales` (a group of their own, without weight decay).
std::unique_ptr<torch::optim::Optimizer>
makeOptimizer(const TrainOptions &options, const std::vector<Tensor> &params,
              const std::vector<Tensor> &scales) {
  std::vector<torch::optim::OptimizerParamGroup> groups;
  switch (options.optimizer) {
  case Optimizer::Adam: {
    auto opts = torch::optim::AdamOptions(options.learningRate)
                    .weight_decay(options.weightDecay);
    groups.emplace_back(params,
                        std::make_unique<torch::optim::AdamOptions>(opts));
    if (!scales.empty())
      groups.emplace_back(scales,
                          std::make_unique<torch::optim::AdamOptions>(
                              torch::optim::AdamOptions(options.learningRate)));
    return std::make_unique<torch::optim::Adam>(groups, opts);
  }
  case Optimizer::Sgd:
    break;
  }
  auto opts = torch::optim::SGDOptions(options.learningRate)
                  .momentum(options.momentum)
                  .nesterov(options.momentum > 0)
                  .weight_decay(options.weightDecay);
  groups.emplace_back(params, std::make_unique<torch::optim::SGDOptions>(opts));
  if (!scales.empty())
    groups.emplace_back(scales,
                        std::make_unique<torch::optim::SGDOptions>(
                            torch::optim::SGDOptions(options.learningRate)
                                .momentum(options.momentum)));
  return std::make_unique<torch::optim::SGD>(groups, opts);
}

/// Calls `fn(key, tensor)` for every tensor of the network a checkpoint
/// holds: constants ("c<id>"), activation scales ("s<node>") and learned
/// weight scales ("w<node>").
template <typename Fn> void forEachCheckpointTensor(Network::Impl &net, Fn fn) {
  for (auto &[id, t] : net.constants)
    fn("c" + std::to_string(id), t);
  for (auto &[index, s] : net.actScales)
    fn("s" + std::to_string(index), s);
  for (auto &[index, s] : net.weightScales)
    fn("w" + std::to_string(index), s);
  for (auto &[index, s] : net.operandScales)
    fn("o" + std::to_string(index), s);
}

/// Restores the network and the optimizer from the checkpoint `path` of a
/// network with fingerprint `print`; the epochs it had done in `epochs`.
bool readCheckpoint(const std::string &path, const std::string &print,
                    Network::Impl &net, torch::optim::Optimizer &optimizer,
                    int64_t &epochs, std::string &error) {
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    c10::IValue stored;
    archive.read("fingerprint", stored);
    if (!stored.isString() || stored.toStringRef() != print) {
      error = path + ": error: the checkpoint belongs to another network or "
                     "quantization; remove it or pass another --checkpoint";
      return false;
    }
    c10::IValue epoch;
    archive.read("epoch", epoch);
    epochs = epoch.toInt();
    torch::NoGradGuard noGrad;
    forEachCheckpointTensor(net, [&](const std::string &key, Tensor &t) {
      Tensor saved;
      archive.read(key, saved);
      t.copy_(saved);
    });
    torch::serialize::InputArchive optState;
    archive.read("optimizer", optState);
    optimizer.load(optState);
  } catch (const c10::Error &e) {
    error = path + ": error: cannot read the checkpoint: " +
            e.what_without_backtrace();
    return false;
  }
  return true;
}

/// Writes the checkpoint whole (cim::writeFileAtomically) after `epochs`
/// epochs.
bool writeCheckpoint(const std::string &path, const std::string &print,
                     Network::Impl &net,
                     const torch::optim::Optimizer &optimizer, int64_t epochs,
                     std::string &error) {
  std::ostringstream bytes;
  try {
    torch::serialize::OutputArchive archive;
    archive.write("fingerprint", c10::IValue(print));
    archive.write("epoch", c10::IValue(epochs));
    forEachCheckpointTensor(net, [&](const std::string &key, Tensor &t) {
      archive.write(key, t.detach());
    });
    torch::serialize::OutputArchive optState;
    optimizer.save(optState);
    archive.write("optimizer", optState);
    archive.save_to(bytes);
  } catch (const c10::Error &e) {
    error = path + ": error: cannot write the checkpoint: " +
            e.what_without_backtrace();
    return false;
  }
  if (!writeFileAtomically(path, bytes.str(), error)) {
    error = path + ": error: " + error;
    return false;
  }
  return true;
}
} // namespace

void Network::Impl::initWeightScales() {
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node &node = graph.nodes[i];
    if (!node.quant || node.quant->wscheme != quant::Scheme::Symmetric ||
        !graph.constants.count(node.inputs[1]))
      continue;
    Tensor scale, zp;
    computeWeightParams(constants.at(node.inputs[1]),
                        getWeightLayout(graph, node), node.quant->wscheme,
                        node.quant->wbits, node.quant->perChannel, scale, zp);
    scale.set_requires_grad(true);
    weightScales[i] = scale;
  }
}

bool Network::train(const Dataset &data, const Dataset *test,
                    const TrainOptions &options, std::string &error) {
  Impl &net = *impl;
  // Training changes the weights: their scales follow them from now on
  // (computed from them, or learned beside them).
  for (Node &node : net.graph.nodes)
    if (node.quant) {
      node.quant->wscale.clear();
      node.quant->wzp.clear();
    }
  net.weightScales.clear();
  if (net.quantized && options.learnWeightScales)
    net.initWeightScales();
  std::vector<Tensor> scales;
  if (net.quantized && options.learnScales)
    for (auto *group : {&net.actScales, &net.operandScales})
      for (auto &[index, s] : *group)
        scales.push_back(s);
  for (auto &[index, s] : net.weightScales)
    scales.push_back(s);
  std::unique_ptr<torch::optim::Optimizer> optimizer =
      makeOptimizer(options, net.parameters(), scales);

  // Resume from the checkpoint when it belongs to this network.
  std::string print = fingerprint(net.graph, net.quantized);
  if (!net.weightScales.empty())
    print += "learned weight scales";
  int64_t firstEpoch = 0;
  if (!options.checkpoint.empty() && std::ifstream(options.checkpoint) &&
      !readCheckpoint(options.checkpoint, print, net, *optimizer, firstEpoch,
                      error))
    return false;
  auto save = [&](int64_t epochsDone) -> bool {
    return options.checkpoint.empty() ||
           writeCheckpoint(options.checkpoint, print, net, *optimizer,
                           epochsDone, error);
  };

  bool softmax = endsInSoftmax(net.graph);
  double threshold = getDecisionThreshold(net.graph, 0);
  // Without labels the network learns from its teacher alone.
  bool labeled = !data.labels.empty();
  double distill = labeled ? options.distill : 1.0;
  if (!labeled && !options.teacher) {
    error = "cim-tune: error: the training data has no labels: fine-tuning "
            "needs the float model as teacher (distillation)";
    return false;
  }
  std::vector<DistillLoss> distillKinds = getDistillLosses(options.distillLoss);
  std::vector<bool> softmaxOutputs = getSoftmaxOutputs(net.graph);
  std::vector<double> thresholds;
  for (size_t k = 0; k < net.graph.outputs.size(); ++k)
    thresholds.push_back(getDecisionThreshold(net.graph, k));
  int64_t batchSize = net.runBatch(options.batchSize);
  if (net.hasStaticBatch() && data.count % batchSize != 0) {
    error = "cim-tune: error: the model's input has a static batch of " +
            std::to_string(batchSize) + ", which does not divide the " +
            std::to_string(data.count) + " training samples";
    return false;
  }
  int64_t batches =
      BatchIterator(data, options.transform, batchSize, false, false, 0, 0)
          .getBatchCount();
  int64_t totalSteps = batches * options.epochs;
  try {
    for (int64_t epoch = firstEpoch; epoch < options.epochs; ++epoch) {
      BatchIterator it(data, options.transform, batchSize, true,
                       options.augment, options.seed, epoch);
      Batch batch;
      Progress progress;
      progress.epoch = epoch + 1;
      progress.epochs = options.epochs;
      progress.totalImages = data.count;
      progress.agreement = !labeled;
      double lossSum = 0;
      int64_t correct = 0, step = epoch * batches;
      auto start = std::chrono::steady_clock::now();
      while (it.next(batch)) {
        if (options.cosine) {
          double lr = 0.5 * options.learningRate *
                      (1 + std::cos(M_PI * double(step) / double(totalSteps)));
          for (auto &group : optimizer->param_groups())
            group.options().set_lr(lr);
        }
        ++step;
        int64_t n = batch.size;
        std::vector<Tensor> x = net.inputsOf(batch);
        net.training = true;
        std::vector<Tensor> outputs = net.runAll(x);
        Tensor y = outputs[0].reshape({n, -1});
        Tensor target;
        Tensor loss;
        if (labeled) {
          target = torch::tensor(batch.labels);
          loss = lossOf(y, target, softmax, threshold);
        }
        if (options.teacher && distill > 0) {
          std::vector<Tensor> taught;
          {
            torch::NoGradGuard noGrad;
            options.teacher->impl->training = false;
            taught = options.teacher->impl->runAll(x);
          }
          Tensor d = distillationLoss(outputs, taught, distillKinds,
                                      softmaxOutputs, thresholds);
          loss = labeled ? (1 - distill) * loss + distill * d : d;
          if (!labeled)
            target = taught[0].reshape({n, -1}).argmax(1);
        }
        optimizer->zero_grad();
        loss.backward();
        optimizer->step();
        {
          torch::NoGradGuard noGrad;
          for (Tensor &s : scales)
            s.clamp_min_(1e-6f);
        }
        lossSum += loss.item<double>() * double(n);
        correct += y.argmax(1).eq(target).sum().item<int64_t>();
        progress.images += n;
        double seconds = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - start)
                             .count();
        progress.loss = lossSum / double(progress.images);
        progress.accuracy = double(correct) / double(progress.images);
        progress.imagesPerSecond = double(progress.images) / seconds;
        progress.secondsLeft =
            double(data.count - progress.images +
                   (options.epochs - epoch - 1) * data.count) /
            progress.imagesPerSecond;
        if (options.progress && progress.images < data.count)
          options.progress(progress);
      }
      net.training = false;
      if (test && !test->labels.empty())
        progress.testAccuracy =
            evaluate(*test, options.transform, 256, false).getAccuracy();
      progress.epochDone = true;
      if (!save(epoch + 1))
        return false;
      if (options.progress)
        options.progress(progress);
    }
  } catch (const KernelError &e) {
    net.training = false;
    error = e.what();
    return false;
  } catch (const SampleError &e) {
    net.training = false;
    error = e.what();
    return false;
  } catch (const c10::Error &e) {
    net.training = false;
    error = std::string("cim-tune: error: training failed: ") +
            e.what_without_backtrace();
    return false;
  }
  return true;
}
