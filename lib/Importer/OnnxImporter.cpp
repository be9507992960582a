//===- OnnxImporter.cpp - ONNX protobuf to cim graph IR -------------------===//
//
// One pass over the (topologically sorted) ONNX graph. Every ONNX value is
// either an SSA value or a known constant; nodes whose inputs are all known
// constants and that compute shapes (Shape, Gather, Concat, Unsqueeze, ...)
// are folded here, so shape subgraphs never reach the IR.
//
//===----------------------------------------------------------------------===//

#include "cim/Importer/Importer.h"
#include "cim/Importer/TensorIO.h"
#include "cim/Tensor/HostTensor.h"
#include "cim/Support/Text.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/CIMShapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/defs/parser.h"
#include "onnx/onnx_pb.h"

#include <cmath>
#include <functional>
#include <numeric>

using namespace mlir;
using namespace mlir::cim;

namespace {

constexpr int64_t kMaxOpset = 25;
/// Constants folded at import time are kept small: they are shapes, not data.
constexpr int64_t kMaxFoldElements = 1 << 16;
/// The most elements any tensor of a model may have (8 GiB of f32, far
/// beyond the networks a chip runs). A larger declared shape is refused with
/// a message before anything is allocated for it.
constexpr int64_t kMaxTensorElements = int64_t(1) << 31;

/// Why a tensor of `shape` is refused (negative or too many elements), or
/// an empty string. Dynamic dimensions are skipped.
std::string checkTensorShape(ArrayRef<int64_t> shape) {
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

/// A dense_resource key that the MLIR parser accepts (a bare identifier:
/// letters, digits, '_', '.', '$', '-', not starting with a digit) for a
/// tensor name such as "onnx::Conv_193". The resource manager makes
/// colliding keys unique.
std::string resourceKey(StringRef name) {
  std::string key = name.empty() ? "tensor" : name.str();
  for (char &c : key)
    if (!llvm::isAlnum(c) && c != '_' && c != '.' && c != '$' && c != '-')
      c = '_';
  if (llvm::isDigit(key.front()) || key.front() == '-' || key.front() == '$' ||
      key.front() == '.')
    key.insert(key.begin(), '_');
  return key;
}

std::string shapeText(ArrayRef<int64_t> shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += "x";
    s += ShapedType::isDynamic(shape[i]) ? "?" : std::to_string(shape[i]);
  }
  return s.empty() ? "scalar" : s;
}

/// A constant known at import time, as doubles or int64s, for folding.
struct Folded {
  SmallVector<int64_t> shape;
  Type elementType;
  std::vector<double> floats; // when elementType is a float
  std::vector<int64_t> ints;  // otherwise
  bool isFloat() const { return elementType.isa<FloatType>(); }
  int64_t size() const { return shapeProduct(shape); }
};

class Importer {
public:
  Importer(MLIRContext *ctx, const ImportOptions &options, StringRef fileName,
           StringRef baseDir)
      : ctx(ctx), builder(ctx), options(options), fileName(fileName.str()),
        baseDir(baseDir.str()) {}

  /// Imports `model`; the raw data of large initializers moves out of it
  /// into the IR's blobs.
  OwningOpRef<ModuleOp> importModel(onnx::ModelProto &model);

private:
  // Diagnostics.
  Location fileLoc() { return FileLineColLoc::get(ctx, fileName, 0, 0); }
  LogicalResult fail(const Twine &message) {
    if (node)
      emitError(fileLoc()) << "node '" << nodeName << "' (" << node->op_type()
                           << ", opset " << opset << "): " << message;
    else
      emitError(fileLoc()) << message;
    return failure();
  }

  // Tensors and types.
  FailureOr<Type> elementType(int32_t onnxType, StringRef what);
  /// `ownedTensor`, when given, is `tensor` itself, whose raw data may move
  /// into a blob instead of being copied.
  FailureOr<ElementsAttr> convertTensor(const onnx::TensorProto &tensor,
                                        bool allowResource,
                                        onnx::TensorProto *ownedTensor = {});
  /// INT2 / UINT2 / INT4 / UINT4 tensors of `count` elements, packed.
  FailureOr<ElementsAttr> convertPackedTensor(const onnx::TensorProto &tensor,
                                              RankedTensorType type,
                                              int64_t count);
  FailureOr<std::vector<char>> readExternal(const onnx::TensorProto &tensor,
                                            size_t bytes);

  // Values.
  Value lookup(StringRef name);
  ElementsAttr constant(StringRef name);
  FailureOr<Folded> folded(StringRef name);
  FailureOr<SmallVector<int64_t>> constInts(StringRef name, StringRef what);
  FailureOr<float> constFloat(StringRef name, StringRef what);
  LogicalResult define(StringRef name, Value value);
  LogicalResult defineConstant(StringRef name, ElementsAttr value);
  LogicalResult defineFolded(StringRef name, const Folded &value);
  RankedTensorType typeOf(Value v) {
    return v.getType().cast<RankedTensorType>();
  }

  // Node helpers.
  const onnx::AttributeProto *attr(StringRef name);
  int64_t intAttr(StringRef name, int64_t fallback);
  float floatAttr(StringRef name, float fallback);
  std::string stringAttr(StringRef name, StringRef fallback);
  std::optional<SmallVector<int64_t>> intsAttr(StringRef name);
  StringRef input(int i) {
    return i < node->input_size() ? StringRef(node->input(i)) : StringRef();
  }
  bool hasInput(int i) { return !input(i).empty(); }
  FailureOr<Value> operand(int i);
  /// Inputs 0 .. count-1, each required.
  FailureOr<SmallVector<Value>> requiredOperands(int count);
  LogicalResult onlyFirstOutputUsed();
  Location nodeLoc();

  /// Builds an op by name after inferring its result types; a failed
  /// inference is reported (never asserted).
  FailureOr<Operation *> build(StringRef opName, ValueRange operands,
                               ArrayRef<NamedAttribute> attrs = {},
                               TypeRange explicitTypes = {});
  FailureOr<Value> build1(StringRef opName, ValueRange operands,
                          ArrayRef<NamedAttribute> attrs = {}) {
    FailureOr<Operation *> op = build(opName, operands, attrs);
    if (failed(op))
      return failure();
    return (*op)->getResult(0);
  }
  FailureOr<Value> reshape(Value v, ArrayRef<int64_t> shape);
  NamedAttribute named(StringRef name, Attribute value) {
    return builder.getNamedAttr(name, value);
  }

  // Import.
  LogicalResult importNode(const onnx::NodeProto &n, int index);
  LogicalResult tryFold();
  LogicalResult importConv();
  LogicalResult importPool(bool isMax);
  LogicalResult importGemm();
  LogicalResult importBinary(StringRef opName);
  LogicalResult importVariadic(StringRef opName);
  LogicalResult importUnary(StringRef opName,
                            ArrayRef<NamedAttribute> attrs = {});
  LogicalResult importClip();
  LogicalResult importReduce(StringRef opName);
  LogicalResult importBatchNorm();
  LogicalResult importBatchNormTraining();
  LogicalResult importLayerNorm();
  LogicalResult importSoftmax(StringRef opName);
  LogicalResult importWhere();
  LogicalResult importWithConstList(StringRef opName, StringRef attrName);
  LogicalResult importMean();
  LogicalResult importInstanceNorm();
  LogicalResult importLrn();
  LogicalResult importSpaceDepth(bool toDepth);
  LogicalResult importDropout();
  LogicalResult importCastLike();
  LogicalResult importCastTo(Type to);
  /// A scalar constant of `elementType` holding `value`, named after the
  /// node and `tag`.
  FailureOr<Value> scalarConstant(double value, Type elementType,
                                  StringRef tag);
  FailureOr<Value> transpose(Value v, ArrayRef<int64_t> perm);
  LogicalResult importReshape();
  LogicalResult importSqueeze(bool unsqueeze);
  LogicalResult importTranspose();
  LogicalResult importConcat();
  LogicalResult importSplit();
  LogicalResult importSlice();
  LogicalResult importPad();
  LogicalResult importGather();
  LogicalResult importResize();
  LogicalResult importConstant();
  LogicalResult importConstantOfShape();
  LogicalResult importShape();
  LogicalResult importCast();
  LogicalResult importQuantizeLinear(bool quantize);
  LogicalResult windowAttrs(ArrayRef<int64_t> inShape, ArrayRef<int64_t> kernel,
                            SmallVectorImpl<NamedAttribute> &attrs,
                            bool withDilations);

  MLIRContext *ctx;
  OpBuilder builder;
  const ImportOptions &options;
  std::string fileName, baseDir;
  int64_t opset = 0;
  func::FuncOp func;
  Block *entry = nullptr;
  Operation *lastConstant = nullptr;

  llvm::StringMap<Value> values;
  llvm::StringMap<ElementsAttr> constants;

  const onnx::NodeProto *node = nullptr;
  std::string nodeName;
};

} // namespace

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

FailureOr<Type> Importer::elementType(int32_t t, StringRef what) {
  // One table for tensor files and the IR: TensorIO's.
  if (std::optional<ElementKind> kind = getOnnxElementKind(t))
    return getElementType(ctx, *kind);
  std::string name = onnx::TensorProto::DataType_IsValid(t)
                         ? onnx::TensorProto::DataType_Name(
                               static_cast<onnx::TensorProto::DataType>(t))
                         : std::to_string(t);
  (void)fail(what + " has unsupported element type " + name);
  return failure();
}

FailureOr<std::vector<char>>
Importer::readExternal(const onnx::TensorProto &tensor, size_t bytes) {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const auto &entry : tensor.external_data()) {
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset" || entry.key() == "length") {
      uint64_t value;
      if (StringRef(entry.value()).getAsInteger(10, value)) {
        (void)fail("tensor '" + tensor.name() + "' has a bad external " +
                   entry.key() + " '" + entry.value() + "'");
        return failure();
      }
      (entry.key() == "offset" ? offset : length.emplace()) = value;
    }
  }
  if (location.empty() || llvm::sys::path::is_absolute(location) ||
      StringRef(location).contains("..")) {
    (void)fail("tensor '" + tensor.name() +
               "' has an external data location that is empty or leaves the "
               "model's directory: '" +
               location + "'");
    return failure();
  }
  SmallString<256> path(baseDir);
  llvm::sys::path::append(path, location);
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file) {
    (void)fail("cannot read external data of tensor '" + tensor.name() +
               "' from " + path + ": " + file.getError().message());
    return failure();
  }
  uint64_t size = (*file)->getBufferSize();
  uint64_t want = length.value_or(bytes);
  if (want != bytes || offset > size || size - offset < want) {
    (void)fail("external data of tensor '" + tensor.name() + "' in " + path +
               " holds " + Twine(size > offset ? size - offset : 0) +
               " bytes at offset " + Twine(offset) + ", expected " +
               Twine(bytes));
    return failure();
  }
  const char *start = (*file)->getBufferStart() + offset;
  return std::vector<char>(start, start + bytes);
}

