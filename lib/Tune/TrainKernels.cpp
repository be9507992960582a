//===- TrainKernels.cpp - Trainable kernels of the cim graph ops ----------===//
//
// One LibTorch kernel per graph op of lib/Reference/GraphOps.def that has a
// derivative, computing what the reference executor computes (ONNX
// semantics) with differentiable torch ops, so that every graph the
// importer produces trains. Ops whose semantics need the compiler's rules
// (slice and pad indices, resize interpolation) get them precomputed by the
// graph builder (IRModel.cpp) as the node's derived values. Ops that cannot
// train say why in the table at the bottom.
//
//===----------------------------------------------------------------------===//

#include "NetworkImpl.h"

#include <cmath>
#include <map>

using namespace mlir::cim;
using namespace mlir::cim::tune;
using torch::Tensor;
using Tensors = std::vector<Tensor>;

namespace {
[[noreturn]] void fail(const std::string &message) {
  throw KernelError(message);
}

int64_t normalizeAxis(int64_t axis, int64_t rank) {
  int64_t d = axis < 0 ? axis + rank : axis;
  if (d < 0 || d >= std::max<int64_t>(rank, 1))
    fail("axis " + std::to_string(axis) + " is out of range for rank " +
         std::to_string(rank));
  return d;
}

/// Pads [begin..., end...] that torch's symmetric padding cannot express are
/// applied explicitly with `value` (the last k dimensions).
Tensor padExplicit(const Tensor &x, const std::vector<int64_t> &pads,
                   double value) {
  size_t k = pads.size() / 2;
  std::vector<int64_t> torchPads;
  for (size_t i = k; i-- > 0;) {
    torchPads.push_back(pads[i]);
    torchPads.push_back(pads[k + i]);
  }
  return torch::constant_pad_nd(x, torchPads, value);
}

bool symmetric(const std::vector<int64_t> &pads) {
  size_t k = pads.size() / 2;
  for (size_t i = 0; i < k; ++i)
    if (pads[i] != pads[k + i])
      return false;
  return true;
}

std::vector<int64_t> orOnes(std::vector<int64_t> values, size_t n) {
  if (values.empty())
    values.assign(n, 1);
  return values;
}

/// The window attributes of a convolution or pooling over `k` spatial
/// dimensions, defaults filled in. Pads torch cannot express (asymmetric)
/// are applied to the input by `pad`, which leaves `half` zero.
struct Window {
  std::vector<int64_t> strides, dilations, pads, half;

