//===- Network.cpp - A LibTorch network interpreting a graph --------------===//
//
// The network interprets the graph node by node with torch's functional
// ops, so that every graph the importer produces for a CNN classifier
// trains without generated code: building it, the forward pass with fake
// quantization, evaluation, calibration and the trained graph. Training and
// its checkpoints are in NetworkTrain.cpp, the fake quantizer's autograd
// functions in FakeQuant.cpp.
//
//===----------------------------------------------------------------------===//

#include "NetworkImpl.h"

#include "cim/Tune/Metrics.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <thread>

extern "C" void openblas_set_num_threads(int);

using namespace mlir::cim;
using namespace mlir::cim::tune;
using torch::Tensor;

int tune::setThreadCount(int threads) {
  if (threads <= 0)
    threads = int(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  openblas_set_num_threads(threads);
  return threads;
}

bool tune::checkImageShape(const Graph &graph, const Dataset &data,
                           std::string &error) {
  if (data.folder)
    return true; // checked against the graph when loaded
  const std::vector<int64_t> &shape = graph.inputShapes[0];
  if (graph.inputs.size() != 1) {
    error = "cim-tune: error: the model takes " +
            std::to_string(graph.inputs.size()) +
            " inputs; give it a data folder with input_N files";
    return false;
  }
  if (shape.size() == 4 && shape[1] == data.channels &&
      shape[2] == data.height && shape[3] == data.width)
    return true;
  error = "cim-tune: error: the model's input " + graph.inputNames[0] +
          " does not take " + std::to_string(data.channels) + "x" +
          std::to_string(data.height) + "x" + std::to_string(data.width) +
          " images";
  return false;
}

Network::Network() : impl(std::make_unique<Impl>()) {}
Network::~Network() = default;

std::unique_ptr<Network> Network::create(const Graph &graph,
                                         std::string &error) {
  if (graph.inputs.empty() || graph.outputs.empty()) {
    error = "cim-tune: error: cim-tune trains models with at least one input "
            "and one output (this one has " +
            std::to_string(graph.inputs.size()) + " inputs and " +
            std::to_string(graph.outputs.size()) + " outputs)";
    return nullptr;
  }
  std::unique_ptr<Network> net(new Network());
  Impl &impl = *net->impl;
  impl.graph = graph;
  // Trained: every layer's weight and bias, batch-norm scale and shift,
  // and the other f32 constants of more than one element (class tokens,
  // position embeddings, layer-norm parameters); scalars of decomposed
  // formulas (an exponent, an epsilon), non-finite masks and batch-norm
  // statistics stay fixed.
  std::set<int> frozen, trained;
  for (const Node &node : graph.nodes) {
    if (node.op == "batch_norm") {
      frozen.insert(node.inputs[3]);
      frozen.insert(node.inputs[4]);
    } else if (graph.isLayer(node)) {
      for (size_t i = 1; i < node.inputs.size(); ++i)
        trained.insert(node.inputs[i]);
    }
  }
  for (const auto &[id, tensor] : graph.constants) {
    if (tensor.type != ElementType::F32 || frozen.count(id))
      continue;
    bool finite = std::all_of(tensor.data.begin(), tensor.data.end(),
                              [](float v) { return std::isfinite(v); });
    if (finite && tensor.data.size() > 1)
      trained.insert(id);
  }
  // Every op that blocks training, one line each.
  impl.kernels.clear();
  std::string blocking;
  for (const Node &node : graph.nodes) {
    TrainKernel kernel = lookupTrainKernel(node.op);
    if (!kernel) {
      OpSupport support = getOpSupport(node.op);
      blocking +=
          (blocking.empty() ? "" : "\n") + node.location + ": error: 'cim." +
          node.op + "' cannot train: " +
          (support.reason ? support.reason : "cim-tune has no kernel for it");
    }
    impl.kernels.push_back(kernel);
  }
  if (!blocking.empty()) {
    error = blocking;
    return nullptr;
  }
  for (const auto &[id, tensor] : graph.constants) {
    if (size_t(id) < graph.batchSlope.size() &&
        std::any_of(graph.batchSlope[id].begin(), graph.batchSlope[id].end(),
                    [](int64_t v) { return v != 0; }))
      impl.batchConstants.push_back(id);
    Tensor t;
    if (tensor.type == ElementType::F32)
      t = torch::tensor(tensor.data).reshape(tensor.shape).clone();
    else
      t = torch::tensor(tensor.ints).reshape(tensor.shape).clone();
    if (tensor.type == ElementType::Bool)
      t = t.to(torch::kBool);
    if (trained.count(id))
      t.set_requires_grad(true);
    impl.constants[id] = t;
  }
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node &node = graph.nodes[i];
    if (node.quant && node.quant->ascale) {
      Tensor s = torch::full({1}, *node.quant->ascale);
      s.set_requires_grad(true);
      impl.actScales[i] = s;
    }
    if (node.quant && !graph.hasConstantWeight(node) &&
        node.quant->wscale.size() == 1) {
      Tensor s = torch::full({1}, node.quant->wscale[0]);
      s.set_requires_grad(true);
      impl.operandScales[i] = s;
    }
  }
  return net;
}

