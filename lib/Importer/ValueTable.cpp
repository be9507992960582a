//===- ValueTable.cpp - ONNX value names to SSA values and constants ------===//
//
// Every ONNX value name is bound once, to an SSA value or to a constant
// (an elements attribute). Constants are materialized as cim.constant at
// the top of the function in first-use order, so weights that only feed
// folded shape computations never appear in the IR. While a node is folded
// (ConstantFolding.cpp), lookups and definitions go to its scratch block.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

#include "cim/Dialect/CIM/CIMOps.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::importer;

Value GraphImporter::lookup(StringRef name) {
  if (fold) {
    if (Value v = fold->values.lookup(name))
      return v;
    if (ElementsAttr c = constant(name)) {
      OpBuilder scratch = OpBuilder::atBlockBegin(fold->block);
      Value v = scratch.create<ConstantOp>(getFileLoc(), c).getResult();
      fold->values[name] = v;
      return v;
    }
  }
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
      NameLoc::get(builder.getStringAttr(name), getFileLoc()), c->second);
  lastConstant = op;
  values[name] = op.getResult();
  return op.getResult();
}

ElementsAttr GraphImporter::constant(StringRef name) const {
  return constants.lookup(name);
}

FailureOr<HostTensor> GraphImporter::constantTensor(StringRef name) const {
  ElementsAttr attr = constant(name);
  if (!attr || attr.getNumElements() > kMaxFoldElements)
    return failure();
  // The executor's conversion reads dense, splat and resource constants of
  // every supported type.
  return toHostTensor(attr);
}

FailureOr<SmallVector<int64_t>> GraphImporter::constInts(StringRef name,
                                                         StringRef what) {
  FailureOr<HostTensor> tensor = constantTensor(name);
  if (failed(tensor) || holdsFloats(tensor->getKind())) {
    (void)fail(what + " ('" + name + "') must be a constant integer tensor");
    return failure();
  }
  SmallVector<int64_t> ints;
  for (int64_t i = 0, e = tensor->getNumElements(); i < e; ++i)
    ints.push_back(tensor->getAsInt64(i));
  return ints;
}

FailureOr<float> GraphImporter::constFloat(StringRef name, StringRef what) {
  FailureOr<HostTensor> tensor = constantTensor(name);
  if (failed(tensor) || tensor->getNumElements() != 1) {
    (void)fail(what + " ('" + name + "') must be a constant scalar");
    return failure();
  }
  return holdsFloats(tensor->getKind()) ? float(tensor->getAsDouble(0))
                                        : float(tensor->getAsInt64(0));
}

LogicalResult GraphImporter::checkUndefined(StringRef name) {
  if (values.count(name) || constants.count(name) ||
      (fold && fold->values.count(name)))
    return fail("output '" + name + "' is defined twice");
  return success();
}

LogicalResult GraphImporter::define(StringRef name, Value value) {
  if (name.empty())
    return success();
  if (failed(checkUndefined(name)))
    return failure();
  // Shapes computed from constants (Expand, Tile, Resize, ...) are bounded
  // like declared ones.
  if (auto type = value.getType().dyn_cast<ShapedType>();
      type && type.hasRank()) {
    std::string problem = checkTensorShape(type.getShape());
    if (!problem.empty())
      return fail("output '" + name + "' would be tensor<" +
                  shapeText(type.getShape()) + ">: " + problem);
  }
  (fold ? fold->values : values)[name] = value;
  return success();
}

LogicalResult GraphImporter::defineConstant(StringRef name,
                                            ElementsAttr value) {
  if (name.empty())
    return success();
  if (failed(checkUndefined(name)))
    return failure();
  if (fold) {
    // Evaluated with the node's other results.
    OpBuilder scratch = OpBuilder::atBlockBegin(fold->block);
    fold->values[name] =
        scratch.create<ConstantOp>(getFileLoc(), value).getResult();
    return success();
  }
  constants[name] = value;
  return success();
}

LogicalResult GraphImporter::defineFolded(StringRef name,
                                          const HostTensor &value) {
  // While folding, the attribute is made once the node is evaluated.
  return defineConstant(name, fold ? toElementsAttr(context, value)
                                   : converter.getFoldedAttr(name, value));
}

LogicalResult GraphImporter::defineOutput(FailureOr<Value> value) {
  return failed(value) ? failure() : define(output(0), *value);
}

LogicalResult GraphImporter::defineOutput(FailureOr<Operation *> op) {
  return failed(op) ? failure() : define(output(0), (*op)->getResult(0));
}

FailureOr<Value> GraphImporter::internConstant(StringRef name,
                                               const HostTensor &tensor) {
  if (Value existing = lookup(name))
    return existing;
  if (failed(defineFolded(name, tensor)))
    return failure();
  return lookup(name);
}

FailureOr<Value> GraphImporter::scalarConstant(double value, Type elementType,
                                               StringRef tag) {
  std::optional<ElementKind> kind = getElementKind(elementType);
  if (!kind) {
    (void)fail("a constant " + tag + " of this element type is not supported");
    return failure();
  }
  HostTensor scalar(*kind, {});
  if (holdsFloats(scalar.getKind()))
    scalar.setFromDouble(0, value);
  else
    scalar.setFromInt64(0, int64_t(value));
  return internConstant(getNodeName().str() + "__" + tag.str(), scalar);
}
