//===- PostTraining.cpp - Post-training quantization ----------------------===//
//
// `cim-tune ptq` (docs/quantization.md, "Post-training quantization"): the
// layers of a Network quantized one after the other in graph order, each on
// the inputs that the already quantized layers before it give (GPTQ's
// sequential mode): input-range search by the layer's output error, GPTQ
// weight rounding on searched per-channel scales, bias correction against
// the float network. Everything runs without gradients; the layer is
// evaluated by its own trainable kernel, so the fake quantization is the
// network's own (bit for bit the compiler's).
//
//===----------------------------------------------------------------------===//

#include "cim/Tune/PostTraining.h"

#include "NetworkImpl.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

using namespace mlir::cim;
using namespace mlir::cim::tune;
using torch::Tensor;

namespace {

/// Thrown by the observer to end a run once the layer's input is seen: the
/// layers after it do not matter yet.
struct InputSeen {};

/// Sets the network's quantization for a scope.
struct QuantizedScope {
  Network::Impl &impl;
  bool was;
  QuantizedScope(Network::Impl &impl, bool quantized)
      : impl(impl), was(impl.quantized) {
    impl.quantized = quantized;
  }
  ~QuantizedScope() { impl.quantized = was; }
};

/// A run batch: one tensor per network input.
using RunBatch = std::vector<Tensor>;

/// The first `count` samples of `data`, one RunBatch per run batch (a model
/// with a static batch gets whole batches only).
std::vector<RunBatch> loadBatches(Network::Impl &impl, const Dataset &data,
                                  const Transform &transform, int64_t count) {
  Dataset subset = data;
  subset.truncate(count);
  int64_t batch = impl.runBatch(64);
  BatchIterator it(subset, transform, batch, false, false, 0, 0);
  Batch samples;
  std::vector<RunBatch> batches;
  while (it.next(samples)) {
    if (impl.hasStaticBatch() && samples.size != batch)
      break;
    RunBatch inputs;
    for (Tensor &x : impl.inputsOf(samples))
      inputs.push_back(x.clone());
    batches.push_back(std::move(inputs));
  }
  return batches;
}

/// The layer's result for `input` with its constant operands (quantized as
/// its LayerQuant says when `quantized`).
Tensor runLayer(Network::Impl &impl, size_t index, const Tensor &input,
                bool quantized) {
  QuantizedScope scope(impl, quantized);
  const Node &node = impl.graph.nodes[index];
  std::vector<Tensor> operands = {input};
  for (size_t k = 1; k < node.inputs.size(); ++k)
    operands.push_back(node.inputs[k] < 0 ? Tensor()
                                          : impl.constants.at(node.inputs[k]));
  KernelContext context{impl, index, node, impl.graph.batch};
  return impl.kernels[index](context, operands)[0];
}

/// The output-channel axis of a layer's result: 1 for a convolution (NCHW),
/// the last for Gemm and MatMul.
int64_t channelAxis(const Node &node, const Tensor &y) {
  return node.op == "conv2d" ? 1 : y.dim() - 1;
}

/// Sums over everything but the channel axis, in f64; `count` gets the
/// number of values per channel.
Tensor channelSums(const Node &node, const Tensor &y, int64_t &count) {
  int64_t axis = channelAxis(node, y);
  Tensor moved = y.movedim(axis, 0).reshape({y.size(axis), -1});
  count += moved.size(1);
  return moved.to(torch::kDouble).sum(1);
}

/// The per-channel mean output of every layer in `layers` in the float
/// network.
std::map<size_t, Tensor> getFloatMeans(Network::Impl &impl,
                                       const std::vector<RunBatch> &batches,
                                       const std::set<size_t> &layers) {
  std::map<size_t, Tensor> sums;
  std::map<size_t, int64_t> counts;
  bool inside = false; // the layer's own kernel calls the observer too
  impl.observer = [&](size_t index, int operand, const Tensor &x) {
    if (inside || operand != 0 || !layers.count(index))
      return;
    inside = true;
    Tensor s = channelSums(impl.graph.nodes[index],
                           runLayer(impl, index, x, false), counts[index]);
    sums[index] = sums.count(index) ? sums[index] + s : s;
    inside = false;
  };
  QuantizedScope scope(impl, false);
  for (const RunBatch &batch : batches)
    impl.run(batch);
  impl.observer = nullptr;
  for (auto &[index, s] : sums)
    s /= double(std::max<int64_t>(1, counts[index]));
  return sums;
}

/// The input of layer `index` for every batch, through the network as it
/// is quantized now.
std::vector<Tensor> captureInputs(Network::Impl &impl, size_t index,
                                  const std::vector<RunBatch> &batches) {
  std::vector<Tensor> inputs;
  impl.observer = [&](size_t at, int operand, const Tensor &x) {
    if (at != index || operand != 0)
      return;
    inputs.push_back(x.detach().clone());
    throw InputSeen();
  };
  for (const RunBatch &batch : batches) {
    try {
      impl.run(batch);
    } catch (const InputSeen &) {
    }
  }
  impl.observer = nullptr;
  return inputs;
}

Tensor quantizeActivation(const Tensor &x, const quant::QuantParams &p) {
  return fakeQuantizeActivation(x, torch::full({1}, p.scale),
                                double(p.zeroPoint), double(p.range.min),
                                double(p.range.max));
}

/// The real interval a layer's activation parameters cover.
quant::Range coveredRange(const quant::QuantParams &p) {
  return {float(p.range.min - p.zeroPoint) * p.scale,
          float(p.range.max - p.zeroPoint) * p.scale};
}

/// Chooses layer `index`'s input range: the observed [min, max] shrunk by
/// 1, 0.975, ..., 0.1, and the calibration method's range, each scored by
/// the squared error of the layer's float-weight output on the first
/// batches (`scored` of them). Ties keep the earlier candidate.
void searchRange(Network::Impl &impl, size_t index,
                 const std::vector<Tensor> &inputs, size_t scored,
                 PostTrainingLayer &report) {
  Node &node = impl.graph.nodes[index];
  LayerQuant &q = *node.quant;
  float lo = INFINITY, hi = -INFINITY;
  for (const Tensor &x : inputs) {
    lo = std::min(lo, x.min().item<float>());
    hi = std::max(hi, x.max().item<float>());
  }
  std::vector<Tensor> reference;
  for (size_t b = 0; b < scored; ++b)
    reference.push_back(runLayer(impl, index, inputs[b], false));
  auto score = [&](const quant::QuantParams &p) {
    double sum = 0;
    for (size_t b = 0; b < scored; ++b) {
      Tensor y = runLayer(impl, index, quantizeActivation(inputs[b], p), false);
      sum +=
          (y - reference[b]).to(torch::kDouble).square().sum().item<double>();
    }
    return sum;
  };
  quant::QuantParams calibrated =
      quant::makeParams(q.ascheme, q.abits, *q.ascale, q.azp);
  report.calibratedRangeError = score(calibrated);
  quant::QuantParams best = calibrated;
  report.rangeError = report.calibratedRangeError;
  report.rangeRatio = 0;
  if (std::isfinite(lo) && std::isfinite(hi)) {
    for (int k = 0; k <= 36; ++k) {
      double ratio = 1.0 - k / 40.0;
      quant::QuantParams p = quant::paramsFromRange(
          {float(ratio * lo), float(ratio * hi)}, q.ascheme, q.abits);
      double error = score(p);
      if (error < report.rangeError) {
        report.rangeError = error;
        report.rangeRatio = ratio;
        best = p;
      }
    }
  }
  double values = 0;
  for (const Tensor &y : reference)
    values += double(y.numel());
  report.rangeError /= std::max(1.0, values);
  report.calibratedRangeError /= std::max(1.0, values);
  report.rangeSearched = true;
  q.ascale = best.scale;
  q.azp = best.zeroPoint;
  Tensor s = torch::full({1}, best.scale);
  s.set_requires_grad(true);
  impl.actScales[index] = s;
}

/// Per-channel weight parameters on the compiler's grid (paramsFromRange of
/// the channel's range), with, when `search`, the clipping ratio among 1,
/// 0.99, ..., 0.2 of least squared weight error per channel; ratio 1 is the
/// compiler's max-based scale.
std::vector<quant::QuantParams>
chooseWeightParams(const Tensor &w, const quant::ChannelLayout &layout,
                   const LayerQuant &q, bool search) {
  Tensor view =
      w.reshape({layout.groups, layout.outer, layout.channels, layout.inner});
  Tensor lo, hi;
  std::vector<int64_t> shape = {layout.groups, 1, layout.channels, 1};
  if (q.perChannel) {
    lo = view.amin({1, 3}).reshape({-1}).contiguous();
    hi = view.amax({1, 3}).reshape({-1}).contiguous();
  } else {
    lo = view.min().reshape({1});
    hi = view.max().reshape({1});
    shape = {1, 1, 1, 1};
  }
  int64_t n = lo.numel();
  const float *lop = lo.data_ptr<float>(), *hip = hi.data_ptr<float>();
  quant::IntRange range = quant::getIntRange(q.wscheme, q.wbits);
  auto paramsAt = [&](double ratio) {
    std::vector<quant::QuantParams> params;
    for (int64_t c = 0; c < n; ++c)
      params.push_back(quant::paramsFromRange(
          {float(ratio * lop[c]), float(ratio * hip[c])}, q.wscheme, q.wbits));
    return params;
  };
  auto errors = [&](const std::vector<quant::QuantParams> &params) {
    std::vector<float> scales, zps;
    for (const quant::QuantParams &p : params) {
      scales.push_back(p.scale);
      zps.push_back(float(p.zeroPoint));
    }
    Tensor fq = fakeQuantizeWeight(view, torch::tensor(scales).reshape(shape),
                                   torch::tensor(zps).reshape(shape),
                                   double(range.min), double(range.max));
    Tensor e = (fq - view).to(torch::kDouble).square();
    return (q.perChannel ? e.sum({1, 3}).reshape({-1}) : e.sum().reshape({1}))
        .contiguous();
  };
  std::vector<quant::QuantParams> best = paramsAt(1.0);
  if (!search)
    return best;
  Tensor bestError = errors(best);
  for (int k = 1; k <= 80; ++k) {
    std::vector<quant::QuantParams> params = paramsAt(1.0 - k / 100.0);
    Tensor error = errors(params);
    const double *e = error.data_ptr<double>();
    double *b = bestError.data_ptr<double>();
    for (int64_t c = 0; c < n; ++c)
      if (e[c] < b[c]) {
        b[c] = e[c];
        best[size_t(c)] = params[size_t(c)];
      }
  }
  return best;
}

/// How GPTQ sees a layer's weight: `groups` matrices of `rows` output
/// channels by `features` inputs (the im2col order of a convolution's
/// patches, the reduction dimension of a product).
struct MatrixForm {
  int64_t groups = 1, rows = 0, features = 0;
  /// The weight is stored features x rows (Gemm without transB, MatMul).
  bool transposed = false;