std::vector<Tensor> Network::Impl::parameters() {
  std::vector<Tensor> params;
  for (auto &[id, t] : constants)
    if (t.requires_grad())
      params.push_back(t);
  return params;
}

void Network::setQuantized(bool quantized) { impl->quantized = quantized; }
bool Network::isQuantized() const { return impl->quantized; }

void Network::setActivationScheme(quant::Scheme scheme) {
  for (size_t i = 0; i < impl->graph.nodes.size(); ++i) {
    Node &node = impl->graph.nodes[i];
    if (!node.quant || node.quant->ascheme == scheme)
      continue;
    node.quant->ascheme = scheme;
    node.quant->ascale.reset();
    node.quant->azp = 0;
    impl->actScales.erase(i);
  }
}

Tensor Network::Impl::layerInput(size_t index, const Node &node,
                                 const Tensor &x) {
  if (observer)
    observer(index, 0, x);
  if (!quantized || !node.quant)
    return x;
  auto it = actScales.find(index);
  if (it == actScales.end())
    return x;
  quant::IntRange range =
      quant::getIntRange(node.quant->ascheme, node.quant->abits);
  return fakeQuantizeActivation(x, it->second, double(node.quant->azp),
                                double(range.min), double(range.max));
}

Tensor Network::Impl::layerOperand(size_t index, const Node &node,
                                   const Tensor &x) {
  if (observer)
    observer(index, 1, x);
  if (!quantized || !node.quant)
    return x;
  auto it = operandScales.find(index);
  if (it == operandScales.end())
    return x;
  quant::IntRange range =
      quant::getIntRange(node.quant->wscheme, node.quant->wbits);
  return fakeQuantizeActivation(x, it->second, 0.0, double(range.min),
                                double(range.max));
}

void KernelContext::quantizeOperands(Tensor &input, Tensor &weight) {
  if (!impl.graph.isLayer(node))
    return;
  input = impl.layerInput(index, node, input);
  if (impl.graph.hasConstantWeight(node))
    weight = impl.layerWeight(index, node, weight);
  else
    weight = impl.layerOperand(index, node, weight);
}

