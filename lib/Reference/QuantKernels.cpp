//===- QuantKernels.cpp - QuantizeLinear and DequantizeLinear -------------===//
//
// ONNX semantics, with the quantizer's formulas (cim/Quant/Quantizer.h):
// quantize divides in the input's float type, rounds half to even and
// saturates to the integer type; dequantize subtracts the zero point exactly
// (in 64-bit integers) and multiplies by the scale in the scale's float type.
// Small float data (float8, float4) stays as bit patterns here (the executor
// does not widen it for these ops): quantize casts x / scale + zero_point as
// ONNX Cast does, dequantize multiplies (x - zero_point) by the scale.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"
#include "cim/Quant/Quantizer.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::reference;

namespace {
/// Where the scale / zero point of element `i` comes from. With the data
/// seen as outer x channels x inner (channels along the axis): element 0 per
/// tensor, element `c` per axis, and element (o, c / blockSize, n) of the
/// outer x blocks x inner parameters when blocked.
struct QuantLayout {
  bool perTensor = true;
  int64_t channels = 1;
  int64_t inner = 1;
  int64_t blockSize = 0;
  int64_t blocks = 1;
  int64_t paramIndex(int64_t i) const {
    if (perTensor)
      return 0;
    int64_t c = (i / inner) % channels;
    if (!blockSize)
      return c;
    int64_t o = i / (inner * channels);
    return (o * blocks + c / blockSize) * inner + i % inner;
  }
};
} // namespace

/// Checks the parameters against the data at run time and returns the
/// layout.
static FailureOr<QuantLayout> quantLayout(Operation *op, const HostTensor &data,
                                          const HostTensor &scale,
                                          const HostTensor *zeroPoint,
                                          bool perTensor, int64_t axis,
                                          int64_t blockSize) {
  QuantLayout layout;
  int64_t count = 1;
  if (blockSize || !perTensor) {
    layout.perTensor = false;
    layout.channels = data.getDimSize(axis);
    layout.inner = product(data.getShape().drop_front(axis + 1));
    count = layout.channels;
  }
  if (blockSize) {
    layout.blockSize = blockSize;
    layout.blocks = (layout.channels + blockSize - 1) / blockSize;
    count = product(data.getShape().take_front(axis)) * layout.blocks *
            layout.inner;
  }
  if (scale.getNumElements() != count)
    return op->emitOpError() << "scale has " << scale.getNumElements()
                             << " elements, expected " << count;
  if (zeroPoint && zeroPoint->getNumElements() != count)
    return op->emitOpError() << "zero_point has " << zeroPoint->getNumElements()
                             << " elements, expected " << count;
  return layout;
}

/// Range of a quantized integer kind. The sub-byte kinds (I2, U2, I4, U4)
/// come either as they are (cim::evaluateOp) or widened to I8 and U8 (the
/// executor); the op's result type keeps their range.
static quant::IntRange integerRange(ElementKind kind) {
  switch (kind) {
  case ElementKind::I2:
    return {-2, 1};
  case ElementKind::U2:
    return {0, 3};
  case ElementKind::I4:
    return {-8, 7};
  case ElementKind::U4:
    return {0, 15};
  case ElementKind::I8:
    return {-128, 127};
  case ElementKind::U8:
    return {0, 255};
  case ElementKind::I16:
    return {-32768, 32767};
  case ElementKind::U16:
    return {0, 65535};
  case ElementKind::I32:
    return {-2147483648LL, 2147483647LL};
  default:
    return {0, 0};
  }
}

static bool isQuantizedKind(ElementKind kind) {
  return getSubByteBits(kind) != 0 || isSmallFloatKind(kind) ||
         kind == ElementKind::I8 || kind == ElementKind::U8 ||
         kind == ElementKind::I16 || kind == ElementKind::U16 ||
         kind == ElementKind::I32;
}

