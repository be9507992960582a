//===- NormKernels.cpp - Pooling, reductions, normalization ---------------===//
//
// Sums and statistics accumulate in double whatever the element type, so
// results are at least as accurate as a float32 numpy reference.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include "cim/Dialect/CIM/CIMShapes.h"

#include "llvm/ADT/SmallBitVector.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::reference;

static LogicalResult requireSameFloat(Operation *op, Operands operands) {
  if (failed(requireFloat(op, *operands[0], "input")))
    return failure();
  for (const HostTensor *operand : operands.drop_front())
    if (operand->getKind() != operands[0]->getKind())
      return op->emitOpError()
             << "operands mix " << getElementKindName(operands[0]->getKind())
             << " and " << getElementKindName(operand->getKind());
  return success();
}

//===----------------------------------------------------------------------===//
// 2-D pooling
//===----------------------------------------------------------------------===//

namespace {
struct PoolParams {
  SmallVector<int64_t, 2> kernel, strides, dilations;
  SmallVector<int64_t, 4> pads;
  bool isMax = false;
  bool countIncludePad = false;
};
} // namespace

template <typename T>
static void pool2dTyped(const HostTensor &input, HostTensor &output,
                        const PoolParams &p) {
  ArrayRef<int64_t> in = input.getShape(), out = output.getShape();
  int64_t h = in[2], w = in[3], oh = out[2], ow = out[3];
  const T *x = input.data<T>().data();
  T *y = output.data<T>().data();
  const T nan = std::numeric_limits<T>::quiet_NaN();
  for (int64_t plane = 0, planes = in[0] * in[1]; plane < planes; ++plane) {
    const T *xp = x + plane * h * w;
    T *yp = y + plane * oh * ow;
    for (int64_t oy = 0; oy < oh; ++oy) {
      for (int64_t ox = 0; ox < ow; ++ox) {
        int64_t y0 = oy * p.strides[0] - p.pads[0];
        int64_t x0 = ox * p.strides[1] - p.pads[1];
        T best = T(0);
        double sum = 0;
        // `valid` counts input elements; `padded` also counts positions in
        // the explicit padding but not the extra end that ceil_mode adds.
        int64_t valid = 0, padded = 0;
        for (int64_t ky = 0; ky < p.kernel[0]; ++ky) {
          int64_t iy = y0 + ky * p.dilations[0];
          bool rowInPadded = iy >= -p.pads[0] && iy < h + p.pads[2];
          bool rowInInput = iy >= 0 && iy < h;
          for (int64_t kx = 0; kx < p.kernel[1]; ++kx) {
            int64_t ix = x0 + kx * p.dilations[1];
            if (rowInPadded && ix >= -p.pads[1] && ix < w + p.pads[3])
              ++padded;
            if (!rowInInput || ix < 0 || ix >= w)
              continue;
            T v = xp[iy * w + ix];
            if (p.isMax) {
              if (valid == 0 || v > best || std::isnan(v))
                best = v;
            } else {
              sum += double(v);
            }
            ++valid;
          }
        }
        // A window that sees no input element (possible only with
        // dilation) has no defined value.
        T result;
        if (valid == 0)
          result = nan;
        else if (p.isMax)
          result = best;
        else
          result = T(sum / double(p.countIncludePad ? padded : valid));
        yp[oy * ow + ox] = result;
      }
    }
  }
}

