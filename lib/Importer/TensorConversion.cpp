//===- TensorConversion.cpp - ONNX tensors and types to MLIR --------------===//

#include "TensorConversion.h"

#include "cim/Importer/TensorIO.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::importer;

std::string importer::checkTensorShape(ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (ShapedType::isDynamic(d))
      continue;
    if (d < 0)
      return "a negative dimension";
    if (d != 0 && count > kMaxTensorElements / d)
      return "more than 2^31 elements";
    count *= d;
  }
  return "";
}

std::string importer::shapeText(ArrayRef<int64_t> shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += "x";
    s += ShapedType::isDynamic(shape[i]) ? "?" : std::to_string(shape[i]);
  }
  return s.empty() ? "scalar" : s;
}

std::string importer::resourceKey(StringRef name) {
  std::string key = name.empty() ? "tensor" : name.str();
  for (char &c : key)
    if (!llvm::isAlnum(c) && c != '_' && c != '.' && c != '$' && c != '-')
      c = '_';
  if (llvm::isDigit(key.front()) || key.front() == '-' || key.front() == '$' ||
      key.front() == '.')
    key.insert(key.begin(), '_');
  return key;
}

FailureOr<Type> TensorConverter::getElementType(int32_t onnxType,
                                                StringRef what,
                                                std::string &error) const {
  // One table for tensor files and the IR: TensorIO's.
  if (std::optional<ElementKind> kind = getOnnxElementKind(onnxType))
    return cim::getElementType(context, *kind);
  std::string name =
      onnx::TensorProto::DataType_IsValid(onnxType)
          ? onnx::TensorProto::DataType_Name(
                static_cast<onnx::TensorProto::DataType>(onnxType))
          : std::to_string(onnxType);
  error = (what + " has unsupported element type " + name).str();
  return failure();
}

FailureOr<std::vector<char>>
TensorConverter::readExternal(const onnx::TensorProto &tensor, size_t bytes,
                              std::string &error) const {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const auto &entry : tensor.external_data()) {
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset" || entry.key() == "length") {
      uint64_t value;
      if (StringRef(entry.value()).getAsInteger(10, value)) {
        error = "tensor '" + tensor.name() + "' has a bad external " +
                entry.key() + " '" + entry.value() + "'";
        return failure();
      }
      (entry.key() == "offset" ? offset : length.emplace()) = value;
    }
  }
  // The location names a file inside the model's directory. Beyond the
  // name's own `..` components and absolute paths, a symbolic link on the
  // way may lead elsewhere: the resolved path must stay below the resolved
  // directory, so that a model cannot read an arbitrary file of the machine
  // into its weights. Only regular files are read (a FIFO or a device would
  // block or never end).
  auto leaves = [&](StringRef why) {
    error = ("tensor '" + tensor.name() + "' has an external data location " +
             why + ": '" + location + "'")
                .str();
    return failure();
  };
  if (location.empty())
    return leaves("that is empty");
  if (llvm::sys::path::is_absolute(location) ||
      llvm::any_of(llvm::make_range(llvm::sys::path::begin(location),
                                    llvm::sys::path::end(location)),
                   [](StringRef part) { return part == ".."; }))
    return leaves("that leaves the model's directory");
  StringRef dir = baseDir.empty() ? StringRef(".") : StringRef(baseDir);
  SmallString<256> path(dir);
  llvm::sys::path::append(path, location);
  SmallString<256> realDir, realFile;
  if (std::error_code ec = llvm::sys::fs::real_path(path, realFile)) {
    error = ("cannot read external data of tensor '" + tensor.name() +
             "' from " + path + ": " + ec.message())
                .str();
    return failure();
  }
  if (llvm::sys::fs::real_path(dir, realDir) ||
      !StringRef(realFile).startswith(
          (realDir + llvm::sys::path::get_separator()).str()))
    return leaves(
        ("that resolves outside the model's directory (to " + realFile + ")")
            .str());
  if (!llvm::sys::fs::is_regular_file(realFile)) {
    error = ("external data of tensor '" + tensor.name() + "' in " + path +
             " is not a regular file")
                .str();
    return failure();
  }
  auto file = llvm::MemoryBuffer::getFile(realFile, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file) {
    error = ("cannot read external data of tensor '" + tensor.name() +
             "' from " + path + ": " + file.getError().message())
                .str();
    return failure();
  }
  uint64_t size = (*file)->getBufferSize();
  uint64_t want = length.value_or(bytes);
  if (want != bytes || offset > size || size - offset < want) {
    error = ("external data of tensor '" + tensor.name() + "' in " + path +
             " holds " + Twine(size > offset ? size - offset : 0) +
             " bytes at offset " + Twine(offset) + ", expected " + Twine(bytes))
                .str();
    return failure();
  }
  const char *start = (*file)->getBufferStart() + offset;
  return std::vector<char>(start, start + bytes);
}

