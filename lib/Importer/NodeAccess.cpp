//===- NodeAccess.cpp - The node being imported, for op importers ---------===//
//
// Attributes, inputs and outputs of the current node, and op building with
// result type inference whose shape errors become the node's error line.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/CIMShapes.h"

#include "mlir/Interfaces/InferTypeOpInterface.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::importer;

const onnx::AttributeProto *GraphImporter::attr(StringRef name) const {
  for (const auto &a : node->attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t GraphImporter::intAttr(StringRef name, int64_t fallback) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->i() : fallback;
}

float GraphImporter::floatAttr(StringRef name, float fallback) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->f() : fallback;
}

std::string GraphImporter::stringAttr(StringRef name,
                                      StringRef fallback) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->s() : fallback.str();
}

std::optional<SmallVector<int64_t>>
GraphImporter::intsAttr(StringRef name) const {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return std::nullopt;
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

FailureOr<Type> GraphImporter::elementType(int32_t onnxType, StringRef what) {
  std::string error;
  FailureOr<Type> type = converter.getElementType(onnxType, what, error);
  if (failed(type))
    (void)fail(error);
  return type;
}

FailureOr<ElementsAttr>
GraphImporter::convertTensor(const onnx::TensorProto &tensor,
                             bool allowResource) {
  std::string error;
  FailureOr<ElementsAttr> attr =
      converter.convert(tensor, allowResource, error);
  if (failed(attr))
    (void)fail(error);
  return attr;
}

FailureOr<Value> GraphImporter::operand(int i) {
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

FailureOr<SmallVector<Value>> GraphImporter::requiredOperands(int count) {
  SmallVector<Value> operands;
  for (int i = 0; i < count; ++i) {
    FailureOr<Value> v = operand(i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  return operands;
}

LogicalResult GraphImporter::onlyFirstOutputUsed() {
  for (int i = 1; i < node->output_size(); ++i)
    if (!node->output(i).empty())
      return fail("output " + Twine(i) + " ('" + node->output(i) +
                  "') is not supported; only the first output may be used");
  return success();
}

Location GraphImporter::getNodeLoc() {
  return NameLoc::get(builder.getStringAttr(nodeName), getFileLoc());
}

FailureOr<Operation *> GraphImporter::build(StringRef opName,
                                            ValueRange operands,
                                            ArrayRef<NamedAttribute> attrs,
                                            TypeRange explicitTypes) {
  OperationState state(getNodeLoc(), opName);
  state.addOperands(operands);
  state.addAttributes(attrs);
  if (!explicitTypes.empty()) {
    state.addTypes(explicitTypes);
  } else {
    std::optional<RegisteredOperationName> info =
        RegisteredOperationName::lookup(opName, context);
    auto *infer = info ? info->getInterface<InferTypeOpInterface>() : nullptr;
    assert(infer && "op must infer its result types");
    SmallVector<Type> types;
    // Shape errors are collected and reported as one located line.
    SmallVector<std::string> messages;
    LogicalResult inferred = catchDiagnostics(
        context,
        [&] {
          return infer->inferReturnTypes(
              context, getNodeLoc(), operands,
              state.attributes.getDictionary(context), {}, types);
        },
        messages);
    if (failed(inferred)) {
      (void)fail(messages.empty() ? std::string() : messages.back());
      return failure();
    }
    state.addTypes(types);
  }
  return builder.create(state);
}

FailureOr<Value> GraphImporter::build1(StringRef opName, ValueRange operands,
                                       ArrayRef<NamedAttribute> attrs) {
  FailureOr<Operation *> op = build(opName, operands, attrs);
  if (failed(op))
    return failure();
  return (*op)->getResult(0);
}

FailureOr<Value> GraphImporter::reshape(Value v, ArrayRef<int64_t> shape) {
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

FailureOr<Value> GraphImporter::cast(Value v, Type elementType) {
  auto type = RankedTensorType::get(typeOf(v).getShape(), elementType);
  FailureOr<Operation *> op =
      build(CastOp::getOperationName(), {v}, {}, {type});
  if (failed(op))
    return failure();
  return (*op)->getResult(0);
}

FailureOr<Value> GraphImporter::transpose(Value v, ArrayRef<int64_t> perm) {
  return build1(TransposeOp::getOperationName(), {v},
                {named("perm", builder.getDenseI64ArrayAttr(perm))});
}