FailureOr<HostTensor> reference::runQuantizeLinear(QuantizeLinearOp op,
                                                   Operands operands) {
  const HostTensor &input = *operands[0];
  const HostTensor &scale = *operands[1];
  const HostTensor &zeroPoint = *operands[2];
  if (failed(requireFloat(op, input, "input")))
    return failure();
  if (scale.getKind() != input.getKind())
    return op.emitOpError()
           << "scale must be " << getElementKindName(input.getKind())
           << ", got " << getElementKindName(scale.getKind());
  if (!isQuantizedKind(zeroPoint.getKind()))
    return op.emitOpError()
           << "zero_point must be i2, ui2, i4, ui4, i8, ui8, i16, ui16, "
              "i32 or a small float, got "
           << getElementKindName(zeroPoint.getKind());
  FailureOr<QuantLayout> layout =
      quantLayout(op, input, scale, &zeroPoint, op.isPerTensor(),
                  op.getNormalizedAxis(), op.getBlockSize());
  if (failed(layout))
    return failure();
  // Saturate to the declared result type (ui4 / i4 results are computed in
  // the widened ui8 / i8 and narrowed afterwards).
  std::optional<ElementKind> resultKind =
      getElementKind(op.getType().cast<RankedTensorType>().getElementType());
  quant::IntRange range =
      integerRange(resultKind.value_or(zeroPoint.getKind()));
  ElementKind kind = zeroPoint.getKind();
  bool smallFloat = isSmallFloatKind(kind);
  SmallFloatCast cast;
  cast.saturate = op.getSaturate();
  HostTensor output(kind, input.getShape());
  visitFloat(input.getKind(), [&](auto tag) {
    using T = decltype(tag);
    const T *x = input.data<T>().data();
    const T *s = scale.data<T>().data();
    for (int64_t i = 0, e = input.getNumElements(); i < e; ++i) {
      int64_t c = layout->paramIndex(i);
      if (smallFloat)
        output.getMutableBytes()[i] = encodeSmallFloat(
            kind, double(x[i] / s[c] + T(zeroPoint.getAsDouble(c))), cast);
      else
        output.setFromDouble(
            i, double(quant::quantizeTo<T>(x[i], s[c], zeroPoint.getAsInt64(c),
                                           range)));
    }
  });
  return output;
}

FailureOr<HostTensor> reference::runDequantizeLinear(DequantizeLinearOp op,
                                                     Operands operands) {
  const HostTensor &input = *operands[0];
  const HostTensor &scale = *operands[1];
  const HostTensor *zeroPoint = operands.size() > 2 ? operands[2] : nullptr;
  if (!isQuantizedKind(input.getKind()))
    return op.emitOpError()
           << "input must be i2, ui2, i4, ui4, i8, ui8, i16, ui16, i32 or a "
              "small float, got "
           << getElementKindName(input.getKind());
  if (failed(requireFloat(op, scale, "scale")))
    return failure();
  if (zeroPoint && zeroPoint->getKind() != input.getKind())
    return op.emitOpError()
           << "zero_point must be " << getElementKindName(input.getKind())
           << ", got " << getElementKindName(zeroPoint->getKind());
  FailureOr<QuantLayout> layout =
      quantLayout(op, input, scale, zeroPoint, op.isPerTensor(),
                  op.getNormalizedAxis(), op.getBlockSize());
  if (failed(layout))
    return failure();
  HostTensor output(scale.getKind(), input.getShape());
  bool smallFloat = isSmallFloatKind(input.getKind());
  visitFloat(scale.getKind(), [&](auto tag) {
    using T = decltype(tag);
    const T *s = scale.data<T>().data();
    T *y = output.data<T>().data();
    for (int64_t i = 0, e = input.getNumElements(); i < e; ++i) {
      int64_t c = layout->paramIndex(i);
      if (smallFloat) {
        T zp = zeroPoint ? T(zeroPoint->getAsDouble(c)) : T(0);
        y[i] = (T(input.getAsDouble(i)) - zp) * s[c];
      } else {
        int64_t zp = zeroPoint ? zeroPoint->getAsInt64(c) : 0;
        y[i] = quant::dequantizeFrom<T>(input.getAsInt64(i), zp, s[c]);
      }
    }
  });
  return output;
}
