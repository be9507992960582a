//===- QuantOps.cpp - QuantizeLinear, DequantizeLinear --------------------===//
//
// QDQ models keep their quantization as cim.quantize_linear /
// cim.dequantize_linear (docs/importer.md); block quantization and float8
// types are refused.
//
//===----------------------------------------------------------------------===//

#include "OpImporters.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/CIMShapes.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::importer;

/// The integer types cim.quantize_linear / cim.dequantize_linear hold.
static bool isQuantizedIntegerType(Type type) {
  auto integer = type.dyn_cast<IntegerType>();
  if (!integer || integer.isSigned())
    return false;
  unsigned width = integer.getWidth();
  return width == 2 || width == 4 || width == 8 || width == 16 ||
         (width == 32 && integer.isSignless());
}

/// QuantizeLinear (`Quantize`) and DequantizeLinear, per tensor or per
/// axis.
template <bool Quantize>
static LogicalResult importQuantizeLinear(GraphImporter &gi) {
  if (int64_t block = gi.intAttr("block_size", 0))
    return gi.fail("block quantization (block_size = " + Twine(block) +
                   ") is not supported");
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  FailureOr<Value> scale = gi.operand(1);
  if (failed(scale))
    return failure();
  RankedTensorType xType = gi.typeOf(*x), scaleType = gi.typeOf(*scale);
  ArrayRef<int64_t> scaleShape = scaleType.getShape();
  int64_t count = shapeProduct(scaleShape);
  if (scaleShape.size() > 1)
    return gi.fail("scale of shape " + shapeText(scaleShape) +
                   " means block quantization, which is not supported");
  if (!scaleType.getElementType().isa<FloatType>())
    return gi.fail("scale must be a float tensor");
  int64_t axis = gi.intAttr("axis", 1);
  if (count != 1) {
    auto norm = normalizeAxis(axis, xType.getRank());
    if (!norm)
      return gi.fail("axis " + Twine(axis) + " is out of range for rank " +
                     Twine(xType.getRank()));
    if (xType.getDimSize(*norm) != count)
      return gi.fail("per-axis scale has " + Twine(count) +
                     " elements but axis " + Twine(axis) +
                     " of the input has " + Twine(xType.getDimSize(*norm)));
  }
  Value zeroPoint;
  if (gi.hasInput(2)) {
    FailureOr<Value> zp = gi.operand(2);
    if (failed(zp))
      return failure();
    zeroPoint = *zp;
    if (shapeProduct(gi.typeOf(zeroPoint).getShape()) != count ||
        gi.typeOf(zeroPoint).getRank() > 1)
      return gi.fail("zero point of shape " +
                     shapeText(gi.typeOf(zeroPoint).getShape()) +
                     " does not match the scale's " + shapeText(scaleShape));
  }
  NamedAttribute axisAttr =
      gi.named("axis", gi.getBuilder().getI64IntegerAttr(axis));

  if (!Quantize) {
    Type intType = xType.getElementType();
    if (!isQuantizedIntegerType(intType))
      return gi.fail(
          "dequantizing " +
          Twine(xType.getElementType().isa<FloatType>() ? "a float tensor"
                                                        : "this integer type") +
          " is not supported (int2, uint2, int4, uint4, int8, uint8, "
          "int16, uint16, int32)");
    if (zeroPoint && gi.typeOf(zeroPoint).getElementType() != intType)
      return gi.fail("zero point and input have different element types");
    if (scaleType.getElementType() != gi.getBuilder().getF32Type())
      return gi.fail("scale must be float32");
    SmallVector<Value> operands = {*x, *scale};
    if (zeroPoint)
      operands.push_back(zeroPoint);
    FailureOr<Value> y =
        gi.build1(DequantizeLinearOp::getOperationName(), operands, {axisAttr});
    return gi.defineOutput(y);
  }

  if (xType.getElementType() != scaleType.getElementType())
    return gi.fail("input and scale have different element types");
  if (!xType.getElementType().isF32())
    return gi.fail("quantizing a non-float32 tensor is not supported");
  // The result type: the zero point's, else output_dtype, else uint8.
  Type intType = zeroPoint ? gi.typeOf(zeroPoint).getElementType()
                           : Type(gi.getBuilder().getIntegerType(8, false));
  if (const onnx::AttributeProto *dtype = gi.attr("output_dtype");
      dtype && dtype->i() != 0) {
    FailureOr<Type> t = gi.elementType(dtype->i(), "output_dtype");
    if (failed(t))
      return failure();
    if (zeroPoint && *t != intType)
      return gi.fail("output_dtype disagrees with the zero point's type");
    intType = *t;
  }
  if (!isQuantizedIntegerType(intType))
    return gi.fail("quantizing to this integer type is not supported (int2, "
                   "uint2, int4, uint4, int8, uint8, int16, uint16)");
  if (!zeroPoint) {
    auto zpType = RankedTensorType::get(scaleShape, intType);
    zeroPoint = gi.getBuilder().create<ConstantOp>(
        gi.getNodeLoc(),
        DenseElementsAttr::get(zpType,
                               APInt(intType.getIntOrFloatBitWidth(), 0)));
  }
  FailureOr<Value> y = gi.build1(QuantizeLinearOp::getOperationName(),
                                 {*x, *scale, zeroPoint}, {axisAttr});
  return gi.defineOutput(y);
}

void importer::registerQuantOps(OpRegistry &registry) {
  registry.add("QuantizeLinear", importQuantizeLinear<true>);
  registry.add("DequantizeLinear", importQuantizeLinear<false>);
}
