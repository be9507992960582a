//===- TensorIO.cpp - ONNX TensorProto files <-> host tensors -------------===//

#include "cim/Importer/TensorIO.h"
#include "cim/Dialect/CIM/CIMDialect.h"
#include "cim/Support/OutputFiles.h"
#include "cim/Tensor/TensorReader.h"

#include "mlir/IR/DialectRegistry.h"

#include "ProtoUtils.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include "onnx/onnx_pb.h"

#include <cstring>

using namespace mlir;
using namespace mlir::cim;

// Data types newer than Debian's onnx.proto (ONNX 1.14 to 1.18).
static constexpr int32_t kOnnxFloat8E4M3FN = 17, kOnnxFloat8E4M3FNUZ = 18,
                         kOnnxFloat8E5M2 = 19, kOnnxFloat8E5M2FNUZ = 20,
                         kOnnxUint4 = 21, kOnnxInt4 = 22, kOnnxFloat4E2M1 = 23,
                         kOnnxFloat8E8M0 = 24, kOnnxUint2 = 25, kOnnxInt2 = 26;

namespace {
/// An ONNX data type and the HostTensor kind that holds it.
struct OnnxElementType {
  int32_t onnxType;
  ElementKind kind;
};
} // namespace

/// Every ONNX data type that tensor files and the IR support, one entry a
/// kind.
static const OnnxElementType kOnnxElementTypes[] = {
    {onnx::TensorProto::FLOAT, ElementKind::F32},
    {onnx::TensorProto::DOUBLE, ElementKind::F64},
    {onnx::TensorProto::FLOAT16, ElementKind::F16},
    {onnx::TensorProto::BFLOAT16, ElementKind::BF16},
    {kOnnxInt4, ElementKind::I4},
    {kOnnxUint4, ElementKind::U4},
    {kOnnxInt2, ElementKind::I2},
    {kOnnxUint2, ElementKind::U2},
    {kOnnxFloat8E4M3FN, ElementKind::F8E4M3FN},
    {kOnnxFloat8E4M3FNUZ, ElementKind::F8E4M3FNUZ},
    {kOnnxFloat8E5M2, ElementKind::F8E5M2},
    {kOnnxFloat8E5M2FNUZ, ElementKind::F8E5M2FNUZ},
    {kOnnxFloat8E8M0, ElementKind::F8E8M0},
    {kOnnxFloat4E2M1, ElementKind::F4E2M1},
    {onnx::TensorProto::INT8, ElementKind::I8},
    {onnx::TensorProto::INT16, ElementKind::I16},
    {onnx::TensorProto::INT32, ElementKind::I32},
    {onnx::TensorProto::INT64, ElementKind::I64},
    {onnx::TensorProto::UINT8, ElementKind::U8},
    {onnx::TensorProto::UINT16, ElementKind::U16},
    {onnx::TensorProto::UINT32, ElementKind::U32},
    {onnx::TensorProto::UINT64, ElementKind::U64},
    {onnx::TensorProto::BOOL, ElementKind::Bool}};

std::optional<ElementKind> cim::getOnnxElementKind(int32_t type) {
  for (const OnnxElementType &entry : kOnnxElementTypes)
    if (entry.onnxType == type)
      return entry.kind;
  return std::nullopt;
}

static int32_t typeOf(ElementKind kind) {
  for (const OnnxElementType &entry : kOnnxElementTypes)
    if (entry.kind == kind)
      return entry.onnxType;
  return onnx::TensorProto::UNDEFINED;
}

unsigned cim::getPackedBits(ElementKind kind) {
  return kind == ElementKind::F4E2M1 ? 4 : getSubByteBits(kind);
}

/// Element `index` of a packed kind as its field of `bits` bits: the low
/// bits of the integer, or a float4's bit pattern.
static uint8_t getPackedField(const HostTensor &tensor, int64_t index,
                              unsigned bits) {
  if (tensor.getKind() == ElementKind::F4E2M1)
    return tensor.getBytes()[index] & 0xF;
  return uint8_t(uint64_t(tensor.getAsInt64(index)) & ((1u << bits) - 1));
}

