//===- SmallFloat.cpp - ONNX 8- and 4-bit float encodings -----------------===//
//
// Formats (the ONNX specification of Cast, opsets 19 to 25):
//
//   kind         exponent mantissa bias  special values
//   f8E4M3FN     4        3        7     NaN = S.1111.111, no infinity
//   f8E4M3FNUZ   4        3        8     NaN = 1.0000.000, no -0, no inf
//   f8E5M2       5        2        15    IEEE: inf and NaN at exponent 31
//   f8E5M2FNUZ   5        2        16    NaN = 1.00000.00, no -0, no inf
//   f4E2M1FN     2        1        1     no infinity, no NaN
//   f8E8M0FNU    8        0        127   2^(e - 127), e = 255 is NaN
//
// Casts round to nearest even. With saturation (Cast's default) an
// overflow or an infinity becomes the largest finite value of its sign;
// without, it becomes infinity (e5m2) or NaN (the others, NaN with the sign
// for e4m3fn). Float4 has neither and always saturates; a NaN becomes the
// pattern 1.00.0, as in ONNX's reference data.
//
//===----------------------------------------------------------------------===//

#include "cim/Tensor/SmallFloat.h"
#include "cim/Tensor/HostTensor.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::cim;

namespace {
/// Where a format keeps its NaN and infinity.
enum class Specials { IEEE, FN, FNUZ, None };

/// A sign / exponent / mantissa format with an exponent bias.
struct Format {
  unsigned expBits;
  unsigned manBits;
  int bias;
  Specials specials;

  unsigned signBit() const { return 1u << (expBits + manBits); }
  unsigned expMax() const { return (1u << expBits) - 1; }
  unsigned manMax() const { return (1u << manBits) - 1; }
  /// The magnitude bits of the largest finite value.
  unsigned maxCode() const {
    switch (specials) {
    case Specials::IEEE:
      return ((expMax() - 1) << manBits) | manMax();
    case Specials::FN:
      return (expMax() << manBits) | (manMax() - 1);
    case Specials::FNUZ:
    case Specials::None:
      break;
    }
    return (expMax() << manBits) | manMax();
  }
};
} // namespace

static const Format &formatOf(ElementKind kind) {
  static const Format e4m3fn{4, 3, 7, Specials::FN};
  static const Format e4m3fnuz{4, 3, 8, Specials::FNUZ};
  static const Format e5m2{5, 2, 15, Specials::IEEE};
  static const Format e5m2fnuz{5, 2, 16, Specials::FNUZ};
  static const Format e2m1{2, 1, 1, Specials::None};
  switch (kind) {
  case ElementKind::F8E4M3FN:
    return e4m3fn;
  case ElementKind::F8E4M3FNUZ:
    return e4m3fnuz;
  case ElementKind::F8E5M2:
    return e5m2;
  case ElementKind::F8E5M2FNUZ:
    return e5m2fnuz;
  default:
    return e2m1;
  }
}

bool cim::isSmallFloatKind(ElementKind kind) {
  switch (kind) {
  case ElementKind::F8E4M3FN:
  case ElementKind::F8E4M3FNUZ:
  case ElementKind::F8E5M2:
  case ElementKind::F8E5M2FNUZ:
  case ElementKind::F8E8M0:
  case ElementKind::F4E2M1:
    return true;
  default:
    return false;
  }
}

std::optional<E8M0Rounding> cim::parseE8M0Rounding(llvm::StringRef text) {
  if (text == "up")
    return E8M0Rounding::Up;
  if (text == "down")
    return E8M0Rounding::Down;
  if (text == "nearest")
    return E8M0Rounding::Nearest;
  return std::nullopt;
}

static double signedNaN(bool negative) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  return negative ? -nan : nan;
}