Tensor Network::Impl::layerWeight(size_t index, const Node &node,
                                  const Tensor &w) {
  if (!quantized || !node.quant)
    return w;
  const LayerQuant &q = *node.quant;
  quant::ChannelLayout layout = getWeightLayout(graph, node);
  quant::IntRange range = quant::getIntRange(q.wscheme, q.wbits);
  if (auto it = weightScales.find(index); it != weightScales.end())
    return fakeQuantizeWeightLsq(w.reshape({layout.groups, layout.outer,
                                            layout.channels, layout.inner}),
                                 it->second, double(range.min),
                                 double(range.max))
        .reshape(w.sizes());
  Tensor scale, zp;
  if (!q.wscale.empty()) {
    std::vector<int64_t> shape = {layout.groups, 1, layout.channels, 1};
    if (q.wscale.size() == 1)
      shape = {1, 1, 1, 1};
    std::vector<float> zps(q.wscale.size(), 0.0f);
    for (size_t i = 0; i < q.wzp.size() && i < zps.size(); ++i)
      zps[i] = float(q.wzp[i]);
    scale = torch::tensor(q.wscale).reshape(shape);
    zp = torch::tensor(zps).reshape(shape);
  } else {
    computeWeightParams(w, layout, q.wscheme, q.wbits, q.perChannel, scale, zp);
  }
  Tensor view =
      w.reshape({layout.groups, layout.outer, layout.channels, layout.inner});
  return fakeQuantizeWeight(view, scale, zp, double(range.min),
                            double(range.max))
      .reshape(w.sizes());
}

int64_t Network::Impl::batchOf(const Tensor &input) const {
  int id = graph.inputs[0];
  int64_t slope = graph.batchSlope.empty() || graph.batchSlope[id].empty()
                      ? 0
                      : graph.batchSlope[id][0];
  if (slope == 0 || input.dim() == 0)
    return graph.batch;
  return graph.batch + (input.size(0) - graph.shapes[id][0]) / slope;
}

bool Network::Impl::hasStaticBatch() const {
  int id = graph.inputs[0];
  bool follows = !graph.batchSlope.empty() &&
                 !graph.batchSlope[size_t(id)].empty() &&
                 graph.batchSlope[size_t(id)][0] != 0;
  return !follows && !graph.shapes[size_t(id)].empty();
}

int64_t Network::Impl::runBatch(int64_t wanted) const {
  // A static batch dimension: every run takes exactly that many samples.
  return hasStaticBatch() ? graph.shapes[size_t(graph.inputs[0])][0] : wanted;
}

int64_t Network::Impl::inferenceBatch(int64_t wanted) const {
  if (hasStaticBatch())
    return runBatch(wanted);
  // The largest number of elements one sample adds to a value.
  int64_t perSample = 1;
  for (int id = 0; id < int(graph.shapes.size()); ++id) {
    auto numel = [&](int64_t n) {
      int64_t count = 1;
      for (int64_t d : graph.getShape(id, n))
        count *= std::max<int64_t>(d, 0);
      return count;
    };
    perSample = std::max(perSample, numel(2) - numel(1));
  }
  int64_t fits = kInferenceValueBytes / (perSample * int64_t(sizeof(float)));
  return std::clamp<int64_t>(fits, 1, std::max<int64_t>(1, wanted));
}

static std::string shapeText(c10::IntArrayRef shape) {
  std::string text;
  for (int64_t d : shape)
    text += (text.empty() ? "" : "x") + std::to_string(d);
  return text.empty() ? "scalar" : text;
}

Tensor Network::Impl::run(const std::vector<Tensor> &inputs) {
  return runAll(inputs)[0];
}

