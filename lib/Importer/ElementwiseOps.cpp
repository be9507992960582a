//===- ElementwiseOps.cpp - Arithmetic, activations, logic ----------------===//
//
// One cim op per ONNX operator, broadcasting as ONNX does: binary and
// variadic arithmetic, comparisons and logic, Where, unary math and
// activations (with their float attributes), Clip, Mean.
//
//===----------------------------------------------------------------------===//

#include "OpImporters.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/CIMShapes.h"
#include "cim/Tensor/HostTensor.h"

#include "mlir/Interfaces/InferTypeOpInterface.h"

#include <cmath>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::importer;

LogicalResult importer::importUnary(GraphImporter &gi, StringRef opName,
                                    ArrayRef<NamedAttribute> attrs) {
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  RegisteredOperationName info =
      *RegisteredOperationName::lookup(opName, gi.getContext());
  return gi.defineOutput(info.hasInterface<InferTypeOpInterface>()
                             ? gi.build(opName, {*x}, attrs)
                             : gi.build(opName, {*x}, attrs, {x->getType()}));
}

LogicalResult importer::importBinary(GraphImporter &gi, StringRef opName) {
  FailureOr<Value> a = gi.operand(0), b = gi.operand(1);
  if (failed(a) || failed(b))
    return failure();
  Value lhs = *a, rhs = *b;
  Type baseType = gi.typeOf(lhs).getElementType();
  Type exponentType = gi.typeOf(rhs).getElementType();
  // Pow of an integer base by a float exponent computes in f64 and
  // truncates to the base's type, as numpy does (int ** float is float64).
  if (opName == PowOp::getOperationName() && baseType.isa<IntegerType>() &&
      exponentType.isa<FloatType>() && !gi.constant(gi.input(1))) {
    Type f64 = gi.getBuilder().getF64Type();
    FailureOr<Value> base = gi.cast(lhs, f64), exponent = gi.cast(rhs, f64);
    if (failed(base) || failed(exponent))
      return failure();
    FailureOr<Value> power = gi.build1(opName, {*base, *exponent});
    return gi.defineOutput(failed(power) ? power : gi.cast(*power, baseType));
  }
  // Pow with an exponent of another type: a constant exponent is cast to
  // the base's type (as the executor's cast kernel does).
  if (opName == PowOp::getOperationName() && baseType != exponentType) {
    FailureOr<HostTensor> exponent = gi.constantTensor(gi.input(1));
    std::optional<ElementKind> kind = getElementKind(baseType);
    if (failed(exponent) || !kind)
      return gi.fail("the exponent must have the base's element type or be a "
                     "constant");
    FailureOr<Value> cast = gi.internConstant(
        gi.input(1).str() + "__as_float", convertElements(*exponent, *kind));
    if (failed(cast))
      return failure();
    rhs = *cast;
  }
  SmallVector<NamedAttribute> attrs;
  if (opName == MatMulOp::getOperationName())
    attrs.push_back(
        gi.named("name", gi.getBuilder().getStringAttr(gi.getNodeName())));
  return gi.defineOutput(gi.build1(opName, {lhs, rhs}, attrs));
}

LogicalResult importer::importSameType(GraphImporter &gi, StringRef opName,
                                       int count,
                                       ArrayRef<NamedAttribute> attrs) {
  FailureOr<SmallVector<Value>> operands = gi.requiredOperands(count);
  if (failed(operands))
    return failure();
  return gi.defineOutput(
      gi.build(opName, *operands, attrs, {(*operands)[0].getType()}));
}

/// Inputs 0 .. n-1 combined left to right with the binary `opName`.
static FailureOr<Value> foldInputs(GraphImporter &gi, StringRef opName) {
  if (gi.getNumInputs() < 1) {
    (void)gi.fail("needs at least one input");
    return failure();
  }
  FailureOr<Value> acc = gi.operand(0);
  for (int i = 1; succeeded(acc) && i < gi.getNumInputs(); ++i) {
    FailureOr<Value> next = gi.operand(i);
    if (failed(next))
      return failure();
    acc = gi.build1(opName, {*acc, *next});
  }
  return acc;
}

/// Max, Min and Sum of any number of inputs.
static ImportFn variadicImporter(StringRef opName) {
  return [opName](GraphImporter &gi) {
    return gi.defineOutput(foldInputs(gi, opName));
  };
}

