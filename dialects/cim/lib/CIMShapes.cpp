//===- CIMShapes.cpp - ONNX shape rules -----------------------------------===//

#include "cim/Dialect/CIM/CIMShapes.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/ErrorHandling.h"

#include <algorithm>

using namespace mlir;

std::optional<int64_t> cim::windowOutputSize(int64_t in, int64_t kernel,
                                             int64_t stride, int64_t padBegin,
                                             int64_t padEnd, int64_t dilation,
                                             bool ceilMode,
                                             std::string &error) {
  if (kernel < 1 || stride < 1 || dilation < 1) {
    error = "kernel, stride and dilation must be positive";
    return std::nullopt;
  }
  if (padBegin < 0 || padEnd < 0) {
    error = "pads must be non-negative";
    return std::nullopt;
  }
  if (ShapedType::isDynamic(in))
    return ShapedType::kDynamic;
  int64_t effective = (kernel - 1) * dilation + 1;
  int64_t padded = in + padBegin + padEnd;
  if (effective > padded) {
    error = "window of " + std::to_string(effective) +
            " exceeds the padded input of " + std::to_string(padded);
    return std::nullopt;
  }
  int64_t span = padded - effective;
  if (!ceilMode)
    return span / stride + 1;
  int64_t out = (span + stride - 1) / stride + 1;
  // The last window must start inside the input or the begin padding.
  if ((out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

std::optional<llvm::SmallVector<int64_t>>
cim::broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  llvm::SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == 1) {
      result[i] = db;
    } else if (db == 1) {
      result[i] = da;
    } else if (ShapedType::isDynamic(da)) {
      result[i] = db;
    } else if (ShapedType::isDynamic(db) || da == db) {
      result[i] = da;
    } else {
      return std::nullopt;
    }
  }
  return result;
}

std::optional<int64_t> cim::normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

int64_t cim::shapeProduct(llvm::ArrayRef<int64_t> shape) {
  int64_t product = 1;
  for (int64_t dim : shape) {
    if (ShapedType::isDynamic(dim))
      return ShapedType::kDynamic;
    product *= dim;
  }
  return product;
}

cim::SliceRange cim::computeSliceRange(int64_t dim, int64_t start, int64_t end,
                                       int64_t step) {
  SliceRange range;
  range.step = step;
  // Negative positions count from the end; everything is clamped without
  // overflowing on INT64_MIN / INT64_MAX sentinels.
  auto resolve = [dim](int64_t value, int64_t lo, int64_t hi) {
    if (value < 0)
      value = value >= -dim ? value + dim : lo;
    return std::clamp(value, lo, hi);
  };
  if (step > 0) {
    range.start = resolve(start, 0, dim);
    int64_t stop = resolve(end, 0, dim);
    range.size =
        stop > range.start ? (stop - range.start + step - 1) / step : 0;
  } else {
    range.start = resolve(start, -1, dim - 1);
    int64_t stop = resolve(end, -1, dim - 1);
    range.size =
        range.start > stop ? (range.start - stop + (-step) - 1) / (-step) : 0;
  }
  return range;
}

/// Source index along one dimension of length `n` for output position `o`
/// (`begin` padding before it), or -1 for the constant.
int64_t cim::getPadSource(int64_t o, int64_t begin, int64_t n, PadMode mode) {
  int64_t i = o - begin;
  if (i >= 0 && i < n)
    return i;
  switch (mode) {
  case PadMode::Constant:
    return -1;
  case PadMode::Edge:
    return i < 0 ? 0 : n - 1;
  case PadMode::Reflect: {
    // numpy 'reflect': the border element is not repeated; pads longer
    // than the dimension keep reflecting (period 2 * (n - 1)).
    if (n == 1)
      return 0;
    int64_t period = 2 * (n - 1);
    i %= period;
    if (i < 0)
      i += period;
    return i < n ? i : period - i;
  }
  case PadMode::Wrap:
    // numpy 'wrap': the dimension repeats periodically.
    if (n == 0)
      return -1;
    i %= n;
    return i < 0 ? i + n : i;
  }
  llvm_unreachable("unknown pad mode");
}