/// INT4 / UINT4 (opset 21), FLOAT4E2M1 (opset 23) and INT2 / UINT2
/// (opset 25): 8 / bits elements per byte, the first in the lowest bits; a
/// count that does not fill the last byte leaves its high bits as padding.
/// The 8-bit floats (FLOAT8*, opset 19 and 24) come here with 8 bits. The
/// bytes are raw_data, external data, or one byte per int32_data entry.
FailureOr<ElementsAttr>
TensorConverter::convertPacked(const onnx::TensorProto &tensor,
                               RankedTensorType type, int64_t count,
                               unsigned bits, std::string &error) const {
  std::string what = "tensor '" + tensor.name() + "'";
  int64_t perByte = 8 / bits;
  size_t bytes = size_t((count + perByte - 1) / perByte);
  std::vector<char> gathered;
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    FailureOr<std::vector<char>> data = readExternal(tensor, bytes, error);
    if (failed(data))
      return failure();
    gathered = std::move(*data);
  } else if (tensor.has_raw_data()) {
    gathered.assign(tensor.raw_data().begin(), tensor.raw_data().end());
  } else {
    for (int32_t v : tensor.int32_data()) {
      if (v < 0 || v > 255) {
        error = (what + " has the int32_data entry " + Twine(v) +
                 ", not one byte of packed " + Twine(bits) + "-bit values")
                    .str();
        return failure();
      }
      gathered.push_back(char(v));
    }
  }
  if (gathered.size() != bytes) {
    error =
        (what + " has " + Twine(gathered.size()) + " bytes of data, expected " +
         Twine(bytes) + " for tensor<" + shapeText(type.getShape()) + "> of " +
         Twine(bits) + "-bit values (" + Twine(perByte) + " per byte)")
            .str();
    return failure();
  }
  std::optional<ElementKind> kind = cim::getElementKind(type.getElementType());
  if (kind && isSmallFloatKind(*kind)) {
    // Bit patterns, one per byte, in a blob (getSmallFloatAttr).
    HostTensor unpacked(*kind, type.getShape());
    for (int64_t i = 0; i < count; ++i)
      setPackedField(unpacked, i,
                     uint8_t(uint8_t(gathered[size_t(i / perByte)]) >>
                             ((i % perByte) * bits)));
    return getFoldedAttr(tensor.name(), unpacked);
  }
  bool isSigned = !type.getElementType().isUnsignedInteger();
  SmallVector<APInt> values;
  values.reserve(size_t(count));
  for (int64_t i = 0; i < count; ++i) {
    uint8_t byte = uint8_t(gathered[size_t(i / perByte)]);
    uint64_t v = (byte >> ((i % perByte) * bits)) & ((1u << bits) - 1);
    values.push_back(APInt(bits, v, isSigned));
  }
  return ElementsAttr(DenseElementsAttr::get(type, values));
}

/// A dense_resource attribute of `type` over `blob`, for the element types
/// that have one (f32, f64, signless integers of 8 to 64 bits).
static ElementsAttr getResourceAttr(RankedTensorType type, StringRef blobName,
                                    AsmResourceBlob blob) {
  Type elt = type.getElementType();
  if (elt.isF32())
    return DenseF32ResourceElementsAttr::get(type, blobName, std::move(blob));
  if (elt.isF64())
    return DenseF64ResourceElementsAttr::get(type, blobName, std::move(blob));
  switch (elt.getIntOrFloatBitWidth()) {
  case 8:
    return DenseI8ResourceElementsAttr::get(type, blobName, std::move(blob));
  case 16:
    return DenseI16ResourceElementsAttr::get(type, blobName, std::move(blob));
  case 32:
    return DenseI32ResourceElementsAttr::get(type, blobName, std::move(blob));
  default:
    return DenseI64ResourceElementsAttr::get(type, blobName, std::move(blob));
  }
}

