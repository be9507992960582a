//===- LogicKernels.cpp - Comparisons, selection, casts, broadcasting -----===//

#include "Kernels.h"

#include "cim/Dialect/CIM/CIMShapes.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <type_traits>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::reference;

namespace {
enum class Predicate { Eq, Lt, Le, Gt, Ge, And, Or, Xor };
} // namespace

template <typename T> static bool evaluate(Predicate p, T x, T y) {
  switch (p) {
  case Predicate::Eq:
    return x == y;
  case Predicate::Lt:
    return x < y;
  case Predicate::Le:
    return x <= y;
  case Predicate::Gt:
    return x > y;
  case Predicate::Ge:
    return x >= y;
  case Predicate::And:
    return bool(x) && bool(y);
  case Predicate::Or:
    return bool(x) || bool(y);
  case Predicate::Xor:
    return bool(x) != bool(y);
  }
  llvm_unreachable("unknown predicate");
}

FailureOr<HostTensor> reference::runPredicate(Operation *op,
                                              Operands operands) {
  Predicate p = llvm::TypeSwitch<Operation *, Predicate>(op)
                    .Case([](EqualOp) { return Predicate::Eq; })
                    .Case([](LessOp) { return Predicate::Lt; })
                    .Case([](LessEqualOp) { return Predicate::Le; })
                    .Case([](GreaterOp) { return Predicate::Gt; })
                    .Case([](GreaterEqualOp) { return Predicate::Ge; })
                    .Case([](AndOp) { return Predicate::And; })
                    .Case([](OrOp) { return Predicate::Or; })
                    .Case([](XorOp) { return Predicate::Xor; });
  const HostTensor &lhs = *operands[0], &rhs = *operands[1];
  FailureOr<SmallVector<int64_t>> shape = broadcastOperands(op, lhs, rhs);
  if (failed(shape))
    return failure();
  HostTensor out(ElementKind::Bool, *shape);
  SmallVector<int64_t> a = broadcastStrides(lhs.getShape(), *shape);
  SmallVector<int64_t> b = broadcastStrides(rhs.getShape(), *shape);
  bool *y = out.data<bool>().data();
  visitElementKind(lhs.getKind(), [&](auto tag) {
    using T = decltype(tag);
    const T *lv = lhs.data<T>().data();
    const T *rv = rhs.data<T>().data();
    forEachRow(*shape, a, b,
               [&](int64_t o, int64_t ao, int64_t as, int64_t bo, int64_t bs,
                   int64_t count) {
                 for (int64_t i = 0; i < count; ++i)
                   y[o + i] = evaluate<T>(p, lv[ao + i * as], rv[bo + i * bs]);
               });
  });
  return out;
}

FailureOr<HostTensor> reference::runNot(NotOp op, Operands operands) {
  const HostTensor &in = *operands[0];
  if (in.getKind() != ElementKind::Bool)
    return op.emitOpError()
           << "needs an i1 input, got " << getElementKindName(in.getKind());
  HostTensor out(ElementKind::Bool, in.getShape());
  ArrayRef<bool> x = in.data<bool>();
  MutableArrayRef<bool> y = out.data<bool>();
  for (size_t i = 0, e = x.size(); i < e; ++i)
    y[i] = !x[i];
  return out;
}

