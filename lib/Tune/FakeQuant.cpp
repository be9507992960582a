//===- FakeQuant.cpp - The fake quantizer's autograd functions ------------===//
//
// quant::fakeQuantize with LibTorch's kernels, bit for bit, as autograd
// functions: weights with the straight-through gradient, learned weight
// scales and activation scales with LSQ's gradients (docs/tune.md, "The
// fake quantizer").
//
//===----------------------------------------------------------------------===//

#include "NetworkImpl.h"

#include <ATen/Parallel.h>

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

/// Whether the one-pass kernels below apply: a CPU f32 tensor and one scale
/// (an activation's per-tensor quantizer, the common case in training).
static bool isPerTensorF32(const Tensor &x, const Tensor &scale) {
  return x.scalar_type() == torch::kFloat && x.device().is_cpu() &&
         scale.numel() == 1;
}

/// fakeQuantizeExact for one scale and zero point in one pass over the
/// data, with the same f32 operations in the same order (so the same bits):
/// the quotient, rounding half to even, the zero point, the clamp, the
/// dequantization. Seven tensor passes and their temporaries become one.
static Tensor fakeQuantizePerTensor(const Tensor &x, float scale,
                                    float zeroPoint, float qmin, float qmax) {
  Tensor in = x.contiguous();
  Tensor out = torch::empty_like(in);
  const float *src = in.data_ptr<float>();
  float *dst = out.data_ptr<float>();
  float nanCode = std::min(std::max(zeroPoint, qmin), qmax);
  at::parallel_for(0, in.numel(), 1 << 14, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      float v = src[i];
      float q;
      if (std::isnan(v)) {
        q = nanCode;
      } else {
        // std::max/min keep a NaN quotient (0/0) as torch::clamp does.
        q = std::nearbyint(v / scale) + zeroPoint;
        q = std::min(std::max(q, qmin), qmax);
      }
      dst[i] = (q - zeroPoint) * scale;
    }
  });
  return out;
}

/// The LSQ backward of an activation in one pass: the input's gradient
/// (straight through inside the range) and the sum of g x dq/ds for the
/// scale, accumulated per fixed-size chunk in double and the chunks added
/// in order, so the result does not depend on the thread count.
static std::pair<Tensor, double>
lsqBackwardPerTensor(const Tensor &x, const Tensor &g, float scale,
                     float zeroPoint, float qmin, float qmax) {
  Tensor in = x.contiguous(), grad = g.to(torch::kFloat).contiguous();
  Tensor gradX = torch::empty_like(in);
  const float *src = in.data_ptr<float>(), *gp = grad.data_ptr<float>();
  float *dst = gradX.data_ptr<float>();
  const int64_t n = in.numel(), chunk = 1 << 14;
  const int64_t chunks = (n + chunk - 1) / chunk;
  std::vector<double> partial(size_t(chunks), 0.0);
  const float lowStep = qmin - zeroPoint, highStep = qmax - zeroPoint;
  at::parallel_for(0, chunks, 1, [&](int64_t first, int64_t last) {
    for (int64_t c = first; c < last; ++c) {
      double sum = 0.0;
      for (int64_t i = c * chunk, e = std::min(n, i + chunk); i < e; ++i) {
        float v = src[i] / scale;
        float shifted = v + zeroPoint;
        float dq;
        if (shifted < qmin) {
          dq = lowStep;
          dst[i] = 0.0f;
        } else if (shifted > qmax) {
          dq = highStep;
          dst[i] = 0.0f;
        } else {
          dq = std::nearbyint(v) - v;
          dst[i] = gp[i];
        }
        sum += double(gp[i] * dq);
      }
      partial[size_t(c)] = sum;
    }
  });
  double total = 0.0;
  for (double p : partial)
    total += p;
  return {gradX, total};
}

/// The LSQ backward with tensor operations, for any scale shape: the
/// input's gradient and the sum of g x dq/ds.
static std::pair<Tensor, Tensor>
lsqBackwardTensors(const Tensor &x, const Tensor &g, const Tensor &scale,
                   double zp, double qmin, double qmax) {
  Tensor v = x / scale;
  Tensor low = (v + zp)<qmin, high = (v + zp)> qmax;
  Tensor inside = torch::logical_not(torch::logical_or(low, high));
  Tensor gradX = g * inside.to(g.dtype());
  Tensor dq = torch::where(
      low, torch::full_like(v, qmin - zp),
      torch::where(high, torch::full_like(v, qmax - zp), torch::round(v) - v));
  return {gradX, (g * dq).sum()};
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
    if (isPerTensorF32(x, scale))
      return fakeQuantizePerTensor(x, scale.item<float>(), float(zeroPoint),
                                   float(qmin), float(qmax));
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
    double gradScale =
        1.0 / std::sqrt(double(x.numel() / std::max<int64_t>(1, x.size(0))) *
                        std::max(1.0, qmax - zp));
    if (isPerTensorF32(x, scale)) {
      auto [gradX, sum] = lsqBackwardPerTensor(
          x, g, scale.item<float>(), float(zp), float(qmin), float(qmax));
      Tensor gradS = torch::full({1}, sum * gradScale, scale.options());
      return {gradX.to(g.dtype()), gradS, Tensor(), Tensor(), Tensor()};
    }
    auto [gradX, sum] = lsqBackwardTensors(x, g, scale, zp, qmin, qmax);
    return {gradX, sum.reshape({1}) * gradScale, Tensor(), Tensor(), Tensor()};
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
  if (params.size() == 1) {
    // One scale: the activation quantizer's one-pass kernel.
    Tensor out =
        fakeQuantizeActivation(x, torch::tensor(scales), double(zps.front()),
                               double(params.front().range.min),
                               double(params.front().range.max))
            .contiguous();
    return std::vector<float>(out.data_ptr<float>(),
                              out.data_ptr<float>() + out.numel());
  }
  Tensor out = fakeQuantizeExact(x, torch::tensor(scales).reshape(shape),
                                 torch::tensor(zps).reshape(shape),
                                 double(params.front().range.min),
                                 double(params.front().range.max))
                   .contiguous();
  return std::vector<float>(out.data_ptr<float>(),
                            out.data_ptr<float>() + out.numel());
}

ActivationGradients tune::fakeQuantizeActivationGradients(
    const std::vector<float> &values, const std::vector<float> &grad,
    int64_t batch, const quant::QuantParams &params, bool onePass) {
  int64_t n = int64_t(values.size());
  Tensor x = torch::tensor(values).reshape({batch, n / batch});
  Tensor g = torch::tensor(grad).reshape({batch, n / batch});
  Tensor scale = torch::full({1}, params.scale);
  double zp = params.zeroPoint, qmin = params.range.min,
         qmax = params.range.max;
  ActivationGradients result;
  Tensor gradX;
  if (onePass) {
    auto [gx, sum] = lsqBackwardPerTensor(x, g, params.scale, float(zp),
                                          float(qmin), float(qmax));
    gradX = gx;
    result.scale = sum;
  } else {
    auto [gx, sum] = lsqBackwardTensors(x, g, scale, zp, qmin, qmax);
    gradX = gx;
    result.scale = sum.item<double>();
  }
  gradX = gradX.contiguous();
  result.input.assign(gradX.data_ptr<float>(),
                      gradX.data_ptr<float>() + gradX.numel());
  return result;
}
