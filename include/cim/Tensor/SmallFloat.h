//===- SmallFloat.h - ONNX 8- and 4-bit float encodings ---------*- C++ -*-===//
//
// The bit patterns of the ONNX small float types (FLOAT8E4M3FN,
// FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ, FLOAT8E8M0, FLOAT4E2M1) and
// the conversions of ONNX Cast to and from them. A HostTensor of one of
// these kinds holds one pattern per byte (a float4 in the low nibble).
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TENSOR_SMALLFLOAT_H
#define CIM_TENSOR_SMALLFLOAT_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

namespace mlir {
namespace cim {

enum class ElementKind;

/// How a cast to float8e8m0 rounds the f32 value's exponent (ONNX Cast's
/// `round_mode`, opset 24).
enum class E8M0Rounding { Up, Down, Nearest };

/// The rounding mode spelled `text` ("up", "down", "nearest").
std::optional<E8M0Rounding> parseE8M0Rounding(llvm::StringRef text);

/// Options of a cast to a small float (ONNX Cast's `saturate` and
/// `round_mode`). The defaults are ONNX's.
struct SmallFloatCast {
  bool saturate = true;
  E8M0Rounding rounding = E8M0Rounding::Up;
};

/// True for the six small float kinds.
bool isSmallFloatKind(ElementKind kind);

/// The value of the bit pattern `bits` of a small float `kind` (NaN, the
/// infinities of e5m2 and signed zeros included).
double decodeSmallFloat(ElementKind kind, uint8_t bits);

/// `value` as a small float `kind`: to nearest even, with the overflow,
/// infinity and NaN rules of ONNX Cast (opset 19 to 25); a float8e8m0
/// takes the exponent of `value` as f32, rounded by `options.rounding`.
uint8_t encodeSmallFloat(ElementKind kind, double value,
                         const SmallFloatCast &options = {});

} // namespace cim
} // namespace mlir

#endif // CIM_TENSOR_SMALLFLOAT_H
