//===- ResizeKernels.cpp - Resize by interpolation (ONNX Resize) ----------===//
//
// Separable: one pass per resized dimension, innermost first, each a small
// sparse matrix (a few input indices and weights per output index) applied
// along that dimension. Values are carried in double between passes and
// rounded to the tensor's type once at the end.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include "cim/Reference/Executor.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::reference;

namespace {
/// How one dimension changes length: output index i reads the input
/// indices `index[begin[i]..begin[i+1])` with the matching weights, or is
/// the extrapolation value when `outside[i]`.
struct AxisPlan {
  llvm::SmallVector<int64_t> begin;
  llvm::SmallVector<bool> outside;
  llvm::SmallVector<int64_t> index;
  llvm::SmallVector<double> weight;
};

/// The op's settings that the per-dimension plans need.
struct ResizeParams {
  ResizeMode mode;
  ResizeCoordinateMode coordinates;
  ResizeNearestMode nearest;
  double cubicA;
  bool excludeOutside;
  bool antialias;
};
} // namespace

/// Input coordinate of output index `x` (ONNX Resize; `scale * in` is the
/// unrounded output length).
static double inputCoordinate(ResizeCoordinateMode mode, int64_t x, int64_t in,
                              int64_t out, double scale, double roiStart,
                              double roiEnd) {
  double resized = scale * double(in);
  double pos = double(x);
  switch (mode) {
  case ResizeCoordinateMode::HalfPixel:
    return (pos + 0.5) / scale - 0.5;
  case ResizeCoordinateMode::HalfPixelSymmetric: {
    // Keeps the centre of the input on the centre of the rounded output.
    double offset = double(in) / 2 * (1 - double(out) / resized);
    return offset + (pos + 0.5) / scale - 0.5;
  }
  case ResizeCoordinateMode::PytorchHalfPixel:
    return resized == 1 ? -0.5 : (pos + 0.5) / scale - 0.5;
  case ResizeCoordinateMode::AlignCorners:
    return resized == 1 ? 0.0 : pos * double(in - 1) / (resized - 1);
  case ResizeCoordinateMode::Asymmetric:
    return pos / scale;
  case ResizeCoordinateMode::TfHalfPixelForNn:
    return (pos + 0.5) / scale;
  case ResizeCoordinateMode::TfCropAndResize:
    if (resized == 1)
      return (roiEnd - roiStart) * double(in - 1) / 2 +
             roiStart * double(in - 1);
    return pos * (roiEnd - roiStart) * double(in - 1) / (resized - 1) +
           roiStart * double(in - 1);
  }
  llvm_unreachable("unknown coordinate transformation mode");
}

/// The cubic convolution kernel with parameter `a` at distance `t`.
static double cubicKernel(double t, double a) {
  t = std::fabs(t);
  if (t <= 1)
    return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2)
    return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}

/// Weights of the points `base + first + k` around an input coordinate that
/// lies `ratio` (in (0, 1]) after `base`; returns `first`.
static int64_t tapWeights(const ResizeParams &p, double ratio, double scale,
                          llvm::SmallVectorImpl<double> &weights) {
  weights.clear();
  if (p.mode == ResizeMode::Nearest) {
    bool up = false;
    switch (p.nearest) {
    case ResizeNearestMode::RoundPreferFloor:
      up = ratio > 0.5;
      break;
    case ResizeNearestMode::RoundPreferCeil:
      up = ratio >= 0.5;
      break;
    case ResizeNearestMode::Floor:
      break;
    case ResizeNearestMode::Ceil:
      up = true;
      break;
    }
    // An integral coordinate is the point after `base` in every mode.
    if (ratio == 1)
      up = true;
    weights.assign({up ? 0.0 : 1.0, up ? 1.0 : 0.0});
    return 0;
  }
  if (!p.antialias) {
    if (p.mode == ResizeMode::Linear) {
      weights.assign({1 - ratio, ratio});
      return 0;
    }
    for (int64_t k = -1; k <= 2; ++k)
      weights.push_back(cubicKernel(double(k) - ratio, p.cubicA));
    return -1;
  }
  // Antialiasing stretches the kernel by 1 / scale when downsampling, so
  // that every input point contributes (a low-pass filter).
  double s = std::min(scale, 1.0);
  double support = p.mode == ResizeMode::Linear ? 1.0 : 2.0;
  int64_t first = int64_t(std::floor(-support / s)) + 1;
  double sum = 0;
  for (int64_t k = first; k < 2 - first; ++k) {
    double t = (double(k) - ratio) * s;
    double w = p.mode == ResizeMode::Linear
                   ? std::clamp(1 - std::fabs(t), 0.0, 1.0)
                   : cubicKernel(t, p.cubicA);
    weights.push_back(w);
    sum += w;
  }
  for (double &w : weights)
    w /= sum;
  return first;
}

