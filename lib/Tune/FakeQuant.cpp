//===- FakeQuant.cpp - The fake quantizer's autograd functions ------------===//
//
// quant::fakeQuantize with LibTorch's kernels, bit for bit, as autograd
// functions: weights with the straight-through gradient, learned weight
// scales and activation scales with LSQ's gradients (docs/tune.md, "The
// fake quantizer").
//
//===----------------------------------------------------------------------===//

#include "NetworkImpl.h"

#include <algorithm>
#include <cmath>

using namespace mlir::cim;
using namespace mlir::cim::tune;
using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

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

Tensor tune::fakeQuantizeWeight(const Tensor &w, const Tensor &scale,
                                const Tensor &zeroPoint, double qmin,
                                double qmax) {
  return WeightFakeQuant::apply(w, scale, zeroPoint, qmin, qmax);
}

Tensor tune::fakeQuantizeWeightLsq(const Tensor &w, const Tensor &scale,
                                   double qmin, double qmax) {
  return WeightLsqFakeQuant::apply(w, scale, qmin, qmax);
}

Tensor tune::fakeQuantizeActivation(const Tensor &x, const Tensor &scale,
                                    double zeroPoint, double qmin,
                                    double qmax) {
  return ActFakeQuant::apply(x, scale, zeroPoint, qmin, qmax);
}

void tune::computeWeightParams(const Tensor &w,
                               const quant::ChannelLayout &layout,
                               quant::Scheme scheme, unsigned bits,
                               bool perChannel, Tensor &scale,
                               Tensor &zeroPoint) {
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
