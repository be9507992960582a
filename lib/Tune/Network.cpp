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
  const std::vector<int64_t> &shape = graph.inputShapes[0];
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
  if (graph.inputs.size() != 1 || graph.outputs.empty()) {
    error = "cim-tune: error: cim-tune trains models with one input and at "
            "least one output (this one has " +
            std::to_string(graph.inputs.size()) + " inputs)";
    return nullptr;
  }
  std::unique_ptr<Network> net(new Network());
  Impl &impl = *net->impl;
  impl.graph = graph;
  std::set<int> trained;
  for (const Node &node : graph.nodes) {
    if (node.isLayer()) {
      for (size_t i = 1; i < node.inputs.size(); ++i)
        trained.insert(node.inputs[i]);
    } else if (node.kind == NodeKind::BatchNorm) {
      trained.insert(node.inputs[1]);
      trained.insert(node.inputs[2]);
    }
  }
  for (const auto &[id, tensor] : graph.constants) {
    Tensor t = torch::tensor(tensor.data).reshape(tensor.shape).clone();
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
    observer(index, x);
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

/// Pads [top, left, bottom, right] that torch's symmetric padding cannot
/// express are applied explicitly with `value`.
static Tensor padAsymmetric(const Tensor &x, std::vector<int64_t> &pads,
                            double value) {
  if (pads.size() != 4 || (pads[0] == pads[2] && pads[1] == pads[3]))
    return x;
  Tensor out =
      torch::constant_pad_nd(x, {pads[1], pads[3], pads[0], pads[2]}, value);
  pads = {0, 0, 0, 0};
  return out;
}

Tensor Network::Impl::run(const Tensor &input) {
  std::vector<Tensor> values(size_t(graph.numValues));
  values[size_t(graph.inputs[0])] = input;
  for (auto &[id, t] : constants)
    values[size_t(id)] = t;
  int64_t batch = input.size(0);
  int64_t irBatch = graph.inputShapes[0].empty() ? 1 : graph.inputShapes[0][0];
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node &node = graph.nodes[i];
    auto in = [&](size_t k) -> Tensor {
      if (k >= node.inputs.size() || node.inputs[k] < 0)
        return Tensor();
      return values[size_t(node.inputs[k])];
    };
    Tensor x = in(0), y;
    switch (node.kind) {
    case NodeKind::Conv: {
      Tensor w = in(1), b = in(2);
      if (graph.constants.count(node.inputs[1])) {
        x = layerInput(i, node, x);
        w = layerWeight(i, node, w);
      }
      std::vector<int64_t> pads = node.pads;
      x = padAsymmetric(x, pads, 0.0);
      y = torch::conv2d(x, w, b, node.strides, {pads[0], pads[1]},
                        node.dilations, node.group);
      break;
    }
    case NodeKind::Gemm: {
      Tensor w = in(1), c = in(2);
      if (graph.constants.count(node.inputs[1])) {
        x = layerInput(i, node, x);
        w = layerWeight(i, node, w);
      }
      Tensor a = node.transA ? x.t() : x;
      Tensor b = node.transB ? w.t() : w;
      y = torch::matmul(a, b);
      if (node.alpha != 1.0f)
        y = y * node.alpha;
      if (c.defined())
        y = node.beta == 1.0f ? y + c : y + c * node.beta;
      break;
    }
    case NodeKind::MatMul: {
      Tensor w = in(1);
      if (graph.constants.count(node.inputs[1])) {
        x = layerInput(i, node, x);
        w = layerWeight(i, node, w);
      }
      y = torch::matmul(x, w);
      break;
    }
    case NodeKind::Relu:
      y = torch::relu(x);
      break;
    case NodeKind::Clip:
      y = torch::clamp(x,
                       node.clipMin ? c10::optional<c10::Scalar>(*node.clipMin)
                                    : c10::nullopt,
                       node.clipMax ? c10::optional<c10::Scalar>(*node.clipMax)
                                    : c10::nullopt);
      break;
    case NodeKind::MaxPool: {
      std::vector<int64_t> pads = node.pads;
      x = padAsymmetric(x, pads, -INFINITY);
      y = torch::max_pool2d(x, node.kernel, node.strides, {pads[0], pads[1]},
                            node.dilations, node.ceilMode);
      break;
    }
    case NodeKind::AvgPool: {
      std::vector<int64_t> pads = node.pads;
      bool asymmetric =
          pads.size() == 4 && (pads[0] != pads[2] || pads[1] != pads[3]);
      if (asymmetric && !node.countIncludePad) {
        // Explicit padding would count as data: divide by the pooled mask
        // of real elements instead.
        Tensor padded = padAsymmetric(x, pads, 0.0);
        std::vector<int64_t> none = node.pads;
        Tensor mask = padAsymmetric(torch::ones_like(x), none, 0.0);
        y = torch::avg_pool2d(padded, node.kernel, node.strides, {0, 0},
                              node.ceilMode, true) /
            torch::avg_pool2d(mask, node.kernel, node.strides, {0, 0},
                              node.ceilMode, true);
        break;
      }
      x = padAsymmetric(x, pads, 0.0);
      y = torch::avg_pool2d(x, node.kernel, node.strides, {pads[0], pads[1]},
                            node.ceilMode, node.countIncludePad);
      break;
    }
    case NodeKind::GlobalAvgPool: {
      std::vector<int64_t> dims;
      for (int64_t d = 2; d < x.dim(); ++d)
        dims.push_back(d);
      y = x.mean(dims, /*keepdim=*/true);
      break;
    }
    case NodeKind::Add:
      y = x + in(1);
      break;
    case NodeKind::Flatten: {
      int64_t axis = node.axis < 0 ? node.axis + x.dim() : node.axis;
      int64_t outer = 1;
      for (int64_t d = 0; d < axis; ++d)
        outer *= x.size(d);
      y = x.reshape({outer, -1});
      break;
    }
    case NodeKind::Reshape: {
      std::vector<int64_t> shape = node.shape;
      // The batch dimension follows the input's.
      if (batch != irBatch && !shape.empty())
        shape[0] = -1;
      y = x.reshape(shape);
      break;
    }
    case NodeKind::BatchNorm: {
      Tensor mean = in(3), var = in(4);
      y = torch::batch_norm(x, in(1), in(2), mean, var, training, 0.1,
                            node.epsilon, /*cudnn_enabled=*/false);
      break;
    }
    case NodeKind::Softmax:
      y = torch::softmax(x, node.axis < 0 ? node.axis + x.dim() : node.axis);
      break;
    }
    values[size_t(node.output)] = y;
  }
  return values[size_t(graph.outputs[0])];
}

