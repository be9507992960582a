//===- Support.cpp - Helpers shared by the reference kernels --------------===//

#include "Kernels.h"

#include "cim/Dialect/CIM/CIMShapes.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLExtras.h"

#include <cstring>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::reference;

std::string reference::shapeString(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  std::string text;
  for (auto [i, dim] : llvm::enumerate(shape)) {
    if (i)
      text += 'x';
    text += ShapedType::isDynamic(dim) ? "?" : std::to_string(dim);
  }
  return text;
}

FailureOr<int64_t> reference::requireAxis(Operation *op, int64_t axis,
                                          const HostTensor &tensor) {
  std::optional<int64_t> normalized = normalizeAxis(axis, tensor.getRank());
  if (!normalized)
    return op->emitOpError() << "axis " << axis << " is out of range for shape "
                             << shapeString(tensor.getShape());
  return *normalized;
}

SmallVector<int64_t> reference::rowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = int64_t(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

SmallVector<int64_t> reference::broadcastStrides(ArrayRef<int64_t> shape,
                                                 ArrayRef<int64_t> outShape) {
  assert(shape.size() <= outShape.size() && "shape does not broadcast");
  SmallVector<int64_t> own = rowMajorStrides(shape);
  SmallVector<int64_t> strides(outShape.size(), 0);
  size_t lead = outShape.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d)
    strides[lead + d] = shape[d] == 1 ? 0 : own[d];
  return strides;
}

int64_t reference::product(ArrayRef<int64_t> shape) {
  int64_t result = 1;
  for (int64_t dim : shape)
    result *= dim;
  return result;
}

LogicalResult reference::requireFloat(Operation *op, const HostTensor &tensor,
                                      StringRef what) {
  if (tensor.isFloat())
    return success();
  return op->emitOpError()
         << what << " must be f32 or f64 in the reference executor, got "
         << getElementKindName(tensor.getKind());
}

LogicalResult reference::requireRank(Operation *op, const HostTensor &tensor,
                                     StringRef what, int64_t rank) {
  if (tensor.getRank() == rank)
    return success();
  return op->emitOpError() << what << " must have rank " << rank
                           << " but has shape "
                           << shapeString(tensor.getShape());
}

template <typename T>
static void stridedCopyTyped(const T *in, int64_t base,
                             ArrayRef<int64_t> strides,
                             ArrayRef<int64_t> outShape, T *out) {
  SmallVector<int64_t> unused(outShape.size(), 0);
  forEachRow(
      outShape, strides, unused,
      [&](int64_t o, int64_t a, int64_t step, int64_t, int64_t, int64_t count) {
        const T *src = in + base + a;
        T *dst = out + o;
        if (step == 1) {
          std::memcpy(dst, src, count * sizeof(T));
          return;
        }
        for (int64_t i = 0; i < count; ++i)
          dst[i] = src[i * step];
      });
}

void reference::stridedCopy(const uint8_t *in, int64_t base,
                            ArrayRef<int64_t> strides,
                            ArrayRef<int64_t> outShape, uint8_t *out,
                            size_t elementSize) {
  // Copy whole elements as integers of their size; the bits are kept.
  switch (elementSize) {
  case 1:
    return stridedCopyTyped(in, base, strides, outShape, out);
  case 2:
    return stridedCopyTyped(reinterpret_cast<const uint16_t *>(in), base,
                            strides, outShape,
                            reinterpret_cast<uint16_t *>(out));
  case 4:
    return stridedCopyTyped(reinterpret_cast<const uint32_t *>(in), base,
                            strides, outShape,
                            reinterpret_cast<uint32_t *>(out));
  case 8:
    return stridedCopyTyped(reinterpret_cast<const uint64_t *>(in), base,
                            strides, outShape,
                            reinterpret_cast<uint64_t *>(out));
  }
  llvm_unreachable("unsupported element size");
}

FailureOr<SmallVector<int64_t>>
reference::broadcastOperands(Operation *op, const HostTensor &lhs,
                             const HostTensor &rhs) {
  if (lhs.getKind() != rhs.getKind())
    return op->emitOpError()
           << "operands mix " << getElementKindName(lhs.getKind()) << " and "
           << getElementKindName(rhs.getKind());
  auto shape = broadcastShapes(lhs.getShape(), rhs.getShape());
  if (!shape)
    return op->emitOpError()
           << "shapes " << shapeString(lhs.getShape()) << " and "
           << shapeString(rhs.getShape()) << " do not broadcast";
  return *shape;
}
