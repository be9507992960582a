//===- QuantOps.cpp - QuantizeLinear, DequantizeLinear --------------------===//
//
// QDQ models keep their quantization as cim.quantize_linear /
// cim.dequantize_linear (docs/importer.md): integers of 2 to 32 bits and
// the small floats, per tensor, per axis or blocked (block_size, opset 21).
// DynamicQuantizeLinear becomes the ops of its ONNX function body.
//
//===----------------------------------------------------------------------===//

#include "OpImporters.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/CIMShapes.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::importer;

/// The element types cim.quantize_linear / cim.dequantize_linear hold:
/// integers of 2 to 32 bits and the small floats but float8e8m0, which has
/// no zero.
static bool isQuantizedType(Type type) {
  if (auto small = type.dyn_cast<SmallFloatType>())
    return small.getFormat() != SmallFloatFormat::F8E8M0FNU;
  auto integer = type.dyn_cast<IntegerType>();
  if (!integer || integer.isSigned())
    return false;
  unsigned width = integer.getWidth();
  return width == 2 || width == 4 || width == 8 || width == 16 ||
         (width == 32 && integer.isSignless());
}

static constexpr const char *kQuantizedTypes =
    "int2, uint2, int4, uint4, int8, uint8, int16, uint16, int32, "
    "float8e4m3fn, float8e4m3fnuz, float8e5m2, float8e5m2fnuz, float4e2m1";

/// Checks a blocked scale against the input: the input's rank and shape
/// but ceil(dim / block) along `axis` (ONNX QuantizeLinear-21).
static LogicalResult checkBlockedScale(GraphImporter &gi,
                                       RankedTensorType xType,
                                       ArrayRef<int64_t> scaleShape,
                                       int64_t axis, int64_t block) {
  auto norm = normalizeAxis(axis, xType.getRank());
  if (!norm)
    return gi.fail("axis " + Twine(axis) + " is out of range for rank " +
                   Twine(xType.getRank()));
  if (int64_t(scaleShape.size()) != xType.getRank())
    return gi.fail("blocked scale of shape " + shapeText(scaleShape) +
                   " must have the input's rank " + Twine(xType.getRank()));
  for (int64_t d = 0; d < xType.getRank(); ++d) {
    int64_t dim = xType.getDimSize(d);
    if (ShapedType::isDynamic(dim))
      continue;
    int64_t want = d == *norm ? (dim + block - 1) / block : dim;
    if (scaleShape[d] != want)
      return gi.fail("blocked scale of shape " + shapeText(scaleShape) +
                     " does not fit input " + shapeText(xType.getShape()) +
                     " with block_size " + Twine(block) + " along axis " +
                     Twine(axis) + " (dimension " + Twine(d) + " must be " +
                     Twine(want) + ")");
  }
  return success();
}

/// Checks a per-tensor or per-axis scale against the input.
static LogicalResult checkAxisScale(GraphImporter &gi, RankedTensorType xType,
                                    ArrayRef<int64_t> scaleShape,
                                    int64_t axis) {
  int64_t count = shapeProduct(scaleShape);
  if (scaleShape.size() > 1)
    return gi.fail("scale of shape " + shapeText(scaleShape) +
                   " needs a block_size (block quantization)");
  if (count == 1)
    return success();
  auto norm = normalizeAxis(axis, xType.getRank());
  if (!norm)
    return gi.fail("axis " + Twine(axis) + " is out of range for rank " +
                   Twine(xType.getRank()));
  if (xType.getDimSize(*norm) != count)
    return gi.fail("per-axis scale has " + Twine(count) +
                   " elements but axis " + Twine(axis) + " of the input has " +
                   Twine(xType.getDimSize(*norm)));
  return success();
}

