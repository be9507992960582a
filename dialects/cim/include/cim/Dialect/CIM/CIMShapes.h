//===- CIMShapes.h - Shape rules shared by IR, executor, mapper -*- C++ -*-===//
//
// The ONNX shape rules the graph ops obey, as plain functions so that the
// verifier, the importer, the reference executor and the cost model all use
// one definition. Dimensions may be ShapedType::kDynamic; a dynamic input
// dimension gives a dynamic output dimension.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMSHAPES_H
#define CIM_DIALECT_CIM_CIMSHAPES_H

#include "cim/Dialect/CIM/CIMEnums.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <optional>
#include <string>

namespace mlir {
namespace cim {

/// Output length of a sliding window over `in` elements (convolution and
/// pooling). Returns std::nullopt and sets `error` when the window does not
/// fit. With `ceilMode` the length rounds up, but the last window must start
/// inside the input or the begin padding (the ONNX / PyTorch rule).
std::optional<int64_t> windowOutputSize(int64_t in, int64_t kernel,
                                        int64_t stride, int64_t padBegin,
                                        int64_t padEnd, int64_t dilation,
                                        bool ceilMode, std::string &error);

/// numpy broadcast of two shapes; std::nullopt when incompatible.
std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

/// Normalizes a possibly negative axis for a tensor of `rank`; std::nullopt
/// when out of range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// Product of the dimensions, or ShapedType::kDynamic when any is dynamic.
int64_t shapeProduct(llvm::ArrayRef<int64_t> shape);

/// Start, step and size of an ONNX Slice along a dimension of length `dim`
/// after clamping (dim must be static).
struct SliceRange {
  int64_t start = 0;
  int64_t step = 1;
  int64_t size = 0;
};
SliceRange computeSliceRange(int64_t dim, int64_t start, int64_t end,
                             int64_t step);

/// Source index along a dimension of length `n` for output position `o` of
/// an ONNX Pad with `begin` elements of padding before it, or -1 where the
/// constant goes.
int64_t getPadSource(int64_t o, int64_t begin, int64_t n, PadMode mode);

} // namespace cim
} // namespace mlir

#endif // CIM_DIALECT_CIM_CIMSHAPES_H
