//===- HostTensor.cpp - Dense tensors in host memory ----------------------===//

#include "cim/Tensor/HostTensor.h"
#include "cim/Dialect/CIM/CIMDialect.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::cim;

size_t cim::getElementSize(ElementKind kind) {
  // A small float is one bit pattern per byte.
  if (isSmallFloatKind(kind))
    return 1;
  switch (kind) {
  case ElementKind::I8:
  case ElementKind::U8:
  case ElementKind::Bool:
  case ElementKind::I4:
  case ElementKind::U4:
  case ElementKind::I2:
  case ElementKind::U2:
    return 1;
  case ElementKind::I16:
  case ElementKind::U16:
  case ElementKind::F16:
  case ElementKind::BF16:
    return 2;
  case ElementKind::F32:
  case ElementKind::I32:
  case ElementKind::U32:
    return 4;
  case ElementKind::F64:
  case ElementKind::I64:
  case ElementKind::U64:
    return 8;
  default:
    break;
  }
  llvm_unreachable("unknown element kind");
}

bool cim::isFloatKind(ElementKind kind) {
  return kind == ElementKind::F32 || kind == ElementKind::F64;
}

bool cim::isFloat16Kind(ElementKind kind) {
  return kind == ElementKind::F16 || kind == ElementKind::BF16;
}

unsigned cim::getSubByteBits(ElementKind kind) {
  switch (kind) {
  case ElementKind::I4:
  case ElementKind::U4:
    return 4;
  case ElementKind::I2:
  case ElementKind::U2:
    return 2;
  default:
    return 0;
  }
}

static bool isUnsignedSubByte(ElementKind kind) {
  return kind == ElementKind::U4 || kind == ElementKind::U2;
}

ElementKind cim::getComputeKind(ElementKind kind) {
  if (isFloat16Kind(kind) || isSmallFloatKind(kind))
    return ElementKind::F32;
  if (getSubByteBits(kind))
    return isUnsignedSubByte(kind) ? ElementKind::U8 : ElementKind::I8;
  return kind;
}

namespace {
/// A small float format of !cim.float<...> and its kind.
struct SmallFloatEntry {
  SmallFloatFormat format;
  ElementKind kind;
};
} // namespace

static const SmallFloatEntry kSmallFloats[] = {
    {SmallFloatFormat::F8E4M3FN, ElementKind::F8E4M3FN},
    {SmallFloatFormat::F8E4M3FNUZ, ElementKind::F8E4M3FNUZ},
    {SmallFloatFormat::F8E5M2, ElementKind::F8E5M2},
    {SmallFloatFormat::F8E5M2FNUZ, ElementKind::F8E5M2FNUZ},
    {SmallFloatFormat::F8E8M0FNU, ElementKind::F8E8M0},
    {SmallFloatFormat::F4E2M1FN, ElementKind::F4E2M1}};

/// The !cim.float<...> format of a small float kind.
static SmallFloatFormat getSmallFloatFormat(ElementKind kind) {
  for (const SmallFloatEntry &entry : kSmallFloats)
    if (entry.kind == kind)
      return entry.format;
  llvm_unreachable("not a small float kind");
}

static const llvm::fltSemantics &float16Semantics(ElementKind kind) {
  return kind == ElementKind::F16 ? APFloat::IEEEhalf() : APFloat::BFloat();
}

StringRef cim::getElementKindName(ElementKind kind) {
  switch (kind) {
  case ElementKind::F32:
    return "f32";
  case ElementKind::F64:
    return "f64";
  case ElementKind::I8:
    return "i8";
  case ElementKind::I16:
    return "i16";
  case ElementKind::I32:
    return "i32";
  case ElementKind::I64:
    return "i64";
  case ElementKind::U8:
    return "ui8";
  case ElementKind::U16:
    return "ui16";
  case ElementKind::U32:
    return "ui32";
  case ElementKind::U64:
    return "ui64";
  case ElementKind::Bool:
    return "i1";
  case ElementKind::F16:
    return "f16";
  case ElementKind::BF16:
    return "bf16";
  case ElementKind::I4:
    return "i4";
  case ElementKind::U4:
    return "ui4";
  case ElementKind::I2:
    return "i2";
  case ElementKind::U2:
    return "ui2";
  default:
    // The small floats: the spelling of their !cim.float<...> format.
    return stringifySmallFloatFormat(getSmallFloatFormat(kind));
  }
  llvm_unreachable("unknown element kind");
}

