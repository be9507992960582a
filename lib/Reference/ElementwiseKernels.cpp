//===- ElementwiseKernels.cpp - Broadcast binary and unary ops ------------===//

#include "Kernels.h"

#include "cim/Dialect/CIM/CIMShapes.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>
#include <type_traits>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::reference;

//===----------------------------------------------------------------------===//
// Binary ops
//===----------------------------------------------------------------------===//

namespace {
enum class BinaryKind { Add, Sub, Mul, Div, Pow, Max, Min };
} // namespace

/// Merges neighbouring dimensions that both operands walk contiguously (or
/// both broadcast), so that the inner loop runs as long as possible.
static void collapseDims(SmallVectorImpl<int64_t> &shape,
                         SmallVectorImpl<int64_t> &a,
                         SmallVectorImpl<int64_t> &b) {
  for (int64_t d = int64_t(shape.size()) - 2; d >= 0; --d) {
    if (a[d] != a[d + 1] * shape[d + 1] || b[d] != b[d + 1] * shape[d + 1])
      continue;
    shape[d] *= shape[d + 1];
    a[d] = a[d + 1];
    b[d] = b[d + 1];
    shape.erase(shape.begin() + d + 1);
    a.erase(a.begin() + d + 1);
    b.erase(b.begin() + d + 1);
  }
}

template <typename T, typename F>
static void binaryLoop(const HostTensor &lhs, const HostTensor &rhs,
                       HostTensor &out, F f) {
  SmallVector<int64_t> shape(out.getShape());
  SmallVector<int64_t> a = broadcastStrides(lhs.getShape(), shape);
  SmallVector<int64_t> b = broadcastStrides(rhs.getShape(), shape);
  collapseDims(shape, a, b);
  const T *lv = lhs.data<T>().data();
  const T *rv = rhs.data<T>().data();
  T *y = out.data<T>().data();
  forEachRow(shape, a, b,
             [&](int64_t o, int64_t ao, int64_t as, int64_t bo, int64_t bs,
                 int64_t count) {
               for (int64_t i = 0; i < count; ++i)
                 y[o + i] = f(lv[ao + i * as], rv[bo + i * bs]);
             });
}

/// numpy maximum / minimum: a NaN in either operand gives NaN.
template <typename T> static T floatMax(T x, T y) {
  if (std::isnan(x) || std::isnan(y))
    return std::numeric_limits<T>::quiet_NaN();
  return x < y ? y : x;
}
template <typename T> static T floatMin(T x, T y) {
  if (std::isnan(x) || std::isnan(y))
    return std::numeric_limits<T>::quiet_NaN();
  return y < x ? y : x;
}

template <typename T>
static void floatBinary(BinaryKind kind, const HostTensor &lhs,
                        const HostTensor &rhs, HostTensor &out) {
  switch (kind) {
  case BinaryKind::Add:
    return binaryLoop<T>(lhs, rhs, out, [](T x, T y) { return x + y; });
  case BinaryKind::Sub:
    return binaryLoop<T>(lhs, rhs, out, [](T x, T y) { return x - y; });
  case BinaryKind::Mul:
    return binaryLoop<T>(lhs, rhs, out, [](T x, T y) { return x * y; });
  case BinaryKind::Div:
    return binaryLoop<T>(lhs, rhs, out, [](T x, T y) { return x / y; });
  case BinaryKind::Pow:
    return binaryLoop<T>(lhs, rhs, out,
                         [](T x, T y) { return T(std::pow(x, y)); });
  case BinaryKind::Max:
    return binaryLoop<T>(lhs, rhs, out, floatMax<T>);
  case BinaryKind::Min:
    return binaryLoop<T>(lhs, rhs, out, floatMin<T>);
  }
}