std::vector<float> Network::forward(const float *images, int64_t count) {
  torch::NoGradGuard noGrad;
  std::vector<int64_t> shape = impl->graph.inputShapes[0];
  shape[0] = count;
  int64_t size = 1;
  for (int64_t d : shape)
    size *= d;
  Tensor x = torch::from_blob(const_cast<float *>(images), shape).clone();
  impl->training = false;
  Tensor y = impl->run(x).contiguous();
  return std::vector<float>(y.data_ptr<float>(),
                            y.data_ptr<float>() + y.numel());
}

Tensor tune::lossOf(const Tensor &output, const Tensor &labels,
                    bool outputIsSoftmax) {
  if (outputIsSoftmax)
    return torch::nll_loss(torch::log(output.clamp_min(1e-12)), labels);
  return torch::cross_entropy_loss(output, labels);
}

Tensor tune::logProbabilities(const Tensor &output, bool outputIsSoftmax) {
  if (outputIsSoftmax)
    return torch::log(output.clamp_min(1e-12));
  return torch::log_softmax(output, 1);
}

bool tune::endsInSoftmax(const Graph &graph) {
  for (const Node &node : graph.nodes)
    if (node.output == graph.outputs[0])
      return node.kind == NodeKind::Softmax;
  return false;
}

EvalResult Network::evaluate(const Dataset &data, const Transform &transform,
                             int64_t batchSize, bool keepPredictions) {
  torch::NoGradGuard noGrad;
  impl->training = false;
  EvalResult result;
  BatchIterator it(data, transform, batchSize, false, false, 0, 0);
  std::vector<float> images;
  std::vector<int64_t> labels;
  bool softmax = endsInSoftmax(impl->graph);
  auto start = std::chrono::steady_clock::now();
  double lossSum = 0;
  while (it.next(images, labels)) {
    int64_t n = int64_t(labels.size());
    std::vector<int64_t> shape = impl->graph.inputShapes[0];
    shape[0] = n;
    Tensor x = torch::from_blob(images.data(), shape);
    Tensor y = impl->run(x).reshape({n, -1});
    Tensor target = torch::tensor(labels);
    lossSum += lossOf(y, target, softmax).item<double>() * double(n);
    Tensor predicted = y.argmax(1);
    result.correct += predicted.eq(target).sum().item<int64_t>();
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
  result.loss = result.count ? lossSum / double(result.count) : 0;
  result.imagesPerSecond = seconds > 0 ? double(result.count) / seconds : 0;
  return result;
}

void Network::calibrate(const Dataset &data, const Transform &transform,
                        const CalibrationOptions &options) {
  std::map<size_t, std::unique_ptr<quant::Observer>> observers;
  for (size_t i = 0; i < impl->graph.nodes.size(); ++i) {
    const Node &node = impl->graph.nodes[i];
    if (!node.quant || !node.isLayer() ||
        !impl->graph.constants.count(node.inputs[1]))
      continue;
    if (impl->actScales.count(i) && !options.overwrite)
      continue;
    observers[i] =
        quant::createObserver(options.method, options.percentile,
                              node.quant->ascheme, node.quant->abits);
  }
  if (observers.empty())
    return;
  bool wasQuantized = impl->quantized;
  impl->quantized = false;
  impl->observer = [&](size_t index, const Tensor &x) {
    auto it = observers.find(index);
    if (it == observers.end())
      return;
    Tensor c = x.detach().contiguous();
    it->second->observe(c.data_ptr<float>(), size_t(c.numel()));
  };
  Dataset subset = data;
  subset.truncate(options.images);
  std::vector<float> images;
  std::vector<int64_t> labels;
  BatchIterator it(subset, transform, 64, false, false, 0, 0);
  {
    torch::NoGradGuard noGrad;
    impl->training = false;
    while (it.next(images, labels)) {
      std::vector<int64_t> shape = impl->graph.inputShapes[0];
      shape[0] = int64_t(labels.size());
      impl->run(torch::from_blob(images.data(), shape));
    }
  }
  impl->observer = nullptr;
  impl->quantized = wasQuantized;
  for (auto &[index, observer] : observers) {
    if (observer->getCount() == 0)
      continue;
    Node &node = impl->graph.nodes[index];
    quant::QuantParams p = quant::paramsFromRange(
        observer->getRange(), node.quant->ascheme, node.quant->abits);
    node.quant->ascale = p.scale;
    node.quant->azp = p.zeroPoint;
    Tensor s = torch::full({1}, p.scale);
    s.set_requires_grad(true);
    impl->actScales[index] = s;
  }
}

Graph Network::getGraph() const {
  Graph graph = impl->graph;
  for (auto &[id, t] : impl->constants) {
    Tensor c = t.detach().contiguous();
    FloatTensor &out = graph.constants[id];
    out.data.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  }
  for (auto &[index, s] : impl->actScales) {
    Node &node = graph.nodes[index];
    node.quant->ascale = s.detach().item<float>();
  }
  for (auto &[index, s] : impl->weightScales) {
    Tensor c = s.detach().contiguous();
    LayerQuant &q = *graph.nodes[index].quant;
    q.wscale.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    q.wzp.assign(q.wscale.size(), 0);
  }
  return graph;
}