/// Plans one dimension; false when nothing changes along it.
static bool planAxis(const ResizeParams &p, int64_t in, int64_t out,
                     double scale, double roiStart, double roiEnd,
                     AxisPlan &plan) {
  llvm::SmallVector<double, 8> weights;
  bool identity = in == out;
  plan.begin.push_back(0);
  for (int64_t x = 0; x < out; ++x) {
    double coord =
        inputCoordinate(p.coordinates, x, in, out, scale, roiStart, roiEnd);
    if (p.coordinates == ResizeCoordinateMode::TfCropAndResize &&
        (coord < 0 || coord > double(in - 1))) {
      identity = false;
      plan.outside.push_back(true);
      plan.begin.push_back(plan.index.size());
      continue;
    }
    // The point before the coordinate, strictly: an integral coordinate
    // counts as ratio 1 after the previous point.
    double floor = std::floor(coord);
    int64_t base = int64_t(floor);
    double ratio = coord - floor;
    if (ratio == 0) {
      --base;
      ratio = 1;
    }
    int64_t first = base + tapWeights(p, ratio, scale, weights);
    int64_t n = weights.size();
    // The taps are a window over the input padded with n / 2 edge copies
    // on either side, shifted to stay inside it.
    first = std::max(first, -n / 2);
    first = std::min(first, in - 1 + n / 2 - (n - 1));
    if (p.excludeOutside) {
      double sum = 0;
      for (int64_t k = 0; k < n; ++k) {
        if (first + k < 0 || first + k >= in)
          weights[k] = 0;
        sum += weights[k];
      }
      for (double &w : weights)
        w /= sum;
    }
    int64_t start = plan.index.size();
    for (int64_t k = 0; k < n; ++k) {
      // Zero weights are dropped: an untouched dimension stays a plain copy.
      if (weights[k] == 0)
        continue;
      int64_t index = std::clamp<int64_t>(first + k, 0, in - 1);
      if (int64_t(plan.index.size()) > start && plan.index.back() == index) {
        plan.weight.back() += weights[k];
        continue;
      }
      plan.index.push_back(index);
      plan.weight.push_back(weights[k]);
    }
    int64_t taps = plan.index.size() - start;
    if (taps != 1 || plan.index.back() != x || plan.weight.back() != 1)
      identity = false;
    plan.outside.push_back(false);
    plan.begin.push_back(plan.index.size());
  }
  return !identity;
}