template <typename T>
static void integerBinary(BinaryKind kind, const HostTensor &lhs,
                          const HostTensor &rhs, HostTensor &out) {
  // Wrap around like numpy instead of overflowing (undefined for signed
  // types); narrow types are widened so that the product cannot overflow int.
  using W = std::conditional_t<(sizeof(T) < sizeof(uint32_t)), uint32_t,
                               std::make_unsigned_t<T>>;
  switch (kind) {
  case BinaryKind::Add:
    return binaryLoop<T>(lhs, rhs, out,
                         [](T x, T y) { return T(W(x) + W(y)); });
  case BinaryKind::Sub:
    return binaryLoop<T>(lhs, rhs, out,
                         [](T x, T y) { return T(W(x) - W(y)); });
  case BinaryKind::Mul:
    return binaryLoop<T>(lhs, rhs, out,
                         [](T x, T y) { return T(W(x) * W(y)); });
  case BinaryKind::Div:
    // Truncates toward zero (ONNX Div on integers); the caller rejected zero
    // divisors. MIN / -1 wraps to MIN.
    return binaryLoop<T>(lhs, rhs, out, [](T x, T y) {
      if constexpr (std::is_signed_v<T>)
        if (y == T(-1))
          return T(W(0) - W(x));
      return T(x / y);
    });
  case BinaryKind::Max:
    return binaryLoop<T>(lhs, rhs, out, [](T x, T y) { return x < y ? y : x; });
  case BinaryKind::Min:
    return binaryLoop<T>(lhs, rhs, out, [](T x, T y) { return y < x ? y : x; });
  case BinaryKind::Pow:
    // Square-and-multiply with wrap-around, as numpy.power; the caller
    // rejected negative exponents.
    return binaryLoop<T>(lhs, rhs, out, [](T x, T y) {
      W result = 1, base = W(x);
      for (uint64_t e = uint64_t(y); e != 0; e >>= 1) {
        if (e & 1)
          result = W(result * base);
        base = W(base * base);
      }
      return T(result);
    });
  }
}

/// Calls `fn(T{})` for the integer kinds.
template <typename Fn> static void visitInteger(ElementKind kind, Fn &&fn) {
  switch (kind) {
  case ElementKind::I8:
    return fn(int8_t{});
  case ElementKind::I16:
    return fn(int16_t{});
  case ElementKind::I32:
    return fn(int32_t{});
  case ElementKind::I64:
    return fn(int64_t{});
  case ElementKind::U8:
    return fn(uint8_t{});
  case ElementKind::U16:
    return fn(uint16_t{});
  case ElementKind::U32:
    return fn(uint32_t{});
  case ElementKind::U64:
    return fn(uint64_t{});
  default:
    llvm_unreachable("not an integer kind");
  }
}

FailureOr<HostTensor> reference::runBinary(Operation *op, Operands operands) {
  auto kind = llvm::TypeSwitch<Operation *, std::optional<BinaryKind>>(op)
                  .Case([](AddOp) { return BinaryKind::Add; })
                  .Case([](SubOp) { return BinaryKind::Sub; })
                  .Case([](MulOp) { return BinaryKind::Mul; })
                  .Case([](DivOp) { return BinaryKind::Div; })
                  .Case([](PowOp) { return BinaryKind::Pow; })
                  .Case([](MaxOp) { return BinaryKind::Max; })
                  .Case([](MinOp) { return BinaryKind::Min; })
                  .Default([](Operation *) { return std::nullopt; });
  assert(kind && "not a binary op");
  const HostTensor &lhs = *operands[0], &rhs = *operands[1];
  if (lhs.getKind() != rhs.getKind())
    return op->emitOpError()
           << "operands mix " << getElementKindName(lhs.getKind()) << " and "
           << getElementKindName(rhs.getKind());
  auto shape = broadcastShapes(lhs.getShape(), rhs.getShape());
  if (!shape)
    return op->emitOpError()
           << "shapes " << shapeString(lhs.getShape()) << " and "
           << shapeString(rhs.getShape()) << " do not broadcast";
  ElementKind element = lhs.getKind();
  if (element == ElementKind::Bool)
    return op->emitOpError()
           << "is not supported on " << getElementKindName(element)
           << " tensors by the reference executor";
  HostTensor out(element, *shape);
  if (lhs.isFloat()) {
    visitFloat(element, [&](auto tag) {
      floatBinary<decltype(tag)>(*kind, lhs, rhs, out);
    });
    return out;
  }
  // Checked up front: every rhs element reaches the output.
  if (out.getNumElements() != 0 &&
      (*kind == BinaryKind::Div || *kind == BinaryKind::Pow)) {
    bool zero = false, negative = false;
    visitInteger(element, [&](auto tag) {
      using T = decltype(tag);
      for (T v : rhs.data<T>()) {
        zero |= v == T(0);
        if constexpr (std::is_signed_v<T>)
          negative |= v < T(0);
      }
    });
    if (*kind == BinaryKind::Div && zero)
      return op->emitOpError() << "divides an integer by zero";
    if (*kind == BinaryKind::Pow && negative)
      return op->emitOpError() << "raises an integer to a negative power";
  }
  visitInteger(element, [&](auto tag) {
    integerBinary<decltype(tag)>(*kind, lhs, rhs, out);
  });
  return out;
}