//===----------------------------------------------------------------------===//
// HostTensor
//===----------------------------------------------------------------------===//

HostTensor::HostTensor(ElementKind kind, ArrayRef<int64_t> shape)
    : kind(kind), shape(shape.begin(), shape.end()) {
  numElements = 1;
  for (int64_t dim : shape) {
    assert(dim >= 0 && "host tensors have static, non-negative dimensions");
    numElements *= dim;
  }
  storage.assign(size_t(numElements) * cim::getElementSize(kind), 0);
}

HostTensor HostTensor::fromFloats(ArrayRef<int64_t> shape,
                                  ArrayRef<float> values) {
  return fromValues<float>(shape, values);
}

double HostTensor::getAsDouble(int64_t index) const {
  assert(index >= 0 && index < numElements && "index out of range");
  if (isFloat16Kind(kind)) {
    uint16_t bits;
    std::memcpy(&bits, storage.data() + 2 * index, 2);
    return APFloat(float16Semantics(kind), APInt(16, bits)).convertToDouble();
  }
  if (getSubByteBits(kind))
    return double(getAsInt64(index));
  if (isSmallFloatKind(kind))
    return decodeSmallFloat(kind, storage[index]);
  return visitElementKind(kind, [&](auto tag) -> double {
    using T = decltype(tag);
    return static_cast<double>(data<T>()[index]);
  });
}

int64_t HostTensor::getAsInt64(int64_t index) const {
  assert(index >= 0 && index < numElements && "index out of range");
  if (holdsFloats(kind)) {
    // Out-of-range float to integer conversion is undefined; saturate.
    double value = getAsDouble(index);
    if (std::isnan(value))
      return 0;
    if (value >= 9223372036854775807.0)
      return std::numeric_limits<int64_t>::max();
    if (value <= -9223372036854775808.0)
      return std::numeric_limits<int64_t>::min();
    return static_cast<int64_t>(value);
  }
  if (getSubByteBits(kind))
    return isUnsignedSubByte(kind) ? int64_t(storage[index])
                                   : int64_t(int8_t(storage[index]));
  return visitElementKind(kind, [&](auto tag) -> int64_t {
    using T = decltype(tag);
    return static_cast<int64_t>(data<T>()[index]);
  });
}

void HostTensor::setFromDouble(int64_t index, double value) {
  assert(index >= 0 && index < numElements && "index out of range");
  if (isSmallFloatKind(kind)) {
    storage[index] = encodeSmallFloat(kind, value);
    return;
  }
  switch (kind) {
  case ElementKind::F32:
    data<float>()[index] = static_cast<float>(value);
    return;
  case ElementKind::F64:
    data<double>()[index] = value;
    return;
  case ElementKind::Bool:
    data<bool>()[index] = value != 0.0;
    return;
  case ElementKind::F16:
  case ElementKind::BF16: {
    APFloat half(value);
    bool lost;
    half.convert(float16Semantics(kind), APFloat::rmNearestTiesToEven, &lost);
    uint16_t bits = uint16_t(half.bitcastToAPInt().getZExtValue());
    std::memcpy(storage.data() + 2 * index, &bits, 2);
    return;
  }
  case ElementKind::U64:
    // Values in [2^63, 2^64) do not fit the int64 path.
    if (value >= 9223372036854775808.0 && value < 18446744073709551616.0) {
      data<uint64_t>()[index] = static_cast<uint64_t>(value);
      return;
    }
    break;
  default:
    break;
  }
  int64_t integer;
  if (std::isnan(value))
    integer = 0;
  else if (value >= 9223372036854775807.0)
    integer = std::numeric_limits<int64_t>::max();
  else if (value <= -9223372036854775808.0)
    integer = std::numeric_limits<int64_t>::min();
  else
    integer = static_cast<int64_t>(value);
  setFromInt64(index, integer);
}