/// QuantizeLinear (`Quantize`) and DequantizeLinear, per tensor, per axis
/// or blocked.
template <bool Quantize>
static LogicalResult importQuantizeLinear(GraphImporter &gi) {
  int64_t block = gi.intAttr("block_size", 0);
  if (block < 0)
    return gi.fail("block_size must be positive, got " + Twine(block));
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  FailureOr<Value> scale = gi.operand(1);
  if (failed(scale))
    return failure();
  RankedTensorType xType = gi.typeOf(*x), scaleType = gi.typeOf(*scale);
  ArrayRef<int64_t> scaleShape = scaleType.getShape();
  if (!scaleType.getElementType().isa<FloatType>())
    return gi.fail("scale must be a float tensor");
  int64_t axis = gi.intAttr("axis", 1);
  if (failed(block ? checkBlockedScale(gi, xType, scaleShape, axis, block)
                   : checkAxisScale(gi, xType, scaleShape, axis)))
    return failure();
  Value zeroPoint;
  if (gi.hasInput(2)) {
    FailureOr<Value> zp = gi.operand(2);
    if (failed(zp))
      return failure();
    zeroPoint = *zp;
    ArrayRef<int64_t> zpShape = gi.typeOf(zeroPoint).getShape();
    bool fits = block ? zpShape == scaleShape
                      : shapeProduct(zpShape) == shapeProduct(scaleShape) &&
                            zpShape.size() <= 1;
    if (!fits)
      return gi.fail("zero point of shape " + shapeText(zpShape) +
                     " does not match the scale's " + shapeText(scaleShape));
  }
  SmallVector<NamedAttribute> attrs = {
      gi.named("axis", gi.getBuilder().getI64IntegerAttr(axis))};
  if (block)
    attrs.push_back(
        gi.named("block_size", gi.getBuilder().getI64IntegerAttr(block)));

  if (!Quantize) {
    Type qType = xType.getElementType();
    if (!isQuantizedType(qType))
      return gi.fail("dequantizing " +
                     Twine(qType.isa<FloatType>() ? "a float tensor"
                                                  : "this element type") +
                     " is not supported (" + kQuantizedTypes + ")");
    if (zeroPoint && gi.typeOf(zeroPoint).getElementType() != qType)
      return gi.fail("zero point and input have different element types");
    Type scaleElement = scaleType.getElementType();
    if (!scaleElement.isF32() && !scaleElement.isF16() &&
        !scaleElement.isBF16())
      return gi.fail("scale must be float32, float16 or bfloat16");
    SmallVector<Value> operands = {*x, *scale};
    if (zeroPoint)
      operands.push_back(zeroPoint);
    FailureOr<Value> y =
        gi.build1(DequantizeLinearOp::getOperationName(), operands, attrs);
    return gi.defineOutput(y);
  }

  if (xType.getElementType() != scaleType.getElementType())
    return gi.fail("input and scale have different element types");
  if (!xType.getElementType().isF32())
    return gi.fail("quantizing a non-float32 tensor is not supported");
  // The result type: the zero point's, else output_dtype, else uint8.
  Type qType = zeroPoint ? gi.typeOf(zeroPoint).getElementType()
                         : Type(gi.getBuilder().getIntegerType(8, false));
  if (const onnx::AttributeProto *dtype = gi.attr("output_dtype");
      dtype && dtype->i() != 0) {
    FailureOr<Type> t = gi.elementType(dtype->i(), "output_dtype");
    if (failed(t))
      return failure();
    if (zeroPoint && *t != qType)
      return gi.fail("output_dtype disagrees with the zero point's type");
    qType = *t;
  }
  if (!isQuantizedType(qType))
    return gi.fail(Twine("quantizing to this element type is not supported (") +
                   kQuantizedTypes + ")");
  // saturate (opset 19) applies to float8 results.
  if (qType.isa<SmallFloatType>() && gi.intAttr("saturate", 1) == 0)
    attrs.push_back(gi.named("saturate", gi.getBuilder().getBoolAttr(false)));
  if (!zeroPoint) {
    std::optional<ElementKind> kind = getElementKind(qType);
    if (!kind)
      return gi.fail("quantizing to this element type is not supported");
    zeroPoint = gi.getBuilder().create<ConstantOp>(
        gi.getNodeLoc(),
        toElementsAttr(gi.getContext(), HostTensor(*kind, scaleShape), -1,
                       "zero_point"));
  }
  FailureOr<Value> y = gi.build1(QuantizeLinearOp::getOperationName(),
                                 {*x, *scale, zeroPoint}, attrs);
  return gi.defineOutput(y);
}

