//===- ConstantOps.cpp - Constants, shapes, casts, identities -------------===//
//
// Operators whose result is known at import time (Constant,
// ConstantOfShape, Shape of a static shape) or that pass a value through
// (Identity, inference-mode Dropout, Cast to the same type), and casts.
//
//===----------------------------------------------------------------------===//

#include "OpImporters.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/CIMShapes.h"

#include <cmath>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::importer;

static LogicalResult importConstant(GraphImporter &gi) {
  if (const onnx::AttributeProto *a = gi.attr("value")) {
    FailureOr<ElementsAttr> v =
        gi.convertTensor(a->t(), /*allowResource=*/true);
    return failed(v) ? failure() : gi.defineConstant(gi.output(0), *v);
  }
  HostTensor value;
  if (const onnx::AttributeProto *a = gi.attr("value_float")) {
    value = HostTensor::fromValues<float>({}, {a->f()});
  } else if (const onnx::AttributeProto *a = gi.attr("value_floats")) {
    SmallVector<float> floats(a->floats().begin(), a->floats().end());
    value = HostTensor::fromValues<float>({int64_t(floats.size())}, floats);
  } else if (const onnx::AttributeProto *a = gi.attr("value_int")) {
    value = HostTensor::fromValues<int64_t>({}, {int64_t(a->i())});
  } else if (const onnx::AttributeProto *a = gi.attr("value_ints")) {
    SmallVector<int64_t> ints(a->ints().begin(), a->ints().end());
    value = HostTensor::fromValues<int64_t>({int64_t(ints.size())}, ints);
  } else {
    return gi.fail("Constant needs a value, value_float(s) or value_int(s) "
                   "attribute (sparse and string constants are not "
                   "supported)");
  }
  return gi.defineFolded(gi.output(0), value);
}

static LogicalResult importConstantOfShape(GraphImporter &gi) {
  FailureOr<SmallVector<int64_t>> shape = gi.constInts(gi.input(0), "shape");
  if (failed(shape))
    return failure();
  if (shapeProduct(*shape) < 0)
    return gi.fail("shape has a negative dimension");
  OpBuilder &b = gi.getBuilder();
  Type element = b.getF32Type();
  Attribute fill = b.getF32FloatAttr(0);
  if (const onnx::AttributeProto *a = gi.attr("value")) {
    FailureOr<ElementsAttr> v = gi.convertTensor(a->t(), false);
    if (failed(v))
      return failure();
    auto dense = v->dyn_cast<DenseElementsAttr>();
    if (!dense || dense.getNumElements() != 1)
      return gi.fail("value must hold one element");
    element = dense.getElementType();
    fill =
        element.isa<FloatType>()
            ? Attribute(b.getFloatAttr(
                  element,
                  (*dense.getValues<APFloat>().begin()).convertToDouble()))
            : Attribute(b.getIntegerAttr(
                  element, (*dense.getValues<APInt>().begin()).getSExtValue()));
  }
  auto type = RankedTensorType::get(*shape, element);
  return gi.defineConstant(gi.output(0), DenseElementsAttr::get(type, fill));
}

/// Shape (with Shape-15's start and end) of the static input shape.
static LogicalResult importShape(GraphImporter &gi) {
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> s = gi.typeOf(*x).getShape();
  int64_t rank = s.size();
  int64_t start = gi.intAttr("start", 0), end = gi.intAttr("end", rank);
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  return gi.defineFolded(gi.output(0),
                         HostTensor::fromValues<int64_t>(
                             {end - start}, s.slice(start, end - start)));
}

/// Size: the element count of a statically shaped input, an int64 scalar.
static LogicalResult importSize(GraphImporter &gi) {
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  int64_t count = gi.typeOf(*x).getNumElements();
  return gi.defineFolded(gi.output(0),
                         HostTensor::fromValues<int64_t>({}, {count}));
}

/// Range of constant scalars: max(ceil((limit - start) / delta), 0) values
/// start + i * delta, in the inputs' type (computed in double for floats,
/// in int64 for integers, as the operator's definition).
static LogicalResult importRange(GraphImporter &gi) {
  FailureOr<HostTensor> start = gi.constantTensor(gi.input(0)),
                        limit = gi.constantTensor(gi.input(1)),
                        delta = gi.constantTensor(gi.input(2));
  if (failed(start) || failed(limit) || failed(delta))
    return gi.fail("start, limit and delta must be constants");
  if (start->getNumElements() != 1 || limit->getNumElements() != 1 ||
      delta->getNumElements() != 1)
    return gi.fail("start, limit and delta must be scalars");
  if (start->getKind() != limit->getKind() ||
      start->getKind() != delta->getKind())
    return gi.fail("start, limit and delta have different element types");
  bool isFloat = start->isFloat();
  double s = start->getAsDouble(0), l = limit->getAsDouble(0),
         d = delta->getAsDouble(0);
  if (d == 0 || std::isnan(s) || std::isnan(l) || std::isnan(d))
    return gi.fail("delta must be nonzero and the bounds numbers");
  double count = std::max(0.0, std::ceil((l - s) / d));
  if (count > double(int64_t(1) << 31))
    return gi.fail("the range has more than 2^31 elements");
  int64_t n = int64_t(count);
  HostTensor result(start->getKind(), {n});
  for (int64_t i = 0; i < n; ++i) {
    if (isFloat)
      result.setFromDouble(i, s + double(i) * d);
    else
      result.setFromInt64(i, start->getAsInt64(0) + i * delta->getAsInt64(0));
  }
  return gi.defineFolded(gi.output(0), result);
}