void HostTensor::setFromInt64(int64_t index, int64_t value) {
  assert(index >= 0 && index < numElements && "index out of range");
  if (isFloat16Kind(kind) || isSmallFloatKind(kind))
    return setFromDouble(index, double(value));
  if (unsigned bits = getSubByteBits(kind)) {
    // Keep the low bits (wrap around, as ONNX Cast does), then extend.
    uint64_t mask = (uint64_t(1) << bits) - 1;
    uint64_t low = uint64_t(value) & mask;
    if (!isUnsignedSubByte(kind) && (low >> (bits - 1)))
      low |= ~mask;
    storage[index] = uint8_t(low);
    return;
  }
  visitElementKind(kind, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>)
      data<bool>()[index] = value != 0;
    else
      data<T>()[index] = static_cast<T>(value);
  });
}

void HostTensor::reshape(ArrayRef<int64_t> newShape) {
  int64_t count = 1;
  for (int64_t dim : newShape)
    count *= dim;
  assert(count == numElements && "reshape changes the element count");
  (void)count;
  shape.assign(newShape.begin(), newShape.end());
}

bool HostTensor::isBitwiseEqual(const HostTensor &other) const {
  return kind == other.kind && ArrayRef<int64_t>(shape) == other.getShape() &&
         storage == other.storage;
}

std::string HostTensor::getShapeString() const {
  std::string text;
  for (auto [i, dim] : llvm::enumerate(shape)) {
    if (i)
      text += 'x';
    text += std::to_string(dim);
  }
  return text;
}