FailureOr<HostTensor> reference::runWhere(WhereOp op, Operands operands) {
  const HostTensor &c = *operands[0], &x = *operands[1], &y = *operands[2];
  if (c.getKind() != ElementKind::Bool)
    return op.emitOpError() << "the condition must be i1, got "
                            << getElementKindName(c.getKind());
  if (x.getKind() != y.getKind())
    return op.emitOpError() << "x and y mix " << getElementKindName(x.getKind())
                            << " and " << getElementKindName(y.getKind());
  auto shape = broadcastShapes(c.getShape(), x.getShape());
  if (shape)
    shape = broadcastShapes(*shape, y.getShape());
  if (!shape)
    return op.emitOpError() << "shapes " << shapeString(c.getShape()) << ", "
                            << shapeString(x.getShape()) << " and "
                            << shapeString(y.getShape()) << " do not broadcast";
  HostTensor out(x.getKind(), *shape);
  SmallVector<int64_t> cs = broadcastStrides(c.getShape(), *shape);
  SmallVector<int64_t> xs = broadcastStrides(x.getShape(), *shape);
  SmallVector<int64_t> ys = broadcastStrides(y.getShape(), *shape);
  const bool *cv = c.data<bool>().data();
  // Element-size copies: the element type does not matter.
  size_t size = x.getElementSize();
  const uint8_t *xv = x.getBytes().data(), *yv = y.getBytes().data();
  uint8_t *ov = out.getMutableBytes().data();
  // forEachRow walks two operand strides; the condition is the output-shaped
  // third one, walked by index.
  SmallVector<int64_t> index(shape->size(), 0);
  for (int64_t o = 0, e = out.getNumElements(); o < e; ++o) {
    int64_t ci = 0, xi = 0, yi = 0;
    for (size_t d = 0; d < index.size(); ++d) {
      ci += index[d] * cs[d];
      xi += index[d] * xs[d];
      yi += index[d] * ys[d];
    }
    const uint8_t *src = cv[ci] ? xv + xi * size : yv + yi * size;
    std::copy(src, src + size, ov + o * size);
    for (int64_t d = int64_t(index.size()) - 1; d >= 0; --d) {
      if (++index[d] < (*shape)[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

FailureOr<HostTensor> reference::runCast(CastOp op, Operands operands) {
  const HostTensor &in = *operands[0];
  auto type = op.getType().cast<RankedTensorType>();
  std::optional<ElementKind> to = getElementKind(type.getElementType());
  if (!to)
    return op.emitOpError() << "casting to " << type.getElementType()
                            << " is not supported by the reference executor";
  SmallFloatCast options;
  options.saturate = op.getSaturate();
  options.rounding =
      parseE8M0Rounding(op.getRoundMode()).value_or(E8M0Rounding::Up);
  return convertElements(in, *to, options);
}

FailureOr<HostTensor> reference::runExpand(ExpandOp op, Operands operands) {
  const HostTensor &in = *operands[0];
  auto shape = broadcastShapes(in.getShape(), op.getShape());
  if (!shape)
    return op.emitOpError()
           << "shape " << shapeString(in.getShape())
           << " does not broadcast to " << shapeString(op.getShape());
  HostTensor out(in.getKind(), *shape);
  stridedCopy(in.getBytes().data(), 0, broadcastStrides(in.getShape(), *shape),
              *shape, out.getMutableBytes().data(), in.getElementSize());
  return out;
}

FailureOr<HostTensor> reference::runTile(TileOp op, Operands operands) {
  const HostTensor &in = *operands[0];
  ArrayRef<int64_t> repeats = op.getRepeats();
  if (int64_t(repeats.size()) != in.getRank())
    return op.emitOpError()
           << "needs " << in.getRank() << " repeats, got " << repeats.size();
  ArrayRef<int64_t> inShape = in.getShape();
  SmallVector<int64_t> shape;
  for (auto [dim, repeat] : llvm::zip(inShape, repeats))
    shape.push_back(dim * repeat);
  HostTensor out(in.getKind(), shape);
  SmallVector<int64_t> strides = rowMajorStrides(inShape);
  size_t size = in.getElementSize();
  const uint8_t *x = in.getBytes().data();
  uint8_t *y = out.getMutableBytes().data();
  SmallVector<int64_t> index(shape.size(), 0);
  for (int64_t o = 0, e = out.getNumElements(); o < e; ++o) {
    int64_t src = 0;
    for (size_t d = 0; d < index.size(); ++d)
      src += (index[d] % inShape[d]) * strides[d];
    std::copy(x + src * size, x + (src + 1) * size, y + o * size);
    for (int64_t d = int64_t(index.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}