/// DynamicQuantizeLinear (opset 11): uint8 quantization of a float32 x with
/// the scale and zero point of its range widened to include 0, as the
/// operator's function body defines them: scale = (max(x, 0) - min(x, 0)) /
/// 255, zero point = round-half-even(clip(-min(x, 0) / scale, 0, 255)),
/// y = QuantizeLinear(x, scale, zero point). Built from the same ops, so it
/// agrees with the expanded form bit for bit.
static LogicalResult importDynamicQuantizeLinear(GraphImporter &gi) {
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  RankedTensorType xType = gi.typeOf(*x);
  if (!xType.getElementType().isF32())
    return gi.fail("DynamicQuantizeLinear needs a float32 input");
  OpBuilder &b = gi.getBuilder();
  Type f32 = b.getF32Type();
  FailureOr<Value> zero = gi.scalarConstant(0.0, f32, "qmin");
  FailureOr<Value> qmax = gi.scalarConstant(255.0, f32, "qmax");
  if (failed(zero) || failed(qmax))
    return failure();
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < xType.getRank(); ++d)
    axes.push_back(d);
  auto extreme = [&](StringRef reduceOp, StringRef withZero) {
    FailureOr<Value> r =
        gi.build1(reduceOp, {*x},
                  {gi.named("axes", b.getDenseI64ArrayAttr(axes)),
                   gi.named("keepdims", b.getBoolAttr(false))});
    return failed(r) ? r : gi.build1(withZero, {*r, *zero});
  };
  FailureOr<Value> low =
      extreme(ReduceMinOp::getOperationName(), MinOp::getOperationName());
  FailureOr<Value> high =
      extreme(ReduceMaxOp::getOperationName(), MaxOp::getOperationName());
  if (failed(low) || failed(high))
    return failure();
  FailureOr<Value> range = gi.build1(SubOp::getOperationName(), {*high, *low});
  if (failed(range))
    return failure();
  FailureOr<Value> scale =
      gi.build1(DivOp::getOperationName(), {*range, *qmax});
  if (failed(scale))
    return failure();
  FailureOr<Value> lowScaled =
      gi.build1(DivOp::getOperationName(), {*low, *scale});
  if (failed(lowScaled))
    return failure();
  FailureOr<Value> initial =
      gi.build1(SubOp::getOperationName(), {*zero, *lowScaled});
  if (failed(initial))
    return failure();
  FailureOr<Value> clipped =
      gi.build1(ClipOp::getOperationName(), {*initial},
                {gi.named("min", b.getF64FloatAttr(0.0)),
                 gi.named("max", b.getF64FloatAttr(255.0))});
  if (failed(clipped))
    return failure();
  FailureOr<Value> rounded = gi.build1(RoundOp::getOperationName(), {*clipped});
  if (failed(rounded))
    return failure();
  FailureOr<Value> zeroPoint =
      gi.cast(*rounded, b.getIntegerType(8, /*isSigned=*/false));
  if (failed(zeroPoint))
    return failure();
  Value zp = *zeroPoint;
  FailureOr<Value> y =
      gi.build1(QuantizeLinearOp::getOperationName(), {*x, *scale, zp},
                {gi.named("axis", b.getI64IntegerAttr(1))});
  if (failed(y) || failed(gi.define(gi.output(0), *y)) ||
      failed(gi.define(gi.output(1), *scale)) ||
      failed(gi.define(gi.output(2), zp)))
    return failure();
  return success();
}

void importer::registerQuantOps(OpRegistry &registry) {
  registry.add("QuantizeLinear", importQuantizeLinear<true>);
  registry.add("DequantizeLinear", importQuantizeLinear<false>);
  registry.add("DynamicQuantizeLinear", importDynamicQuantizeLinear);
}