/// The sum of the inputs divided by their count.
static LogicalResult importMean(GraphImporter &gi) {
  FailureOr<Value> sum = foldInputs(gi, AddOp::getOperationName());
  if (failed(sum))
    return failure();
  Type element = gi.typeOf(*sum).getElementType();
  if (!element.isa<FloatType>())
    return gi.fail("Mean needs float inputs");
  FailureOr<Value> n = gi.scalarConstant(gi.getNumInputs(), element, "count");
  if (failed(n))
    return failure();
  return gi.defineOutput(gi.build1(DivOp::getOperationName(), {*sum, *n}));
}

/// Clip of input 0 with the bounds in `attrs`, its type kept.
static LogicalResult buildClip(GraphImporter &gi, Value x,
                               ArrayRef<NamedAttribute> attrs) {
  return gi.defineOutput(
      gi.build(ClipOp::getOperationName(), {x}, attrs, {x.getType()}));
}

/// Clip-1 and Clip-6: the bounds are float attributes.
static LogicalResult importClipWithAttrs(GraphImporter &gi) {
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  SmallVector<NamedAttribute> attrs;
  for (StringRef name : {"min", "max"})
    if (gi.attr(name))
      attrs.push_back(gi.named(
          name, gi.getBuilder().getF64FloatAttr(gi.floatAttr(name, 0))));
  return buildClip(gi, *x, attrs);
}

/// Clip-11 and later: the bounds are optional scalar inputs. Constant ones
/// become the clip's attributes; a computed one (a bound derived from the
/// data, such as a spectrogram's max - 80 dB) a Max or Min with it.
static LogicalResult importClipWithInputs(GraphImporter &gi) {
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  bool isInteger = gi.typeOf(*x).getElementType().isa<IntegerType>();
  SmallVector<NamedAttribute> attrs;
  Value computed[2];
  static const StringRef bounds[] = {"min", "max"};
  for (auto [i, name] : llvm::enumerate(bounds)) {
    StringRef in = gi.input(i + 1);
    if (in.empty())
      continue;
    if (!gi.constant(in)) {
      FailureOr<Value> bound = gi.operand(i + 1);
      if (failed(bound))
        return failure();
      RankedTensorType type = gi.typeOf(*bound);
      if (!type.hasStaticShape() || type.getNumElements() != 1 ||
          type.getElementType() != gi.typeOf(*x).getElementType())
        return gi.fail(name + " ('" + in +
                       "') must be a scalar of the input's element type");
      computed[i] = *bound;
      continue;
    }
    FailureOr<HostTensor> bound = gi.constantTensor(in);
    if (failed(bound) || bound->getNumElements() != 1)
      return gi.fail(name + " ('" + in + "') must be a constant scalar");
    bool isFloat =
        isFloatKind(bound->getKind()) || isFloat16Kind(bound->getKind());
    int64_t asInt = isFloat ? 0 : bound->getAsInt64(0);
    double v = isFloat ? bound->getAsDouble(0) : double(asInt);
    if (isInteger && !isFloat && double(int64_t(v)) != double(asInt))
      return gi.fail(name + " " + Twine(asInt) +
                     " is not exactly representable");
    attrs.push_back(gi.named(name, gi.getBuilder().getF64FloatAttr(v)));
  }
  if (!computed[0] && !computed[1])
    return buildClip(gi, *x, attrs);
  FailureOr<Value> y = *x;
  if (!attrs.empty())
    y = gi.build1(ClipOp::getOperationName(), {*y}, attrs);
  // min(max(x, lo), hi): the bounds hold one element each.
  if (succeeded(y) && computed[0])
    y = gi.build1(MaxOp::getOperationName(), {*y, computed[0]});
  if (succeeded(y) && computed[1])
    y = gi.build1(MinOp::getOperationName(), {*y, computed[1]});
  return gi.defineOutput(y);
}

static LogicalResult importGelu(GraphImporter &gi) {
  std::string mode = gi.stringAttr("approximate", "none");
  std::optional<GeluApproximation> approximation =
      symbolizeGeluApproximation(mode);
  if (!approximation)
    return gi.fail("approximate must be 'none' or 'tanh', got '" + mode + "'");
  return importUnary(
      gi, GeluOp::getOperationName(),
      {gi.named("approximate",
                GeluApproximationAttr::get(gi.getContext(), *approximation))});
}

static LogicalResult importWhere(GraphImporter &gi) {
  FailureOr<Value> c = gi.operand(0), x = gi.operand(1), y = gi.operand(2);
  if (failed(c) || failed(x) || failed(y))
    return failure();
  return gi.defineOutput(gi.build1(WhereOp::getOperationName(), {*c, *x, *y}));
}

