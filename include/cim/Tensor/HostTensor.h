//===- HostTensor.h - Dense tensors in host memory --------------*- C++ -*-===//
//
// A shape plus contiguous row-major storage, used wherever the project holds
// tensor data outside the IR: executor inputs and outputs, weights read from
// the IR, test data. The storage is a plain byte buffer; typed views are
// checked against the element kind.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TENSOR_HOSTTENSOR_H
#define CIM_TENSOR_HOSTTENSOR_H

#include "cim/Tensor/SmallFloat.h"

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/Types.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class MLIRContext;
class RankedTensorType;

namespace cim {

/// Element types a HostTensor can hold. Signless MLIR integers map to the
/// signed kinds, i1 to Bool (one byte per element). F16 and BF16 are storage
/// formats: they hold the raw 16-bit patterns, are read and written through
/// getAsDouble / setFromDouble (round to nearest even), and kernels never
/// see them (the executor widens them to F32 around every op but casts).
/// I4, U4, I2 and U2 are sub-byte integer storage formats, one element per
/// byte here (sign- or zero-extended), packed only in ONNX files; they are
/// likewise widened to I8 / U8 around ops. The small floats (F8E4M3FN,
/// F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ, F8E8M0, F4E2M1; !cim.float<...> in the
/// IR) hold one bit pattern per byte (cim/Tensor/SmallFloat.h) and are
/// widened to F32.
enum class ElementKind {
  F32,
  F64,
  I8,
  I16,
  I32,
  I64,
  U8,
  U16,
  U32,
  U64,
  Bool,
  F16,
  BF16,
  I4,
  U4,
  I2,
  U2,
  F8E4M3FN,
  F8E4M3FNUZ,
  F8E5M2,
  F8E5M2FNUZ,
  F8E8M0,
  F4E2M1
};

/// Size of one element in bytes.
size_t getElementSize(ElementKind kind);
/// True for F32 and F64, the float kinds kernels compute in.
bool isFloatKind(ElementKind kind);
/// True for F16 and BF16, the 16-bit float storage formats.
bool isFloat16Kind(ElementKind kind);
/// Bits of a sub-byte integer kind (4 or 2), 0 for every other kind.
unsigned getSubByteBits(ElementKind kind);
/// True for the 8- and 4-bit float kinds (cim/Tensor/SmallFloat.h).
bool isSmallFloatKind(ElementKind kind);
/// True for the storage-only kinds (F16, BF16, I4, U4, I2, U2 and the
/// small floats).
inline bool isStorageOnlyKind(ElementKind kind) {
  return isFloat16Kind(kind) || getSubByteBits(kind) != 0 ||
         isSmallFloatKind(kind);
}
/// True for every kind that holds float values: F32, F64, F16, BF16 and
/// the small floats.
inline bool holdsFloats(ElementKind kind) {
  return isFloatKind(kind) || isFloat16Kind(kind) || isSmallFloatKind(kind);
}
/// The kind the executor computes a storage-only kind in (F32, I8 or U8);
/// the kind itself for the others.
ElementKind getComputeKind(ElementKind kind);
/// Name as in MLIR ("f32", "i64", "ui8", "i1").
llvm::StringRef getElementKindName(ElementKind kind);

/// The C++ type stored for each kind.
template <typename T> struct ElementKindOf;
#define CIM_ELEMENT_KIND_OF(TYPE, KIND)                                        \
  template <> struct ElementKindOf<TYPE> {                                     \
    static constexpr ElementKind value = ElementKind::KIND;                    \
  };
CIM_ELEMENT_KIND_OF(float, F32)
CIM_ELEMENT_KIND_OF(double, F64)
CIM_ELEMENT_KIND_OF(int8_t, I8)
CIM_ELEMENT_KIND_OF(int16_t, I16)
CIM_ELEMENT_KIND_OF(int32_t, I32)
CIM_ELEMENT_KIND_OF(int64_t, I64)
CIM_ELEMENT_KIND_OF(uint8_t, U8)
CIM_ELEMENT_KIND_OF(uint16_t, U16)
CIM_ELEMENT_KIND_OF(uint32_t, U32)
CIM_ELEMENT_KIND_OF(uint64_t, U64)
CIM_ELEMENT_KIND_OF(bool, Bool)
#undef CIM_ELEMENT_KIND_OF

/// Calls `fn(T{})` with T the stored C++ type of `kind` (not for the
/// storage-only kinds, which have none).
template <typename Fn> auto visitElementKind(ElementKind kind, Fn &&fn) {
  switch (kind) {
  case ElementKind::F32:
    return fn(float{});
  case ElementKind::F64:
    return fn(double{});
  case ElementKind::I8:
    return fn(int8_t{});
  case ElementKind::I16:
    return fn(int16_t{});
  case ElementKind::I32:
    return fn(int32_t{});
  case ElementKind::I64:
    return fn(int64_t{});
  case ElementKind::U8:
    return fn(uint8_t{});
  case ElementKind::U16:
    return fn(uint16_t{});
  case ElementKind::U32:
    return fn(uint32_t{});
  case ElementKind::U64:
    return fn(uint64_t{});
  case ElementKind::Bool:
    return fn(bool{});
  default: // the storage-only kinds
    break;
  }
  assert(false && "storage-only kinds have no C++ element type; callers "
                  "handle them through getAsDouble / setFromInt64");
  return fn(float{});
}

/// A dense tensor in host memory: element kind, shape and row-major data.
/// Copyable (deep copy) and cheaply movable.
class HostTensor {
public:
  /// An f32 scalar holding 0.
  HostTensor() = default;
  /// A zero-filled tensor.
  HostTensor(ElementKind kind, llvm::ArrayRef<int64_t> shape);