void cim::setPackedField(HostTensor &tensor, int64_t index, uint8_t field) {
  ElementKind kind = tensor.getKind();
  if (kind == ElementKind::F4E2M1)
    tensor.getMutableBytes()[index] = field & 0xF;
  else if (isSmallFloatKind(kind))
    tensor.getMutableBytes()[index] = field;
  else
    tensor.setFromInt64(index, field & ((1u << getSubByteBits(kind)) - 1));
}

/// Tensor files hold inputs and calibration data: the importer's limit.
static constexpr int64_t kMaxTensorFileElements = int64_t(1) << 31;

FailureOr<HostTensor> cim::readTensorFile(StringRef path, std::string &name,
                                          std::string &error) {
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file) {
    error = "cannot read file: " + file.getError().message();
    return failure();
  }
  return readTensorBuffer((*file)->getBuffer(), name, error);
}

FailureOr<HostTensor> cim::readTensorBuffer(StringRef bytes, std::string &name,
                                            std::string &error) {
  onnx::TensorProto proto;
  if (bytes.empty() || bytes.size() > size_t(INT32_MAX) ||
      !proto.ParseFromArray(bytes.data(), int(bytes.size()))) {
    error = "not a valid ONNX TensorProto file";
    return failure();
  }
  std::optional<ElementKind> kind = getOnnxElementKind(proto.data_type());
  if (!kind) {
    error = "tensor element type " + std::to_string(proto.data_type()) +
            " is not supported";
    return failure();
  }
  SmallVector<int64_t> shape;
  int64_t count = 1;
  for (int64_t d : proto.dims()) {
    if (d < 0 || (d && count > kMaxTensorFileElements / d)) {
      error = "tensor has a negative or absurd dimension";
      return failure();
    }
    shape.push_back(d);
    count *= d;
  }
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    error = "external data is not supported in tensor files";
    return failure();
  }
  // A small file may declare a large shape: every value takes at least one
  // byte of raw_data (a sub-byte one a fraction) or one entry of a typed
  // field, so the declared count is checked against those before the
  // tensor is allocated.
  unsigned subByteBits = getPackedBits(*kind);
  size_t held =
      proto.has_raw_data()
          ? proto.raw_data().size() * (subByteBits ? 8 / subByteBits : 1)
          : size_t(proto.float_data_size()) + proto.double_data_size() +
                proto.int64_data_size() + proto.uint64_data_size() +
                size_t(proto.int32_data_size()) *
                    (subByteBits ? 8 / subByteBits : 1);
  if (size_t(count) > held) {
    error = "tensor declares " + std::to_string(count) +
            " values but the file holds at most " + std::to_string(held);
    return failure();
  }
  HostTensor tensor(*kind, shape);
  size_t size = tensor.getBytes().size();
  uint8_t *out = tensor.getMutableBytes().data();
  size_t elementSize = tensor.getElementSize();
  auto mismatch = [&](size_t got) {
    error = "tensor holds " + std::to_string(got) + " values, expected " +
            std::to_string(count);
    return failure();
  };
  if (unsigned bits = getPackedBits(*kind)) {
    // Packed, first element in the lowest bits, in raw_data or one byte per
    // int32_data entry.
    unsigned perByte = 8 / bits;
    size_t packed = size_t((count + perByte - 1) / perByte);
    std::vector<uint8_t> bytes;
    if (proto.has_raw_data())
      bytes.assign(proto.raw_data().begin(), proto.raw_data().end());
    else
      for (int32_t v : proto.int32_data())
        bytes.push_back(uint8_t(v));
    if (bytes.size() != packed)
      return mismatch(bytes.size() * perByte);
    for (int64_t i = 0; i < count; ++i)
      setPackedField(tensor, i,
                     (bytes[i / perByte] >> ((i % perByte) * bits)) &
                         ((1u << bits) - 1));
    name = proto.name();
    return tensor;
  }
  if (proto.has_raw_data()) {
    if (proto.raw_data().size() != size)
      return mismatch(proto.raw_data().size() /
                      std::max<size_t>(1, elementSize));
    std::memcpy(out, proto.raw_data().data(), size);
    name = proto.name();
    return tensor;
  }
  auto fill = [&](const auto &field) -> LogicalResult {
    if (int64_t(field.size()) != count)
      return mismatch(field.size());
    for (int64_t i = 0; i < count; ++i) {
      if (tensor.isFloat())
        tensor.setFromDouble(i, double(field.Get(i)));
      else
        tensor.setFromInt64(i, int64_t(field.Get(i)));
    }
    return success();
  };
  using TP = onnx::TensorProto;
  LogicalResult filled = success();
  switch (proto.data_type()) {
  case TP::FLOAT:
    filled = fill(proto.float_data());
    break;
  case TP::DOUBLE:
    filled = fill(proto.double_data());
    break;
  case TP::INT64:
    filled = fill(proto.int64_data());
    break;
  case TP::UINT32:
  case TP::UINT64:
    filled = fill(proto.uint64_data());
    break;
  case kOnnxFloat8E4M3FN:
  case kOnnxFloat8E4M3FNUZ:
  case kOnnxFloat8E5M2:
  case kOnnxFloat8E5M2FNUZ:
  case kOnnxFloat8E8M0:
    // int32_data holds the 8-bit patterns, one per entry.
    if (int64_t(proto.int32_data().size()) != count)
      return mismatch(proto.int32_data().size());
    for (int64_t i = 0; i < count; ++i)
      out[i] = uint8_t(proto.int32_data(i));
    break;
  case TP::FLOAT16:
  case TP::BFLOAT16:
    // int32_data holds the 16-bit patterns, one per entry.
    if (int64_t(proto.int32_data().size()) != count)
      return mismatch(proto.int32_data().size());
    for (int64_t i = 0; i < count; ++i) {
      uint16_t bits = uint16_t(proto.int32_data(i));
      std::memcpy(out + 2 * i, &bits, 2);
    }
    break;
  default:
    filled = fill(proto.int32_data());
    break;
  }
  if (failed(filled))
    return failure();
  name = proto.name();
  return tensor;
}