//===----------------------------------------------------------------------===//
// Unary ops
//===----------------------------------------------------------------------===//

/// Applies `f` (a generic callable on float and double) to every element.
template <typename F> static HostTensor mapFloat(const HostTensor &in, F f) {
  HostTensor out(in.getKind(), in.getShape());
  visitFloat(in.getKind(), [&](auto tag) {
    using T = decltype(tag);
    ArrayRef<T> src = in.data<T>();
    MutableArrayRef<T> dst = out.data<T>();
    for (size_t i = 0, e = src.size(); i < e; ++i)
      dst[i] = T(f(src[i]));
  });
  return out;
}

FailureOr<HostTensor> reference::runUnary(Operation *op, Operands operands) {
  const HostTensor &in = *operands[0];
  if (failed(requireFloat(op, in, "input")))
    return failure();
  using Result = std::optional<HostTensor>;
  Result result =
      llvm::TypeSwitch<Operation *, Result>(op)
          .Case([&](ReluOp) {
            // `x < 0 ? 0 : x` keeps NaN, as numpy.maximum(x, 0) does.
            return mapFloat(in, [](auto x) {
              return x < decltype(x)(0) ? decltype(x)(0) : x;
            });
          })
          .Case([&](LeakyReluOp leaky) {
            double alpha = leaky.getAlpha().convertToDouble();
            return mapFloat(in, [alpha](auto x) {
              using T = decltype(x);
              return x < T(0) ? T(alpha) * x : x;
            });
          })
          .Case([&](ClipOp clip) {
            double lo = clip.getMin()
                            ? clip.getMin()->convertToDouble()
                            : -std::numeric_limits<double>::infinity();
            double hi = clip.getMax() ? clip.getMax()->convertToDouble()
                                      : std::numeric_limits<double>::infinity();
            // min(max(x, lo), hi) as numpy.clip: max wins when lo > hi,
            // and NaN passes through.
            return mapFloat(in, [lo, hi](auto x) {
              using T = decltype(x);
              T v = x < T(lo) ? T(lo) : x;
              return v > T(hi) ? T(hi) : v;
            });
          })
          .Case([&](SigmoidOp) {
            // The two branches avoid overflow of exp for large |x|.
            return mapFloat(in, [](auto x) {
              using T = decltype(x);
              if (x >= T(0))
                return T(1) / (T(1) + std::exp(-x));
              T e = std::exp(x);
              return e / (T(1) + e);
            });
          })
          .Case([&](HardSigmoidOp hard) {
            double alpha = hard.getAlpha().convertToDouble();
            double beta = hard.getBeta().convertToDouble();
            return mapFloat(in, [alpha, beta](auto x) {
              using T = decltype(x);
              T v = T(alpha) * x + T(beta);
              return v < T(0) ? T(0) : (v > T(1) ? T(1) : v);
            });
          })
          .Case([&](HardSwishOp) {
            return mapFloat(in, [](auto x) {
              using T = decltype(x);
              T v = T(1.0 / 6.0) * x + T(0.5);
              return x * (v < T(0) ? T(0) : (v > T(1) ? T(1) : v));
            });
          })
          .Case([&](TanhOp) {
            return mapFloat(in, [](auto x) { return std::tanh(x); });
          })
          .Case([&](ErfOp) {
            return mapFloat(in, [](auto x) { return std::erf(x); });
          })
          .Case([&](GeluOp gelu) {
            if (gelu.getApproximate() == GeluApproximation::Tanh)
              return mapFloat(in, [](auto x) {
                using T = decltype(x);
                const T k = T(0.7978845608028654); // sqrt(2 / pi)
                return T(0.5) * x *
                       (T(1) + std::tanh(k * (x + T(0.044715) * x * x * x)));
              });
            return mapFloat(in, [](auto x) {
              using T = decltype(x);
              return T(0.5) * x *
                     (T(1) + std::erf(x * T(0.7071067811865476))); // 1/sqrt(2)
            });
          })
          .Case([&](SqrtOp) {
            return mapFloat(in, [](auto x) { return std::sqrt(x); });
          })
          .Case([&](ExpOp) {
            return mapFloat(in, [](auto x) { return std::exp(x); });
          })
          .Case([&](NegOp) { return mapFloat(in, [](auto x) { return -x; }); })
          .Default([](Operation *) { return std::nullopt; });
  assert(result && "not a unary op");
  return std::move(*result);
}