static FailureOr<HostTensor> runPool2d(Operation *op, const HostTensor &input,
                                       PoolParams &params, bool ceilMode) {
  if (failed(requireFloat(op, input, "input")) ||
      failed(requireRank(op, input, "input", 4)))
    return failure();
  if (params.kernel.size() != 2 || params.strides.size() != 2 ||
      params.pads.size() != 4 || params.dilations.size() != 2)
    return op->emitOpError()
           << "needs 2 kernel sizes, 2 strides, 4 pads and 2 dilations";
  ArrayRef<int64_t> in = input.getShape();
  SmallVector<int64_t> shape = {in[0], in[1]};
  for (int i = 0; i < 2; ++i) {
    std::string error;
    std::optional<int64_t> size = windowOutputSize(
        in[2 + i], params.kernel[i], params.strides[i], params.pads[i],
        params.pads[2 + i], params.dilations[i], ceilMode, error);
    if (!size)
      return op->emitOpError() << "spatial dimension " << i << ": " << error;
    shape.push_back(*size);
  }
  HostTensor output(input.getKind(), shape);
  visitFloat(input.getKind(), [&](auto tag) {
    pool2dTyped<decltype(tag)>(input, output, params);
  });
  return output;
}

FailureOr<HostTensor> reference::runMaxPool2d(MaxPool2dOp op,
                                              Operands operands) {
  PoolParams params;
  params.kernel.assign(op.getKernelShape().begin(), op.getKernelShape().end());
  params.strides = op.getStrideValues();
  params.pads = op.getPadValues();
  params.dilations = op.getDilationValues();
  params.isMax = true;
  return runPool2d(op, *operands[0], params, op.getCeilMode());
}

FailureOr<HostTensor> reference::runAvgPool2d(AvgPool2dOp op,
                                              Operands operands) {
  PoolParams params;
  params.kernel.assign(op.getKernelShape().begin(), op.getKernelShape().end());
  params.strides = op.getStrideValues();
  params.pads = op.getPadValues();
  params.dilations = op.getDilationValues();
  params.countIncludePad = op.getCountIncludePad();
  return runPool2d(op, *operands[0], params, op.getCeilMode());
}

FailureOr<HostTensor> reference::runGlobalPool(Operation *op, Operands operands,
                                               bool isMax) {
  const HostTensor &input = *operands[0];
  if (failed(requireFloat(op, input, "input")))
    return failure();
  if (input.getRank() < 3)
    return op->emitOpError() << "input must be N x C x spatial..., got shape "
                             << shapeString(input.getShape());
  SmallVector<int64_t> shape(input.getShape());
  int64_t size = product(ArrayRef<int64_t>(shape).drop_front(2));
  std::fill(shape.begin() + 2, shape.end(), 1);
  HostTensor output(input.getKind(), shape);
  visitFloat(input.getKind(), [&](auto tag) {
    using T = decltype(tag);
    const T *x = input.data<T>().data();
    T *y = output.data<T>().data();
    for (int64_t plane = 0, planes = shape[0] * shape[1]; plane < planes;
         ++plane) {
      const T *xp = x + plane * size;
      if (size == 0) {
        y[plane] = std::numeric_limits<T>::quiet_NaN();
      } else if (isMax) {
        T best = xp[0];
        for (int64_t i = 1; i < size; ++i)
          if (xp[i] > best || std::isnan(xp[i]))
            best = xp[i];
        y[plane] = best;
      } else {
        double sum = 0;
        for (int64_t i = 0; i < size; ++i)
          sum += double(xp[i]);
        y[plane] = T(sum / double(size));
      }
    }
  });
  return output;
}

//===----------------------------------------------------------------------===//
// reduce_mean
//===----------------------------------------------------------------------===//