/// INT4 / UINT4 (opset 21) and INT2 / UINT2 (opset 25): 8 / bits elements
/// per byte, the first in the lowest bits; a count that does not fill the
/// last byte leaves its high bits as padding. The bytes are raw_data,
/// external data, or one byte per int32_data entry.
FailureOr<ElementsAttr>
Importer::convertPackedTensor(const onnx::TensorProto &tensor,
                              RankedTensorType type, int64_t count) {
  std::string what = "tensor '" + tensor.name() + "'";
  unsigned bits = type.getElementType().getIntOrFloatBitWidth();
  int64_t perByte = 8 / bits;
  size_t bytes = size_t((count + perByte - 1) / perByte);
  std::vector<char> gathered;
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    FailureOr<std::vector<char>> data = readExternal(tensor, bytes);
    if (failed(data))
      return failure();
    gathered = std::move(*data);
  } else if (tensor.has_raw_data()) {
    gathered.assign(tensor.raw_data().begin(), tensor.raw_data().end());
  } else {
    for (int32_t v : tensor.int32_data()) {
      if (v < 0 || v > 255) {
        (void)fail(what + " has the int32_data entry " + Twine(v) +
                   ", not one byte of packed " + Twine(bits) + "-bit values");
        return failure();
      }
      gathered.push_back(char(v));
    }
  }
  if (gathered.size() != bytes) {
    (void)fail(what + " has " + Twine(gathered.size()) +
               " bytes of data, expected " + Twine(bytes) + " for tensor<" +
               shapeText(type.getShape()) + "> of " + Twine(bits) +
               "-bit values (" + Twine(perByte) + " per byte)");
    return failure();
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

FailureOr<ElementsAttr>
Importer::convertTensor(const onnx::TensorProto &tensor, bool allowResource,
                        onnx::TensorProto *ownedTensor) {
  std::string what = "tensor '" + tensor.name() + "'";
  FailureOr<Type> elt = elementType(tensor.data_type(), what);
  if (failed(elt))
    return failure();
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  // Refuse absurd sizes before allocating anything.
  std::string problem = checkTensorShape(shape);
  if (!problem.empty()) {
    (void)fail(what + " declares tensor<" + shapeText(shape) + ">: " + problem);
    return failure();
  }
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  auto type = RankedTensorType::get(shape, *elt);
  unsigned bits = elt->isInteger(1) ? 8 : elt->getIntOrFloatBitWidth();
  if (bits == 2 || bits == 4)
    return convertPackedTensor(tensor, type, count);
  if (bits % 8) {
    (void)fail(what + " has " + Twine(bits) +
               "-bit elements; sub-byte constants other than INT2, UINT2, "
               "INT4 and UINT4 are not supported");
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
    FailureOr<std::vector<char>> data = readExternal(tensor, bytes);
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
    (void)fail(what + " has " + Twine(raw.size()) +
               " bytes of data, expected " + Twine(bytes) + " for tensor<" +
               shapeText(shape) + ">");
    return failure();
  }
  if (elt->isInteger(1)) {
    SmallVector<bool> bools;
    for (char c : raw)
      bools.push_back(c != 0);
    return ElementsAttr(DenseElementsAttr::get(type, bools));
  }
  if (allowResource && count > options.resourceThreshold &&
      (elt->isF32() || elt->isF64() || elt->isSignlessInteger())) {
    std::string blobName = resourceKey(tensor.name());
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
    if (elt->isF32())
      return ElementsAttr(
          DenseF32ResourceElementsAttr::get(type, blobName, std::move(blob)));
    if (elt->isF64())
      return ElementsAttr(
          DenseF64ResourceElementsAttr::get(type, blobName, std::move(blob)));
    switch (bits) {
    case 8:
      return ElementsAttr(
          DenseI8ResourceElementsAttr::get(type, blobName, std::move(blob)));
    case 16:
      return ElementsAttr(
          DenseI16ResourceElementsAttr::get(type, blobName, std::move(blob)));
    case 32:
      return ElementsAttr(
          DenseI32ResourceElementsAttr::get(type, blobName, std::move(blob)));
    default:
      return ElementsAttr(
          DenseI64ResourceElementsAttr::get(type, blobName, std::move(blob)));
    }
  }
  bool splat = false;
  if (!DenseElementsAttr::isValidRawBuffer(type, raw, splat)) {
    (void)fail(what + " has data that does not match its type");
    return failure();
  }
  return ElementsAttr(DenseElementsAttr::getFromRawBuffer(type, raw));
}

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

Value Importer::lookup(StringRef name) {
  auto it = values.find(name);
  if (it != values.end())
    return it->second;
  auto c = constants.find(name);
  if (c == constants.end())
    return {};
  // Materialize constants at the top of the function, in first-use order.
  OpBuilder::InsertionGuard guard(builder);
  if (lastConstant)
    builder.setInsertionPointAfter(lastConstant);
  else
    builder.setInsertionPointToStart(entry);
  auto op = builder.create<ConstantOp>(
      NameLoc::get(builder.getStringAttr(name), fileLoc()), c->second);
  lastConstant = op;
  values[name] = op.getResult();
  return op.getResult();
}

ElementsAttr Importer::constant(StringRef name) {
  auto c = constants.find(name);
  return c == constants.end() ? ElementsAttr() : c->second;
}

FailureOr<Folded> Importer::folded(StringRef name) {
  ElementsAttr attr = constant(name);
  if (!attr)
    return failure();
  auto type = attr.getType().cast<ShapedType>();
  Folded f;
  f.shape.assign(type.getShape().begin(), type.getShape().end());
  f.elementType = type.getElementType();
  if (f.size() > kMaxFoldElements)
    return failure();
  // The executor's conversion already reads dense, splat and resource
  // constants of every supported type.
  FailureOr<HostTensor> tensor = toHostTensor(attr);
  if (failed(tensor))
    return failure();
  for (int64_t i = 0, e = tensor->getNumElements(); i < e; ++i) {
    if (f.isFloat())
      f.floats.push_back(tensor->getAsDouble(i));
    else
      f.ints.push_back(tensor->getAsInt64(i));
  }
  return f;
}

FailureOr<SmallVector<int64_t>> Importer::constInts(StringRef name,
                                                    StringRef what) {
  FailureOr<Folded> f = folded(name);
  if (failed(f) || f->isFloat()) {
    (void)fail(what + " ('" + name + "') must be a constant integer tensor");
    return failure();
  }
  return SmallVector<int64_t>(f->ints.begin(), f->ints.end());
}

FailureOr<float> Importer::constFloat(StringRef name, StringRef what) {
  FailureOr<Folded> f = folded(name);
  if (failed(f) || f->size() != 1) {
    (void)fail(what + " ('" + name + "') must be a constant scalar");
    return failure();
  }
  return f->isFloat() ? float(f->floats[0]) : float(f->ints[0]);
}

LogicalResult Importer::define(StringRef name, Value value) {
  if (name.empty())
    return success();
  if (values.count(name) || constants.count(name))
    return fail("output '" + name + "' is defined twice");
  // Shapes computed from constants (Expand, Tile, Resize, ...) are bounded
  // like declared ones.
  if (auto type = value.getType().dyn_cast<ShapedType>();
      type && type.hasRank()) {
    std::string problem = checkTensorShape(type.getShape());
    if (!problem.empty())
      return fail("output '" + name + "' would be tensor<" +
                  shapeText(type.getShape()) + ">: " + problem);
  }
  values[name] = value;
  return success();
}

LogicalResult Importer::defineConstant(StringRef name, ElementsAttr value) {
  if (name.empty())
    return success();
  if (values.count(name) || constants.count(name))
    return fail("output '" + name + "' is defined twice");
  constants[name] = value;
  return success();
}

LogicalResult Importer::defineFolded(StringRef name, const Folded &f) {
  auto type = RankedTensorType::get(f.shape, f.elementType);
  // Folded weights (a reshaped or transposed initializer) stay blobs.
  if (f.size() > options.resourceThreshold && f.elementType.isF32()) {
    std::vector<float> data(f.floats.begin(), f.floats.end());
    ArrayRef<char> bytes(reinterpret_cast<const char *>(data.data()),
                         data.size() * sizeof(float));
    return defineConstant(
        name, DenseF32ResourceElementsAttr::get(
                  type, resourceKey(name),
                  HeapAsmResourceBlob::allocateAndCopyWithAlign(
                      bytes, alignof(float), /*dataIsMutable=*/false)));
  }
  DenseElementsAttr attr;
  if (f.isFloat()) {
    SmallVector<APFloat> vals;
    for (double v : f.floats) {
      APFloat a(v);
      bool lost;
      a.convert(f.elementType.cast<FloatType>().getFloatSemantics(),
                APFloat::rmNearestTiesToEven, &lost);
      vals.push_back(a);
    }
    attr = DenseElementsAttr::get(type, vals);
  } else {
    unsigned width = f.elementType.getIntOrFloatBitWidth();
    SmallVector<APInt> vals;
    for (int64_t v : f.ints)
      vals.push_back(APInt(width, uint64_t(v), /*isSigned=*/true));
    attr = DenseElementsAttr::get(type, vals);
  }
  return defineConstant(name, attr);
}

FailureOr<Value> Importer::operand(int i) {
  StringRef name = input(i);
  if (name.empty()) {
    (void)fail("input " + Twine(i) + " is required");
    return failure();
  }
  Value v = lookup(name);
  if (!v) {
    (void)fail("input '" + name +
               "' is not defined by any earlier node, "
               "initializer or graph input");
    return failure();
  }
  return v;
}

FailureOr<SmallVector<Value>> Importer::requiredOperands(int count) {
  SmallVector<Value> values;
  for (int i = 0; i < count; ++i) {
    FailureOr<Value> v = operand(i);
    if (failed(v))
      return failure();
    values.push_back(*v);
  }
  return values;
}

LogicalResult Importer::onlyFirstOutputUsed() {
  for (int i = 1; i < node->output_size(); ++i)
    if (!node->output(i).empty())
      return fail("output " + Twine(i) + " ('" + node->output(i) +
                  "') is not supported; only the first output may be used");
  return success();
}

Location Importer::nodeLoc() {
  return NameLoc::get(builder.getStringAttr(nodeName), fileLoc());
}

const onnx::AttributeProto *Importer::attr(StringRef name) {
  for (const auto &a : node->attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t Importer::intAttr(StringRef name, int64_t fallback) {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->i() : fallback;
}

float Importer::floatAttr(StringRef name, float fallback) {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->f() : fallback;
}

std::string Importer::stringAttr(StringRef name, StringRef fallback) {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->s() : fallback.str();
}

std::optional<SmallVector<int64_t>> Importer::intsAttr(StringRef name) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return std::nullopt;
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

FailureOr<Operation *> Importer::build(StringRef opName, ValueRange operands,
                                       ArrayRef<NamedAttribute> attrs,
                                       TypeRange explicitTypes) {
  OperationState state(nodeLoc(), opName);
  state.addOperands(operands);
  state.addAttributes(attrs);
  if (!explicitTypes.empty()) {
    state.addTypes(explicitTypes);
  } else {
    std::optional<RegisteredOperationName> info =
        RegisteredOperationName::lookup(opName, ctx);
    auto *infer = info ? info->getInterface<InferTypeOpInterface>() : nullptr;
    assert(infer && "op must infer its result types");
    SmallVector<Type> types;
    // Shape errors are collected and reported as one located line.
    std::string message;
    LogicalResult inferred = failure();
    {
      ScopedDiagnosticHandler capture(ctx, [&](Diagnostic &diag) {
        message = diag.str();
        return success();
      });
      inferred = infer->inferReturnTypes(ctx, nodeLoc(), operands,
                                         state.attributes.getDictionary(ctx),
                                         {}, types);
    }
    if (failed(inferred)) {
      (void)fail(message);
      return failure();
    }
    state.addTypes(types);
  }
  return builder.create(state);
}

FailureOr<Value> Importer::reshape(Value v, ArrayRef<int64_t> shape) {
  RankedTensorType type = typeOf(v);
  if (type.getShape() == shape)
    return v;
  if (shapeProduct(type.getShape()) != shapeProduct(shape)) {
    (void)fail("cannot reshape tensor<" + shapeText(type.getShape()) +
               "> to tensor<" + shapeText(shape) + ">");
    return failure();
  }
  auto result = RankedTensorType::get(shape, type.getElementType());
  FailureOr<Operation *> op =
      build(ReshapeOp::getOperationName(), {v}, {}, {result});
  if (failed(op))
    return failure();
  return (*op)->getResult(0);
}

//===----------------------------------------------------------------------===//
// Model and graph
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> Importer::importModel(onnx::ModelProto &model) {
  if (!model.has_graph()) {
    (void)fail("not an ONNX model: it has no graph");
    return {};
  }
  for (const auto &imp : model.opset_import())
    if (imp.domain().empty() || imp.domain() == "ai.onnx")
      opset = imp.version();
  if (opset == 0 && model.opset_import_size() == 0)
    opset = 1;
  if (opset < 1 || opset > kMaxOpset) {
    (void)fail("model uses opset " + Twine(opset) +
               "; cimc supports the default domain up to opset " +
               Twine(kMaxOpset));
    return {};
  }
  onnx::GraphProto &graph = *model.mutable_graph();
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc());
  builder.setInsertionPointToEnd(module->getBody());

  // Initializers (including graph inputs that carry data).
  llvm::StringSet<> initialized;
  for (auto &init : *graph.mutable_initializer()) {
    FailureOr<ElementsAttr> attr =
        convertTensor(init, /*allowResource=*/true, &init);
    if (failed(attr) || failed(defineConstant(init.name(), *attr)))
      return {};
    initialized.insert(init.name());
  }
  if (graph.sparse_initializer_size()) {
    (void)fail("sparse initializers are not supported");
    return {};
  }

  // Graph inputs that only feed operator parameters (Resize's scales and
  // roi) may be bound whatever their type.
  llvm::StringSet<> parameterUse, dataUse;
  for (const auto &n : graph.node())
    for (int i = 0; i < n.input_size(); ++i)
      (i > 0 && (n.op_type() == "Resize" || n.op_type() == "Upsample")
           ? parameterUse
           : dataUse)
          .insert(n.input(i));

  // Graph inputs become function arguments with static shapes.
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  bool first = true;
  unsigned position = 0;
  for (const auto &in : graph.input()) {
    if (initialized.contains(in.name()))
      continue;
    unsigned index = position++;
    ElementsAttr bound;
    if (options.bindInput)
      bound = options.bindInput(index, in.name());
    if (!bound && options.bindParameter && parameterUse.contains(in.name()) &&
        !dataUse.contains(in.name()))
      bound = options.bindParameter(index, in.name());
    if (bound) {
      if (failed(defineConstant(in.name(), bound)))
        return {};
      continue;
    }
    if (!in.type().has_tensor_type()) {
      (void)fail("graph input '" + in.name() + "' is not a tensor");
      return {};
    }
    const auto &tt = in.type().tensor_type();
    FailureOr<Type> elt =
        elementType(tt.elem_type(), "graph input '" + in.name() + "'");
    if (failed(elt))
      return {};
    SmallVector<int64_t> shape;
    for (const auto &d : tt.shape().dim())
      shape.push_back(d.has_dim_value() ? d.dim_value() : ShapedType::kDynamic);
    std::optional<ArrayRef<int64_t>> given;
    auto byName = options.inputShapes.find(in.name());
    if (byName == options.inputShapes.end() && first)
      byName = options.inputShapes.find("");
    if (byName != options.inputShapes.end())
      given = ArrayRef<int64_t>(byName->second);
    else if (index < options.inputShapesByPosition.size() &&
             !options.inputShapesByPosition[index].empty())
      given = ArrayRef<int64_t>(options.inputShapesByPosition[index]);
    if (given) {
      ArrayRef<int64_t> want = *given;
      if (tt.has_shape() && want.size() != shape.size()) {
        (void)fail("--input-shape for '" + in.name() + "' has rank " +
                   Twine(want.size()) + " but the model declares tensor<" +
                   shapeText(shape) + ">");
        return {};
      }
      for (size_t i = 0; i < shape.size(); ++i)
        if (!ShapedType::isDynamic(shape[i]) && shape[i] != want[i]) {
          (void)fail("--input-shape " + shapeText(want) + " for '" + in.name() +
                     "' contradicts the declared tensor<" + shapeText(shape) +
                     ">");
          return {};
        }
      shape.assign(want.begin(), want.end());
    } else if (!tt.has_shape()) {
      (void)fail("graph input '" + in.name() +
                 "' has no shape; give one with --input-shape");
      return {};
    }
    for (int64_t &d : shape)
      if (ShapedType::isDynamic(d))
        d = options.defaultDynamicDim;
    std::string problem = checkTensorShape(shape);
    if (!problem.empty()) {
      (void)fail("graph input '" + in.name() + "' is tensor<" +
                 shapeText(shape) + ">: " + problem);
      return {};
    }
    argTypes.push_back(RankedTensorType::get(shape, *elt));
    argNames.push_back(in.name());
    first = false;
  }

  func = builder.create<func::FuncOp>(fileLoc(), options.functionName,
                                      builder.getFunctionType(argTypes, {}));
  entry = func.addEntryBlock();
  for (auto [index, name] : llvm::enumerate(argNames)) {
    values[name] = entry->getArgument(index);
    // The ONNX input name, for tools that feed inputs by name.
    func.setArgAttr(index, "cim.name", builder.getStringAttr(name));
  }
  builder.setInsertionPointToEnd(entry);

  for (auto [index, n] : llvm::enumerate(graph.node()))
    if (failed(importNode(n, index)))
      return {};
  node = nullptr;

  SmallVector<Value> results;
  for (const auto &out : graph.output()) {
    Value v = lookup(out.name());
    if (!v) {
      (void)fail("graph output '" + out.name() + "' is never computed");
      return {};
    }
    results.push_back(v);
  }
  builder.setInsertionPointToEnd(entry);
  builder.create<func::ReturnOp>(fileLoc(), results);
  func.setType(
      builder.getFunctionType(argTypes, ValueRange(results).getTypes()));

  // A last check of everything the node importers built.
  std::string message;
  LogicalResult verified = failure();
  {
    ScopedDiagnosticHandler capture(ctx, [&](Diagnostic &diag) {
      if (message.empty())
        message = diag.str();
      return success();
    });
    verified = verify(*module);
  }
  if (failed(verified)) {
    (void)fail("the imported graph is invalid: " + message);
    return {};
  }
  return module;
}

LogicalResult Importer::importNode(const onnx::NodeProto &n, int index) {
  node = &n;
  nodeName =
      n.name().empty() ? n.op_type() + "_" + std::to_string(index) : n.name();
  if (!n.domain().empty() && n.domain() != "ai.onnx")
    return fail("operator domain '" + n.domain() + "' is not supported");
  // Every operator importer defines output 0.
  if (n.output_size() == 0)
    return fail("the node has no outputs");
  // Nodes whose inputs are all constants and that only shuffle small
  // tensors fold away here.
  bool allConstant = n.input_size() > 0;
  for (const std::string &in : n.input())
    if (!in.empty() && !constants.count(in))
      allConstant = false;
  StringRef op = n.op_type();
  static const StringRef foldable[] = {
      "Gather", "Concat",   "Unsqueeze", "Squeeze",  "Reshape",
      "Cast",   "Slice",    "Add",       "Sub",      "Mul",
      "Div",    "Identity", "Flatten",   "Transpose"};
  if (allConstant && llvm::is_contained(foldable, op)) {
    LogicalResult result = tryFold();
    if (succeeded(result))
      return success();
    // Not foldable (too large or unusual): import as ops.
  }

  using Fn = std::function<LogicalResult()>;
  Fn fn =
      llvm::StringSwitch<Fn>(op)
          .Case("Conv", [&] { return importConv(); })
          .Case("Gemm", [&] { return importGemm(); })
          .Case("MatMul",
                [&] { return importBinary(MatMulOp::getOperationName()); })
          .Case("Add", [&] { return importBinary(AddOp::getOperationName()); })
          .Case("Sub", [&] { return importBinary(SubOp::getOperationName()); })
          .Case("Mul", [&] { return importBinary(MulOp::getOperationName()); })
          .Case("Div", [&] { return importBinary(DivOp::getOperationName()); })
          .Case("Pow", [&] { return importBinary(PowOp::getOperationName()); })
          .Case("Max",
                [&] { return importVariadic(MaxOp::getOperationName()); })
          .Case("Min",
                [&] { return importVariadic(MinOp::getOperationName()); })
          .Case("Sum",
                [&] { return importVariadic(AddOp::getOperationName()); })
          .Case("Relu", [&] { return importUnary(ReluOp::getOperationName()); })
          .Case("Sigmoid",
                [&] { return importUnary(SigmoidOp::getOperationName()); })
          .Case("Tanh", [&] { return importUnary(TanhOp::getOperationName()); })
          .Case("Erf", [&] { return importUnary(ErfOp::getOperationName()); })
          .Case("Sqrt", [&] { return importUnary(SqrtOp::getOperationName()); })
          .Case("Exp", [&] { return importUnary(ExpOp::getOperationName()); })
          .Case("Neg", [&] { return importUnary(NegOp::getOperationName()); })
          .Case("HardSwish",
                [&] { return importUnary(HardSwishOp::getOperationName()); })
          .Case("LeakyRelu",
                [&] {
                  return importUnary(
                      LeakyReluOp::getOperationName(),
                      {named("alpha", builder.getF32FloatAttr(
                                          floatAttr("alpha", 0.01f)))});
                })
          .Case("HardSigmoid",
                [&] {
                  return importUnary(
                      HardSigmoidOp::getOperationName(),
                      {named("alpha",
                             builder.getF32FloatAttr(floatAttr("alpha", 0.2f))),
                       named("beta", builder.getF32FloatAttr(
                                         floatAttr("beta", 0.5f)))});
                })
          .Case("Gelu",
                [&]() -> LogicalResult {
                  std::string mode = stringAttr("approximate", "none");
                  if (mode != "none" && mode != "tanh")
                    return fail("approximate must be 'none' or 'tanh', got '" +
                                mode + "'");
                  return importUnary(
                      GeluOp::getOperationName(),
                      {named("approximate",
                             GeluApproximationAttr::get(
                                 ctx, mode == "tanh"
                                          ? GeluApproximation::Tanh
                                          : GeluApproximation::None))});
                })
          .Case("Abs", [&] { return importUnary(AbsOp::getOperationName()); })
          .Case("Log", [&] { return importUnary(LogOp::getOperationName()); })
          .Case("Reciprocal",
                [&] { return importUnary(ReciprocalOp::getOperationName()); })
          .Case("Floor",
                [&] { return importUnary(FloorOp::getOperationName()); })
          .Case("Ceil", [&] { return importUnary(CeilOp::getOperationName()); })
          .Case("Round",
                [&] { return importUnary(RoundOp::getOperationName()); })
          .Case("Softplus",
                [&] { return importUnary(SoftplusOp::getOperationName()); })
          .Case("Softsign",
                [&] { return importUnary(SoftsignOp::getOperationName()); })
          .Case("Mish", [&] { return importUnary(MishOp::getOperationName()); })
          .Case("Swish",
                [&] {
                  return importUnary(
                      SwishOp::getOperationName(),
                      {named("alpha",
                             builder.getF32FloatAttr(floatAttr("alpha", 1)))});
                })
          .Case("Elu",
                [&] {
                  return importUnary(
                      EluOp::getOperationName(),
                      {named("alpha",
                             builder.getF32FloatAttr(floatAttr("alpha", 1)))});
                })
          .Case("ThresholdedRelu",
                [&] {
                  return importUnary(
                      ThresholdedReluOp::getOperationName(),
                      {named("alpha",
                             builder.getF32FloatAttr(floatAttr("alpha", 1)))});
                })
          .Case(
              "Selu",
              [&] {
                return importUnary(
                    SeluOp::getOperationName(),
                    {named("alpha", builder.getF32FloatAttr(floatAttr(
                                        "alpha", 1.67326319217681884765625f))),
                     named("gamma",
                           builder.getF32FloatAttr(floatAttr(
                               "gamma", 1.05070102214813232421875f)))});
              })
          .Case("PRelu",
                [&] { return importBinary(PReluOp::getOperationName()); })
          .Case("Equal",
                [&] { return importBinary(EqualOp::getOperationName()); })
          .Case("Less",
                [&] { return importBinary(LessOp::getOperationName()); })
          .Case("LessOrEqual",
                [&] { return importBinary(LessEqualOp::getOperationName()); })
          .Case("Greater",
                [&] { return importBinary(GreaterOp::getOperationName()); })
          .Case(
              "GreaterOrEqual",
              [&] { return importBinary(GreaterEqualOp::getOperationName()); })
          .Case("And", [&] { return importBinary(AndOp::getOperationName()); })
          .Case("Or", [&] { return importBinary(OrOp::getOperationName()); })
          .Case("Xor", [&] { return importBinary(XorOp::getOperationName()); })
          .Case("Not", [&] { return importUnary(NotOp::getOperationName()); })
          .Case("Where", [&] { return importWhere(); })
          .Case("Expand",
                [&] {
                  return importWithConstList(ExpandOp::getOperationName(),
                                             "shape");
                })
          .Case("Tile",
                [&] {
                  return importWithConstList(TileOp::getOperationName(),
                                             "repeats");
                })
          .Case("Mean", [&] { return importMean(); })
          .Case("InstanceNormalization", [&] { return importInstanceNorm(); })
          .Case("LRN", [&] { return importLrn(); })
          .Case("SpaceToDepth", [&] { return importSpaceDepth(true); })
          .Case("DepthToSpace", [&] { return importSpaceDepth(false); })
          .Case("CastLike", [&] { return importCastLike(); })
          .Case("ReduceSum",
                [&] { return importReduce(ReduceSumOp::getOperationName()); })
          .Case("ReduceProd",
                [&] { return importReduce(ReduceProdOp::getOperationName()); })
          .Case("ReduceMax",
                [&] { return importReduce(ReduceMaxOp::getOperationName()); })
          .Case("ReduceMin",
                [&] { return importReduce(ReduceMinOp::getOperationName()); })
          .Case("ReduceL1",
                [&] { return importReduce(ReduceL1Op::getOperationName()); })
          .Case("ReduceL2",
                [&] { return importReduce(ReduceL2Op::getOperationName()); })
          .Case("ReduceSumSquare",
                [&] {
                  return importReduce(ReduceSumSquareOp::getOperationName());
                })
          .Case(
              "ReduceLogSum",
              [&] { return importReduce(ReduceLogSumOp::getOperationName()); })
          .Case("ReduceLogSumExp",
                [&] {
                  return importReduce(ReduceLogSumExpOp::getOperationName());
                })
          .Case("LogSoftmax",
                [&] { return importSoftmax(LogSoftmaxOp::getOperationName()); })
          .Case("Clip", [&] { return importClip(); })
          .Case("MaxPool", [&] { return importPool(true); })
          .Case("AveragePool", [&] { return importPool(false); })
          .Case(
              "GlobalAveragePool",
              [&] { return importUnary(GlobalAvgPoolOp::getOperationName()); })
          .Case(
              "GlobalMaxPool",
              [&] { return importUnary(GlobalMaxPoolOp::getOperationName()); })
          .Case("ReduceMean",
                [&] { return importReduce(ReduceMeanOp::getOperationName()); })
          .Case("BatchNormalization", [&] { return importBatchNorm(); })
          .Case("LayerNormalization", [&] { return importLayerNorm(); })
          .Case("Softmax",
                [&] { return importSoftmax(SoftmaxOp::getOperationName()); })
          .Case("Flatten",
                [&] {
                  return importUnary(FlattenOp::getOperationName(),
                                     {named("axis", builder.getI64IntegerAttr(
                                                        intAttr("axis", 1)))});
                })
          .Case("Reshape", [&] { return importReshape(); })
          .Case("Squeeze", [&] { return importSqueeze(false); })
          .Case("Unsqueeze", [&] { return importSqueeze(true); })
          .Case("Transpose", [&] { return importTranspose(); })
          .Case("Concat", [&] { return importConcat(); })
          .Case("Split", [&] { return importSplit(); })
          .Case("Slice", [&] { return importSlice(); })
          .Case("Pad", [&] { return importPad(); })
          .Case("Gather", [&] { return importGather(); })
          .Cases("Resize", "Upsample", [&] { return importResize(); })
          .Case("Constant", [&] { return importConstant(); })
          .Case("ConstantOfShape", [&] { return importConstantOfShape(); })
          .Case("Shape", [&] { return importShape(); })
          .Case("Cast", [&] { return importCast(); })
          .Case("Dropout", [&] { return importDropout(); })
          .Case("Identity",
                [&]() -> LogicalResult {
                  if (ElementsAttr c = constant(input(0)))
                    return defineConstant(n.output(0), c);
                  FailureOr<Value> v = operand(0);
                  return failed(v) ? failure() : define(n.output(0), *v);
                })
          .Case("QuantizeLinear", [&] { return importQuantizeLinear(true); })
          .Case("DequantizeLinear", [&] { return importQuantizeLinear(false); })
          .Default(nullptr);
  if (!fn)
    return fail("unsupported operator");
  return fn();
}

//===----------------------------------------------------------------------===//
// Folding of constant shape subgraphs
//===----------------------------------------------------------------------===//

/// Row-major strides of a shape.
static SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = int64_t(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

LogicalResult Importer::tryFold() {
  StringRef op = node->op_type();
  SmallVector<Folded> in;
  for (const std::string &name : node->input()) {
    if (name.empty()) {
      in.push_back(Folded());
      continue;
    }
    FailureOr<Folded> f = folded(name);
    if (failed(f))
      return failure();
    in.push_back(std::move(*f));
  }
  if (in.empty() || !in[0].elementType)
    return failure();
  Folded out;
  out.elementType = in[0].elementType;
  // Element i of `out`, taken from element j of input 0.
  auto copyFrom = [&](const Folded &src, int64_t j) {
    if (src.isFloat())
      out.floats.push_back(src.floats[j]);
    else
      out.ints.push_back(src.ints[j]);
  };
  auto reshapeTo = [&](ArrayRef<int64_t> shape) -> LogicalResult {
    if (shapeProduct(shape) != in[0].size())
      return failure();
    out = in[0];
    out.shape.assign(shape.begin(), shape.end());
    return success();
  };
  auto axesFrom = [&](StringRef attrName,
                      int inputIndex) -> std::optional<SmallVector<int64_t>> {
    if (auto a = intsAttr(attrName))
      return a;
    if (inputIndex < int(in.size()) && in[inputIndex].elementType &&
        !in[inputIndex].isFloat())
      return SmallVector<int64_t>(in[inputIndex].ints.begin(),
                                  in[inputIndex].ints.end());
    return std::nullopt;
  };

  if (op == "Identity") {
    out = in[0];
  } else if (op == "Cast") {
    FailureOr<Type> to = elementType(intAttr("to", 0), "Cast target");
    if (failed(to) || to->isInteger(1))
      return failure();
    out = in[0];
    out.elementType = *to;
    if (in[0].isFloat() && !to->isa<FloatType>()) {
      out.floats.clear();
      for (double v : in[0].floats)
        out.ints.push_back(int64_t(v));
    } else if (!in[0].isFloat() && to->isa<FloatType>()) {
      out.ints.clear();
      for (int64_t v : in[0].ints)
        out.floats.push_back(double(v));
    }
  } else if (op == "Unsqueeze" || op == "Squeeze") {
    auto axes = axesFrom("axes", 1);
    SmallVector<int64_t> shape(in[0].shape);
    if (op == "Unsqueeze") {
      if (!axes)
        return failure();
      int64_t rank = shape.size() + axes->size();
      SmallVector<int64_t> norm;
      for (int64_t a : *axes)
        norm.push_back(a < 0 ? a + rank : a);
      llvm::sort(norm);
      for (int64_t a : norm) {
        if (a < 0 || a > int64_t(shape.size()))
          return failure();
        shape.insert(shape.begin() + a, 1);
      }
    } else {
      SmallVector<int64_t> kept;
      for (int64_t i = 0; i < int64_t(shape.size()); ++i) {
        bool drop =
            axes ? llvm::any_of(*axes,
                                [&](int64_t a) {
                                  return (a < 0 ? a + int64_t(shape.size())
                                                : a) == i;
                                })
                 : shape[i] == 1;
        if (!drop)
          kept.push_back(shape[i]);
      }
      shape = kept;
    }
    if (failed(reshapeTo(shape)))
      return failure();
  } else if (op == "Reshape" || op == "Flatten") {
    SmallVector<int64_t> shape;
    if (op == "Flatten") {
      int64_t rank = in[0].shape.size();
      int64_t axis = intAttr("axis", 1);
      if (axis < 0)
        axis += rank;
      if (axis < 0 || axis > rank)
        return failure();
      ArrayRef<int64_t> s = in[0].shape;
      shape = {shapeProduct(s.take_front(axis)),
               shapeProduct(s.drop_front(axis))};
    } else {
      if (in.size() < 2 || in[1].isFloat())
        return failure();
      int64_t infer = -1, known = 1;
      for (auto [i, d] : llvm::enumerate(in[1].ints)) {
        int64_t dim = d;
        if (dim == 0 && !intAttr("allowzero", 0))
          dim = i < in[0].shape.size() ? in[0].shape[i] : 0;
        if (dim == -1) {
          infer = i;
          dim = 1;
        }
        shape.push_back(dim);
        known *= dim;
      }
      if (infer >= 0 && known != 0)
        shape[infer] = in[0].size() / known;
    }
    if (failed(reshapeTo(shape)))
      return failure();
  } else if (op == "Transpose") {
    int64_t rank = in[0].shape.size();
    SmallVector<int64_t> perm;
    if (auto p = intsAttr("perm"))
      perm = *p;
    else
      for (int64_t i = rank - 1; i >= 0; --i)
        perm.push_back(i);
    if (int64_t(perm.size()) != rank)
      return failure();
    SmallVector<int64_t> inStrides = stridesOf(in[0].shape);
    for (int64_t p : perm)
      out.shape.push_back(in[0].shape[p]);
    SmallVector<int64_t> outStrides = stridesOf(out.shape);
    for (int64_t i = 0, e = out.size(); i < e; ++i) {
      int64_t src = 0, rest = i;
      for (int64_t d = 0; d < rank; ++d) {
        int64_t idx = rest / outStrides[d];
        rest %= outStrides[d];
        src += idx * inStrides[perm[d]];
      }
      copyFrom(in[0], src);
    }
  } else if (op == "Concat") {
    int64_t rank = in[0].shape.size();
    auto axis = normalizeAxis(intAttr("axis", 0), rank);
    if (!axis)
      return failure();
    out.shape = in[0].shape;
    out.shape[*axis] = 0;
    for (const Folded &f : in) {
      if (int64_t(f.shape.size()) != rank || f.isFloat() != in[0].isFloat())
        return failure();
      out.shape[*axis] += f.shape[*axis];
    }
    int64_t outer =
        shapeProduct(ArrayRef<int64_t>(out.shape).take_front(*axis));
    for (int64_t o = 0; o < outer; ++o)
      for (const Folded &f : in) {
        int64_t chunk =
            shapeProduct(ArrayRef<int64_t>(f.shape).drop_front(*axis));
        for (int64_t j = 0; j < chunk; ++j)
          copyFrom(f, o * chunk + j);
      }
  } else if (op == "Gather") {
    if (in.size() < 2 || in[1].isFloat())
      return failure();
    int64_t rank = in[0].shape.size();
    auto axis = normalizeAxis(intAttr("axis", 0), rank);
    if (!axis)
      return failure();
    ArrayRef<int64_t> s = in[0].shape;
    out.shape.assign(s.begin(), s.begin() + *axis);
    out.shape.append(in[1].shape.begin(), in[1].shape.end());
    out.shape.append(s.begin() + *axis + 1, s.end());
    int64_t outer = shapeProduct(s.take_front(*axis));
    int64_t inner = shapeProduct(s.drop_front(*axis + 1));
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t idx : in[1].ints) {
        if (idx < -s[*axis] || idx >= s[*axis])
          return fail("gather index " + Twine(idx) +
                      " is out of range for "
                      "a dimension of " +
                      Twine(s[*axis]));
        if (idx < 0)
          idx += s[*axis];
        for (int64_t j = 0; j < inner; ++j)
          copyFrom(in[0], (o * s[*axis] + idx) * inner + j);
      }
  } else if (op == "Slice") {
    SmallVector<int64_t> starts, ends, axes, steps;
    if (opset < 10) {
      starts = intsAttr("starts").value_or(SmallVector<int64_t>());
      ends = intsAttr("ends").value_or(SmallVector<int64_t>());
      axes = intsAttr("axes").value_or(SmallVector<int64_t>());
    } else {
      if (in.size() < 3)
        return failure();
      starts.assign(in[1].ints.begin(), in[1].ints.end());
      ends.assign(in[2].ints.begin(), in[2].ints.end());
      if (in.size() > 3 && in[3].elementType)
        axes.assign(in[3].ints.begin(), in[3].ints.end());
      if (in.size() > 4 && in[4].elementType)
        steps.assign(in[4].ints.begin(), in[4].ints.end());
    }
    int64_t rank = in[0].shape.size();
    if (axes.empty())
      for (size_t i = 0; i < starts.size(); ++i)
        axes.push_back(i);
    steps.resize(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size())
      return failure();
    SmallVector<SliceRange> ranges;
    for (int64_t d = 0; d < rank; ++d)
      ranges.push_back({0, 1, in[0].shape[d]});
    for (size_t i = 0; i < axes.size(); ++i) {
      auto a = normalizeAxis(axes[i], rank);
      if (!a || steps[i] == 0)
        return failure();
      ranges[*a] =
          computeSliceRange(in[0].shape[*a], starts[i], ends[i], steps[i]);
    }
    for (const SliceRange &r : ranges)
      out.shape.push_back(r.size);
    SmallVector<int64_t> inStrides = stridesOf(in[0].shape);
    SmallVector<int64_t> outStrides = stridesOf(out.shape);
    for (int64_t i = 0, e = out.size(); i < e; ++i) {
      int64_t src = 0, rest = i;
      for (int64_t d = 0; d < rank; ++d) {
        int64_t idx = rest / outStrides[d];
        rest %= outStrides[d];
        src += (ranges[d].start + idx * ranges[d].step) * inStrides[d];
      }
      copyFrom(in[0], src);
    }
  } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    if (in.size() != 2 || in[0].isFloat() != in[1].isFloat())
      return failure();
    auto shape = broadcastShapes(in[0].shape, in[1].shape);
    if (!shape)
      return failure();
    out.shape = *shape;
    int64_t rank = shape->size();
    auto indexIn = [&](const Folded &f, int64_t flat) {
      // Maps an output index to the broadcast input index.
      SmallVector<int64_t> outStrides = stridesOf(out.shape);
      SmallVector<int64_t> fStrides = stridesOf(f.shape);
      int64_t offset = rank - f.shape.size(), src = 0, rest = flat;
      for (int64_t d = 0; d < rank; ++d) {
        int64_t idx = rest / outStrides[d];
        rest %= outStrides[d];
        if (d >= offset && f.shape[d - offset] != 1)
          src += idx * fStrides[d - offset];
      }
      return src;
    };
    for (int64_t i = 0, e = out.size(); i < e; ++i) {
      int64_t a = indexIn(in[0], i), b = indexIn(in[1], i);
      if (in[0].isFloat()) {
        double x = in[0].floats[a], y = in[1].floats[b];
        out.floats.push_back(op == "Add"   ? x + y
                             : op == "Sub" ? x - y
                             : op == "Mul" ? x * y
                                           : x / y);
      } else {
        int64_t x = in[0].ints[a], y = in[1].ints[b];
        if (op == "Div" && y == 0)
          return fail("integer division by zero in a constant expression");
        out.ints.push_back(op == "Add"   ? x + y
                           : op == "Sub" ? x - y
                           : op == "Mul" ? x * y
                                         : x / y);
      }
    }
  } else {
    return failure();
  }
  return defineFolded(node->output(0), out);
}

//===----------------------------------------------------------------------===//
// Node importers
//===----------------------------------------------------------------------===//

LogicalResult Importer::windowAttrs(ArrayRef<int64_t> inShape,
                                    ArrayRef<int64_t> kernel,
                                    SmallVectorImpl<NamedAttribute> &attrs,
                                    bool withDilations) {
  size_t spatial = kernel.size();
  SmallVector<int64_t> strides =
      intsAttr("strides").value_or(SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> dilations =
      intsAttr("dilations").value_or(SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> pads =
      intsAttr("pads").value_or(SmallVector<int64_t>(2 * spatial, 0));
  if (strides.size() != spatial || dilations.size() != spatial ||
      pads.size() != 2 * spatial)
    return fail("strides, dilations and pads must match the " + Twine(spatial) +
                " spatial dimensions");
  std::string autoPad = stringAttr("auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    pads.assign(2 * spatial, 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < spatial; ++i) {
      int64_t in = inShape[2 + i];
      int64_t out = (in + strides[i] - 1) / strides[i];
      int64_t total = std::max<int64_t>(
          0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in);
      int64_t small = total / 2;
      pads[i] = autoPad == "SAME_UPPER" ? small : total - small;
      pads[spatial + i] = total - pads[i];
    }
  } else if (autoPad != "NOTSET") {
    return fail("unsupported auto_pad '" + autoPad + "'");
  }
  // Defaults (stride 1, pad 0, dilation 1) stay implicit in the IR.
  auto all = [](ArrayRef<int64_t> v, int64_t x) {
    return llvm::all_of(v, [&](int64_t e) { return e == x; });
  };
  if (!all(strides, 1))
    attrs.push_back(named("strides", builder.getDenseI64ArrayAttr(strides)));
  if (!all(pads, 0))
    attrs.push_back(named("pads", builder.getDenseI64ArrayAttr(pads)));
  if (withDilations && !all(dilations, 1))
    attrs.push_back(
        named("dilations", builder.getDenseI64ArrayAttr(dilations)));
  else if (!withDilations && !all(dilations, 1))
    return fail("dilations are not supported for this pooling");
  return success();
}

LogicalResult Importer::importConv() {
  FailureOr<Value> x = operand(0), w = operand(1);
  if (failed(x) || failed(w))
    return failure();
  RankedTensorType xt = typeOf(*x), wt = typeOf(*w);
  int64_t rank = xt.getRank();
  if (rank != 3 && rank != 4)
    return fail("only 1-D and 2-D convolutions are supported, got input "
                "tensor<" +
                shapeText(xt.getShape()) + ">");
  if (wt.getRank() != rank)
    return fail("weight rank " + Twine(wt.getRank()) +
                " differs from input rank " + Twine(rank));
  Value input = *x, weight = *w;
  // A 1-D convolution is a 2-D one over a 1 x L image.
  if (rank == 3) {
    auto xs = xt.getShape();
    auto ws = wt.getShape();
    FailureOr<Value> x4 = reshape(input, {xs[0], xs[1], 1, xs[2]});
    FailureOr<Value> w4 = reshape(weight, {ws[0], ws[1], 1, ws[2]});
    if (failed(x4) || failed(w4))
      return failure();
    input = *x4;
    weight = *w4;
  }
  ArrayRef<int64_t> ws = typeOf(weight).getShape();
  SmallVector<int64_t> kernel = {ws[2], ws[3]};
  SmallVector<NamedAttribute> attrs;
  // Expand 1-D attributes to 2-D by prefixing the unit height.
  if (rank == 3) {
    auto expand = [&](StringRef name, int64_t fill, bool isPads) {
      auto v = intsAttr(name);
      if (!v)
        return;
      SmallVector<int64_t> e =
          isPads
              ? SmallVector<int64_t>{0, (*v)[0], 0, v->size() > 1 ? (*v)[1] : 0}
              : SmallVector<int64_t>{fill, (*v)[0]};
      auto *a = const_cast<onnx::AttributeProto *>(attr(name));
      a->clear_ints();
      for (int64_t i : e)
        a->add_ints(i);
    };
    expand("strides", 1, false);
    expand("dilations", 1, false);
    expand("pads", 0, true);
  }
  if (auto k = intsAttr("kernel_shape")) {
    SmallVector<int64_t> want(k->begin(), k->end());
    if (rank == 3)
      want.insert(want.begin(), 1);
    if (ArrayRef<int64_t>(want) != ArrayRef<int64_t>(kernel))
      return fail("kernel_shape disagrees with the weight shape");
  }
  if (failed(windowAttrs(typeOf(input).getShape(), kernel, attrs, true)))
    return failure();
  attrs.push_back(
      named("group", builder.getI64IntegerAttr(intAttr("group", 1))));
  attrs.push_back(named("name", builder.getStringAttr(nodeName)));
  SmallVector<Value> operands = {input, weight};
  if (hasInput(2)) {
    FailureOr<Value> b = operand(2);
    if (failed(b))
      return failure();
    operands.push_back(*b);
  }
  FailureOr<Value> y = build1(Conv2dOp::getOperationName(), operands, attrs);
  if (failed(y))
    return failure();
  Value result = *y;
  if (rank == 3) {
    auto ys = typeOf(result).getShape();
    FailureOr<Value> y3 = reshape(result, {ys[0], ys[1], ys[3]});
    if (failed(y3))
      return failure();
    result = *y3;
  }
  return define(node->output(0), result);
}

LogicalResult Importer::importPool(bool isMax) {
  bool withIndices =
      isMax && node->output_size() > 1 && !node->output(1).empty();
  if (!isMax && failed(onlyFirstOutputUsed()))
    return failure();
  FailureOr<Value> x = operand(0);
  if (failed(x))
    return failure();
  RankedTensorType xt = typeOf(*x);
  auto kernel = intsAttr("kernel_shape");
  if (!kernel)
    return fail("kernel_shape is required");
  if (kernel->empty() || kernel->size() > 3 ||
      xt.getRank() != int64_t(kernel->size()) + 2)
    return fail("only 1-D, 2-D and 3-D pooling over N x C x spatial inputs "
                "is supported, got input tensor<" +
                shapeText(xt.getShape()) + "> and " + Twine(kernel->size()) +
                " kernel sizes");
  SmallVector<NamedAttribute> attrs;
  attrs.push_back(named("kernel_shape", builder.getDenseI64ArrayAttr(*kernel)));
  if (failed(windowAttrs(xt.getShape(), *kernel, attrs, true)))
    return failure();
  attrs.push_back(
      named("ceil_mode", builder.getBoolAttr(intAttr("ceil_mode", 0) != 0)));
  if (!isMax)
    attrs.push_back(named("count_include_pad", builder.getBoolAttr(intAttr(
                                                   "count_include_pad", 0))));
  if (withIndices) {
    attrs.push_back(named("with_indices", builder.getUnitAttr()));
    attrs.push_back(named("storage_order", builder.getI64IntegerAttr(
                                               intAttr("storage_order", 0))));
  }
  FailureOr<Operation *> pool = build(isMax ? MaxPoolOp::getOperationName()
                                            : AvgPoolOp::getOperationName(),
                                      {*x}, attrs);
  if (failed(pool))
    return failure();
  if (withIndices && failed(define(node->output(1), (*pool)->getResult(1))))
    return failure();
  return define(node->output(0), (*pool)->getResult(0));
}

LogicalResult Importer::importGemm() {
  FailureOr<Value> a = operand(0), b = operand(1);
  if (failed(a) || failed(b))
    return failure();
  SmallVector<Value> operands = {*a, *b};
  if (hasInput(2)) {
    FailureOr<Value> c = operand(2);
    if (failed(c))
      return failure();
    operands.push_back(*c);
  }
  SmallVector<NamedAttribute> attrs = {
      named("alpha", builder.getF32FloatAttr(floatAttr("alpha", 1.0f))),
      named("beta", builder.getF32FloatAttr(floatAttr("beta", 1.0f))),
      named("transA", builder.getBoolAttr(intAttr("transA", 0) != 0)),
      named("transB", builder.getBoolAttr(intAttr("transB", 0) != 0)),
      named("name", builder.getStringAttr(nodeName))};
  FailureOr<Value> y = build1(GemmOp::getOperationName(), operands, attrs);
  return failed(y) ? failure() : define(node->output(0), *y);
}

LogicalResult Importer::importBinary(StringRef opName) {
  FailureOr<Value> a = operand(0), b = operand(1);
  if (failed(a) || failed(b))
    return failure();
  Value lhs = *a, rhs = *b;
  // Pow with an integer exponent: cast a constant exponent to the base type.
  if (opName == PowOp::getOperationName() &&
      typeOf(lhs).getElementType() != typeOf(rhs).getElementType()) {
    FailureOr<Folded> e = folded(input(1));
    if (failed(e))
      return fail("the exponent must have the base's element type or be a "
                  "constant");
    Folded f = *e;
    if (!f.isFloat())
      for (int64_t v : f.ints)
        f.floats.push_back(double(v));
    f.ints.clear();
    f.elementType = typeOf(lhs).getElementType();
    std::string name = input(1).str() + "__as_float";
    if (!constants.count(name) && failed(defineFolded(name, f)))
      return failure();
    rhs = lookup(name);
  }
  SmallVector<NamedAttribute> attrs;
  if (opName == MatMulOp::getOperationName())
    attrs.push_back(named("name", builder.getStringAttr(nodeName)));
  FailureOr<Value> y = build1(opName, {lhs, rhs}, attrs);
  return failed(y) ? failure() : define(node->output(0), *y);
}

LogicalResult Importer::importVariadic(StringRef opName) {
  if (node->input_size() < 1)
    return fail("needs at least one input");
  FailureOr<Value> acc = operand(0);
  if (failed(acc))
    return failure();
  for (int i = 1; i < node->input_size(); ++i) {
    FailureOr<Value> next = operand(i);
    if (failed(next))
      return failure();
    acc = build1(opName, {*acc, *next});
    if (failed(acc))
      return failure();
  }
  return define(node->output(0), *acc);
}

LogicalResult Importer::importUnary(StringRef opName,
                                    ArrayRef<NamedAttribute> attrs) {
  FailureOr<Value> x = operand(0);
  if (failed(x))
    return failure();
  RegisteredOperationName info = *RegisteredOperationName::lookup(opName, ctx);
  FailureOr<Operation *> op = info.hasInterface<InferTypeOpInterface>()
                                  ? build(opName, {*x}, attrs)
                                  : build(opName, {*x}, attrs, {x->getType()});
  return failed(op) ? failure() : define(node->output(0), (*op)->getResult(0));
}

LogicalResult Importer::importClip() {
  FailureOr<Value> x = operand(0);
  if (failed(x))
    return failure();
  bool isInteger = typeOf(*x).getElementType().isa<IntegerType>();
  SmallVector<NamedAttribute> attrs;
  if (opset < 11) {
    for (StringRef name : {"min", "max"})
      if (attr(name))
        attrs.push_back(
            named(name, builder.getF64FloatAttr(floatAttr(name, 0))));
  } else {
    static const StringRef bounds[] = {"min", "max"};
    for (auto [i, name] : llvm::enumerate(bounds)) {
      if (!hasInput(i + 1))
        continue;
      FailureOr<Folded> f = folded(input(i + 1));
      if (failed(f) || f->size() != 1)
        return fail(name + " ('" + input(i + 1) +
                    "') must be a constant scalar");
      double v = f->isFloat() ? f->floats[0] : double(f->ints[0]);
      if (isInteger && !f->isFloat() &&
          double(int64_t(v)) != double(f->ints[0]))
        return fail(name + " " + Twine(f->ints[0]) +
                    " is not exactly representable");
      attrs.push_back(named(name, builder.getF64FloatAttr(v)));
    }
  }
  FailureOr<Operation *> op =
      build(ClipOp::getOperationName(), {*x}, attrs, {x->getType()});
  return failed(op) ? failure() : define(node->output(0), (*op)->getResult(0));
}

LogicalResult Importer::importReduce(StringRef opName) {
  FailureOr<Value> x = operand(0);
  if (failed(x))
    return failure();
  // ReduceSum took its axes as an input from opset 13, the others from 18.
  int axesInputOpset = opName == ReduceSumOp::getOperationName() ? 13 : 18;
  SmallVector<int64_t> axes;
  if (opset < axesInputOpset) {
    axes = intsAttr("axes").value_or(SmallVector<int64_t>());
  } else if (hasInput(1)) {
    FailureOr<SmallVector<int64_t>> a = constInts(input(1), "axes");
    if (failed(a))
      return failure();
    axes = *a;
  }
  if (axes.empty()) {
    if (opset >= axesInputOpset && intAttr("noop_with_empty_axes", 0))
      return define(node->output(0), *x);
    for (int64_t i = 0; i < typeOf(*x).getRank(); ++i)
      axes.push_back(i);
  }
  FailureOr<Value> y = build1(
      opName, {*x},
      {named("axes", builder.getDenseI64ArrayAttr(axes)),
       named("keepdims", builder.getBoolAttr(intAttr("keepdims", 1) != 0))});
  return failed(y) ? failure() : define(node->output(0), *y);
}

LogicalResult Importer::importBatchNorm() {
  if (intAttr("training_mode", 0))
    return importBatchNormTraining();
  if (failed(onlyFirstOutputUsed()))
    return failure();
  FailureOr<SmallVector<Value>> operandsList = requiredOperands(5);
  if (failed(operandsList))
    return failure();
  SmallVector<Value> &operands = *operandsList;
  FailureOr<Operation *> op = build(
      BatchNormOp::getOperationName(), operands,
      {named("epsilon", builder.getF32FloatAttr(floatAttr("epsilon", 1e-5f)))},
      {operands[0].getType()});
  return failed(op) ? failure() : define(node->output(0), (*op)->getResult(0));
}

LogicalResult Importer::importLayerNorm() {
  if (failed(onlyFirstOutputUsed()))
    return failure();
  // The bias (input 2) is optional.
  FailureOr<SmallVector<Value>> operandsList =
      requiredOperands(hasInput(2) ? 3 : 2);
  if (failed(operandsList))
    return failure();
  SmallVector<Value> &operands = *operandsList;
  FailureOr<Operation *> op = build(
      LayerNormOp::getOperationName(), operands,
      {named("axis", builder.getI64IntegerAttr(intAttr("axis", -1))),
       named("epsilon", builder.getF32FloatAttr(floatAttr("epsilon", 1e-5f)))},
      {operands[0].getType()});
  return failed(op) ? failure() : define(node->output(0), (*op)->getResult(0));
}

LogicalResult Importer::importSoftmax(StringRef opName) {
  FailureOr<Value> x = operand(0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  int64_t rank = t.getRank();
  int64_t axis = intAttr("axis", opset < 13 ? 1 : -1);
  auto norm = normalizeAxis(axis, rank);
  if (!norm)
    return fail("axis " + Twine(axis) + " is out of range for rank " +
                Twine(rank));
  // Before opset 13, softmax runs over the input flattened at `axis`.
  if (opset < 13 && *norm != rank - 1) {
    ArrayRef<int64_t> s = t.getShape();
    FailureOr<Value> flat = reshape(*x, {shapeProduct(s.take_front(*norm)),
                                         shapeProduct(s.drop_front(*norm))});
    if (failed(flat))
      return failure();
    FailureOr<Operation *> sm =
        build(opName, {*flat}, {named("axis", builder.getI64IntegerAttr(1))},
              {flat->getType()});
    if (failed(sm))
      return failure();
    FailureOr<Value> back = reshape((*sm)->getResult(0), s);
    return failed(back) ? failure() : define(node->output(0), *back);
  }
  FailureOr<Operation *> sm = build(
      opName, {*x}, {named("axis", builder.getI64IntegerAttr(*norm))}, {t});
  return failed(sm) ? failure() : define(node->output(0), (*sm)->getResult(0));
}

LogicalResult Importer::importReshape() {
  FailureOr<Value> x = operand(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> target;
  if (opset < 5) {
    target = intsAttr("shape").value_or(SmallVector<int64_t>());
  } else {
    FailureOr<SmallVector<int64_t>> s = constInts(input(1), "shape");
    if (failed(s))
      return failure();
    target = *s;
  }
  ArrayRef<int64_t> in = typeOf(*x).getShape();
  bool allowZero = intAttr("allowzero", 0) != 0;
  int64_t inferred = -1, known = 1;
  SmallVector<int64_t> shape;
  for (auto [i, d] : llvm::enumerate(target)) {
    int64_t dim = d;
    if (dim == 0 && !allowZero) {
      if (i >= in.size())
        return fail("shape entry " + Twine(i) +
                    " is 0 (copy) but the input "
                    "has only " +
                    Twine(in.size()) + " dimensions");
      dim = in[i];
    }
    if (dim == -1) {
      if (inferred >= 0)
        return fail("shape has more than one -1");
      inferred = i;
      dim = 1;
    } else if (dim < 0) {
      return fail("shape entry " + Twine(d) + " is invalid");
    }
    shape.push_back(dim);
    known *= dim;
  }
  int64_t total = shapeProduct(in);
  if (inferred >= 0) {
    if (known == 0 || total % known)
      return fail("cannot infer the -1 in shape [" + shapeText(target) +
                  "] for " + Twine(total) + " elements");
    shape[inferred] = total / known;
  }
  FailureOr<Value> y = reshape(*x, shape);
  return failed(y) ? failure() : define(node->output(0), *y);
}

LogicalResult Importer::importSqueeze(bool unsqueeze) {
  FailureOr<Value> x = operand(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> axes;
  if (opset < 13) {
    axes = intsAttr("axes").value_or(SmallVector<int64_t>());
  } else if (hasInput(1)) {
    FailureOr<SmallVector<int64_t>> a = constInts(input(1), "axes");
    if (failed(a))
      return failure();
    axes = *a;
  }
  SmallVector<int64_t> shape(typeOf(*x).getShape());
  int64_t rank = shape.size();
  if (unsqueeze) {
    int64_t outRank = rank + axes.size();
    SmallVector<int64_t> norm;
    for (int64_t a : axes) {
      auto n = normalizeAxis(a, outRank);
      if (!n)
        return fail("axis " + Twine(a) + " is out of range");
      norm.push_back(*n);
    }
    llvm::sort(norm);
    for (int64_t a : norm)
      shape.insert(shape.begin() + a, 1);
  } else {
    SmallVector<int64_t> kept;
    llvm::SmallBitVector drop(rank);
    for (int64_t a : axes) {
      auto n = normalizeAxis(a, rank);
      if (!n || shape[*n] != 1)
        return fail("cannot squeeze axis " + Twine(a) + " of tensor<" +
                    shapeText(shape) + ">");
      drop.set(*n);
    }
    for (int64_t i = 0; i < rank; ++i)
      if (!(axes.empty() ? shape[i] == 1 : drop.test(i)))
        kept.push_back(shape[i]);
    shape = kept;
  }
  FailureOr<Value> y = reshape(*x, shape);
  return failed(y) ? failure() : define(node->output(0), *y);
}

LogicalResult Importer::importTranspose() {
  SmallVector<NamedAttribute> attrs;
  if (auto perm = intsAttr("perm"))
    attrs.push_back(named("perm", builder.getDenseI64ArrayAttr(*perm)));
  return importUnary(TransposeOp::getOperationName(), attrs);
}

LogicalResult Importer::importConcat() {
  SmallVector<Value> operands;
  for (int i = 0; i < node->input_size(); ++i) {
    FailureOr<Value> v = operand(i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  if (!attr("axis"))
    return fail("axis is required");
  FailureOr<Value> y =
      build1(ConcatOp::getOperationName(), operands,
             {named("axis", builder.getI64IntegerAttr(intAttr("axis", 0)))});
  return failed(y) ? failure() : define(node->output(0), *y);
}

LogicalResult Importer::importSplit() {
  FailureOr<Value> x = operand(0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  int64_t axisAttr = intAttr("axis", 0);
  auto axis = normalizeAxis(axisAttr, t.getRank());
  if (!axis)
    return fail("axis " + Twine(axisAttr) + " is out of range");
  SmallVector<int64_t> sizes;
  if (opset < 13) {
    sizes = intsAttr("split").value_or(SmallVector<int64_t>());
  } else if (hasInput(1)) {
    FailureOr<SmallVector<int64_t>> s = constInts(input(1), "split");
    if (failed(s))
      return failure();
    sizes = *s;
  }
  int64_t dim = t.getDimSize(*axis);
  if (sizes.empty()) {
    int64_t n =
        attr("num_outputs") ? intAttr("num_outputs", 1) : node->output_size();
    if (n < 1)
      return fail("num_outputs must be positive");
    int64_t chunk = (dim + n - 1) / n;
    for (int64_t i = 0; i < n; ++i)
      sizes.push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
  }
  if (int64_t(sizes.size()) != node->output_size())
    return fail("split has " + Twine(sizes.size()) + " sizes for " +
                Twine(node->output_size()) + " outputs");
  FailureOr<Operation *> op =
      build(SplitOp::getOperationName(), {*x},
            {named("axis", builder.getI64IntegerAttr(*axis)),
             named("sizes", builder.getDenseI64ArrayAttr(sizes))});
  if (failed(op))
    return failure();
  for (int i = 0; i < node->output_size(); ++i)
    if (failed(define(node->output(i), (*op)->getResult(i))))
      return failure();
  return success();
}

LogicalResult Importer::importSlice() {
  FailureOr<Value> x = operand(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (opset < 10) {
    starts = intsAttr("starts").value_or(SmallVector<int64_t>());
    ends = intsAttr("ends").value_or(SmallVector<int64_t>());
    axes = intsAttr("axes").value_or(SmallVector<int64_t>());
  } else {
    auto get = [&](int i, StringRef what, SmallVector<int64_t> &out) {
      if (!hasInput(i))
        return success();
      FailureOr<SmallVector<int64_t>> v = constInts(input(i), what);
      if (failed(v))
        return failure();
      out = *v;
      return success();
    };
    if (failed(get(1, "starts", starts)) || failed(get(2, "ends", ends)) ||
        failed(get(3, "axes", axes)) || failed(get(4, "steps", steps)))
      return failure();
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  FailureOr<Value> y =
      build1(SliceOp::getOperationName(), {*x},
             {named("starts", builder.getDenseI64ArrayAttr(starts)),
              named("ends", builder.getDenseI64ArrayAttr(ends)),
              named("axes", builder.getDenseI64ArrayAttr(axes)),
              named("steps", builder.getDenseI64ArrayAttr(steps))});
  return failed(y) ? failure() : define(node->output(0), *y);
}

LogicalResult Importer::importPad() {
  FailureOr<Value> x = operand(0);
  if (failed(x))
    return failure();
  int64_t rank = typeOf(*x).getRank();
  std::string mode = stringAttr("mode", "constant");
  PadMode padMode;
  if (mode == "constant")
    padMode = PadMode::Constant;
  else if (mode == "reflect")
    padMode = PadMode::Reflect;
  else if (mode == "edge")
    padMode = PadMode::Edge;
  else if (mode == "wrap")
    padMode = PadMode::Wrap;
  else
    return fail("pad mode '" + mode + "' is not supported");
  SmallVector<int64_t> pads;
  float value = 0.0f;
  if (opset < 11) {
    pads = intsAttr("pads").value_or(SmallVector<int64_t>());
    value = floatAttr("value", 0.0f);
  } else {
    FailureOr<SmallVector<int64_t>> p = constInts(input(1), "pads");
    if (failed(p))
      return failure();
    pads = *p;
    if (hasInput(2)) {
      FailureOr<float> v = constFloat(input(2), "constant_value");
      if (failed(v))
        return failure();
      value = *v;
    }
    if (hasInput(3)) {
      FailureOr<SmallVector<int64_t>> axes = constInts(input(3), "axes");
      if (failed(axes))
        return failure();
      if (pads.size() != 2 * axes->size())
        return fail("pads must have two entries per axis");
      SmallVector<int64_t> full(2 * rank, 0);
      for (auto [i, a] : llvm::enumerate(*axes)) {
        auto n = normalizeAxis(a, rank);
        if (!n)
          return fail("axis " + Twine(a) + " is out of range");
        full[*n] = pads[i];
        full[rank + *n] = pads[axes->size() + i];
      }
      pads = full;
    }
  }
  FailureOr<Value> y =
      build1(PadOp::getOperationName(), {*x},
             {named("pads", builder.getDenseI64ArrayAttr(pads)),
              named("mode", PadModeAttr::get(ctx, padMode)),
              named("value", builder.getF32FloatAttr(value))});
  return failed(y) ? failure() : define(node->output(0), *y);
}

LogicalResult Importer::importGather() {
  FailureOr<Value> data = operand(0), indices = operand(1);
  if (failed(data) || failed(indices))
    return failure();
  FailureOr<Value> y =
      build1(GatherOp::getOperationName(), {*data, *indices},
             {named("axis", builder.getI64IntegerAttr(intAttr("axis", 0)))});
  return failed(y) ? failure() : define(node->output(0), *y);
}

LogicalResult Importer::importResize() {
  FailureOr<Value> x = operand(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> inShape = typeOf(*x).getShape();
  int64_t rank = inShape.size();
  // Upsample and Resize-10 have only a mode and scales, with the semantics
  // of Upsample: out[x] = in[floor(x / scale)] or linear interpolation.
  bool legacy = node->op_type() == "Upsample" || opset < 11;
  std::string modeName = stringAttr("mode", "nearest");
  std::optional<ResizeMode> mode = symbolizeResizeMode(modeName);
  if (!mode || (legacy && *mode == ResizeMode::Cubic))
    return fail("mode '" + modeName + "' is not supported");
  std::string coordName = stringAttr("coordinate_transformation_mode",
                                     legacy ? "asymmetric" : "half_pixel");
  std::optional<ResizeCoordinateMode> coord =
      symbolizeResizeCoordinateMode(coordName);
  if (!coord)
    return fail("coordinate_transformation_mode '" + coordName +
                "' is not supported");
  std::string nearestName =
      stringAttr("nearest_mode", legacy ? "floor" : "round_prefer_floor");
  std::optional<ResizeNearestMode> nearest =
      symbolizeResizeNearestMode(nearestName);
  if (!nearest)
    return fail("nearest_mode '" + nearestName + "' is not supported");
  std::string policy = stringAttr("keep_aspect_ratio_policy", "stretch");
  if (policy != "stretch" && policy != "not_larger" && policy != "not_smaller")
    return fail("keep_aspect_ratio_policy '" + policy + "' is not supported");

  // Scales, sizes and roi must be constants; an absent or empty one is
  // not given.
  auto constValues = [&](int i, StringRef what,
                         SmallVectorImpl<double> &out) -> LogicalResult {
    if (!hasInput(i))
      return success();
    FailureOr<Folded> f = folded(input(i));
    if (failed(f) || (f->size() && !f->isFloat()))
      return fail(what + " ('" + input(i) +
                  "') must be a constant float tensor");
    out.assign(f->floats.begin(), f->floats.end());
    return success();
  };
  SmallVector<double> scales, roi;
  SmallVector<int64_t> sizes;
  if (node->op_type() == "Upsample" && opset < 9) {
    if (const onnx::AttributeProto *a = attr("scales"))
      scales.assign(a->floats().begin(), a->floats().end());
  } else if (failed(constValues(legacy ? 1 : 2, "scales", scales))) {
    return failure();
  }
  if (!legacy && hasInput(3)) {
    FailureOr<SmallVector<int64_t>> z = constInts(input(3), "sizes");
    if (failed(z))
      return failure();
    sizes = *z;
  }
  if (!legacy && *coord == ResizeCoordinateMode::TfCropAndResize &&
      failed(constValues(1, "roi", roi)))
    return failure();
  if (scales.empty() == sizes.empty())
    return fail("exactly one of scales and sizes must be given");

  SmallVector<int64_t> axes;
  if (std::optional<SmallVector<int64_t>> given = intsAttr("axes")) {
    llvm::SmallBitVector seen(rank);
    for (int64_t a : *given) {
      std::optional<int64_t> axis = normalizeAxis(a, rank);
      if (!axis || seen.test(*axis))
        return fail("axis " + Twine(a) + " is out of range or repeated");
      seen.set(*axis);
      axes.push_back(*axis);
    }
  } else {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  size_t count = scales.empty() ? sizes.size() : scales.size();
  if (count != axes.size())
    return fail((scales.empty() ? "sizes" : "scales") + Twine(" has ") +
                Twine(count) + " entries for " + Twine(axes.size()) +
                " resized axes");
  if (!roi.empty() && roi.size() != 2 * axes.size())
    return fail("roi has " + Twine(roi.size()) + " entries, expected " +
                Twine(2 * axes.size()));

  // One scale (and size) per dimension: untouched dimensions keep 1.
  SmallVector<double> fullScales(rank, 1.0);
  SmallVector<int64_t> fullSizes(inShape);
  if (!scales.empty()) {
    for (auto [i, a] : llvm::enumerate(axes))
      fullScales[a] = scales[i];
  } else {
    double keep = policy == "not_larger" ? INFINITY : 0.0;
    for (auto [i, a] : llvm::enumerate(axes)) {
      if (inShape[a] <= 0)
        return fail("cannot resize dimension " + Twine(a) + " of size " +
                    Twine(inShape[a]) + " to a given size");
      fullScales[a] = double(sizes[i]) / double(inShape[a]);
      fullSizes[a] = sizes[i];
      keep = policy == "not_larger" ? std::min(keep, fullScales[a])
                                    : std::max(keep, fullScales[a]);
    }
    // Keeping the aspect ratio uses one scale, rounded half up per axis.
    if (policy != "stretch")
      for (int64_t a : axes) {
        fullScales[a] = keep;
        fullSizes[a] = int64_t(keep * double(inShape[a]) + 0.5);
      }
  }
  SmallVector<NamedAttribute> attrs = {
      named("scales", builder.getDenseF64ArrayAttr(fullScales)),
      named("mode", ResizeModeAttr::get(ctx, *mode)),
      named("coordinate_transformation_mode",
            ResizeCoordinateModeAttr::get(ctx, *coord)),
      named("nearest_mode", ResizeNearestModeAttr::get(ctx, *nearest)),
      named("cubic_coeff_a",
            builder.getF32FloatAttr(floatAttr("cubic_coeff_a", -0.75f))),
      named("exclude_outside",
            builder.getBoolAttr(intAttr("exclude_outside", 0) != 0)),
      named("antialias", builder.getBoolAttr(intAttr("antialias", 0) != 0)),
      named("extrapolation_value",
            builder.getF32FloatAttr(floatAttr("extrapolation_value", 0.0f)))};
  if (!sizes.empty())
    attrs.push_back(named("sizes", builder.getDenseI64ArrayAttr(fullSizes)));
  if (*coord == ResizeCoordinateMode::TfCropAndResize) {
    SmallVector<double> fullRoi(rank, 0.0);
    fullRoi.append(rank, 1.0);
    for (size_t i = 0; i < roi.size() / 2; ++i) {
      fullRoi[axes[i]] = roi[i];
      fullRoi[rank + axes[i]] = roi[axes.size() + i];
    }
    attrs.push_back(named("roi", builder.getDenseF64ArrayAttr(fullRoi)));
  }
  FailureOr<Value> y = build1(ResizeOp::getOperationName(), {*x}, attrs);
  return failed(y) ? failure() : define(node->output(0), *y);
}

LogicalResult Importer::importConstant() {
  if (const onnx::AttributeProto *a = attr("value")) {
    FailureOr<ElementsAttr> v = convertTensor(a->t(), /*allowResource=*/true);
    return failed(v) ? failure() : defineConstant(node->output(0), *v);
  }
  Folded f;
  if (const onnx::AttributeProto *a = attr("value_float")) {
    f.elementType = builder.getF32Type();
    f.floats = {a->f()};
  } else if (const onnx::AttributeProto *a = attr("value_floats")) {
    f.elementType = builder.getF32Type();
    f.floats.assign(a->floats().begin(), a->floats().end());
    f.shape = {int64_t(f.floats.size())};
  } else if (const onnx::AttributeProto *a = attr("value_int")) {
    f.elementType = builder.getIntegerType(64);
    f.ints = {a->i()};
  } else if (const onnx::AttributeProto *a = attr("value_ints")) {
    f.elementType = builder.getIntegerType(64);
    f.ints.assign(a->ints().begin(), a->ints().end());
    f.shape = {int64_t(f.ints.size())};
  } else {
    return fail("Constant needs a value, value_float(s) or value_int(s) "
                "attribute (sparse and string constants are not supported)");
  }
  return defineFolded(node->output(0), f);
}

LogicalResult Importer::importConstantOfShape() {
  FailureOr<SmallVector<int64_t>> shape = constInts(input(0), "shape");
  if (failed(shape))
    return failure();
  Folded f;
  f.shape = *shape;
  if (shapeProduct(f.shape) < 0)
    return fail("shape has a negative dimension");
  f.elementType = builder.getF32Type();
  double fill = 0;
  if (const onnx::AttributeProto *a = attr("value")) {
    FailureOr<ElementsAttr> v = convertTensor(a->t(), false);
    if (failed(v))
      return failure();
    auto dense = v->dyn_cast<DenseElementsAttr>();
    if (!dense || dense.getNumElements() != 1)
      return fail("value must hold one element");
    f.elementType = dense.getElementType();
    if (f.isFloat())
      fill = (*dense.getValues<APFloat>().begin()).convertToDouble();
    else
      fill = double((*dense.getValues<APInt>().begin()).getSExtValue());
  }
  auto type = RankedTensorType::get(f.shape, f.elementType);
  Attribute splat =
      f.isFloat()
          ? Attribute(builder.getFloatAttr(f.elementType, fill))
          : Attribute(builder.getIntegerAttr(f.elementType, int64_t(fill)));
  return defineConstant(node->output(0), DenseElementsAttr::get(type, splat));
}

LogicalResult Importer::importShape() {
  FailureOr<Value> x = operand(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> s = typeOf(*x).getShape();
  int64_t rank = s.size();
  int64_t start = intAttr("start", 0), end = intAttr("end", rank);
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  Folded f;
  f.elementType = builder.getIntegerType(64);
  f.ints.assign(s.begin() + start, s.begin() + end);
  f.shape = {end - start};
  return defineFolded(node->output(0), f);
}

LogicalResult Importer::importCast() {
  FailureOr<Type> to = elementType(intAttr("to", 0), "Cast target");
  return failed(to) ? failure() : importCastTo(*to);
}

LogicalResult Importer::importCastLike() {
  FailureOr<Value> like = operand(1);
  return failed(like) ? failure()
                      : importCastTo(typeOf(*like).getElementType());
}

/// Cast and CastLike of input 0 to `to` (the identity when it already is).
LogicalResult Importer::importCastTo(Type to) {
  FailureOr<Value> x = operand(0);
  if (failed(x))
    return failure();
  if (to == typeOf(*x).getElementType())
    return define(node->output(0), *x);
  auto type = RankedTensorType::get(typeOf(*x).getShape(), to);
  FailureOr<Operation *> op = build(
      CastOp::getOperationName(), {*x},
      {named("saturate", builder.getBoolAttr(intAttr("saturate", 1)))}, {type});
  return failed(op) ? failure() : define(node->output(0), (*op)->getResult(0));
}

//===----------------------------------------------------------------------===//
// Selection, broadcasting, small normalizations
//===----------------------------------------------------------------------===//

FailureOr<Value> Importer::scalarConstant(double value, Type elementType,
                                          StringRef tag) {
  Folded f;
  f.elementType = elementType;
  if (f.isFloat())
    f.floats.push_back(value);
  else
    f.ints.push_back(int64_t(value));
  std::string name = nodeName + "__" + tag.str();
  if (!constants.count(name) && failed(defineFolded(name, f)))
    return failure();
  return lookup(name);
}

FailureOr<Value> Importer::transpose(Value v, ArrayRef<int64_t> perm) {
  return build1(TransposeOp::getOperationName(), {v},
                {named("perm", builder.getDenseI64ArrayAttr(perm))});
}

LogicalResult Importer::importWhere() {
  FailureOr<Value> c = operand(0), x = operand(1), y = operand(2);
  if (failed(c) || failed(x) || failed(y))
    return failure();
  FailureOr<Value> r = build1(WhereOp::getOperationName(), {*c, *x, *y});
  return failed(r) ? failure() : define(node->output(0), *r);
}

/// Expand and Tile: input 1 is a constant integer list that becomes the
/// attribute `attrName`.
LogicalResult Importer::importWithConstList(StringRef opName,
                                            StringRef attrName) {
  FailureOr<Value> x = operand(0);
  if (failed(x))
    return failure();
  FailureOr<SmallVector<int64_t>> list = constInts(input(1), attrName);
  if (failed(list))
    return failure();
  FailureOr<Value> r = build1(
      opName, {*x}, {named(attrName, builder.getDenseI64ArrayAttr(*list))});
  return failed(r) ? failure() : define(node->output(0), *r);
}

LogicalResult Importer::importMean() {
  if (node->input_size() < 1)
    return fail("needs at least one input");
  FailureOr<Value> acc = operand(0);
  if (failed(acc))
    return failure();
  for (int i = 1; i < node->input_size(); ++i) {
    FailureOr<Value> next = operand(i);
    if (failed(next))
      return failure();
    acc = build1(AddOp::getOperationName(), {*acc, *next});
    if (failed(acc))
      return failure();
  }
  Type element = typeOf(*acc).getElementType();
  if (!element.isa<FloatType>())
    return fail("Mean needs float inputs");
  FailureOr<Value> n = scalarConstant(node->input_size(), element, "count");
  if (failed(n))
    return failure();
  FailureOr<Value> r = build1(DivOp::getOperationName(), {*acc, *n});
  return failed(r) ? failure() : define(node->output(0), *r);
}

LogicalResult Importer::importInstanceNorm() {
  FailureOr<SmallVector<Value>> operandsList = requiredOperands(3);
  if (failed(operandsList))
    return failure();
  SmallVector<Value> &operands = *operandsList;
  FailureOr<Operation *> op = build(
      InstanceNormOp::getOperationName(), operands,
      {named("epsilon", builder.getF32FloatAttr(floatAttr("epsilon", 1e-5f)))},
      {operands[0].getType()});
  return failed(op) ? failure() : define(node->output(0), (*op)->getResult(0));
}

LogicalResult Importer::importLrn() {
  FailureOr<Value> x = operand(0);
  if (failed(x))
    return failure();
  if (!attr("size"))
    return fail("size is required");
  FailureOr<Operation *> op =
      build(LrnOp::getOperationName(), {*x},
            {named("size", builder.getI64IntegerAttr(intAttr("size", 1))),
             named("alpha", builder.getF32FloatAttr(floatAttr("alpha", 1e-4f))),
             named("beta", builder.getF32FloatAttr(floatAttr("beta", 0.75f))),
             named("bias", builder.getF32FloatAttr(floatAttr("bias", 1.0f)))},
            {x->getType()});
  return failed(op) ? failure() : define(node->output(0), (*op)->getResult(0));
}

/// SpaceToDepth and DepthToSpace as reshape, transpose, reshape.
LogicalResult Importer::importSpaceDepth(bool toDepth) {
  FailureOr<Value> x = operand(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> s = typeOf(*x).getShape();
  int64_t b = intAttr("blocksize", 0);
  if (s.size() != 4 || llvm::any_of(s, ShapedType::isDynamic))
    return fail("the input must be a static N x C x H x W tensor");
  if (b < 1)
    return fail("blocksize must be positive, got " + Twine(b));
  int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  SmallVector<int64_t> split, perm, result;
  if (toDepth) {
    if (h % b || w % b)
      return fail("H and W must be multiples of blocksize " + Twine(b));
    split = {n, c, h / b, b, w / b, b};
    perm = {0, 3, 5, 1, 2, 4};
    result = {n, c * b * b, h / b, w / b};
  } else {
    if (c % (b * b))
      return fail("C must be a multiple of blocksize^2 = " + Twine(b * b));
    std::string mode = stringAttr("mode", "DCR");
    if (mode == "DCR") {
      split = {n, b, b, c / (b * b), h, w};
      perm = {0, 3, 4, 1, 5, 2};
    } else if (mode == "CRD") {
      split = {n, c / (b * b), b, b, h, w};
      perm = {0, 1, 4, 2, 5, 3};
    } else {
      return fail("mode must be DCR or CRD, got '" + mode + "'");
    }
    result = {n, c / (b * b), h * b, w * b};
  }
  FailureOr<Value> v = reshape(*x, split);
  if (succeeded(v))
    v = transpose(*v, perm);
  if (succeeded(v))
    v = reshape(*v, result);
  return failed(v) ? failure() : define(node->output(0), *v);
}

/// Training-mode BatchNormalization: statistics of the batch normalize it;
/// the running mean and variance outputs blend in `momentum`.
LogicalResult Importer::importBatchNormTraining() {
  FailureOr<SmallVector<Value>> inList = requiredOperands(5);
  if (failed(inList))
    return failure();
  SmallVector<Value> &in = *inList;
  RankedTensorType xt = typeOf(in[0]);
  if (xt.getRank() < 2)
    return fail("the input must be N x C x ...");
  Type element = xt.getElementType();
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < xt.getRank(); ++d)
    if (d != 1)
      axes.push_back(d);
  auto reduce = [&](Value v, bool keep) {
    return build1(ReduceMeanOp::getOperationName(), {v},
                  {named("axes", builder.getDenseI64ArrayAttr(axes)),
                   named("keepdims", builder.getBoolAttr(keep))});
  };
  // Population variance, as numpy's var().
  FailureOr<Value> meanKeep = reduce(in[0], true);
  FailureOr<Value> mean = reduce(in[0], false);
  if (failed(meanKeep) || failed(mean))
    return failure();
  FailureOr<Value> d = build1(SubOp::getOperationName(), {in[0], *meanKeep});
  if (failed(d))
    return failure();
  FailureOr<Value> d2 = build1(MulOp::getOperationName(), {*d, *d});
  if (failed(d2))
    return failure();
  FailureOr<Value> var = reduce(*d2, false);
  if (failed(var))
    return failure();
  FailureOr<Operation *> y = build(
      BatchNormOp::getOperationName(), {in[0], in[1], in[2], *mean, *var},
      {named("epsilon", builder.getF32FloatAttr(floatAttr("epsilon", 1e-5f)))},
      {xt});
  if (failed(y) || failed(define(node->output(0), (*y)->getResult(0))))
    return failure();
  // Running statistics: stat * momentum + batch_stat * (1 - momentum).
  double momentum = floatAttr("momentum", 0.9f);
  FailureOr<Value> m = scalarConstant(momentum, element, "momentum");
  FailureOr<Value> rest = scalarConstant(1.0 - momentum, element, "rest");
  if (failed(m) || failed(rest))
    return failure();
  for (int k = 1; k <= 2 && k < node->output_size(); ++k) {
    if (node->output(k).empty())
      continue;
    Value running = in[2 + k], batch = k == 1 ? *mean : *var;
    FailureOr<Value> a = build1(MulOp::getOperationName(), {running, *m});
    FailureOr<Value> b = build1(MulOp::getOperationName(), {batch, *rest});
    if (failed(a) || failed(b))
      return failure();
    FailureOr<Value> r = build1(AddOp::getOperationName(), {*a, *b});
    if (failed(r) || failed(define(node->output(k), *r)))
      return failure();
  }
  for (int k = 3; k < node->output_size(); ++k)
    if (!node->output(k).empty())
      return fail("output " + Twine(k) + " ('" + node->output(k) +
                  "') is not supported");
  return success();
}

/// Inference-mode Dropout is the identity with an all-true mask; training
/// mode with a nonzero ratio is random and is not supported.
LogicalResult Importer::importDropout() {
  FailureOr<Value> x = operand(0);
  if (failed(x))
    return failure();
  bool training = false;
  if (opset >= 12 && hasInput(2)) {
    FailureOr<Folded> t = folded(input(2));
    if (failed(t) || t->size() != 1)
      return fail("training_mode must be a constant scalar");
    training = t->isFloat() ? t->floats[0] != 0 : t->ints[0] != 0;
  }
  if (training) {
    double ratio = 0.5;
    if (hasInput(1)) {
      FailureOr<Folded> r = folded(input(1));
      if (failed(r) || r->size() != 1)
        return fail("ratio must be a constant scalar");
      ratio = r->isFloat() ? r->floats[0] : double(r->ints[0]);
    }
    if (ratio != 0)
      return fail("training-mode dropout with ratio " + std::to_string(ratio) +
                  " is random and not supported");
  }
  if (ElementsAttr c = constant(input(0))) {
    if (failed(defineConstant(node->output(0), c)))
      return failure();
  } else if (failed(define(node->output(0), *x))) {
    return failure();
  }
  if (node->output_size() > 1 && !node->output(1).empty()) {
    ArrayRef<int64_t> shape = typeOf(*x).getShape();
    if (llvm::any_of(shape, ShapedType::isDynamic))
      return fail("the mask output needs a static input shape");
    auto type = RankedTensorType::get(shape, builder.getI1Type());
    if (failed(defineConstant(node->output(1),
                              DenseElementsAttr::get(type, true))))
      return failure();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// QuantizeLinear / DequantizeLinear
//===----------------------------------------------------------------------===//

/// The integer types cim.quantize_linear / cim.dequantize_linear hold.
static bool isQuantizedIntegerType(Type type) {
  auto integer = type.dyn_cast<IntegerType>();
  if (!integer || integer.isSigned())
    return false;
  unsigned width = integer.getWidth();
  return width == 2 || width == 4 || width == 8 || width == 16 ||
         (width == 32 && integer.isSignless());
}

LogicalResult Importer::importQuantizeLinear(bool quantize) {
  if (int64_t block = intAttr("block_size", 0))
    return fail("block quantization (block_size = " + Twine(block) +
                ") is not supported");
  FailureOr<Value> x = operand(0);
  if (failed(x))
    return failure();
  FailureOr<Value> scale = operand(1);
  if (failed(scale))
    return failure();
  RankedTensorType xType = typeOf(*x), scaleType = typeOf(*scale);
  ArrayRef<int64_t> scaleShape = scaleType.getShape();
  int64_t count = shapeProduct(scaleShape);
  if (scaleShape.size() > 1)
    return fail("scale of shape " + shapeText(scaleShape) +
                " means block quantization, which is not supported");
  if (!scaleType.getElementType().isa<FloatType>())
    return fail("scale must be a float tensor");
  int64_t axis = intAttr("axis", 1);
  if (count != 1) {
    auto norm = normalizeAxis(axis, xType.getRank());
    if (!norm)
      return fail("axis " + Twine(axis) + " is out of range for rank " +
                  Twine(xType.getRank()));
    if (xType.getDimSize(*norm) != count)
      return fail("per-axis scale has " + Twine(count) + " elements but axis " +
                  Twine(axis) + " of the input has " +
                  Twine(xType.getDimSize(*norm)));
  }
  Value zeroPoint;
  if (hasInput(2)) {
    FailureOr<Value> zp = operand(2);
    if (failed(zp))
      return failure();
    zeroPoint = *zp;
    if (shapeProduct(typeOf(zeroPoint).getShape()) != count ||
        typeOf(zeroPoint).getRank() > 1)
      return fail("zero point of shape " +
                  shapeText(typeOf(zeroPoint).getShape()) +
                  " does not match the scale's " + shapeText(scaleShape));
  }
  NamedAttribute axisAttr = named("axis", builder.getI64IntegerAttr(axis));

  if (!quantize) {
    Type intType = xType.getElementType();
    if (!isQuantizedIntegerType(intType))
      return fail("dequantizing " +
                  Twine(xType.getElementType().isa<FloatType>()
                            ? "a float tensor"
                            : "this integer type") +
                  " is not supported (int2, uint2, int4, uint4, int8, uint8, "
                  "int16, uint16, int32)");
    if (zeroPoint && typeOf(zeroPoint).getElementType() != intType)
      return fail("zero point and input have different element types");
    if (scaleType.getElementType() != builder.getF32Type())
      return fail("scale must be float32");
    SmallVector<Value> operands = {*x, *scale};
    if (zeroPoint)
      operands.push_back(zeroPoint);
    FailureOr<Value> y =
        build1(DequantizeLinearOp::getOperationName(), operands, {axisAttr});
    return failed(y) ? failure() : define(node->output(0), *y);
  }

  if (xType.getElementType() != scaleType.getElementType())
    return fail("input and scale have different element types");
  if (!xType.getElementType().isF32())
    return fail("quantizing a non-float32 tensor is not supported");
  // The result type: the zero point's, else output_dtype, else uint8.
  Type intType = zeroPoint ? typeOf(zeroPoint).getElementType()
                           : Type(builder.getIntegerType(8, false));
  if (const onnx::AttributeProto *dtype = attr("output_dtype");
      dtype && dtype->i() != 0) {
    FailureOr<Type> t = elementType(dtype->i(), "output_dtype");
    if (failed(t))
      return failure();
    if (zeroPoint && *t != intType)
      return fail("output_dtype disagrees with the zero point's type");
    intType = *t;
  }
  if (!isQuantizedIntegerType(intType))
    return fail("quantizing to this integer type is not supported (int2, "
                "uint2, int4, uint4, int8, uint8, int16, uint16)");
  if (!zeroPoint) {
    auto zpType = RankedTensorType::get(scaleShape, intType);
    zeroPoint = builder.create<ConstantOp>(
        nodeLoc(), DenseElementsAttr::get(
                       zpType, APInt(intType.getIntOrFloatBitWidth(), 0)));
  }
  FailureOr<Value> y = build1(QuantizeLinearOp::getOperationName(),
                              {*x, *scale, zeroPoint}, {axisAttr});
  return failed(y) ? failure() : define(node->output(0), *y);
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

/// onnx::OnnxParser's message is three lines, "[ParseError at position
/// (line: L column: C)]", "Error context: TEXT" and what was expected; this
/// emits them as one error located at L:C.
static void reportTextParseError(StringRef bufferName, StringRef message,
                                 MLIRContext *context) {
  unsigned line = 0, column = 0;
  std::string what, near;
  SmallVector<StringRef> lines;
  message.split(lines, '\n', -1, /*KeepEmpty=*/false);
  for (StringRef l : lines) {
    l = l.trim();
    if (l.consume_front("[ParseError at position (line: ")) {
      auto [lineText, rest] = l.split(" column: ");
      (void)lineText.getAsInteger(10, line);
      (void)rest.take_while(llvm::isDigit).getAsInteger(10, column);
    } else if (l.consume_front("Error context:")) {
      near = l.trim().str();
    } else {
      what += (what.empty() ? "" : " ") + l.str();
    }
  }
  InFlightDiagnostic diag =
      emitError(FileLineColLoc::get(context, bufferName, line, column))
      << "cannot parse ONNX text: "
      << toOneLine(what.empty() ? "syntax error" : what);
  if (!near.empty())
    diag << " (near '" << toOneLine(near, 80) << "')";
}

void cim::registerImporterDialects(MLIRContext &context) {
  context.loadDialect<CIMDialect, func::FuncDialect>();
}

OwningOpRef<ModuleOp> cim::importOnnxBuffer(StringRef buffer,
                                            StringRef bufferName, bool isText,
                                            MLIRContext *context,
                                            const ImportOptions &options,
                                            StringRef baseDir) {
  registerImporterDialects(*context);
  Location loc = FileLineColLoc::get(context, bufferName, 0, 0);
  if (buffer.empty()) {
    emitError(loc) << "file is empty, not an ONNX model";
    return {};
  }
  onnx::ModelProto model;
  if (isText) {
    std::string text = buffer.str();
    onnx::Status status;
    // The ONNX parser throws on some malformed numbers (std::stoi, stof)
    // instead of returning a status.
    try {
      status = onnx::OnnxParser::Parse(model, text.c_str());
    } catch (const std::exception &e) {
      emitError(loc) << "cannot parse ONNX text: malformed number (" << e.what()
                     << ")";
      return {};
    }
    if (!status.IsOK()) {
      reportTextParseError(bufferName, status.ErrorMessage(), context);
      return {};
    }
  } else if (buffer.size() > size_t(INT32_MAX) ||
             !model.ParseFromArray(buffer.data(), int(buffer.size()))) {
    emitError(loc) << "not a valid ONNX model (protobuf parse failed; the "
                      "file may be truncated or of another type)";
    return {};
  }
  Importer importer(context, options, bufferName, baseDir);
  return importer.importModel(model);
}

OwningOpRef<ModuleOp> cim::importOnnxFile(StringRef path, MLIRContext *context,
                                          const ImportOptions &options) {
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file) {
    emitError(FileLineColLoc::get(context, path, 0, 0))
        << "cannot read file: " << file.getError().message();
    return {};
  }
  StringRef ext = llvm::sys::path::extension(path);
  bool isText = ext == ".onnxtxt" || ext == ".onnxtext" || ext == ".txt";
  SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  return importOnnxBuffer((*file)->getBuffer(), path, isText, context, options,
                          dir);
}

LogicalResult cim::parseInputShape(StringRef text, ImportOptions &options,
                                   std::string &error) {
  auto [name, dims] = text.rsplit('=');
  if (dims.empty()) {
    dims = name;
    name = "";
  }
  SmallVector<StringRef> parts;
  dims.split(parts, 'x');
  std::vector<int64_t> shape;
  for (StringRef p : parts) {
    int64_t d;
    if (p.getAsInteger(10, d) || d < 0) {
      error = "bad --input-shape '" + text.str() +
              "': expected NAME=D1xD2x... with non-negative integers";
      return failure();
    }
    shape.push_back(d);
  }
  options.inputShapes[name] = shape;
  return success();
}