std::vector<Tensor> Network::Impl::runAll(const std::vector<Tensor> &inputs) {
  if (inputs.size() != graph.inputs.size())
    throw KernelError("cim-tune: error: the network takes " +
                      std::to_string(graph.inputs.size()) + " inputs, given " +
                      std::to_string(inputs.size()));
  std::vector<Tensor> values(size_t(graph.numValues));
  for (size_t k = 0; k < inputs.size() && k < graph.inputs.size(); ++k)
    values[size_t(graph.inputs[k])] = inputs[k];
  int64_t batch = batchOf(inputs.front());
  for (auto &[id, t] : constants)
    values[size_t(id)] = t;
  // Constants that follow the batch (a class token expanded to it) are
  // broadcast from their one slice.
  for (int id : batchConstants)
    values[size_t(id)] = constants.at(id).expand(graph.getShape(id, batch));
  // A value is released after its last reader, unless it is an output or
  // a constant: without autograd, a forward holds only the live values.
  std::vector<size_t> lastUse(size_t(graph.numValues), graph.nodes.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    for (int id : graph.nodes[i].inputs)
      if (id >= 0)
        lastUse[size_t(id)] = i;
  for (int id : graph.outputs)
    lastUse[size_t(id)] = graph.nodes.size();
  for (auto &[id, t] : constants)
    lastUse[size_t(id)] = graph.nodes.size();
  std::vector<Tensor> operands;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node &node = graph.nodes[i];
    operands.clear();
    for (int id : node.inputs)
      operands.push_back(id < 0 ? Tensor() : values[size_t(id)]);
    KernelContext context{*this, i, node, batch};
    std::vector<Tensor> results;
    try {
      results = kernels[i](context, operands);
      if (results.size() != node.outputs.size())
        throw KernelError("computes " + std::to_string(results.size()) +
                          " results instead of " +
                          std::to_string(node.outputs.size()));
      for (size_t k = 0; k < results.size(); ++k) {
        std::vector<int64_t> expected = context.resultShape(k);
        if (results[k].sizes() != c10::IntArrayRef(expected))
          throw KernelError(
              "computes a " + shapeText(results[k].sizes()) +
              " result where the graph has " + shapeText(expected) +
              " at a batch of " + std::to_string(batch) +
              " (a shape that depends on the batch in a way cim-tune "
              "cannot follow)");
      }
    } catch (const KernelError &e) {
      throw KernelError(node.location + ": error: '" + node.op +
                        "': " + e.what());
    } catch (const c10::Error &e) {
      throw KernelError(node.location + ": error: '" + node.op +
                        "': " + e.what_without_backtrace());
    }
    operands.clear();
    for (int id : node.inputs)
      if (id >= 0 && lastUse[size_t(id)] == i)
        values[size_t(id)] = Tensor();
    for (size_t k = 0; k < results.size(); ++k)
      values[size_t(node.outputs[k])] = std::move(results[k]);
  }
  std::vector<Tensor> outputs;
  for (int id : graph.outputs)
    outputs.push_back(values[size_t(id)]);
  return outputs;
}

std::vector<Tensor> Network::Impl::inputsOf(Batch &batch) const {
  std::vector<Tensor> inputs;
  for (size_t k = 0; k < batch.inputs.size(); ++k) {
    std::vector<int64_t> shape = graph.getInputShape(k, batch.size);
    inputs.push_back(torch::from_blob(batch.inputs[k].data(), shape));
  }
  return inputs;
}

std::vector<float> Network::forward(Batch &batch) {
  torch::NoGradGuard noGrad;
  impl->training = false;
  Tensor y = impl->run(impl->inputsOf(batch)).contiguous();
  return std::vector<float>(y.data_ptr<float>(),
                            y.data_ptr<float>() + y.numel());
}

