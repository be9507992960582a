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
enum class BinaryKind { Add, Sub, Mul, Div, Pow, Max, Min, PRelu };
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
  case BinaryKind::PRelu:
    return binaryLoop<T>(lhs, rhs, out,
                         [](T x, T slope) { return x < T(0) ? slope * x : x; });
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
  case BinaryKind::PRelu:
    llvm_unreachable("rejected by runBinary");
  }
}

/// Calls `fn(T{})` for the integer kinds (not Bool).
template <typename Fn> static void visitInteger(ElementKind kind, Fn &&fn) {
  visitElementKind(kind, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
      fn(tag);
    else
      llvm_unreachable("not an integer kind");
  });
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
                  .Case([](PReluOp) { return BinaryKind::PRelu; })
                  .Default([](Operation *) { return std::nullopt; });
  assert(kind && "not a binary op");
  const HostTensor &lhs = *operands[0], &rhs = *operands[1];
  FailureOr<SmallVector<int64_t>> shape = broadcastOperands(op, lhs, rhs);
  if (failed(shape))
    return failure();
  ElementKind element = lhs.getKind();
  if (element == ElementKind::Bool)
    return op->emitOpError()
           << "is not supported on " << getElementKindName(element)
           << " tensors by the reference executor";
  if (*kind == BinaryKind::PRelu && !lhs.isFloat())
    return op->emitOpError()
           << "needs float operands, got " << getElementKindName(element);
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

/// Integer clip: the verifier-free bounds are doubles; they are clamped to
/// the type's range first so that the comparison is exact.
static HostTensor clipInteger(ClipOp clip, const HostTensor &in) {
  HostTensor out(in.getKind(), in.getShape());
  visitInteger(in.getKind(), [&](auto tag) {
    using T = decltype(tag);
    auto bound = [](std::optional<APFloat> b, T fallback) {
      if (!b)
        return fallback;
      double v = b->convertToDouble();
      if (v <= double(std::numeric_limits<T>::lowest()))
        return std::numeric_limits<T>::lowest();
      if (v >= double(std::numeric_limits<T>::max()))
        return std::numeric_limits<T>::max();
      return T(v);
    };
    T lo = bound(clip.getMin(), std::numeric_limits<T>::lowest());
    T hi = bound(clip.getMax(), std::numeric_limits<T>::max());
    ArrayRef<T> src = in.data<T>();
    MutableArrayRef<T> dst = out.data<T>();
    for (size_t i = 0, e = src.size(); i < e; ++i) {
      T v = src[i] < lo ? lo : src[i];
      dst[i] = v > hi ? hi : v;
    }
  });
  return out;
}

FailureOr<HostTensor> reference::runUnary(Operation *op, Operands operands) {
  const HostTensor &in = *operands[0];
  if (auto clip = dyn_cast<ClipOp>(op);
      clip && !in.isFloat() && in.getKind() != ElementKind::Bool)
    return clipInteger(clip, in);
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
          .Case([&](AbsOp) {
            return mapFloat(in, [](auto x) { return std::fabs(x); });
          })
          .Case([&](LogOp) {
            return mapFloat(in, [](auto x) { return std::log(x); });
          })
          .Case([&](ReciprocalOp) {
            return mapFloat(in, [](auto x) { return decltype(x)(1) / x; });
          })
          .Case([&](FloorOp) {
            return mapFloat(in, [](auto x) { return std::floor(x); });
          })
          .Case([&](CeilOp) {
            return mapFloat(in, [](auto x) { return std::ceil(x); });
          })
          .Case([&](RoundOp) {
            // The default floating-point environment rounds half to even.
            return mapFloat(in, [](auto x) { return std::nearbyint(x); });
          })
          .Case([&](SoftplusOp) {
            // log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|)).
            return mapFloat(in, [](auto x) {
              using T = decltype(x);
              return (x > T(0) ? x : T(0)) +
                     std::log1p(std::exp(-std::fabs(x)));
            });
          })
          .Case([&](SoftsignOp) {
            return mapFloat(
                in, [](auto x) { return x / (decltype(x)(1) + std::fabs(x)); });
          })
          .Case([&](MishOp) {
            return mapFloat(in, [](auto x) {
              using T = decltype(x);
              T sp =
                  (x > T(0) ? x : T(0)) + std::log1p(std::exp(-std::fabs(x)));
              return x * std::tanh(sp);
            });
          })
          .Case([&](SwishOp swish) {
            double alpha = swish.getAlpha().convertToDouble();
            return mapFloat(in, [alpha](auto x) {
              using T = decltype(x);
              T z = T(alpha) * x;
              T s = z >= T(0) ? T(1) / (T(1) + std::exp(-z))
                              : std::exp(z) / (T(1) + std::exp(z));
              return x * s;
            });
          })
          .Case([&](EluOp elu) {
            double alpha = elu.getAlpha().convertToDouble();
            return mapFloat(in, [alpha](auto x) {
              using T = decltype(x);
              return x > T(0) ? x : T(alpha) * std::expm1(x);
            });
          })
          .Case([&](SeluOp selu) {
            double alpha = selu.getAlpha().convertToDouble();
            double gamma = selu.getGamma().convertToDouble();
            return mapFloat(in, [alpha, gamma](auto x) {
              using T = decltype(x);
              return T(gamma) * (x > T(0) ? x : T(alpha) * std::expm1(x));
            });
          })
          .Case([&](ThresholdedReluOp relu) {
            double alpha = relu.getAlpha().convertToDouble();
            return mapFloat(in, [alpha](auto x) {
              using T = decltype(x);
              return x > T(alpha) ? x : T(0);
            });
          })
          .Default([](Operation *) { return std::nullopt; });
  assert(result && "not a unary op");
  return std::move(*result);
}