double cim::decodeSmallFloat(ElementKind kind, uint8_t bits) {
  if (kind == ElementKind::F8E8M0)
    return bits == 0xFF ? signedNaN(false) : std::ldexp(1.0, int(bits) - 127);
  const Format &f = formatOf(kind);
  bits &= uint8_t((f.signBit() << 1) - 1);
  bool negative = bits & f.signBit();
  unsigned exp = (bits >> f.manBits) & f.expMax();
  unsigned man = bits & f.manMax();
  switch (f.specials) {
  case Specials::FNUZ:
    if (bits == f.signBit())
      return signedNaN(true);
    break;
  case Specials::FN:
    if (exp == f.expMax() && man == f.manMax())
      return signedNaN(negative);
    break;
  case Specials::IEEE:
    if (exp == f.expMax())
      return man ? signedNaN(negative)
                 : (negative ? -1.0 : 1.0) *
                       std::numeric_limits<double>::infinity();
    break;
  case Specials::None:
    break;
  }
  int m = int(f.manBits);
  double magnitude =
      exp == 0 ? std::ldexp(double(man), 1 - f.bias - m)
               : std::ldexp(double(man + (1u << m)), int(exp) - f.bias - m);
  return negative ? -magnitude : magnitude;
}

/// ONNX's float8e8m0 conversion (onnx.numpy_helper.to_float8e8m0): the
/// exponent field of the f32 value, the sign ignored, infinity and NaN to
/// NaN, rounded up when any mantissa bit is set ("up") or by the guard,
/// round and sticky bits ("nearest"); saturation stops at 2^127.
static uint8_t encodeE8M0(double value, const SmallFloatCast &options) {
  float single = float(value);
  uint32_t bits;
  std::memcpy(&bits, &single, sizeof(bits));
  uint32_t exponent = (bits >> 23) & 0xFF;
  if (exponent == 0xFF)
    return 0xFF;
  bool up = false;
  switch (options.rounding) {
  case E8M0Rounding::Up:
    up = (bits & 0x7FFFFF) != 0;
    break;
  case E8M0Rounding::Down:
    break;
  case E8M0Rounding::Nearest: {
    bool guard = bits & 0x400000, round = bits & 0x200000,
         sticky = bits & 0x1FFFFF;
    up = guard && (round || sticky || exponent > 0);
    break;
  }
  }
  if (up && options.saturate && exponent == 0xFE)
    up = false;
  return uint8_t(exponent + (up ? 1 : 0));
}

uint8_t cim::encodeSmallFloat(ElementKind kind, double value,
                              const SmallFloatCast &options) {
  if (kind == ElementKind::F8E8M0)
    return encodeE8M0(value, options);
  const Format &f = formatOf(kind);
  bool negative = std::signbit(value);
  unsigned sign = negative ? f.signBit() : 0;
  unsigned allOnes = (f.expMax() << f.manBits) | f.manMax();
  if (std::isnan(value)) {
    switch (f.specials) {
    case Specials::IEEE: // a quiet NaN
      return uint8_t(sign | (f.expMax() << f.manBits) |
                     (1u << (f.manBits - 1)));
    case Specials::FN:
      return uint8_t(sign | allOnes);
    case Specials::FNUZ:
    case Specials::None:
      return uint8_t(f.signBit());
    }
  }
  bool saturate = options.saturate || f.specials == Specials::None;
  // What an overflow becomes without saturation.
  unsigned overflow = f.specials == Specials::IEEE
                          ? sign | (f.expMax() << f.manBits)
                      : f.specials == Specials::FN ? sign | allOnes
                                                   : f.signBit();
  unsigned largest = sign | f.maxCode();
  double magnitude = std::fabs(value);
  if (std::isinf(magnitude))
    return uint8_t(saturate ? largest : overflow);

  // Round to the grid of magnitude's binade (no finer than the subnormal
  // spacing); scaling by a power of two is exact, nearbyint rounds to even.
  int m = int(f.manBits);
  int minExp = 1 - f.bias;
  int exp = minExp;
  if (magnitude != 0.0) {
    int e;
    std::frexp(magnitude, &e);
    exp = std::max(e - 1, minExp);
  }
  double steps = std::nearbyint(std::ldexp(magnitude, m - exp));
  double rounded = std::ldexp(steps, exp - m);
  if (rounded > decodeSmallFloat(kind, uint8_t(f.maxCode())))
    return uint8_t(saturate ? largest : overflow);
  if (rounded == 0.0)
    return uint8_t(f.specials == Specials::FNUZ ? 0 : sign);
  if (rounded < std::ldexp(1.0, minExp)) // subnormal
    return uint8_t(sign | unsigned(steps));
  int e;
  std::frexp(rounded, &e);
  unsigned field = unsigned(e - 1 + f.bias);
  unsigned man = unsigned(std::ldexp(rounded, m - (e - 1))) - (1u << m);
  return uint8_t(sign | (field << f.manBits) | man);
}
