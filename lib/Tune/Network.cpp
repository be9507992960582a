//===- Network.cpp - A trainable LibTorch network from a graph ------------===//
//
// The only translation unit of the library that includes LibTorch. The
// network interprets the graph node by node with torch's functional ops, so
// that every graph the importer produces for a CNN classifier trains without
// generated code.
//
//===----------------------------------------------------------------------===//

#include "cim/Tune/Network.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <set>
#include <thread>

extern "C" void openblas_set_num_threads(int);

using namespace mlir::cim;
using namespace mlir::cim::tune;
using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

int tune::setThreadCount(int threads) {
  if (threads <= 0)
    threads = int(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  openblas_set_num_threads(threads);
  return threads;
}

//===----------------------------------------------------------------------===//
// The fake quantizer
//===----------------------------------------------------------------------===//

/// quant::fakeQuantize with torch kernels: the division in f32, rounding
/// half to even (torch::round is nearbyint), the clamp, and the f32
/// dequantization `(q - zp) * scale`. `scale` and `zeroPoint` broadcast
/// against `x` (one value, or one per channel). Adding the zero point in f32
/// is exact for every quotient that the clamp does not saturate.
static Tensor fakeQuantizeExact(const Tensor &x, const Tensor &scale,
                                const Tensor &zeroPoint, double qmin,
                                double qmax) {
  torch::NoGradGuard noGrad;
  Tensor q = torch::round(x / scale) + zeroPoint;
  q = torch::clamp(q, qmin, qmax);
  // NaN maps to the zero point (clamped into the range).
  Tensor zp = torch::clamp(zeroPoint, qmin, qmax).expand_as(q);
  q = torch::where(torch::isnan(x), zp, q);
  return (q - zeroPoint) * scale;
}

namespace {
/// Weights: the exact forward, the straight-through gradient (max-based
/// scales never clip).
struct WeightFakeQuant : public torch::autograd::Function<WeightFakeQuant> {
  static Tensor forward(AutogradContext *ctx, Tensor w, Tensor scale,
                        Tensor zeroPoint, double qmin, double qmax) {
    return fakeQuantizeExact(w, scale, zeroPoint, qmin, qmax);
  }
  static tensor_list backward(AutogradContext *ctx, tensor_list grads) {
    return {grads[0], Tensor(), Tensor(), Tensor(), Tensor()};
  }
};

/// Activations: the exact forward; the LSQ gradients (Esser et al., 2020)
/// for the input (straight through inside the clipping range) and for the
/// learned scale.
struct ActFakeQuant : public torch::autograd::Function<ActFakeQuant> {
  static Tensor forward(AutogradContext *ctx, Tensor x, Tensor scale,
                        double zeroPoint, double qmin, double qmax) {
    ctx->save_for_backward({x, scale});
    ctx->saved_data["zp"] = zeroPoint;
    ctx->saved_data["qmin"] = qmin;
    ctx->saved_data["qmax"] = qmax;
    Tensor zp = torch::full({1}, zeroPoint, x.options());
    return fakeQuantizeExact(x, scale, zp, qmin, qmax);
  }
  static tensor_list backward(AutogradContext *ctx, tensor_list grads) {
    tensor_list saved = ctx->get_saved_variables();
    Tensor x = saved[0], scale = saved[1];
    double zp = ctx->saved_data["zp"].toDouble();
    double qmin = ctx->saved_data["qmin"].toDouble();
    double qmax = ctx->saved_data["qmax"].toDouble();
    Tensor g = grads[0];
    Tensor v = x / scale;
    Tensor low = (v + zp)<qmin, high = (v + zp)> qmax;
    Tensor inside = torch::logical_not(torch::logical_or(low, high));
    Tensor gradX = g * inside.to(g.dtype());
    Tensor dq = torch::where(low, torch::full_like(v, qmin - zp),
                             torch::where(high, torch::full_like(v, qmax - zp),
                                          torch::round(v) - v));
    double gradScale =
        1.0 / std::sqrt(double(x.numel() / std::max<int64_t>(1, x.size(0))) *
                        std::max(1.0, qmax - zp));
    Tensor gradS = (g * dq).sum().reshape({1}) * gradScale;
    return {gradX, gradS, Tensor(), Tensor(), Tensor()};
  }
};
} // namespace

namespace {
/// Symmetric weights with learned scales (LSQ, `--learn-weight-scales`):
/// the exact forward, the straight-through gradient inside the clipping
/// range, and per-channel scale gradients scaled by 1/sqrt(n x qmax), n the
/// weights of a channel.
struct WeightLsqFakeQuant
    : public torch::autograd::Function<WeightLsqFakeQuant> {
  static Tensor forward(AutogradContext *ctx, Tensor w, Tensor scale,
                        double qmin, double qmax) {
    ctx->save_for_backward({w, scale});
    ctx->saved_data["qmin"] = qmin;
    ctx->saved_data["qmax"] = qmax;
    return fakeQuantizeExact(w, scale, torch::zeros_like(scale), qmin, qmax);
  }
  static tensor_list backward(AutogradContext *ctx, tensor_list grads) {
    tensor_list saved = ctx->get_saved_variables();
    Tensor w = saved[0], scale = saved[1], g = grads[0];
    double qmin = ctx->saved_data["qmin"].toDouble();
    double qmax = ctx->saved_data["qmax"].toDouble();
    Tensor v = w / scale;
    Tensor low = v<qmin, high = v> qmax;
    Tensor inside = torch::logical_not(torch::logical_or(low, high));
    Tensor dq = torch::where(
        low, torch::full_like(v, qmin),
        torch::where(high, torch::full_like(v, qmax), torch::round(v) - v));
    double perChannel = double(w.numel()) / double(scale.numel());
    Tensor gradS = (g * dq).sum_to_size(scale.sizes()) /
                   std::sqrt(perChannel * std::max(1.0, qmax));
    return {g * inside.to(g.dtype()), gradS, Tensor(), Tensor()};
  }
};
} // namespace

/// The compiler's weight parameters (computeWeightParams) for a weight
/// tensor whose channels lie along `layout`, as tensors shaped to broadcast
/// against the weight viewed as [groups, outer, channels, inner].
static void weightParams(const Tensor &w, const quant::ChannelLayout &layout,
                         quant::Scheme scheme, unsigned bits, bool perChannel,
                         Tensor &scale, Tensor &zeroPoint) {
  torch::NoGradGuard noGrad;
  Tensor view = w.detach().reshape(
      {layout.groups, layout.outer, layout.channels, layout.inner});
  Tensor lo, hi;
  if (perChannel) {
    lo = view.amin({1, 3}).reshape({-1});
    hi = view.amax({1, 3}).reshape({-1});
  } else {
    lo = view.min().reshape({1});
    hi = view.max().reshape({1});
  }
  auto loA = lo.contiguous(), hiA = hi.contiguous();
  const float *lop = loA.data_ptr<float>(), *hip = hiA.data_ptr<float>();
  int64_t n = lo.numel();
  std::vector<float> scales(static_cast<size_t>(n)),
      zps(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    quant::QuantParams p =
        quant::paramsFromRange({lop[i], hip[i]}, scheme, bits);
    scales[size_t(i)] = p.scale;
    zps[size_t(i)] = float(p.zeroPoint);
  }
  std::vector<int64_t> shape = {layout.groups, 1, layout.channels, 1};
  if (!perChannel)
    shape = {1, 1, 1, 1};
  scale = torch::tensor(scales).reshape(shape);
  zeroPoint = torch::tensor(zps).reshape(shape);
}

std::vector<float>
tune::fakeQuantizeWithTorch(const std::vector<float> &values,
                            const quant::ChannelLayout &layout,
                            const std::vector<quant::QuantParams> &params) {
  Tensor x = torch::tensor(values).reshape(
      {layout.groups, layout.outer, layout.channels, layout.inner});
  std::vector<float> scales, zps;
  for (const quant::QuantParams &p : params) {
    scales.push_back(p.scale);
    zps.push_back(float(p.zeroPoint));
  }
  std::vector<int64_t> shape = {layout.groups, 1, layout.channels, 1};
  if (params.size() == 1)
    shape = {1, 1, 1, 1};
  Tensor out = fakeQuantizeExact(x, torch::tensor(scales).reshape(shape),
                                 torch::tensor(zps).reshape(shape),
                                 double(params.front().range.min),
                                 double(params.front().range.max))
                   .contiguous();
  return std::vector<float>(out.data_ptr<float>(),
                            out.data_ptr<float>() + out.numel());
}

//===----------------------------------------------------------------------===//
// The network
//===----------------------------------------------------------------------===//

struct Network::Impl {
  Graph graph;
  /// Every constant's tensor, by value id.
  std::map<int, Tensor> constants;
  /// Learned activation scale ([1], f32) of each quantized layer, by node
  /// index; undefined until calibrated.
  std::map<size_t, Tensor> actScales;
  /// Learned weight scales of symmetric layers (shaped to broadcast against
  /// the weight viewed as [groups, outer, channels, inner]), by node index;
  /// empty unless training with learnWeightScales.
  std::map<size_t, Tensor> weightScales;
  bool quantized = false;
  bool training = false;
  /// When set, called with (node index, layer input) before each layer.
  std::function<void(size_t, const Tensor &)> observer;

  std::vector<Tensor> parameters();
  Tensor run(const Tensor &input);
  Tensor layerInput(size_t index, const Node &node, const Tensor &x);
  Tensor layerWeight(size_t index, const Node &node, const Tensor &w);
  void initWeightScales();
};

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
  return ActFakeQuant::apply(x, it->second, double(node.quant->azp),
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
    return WeightLsqFakeQuant::apply(w.reshape({layout.groups, layout.outer,
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
    weightParams(w, layout, q.wscheme, q.wbits, q.perChannel, scale, zp);
  }
  Tensor view =
      w.reshape({layout.groups, layout.outer, layout.channels, layout.inner});
  return WeightFakeQuant::apply(view, scale, zp, double(range.min),
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

/// The logits of the network's output: a trailing softmax is skipped for the
/// loss (cross-entropy of its input); argmax is the same either way.
static Tensor lossOf(const Tensor &output, const Tensor &labels,
                     bool outputIsSoftmax) {
  if (outputIsSoftmax)
    return torch::nll_loss(torch::log(output.clamp_min(1e-12)), labels);
  return torch::cross_entropy_loss(output, labels);
}

/// Log-probabilities of the outputs (logits, or a softmax's probabilities).
static Tensor logProbabilities(const Tensor &output, bool outputIsSoftmax) {
  if (outputIsSoftmax)
    return torch::log(output.clamp_min(1e-12));
  return torch::log_softmax(output, 1);
}

static bool endsInSoftmax(const Graph &graph) {
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

//===----------------------------------------------------------------------===//
// Training and checkpoints
//===----------------------------------------------------------------------===//

namespace {
/// A fingerprint of the network's structure: a checkpoint only resumes the
/// network (and quantization) it was written for.
std::string fingerprint(const Graph &graph, bool quantized) {
  std::string text = quantized ? "q" : "f";
  for (const Node &node : graph.nodes) {
    text += getNodeKindName(node.kind);
    if (node.quant)
      text += "/" + std::to_string(node.quant->wbits) + "." +
              std::to_string(node.quant->abits);
    text += ";";
  }
  for (const auto &[id, t] : graph.constants)
    text += std::to_string(id) + ":" + std::to_string(t.data.size()) + ",";
  return text;
}
} // namespace

/// Starts every symmetric quantized layer's learned weight scales at the
/// compiler's (max-based) ones for the current weights.
void Network::Impl::initWeightScales() {
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node &node = graph.nodes[i];
    if (!node.quant || node.quant->wscheme != quant::Scheme::Symmetric ||
        !graph.constants.count(node.inputs[1]))
      continue;
    Tensor scale, zp;
    weightParams(constants.at(node.inputs[1]), getWeightLayout(graph, node),
                 node.quant->wscheme, node.quant->wbits, node.quant->perChannel,
                 scale, zp);
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
  std::vector<Tensor> params = net.parameters();
  std::vector<Tensor> scales;
  if (net.quantized && options.learnScales)
    for (auto &[index, s] : net.actScales)
      scales.push_back(s);
  for (auto &[index, s] : net.weightScales)
    scales.push_back(s);

  std::vector<torch::optim::OptimizerParamGroup> groups;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  if (options.optimizer == "adam") {
    auto opts = torch::optim::AdamOptions(options.learningRate)
                    .weight_decay(options.weightDecay);
    groups.emplace_back(params,
                        std::make_unique<torch::optim::AdamOptions>(opts));
    if (!scales.empty())
      groups.emplace_back(scales,
                          std::make_unique<torch::optim::AdamOptions>(
                              torch::optim::AdamOptions(options.learningRate)));
    optimizer = std::make_unique<torch::optim::Adam>(groups, opts);
  } else if (options.optimizer == "sgd") {
    auto opts = torch::optim::SGDOptions(options.learningRate)
                    .momentum(options.momentum)
                    .nesterov(options.momentum > 0)
                    .weight_decay(options.weightDecay);
    groups.emplace_back(params,
                        std::make_unique<torch::optim::SGDOptions>(opts));
    if (!scales.empty())
      groups.emplace_back(scales,
                          std::make_unique<torch::optim::SGDOptions>(
                              torch::optim::SGDOptions(options.learningRate)
                                  .momentum(options.momentum)));
    optimizer = std::make_unique<torch::optim::SGD>(groups, opts);
  } else {
    error = "cim-tune: error: unknown optimizer '" + options.optimizer +
            "' (expected sgd or adam)";
    return false;
  }

  // Resume from the checkpoint when it belongs to this network.
  std::string print = fingerprint(net.graph, net.quantized);
  if (!net.weightScales.empty())
    print += "learned weight scales";
  int64_t firstEpoch = 0;
  if (!options.checkpoint.empty() && std::ifstream(options.checkpoint)) {
    try {
      torch::serialize::InputArchive archive;
      archive.load_from(options.checkpoint);
      c10::IValue stored;
      archive.read("fingerprint", stored);
      if (!stored.isString() || stored.toStringRef() != print) {
        error = options.checkpoint +
                ": error: the checkpoint belongs to another network or "
                "quantization; remove it or pass another --checkpoint";
        return false;
      }
      c10::IValue epoch;
      archive.read("epoch", epoch);
      firstEpoch = epoch.toInt();
      torch::NoGradGuard noGrad;
      for (auto &[id, t] : net.constants) {
        Tensor saved;
        archive.read("c" + std::to_string(id), saved);
        t.copy_(saved);
      }
      for (auto &[index, s] : net.actScales) {
        Tensor saved;
        archive.read("s" + std::to_string(index), saved);
        s.copy_(saved);
      }
      for (auto &[index, s] : net.weightScales) {
        Tensor saved;
        archive.read("w" + std::to_string(index), saved);
        s.copy_(saved);
      }
      torch::serialize::InputArchive optState;
      archive.read("optimizer", optState);
      optimizer->load(optState);
    } catch (const c10::Error &e) {
      error = options.checkpoint + ": error: cannot read the checkpoint: " +
              e.what_without_backtrace();
      return false;
    }
  }
  auto save = [&](int64_t epochsDone) -> bool {
    if (options.checkpoint.empty())
      return true;
    try {
      torch::serialize::OutputArchive archive;
      archive.write("fingerprint", c10::IValue(print));
      archive.write("epoch", c10::IValue(epochsDone));
      for (auto &[id, t] : net.constants)
        archive.write("c" + std::to_string(id), t.detach());
      for (auto &[index, s] : net.actScales)
        archive.write("s" + std::to_string(index), s.detach());
      for (auto &[index, s] : net.weightScales)
        archive.write("w" + std::to_string(index), s.detach());
      torch::serialize::OutputArchive optState;
      optimizer->save(optState);
      archive.write("optimizer", optState);
      std::string temp = options.checkpoint + ".tmp";
      archive.save_to(temp);
      if (std::rename(temp.c_str(), options.checkpoint.c_str()) != 0) {
        error = options.checkpoint + ": error: cannot write the checkpoint";
        return false;
      }
    } catch (const c10::Error &e) {
      error = options.checkpoint + ": error: cannot write the checkpoint: " +
              e.what_without_backtrace();
      return false;
    }
    return true;
  };

  bool softmax = endsInSoftmax(net.graph);
  int64_t batches = BatchIterator(data, options.transform, options.batchSize,
                                  false, false, 0, 0)
                        .getBatchCount();
  int64_t totalSteps = batches * options.epochs;
  for (int64_t epoch = firstEpoch; epoch < options.epochs; ++epoch) {
    BatchIterator it(data, options.transform, options.batchSize, true,
                     options.augment, options.seed, epoch);
    std::vector<float> images;
    std::vector<int64_t> labels;
    Progress progress;
    progress.epoch = epoch + 1;
    progress.epochs = options.epochs;
    progress.totalImages = data.count;
    double lossSum = 0;
    int64_t correct = 0, step = epoch * batches;
    auto start = std::chrono::steady_clock::now();
    while (it.next(images, labels)) {
      if (options.cosine) {
        double lr = 0.5 * options.learningRate *
                    (1 + std::cos(M_PI * double(step) / double(totalSteps)));
        for (auto &group : optimizer->param_groups())
          group.options().set_lr(lr);
      }
      ++step;
      int64_t n = int64_t(labels.size());
      std::vector<int64_t> shape = net.graph.inputShapes[0];
      shape[0] = n;
      Tensor x = torch::from_blob(images.data(), shape);
      Tensor target = torch::tensor(labels);
      net.training = true;
      Tensor y = net.run(x).reshape({n, -1});
      Tensor loss = lossOf(y, target, softmax);
      if (options.teacher && options.distill > 0) {
        Tensor teacherLog;
        {
          torch::NoGradGuard noGrad;
          teacherLog = logProbabilities(
              options.teacher->impl->run(x).reshape({n, -1}), softmax);
        }
        Tensor kl =
            (teacherLog.exp() * (teacherLog - logProbabilities(y, softmax)))
                .sum(1)
                .mean();
        loss = (1 - options.distill) * loss + options.distill * kl;
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
      progress.secondsLeft = double(data.count - progress.images +
                                    (options.epochs - epoch - 1) * data.count) /
                             progress.imagesPerSecond;
      if (options.progress && progress.images < data.count)
        options.progress(progress);
    }
    net.training = false;
    if (test)
      progress.testAccuracy =
          evaluate(*test, options.transform, 256, false).getAccuracy();
    progress.epochDone = true;
    if (!save(epoch + 1))
      return false;
    if (options.progress)
      options.progress(progress);
  }
  return true;
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