  /// An f32 tensor holding `values` (whose size must match the shape).
  static HostTensor fromFloats(llvm::ArrayRef<int64_t> shape,
                               llvm::ArrayRef<float> values);
  /// A tensor of the kind of T holding `values`.
  template <typename T>
  static HostTensor fromValues(llvm::ArrayRef<int64_t> shape,
                               llvm::ArrayRef<T> values) {
    HostTensor tensor(ElementKindOf<T>::value, shape);
    assert(int64_t(values.size()) == tensor.getNumElements() &&
           "value count does not match the shape");
    std::copy(values.begin(), values.end(), tensor.data<T>().begin());
    return tensor;
  }

  ElementKind getKind() const { return kind; }
  llvm::ArrayRef<int64_t> getShape() const { return shape; }
  int64_t getRank() const { return shape.size(); }
  int64_t getDimSize(int64_t dim) const { return shape[dim]; }
  int64_t getNumElements() const { return numElements; }
  size_t getElementSize() const { return cim::getElementSize(kind); }
  bool isFloat() const { return isFloatKind(kind); }

  /// Typed views; T must be the stored type of the kind.
  template <typename T> llvm::MutableArrayRef<T> data() {
    assert(ElementKindOf<T>::value == kind && "element type mismatch");
    // Not a braced list: ArrayRef<bool> would take it as initializer_list.
    return llvm::MutableArrayRef<T>(reinterpret_cast<T *>(storage.data()),
                                    size_t(numElements));
  }
  template <typename T> llvm::ArrayRef<T> data() const {
    assert(ElementKindOf<T>::value == kind && "element type mismatch");
    return llvm::ArrayRef<T>(reinterpret_cast<const T *>(storage.data()),
                             size_t(numElements));
  }

  /// Raw bytes, getNumElements() * getElementSize() of them.
  llvm::ArrayRef<uint8_t> getBytes() const { return storage; }
  llvm::MutableArrayRef<uint8_t> getMutableBytes() { return storage; }

  /// Element `index` converted to double / int64 (floats truncate toward
  /// zero), for generic code that does not care about speed.
  double getAsDouble(int64_t index) const;
  int64_t getAsInt64(int64_t index) const;
  /// Stores `value` converted to the element kind (integers truncate toward
  /// zero and wrap, Bool is value != 0).
  void setFromDouble(int64_t index, double value);
  void setFromInt64(int64_t index, int64_t value);

  /// Changes the shape in place; the element count must stay the same.
  void reshape(llvm::ArrayRef<int64_t> newShape);

  /// Same kind, shape and bytes (so NaNs with equal bits compare equal).
  bool isBitwiseEqual(const HostTensor &other) const;

  /// "1x3x8x8" (and "" for a scalar).
  std::string getShapeString() const;

private:
  ElementKind kind = ElementKind::F32;
  llvm::SmallVector<int64_t, 4> shape;
  // The defaults make a consistent f32 scalar, so a default-constructed
  // tensor is safe to read.
  int64_t numElements = 1;
  // operator new aligns to 16 bytes, enough for every element kind.
  std::vector<uint8_t> storage = std::vector<uint8_t>(sizeof(float), 0);
};

/// Converts every element to `kind` as ONNX Cast does: floats round to
/// nearest even when narrowed and truncate toward zero when made integers,
/// integers wrap when narrowed, anything nonzero is true. A small float
/// target follows `smallFloat` (Cast's saturate and round_mode).
HostTensor convertElements(const HostTensor &tensor, ElementKind kind,
                           const SmallFloatCast &smallFloat = {});

/// Maps an MLIR element type to an ElementKind; std::nullopt for types the
/// executor does not handle (index, complex, f80, ...).
std::optional<ElementKind> getElementKind(Type type);

/// The MLIR element type of a kind (signless integers for the signed kinds,
/// unsigned integers for U*, i1 for Bool, !cim.float<...> for the small
/// floats, which loads the cim dialect).
Type getElementType(MLIRContext *context, ElementKind kind);

/// Converts a statically shaped elements attribute (dense, splat, dense
/// resource or any ElementsAttr that iterates APInt / APFloat) of a supported
/// element type to a HostTensor. Fails for unsupported types, dynamic shapes
/// and resources without data, describing why in `error` when given.
FailureOr<HostTensor> toHostTensor(ElementsAttr attr,
                                   std::string *error = nullptr);

/// A constant of a small float tensor `type` holding the bit patterns
/// `bytes` (one byte per element): a dense_resource blob named `blobName`,
/// the only elements attribute MLIR 16 offers for a dialect element type.
ElementsAttr getSmallFloatAttr(RankedTensorType type, llvm::StringRef blobName,
                               llvm::ArrayRef<char> bytes);

/// The inverse of toHostTensor: an elements attribute of the tensor's type
/// holding its values. Tensors of more than `resourceThreshold` elements
/// (when non-negative) become dense_resource blobs named `blobName` (made
/// unique by the context), except unsigned and bool ones, which stay dense.
ElementsAttr toElementsAttr(MLIRContext *context, const HostTensor &tensor,
                            int64_t resourceThreshold = -1,
                            llvm::StringRef blobName = "tensor");

} // namespace cim
} // namespace mlir

#endif // CIM_TENSOR_HOSTTENSOR_H