void cim::detail::fillTensorProto(onnx::TensorProto &proto,
                                  const HostTensor &tensor, StringRef name) {
  proto.set_name(name.str());
  proto.set_data_type(typeOf(tensor.getKind()));
  for (int64_t d : tensor.getShape())
    proto.add_dims(d);
  if (unsigned bits = getPackedBits(tensor.getKind())) {
    unsigned perByte = 8 / bits;
    int64_t count = tensor.getNumElements();
    std::string packed(size_t((count + perByte - 1) / perByte), '\0');
    for (int64_t i = 0; i < count; ++i)
      packed[i / perByte] |=
          char(getPackedField(tensor, i, bits) << ((i % perByte) * bits));
    proto.set_raw_data(packed);
  } else {
    ArrayRef<uint8_t> bytes = tensor.getBytes();
    proto.set_raw_data(std::string(bytes.begin(), bytes.end()));
  }
}

FailureOr<std::string> cim::serializeTensor(const HostTensor &tensor,
                                            StringRef name,
                                            std::string &error) {
  onnx::TensorProto proto;
  detail::fillTensorProto(proto, tensor, name);
  std::string data;
  if (!proto.SerializeToString(&data)) {
    error = "cannot serialize the tensor";
    return failure();
  }
  return data;
}

LogicalResult cim::writeTensorFile(StringRef path, const HostTensor &tensor,
                                   StringRef name, std::string &error) {
  FailureOr<std::string> data = serializeTensor(tensor, name, error);
  if (failed(data) || !writeFileAtomically(path, *data, error))
    return failure();
  return success();
}

namespace {
/// TensorFileReaderInterface on readTensorFile.
struct TensorProtoReader : public TensorFileReaderInterface {
  using TensorFileReaderInterface::TensorFileReaderInterface;

  FailureOr<HostTensor> readTensorFile(StringRef path,
                                       std::string &error) const override {
    std::string name;
    return mlir::cim::readTensorFile(path, name, error);
  }
};
} // namespace

void mlir::cim::registerTensorProtoReader(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *, CIMDialect *dialect) {
    dialect->addInterfaces<TensorProtoReader>();
  });
}
