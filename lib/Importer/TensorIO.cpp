//===- TensorIO.cpp - ONNX TensorProto files <-> host tensors -------------===//

#include "cim/Importer/TensorIO.h"
#include "cim/Support/OutputFiles.h"
#include "cim/Tensor/TensorReader.h"
#include "cim/Dialect/CIM/CIMDialect.h"

#include "mlir/IR/DialectRegistry.h"

#include "ProtoUtils.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include "onnx/onnx_pb.h"

#include <cstring>

using namespace mlir;
using namespace mlir::cim;

// Data types newer than Debian's onnx.proto (ONNX 1.16 and 1.18).
static constexpr int32_t kOnnxUint4 = 21, kOnnxInt4 = 22, kOnnxUint2 = 25,
                         kOnnxInt2 = 26;

std::optional<ElementKind> cim::getOnnxElementKind(int32_t type) {
  using TP = onnx::TensorProto;
  switch (type) {
  case TP::FLOAT:
    return ElementKind::F32;
  case TP::DOUBLE:
    return ElementKind::F64;
  case TP::FLOAT16:
    return ElementKind::F16;
  case TP::BFLOAT16:
    return ElementKind::BF16;
  case kOnnxInt4:
    return ElementKind::I4;
  case kOnnxUint4:
    return ElementKind::U4;
  case kOnnxInt2:
    return ElementKind::I2;
  case kOnnxUint2:
    return ElementKind::U2;
  case TP::INT8:
    return ElementKind::I8;
  case TP::INT16:
    return ElementKind::I16;
  case TP::INT32:
    return ElementKind::I32;
  case TP::INT64:
    return ElementKind::I64;
  case TP::UINT8:
    return ElementKind::U8;
  case TP::UINT16:
    return ElementKind::U16;
  case TP::UINT32:
    return ElementKind::U32;
  case TP::UINT64:
    return ElementKind::U64;
  case TP::BOOL:
    return ElementKind::Bool;
  default:
    return std::nullopt;
  }
}

static int32_t typeOf(ElementKind kind) {
  using TP = onnx::TensorProto;
  switch (kind) {
  case ElementKind::F32:
    return TP::FLOAT;
  case ElementKind::F64:
    return TP::DOUBLE;
  case ElementKind::I8:
    return TP::INT8;
  case ElementKind::I16:
    return TP::INT16;
  case ElementKind::I32:
    return TP::INT32;
  case ElementKind::I64:
    return TP::INT64;
  case ElementKind::U8:
    return TP::UINT8;
  case ElementKind::U16:
    return TP::UINT16;
  case ElementKind::U32:
    return TP::UINT32;
  case ElementKind::U64:
    return TP::UINT64;
  case ElementKind::Bool:
    return TP::BOOL;
  case ElementKind::F16:
    return TP::FLOAT16;
  case ElementKind::BF16:
    return TP::BFLOAT16;
  case ElementKind::I4:
    return kOnnxInt4;
  case ElementKind::U4:
    return kOnnxUint4;
  case ElementKind::I2:
    return kOnnxInt2;
  case ElementKind::U2:
    return kOnnxUint2;
  }
  return TP::UNDEFINED;
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
  unsigned subByteBits = getSubByteBits(*kind);
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
  if (unsigned bits = getSubByteBits(*kind)) {
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
      tensor.setFromInt64(i, (bytes[i / perByte] >> ((i % perByte) * bits)) &
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
  if (unsigned bits = getSubByteBits(tensor.getKind())) {
    unsigned perByte = 8 / bits;
    int64_t count = tensor.getNumElements();
    std::string packed(size_t((count + perByte - 1) / perByte), '\0');
    for (int64_t i = 0; i < count; ++i)
      packed[i / perByte] |=
          char((uint64_t(tensor.getAsInt64(i)) & ((1u << bits) - 1))
               << ((i % perByte) * bits));
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