/// Neg and Abs. The cim ops take floats; integer constants (the shape
/// arithmetic of expanded functions) are computed here, wrapping as two's
/// complement does.
template <typename OpTy, bool IsNeg>
static LogicalResult importSignOp(GraphImporter &gi) {
  FailureOr<HostTensor> c = gi.constantTensor(gi.input(0));
  if (failed(c) || c->isFloat())
    return importUnary(gi, OpTy::getOperationName());
  HostTensor result = *c;
  for (int64_t i = 0; i < result.getNumElements(); ++i) {
    uint64_t v = uint64_t(c->getAsInt64(i));
    bool negative = c->getAsInt64(i) < 0;
    result.setFromInt64(i, int64_t(IsNeg || negative ? 0 - v : v));
  }
  return gi.defineFolded(gi.output(0), result);
}

/// Mod of constants (the head-count arithmetic of expanded functions),
/// numpy-broadcast: with fmod = 0 (integers only) the remainder takes the
/// divisor's sign, with fmod = 1 the dividend's (C's fmod). Division by an
/// integer zero is refused.
static LogicalResult importMod(GraphImporter &gi) {
  FailureOr<HostTensor> a = gi.constantTensor(gi.input(0)),
                        b = gi.constantTensor(gi.input(1));
  if (failed(a) || failed(b))
    return gi.fail("Mod is supported on constant inputs only");
  if (a->getKind() != b->getKind())
    return gi.fail("the inputs have different element types");
  bool fmod = gi.intAttr("fmod", 0) != 0;
  if (a->isFloat() && !fmod)
    return gi.fail("fmod must be 1 for floating-point inputs");
  std::optional<SmallVector<int64_t>> shape =
      broadcastShapes(a->getShape(), b->getShape());
  if (!shape)
    return gi.fail("the shapes " + a->getShapeString() + " and " +
                   b->getShapeString() + " do not broadcast");
  HostTensor result(a->getKind(), *shape);
  int64_t rank = shape->size();
  // Element i of an operand broadcast to `shape`.
  auto sourceIndex = [&](const HostTensor &t, int64_t i) {
    int64_t index = 0, stride = 1;
    for (int64_t d = rank - 1, td = t.getRank() - 1; d >= 0; --d, --td) {
      int64_t coord = i % (*shape)[d];
      i /= (*shape)[d];
      if (td >= 0) {
        int64_t size = t.getDimSize(td);
        index += (size == 1 ? 0 : coord) * stride;
        stride *= size;
      }
    }
    return index;
  };
  for (int64_t i = 0; i < result.getNumElements(); ++i) {
    int64_t ia = sourceIndex(*a, i), ib = sourceIndex(*b, i);
    if (a->isFloat()) {
      result.setFromDouble(i,
                           std::fmod(a->getAsDouble(ia), b->getAsDouble(ib)));
      continue;
    }
    int64_t x = a->getAsInt64(ia), y = b->getAsInt64(ib);
    if (y == 0)
      return gi.fail("integer division by zero");
    int64_t r = (y == -1) ? 0 : x % y;
    if (!fmod && r != 0 && ((r < 0) != (y < 0)))
      r += y;
    result.setFromInt64(i, r);
  }
  return gi.defineFolded(gi.output(0), result);
}

/// Trilu: the upper (j - i >= k) or lower (j - i <= k) triangle of the last
/// two dimensions, the rest zero, as a Where on a constant mask (k must be
/// a constant).
static LogicalResult importTrilu(GraphImporter &gi) {
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  RankedTensorType t = gi.typeOf(*x);
  if (t.getRank() < 2)
    return gi.fail("the input must have at least 2 dimensions, got tensor<" +
                   shapeText(t.getShape()) + ">");
  int64_t k = 0;
  if (gi.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> ks = gi.constInts(gi.input(1), "k");
    if (failed(ks))
      return failure();
    if (ks->size() != 1)
      return gi.fail("k must hold one value");
    k = (*ks)[0];
  }
  bool upper = gi.intAttr("upper", 1) != 0;
  int64_t rows = t.getDimSize(t.getRank() - 2), cols = t.getShape().back();
  HostTensor mask(ElementKind::Bool, {rows, cols});
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      mask.data<bool>()[i * cols + j] = upper ? j - i >= k : j - i <= k;
  FailureOr<Value> keep =
      gi.internConstant(gi.getNodeName().str() + "__mask", mask);
  FailureOr<Value> zero = gi.scalarConstant(0.0, t.getElementType(), "zero");
  if (failed(keep) || failed(zero))
    return failure();
  return gi.defineOutput(
      gi.build1(WhereOp::getOperationName(), {*keep, *x, *zero}));
}

namespace {
/// A float attribute of an activation and its ONNX default.
struct FloatAttrDefault {
  StringLiteral name;
  float fallback;
};
} // namespace

