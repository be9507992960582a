//===- NormKernels.cpp - Pooling, reductions, normalization ---------------===//
//
// Sums and statistics accumulate in double whatever the element type, so
// results are at least as accurate as a float32 numpy reference.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include "cim/Dialect/CIM/CIMShapes.h"

#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>
#include <type_traits>

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
// Pooling over 1 to 3 spatial dimensions
//===----------------------------------------------------------------------===//

namespace {
/// Window parameters padded to three spatial dimensions (leading unit
/// dimensions for 1-D and 2-D pooling).
struct PoolParams {
  int64_t kernel[3], strides[3], dilations[3], padBegin[3], padEnd[3];
  int64_t in[3], out[3];
  bool isMax = false;
  bool countIncludePad = false;
  bool withIndices = false;
  bool columnMajor = false;
};
} // namespace

template <typename T>
static void poolTyped(const HostTensor &input, HostTensor &output,
                      HostTensor *indices, const PoolParams &p) {
  const int64_t inPlane = p.in[0] * p.in[1] * p.in[2];
  const int64_t outPlane = p.out[0] * p.out[1] * p.out[2];
  const T *x = input.data<T>().data();
  T *y = output.data<T>().data();
  int64_t *idx = indices ? indices->data<int64_t>().data() : nullptr;
  // Column-major flat index of a spatial position (storage_order = 1).
  auto flat = [&](int64_t a, int64_t b, int64_t c) {
    if (!p.columnMajor)
      return (a * p.in[1] + b) * p.in[2] + c;
    return (c * p.in[1] + b) * p.in[0] + a;
  };
  for (int64_t plane = 0, planes = input.getDimSize(0) * input.getDimSize(1);
       plane < planes; ++plane) {
    const T *xp = x + plane * inPlane;
    T *yp = y + plane * outPlane;
    int64_t o = 0;
    for (int64_t o0 = 0; o0 < p.out[0]; ++o0)
      for (int64_t o1 = 0; o1 < p.out[1]; ++o1)
        for (int64_t o2 = 0; o2 < p.out[2]; ++o2, ++o) {
          int64_t start[3] = {o0 * p.strides[0] - p.padBegin[0],
                              o1 * p.strides[1] - p.padBegin[1],
                              o2 * p.strides[2] - p.padBegin[2]};
          T best = T(0);
          int64_t bestIndex = 0;
          double sum = 0;
          // `valid` counts input elements; `padded` also counts positions
          // in the explicit padding but not the extra end of ceil_mode.
          int64_t valid = 0, padded = 0;
          for (int64_t k0 = 0; k0 < p.kernel[0]; ++k0) {
            int64_t i0 = start[0] + k0 * p.dilations[0];
            bool pad0 = i0 >= -p.padBegin[0] && i0 < p.in[0] + p.padEnd[0];
            bool in0 = i0 >= 0 && i0 < p.in[0];
            for (int64_t k1 = 0; k1 < p.kernel[1]; ++k1) {
              int64_t i1 = start[1] + k1 * p.dilations[1];
              bool pad1 =
                  pad0 && i1 >= -p.padBegin[1] && i1 < p.in[1] + p.padEnd[1];
              bool in1 = in0 && i1 >= 0 && i1 < p.in[1];
              for (int64_t k2 = 0; k2 < p.kernel[2]; ++k2) {
                int64_t i2 = start[2] + k2 * p.dilations[2];
                if (pad1 && i2 >= -p.padBegin[2] && i2 < p.in[2] + p.padEnd[2])
                  ++padded;
                if (!in1 || i2 < 0 || i2 >= p.in[2])
                  continue;
                T v = xp[(i0 * p.in[1] + i1) * p.in[2] + i2];
                if (p.isMax) {
                  bool nan = false;
                  if constexpr (std::is_floating_point_v<T>)
                    nan = std::isnan(v) && !std::isnan(best);
                  if (valid == 0 || v > best || nan) {
                    best = v;
                    bestIndex = flat(i0, i1, i2);
                  }
                } else {
                  sum += double(v);
                }
                ++valid;
              }
            }
          }
          // A window that sees no input element (possible only with
          // dilation) has no defined value.
          T result;
          if (valid == 0) {
            if constexpr (std::is_floating_point_v<T>)
              result = std::numeric_limits<T>::quiet_NaN();
            else
              result = std::numeric_limits<T>::lowest();
          } else if (p.isMax) {
            result = best;
          } else {
            result = T(sum / double(p.countIncludePad ? padded : valid));
          }
          yp[o] = result;
          if (idx)
            idx[plane * outPlane + o] = plane * inPlane + bestIndex;
        }
  }
}