HostTensor cim::convertElements(const HostTensor &in, ElementKind kind,
                                const SmallFloatCast &smallFloat) {
  HostTensor out(kind, in.getShape());
  int64_t n = in.getNumElements();
  ElementKind from = in.getKind();
  if (isSmallFloatKind(kind)) {
    // Integers beyond 2^53 round on the way to double, far beyond the
    // largest finite small float.
    MutableArrayRef<uint8_t> bytes = out.getMutableBytes();
    for (int64_t i = 0; i < n; ++i)
      bytes[i] = encodeSmallFloat(kind,
                                  from == ElementKind::U64
                                      ? double(in.data<uint64_t>()[i])
                                      : in.getAsDouble(i),
                                  smallFloat);
  } else if (holdsFloats(from) || from == ElementKind::Bool) {
    for (int64_t i = 0; i < n; ++i)
      out.setFromDouble(i, in.getAsDouble(i));
  } else if (from == ElementKind::U64 && holdsFloats(kind)) {
    // Values above INT64_MAX would turn negative through int64.
    ArrayRef<uint64_t> x = in.data<uint64_t>();
    for (int64_t i = 0; i < n; ++i)
      out.setFromDouble(i, double(x[i]));
  } else {
    for (int64_t i = 0; i < n; ++i)
      out.setFromInt64(i, in.getAsInt64(i));
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Conversions from MLIR
//===----------------------------------------------------------------------===//

std::optional<ElementKind> cim::getElementKind(Type type) {
  if (type.isF32())
    return ElementKind::F32;
  if (type.isF64())
    return ElementKind::F64;
  if (type.isF16())
    return ElementKind::F16;
  if (type.isBF16())
    return ElementKind::BF16;
  if (auto small = type.dyn_cast<SmallFloatType>()) {
    for (const SmallFloatEntry &entry : kSmallFloats)
      if (entry.format == small.getFormat())
        return entry.kind;
    return std::nullopt;
  }
  auto integer = type.dyn_cast<IntegerType>();
  if (!integer)
    return std::nullopt;
  unsigned width = integer.getWidth();
  if (width == 4)
    return integer.isUnsigned() ? ElementKind::U4 : ElementKind::I4;
  if (width == 2)
    return integer.isUnsigned() ? ElementKind::U2 : ElementKind::I2;
  if (width == 1)
    return integer.isUnsigned() ? std::nullopt
                                : std::optional<ElementKind>(ElementKind::Bool);
  bool isUnsigned = integer.isUnsigned();
  switch (width) {
  case 8:
    return isUnsigned ? ElementKind::U8 : ElementKind::I8;
  case 16:
    return isUnsigned ? ElementKind::U16 : ElementKind::I16;
  case 32:
    return isUnsigned ? ElementKind::U32 : ElementKind::I32;
  case 64:
    return isUnsigned ? ElementKind::U64 : ElementKind::I64;
  default:
    return std::nullopt;
  }
}

static Type getSmallFloatType(MLIRContext *context, ElementKind kind) {
  context->getOrLoadDialect<CIMDialect>();
  return SmallFloatType::get(context, getSmallFloatFormat(kind));
}

Type cim::getElementType(MLIRContext *context, ElementKind kind) {
  if (isSmallFloatKind(kind))
    return getSmallFloatType(context, kind);
  switch (kind) {
  case ElementKind::F32:
    return Float32Type::get(context);
  case ElementKind::F64:
    return Float64Type::get(context);
  case ElementKind::F16:
    return Float16Type::get(context);
  case ElementKind::BF16:
    return BFloat16Type::get(context);
  case ElementKind::I4:
  case ElementKind::I2:
  case ElementKind::U4:
  case ElementKind::U2:
    return IntegerType::get(context, getSubByteBits(kind),
                            isUnsignedSubByte(kind) ? IntegerType::Unsigned
                                                    : IntegerType::Signless);
  case ElementKind::Bool:
    return IntegerType::get(context, 1);
  case ElementKind::U8:
  case ElementKind::U16:
  case ElementKind::U32:
  case ElementKind::U64:
    return IntegerType::get(context, 8 * cim::getElementSize(kind),
                            IntegerType::Unsigned);
  default:
    return IntegerType::get(context, 8 * cim::getElementSize(kind));
  }
}

static FailureOr<HostTensor> fail(std::string *error, const Twine &message) {
  if (error)
    *error = message.str();
  return failure();
}

/// Copies `bytes` (one element or a whole tensor) into `tensor`; Bool bytes
/// are normalized to 0/1 so that reading them as bool is defined.
static void fillFromBytes(HostTensor &tensor, ArrayRef<char> bytes) {
  MutableArrayRef<uint8_t> out = tensor.getMutableBytes();
  size_t elementSize = tensor.getElementSize();
  if (bytes.size() == elementSize) {
    for (size_t offset = 0; offset < out.size(); offset += elementSize)
      std::memcpy(out.data() + offset, bytes.data(), elementSize);
  } else {
    std::memcpy(out.data(), bytes.data(), out.size());
  }
  if (tensor.getKind() == ElementKind::Bool)
    for (uint8_t &byte : out)
      byte = byte != 0;
}

FailureOr<HostTensor> cim::toHostTensor(ElementsAttr attr, std::string *error) {
  auto type = attr.getType().dyn_cast<RankedTensorType>();
  if (!type || !type.hasStaticShape())
    return fail(error, "constant must have a static tensor type");
  Type elementType = type.getElementType();
  std::optional<ElementKind> kind = getElementKind(elementType);
  if (!kind) {
    std::string name;
    llvm::raw_string_ostream os(name);
    os << elementType;
    return fail(error, "element type " + os.str() + " is not supported");
  }
  HostTensor tensor(*kind, type.getShape());
  size_t byteSize = tensor.getBytes().size();

  if (auto resource = attr.dyn_cast<DenseResourceElementsAttr>()) {
    DenseResourceElementsHandle handle = resource.getRawHandle();
    const AsmResourceBlob *blob = handle.getBlob();
    if (!blob)
      return fail(error, "resource '" + handle.getKey() + "' has no data");
    ArrayRef<char> bytes = blob->getData();
    if (bytes.size() != byteSize)
      return fail(error, "resource '" + handle.getKey() + "' holds " +
                             Twine(bytes.size()) + " bytes but " +
                             Twine(byteSize) + " are expected");
    fillFromBytes(tensor, bytes);
    return tensor;
  }

  if (isSmallFloatKind(*kind))
    return fail(error, "a " + getElementKindName(*kind) +
                           " constant must be a dense_resource");
  auto dense = attr.dyn_cast<DenseElementsAttr>();
  if (dense && !getSubByteBits(*kind)) {
    // i1 is bit-packed in dense storage; every other supported type is
    // stored as whole elements, one for a splat.
    if (*kind == ElementKind::Bool) {
      MutableArrayRef<bool> out = tensor.data<bool>();
      for (auto [i, value] : llvm::enumerate(dense.getValues<bool>()))
        out[i] = value;
      return tensor;
    }
    ArrayRef<char> bytes = dense.getRawData();
    if (tensor.getNumElements() == 0)
      return tensor;
    if (bytes.size() != byteSize &&
        !(dense.isSplat() && bytes.size() == tensor.getElementSize()))
      return fail(error, "unexpected dense storage size");
    fillFromBytes(tensor, bytes);
    return tensor;
  }

  // Any other ElementsAttr (sparse, custom): iterate values.
  int64_t index = 0;
  if (isFloatKind(*kind) || isFloat16Kind(*kind)) {
    auto values = attr.tryGetValues<APFloat>();
    if (!values)
      return fail(error, "cannot read the constant's values");
    for (const APFloat &value : *values)
      tensor.setFromDouble(index++, value.convertToDouble());
    return tensor;
  }
  auto values = attr.tryGetValues<APInt>();
  if (!values)
    return fail(error, "cannot read the constant's values");
  bool isUnsigned = elementType.isUnsignedInteger();
  for (const APInt &value : *values) {
    // Unsigned 64-bit values above INT64_MAX keep their bits through the
    // int64 path.
    int64_t v =
        isUnsigned ? int64_t(value.getZExtValue()) : value.getSExtValue();
    tensor.setFromInt64(index++, v);
  }
  return tensor;
}

ElementsAttr cim::getSmallFloatAttr(RankedTensorType type, StringRef blobName,
                                    ArrayRef<char> bytes) {
  // Dense attributes hold builtin integers and floats only: the bit
  // patterns go into a blob, one byte per element.
  auto &manager =
      DenseResourceElementsHandle::getManagerInterface(type.getContext());
  return DenseResourceElementsAttr::get(
      type, manager.insert(blobName,
                           HeapAsmResourceBlob::allocateAndCopyWithAlign(
                               bytes, /*align=*/1, /*dataIsMutable=*/false)));
}

ElementsAttr cim::toElementsAttr(MLIRContext *context, const HostTensor &tensor,
                                 int64_t resourceThreshold,
                                 StringRef blobName) {
  auto type = RankedTensorType::get(tensor.getShape(),
                                    getElementType(context, tensor.getKind()));
  ElementKind kind = tensor.getKind();
  if (kind == ElementKind::Bool) {
    SmallVector<bool> values(tensor.data<bool>().begin(),
                             tensor.data<bool>().end());
    return DenseElementsAttr::get(type, values);
  }
  ArrayRef<char> bytes(reinterpret_cast<const char *>(tensor.getBytes().data()),
                       tensor.getBytes().size());
  if (isSmallFloatKind(kind))
    return getSmallFloatAttr(type, blobName, bytes);
  bool signless = !type.getElementType().isUnsignedInteger();
  if (resourceThreshold >= 0 && tensor.getNumElements() > resourceThreshold &&
      signless) {
    auto blob = [&] {
      return HeapAsmResourceBlob::allocateAndCopyWithAlign(
          bytes, /*align=*/8, /*dataIsMutable=*/false);
    };
    switch (kind) {
    case ElementKind::F32:
      return DenseF32ResourceElementsAttr::get(type, blobName, blob());
    case ElementKind::F64:
      return DenseF64ResourceElementsAttr::get(type, blobName, blob());
    case ElementKind::I8:
      return DenseI8ResourceElementsAttr::get(type, blobName, blob());
    case ElementKind::I16:
      return DenseI16ResourceElementsAttr::get(type, blobName, blob());
    case ElementKind::I32:
      return DenseI32ResourceElementsAttr::get(type, blobName, blob());
    case ElementKind::I64:
      return DenseI64ResourceElementsAttr::get(type, blobName, blob());
    default:
      break;
    }
  }
  return DenseElementsAttr::getFromRawBuffer(type, bytes);
}