FailureOr<HostTensor> reference::runReduceMean(ReduceMeanOp op,
                                               Operands operands) {
  const HostTensor &input = *operands[0];
  if (failed(requireFloat(op, input, "input")))
    return failure();
  int64_t rank = input.getRank();
  llvm::SmallBitVector reduced(rank);
  for (int64_t axis : op.getAxes()) {
    std::optional<int64_t> norm = normalizeAxis(axis, rank);
    if (!norm || reduced.test(*norm))
      return op.emitOpError()
             << "invalid axis " << axis << " for rank " << rank;
    reduced.set(*norm);
  }
  ArrayRef<int64_t> in = input.getShape();
  // Iterate over the input; reduced dimensions do not move the output.
  SmallVector<int64_t> kept, outShape;
  int64_t count = 1;
  for (int64_t d = 0; d < rank; ++d) {
    if (reduced.test(d)) {
      count *= in[d];
      if (op.getKeepdims())
        outShape.push_back(1);
      kept.push_back(1);
    } else {
      outShape.push_back(in[d]);
      kept.push_back(in[d]);
    }
  }
  SmallVector<int64_t> strides = rowMajorStrides(kept);
  for (int64_t d = 0; d < rank; ++d)
    if (reduced.test(d))
      strides[d] = 0;
  HostTensor output(input.getKind(), outShape);
  std::vector<double> sums(output.getNumElements(), 0.0);
  visitFloat(input.getKind(), [&](auto tag) {
    using T = decltype(tag);
    const T *x = input.data<T>().data();
    forEachRow(
        in, strides, strides,
        [&](int64_t i, int64_t o, int64_t step, int64_t, int64_t, int64_t n) {
          for (int64_t j = 0; j < n; ++j)
            sums[o + j * step] += double(x[i + j]);
        });
    T *y = output.data<T>().data();
    for (size_t i = 0; i < sums.size(); ++i)
      y[i] = T(sums[i] / double(count));
  });
  return output;
}

//===----------------------------------------------------------------------===//
// softmax, layer_norm, batch_norm
//===----------------------------------------------------------------------===//

FailureOr<HostTensor> reference::runSoftmax(SoftmaxOp op, Operands operands) {
  const HostTensor &input = *operands[0];
  if (failed(requireFloat(op, input, "input")))
    return failure();
  std::optional<int64_t> axis = normalizeAxis(op.getAxis(), input.getRank());
  if (!axis)
    return op.emitOpError()
           << "axis " << op.getAxis() << " is out of range for shape "
           << shapeString(input.getShape());
  ArrayRef<int64_t> shape = input.getShape();
  int64_t outer = product(shape.take_front(*axis));
  int64_t length = shape[*axis];
  int64_t inner = product(shape.drop_front(*axis + 1));
  HostTensor output(input.getKind(), shape);
  visitFloat(input.getKind(), [&](auto tag) {
    using T = decltype(tag);
    const T *x = input.data<T>().data();
    T *y = output.data<T>().data();
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        const T *xs = x + o * length * inner + i;
        T *ys = y + o * length * inner + i;
        T maxValue = -std::numeric_limits<T>::infinity();
        for (int64_t j = 0; j < length; ++j)
          if (xs[j * inner] > maxValue || std::isnan(xs[j * inner]))
            maxValue = xs[j * inner];
        double sum = 0;
        for (int64_t j = 0; j < length; ++j) {
          T e = std::exp(xs[j * inner] - maxValue);
          ys[j * inner] = e;
          sum += double(e);
        }
        for (int64_t j = 0; j < length; ++j)
          ys[j * inner] = T(double(ys[j * inner]) / sum);
      }
    }
  });
  return output;
}

/// `param` broadcast to `normalized`, as doubles in row-major order.
static std::vector<double> expandParam(const HostTensor &param,
                                       ArrayRef<int64_t> normalized) {
  std::vector<double> values(product(normalized));
  SmallVector<int64_t> strides = broadcastStrides(param.getShape(), normalized);
  forEachRow(
      normalized, strides, strides,
      [&](int64_t o, int64_t a, int64_t step, int64_t, int64_t, int64_t n) {
        for (int64_t i = 0; i < n; ++i)
          values[o + i] = param.getAsDouble(a + i * step);
      });
  return values;
}