template <typename OpT>
static LogicalResult runPool(OpT op, const HostTensor &input,
                             PoolParams &params,
                             SmallVectorImpl<HostTensor> &results) {
  if (params.isMax ? input.getKind() == ElementKind::Bool
                   : failed(requireFloat(op, input, "input")))
    return op.emitOpError()
           << "cannot pool " << getElementKindName(input.getKind())
           << " tensors";
  int64_t k = op.getSpatialRank();
  if (failed(requireRank(op, input, "input", k + 2)))
    return failure();
  SmallVector<int64_t, 3> strides = op.getStrideValues();
  SmallVector<int64_t, 6> pads = op.getPadValues();
  SmallVector<int64_t, 3> dilations = op.getDilationValues();
  ArrayRef<int64_t> kernel = op.getKernelShape();
  if (int64_t(strides.size()) != k || int64_t(pads.size()) != 2 * k ||
      int64_t(dilations.size()) != k)
    return op.emitOpError() << "needs " << k << " strides, " << 2 * k
                            << " pads and " << k << " dilations";
  ArrayRef<int64_t> in = input.getShape();
  SmallVector<int64_t> shape = {in[0], in[1]};
  int64_t lead = 3 - k;
  for (int64_t i = 0; i < lead; ++i) {
    params.kernel[i] = params.strides[i] = params.dilations[i] = 1;
    params.padBegin[i] = params.padEnd[i] = 0;
    params.in[i] = params.out[i] = 1;
  }
  for (int64_t i = 0; i < k; ++i) {
    std::string error;
    std::optional<int64_t> size =
        windowOutputSize(in[2 + i], kernel[i], strides[i], pads[i], pads[k + i],
                         dilations[i], op.getCeilMode(), error);
    if (!size)
      return op.emitOpError() << "spatial dimension " << i << ": " << error;
    shape.push_back(*size);
    params.kernel[lead + i] = kernel[i];
    params.strides[lead + i] = strides[i];
    params.dilations[lead + i] = dilations[i];
    params.padBegin[lead + i] = pads[i];
    params.padEnd[lead + i] = pads[k + i];
    params.in[lead + i] = in[2 + i];
    params.out[lead + i] = *size;
  }
  HostTensor output(input.getKind(), shape);
  std::optional<HostTensor> indices;
  if (params.withIndices)
    indices.emplace(ElementKind::I64, shape);
  visitElementKind(input.getKind(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>)
      poolTyped<T>(input, output, indices ? &*indices : nullptr, params);
  });
  results.push_back(std::move(output));
  if (indices)
    results.push_back(std::move(*indices));
  return success();
}

LogicalResult reference::runMaxPool(MaxPoolOp op, Operands operands,
                                    SmallVectorImpl<HostTensor> &results) {
  PoolParams params;
  params.isMax = true;
  params.withIndices = op.getWithIndices();
  params.columnMajor = op.getStorageOrder() == 1;
  return runPool(op, *operands[0], params, results);
}