  Tensor toMatrix(const Tensor &w) const {
    return (transposed ? w.t() : w).reshape({groups, rows, features});
  }
  Tensor fromMatrix(const Tensor &m, c10::IntArrayRef shape) const {
    if (!transposed)
      return m.reshape(shape);
    return m.reshape({rows, features}).t().contiguous().reshape(shape);
  }
};

/// The matrix form of the layer's weight; false for the forms GPTQ does
/// not handle here (3-D convolutions, batched MatMul weights, transA).
bool getMatrixForm(const Node &node, const Tensor &w, MatrixForm &form) {
  if (node.op == "conv2d" && (w.dim() == 3 || w.dim() == 4)) {
    form.groups = node.getInt("group", 1);
    form.rows = w.size(0) / form.groups;
    form.features = w.numel() / w.size(0);
    return form.groups * form.rows == w.size(0);
  }
  if (w.dim() != 2 || (node.op == "gemm" && node.getInt("transA")))
    return false;
  form.transposed = !(node.op == "gemm" && node.getInt("transB"));
  form.rows = form.transposed ? w.size(1) : w.size(0);
  form.features = form.transposed ? w.size(0) : w.size(1);
  return node.op == "gemm" || node.op == "matmul";
}

/// The rows GPTQ's Hessian sums over for one batch of (quantized) layer
/// inputs: [groups, features, rows], a convolution's im2col patches.
Tensor getInputColumns(const Node &node, const Tensor &x, const Tensor &w,
                       const MatrixForm &form) {
  if (node.op != "conv2d")
    return x.reshape({-1, form.features}).t().unsqueeze(0);
  // A 1-D convolution as a 2-D one of height 1.
  bool oneD = w.dim() == 3;
  size_t k = oneD ? 1 : 2;
  auto orOnes = [&](std::vector<int64_t> v) {
    if (v.empty())
      v.assign(k, 1);
    if (oneD)
      v.insert(v.begin(), 1);
    return v;
  };
  std::vector<int64_t> strides = orOnes(node.getInts("strides"));
  std::vector<int64_t> dilations = orOnes(node.getInts("dilations"));
  std::vector<int64_t> pads = node.getInts("pads");
  pads.resize(2 * k, 0);
  // torch's pad order: the last dimension first, (begin, end) each.
  std::vector<int64_t> torchPads;
  for (size_t d = k; d-- > 0;) {
    torchPads.push_back(pads[d]);
    torchPads.push_back(pads[k + d]);
  }
  Tensor input = oneD ? x.unsqueeze(2) : x;
  input = torch::constant_pad_nd(input, torchPads, 0.0);
  std::vector<int64_t> kernel = {oneD ? 1 : w.size(2), w.size(w.dim() - 1)};
  Tensor cols = torch::im2col(input, kernel, dilations, {0, 0}, strides);
  int64_t n = x.size(0), positions = cols.size(2);
  return cols.reshape({n, form.groups, form.features, positions})
      .permute({1, 2, 0, 3})
      .reshape({form.groups, form.features, n * positions});
}

/// tr(E H E^T) summed over the groups.
double hessianNorm(const Tensor &e, const Tensor &h) {
  return (torch::matmul(e, h) * e).sum().item<double>();
}

/// GPTQ (Frantar et al., 2023, Algorithm 1 without the lazy batches) on
/// W [G, R, F] (f64) with H [G, F, F] (f64) and per-row parameters `scale`
/// and `zeroPoint` [G, R] (f32). Returns the fake-quantized weights (f32).
Tensor runGptq(Tensor w, Tensor h, const Tensor &scale, const Tensor &zeroPoint,
               double qmin, double qmax, double dampening, bool actOrder) {
  int64_t groups = w.size(0), rows = w.size(1), features = w.size(2);
  w = w.clone();
  h = h.clone();
  // Inputs that were always 0 carry no error: a unit diagonal keeps the
  // factorization defined and their columns decoupled.
  Tensor diagonal = h.diagonal(0, 1, 2);
  diagonal.masked_fill_(diagonal == 0, 1.0);
  Tensor order;
  if (actOrder) {
    order = std::get<1>(torch::sort(h.diagonal(0, 1, 2).clone(),
                                    /*stable=*/true, /*dim=*/1,
                                    /*descending=*/true));
    w = w.gather(2, order.unsqueeze(1).expand({groups, rows, features}));
    h = h.gather(1, order.unsqueeze(2).expand({groups, features, features}))
            .gather(2, order.unsqueeze(1).expand({groups, features, features}));
  }
  Tensor eye = torch::eye(features, torch::kDouble).expand_as(h);
  Tensor damp = h.diagonal(0, 1, 2).mean(1).reshape({groups, 1, 1});
  // The upper Cholesky factor of H^-1; a dampening too small for a
  // factorization is raised tenfold.
  Tensor upper;
  for (double factor = dampening; !upper.defined();
       factor = factor > 0 ? factor * 10 : 1e-6) {
    if (factor > 1e6)
      throw std::runtime_error("GPTQ: the Hessian cannot be factorized");
    auto [lower, info] = torch::linalg_cholesky_ex(h + damp * factor * eye,
                                                   /*upper=*/false,
                                                   /*check_errors=*/false);
    if (info.ne(0).any().item<bool>())
      continue;
    Tensor inverse = torch::cholesky_solve(eye.contiguous(), lower);
    auto [u, info2] = torch::linalg_cholesky_ex(inverse, /*upper=*/true,
                                                /*check_errors=*/false);
    if (info2.eq(0).all().item<bool>())
      upper = u;
  }
  Tensor quantized = torch::empty({groups, rows, features}, torch::kFloat);
  for (int64_t j = 0; j < features; ++j) {
    Tensor column = w.select(2, j);
    Tensor q = fakeQuantizeWeight(column.to(torch::kFloat), scale, zeroPoint,
                                  qmin, qmax);
    quantized.select(2, j).copy_(q);
    if (j + 1 == features)
      break;
    Tensor row = upper.select(1, j); // [G, F]
    Tensor error = (column - q.to(torch::kDouble)) /
                   row.select(1, j).unsqueeze(1); // [G, R]
    w.narrow(2, j + 1, features - j - 1)
        .sub_(error.unsqueeze(2) *
              row.narrow(1, j + 1, features - j - 1).unsqueeze(1));
  }
  if (actOrder)
    quantized = quantized.gather(
        2, torch::argsort(order, /*dim=*/int64_t(1), /*descending=*/false)
               .unsqueeze(1)
               .expand({groups, rows, features}));
  return quantized;
}

/// The layer's output channels (as many as its weight's).
int64_t outputChannels(const Graph &graph, const Node &node) {
  return getWeightLayout(graph, node).getNumChannels();
}

/// A zero bias for a Conv or Gemm without one (a new constant of the
/// graph); -1 when the layer has no bias operand.
int addBias(Network::Impl &impl, Node &node) {
  if (node.inputs.size() < 3 || (node.op != "conv2d" && node.op != "gemm"))
    return -1;
  Graph &graph = impl.graph;
  int id = graph.numValues++;
  int64_t channels = outputChannels(graph, node);
  graph.shapes.push_back({channels});
  if (!graph.batchSlope.empty())
    graph.batchSlope.push_back({0});
  graph.types.push_back(ElementType::F32);
  FloatTensor bias;
  bias.shape = {channels};
  bias.data.assign(size_t(channels), 0.0f);
  graph.constants[id] = bias;
  Tensor t = torch::zeros({channels});
  t.set_requires_grad(true);
  impl.constants[id] = t;
  node.inputs[2] = id;
  return id;
}

std::string formatLine(const PostTrainingLayer &r, size_t position,
                       size_t count, const std::string &op) {
  char buf[512];
  std::string line = "ptq: layer " + std::to_string(position) + "/" +
                     std::to_string(count) + " '" + r.name + "' (" + op + ")";
  if (r.rangeSearched) {
    char ratio[64] = "the calibrated range";
    if (r.rangeRatio > 0)
      std::snprintf(ratio, sizeof ratio, "%.3f x min/max", r.rangeRatio);
    std::snprintf(buf, sizeof buf,
                  ": input [%g, %g] (%s; output MSE %.3g, calibrated %.3g)",
                  double(r.range.min), double(r.range.max), ratio, r.rangeError,
                  r.calibratedRangeError);
    line += buf;
  } else {
    std::snprintf(buf, sizeof buf, ": input [%g, %g]", double(r.range.min),
                  double(r.range.max));
    line += buf;
  }
  if (r.gptq) {
    std::snprintf(buf, sizeof buf,
                  "; weights GPTQ, output error %.3g %% (nearest %.3g %%)",
                  100 * r.weightError, 100 * r.nearestError);
    line += buf;
  } else if (r.note.empty() || r.biasCorrected) {
    line += "; weights rounded to nearest";
  }
  if (r.biasCorrected) {
    std::snprintf(buf, sizeof buf, "; bias %s by %.3g (mean |shift|)",
                  r.biasAdded ? "added, corrected" : "corrected", r.biasShift);
    line += buf;
  }
  if (!r.note.empty())
    line += "; " + r.note;
  return line;
}

} // namespace