/// The plans of the dimensions `op` changes for an input of `shape`,
/// innermost first, as nested 1-D interpolation applies them.
static LogicalResult
planDimensions(ResizeOp op, ArrayRef<int64_t> shape,
               SmallVectorImpl<std::pair<int64_t, AxisPlan>> &plans) {
  int64_t rank = shape.size();
  ArrayRef<double> scales = op.getScales();
  std::optional<ArrayRef<int64_t>> sizes = op.getSizes();
  std::optional<ArrayRef<double>> roi = op.getRoi();
  if (int64_t(scales.size()) != rank ||
      (sizes && int64_t(sizes->size()) != rank) ||
      (roi && int64_t(roi->size()) != 2 * rank))
    return op.emitOpError() << "scales, sizes or roi do not match the rank "
                            << rank << " of the input";
  ResizeParams params;
  params.mode = op.getMode();
  params.coordinates = op.getCoordinateTransformationMode();
  params.nearest = op.getNearestMode();
  params.cubicA = op.getCubicCoeffA().convertToDouble();
  params.excludeOutside = op.getExcludeOutside();
  params.antialias = op.getAntialias();
  for (int64_t d = rank - 1; d >= 0; --d) {
    int64_t in = shape[d];
    int64_t out =
        sizes ? (*sizes)[d] : int64_t(std::floor(double(in) * scales[d]));
    if (in == 0 && out != 0)
      return op.emitOpError() << "cannot resize dimension " << d
                              << " from 0 to " << out << " elements";
    AxisPlan plan;
    if (planAxis(params, in, out, scales[d], roi ? (*roi)[d] : 0.0,
                 roi ? (*roi)[rank + d] : 1.0, plan))
      plans.emplace_back(d, std::move(plan));
  }
  return success();
}

FailureOr<SmallVector<ResizeAxis>>
cim::planResize(Operation *operation, ArrayRef<int64_t> inputShape) {
  auto op = dyn_cast<ResizeOp>(operation);
  if (!op)
    return operation->emitOpError() << "is not a cim.resize";
  SmallVector<std::pair<int64_t, AxisPlan>, 2> plans;
  if (failed(planDimensions(op, inputShape, plans)))
    return failure();
  SmallVector<ResizeAxis> axes;
  for (auto &[d, plan] : plans) {
    ResizeAxis axis;
    axis.dim = d;
    axis.in = inputShape[d];
    axis.out = int64_t(plan.outside.size());
    axis.weights.assign(size_t(axis.in * axis.out), 0.0);
    axis.outside.assign(plan.outside.begin(), plan.outside.end());
    for (int64_t x = 0; x < axis.out; ++x)
      for (int64_t t = plan.begin[x]; t < plan.begin[x + 1]; ++t)
        axis.weights[size_t(x * axis.in + plan.index[t])] += plan.weight[t];
    axes.push_back(std::move(axis));
  }
  return axes;
}

FailureOr<HostTensor> reference::runResize(ResizeOp op, Operands operands) {
  const HostTensor &input = *operands[0];
  if (failed(requireFloat(op, input, "input")))
    return failure();
  double extrapolation = op.getExtrapolationValue().convertToDouble();
  SmallVector<std::pair<int64_t, AxisPlan>, 2> plans;
  if (failed(planDimensions(op, input.getShape(), plans)))
    return failure();

  SmallVector<int64_t> shape(input.getShape());
  std::vector<double> values(input.getNumElements());
  for (int64_t i = 0, e = values.size(); i < e; ++i)
    values[i] = input.getAsDouble(i);
  for (auto &[d, plan] : plans) {
    int64_t in = shape[d];
    int64_t out = int64_t(plan.outside.size());
    int64_t outer = product(ArrayRef<int64_t>(shape).take_front(d));
    int64_t inner = product(ArrayRef<int64_t>(shape).drop_front(d + 1));
    std::vector<double> next(size_t(outer * out * inner));
    for (int64_t o = 0; o < outer; ++o) {
      const double *src = values.data() + o * in * inner;
      for (int64_t x = 0; x < out; ++x) {
        double *dst = next.data() + (o * out + x) * inner;
        int64_t b = plan.begin[x], e = plan.begin[x + 1];
        if (plan.outside[x]) {
          std::fill(dst, dst + inner, extrapolation);
          continue;
        }
        for (int64_t j = 0; j < inner; ++j) {
          double sum = 0;
          for (int64_t t = b; t < e; ++t)
            sum += plan.weight[t] * src[plan.index[t] * inner + j];
          dst[j] = sum;
        }
      }
    }
    values = std::move(next);
    shape[d] = out;
  }

  HostTensor output(input.getKind(), shape);
  visitFloat(input.getKind(), [&](auto zero) {
    using T = decltype(zero);
    llvm::MutableArrayRef<T> data = output.data<T>();
    for (size_t i = 0; i < values.size(); ++i)
      data[i] = T(values[i]);
  });
  return output;
}