/// An activation on input 0 whose float attributes are copied, with their
/// defaults, to the cim op.
static ImportFn activationImporter(StringRef opName,
                                   std::vector<FloatAttrDefault> defaults) {
  return [opName, defaults](GraphImporter &gi) {
    SmallVector<NamedAttribute> attrs;
    for (const FloatAttrDefault &d : defaults)
      attrs.push_back(gi.named(d.name, gi.getBuilder().getF32FloatAttr(
                                           gi.floatAttr(d.name, d.fallback))));
    return importUnary(gi, opName, attrs);
  };
}

void importer::registerElementwiseOps(OpRegistry &registry) {
  auto binary = [](StringRef opName) -> ImportFn {
    return [opName](GraphImporter &gi) { return importBinary(gi, opName); };
  };
  // Arithmetic, comparisons and selection on constants (shape
  // computations) are evaluated at import.
  constexpr Folding fold = Folding::WhenConstant;
  registry.add("Add", binary(AddOp::getOperationName()), fold);
  registry.add("Sub", binary(SubOp::getOperationName()), fold);
  registry.add("Mul", binary(MulOp::getOperationName()), fold);
  registry.add("Div", binary(DivOp::getOperationName()), fold);
  registry.add("Pow", binary(PowOp::getOperationName()));
  registry.add("PRelu", binary(PReluOp::getOperationName()));
  registry.add("Equal", binary(EqualOp::getOperationName()), fold);
  registry.add("Less", binary(LessOp::getOperationName()), fold);
  registry.add("LessOrEqual", binary(LessEqualOp::getOperationName()), fold);
  registry.add("Greater", binary(GreaterOp::getOperationName()), fold);
  registry.add("GreaterOrEqual", binary(GreaterEqualOp::getOperationName()),
               fold);
  registry.add("And", binary(AndOp::getOperationName()), fold);
  registry.add("Or", binary(OrOp::getOperationName()), fold);
  registry.add("Xor", binary(XorOp::getOperationName()), fold);
  registry.add("Not", unaryImporter<NotOp>(), fold);
  registry.add("Where", importWhere, fold);
  registry.add("Trilu", importTrilu, fold);
  registry.add("Mod", importMod);
  registry.add("Max", variadicImporter(MaxOp::getOperationName()), fold);
  registry.add("Min", variadicImporter(MinOp::getOperationName()), fold);
  registry.add("Sum", variadicImporter(AddOp::getOperationName()));
  registry.add("Mean", importMean);
  registry.add("Clip", importClipWithAttrs);
  registry.add("Clip", 11, importClipWithInputs);

  registry.add("Relu", unaryImporter<ReluOp>());
  registry.add("Sigmoid", unaryImporter<SigmoidOp>());
  registry.add("Tanh", unaryImporter<TanhOp>());
  registry.add("Erf", unaryImporter<ErfOp>());
  registry.add("Sqrt", unaryImporter<SqrtOp>());
  registry.add("Exp", unaryImporter<ExpOp>());
  registry.add("Neg", importSignOp<NegOp, true>);
  registry.add("HardSwish", unaryImporter<HardSwishOp>());
  registry.add("Abs", importSignOp<AbsOp, false>);
  registry.add("Log", unaryImporter<LogOp>());
  registry.add("Reciprocal", unaryImporter<ReciprocalOp>());
  registry.add("Floor", unaryImporter<FloorOp>());
  registry.add("Ceil", unaryImporter<CeilOp>());
  registry.add("Round", unaryImporter<RoundOp>());
  registry.add("Softplus", unaryImporter<SoftplusOp>());
  registry.add("Softsign", unaryImporter<SoftsignOp>());
  registry.add("Mish", unaryImporter<MishOp>());
  registry.add("Gelu", importGelu);
  registry.add("LeakyRelu", activationImporter(LeakyReluOp::getOperationName(),
                                               {{"alpha", 0.01f}}));
  registry.add("HardSigmoid",
               activationImporter(HardSigmoidOp::getOperationName(),
                                  {{"alpha", 0.2f}, {"beta", 0.5f}}));
  registry.add("Swish",
               activationImporter(SwishOp::getOperationName(), {{"alpha", 1}}));
  registry.add("Elu",
               activationImporter(EluOp::getOperationName(), {{"alpha", 1}}));
  registry.add("ThresholdedRelu",
               activationImporter(ThresholdedReluOp::getOperationName(),
                                  {{"alpha", 1}}));
  registry.add("Selu",
               activationImporter(SeluOp::getOperationName(),
                                  {{"alpha", 1.67326319217681884765625f},
                                   {"gamma", 1.05070102214813232421875f}}));
}