std::vector<float>
tune::quantizeGptq(const std::vector<float> &weights, int64_t rows,
                   int64_t cols, const std::vector<double> &hessian,
                   const std::vector<quant::QuantParams> &params,
                   double dampening, bool actOrder) {
  torch::NoGradGuard noGrad;
  Tensor w = torch::tensor(weights).to(torch::kDouble).reshape({1, rows, cols});
  Tensor h = torch::tensor(hessian).reshape({1, cols, cols});
  std::vector<float> scales, zps;
  for (const quant::QuantParams &p : params) {
    scales.push_back(p.scale);
    zps.push_back(float(p.zeroPoint));
  }
  Tensor q = runGptq(w, h, torch::tensor(scales).reshape({1, rows}),
                     torch::tensor(zps).reshape({1, rows}),
                     double(params.front().range.min),
                     double(params.front().range.max), dampening, actOrder)
                 .contiguous();
  return std::vector<float>(q.data_ptr<float>(),
                            q.data_ptr<float>() + q.numel());
}

bool tune::quantizePostTraining(Network &net, const Dataset &data,
                                const PostTrainingOptions &options,
                                std::vector<PostTrainingLayer> &layers,
                                std::string &error) {
  Network::Impl &impl = net.getImpl();
  torch::NoGradGuard noGrad;
  impl.training = false;
  try {
    // Every layer starts from the calibration method's ranges (the range
    // search's candidate, and the ranges of products of two activations).
    CalibrationOptions calibration = options.calibration;
    calibration.overwrite = true;
    net.calibrate(data, options.transform, calibration);
    std::vector<RunBatch> batches =
        loadBatches(impl, data, options.transform, calibration.images);
    if (batches.empty()) {
      error = "cim-tune: error: no calibration images";
      return false;
    }
    size_t scored = 0;
    for (int64_t images = 0;
         scored < batches.size() && images < options.rangeImages; ++scored)
      images += batches[scored][0].size(0);

    std::vector<size_t> order;
    std::set<size_t> weighted;
    for (size_t i = 0; i < impl.graph.nodes.size(); ++i) {
      const Node &node = impl.graph.nodes[i];
      if (!node.quant || !impl.graph.isLayer(node))
        continue;
      order.push_back(i);
      if (impl.graph.hasConstantWeight(node))
        weighted.insert(i);
    }
    std::map<size_t, Tensor> floatMeans;
    if (options.biasCorrection)
      floatMeans = getFloatMeans(impl, batches, weighted);

    impl.quantized = true;
    for (size_t position = 0; position < order.size(); ++position) {
      size_t index = order[position];
      Node &node = impl.graph.nodes[index];
      LayerQuant &q = *node.quant;
      PostTrainingLayer report;
      report.name = node.name;
      auto finish = [&] {
        if (q.ascale)
          report.range = coveredRange(
              quant::makeParams(q.ascheme, q.abits, *q.ascale, q.azp));
        if (options.progress)
          options.progress(
              formatLine(report, position + 1, order.size(), node.op));
        layers.push_back(report);
      };
      bool constantOperands = weighted.count(index) > 0;
      for (size_t k = 2; k < node.inputs.size(); ++k)
        constantOperands &=
            node.inputs[k] < 0 || impl.constants.count(node.inputs[k]) > 0;
      if (!weighted.count(index)) {
        report.note = "a product of two activations: calibrated ranges, no "
                      "weight to round";
        finish();
        continue;
      }
      if (!constantOperands || !q.ascale) {
        report.note = "operands that are not constants: calibrated ranges, "
                      "weights rounded to nearest";
        finish();
        continue;
      }
      std::vector<Tensor> inputs = captureInputs(impl, index, batches);
      if (inputs.size() != batches.size())
        throw std::runtime_error("layer '" + node.name +
                                 "' was not reached by every batch");

      if (options.rangeSearch)
        searchRange(impl, index, inputs, std::max<size_t>(1, scored), report);

      // Weights: scales first (they stay fixed), then the rounding.
      int weightId = node.inputs[1];
      Tensor &weight = impl.constants.at(weightId);
      Tensor w = weight.detach().clone();
      quant::ChannelLayout layout = getWeightLayout(impl.graph, node);
      std::vector<quant::QuantParams> params =
          chooseWeightParams(w, layout, q, options.weightClipping);
      quant::IntRange range = quant::getIntRange(q.wscheme, q.wbits);
      std::vector<float> scales, zps;
      for (const quant::QuantParams &p : params) {
        scales.push_back(p.scale);
        zps.push_back(float(p.zeroPoint));
      }
      q.wscale = scales;
      q.wzp.assign(params.size(), 0);
      for (size_t c = 0; c < params.size(); ++c)
        q.wzp[c] = params[c].zeroPoint;
      Tensor rounded; // the weight's new (fake-quantized) value
      MatrixForm form;
      if (options.gptq && getMatrixForm(node, w, form)) {
        quant::QuantParams act =
            quant::makeParams(q.ascheme, q.abits, *q.ascale, q.azp);
        Tensor h = torch::zeros({form.groups, form.features, form.features},
                                torch::kDouble);
        int64_t samples = 0;
        for (const Tensor &x : inputs) {
          Tensor cols =
              getInputColumns(node, quantizeActivation(x, act), w, form);
          h += torch::matmul(cols, cols.transpose(1, 2)).to(torch::kDouble);
          samples += cols.size(2);
        }
        h *= 2.0 / double(std::max<int64_t>(1, samples));
        // Per-row parameters: every row of a group is one output channel.
        std::vector<int64_t> rowShape = {form.groups, form.rows};
        Tensor rowScale = params.size() == 1
                              ? torch::full(rowShape, scales[0])
                              : torch::tensor(scales).reshape(rowShape);
        Tensor rowZp = params.size() == 1
                           ? torch::full(rowShape, zps[0])
                           : torch::tensor(zps).reshape(rowShape);
        Tensor matrix = form.toMatrix(w).to(torch::kDouble);
        Tensor gptq =
            runGptq(matrix, h, rowScale, rowZp, double(range.min),
                    double(range.max), options.dampening, options.actOrder);
        Tensor nearest = fakeQuantizeWeight(
            form.toMatrix(w), rowScale.unsqueeze(2), rowZp.unsqueeze(2),
            double(range.min), double(range.max));
        double total = std::max(1e-30, hessianNorm(matrix, h));
        report.nearestError =
            hessianNorm(matrix - nearest.to(torch::kDouble), h) / total;
        report.weightError =
            hessianNorm(matrix - gptq.to(torch::kDouble), h) / total;
        report.gptq = true;
        rounded = form.fromMatrix(gptq, w.sizes());
      } else {
        if (options.gptq)
          report.note = "GPTQ does not handle this layer's form: rounded to "
                        "nearest";
        std::vector<int64_t> shape = {layout.groups, 1, layout.channels, 1};
        if (params.size() == 1)
          shape = {1, 1, 1, 1};
        rounded = fakeQuantizeWeight(w.reshape({layout.groups, layout.outer,
                                                layout.channels, layout.inner}),
                                     torch::tensor(scales).reshape(shape),
                                     torch::tensor(zps).reshape(shape),
                                     double(range.min), double(range.max))
                      .reshape(w.sizes());
      }
      weight.copy_(rounded);

      if (options.biasCorrection && floatMeans.count(index)) {
        int biasId = node.inputs.size() > 2 ? node.inputs[2] : -1;
        if (biasId < 0) {
          biasId = addBias(impl, node);
          report.biasAdded = biasId >= 0;
        }
        const Tensor &mean = floatMeans[index];
        if (biasId >= 0 && impl.constants.at(biasId).numel() == mean.numel()) {
          int64_t count = 0;
          Tensor sums = torch::zeros_like(mean);
          for (const Tensor &x : inputs)
            sums += channelSums(node, runLayer(impl, index, x, true), count);
          Tensor shift = sums / double(std::max<int64_t>(1, count)) - mean;
          if (node.op == "gemm")
            shift /= node.getFloat("beta", 1.0);
          Tensor &bias = impl.constants.at(biasId);
          bias.sub_(shift.to(torch::kFloat).reshape(bias.sizes()));
          report.biasShift = shift.abs().mean().item<double>();
          report.biasCorrected = true;
        } else if (biasId < 0) {
          report.note = "no bias operand: bias not corrected";
        } else {
          report.note = "a bias that is not per channel: not corrected";
        }
      }
      finish();
    }
  } catch (const std::exception &e) {
    impl.observer = nullptr;
    std::string what = e.what();
    what = what.substr(0, what.find('\n'));
    error = what.find(": error: ") == std::string::npos
                ? "cim-tune: error: " + what
                : what;
    return false;
  }
  impl.quantized = true;
  return true;
}