/// Cast and CastLike of input 0 to `to` (the identity when it already is).
static LogicalResult importCastTo(GraphImporter &gi, Type to) {
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  // round_mode (opset 24) rounds casts to float8e8m0.
  std::string roundMode = gi.stringAttr("round_mode", "up");
  if (!parseE8M0Rounding(roundMode))
    return gi.fail("round_mode must be \"up\", \"down\" or \"nearest\", "
                   "got \"" +
                   roundMode + "\"");
  if (to == gi.typeOf(*x).getElementType())
    return gi.define(gi.output(0), *x);
  auto type = RankedTensorType::get(gi.typeOf(*x).getShape(), to);
  SmallVector<NamedAttribute> attrs = {gi.named(
      "saturate", gi.getBuilder().getBoolAttr(gi.intAttr("saturate", 1)))};
  if (roundMode != "up")
    attrs.push_back(
        gi.named("round_mode", gi.getBuilder().getStringAttr(roundMode)));
  return gi.defineOutput(
      gi.build(CastOp::getOperationName(), {*x}, attrs, {type}));
}

static LogicalResult importCast(GraphImporter &gi) {
  FailureOr<Type> to = gi.elementType(gi.intAttr("to", 0), "Cast target");
  return failed(to) ? failure() : importCastTo(gi, *to);
}

static LogicalResult importCastLike(GraphImporter &gi) {
  FailureOr<Value> like = gi.operand(1);
  return failed(like) ? failure()
                      : importCastTo(gi, gi.typeOf(*like).getElementType());
}

/// Output 0 is input 0: the same constant, or the same value.
static LogicalResult forwardInput(GraphImporter &gi) {
  if (ElementsAttr c = gi.constant(gi.input(0)))
    return gi.defineConstant(gi.output(0), c);
  FailureOr<Value> v = gi.operand(0);
  return failed(v) ? failure() : gi.define(gi.output(0), *v);
}

/// A constant scalar of any type as a double; `what` names it in the error.
static FailureOr<double> constScalar(GraphImporter &gi, int index,
                                     StringRef what) {
  FailureOr<HostTensor> t = gi.constantTensor(gi.input(index));
  if (failed(t) || t->getNumElements() != 1) {
    (void)gi.fail(what + " must be a constant scalar");
    return failure();
  }
  if (isFloatKind(t->getKind()) || isFloat16Kind(t->getKind()))
    return t->getAsDouble(0);
  return double(t->getAsInt64(0));
}

/// Inference-mode Dropout is the identity with an all-true mask; training
/// mode (an input from Dropout-12) with a nonzero ratio is random and is
/// not supported.
template <bool TrainingModeInput>
static LogicalResult importDropout(GraphImporter &gi) {
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  bool training = false;
  if (TrainingModeInput && gi.hasInput(2)) {
    FailureOr<double> t = constScalar(gi, 2, "training_mode");
    if (failed(t))
      return failure();
    training = *t != 0;
  }
  if (training) {
    double ratio = 0.5;
    if (gi.hasInput(1)) {
      FailureOr<double> r = constScalar(gi, 1, "ratio");
      if (failed(r))
        return failure();
      ratio = *r;
    }
    if (ratio != 0)
      return gi.fail("training-mode dropout with ratio " +
                     std::to_string(ratio) + " is random and not supported");
  }
  if (failed(forwardInput(gi)))
    return failure();
  if (!gi.hasOutput(1))
    return success();
  ArrayRef<int64_t> shape = gi.typeOf(*x).getShape();
  if (llvm::any_of(shape, ShapedType::isDynamic))
    return gi.fail("the mask output needs a static input shape");
  auto type = RankedTensorType::get(shape, gi.getBuilder().getI1Type());
  return gi.defineConstant(gi.output(1), DenseElementsAttr::get(type, true));
}

void importer::registerConstantOps(OpRegistry &registry) {
  registry.add("Constant", importConstant);
  registry.add("ConstantOfShape", importConstantOfShape);
  registry.add("Shape", importShape);
  registry.add("Size", importSize);
  registry.add("Range", importRange);
  // Casts and copies of constants are evaluated at import.
  registry.add("Cast", importCast, Folding::WhenConstant);
  registry.add("CastLike", importCastLike, Folding::WhenConstant);
  registry.add("Identity", forwardInput, Folding::WhenConstant);
  registry.add("Dropout", importDropout<false>);
  registry.add("Dropout", 12, importDropout<true>);
}