FailureOr<HostTensor> reference::runAvgPool(AvgPoolOp op, Operands operands) {
  PoolParams params;
  params.countIncludePad = op.getCountIncludePad();
  SmallVector<HostTensor, 1> results;
  if (failed(runPool(op, *operands[0], params, results)))
    return failure();
  return std::move(results.front());
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
// Reductions
//===----------------------------------------------------------------------===//

namespace {
enum class ReduceKind {
  Mean,
  Sum,
  Prod,
  L1,
  L2,
  SumSquare,
  LogSum,
  LogSumExp,
  Max,
  Min
};
} // namespace

FailureOr<HostTensor> reference::runReduce(Operation *op, Operands operands) {
  ReduceKind kind =
      llvm::TypeSwitch<Operation *, ReduceKind>(op)
          .Case([](ReduceMeanOp) { return ReduceKind::Mean; })
          .Case([](ReduceSumOp) { return ReduceKind::Sum; })
          .Case([](ReduceProdOp) { return ReduceKind::Prod; })
          .Case([](ReduceL1Op) { return ReduceKind::L1; })
          .Case([](ReduceL2Op) { return ReduceKind::L2; })
          .Case([](ReduceSumSquareOp) { return ReduceKind::SumSquare; })
          .Case([](ReduceLogSumOp) { return ReduceKind::LogSum; })
          .Case([](ReduceLogSumExpOp) { return ReduceKind::LogSumExp; })
          .Case([](ReduceMaxOp) { return ReduceKind::Max; })
          .Case([](ReduceMinOp) { return ReduceKind::Min; });
  const HostTensor &input = *operands[0];
  bool extremum = kind == ReduceKind::Max || kind == ReduceKind::Min;
  if (!extremum && failed(requireFloat(op, input, "input")))
    return failure();
  if (input.getKind() == ElementKind::Bool)
    return op->emitOpError() << "cannot reduce i1 tensors";
  ArrayRef<int64_t> axes = op->getAttrOfType<DenseI64ArrayAttr>("axes");
  bool keepdims = op->getAttrOfType<BoolAttr>("keepdims").getValue();
  int64_t rank = input.getRank();
  llvm::SmallBitVector reduced(rank, axes.empty());
  for (int64_t axis : axes) {
    std::optional<int64_t> norm = normalizeAxis(axis, rank);
    if (!norm || reduced.test(*norm))
      return op->emitOpError()
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
      if (keepdims)
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
  // Output position of every input element.
  std::vector<int64_t> target(input.getNumElements());
  forEachRow(
      in, strides, strides,
      [&](int64_t i, int64_t o, int64_t step, int64_t, int64_t, int64_t n) {
        for (int64_t j = 0; j < n; ++j)
          target[i + j] = o + j * step;
      });
  HostTensor output(input.getKind(), outShape);
  int64_t outCount = output.getNumElements();
  if (extremum && !input.isFloat()) {
    // Integers stay exact; an empty reduction gives the identity (the
    // type's lowest value for max, largest for min), as numpy's initial=.
    visitElementKind(input.getKind(), [&](auto tag) {
      using T = decltype(tag);
      if constexpr (!std::is_same_v<T, bool> && !std::is_floating_point_v<T>) {
        bool isMax = kind == ReduceKind::Max;
        std::vector<T> acc(outCount, isMax ? std::numeric_limits<T>::lowest()
                                           : std::numeric_limits<T>::max());
        ArrayRef<T> x = input.data<T>();
        for (size_t i = 0; i < x.size(); ++i) {
          T &a = acc[target[i]];
          a = isMax ? std::max(a, x[i]) : std::min(a, x[i]);
        }
        std::copy(acc.begin(), acc.end(), output.data<T>().begin());
      }
    });
    return output;
  }
  double init = 0;
  if (kind == ReduceKind::Prod)
    init = 1;
  else if (kind == ReduceKind::Max || kind == ReduceKind::LogSumExp)
    init = -std::numeric_limits<double>::infinity();
  else if (kind == ReduceKind::Min)
    init = std::numeric_limits<double>::infinity();
  std::vector<double> acc(outCount, init);
  int64_t n = input.getNumElements();
  if (kind == ReduceKind::LogSumExp) {
    // Subtract the maximum first so that exp cannot overflow.
    std::vector<double> peak(outCount, init);
    for (int64_t i = 0; i < n; ++i)
      peak[target[i]] = std::max(peak[target[i]], input.getAsDouble(i));
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int64_t i = 0; i < n; ++i) {
      double m = peak[target[i]];
      acc[target[i]] +=
          std::isinf(m) ? 0.0 : std::exp(input.getAsDouble(i) - m);
    }
    for (int64_t o = 0; o < outCount; ++o)
      acc[o] = std::isinf(peak[o]) ? peak[o] : peak[o] + std::log(acc[o]);
  } else {
    for (int64_t i = 0; i < n; ++i) {
      double v = input.getAsDouble(i);
      double &a = acc[target[i]];
      switch (kind) {
      case ReduceKind::Mean:
      case ReduceKind::Sum:
      case ReduceKind::LogSum:
        a += v;
        break;
      case ReduceKind::Prod:
        a *= v;
        break;
      case ReduceKind::L1:
        a += std::fabs(v);
        break;
      case ReduceKind::L2:
      case ReduceKind::SumSquare:
        a += v * v;
        break;
      case ReduceKind::Max:
        a = std::isnan(v) || std::isnan(a) ? std::nan("") : std::max(a, v);
        break;
      case ReduceKind::Min:
        a = std::isnan(v) || std::isnan(a) ? std::nan("") : std::min(a, v);
        break;
      case ReduceKind::LogSumExp:
        break;
      }
    }
    for (double &a : acc) {
      if (kind == ReduceKind::Mean)
        a /= double(count);
      else if (kind == ReduceKind::L2)
        a = std::sqrt(a);
      else if (kind == ReduceKind::LogSum)
        a = std::log(a);
    }
  }
  for (int64_t o = 0; o < outCount; ++o)
    output.setFromDouble(o, acc[o]);
  return output;
}

//===----------------------------------------------------------------------===//
// softmax, layer_norm, batch_norm
//===----------------------------------------------------------------------===//

FailureOr<HostTensor> reference::runSoftmax(Operation *op, Operands operands) {
  const HostTensor &input = *operands[0];
  if (failed(requireFloat(op, input, "input")))
    return failure();
  bool isLog = isa<LogSoftmaxOp>(op);
  int64_t axisAttr = op->getAttrOfType<IntegerAttr>("axis").getInt();
  FailureOr<int64_t> axis = requireAxis(op, axisAttr, input);
  if (failed(axis))
    return failure();
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
          if (!isLog)
            ys[j * inner] = e;
          sum += double(e);
        }
        if (isLog) {
          // x - max - log(sum(exp(x - max))).
          double logSum = std::log(sum);
          for (int64_t j = 0; j < length; ++j)
            ys[j * inner] =
                T(double(xs[j * inner]) - double(maxValue) - logSum);
        } else {
          for (int64_t j = 0; j < length; ++j)
            ys[j * inner] = T(double(ys[j * inner]) / sum);
        }
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
  FailureOr<int64_t> axis = requireAxis(op, op.getAxis(), input);
  if (failed(axis))
    return failure();
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

//===----------------------------------------------------------------------===//
// instance_norm, lrn
//===----------------------------------------------------------------------===//

FailureOr<HostTensor> reference::runInstanceNorm(InstanceNormOp op,
                                                 Operands operands) {
  if (failed(requireSameFloat(op, operands)))
    return failure();
  const HostTensor &input = *operands[0];
  const HostTensor &scale = *operands[1], &bias = *operands[2];
  if (input.getRank() < 3)
    return op.emitOpError() << "input must be N x C x spatial..., got "
                            << shapeString(input.getShape());
  int64_t channels = input.getDimSize(1);
  if (scale.getNumElements() != channels || bias.getNumElements() != channels)
    return op.emitOpError()
           << "scale and bias need " << channels << " elements";
  int64_t size = product(input.getShape().drop_front(2));
  double eps = op.getEpsilon().convertToDouble();
  HostTensor output(input.getKind(), input.getShape());
  for (int64_t plane = 0, planes = input.getDimSize(0) * channels;
       plane < planes; ++plane) {
    int64_t c = plane % channels, base = plane * size;
    double mean = 0, var = 0;
    for (int64_t i = 0; i < size; ++i)
      mean += input.getAsDouble(base + i);
    mean /= double(size);
    for (int64_t i = 0; i < size; ++i) {
      double d = input.getAsDouble(base + i) - mean;
      var += d * d;
    }
    var /= double(size);
    double inv = 1.0 / std::sqrt(var + eps);
    double s = scale.getAsDouble(c), b = bias.getAsDouble(c);
    for (int64_t i = 0; i < size; ++i)
      output.setFromDouble(base + i,
                           (input.getAsDouble(base + i) - mean) * inv * s + b);
  }
  return output;
}

FailureOr<HostTensor> reference::runLrn(LrnOp op, Operands operands) {
  const HostTensor &input = *operands[0];
  if (failed(requireFloat(op, input, "input")))
    return failure();
  if (input.getRank() < 3)
    return op.emitOpError() << "input must be N x C x spatial..., got "
                            << shapeString(input.getShape());
  int64_t channels = input.getDimSize(1);
  int64_t size = product(input.getShape().drop_front(2));
  int64_t n = op.getSize();
  int64_t before = (n - 1) / 2, after = n - 1 - before;
  double alpha = op.getAlpha().convertToDouble();
  double beta = op.getBeta().convertToDouble();
  double bias = op.getBias().convertToDouble();
  HostTensor output(input.getKind(), input.getShape());
  for (int64_t b = 0; b < input.getDimSize(0); ++b)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < size; ++i) {
        double sum = 0;
        for (int64_t k = std::max<int64_t>(0, c - before);
             k <= std::min(channels - 1, c + after); ++k) {
          double v = input.getAsDouble((b * channels + k) * size + i);
          sum += v * v;
        }
        int64_t at = (b * channels + c) * size + i;
        output.setFromDouble(
            at, input.getAsDouble(at) /
                    std::pow(bias + alpha / double(n) * sum, beta));
      }
  return output;
}