  Window(const Node &node, size_t k)
      : strides(orOnes(node.getInts("strides"), k)),
        dilations(orOnes(node.getInts("dilations"), k)),
        pads(node.getInts("pads")) {
    if (pads.empty())
      pads.assign(2 * k, 0);
    half.assign(pads.begin(), pads.begin() + long(k));
  }
  bool isSymmetric() const { return symmetric(pads); }
  /// `x` padded explicitly with `value` when the pads are asymmetric.
  Tensor pad(const Tensor &x, double value) {
    if (isSymmetric())
      return x;
    half.assign(half.size(), 0);
    return padExplicit(x, pads, value);
  }
};

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

Tensors conv2d(KernelContext &ctx, Tensors &in) {
  const Node &node = ctx.node;
  Tensor x = in[0], w = in[1], b = in[2];
  ctx.quantizeOperands(x, w);
  size_t k = size_t(w.dim()) - 2;
  Window win(node, k);
  x = win.pad(x, 0.0);
  int64_t group = node.getInt("group", 1);
  if (k == 1)
    return {
        torch::conv1d(x, w, b, win.strides, win.half, win.dilations, group)};
  if (k == 3)
    return {
        torch::conv3d(x, w, b, win.strides, win.half, win.dilations, group)};
  return {torch::conv2d(x, w, b, win.strides, win.half, win.dilations, group)};
}

Tensors gemm(KernelContext &ctx, Tensors &in) {
  const Node &node = ctx.node;
  Tensor a = in[0], b = in[1], c = in[2];
  ctx.quantizeOperands(a, b);
  if (node.getInt("transA"))
    a = a.t();
  if (node.getInt("transB"))
    b = b.t();
  Tensor y = torch::matmul(a, b);
  double alpha = node.getFloat("alpha", 1.0), beta = node.getFloat("beta", 1.0);
  if (alpha != 1.0)
    y = y * alpha;
  if (c.defined())
    y = beta == 1.0 ? y + c : y + c * beta;
  return {y};
}

Tensors matmul(KernelContext &ctx, Tensors &in) {
  Tensor a = in[0], b = in[1];
  ctx.quantizeOperands(a, b);
  return {torch::matmul(a, b)};
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

template <Tensor (*Fn)(const Tensor &, const Tensor &)>
Tensors binary(KernelContext &, Tensors &in) {
  return {Fn(in[0], in[1])};
}

Tensor addFn(const Tensor &a, const Tensor &b) { return a + b; }
Tensor subFn(const Tensor &a, const Tensor &b) { return a - b; }
Tensor mulFn(const Tensor &a, const Tensor &b) { return a * b; }
Tensor divFn(const Tensor &a, const Tensor &b) {
  if (a.is_floating_point())
    return a / b;
  return torch::div(a, b, "trunc"); // ONNX integer division truncates
}
Tensor powFn(const Tensor &a, const Tensor &b) { return torch::pow(a, b); }
Tensor maxFn(const Tensor &a, const Tensor &b) { return torch::maximum(a, b); }
Tensor minFn(const Tensor &a, const Tensor &b) { return torch::minimum(a, b); }
Tensor preluFn(const Tensor &a, const Tensor &b) {
  return torch::where(a < 0, a * b, a);
}
Tensor equalFn(const Tensor &a, const Tensor &b) { return torch::eq(a, b); }
Tensor lessFn(const Tensor &a, const Tensor &b) { return torch::lt(a, b); }
Tensor lessEqualFn(const Tensor &a, const Tensor &b) { return torch::le(a, b); }
Tensor greaterFn(const Tensor &a, const Tensor &b) { return torch::gt(a, b); }
Tensor greaterEqualFn(const Tensor &a, const Tensor &b) {
  return torch::ge(a, b);
}
Tensor andFn(const Tensor &a, const Tensor &b) {
  return torch::logical_and(a, b);
}
Tensor orFn(const Tensor &a, const Tensor &b) {
  return torch::logical_or(a, b);
}
Tensor xorFn(const Tensor &a, const Tensor &b) {
  return torch::logical_xor(a, b);
}

template <Tensor (*Fn)(const Node &, const Tensor &)>
Tensors unary(KernelContext &ctx, Tensors &in) {
  return {Fn(ctx.node, in[0])};
}

Tensor reluFn(const Node &, const Tensor &x) { return torch::relu(x); }
Tensor leakyReluFn(const Node &n, const Tensor &x) {
  return torch::where(x >= 0, x, x * n.getFloat("alpha", 0.01));
}
Tensor clipFn(const Node &n, const Tensor &x) {
  c10::optional<c10::Scalar> lo, hi;
  if (n.has("min"))
    lo = n.getFloat("min");
  if (n.has("max"))
    hi = n.getFloat("max");
  return torch::clamp(x, lo, hi);
}
Tensor sigmoidFn(const Node &, const Tensor &x) { return torch::sigmoid(x); }
Tensor hardSigmoidFn(const Node &n, const Tensor &x) {
  return torch::clamp(x * n.getFloat("alpha", 0.2) + n.getFloat("beta", 0.5),
                      0.0, 1.0);
}
Tensor hardSwishFn(const Node &, const Tensor &x) {
  return x * torch::clamp(x * (1.0 / 6.0) + 0.5, 0.0, 1.0);
}
Tensor tanhFn(const Node &, const Tensor &x) { return torch::tanh(x); }
Tensor erfFn(const Node &, const Tensor &x) { return torch::erf(x); }
Tensor geluFn(const Node &n, const Tensor &x) {
  return torch::gelu(x, n.getText("approximate") == "tanh" ? "tanh" : "none");
}
Tensor sqrtFn(const Node &, const Tensor &x) { return torch::sqrt(x); }
Tensor expFn(const Node &, const Tensor &x) { return torch::exp(x); }
Tensor negFn(const Node &, const Tensor &x) { return -x; }
Tensor absFn(const Node &, const Tensor &x) { return torch::abs(x); }
Tensor logFn(const Node &, const Tensor &x) { return torch::log(x); }
Tensor reciprocalFn(const Node &, const Tensor &x) {
  return torch::reciprocal(x);
}
Tensor floorFn(const Node &, const Tensor &x) { return torch::floor(x); }
Tensor ceilFn(const Node &, const Tensor &x) { return torch::ceil(x); }
Tensor roundFn(const Node &, const Tensor &x) { return torch::round(x); }
Tensor softplusFn(const Node &, const Tensor &x) {
  // max(x, 0) + log1p(exp(-|x|)), as the reference computes it.
  return torch::relu(x) + torch::log1p(torch::exp(-torch::abs(x)));
}
Tensor softsignFn(const Node &, const Tensor &x) {
  return x / (1 + torch::abs(x));
}
Tensor mishFn(const Node &n, const Tensor &x) {
  return x * torch::tanh(softplusFn(n, x));
}
Tensor swishFn(const Node &n, const Tensor &x) {
  return x * torch::sigmoid(x * n.getFloat("alpha", 1.0));
}
Tensor eluFn(const Node &n, const Tensor &x) {
  return torch::where(x > 0, x, (torch::exp(x) - 1) * n.getFloat("alpha", 1.0));
}
Tensor seluFn(const Node &n, const Tensor &x) {
  double alpha = n.getFloat("alpha", 1.67326319217681884765625);
  double gamma = n.getFloat("gamma", 1.05070102214813232421875);
  return torch::where(x > 0, x * gamma, (torch::exp(x) - 1) * (alpha * gamma));
}
Tensor thresholdedReluFn(const Node &n, const Tensor &x) {
  return torch::where(x > n.getFloat("alpha", 1.0), x, torch::zeros_like(x));
}
Tensor notFn(const Node &, const Tensor &x) { return torch::logical_not(x); }

Tensors where(KernelContext &, Tensors &in) {
  return {torch::where(in[0].to(torch::kBool), in[1], in[2])};
}

Tensors cast(KernelContext &ctx, Tensors &in) {
  switch (ctx.resultType()) {
  case ElementType::F32:
    return {in[0].to(torch::kFloat)};
  case ElementType::I64:
    return {in[0].to(torch::kLong)};
  case ElementType::Bool:
    return {in[0] != 0};
  }
  return {in[0]};
}

//===----------------------------------------------------------------------===//
// Pooling, reductions, normalization
//===----------------------------------------------------------------------===//

Tensors maxPool(KernelContext &ctx, Tensors &in) {
  const Node &node = ctx.node;
  Tensor x = in[0];
  std::vector<int64_t> kernel = node.getInts("kernel_shape");
  size_t k = kernel.size();
  Window win(node, k);
  x = win.pad(x, -INFINITY);
  bool ceil = node.getInt("ceil_mode");
  if (node.outputs.size() > 1)
    fail("max_pool with indices has no gradient in cim-tune");
  if (k == 1)
    return {torch::max_pool1d(x, kernel, win.strides, win.half, win.dilations,
                              ceil)};
  if (k == 3)
    return {torch::max_pool3d(x, kernel, win.strides, win.half, win.dilations,
                              ceil)};
  return {
      torch::max_pool2d(x, kernel, win.strides, win.half, win.dilations, ceil)};
}

Tensors avgPool(KernelContext &ctx, Tensors &in) {
  const Node &node = ctx.node;
  Tensor x = in[0];
  std::vector<int64_t> kernel = node.getInts("kernel_shape");
  size_t k = kernel.size();
  Window win(node, k);
  const std::vector<int64_t> &strides = win.strides, &pads = win.pads;
  for (int64_t d : win.dilations)
    if (d != 1)
      fail("average pooling with dilations has no trainable kernel");
  bool ceil = node.getInt("ceil_mode");
  bool countPad = node.getInt("count_include_pad");
  auto pool = [&](const Tensor &t, const std::vector<int64_t> &p,
                  bool count) -> Tensor {
    if (k == 1)
      return torch::avg_pool1d(t, kernel, strides, p, ceil, count);
    if (k == 3)
      return torch::avg_pool3d(t, kernel, strides, p, ceil, count);
    return torch::avg_pool2d(t, kernel, strides, p, ceil, count);
  };
  if (win.isSymmetric())
    return {pool(x, win.half, countPad)};
  std::vector<int64_t> none(k, 0);
  Tensor padded = padExplicit(x, pads, 0.0);
  if (countPad)
    return {pool(padded, none, true)};
  // Explicit padding would count as data: divide by the pooled mask of
  // real elements instead.
  Tensor mask = padExplicit(torch::ones_like(x), pads, 0.0);
  return {pool(padded, none, true) / pool(mask, none, true)};
}

std::vector<int64_t> spatialDims(const Tensor &x) {
  std::vector<int64_t> dims;
  for (int64_t d = 2; d < x.dim(); ++d)
    dims.push_back(d);
  return dims;
}

Tensors globalAvgPool(KernelContext &, Tensors &in) {
  return {in[0].mean(spatialDims(in[0]), /*keepdim=*/true)};
}

Tensors globalMaxPool(KernelContext &, Tensors &in) {
  return {torch::amax(in[0], spatialDims(in[0]), /*keepdim=*/true)};
}

/// The reduced dimensions of a cim.reduce_* (empty axes: all of them).
std::vector<int64_t> reducedDims(const Node &node, const Tensor &x) {
  std::vector<int64_t> dims;
  for (int64_t axis : node.getInts("axes"))
    dims.push_back(normalizeAxis(axis, x.dim()));
  if (dims.empty())
    for (int64_t d = 0; d < x.dim(); ++d)
      dims.push_back(d);
  return dims;
}

Tensors reduce(KernelContext &ctx, Tensors &in) {
  const Node &node = ctx.node;
  Tensor x = in[0];
  std::vector<int64_t> dims = reducedDims(node, x);
  bool keep = node.getInt("keepdims", 1);
  const std::string &op = node.op;
  if (op == "reduce_mean")
    return {x.mean(dims, keep)};
  if (op == "reduce_sum")
    return {x.sum(dims, keep)};
  if (op == "reduce_prod") {
    Tensor y = x;
    std::vector<int64_t> sorted = dims;
    std::sort(sorted.rbegin(), sorted.rend());
    for (int64_t d : sorted)
      y = y.prod(d, keep);
    return {y};
  }
  if (op == "reduce_l1")
    return {torch::abs(x).sum(dims, keep)};
  if (op == "reduce_l2")
    return {torch::sqrt((x * x).sum(dims, keep))};
  if (op == "reduce_sum_square")
    return {(x * x).sum(dims, keep)};
  if (op == "reduce_log_sum")
    return {torch::log(x.sum(dims, keep))};
  if (op == "reduce_log_sum_exp")
    return {torch::logsumexp(x, dims, keep)};
  if (op == "reduce_max")
    return {torch::amax(x, dims, keep)};
  return {torch::amin(x, dims, keep)}; // reduce_min
}

Tensors softmax(KernelContext &ctx, Tensors &in) {
  int64_t axis = normalizeAxis(ctx.node.getInt("axis", -1), in[0].dim());
  if (ctx.node.op == "log_softmax")
    return {torch::log_softmax(in[0], axis)};
  return {torch::softmax(in[0], axis)};
}

Tensors instanceNorm(KernelContext &ctx, Tensors &in) {
  Tensor x = in[0];
  std::vector<int64_t> dims = spatialDims(x);
  Tensor mean = x.mean(dims, true);
  Tensor var = (x - mean).pow(2).mean(dims, true);
  std::vector<int64_t> shape(size_t(x.dim()), 1);
  shape[1] = x.size(1);
  return {(x - mean) / torch::sqrt(var + ctx.node.getFloat("epsilon", 1e-5)) *
              in[1].reshape(shape) +
          in[2].reshape(shape)};
}

Tensors lrn(KernelContext &ctx, Tensors &in) {
  const Node &node = ctx.node;
  Tensor x = in[0];
  int64_t n = node.getInt("size", 1);
  int64_t before = (n - 1) / 2, after = n - 1 - before;
  // Sum of squares over the channel window [c - before, c + after].
  Tensor sq = (x * x).unsqueeze(1); // N x 1 x C x spatial...
  sq = sq.reshape({x.size(0), 1, x.size(1), -1});
  sq = torch::constant_pad_nd(sq, {0, 0, before, after}, 0.0);
  Tensor sum = torch::avg_pool2d(sq, {n, 1}, {1, 1}) * double(n);
  sum = sum.reshape(x.sizes());
  return {x / torch::pow(node.getFloat("bias", 1.0) +
                             node.getFloat("alpha", 1e-4) / double(n) * sum,
                         node.getFloat("beta", 0.75))};
}

Tensors layerNorm(KernelContext &ctx, Tensors &in) {
  Tensor x = in[0];
  int64_t axis = normalizeAxis(ctx.node.getInt("axis", -1), x.dim());
  std::vector<int64_t> shape(x.sizes().begin() + axis, x.sizes().end());
  return {torch::layer_norm(x, shape, in[1], in[2],
                            ctx.node.getFloat("epsilon", 1e-5),
                            /*cudnn_enable=*/false)};
}

Tensors batchNorm(KernelContext &ctx, Tensors &in) {
  return {torch::batch_norm(in[0], in[1], in[2], in[3], in[4],
                            ctx.impl.training, 0.1,
                            ctx.node.getFloat("epsilon", 1e-5),
                            /*cudnn_enabled=*/false)};
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

Tensors reshape(KernelContext &ctx, Tensors &in) {
  return {in[0].reshape(ctx.resultShape())};
}

Tensors flatten(KernelContext &ctx, Tensors &in) {
  Tensor x = in[0];
  int64_t axis = ctx.node.getInt("axis", 1);
  if (axis < 0)
    axis += x.dim();
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= x.size(d);
  return {x.reshape({outer, -1})};
}

Tensors transpose(KernelContext &ctx, Tensors &in) {
  std::vector<int64_t> perm = ctx.node.getInts("perm");
  if (perm.empty())
    for (int64_t d = in[0].dim(); d-- > 0;)
      perm.push_back(d);
  return {in[0].permute(perm)};
}

Tensors concat(KernelContext &ctx, Tensors &in) {
  int64_t axis = normalizeAxis(ctx.node.getInt("axis"), in[0].dim());
  return {torch::cat(in, axis)};
}

Tensors split(KernelContext &ctx, Tensors &in) {
  int64_t axis = normalizeAxis(ctx.node.getInt("axis"), in[0].dim());
  std::vector<int64_t> sizes;
  for (size_t k = 0; k < ctx.node.outputs.size(); ++k)
    sizes.push_back(ctx.resultShape(k)[size_t(axis)]);
  return torch::split_with_sizes(in[0], sizes, axis);
}

/// Gathers along each dimension listed in "index.dims" the source indices
/// of "index<d>"; -1 entries take `value` (pads).
Tensor gatherIndices(const Node &node, Tensor x, double value) {
  for (int64_t d : node.getInts("index.dims")) {
    const std::vector<int64_t> &index =
        node.getInts("index" + std::to_string(d));
    std::vector<int64_t> clamped(index.size());
    std::vector<float> keep(index.size());
    bool anyPad = false;
    for (size_t i = 0; i < index.size(); ++i) {
      clamped[i] = std::max<int64_t>(index[i], 0);
      keep[i] = index[i] >= 0 ? 1.0f : 0.0f;
      anyPad |= index[i] < 0;
    }
    if (x.size(d) == 0) {
      std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
      shape[size_t(d)] = int64_t(index.size());
      x = torch::full(shape, value, x.options());
      continue;
    }
    x = x.index_select(d, torch::tensor(clamped));
    if (anyPad) {
      std::vector<int64_t> shape(size_t(x.dim()), 1);
      shape[size_t(d)] = int64_t(index.size());
      Tensor mask = torch::tensor(keep).reshape(shape).to(x.dtype());
      x = x * mask + (1 - mask) * value;
    }
  }
  return x;
}

Tensors slice(KernelContext &ctx, Tensors &in) {
  return {gatherIndices(ctx.node, in[0], 0.0)};
}

Tensors pad(KernelContext &ctx, Tensors &in) {
  return {gatherIndices(ctx.node, in[0], ctx.node.getFloat("value", 0.0))};
}

Tensors gather(KernelContext &ctx, Tensors &in) {
  Tensor data = in[0], indices = in[1].to(torch::kLong);
  int64_t axis = normalizeAxis(ctx.node.getInt("axis"), data.dim());
  indices = torch::where(indices < 0, indices + data.size(axis), indices);
  std::vector<int64_t> shape(data.sizes().begin(), data.sizes().begin() + axis);
  for (int64_t d : indices.sizes())
    shape.push_back(d);
  shape.insert(shape.end(), data.sizes().begin() + axis + 1,
               data.sizes().end());
  return {data.index_select(axis, indices.reshape({-1})).reshape(shape)};
}

Tensors expand(KernelContext &ctx, Tensors &in) {
  return {in[0].expand(ctx.resultShape())};
}

Tensors tile(KernelContext &ctx, Tensors &in) {
  std::vector<int64_t> out = ctx.resultShape(), repeats;
  for (int64_t d = 0; d < in[0].dim(); ++d)
    repeats.push_back(in[0].size(d) ? out[size_t(d)] / in[0].size(d) : 1);
  return {in[0].repeat(repeats)};
}

Tensors resize(KernelContext &ctx, Tensors &in) {
  const Node &node = ctx.node;
  Tensor x = in[0];
  double extrapolation = node.getFloat("extrapolation_value", 0.0);
  for (int64_t d : node.getInts("resize.dims")) {
    std::string key = "axis" + std::to_string(d);
    const std::vector<double> &w = node.getFloats(key + ".weights");
    const std::vector<int64_t> &outside = node.getInts(key + ".outside");
    int64_t out = int64_t(outside.size());
    int64_t inSize = x.size(d);
    if (out * inSize != int64_t(w.size()))
      fail("resize planned for another input shape");
    Tensor matrix = torch::tensor(std::vector<float>(w.begin(), w.end()))
                        .reshape({out, inSize})
                        .to(x.dtype());
    // y[..., o, ...] = sum_i matrix[o, i] x[..., i, ...]
    Tensor moved = x.movedim(d, -1);
    Tensor y = torch::matmul(moved, matrix.t());
    bool anyOutside = false;
    std::vector<float> fill(size_t(out), 0.0f);
    for (int64_t o = 0; o < out; ++o)
      if (outside[size_t(o)]) {
        fill[size_t(o)] = float(extrapolation);
        anyOutside = true;
      }
    if (anyOutside)
      y = y + torch::tensor(fill).to(x.dtype());
    x = y.movedim(-1, d);
  }
  return {x};
}

//===----------------------------------------------------------------------===//
// The table
//===----------------------------------------------------------------------===//

struct Entry {
  TrainKernel kernel = nullptr;
  const char *reason = nullptr;
};

const std::map<std::string, Entry> &getTable() {
  static const std::map<std::string, Entry> table = [] {
    std::map<std::string, Entry> t;
    auto add = [&](const char *name, TrainKernel kernel) {
      t[name].kernel = kernel;
    };
    auto frozen = [&](const char *name, const char *reason) {
      t[name].reason = reason;
    };
    add("conv2d", conv2d);
    add("gemm", gemm);
    add("matmul", matmul);
    add("add", binary<addFn>);
    add("sub", binary<subFn>);
    add("mul", binary<mulFn>);
    add("div", binary<divFn>);
    add("pow", binary<powFn>);
    add("max", binary<maxFn>);
    add("min", binary<minFn>);
    add("prelu", binary<preluFn>);
    add("equal", binary<equalFn>);
    add("less", binary<lessFn>);
    add("less_equal", binary<lessEqualFn>);
    add("greater", binary<greaterFn>);
    add("greater_equal", binary<greaterEqualFn>);
    add("and", binary<andFn>);
    add("or", binary<orFn>);
    add("xor", binary<xorFn>);
    add("not", unary<notFn>);
    add("where", where);
    add("cast", cast);
    add("relu", unary<reluFn>);
    add("leaky_relu", unary<leakyReluFn>);
    add("clip", unary<clipFn>);
    add("sigmoid", unary<sigmoidFn>);
    add("hard_sigmoid", unary<hardSigmoidFn>);
    add("hard_swish", unary<hardSwishFn>);
    add("tanh", unary<tanhFn>);
    add("erf", unary<erfFn>);
    add("gelu", unary<geluFn>);
    add("sqrt", unary<sqrtFn>);
    add("exp", unary<expFn>);
    add("neg", unary<negFn>);
    add("abs", unary<absFn>);
    add("log", unary<logFn>);
    add("reciprocal", unary<reciprocalFn>);
    add("floor", unary<floorFn>);
    add("ceil", unary<ceilFn>);
    add("round", unary<roundFn>);
    add("softplus", unary<softplusFn>);
    add("softsign", unary<softsignFn>);
    add("mish", unary<mishFn>);
    add("swish", unary<swishFn>);
    add("elu", unary<eluFn>);
    add("selu", unary<seluFn>);
    add("thresholded_relu", unary<thresholdedReluFn>);
    add("max_pool", maxPool);
    add("avg_pool", avgPool);
    add("global_avg_pool", globalAvgPool);
    add("global_max_pool", globalMaxPool);
    for (const char *name :
         {"reduce_mean", "reduce_sum", "reduce_prod", "reduce_l1", "reduce_l2",
          "reduce_sum_square", "reduce_log_sum", "reduce_log_sum_exp",
          "reduce_max", "reduce_min"})
      add(name, reduce);
    add("softmax", softmax);
    add("log_softmax", softmax);
    add("instance_norm", instanceNorm);
    add("lrn", lrn);
    add("layer_norm", layerNorm);
    add("batch_norm", batchNorm);
    add("reshape", reshape);
    add("flatten", flatten);
    add("transpose", transpose);
    add("concat", concat);
    add("split", split);
    add("slice", slice);
    add("pad", pad);
    add("gather", gather);
    add("expand", expand);
    add("tile", tile);
    add("resize", resize);
    frozen("quantize_linear",
           "a QuantizeLinear that cim-fold-qdq did not fold into a layer's "
           "#cim.quant: integer outputs have no gradient");
    frozen("dequantize_linear",
           "a DequantizeLinear that cim-fold-qdq did not fold into a "
           "layer's #cim.quant: its integer input has no gradient");
    return t;
  }();
  return table;
}
} // namespace

TrainKernel tune::lookupTrainKernel(const std::string &mnemonic) {
  auto it = getTable().find(mnemonic);
  return it == getTable().end() ? nullptr : it->second.kernel;
}

OpSupport tune::getOpSupport(const std::string &mnemonic) {
  OpSupport support;
  auto it = getTable().find(mnemonic);
  if (it == getTable().end())
    return support;
  support.trainable = it->second.kernel != nullptr;
  support.reason = it->second.reason;
  return support;
}