FailureOr<HostTensor> reference::runLayerNorm(LayerNormOp op,
                                              Operands operands) {
  if (failed(requireSameFloat(op, operands)))
    return failure();
  const HostTensor &input = *operands[0];
  std::optional<int64_t> axis = normalizeAxis(op.getAxis(), input.getRank());
  if (!axis)
    return op.emitOpError()
           << "axis " << op.getAxis() << " is out of range for shape "
           << shapeString(input.getShape());
  ArrayRef<int64_t> shape = input.getShape();
  ArrayRef<int64_t> normalized = shape.drop_front(*axis);
  for (const HostTensor *param : operands.drop_front()) {
    auto joined = broadcastShapes(param->getShape(), normalized);
    if (param->getRank() > int64_t(normalized.size()) || !joined ||
        ArrayRef<int64_t>(*joined) != normalized)
      return op.emitOpError()
             << "scale or bias of shape " << shapeString(param->getShape())
             << " does not broadcast to the normalized shape "
             << shapeString(normalized);
  }
  std::vector<double> scale = expandParam(*operands[1], normalized);
  std::vector<double> bias = operands.size() > 2
                                 ? expandParam(*operands[2], normalized)
                                 : std::vector<double>(scale.size(), 0.0);
  int64_t outer = product(shape.take_front(*axis));
  int64_t inner = product(normalized);
  double epsilon = op.getEpsilon().convertToDouble();
  HostTensor output(input.getKind(), shape);
  if (inner == 0)
    return output;
  visitFloat(input.getKind(), [&](auto tag) {
    using T = decltype(tag);
    const T *x = input.data<T>().data();
    T *y = output.data<T>().data();
    for (int64_t o = 0; o < outer; ++o) {
      const T *xs = x + o * inner;
      T *ys = y + o * inner;
      double mean = 0;
      for (int64_t i = 0; i < inner; ++i)
        mean += double(xs[i]);
      mean /= double(inner);
      double variance = 0;
      for (int64_t i = 0; i < inner; ++i) {
        double d = double(xs[i]) - mean;
        variance += d * d;
      }
      variance /= double(inner);
      double inv = 1.0 / std::sqrt(variance + epsilon);
      for (int64_t i = 0; i < inner; ++i)
        ys[i] = T((double(xs[i]) - mean) * inv * scale[i] + bias[i]);
    }
  });
  return output;
}

FailureOr<HostTensor> reference::runBatchNorm(BatchNormOp op,
                                              Operands operands) {
  if (failed(requireSameFloat(op, operands)))
    return failure();
  const HostTensor &input = *operands[0];
  if (input.getRank() < 2)
    return op.emitOpError() << "input must have a channel dimension, got shape "
                            << shapeString(input.getShape());
  int64_t channels = input.getDimSize(1);
  for (const HostTensor *param : operands.drop_front())
    if (param->getRank() != 1 || param->getDimSize(0) != channels)
      return op.emitOpError()
             << "scale, bias, mean and var must have " << channels
             << " elements, got shape " << shapeString(param->getShape());
  double epsilon = op.getEpsilon().convertToDouble();
  ArrayRef<int64_t> shape = input.getShape();
  int64_t inner = product(shape.drop_front(2));
  HostTensor output(input.getKind(), shape);
  visitFloat(input.getKind(), [&](auto tag) {
    using T = decltype(tag);
    const T *x = input.data<T>().data();
    T *y = output.data<T>().data();
    const T *scale = operands[1]->data<T>().data();
    const T *bias = operands[2]->data<T>().data();
    const T *mean = operands[3]->data<T>().data();
    const T *var = operands[4]->data<T>().data();
    for (int64_t n = 0; n < shape[0]; ++n) {
      for (int64_t c = 0; c < channels; ++c) {
        double inv = 1.0 / std::sqrt(double(var[c]) + epsilon);
        int64_t base = (n * channels + c) * inner;
        for (int64_t i = 0; i < inner; ++i)
          y[base + i] = T((double(x[base + i]) - double(mean[c])) * inv *
                              double(scale[c]) +
                          double(bias[c]));
      }
    }
  });
  return output;
}
