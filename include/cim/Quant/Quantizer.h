//===- Quantizer.h - The quantization formulas ------------------*- C++ -*-===//
//
// The one quantizer shared by the compiler, the simulator and the training
// library: integer ranges, rounding, quantize/dequantize, and scales and
// zero points from a real range. Plain C++ with no MLIR or LLVM types, so
// that a LibTorch translation unit can include it. docs/quantization.md
// derives every formula.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_QUANT_QUANTIZER_H
#define CIM_QUANT_QUANTIZER_H

#include "cim/Dialect/CIM/CIMEnums.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace mlir {
namespace cim {
namespace quant {

/// Smallest and largest supported bit width.
constexpr unsigned kMinBits = 1;
constexpr unsigned kMaxBits = 16;

/// How reals map to integers: the dialect's QuantScheme (CIMEnums.td).
/// Symmetric is the signed narrow range [-(2^(b-1)-1), 2^(b-1)-1] with zero
/// point 0 (one bit is the ternary range [-1, 1]: the sign plus one
/// magnitude bit of a differential column pair); Asymmetric the unsigned
/// range [0, 2^b-1] with a zero point inside it.
using Scheme = ::mlir::cim::QuantScheme;

/// An inclusive integer range.
struct IntRange {
  int64_t min = 0;
  int64_t max = 0;
  bool operator==(const IntRange &other) const {
    return min == other.min && max == other.max;
  }
};

/// The integer range of `bits` (kMinBits..kMaxBits) under `scheme`.
IntRange getIntRange(Scheme scheme, unsigned bits);

/// Rounds to the nearest integer, ties to the even one (as ONNX
/// QuantizeLinear and numpy.rint do): 0.5 -> 0, 1.5 -> 2, -2.5 -> -2.
/// Independent of the floating-point environment's rounding mode.
double roundHalfToEven(double x);

/// Scale, zero point and integer range of one quantized quantity (a tensor,
/// or one output channel of a weight).
struct QuantParams {
  float scale = 1.0f;
  int32_t zeroPoint = 0;
  IntRange range;
};

/// Parameters with the range of `scheme` and `bits`.
QuantParams makeParams(Scheme scheme, unsigned bits, float scale,
                       int32_t zeroPoint = 0);

/// The quantize formula for any float type T and any integer range (the
/// reference executor's QuantizeLinear on f32 and f64 data of every ONNX
/// integer type, the quantizer on f32): roundHalfToEven(x / scale) +
/// zeroPoint, with the division in T as ONNX QuantizeLinear does. Not
/// clamped; NaN when the quotient is NaN, +-inf when it is infinite.
template <typename T>
double quantizeUnclamped(T x, T scale, int64_t zeroPoint) {
  T scaled = x / scale;
  if (std::isnan(scaled))
    return std::numeric_limits<double>::quiet_NaN();
  return roundHalfToEven(double(scaled)) + double(zeroPoint);
}

/// quantizeUnclamped clamped to `range`; a NaN quotient maps to the zero
/// point (clamped), infinities saturate.
template <typename T>
int64_t quantizeTo(T x, T scale, int64_t zeroPoint, IntRange range) {
  double q = quantizeUnclamped(x, scale, zeroPoint);
  if (std::isnan(q))
    return std::clamp<int64_t>(zeroPoint, range.min, range.max);
  // In double, where every candidate integer is exact and infinities
  // compare correctly.
  if (q <= double(range.min))
    return range.min;
  if (q >= double(range.max))
    return range.max;
  return int64_t(q);
}

/// r = (q - zeroPoint) * scale: the subtraction exact in 64 bits, the
/// product in T (ONNX DequantizeLinear computes in the scale's type).
template <typename T> T dequantizeFrom(int64_t q, int64_t zeroPoint, T scale) {
  return T(q - zeroPoint) * scale;
}

/// quantizeTo in f32 with `params`.
int64_t quantize(float x, const QuantParams &params);

/// dequantizeFrom in f32 with `params`.
float dequantize(int64_t q, const QuantParams &params);

/// dequantize(quantize(x)): the value the integer hardware computes with.
float fakeQuantize(float x, const QuantParams &params);

/// Applies fakeQuantize to `count` values in place.
void fakeQuantize(float *values, size_t count, const QuantParams &params);

/// A real interval [min, max] (from an observer or a weight tensor).
struct Range {
  float min = 0.0f;
  float max = 0.0f;
};

/// Scale and zero point that cover `range` with `bits` under `scheme`.
/// The range must be finite with min <= max.
///
/// Symmetric: scale = max(|min|, |max|) / qmax, zero point 0.
/// Asymmetric: the range is widened to contain 0 (so that 0 is exact),
///   scale = (max - min) / (2^b - 1), zeroPoint = clamp(round(-min /
///   scale), 0, 2^b - 1).
/// A range of width 0 (all values 0) gives scale 1; a scale below the
/// smallest normal f32 is raised to it, so every scale is positive, finite
/// and normal.
QuantParams paramsFromRange(Range range, Scheme scheme, unsigned bits);

/// The parameters for `newBits` that keep the real interval of `params`
/// (the clipping range [(min - zp) * scale, (max - zp) * scale]): used when a
/// layer's bit width changes after its scales were fixed.
QuantParams rescaleForBits(const QuantParams &params, Scheme scheme,
                           unsigned newBits);

/// Where the output channels of a weight tensor lie in its row-major data:
/// element ((g * outer + o) * channels + c) * inner + i belongs to channel
/// g * channels + c.
///   conv2d OIHW:           {1, 1, O, I*H*W}
///   gemm B = KxN:          {1, K, N, 1};  transB (NxK): {1, 1, N, K}
///   matmul weight BxKxN:   {B, K, N, 1}
struct ChannelLayout {
  int64_t groups = 1;
  int64_t outer = 1;
  int64_t channels = 1;
  int64_t inner = 1;

  int64_t getNumChannels() const { return groups * channels; }
  int64_t getNumElements() const { return groups * outer * channels * inner; }
};

/// The range of each output channel's values (min and max over the
/// channel; a non-finite value makes the result non-finite).
std::vector<Range> getChannelRanges(const float *weights,
                                    const ChannelLayout &layout);

/// Weight parameters, one per output channel when `perChannel`, else one for
/// the whole tensor, from the values' ranges (paramsFromRange). Symmetric
/// per-channel weights get scale_c = max|w_c| / qmax, and an all-zero
/// channel gets scale 1. The weights must be finite.
std::vector<QuantParams> computeWeightParams(const float *weights,
                                             const ChannelLayout &layout,
                                             Scheme scheme, unsigned bits,
                                             bool perChannel);

/// Fake-quantizes a weight tensor in place with one parameter set per
/// channel (params.size() == layout.getNumChannels()) or one for all
/// (params.size() == 1).
void fakeQuantizeWeights(float *weights, const ChannelLayout &layout,
                         const std::vector<QuantParams> &params);

} // namespace quant
} // namespace cim
} // namespace mlir

#endif // CIM_QUANT_QUANTIZER_H