std::vector<std::vector<float>> Network::forwardOutputs(Batch &batch) {
  torch::NoGradGuard noGrad;
  impl->training = false;
  std::vector<std::vector<float>> outputs;
  for (Tensor &y : impl->runAll(impl->inputsOf(batch))) {
    Tensor c = y.to(torch::kFloat).contiguous();
    outputs.emplace_back(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  }
  return outputs;
}

std::vector<float> Network::forward(const float *images, int64_t count) {
  torch::NoGradGuard noGrad;
  std::vector<int64_t> shape = impl->graph.getInputShape(0, count);
  Tensor x = torch::from_blob(const_cast<float *>(images), shape).clone();
  impl->training = false;
  Tensor y = impl->run(x).contiguous();
  return std::vector<float>(y.data_ptr<float>(),
                            y.data_ptr<float>() + y.numel());
}

int64_t Network::getRunBatch(int64_t wanted) const {
  return impl->inferenceBatch(wanted);
}

std::vector<std::vector<float>> Network::forwardOutputs(const float *images,
                                                        int64_t count) {
  torch::NoGradGuard noGrad;
  std::vector<int64_t> shape = impl->graph.getInputShape(0, count);
  Tensor x = torch::from_blob(const_cast<float *>(images), shape).clone();
  impl->training = false;
  std::vector<std::vector<float>> outputs;
  for (Tensor &y : impl->runAll(x)) {
    Tensor c = y.to(torch::kFloat).contiguous();
    outputs.emplace_back(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  }
  return outputs;
}

const char *tune::stringify(DistillLoss loss) {
  switch (loss) {
  case DistillLoss::Auto:
    return "auto";
  case DistillLoss::Kl:
    return "kl";
  case DistillLoss::Mse:
    return "mse";
  case DistillLoss::Cosine:
    return "cosine";
  }
  return "auto";
}

std::vector<DistillLoss>
Network::getDistillLosses(DistillLoss requested) const {
  const Graph &graph = impl->graph;
  std::vector<bool> softmax = getSoftmaxOutputs(graph);
  std::vector<DistillLoss> kinds;
  for (size_t k = 0; k < graph.outputs.size(); ++k) {
    if (requested != DistillLoss::Auto) {
      kinds.push_back(requested);
      continue;
    }
    // A class distribution: a softmax's, or one row of scores per sample.
    std::vector<int64_t> shape = graph.getShape(graph.outputs[k], graph.batch);
    bool classes = softmax[k] ||
                   (shape.size() == 2 && shape[1] > 1 &&
                    graph.types[size_t(graph.outputs[k])] == ElementType::F32);
    kinds.push_back(classes ? DistillLoss::Kl : DistillLoss::Mse);
  }
  return kinds;
}

bool Network::checkGradients(Batch &batch, uint64_t seed,
                             std::vector<std::string> &problems) {
  std::vector<Tensor> x;
  for (size_t k = 0; k < batch.inputs.size(); ++k) {
    std::vector<int64_t> shape = impl->graph.getInputShape(k, batch.size);
    x.push_back(torch::from_blob(batch.inputs[k].data(), shape).clone());
  }
  for (auto &[id, t] : impl->constants)
    if (t.requires_grad())
      t.mutable_grad() = Tensor();
  try {
    impl->training = true;
    Tensor y = impl->run(x);
    impl->training = false;
    torch::manual_seed(seed);
    // A random projection of the output: every output element matters.
    Tensor loss = (y * torch::randn_like(y)).sum();
    loss.backward();
  } catch (const KernelError &e) {
    impl->training = false;
    problems.push_back(e.what());
    return false;
  } catch (const c10::Error &e) {
    impl->training = false;
    problems.push_back(std::string("cim-tune: error: the backward pass "
                                   "failed: ") +
                       e.what_without_backtrace());
    return false;
  }
  for (auto &[id, t] : impl->constants) {
    if (!t.requires_grad())
      continue;
    const Node *user = nullptr;
    size_t operand = 0;
    for (const Node &node : impl->graph.nodes)
      for (size_t k = 0; k < node.inputs.size() && !user; ++k)
        if (node.inputs[k] == id) {
          user = &node;
          operand = k;
        }
    std::string where =
        user ? user->location + ": error: 'cim." + user->op + "' (" +
                   user->name + ") operand " + std::to_string(operand)
             : "cim-tune: error: constant " + std::to_string(id);
    const Tensor &grad = t.grad();
    if (!grad.defined())
      problems.push_back(where + " gets no gradient");
    else if (!torch::isfinite(grad).all().item<bool>())
      problems.push_back(where + " gets a non-finite gradient");
    t.mutable_grad() = Tensor();
  }
  return problems.empty();
}

static Tensor toTorch(const FloatTensor &t) {
  if (t.type == ElementType::F32)
    return torch::tensor(t.data).reshape(t.shape);
  Tensor ints = torch::tensor(t.ints).reshape(t.shape);
  return t.type == ElementType::Bool ? ints.to(torch::kBool) : ints;
}

double Network::compareOps(const std::map<int, FloatTensor> &values,
                           std::string &worstNode, std::string &error) {
  torch::NoGradGuard noGrad;
  bool wasQuantized = impl->quantized;
  impl->quantized = false;
  impl->training = false;
  double worst = 0;
  std::vector<Tensor> operands;
  for (size_t i = 0; i < impl->graph.nodes.size(); ++i) {
    const Node &node = impl->graph.nodes[i];
    operands.clear();
    bool known = true;
    for (int id : node.inputs) {
      if (id < 0) {
        operands.emplace_back();
        continue;
      }
      auto it = values.find(id);
      known &= it != values.end();
      operands.push_back(known ? toTorch(it->second) : Tensor());
    }
    if (!known)
      continue;
    KernelContext context{*impl, i, node, impl->graph.batch};
    std::vector<Tensor> results;
    try {
      results = impl->kernels[i](context, operands);
    } catch (const std::exception &e) {
      impl->quantized = wasQuantized;
      error = node.location + ": error: '" + node.op + "': " + e.what();
      return INFINITY;
    }
    // Differences are relative to the largest magnitude among the op's
    // float operands and its result: a mean of values that cancel is as
    // exact as the values it sums, not as its own small size.
    double scale = 1e-30;
    for (const Tensor &operand : operands)
      if (operand.defined() && operand.is_floating_point() &&
          operand.numel() > 0)
        scale = std::max(scale, operand.abs().max().item<double>());
    for (size_t k = 0; k < results.size() && k < node.outputs.size(); ++k) {
      auto it = values.find(node.outputs[k]);
      if (it == values.end())
        continue;
      Tensor ref = toTorch(it->second), got = results[k].contiguous();
      double diff;
      if (ref.sizes() != got.sizes())
        diff = INFINITY;
      else if (ref.is_floating_point())
        diff = (got.to(torch::kDouble) - ref.to(torch::kDouble))
                   .abs()
                   .max()
                   .item<double>() /
               std::max(scale, ref.abs().max().item<double>());
      else
        diff = got.to(torch::kLong).equal(ref.to(torch::kLong)) ? 0 : INFINITY;
      if (ref.numel() == 0)
        diff = 0;
      if (std::isnan(diff))
        diff = INFINITY;
      if (worstNode.empty() || diff > worst) {
        worst = diff;
        worstNode = node.location + " ('" + node.op + "' " + node.name + ")";
      }
    }
  }
  impl->quantized = wasQuantized;
  return worst;
}

size_t Network::getTrainedCount() const { return impl->parameters().size(); }

Tensor tune::lossOf(const Tensor &output, const Tensor &labels,
                    bool outputIsSoftmax, double decisionThreshold) {
  if (output.dim() == 2 && output.size(1) == 1) {
    Tensor y = output.view(-1);
    Tensor t = labels.to(y.scalar_type());
    if (decisionThreshold == 0.5) {
      Tensor p = y.clamp(1e-7, 1 - 1e-7);
      return -(t * p.log() + (1 - t) * (1 - p).log()).mean();
    }
    // -log sigmoid(y) for 1, -log(1 - sigmoid(y)) for 0.
    return (torch::softplus(y) - t * y).mean();
  }
  if (outputIsSoftmax)
    return torch::nll_loss(torch::log(output.clamp_min(1e-12)), labels);
  return torch::cross_entropy_loss(output, labels);
}

Tensor tune::logProbabilities(const Tensor &output, bool outputIsSoftmax) {
  if (outputIsSoftmax)
    return torch::log(output.clamp_min(1e-12));
  return torch::log_softmax(output, 1);
}

std::vector<bool> tune::getSoftmaxOutputs(const Graph &graph) {
  std::vector<bool> softmax(graph.outputs.size(), false);
  for (const Node &node : graph.nodes)
    for (size_t k = 0; k < graph.outputs.size(); ++k)
      if (node.output() == graph.outputs[k])
        softmax[k] = node.op == "softmax";
  return softmax;
}

Tensor tune::distillationLoss(const std::vector<Tensor> &student,
                              const std::vector<Tensor> &teacher,
                              const std::vector<DistillLoss> &kinds,
                              const std::vector<bool> &softmax,
                              const std::vector<double> &thresholds) {
  Tensor total;
  size_t count = 0;
  for (size_t k = 0; k < student.size() && k < teacher.size(); ++k) {
    if (!torch::isFloatingType(student[k].scalar_type()))
      continue; // integer outputs (indices) carry no gradient
    int64_t n = student[k].size(0);
    Tensor s = student[k].reshape({n, -1});
    Tensor t = teacher[k].detach().reshape({n, -1});
    Tensor loss;
    switch (kinds[k]) {
    case DistillLoss::Auto:
    case DistillLoss::Kl: {
      if (s.size(1) == 1) {
        // A binary score: the two decisions' distributions.
        bool probability = k < thresholds.size() && thresholds[k] == 0.5;
        auto asProbability = [&](const Tensor &v) {
          return (probability ? v : torch::sigmoid(v)).clamp(1e-7, 1 - 1e-7);
        };
        Tensor p = asProbability(t), q = asProbability(s);
        loss = (p * (p / q).log() + (1 - p) * ((1 - p) / (1 - q)).log()).mean();
        break;
      }
      Tensor teacherLog = logProbabilities(t, softmax[k]);
      loss = (teacherLog.exp() * (teacherLog - logProbabilities(s, softmax[k])))
                 .sum(1)
                 .mean();
      break;
    }
    case DistillLoss::Mse:
      loss = (s - t).pow(2).mean() / t.pow(2).mean().clamp_min(1e-12);
      break;
    case DistillLoss::Cosine:
      loss = 1 - torch::cosine_similarity(s, t, 1, 1e-8).mean();
      break;
    }
    total = total.defined() ? total + loss : loss;
    ++count;
  }
  if (!total.defined())
    throw KernelError("cim-tune: error: the model has no float output to "
                      "distill");
  return total / double(count);
}

bool tune::endsInSoftmax(const Graph &graph) {
  for (const Node &node : graph.nodes)
    if (node.output() == graph.outputs[0])
      return node.op == "softmax";
  return false;
}

EvalResult Network::evaluate(const Dataset &data, const Transform &transform,
                             int64_t batchSize, bool keepPredictions) {
  torch::NoGradGuard noGrad;
  impl->training = false;
  EvalResult result;
  BatchIterator it(data, transform, impl->inferenceBatch(batchSize), false,
                   false, 0, 0);
  Batch batch;
  bool softmax = endsInSoftmax(impl->graph);
  double threshold = getDecisionThreshold(impl->graph, 0);
  auto start = std::chrono::steady_clock::now();
  double lossSum = 0;
  while (it.next(batch)) {
    int64_t n = batch.size;
    Tensor y = impl->run(impl->inputsOf(batch)).reshape({n, -1});
    // One value per sample: the decision at the output's threshold.
    Tensor predicted = y.size(1) == 1
                           ? y.ge(threshold).to(torch::kLong).view(-1)
                           : y.argmax(1);
    if (!batch.labels.empty()) {
      Tensor target = torch::tensor(batch.labels);
      lossSum +=
          lossOf(y, target, softmax, threshold).item<double>() * double(n);
      result.correct += predicted.eq(target).sum().item<int64_t>();
      result.labeled += n;
    }
    result.count += n;
    if (keepPredictions) {
      Tensor p = predicted.contiguous();
      result.predictions.insert(result.predictions.end(), p.data_ptr<int64_t>(),
                                p.data_ptr<int64_t>() + n);
    }
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  result.loss = result.labeled ? lossSum / double(result.labeled) : 0;
  result.imagesPerSecond = seconds > 0 ? double(result.count) / seconds : 0;
  return result;
}

void Network::calibrate(const Dataset &data, const Transform &transform,
                        const CalibrationOptions &options) {
  applyRanges(observeRanges(data, transform, options));
}

Network::Ranges Network::observeRanges(const Dataset &data,
                                       const Transform &transform,
                                       const CalibrationOptions &options) {
  // One observer per quantized operand: (node index, operand).
  std::map<std::pair<size_t, int>, std::unique_ptr<quant::Observer>> observers;
  for (size_t i = 0; i < impl->graph.nodes.size(); ++i) {
    const Node &node = impl->graph.nodes[i];
    if (!node.quant || !impl->graph.isLayer(node))
      continue;
    if (!impl->actScales.count(i) || options.overwrite)
      observers[{i, 0}] =
          quant::createObserver(options.method, options.percentile,
                                node.quant->ascheme, node.quant->abits);
    if (!impl->graph.hasConstantWeight(node) &&
        (!impl->operandScales.count(i) || options.overwrite))
      observers[{i, 1}] =
          quant::createObserver(options.method, options.percentile,
                                node.quant->wscheme, node.quant->wbits);
  }
  Ranges ranges;
  if (observers.empty())
    return ranges;
  bool wasQuantized = impl->quantized;
  impl->quantized = false;
  impl->observer = [&](size_t index, int operand, const Tensor &x) {
    auto it = observers.find({index, operand});
    if (it == observers.end())
      return;
    Tensor c = x.detach().contiguous();
    it->second->observe(c.data_ptr<float>(), size_t(c.numel()));
  };
  Dataset subset = data;
  subset.truncate(options.images);
  Batch batch;
  BatchIterator it(subset, transform, impl->inferenceBatch(64), false, false, 0,
                   0);
  {
    torch::NoGradGuard noGrad;
    impl->training = false;
    while (it.next(batch))
      impl->run(impl->inputsOf(batch));
  }
  impl->observer = nullptr;
  impl->quantized = wasQuantized;
  for (auto &[key, observer] : observers)
    if (observer->getCount() > 0)
      ranges[key] = observer->getRange();
  return ranges;
}

void Network::applyRanges(const Ranges &ranges) {
  for (auto &[key, range] : ranges) {
    auto [index, operand] = key;
    Node &node = impl->graph.nodes[index];
    if (!node.quant)
      continue;
    quant::Scheme scheme = operand ? node.quant->wscheme : node.quant->ascheme;
    unsigned bits = operand ? node.quant->wbits : node.quant->abits;
    quant::QuantParams p = quant::paramsFromRange(range, scheme, bits);
    Tensor s = torch::full({1}, p.scale);
    s.set_requires_grad(true);
    if (operand) {
      node.quant->wscale = {p.scale};
      node.quant->wzp = {0};
      impl->operandScales[index] = s;
    } else {
      node.quant->ascale = p.scale;
      node.quant->azp = p.zeroPoint;
      impl->actScales[index] = s;
    }
  }
}

Graph Network::getGraph() const {
  Graph graph = impl->graph;
  for (auto &[id, t] : impl->constants) {
    FloatTensor &out = graph.constants[id];
    if (out.type != ElementType::F32)
      continue;
    Tensor c = t.detach().contiguous();
    out.data.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  }
  for (auto &[index, s] : impl->actScales) {
    Node &node = graph.nodes[index];
    node.quant->ascale = s.detach().item<float>();
  }
  for (auto &[index, s] : impl->operandScales) {
    LayerQuant &q = *graph.nodes[index].quant;
    q.wscale = {s.detach().item<float>()};
    q.wzp = {0};
  }
  for (auto &[index, s] : impl->weightScales) {
    Tensor c = s.detach().contiguous();
    LayerQuant &q = *graph.nodes[index].quant;
    q.wscale.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    q.wzp.assign(q.wscale.size(), 0);
  }
  return graph;
}