FailureOr<ElementsAttr>
TensorConverter::convert(const onnx::TensorProto &tensor, bool allowResource,
                         std::string &error,
                         onnx::TensorProto *ownedTensor) const {
  std::string what = "tensor '" + tensor.name() + "'";
  FailureOr<Type> elt = getElementType(tensor.data_type(), what, error);
  if (failed(elt))
    return failure();
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  // Refuse absurd sizes before allocating anything.
  std::string problem = checkTensorShape(shape);
  if (!problem.empty()) {
    error = what + " declares tensor<" + shapeText(shape) + ">: " + problem;
    return failure();
  }
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  auto type = RankedTensorType::get(shape, *elt);
  if (std::optional<ElementKind> kind = cim::getElementKind(*elt);
      kind && isSmallFloatKind(*kind))
    return convertPacked(tensor, type, count,
                         kind == ElementKind::F4E2M1 ? 4 : 8, error);
  unsigned bits = elt->isInteger(1) ? 8 : elt->getIntOrFloatBitWidth();
  if (bits == 2 || bits == 4)
    return convertPacked(tensor, type, count, bits, error);
  if (bits % 8) {
    error = (what + " has " + Twine(bits) +
             "-bit elements; sub-byte constants other than INT2, UINT2, "
             "INT4 and UINT4 are not supported")
                .str();
    return failure();
  }
  size_t bytes = size_t(count) * (bits / 8);

  // Little-endian bytes (bool: one byte per element): raw_data is used in
  // place, other sources are gathered into `gathered`.
  std::vector<char> gathered;
  ArrayRef<char> raw;
  using TP = onnx::TensorProto;
  bool inRawData = false;
  if (tensor.data_location() == TP::EXTERNAL) {
    FailureOr<std::vector<char>> data = readExternal(tensor, bytes, error);
    if (failed(data))
      return failure();
    gathered = std::move(*data);
    raw = gathered;
  } else if (tensor.has_raw_data()) {
    raw = ArrayRef<char>(tensor.raw_data().data(), tensor.raw_data().size());
    inRawData = true;
  } else {
    auto put = [&](const void *p, size_t n) {
      const char *c = static_cast<const char *>(p);
      gathered.insert(gathered.end(), c, c + n);
    };
    switch (tensor.data_type()) {
    case TP::FLOAT:
      for (float v : tensor.float_data())
        put(&v, 4);
      break;
    case TP::DOUBLE:
      for (double v : tensor.double_data())
        put(&v, 8);
      break;
    case TP::INT64:
      for (int64_t v : tensor.int64_data())
        put(&v, 8);
      break;
    case TP::UINT32:
    case TP::UINT64:
      for (uint64_t v : tensor.uint64_data())
        put(&v, bits / 8);
      break;
    default: // int32_data holds every narrower type and float16 bits.
      for (int32_t v : tensor.int32_data())
        put(&v, bits / 8);
      break;
    }
    raw = gathered;
  }
  if (raw.size() != bytes) {
    error = (what + " has " + Twine(raw.size()) + " bytes of data, expected " +
             Twine(bytes) + " for tensor<" + shapeText(shape) + ">")
                .str();
    return failure();
  }
  if (elt->isInteger(1)) {
    SmallVector<bool> bools;
    for (char c : raw)
      bools.push_back(c != 0);
    return ElementsAttr(DenseElementsAttr::get(type, bools));
  }
  if (allowResource && count > resourceThreshold &&
      (elt->isF32() || elt->isF64() || elt->isSignlessInteger())) {
    AsmResourceBlob blob;
    if (inRawData && ownedTensor &&
        reinterpret_cast<uintptr_t>(raw.data()) % 8 == 0) {
      // The weights move from the proto into the blob: no copy of what is
      // most of a model file's size.
      auto *owned =
          new std::string(std::move(*ownedTensor->mutable_raw_data()));
      blob = AsmResourceBlob(
          ArrayRef<char>(owned->data(), owned->size()), /*align=*/8,
          [owned](void *, size_t, size_t) { delete owned; },
          /*dataIsMutable=*/false);
    } else {
      blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
          raw, /*align=*/8, /*dataIsMutable=*/false);
    }
    return getResourceAttr(type, resourceKey(tensor.name()), std::move(blob));
  }
  bool splat = false;
  if (!DenseElementsAttr::isValidRawBuffer(type, raw, splat)) {
    error = what + " has data that does not match its type";
    return failure();
  }
  return ElementsAttr(DenseElementsAttr::getFromRawBuffer(type, raw));
}

ElementsAttr TensorConverter::getFoldedAttr(StringRef name,
                                            const HostTensor &tensor) const {
  ElementKind kind = tensor.getKind();
  auto type = RankedTensorType::get(tensor.getShape(),
                                    cim::getElementType(context, kind));
  ArrayRef<char> bytes(reinterpret_cast<const char *>(tensor.getBytes().data()),
                       tensor.getBytes().size());
  if (isSmallFloatKind(kind))
    return getSmallFloatAttr(type, resourceKey(name), bytes);
  if (kind == ElementKind::F32 && tensor.getNumElements() > resourceThreshold)
    return DenseF32ResourceElementsAttr::get(
        type, resourceKey(name),
        HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(float),
                                                      /*dataIsMutable=*/false));
  // Bool and sub-byte elements are stored one per byte here but not in a
  // dense attribute's buffer.
  if (kind == ElementKind::Bool || getSubByteBits(kind)) {
    unsigned width = type.getElementType().getIntOrFloatBitWidth();
    SmallVector<APInt> values;
    for (int64_t i = 0, e = tensor.getNumElements(); i < e; ++i)
      values.push_back(
          APInt(width, uint64_t(tensor.getAsInt64(i)), /*isSigned=*/true));
    return DenseElementsAttr::get(type, values);
  }
  return DenseElementsAttr::getFromRawBuffer(type, bytes);
}
