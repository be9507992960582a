//===- AttentionOps.cpp - Attention and RotaryEmbedding (opset 23) --------===//
//
// Attention as the ops of its ONNX function: heads split from 3-D inputs,
// past keys and values concatenated, grouped-query heads repeated, the
// scale applied as sqrt(scale) to Q and to K^T, the soft cap, the mask and
// causal bias, softmax and the product with V. The products of two
// activations become matmul layers with their own widths, as in an
// exported transformer.
//
//===----------------------------------------------------------------------===//

#include "OpImporters.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Tensor/HostTensor.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::importer;

namespace {
/// Builds with the node's error reporting; every step may fail.
struct AttentionBuilder {
  GraphImporter &gi;

  FailureOr<Value> op(StringRef name, ValueRange operands,
                      ArrayRef<NamedAttribute> attrs = {}) {
    return gi.build1(name, operands, attrs);
  }
  FailureOr<Value> concat(ValueRange values, int64_t axis) {
    return op(ConcatOp::getOperationName(), values,
              {gi.named("axis", gi.getBuilder().getI64IntegerAttr(axis))});
  }
  FailureOr<Value> scalar(double value, Type element, StringRef tag) {
    return gi.scalarConstant(value, element, tag);
  }
  /// [B, S, H*D] -> [B, H, S, D].
  FailureOr<Value> splitHeads(Value v, int64_t heads) {
    ArrayRef<int64_t> s = gi.typeOf(v).getShape();
    if (heads < 1 || s[2] % heads != 0) {
      (void)gi.fail("a 3-D input of width " + Twine(s[2]) +
                    " does not split into " + Twine(heads) + " heads");
      return failure();
    }
    FailureOr<Value> r = gi.reshape(v, {s[0], s[1], heads, s[2] / heads});
    if (failed(r))
      return failure();
    return gi.transpose(*r, {0, 2, 1, 3});
  }
  /// [B, Hkv, T, D] with each head repeated `times` times in a row ->
  /// [B, Hkv*times, T, D].
  FailureOr<Value> repeatHeads(Value v, int64_t times) {
    if (times == 1)
      return v;
    ArrayRef<int64_t> s = gi.typeOf(v).getShape();
    FailureOr<Value> r = gi.reshape(v, {s[0], s[1], 1, s[2], s[3]});
    if (failed(r))
      return failure();
    SmallVector<Value> copies(times, *r);
    FailureOr<Value> c = concat(copies, 2);
    if (failed(c))
      return failure();
    return gi.reshape(*c, {s[0], s[1] * times, s[2], s[3]});
  }
};
} // namespace

static LogicalResult importAttention(GraphImporter &gi) {
  if (gi.hasInput(6))
    return gi.fail("nonpad_kv_seqlen is not supported");
  FailureOr<Value> q = gi.operand(0), k = gi.operand(1), v = gi.operand(2);
  if (failed(q) || failed(k) || failed(v))
    return failure();
  AttentionBuilder b{gi};
  OpBuilder &builder = gi.getBuilder();
  RankedTensorType qt = gi.typeOf(*q);
  Type element = qt.getElementType();
  if (!element.isF32())
    return gi.fail("only float32 attention is supported");
  int64_t rank = qt.getRank();
  if (rank != 3 && rank != 4)
    return gi.fail("Q must be 3-D or 4-D, got tensor<" +
                   shapeText(qt.getShape()) + ">");
  if (gi.typeOf(*k).getRank() != rank || gi.typeOf(*v).getRank() != rank)
    return gi.fail("Q, K and V must have the same rank");
  if (rank == 3) {
    int64_t qHeads = gi.intAttr("q_num_heads", 0),
            kvHeads = gi.intAttr("kv_num_heads", 0);
    if (qHeads < 1 || kvHeads < 1)
      return gi.fail("3-D inputs need q_num_heads and kv_num_heads");
    q = b.splitHeads(*q, qHeads);
    if (succeeded(q))
      k = b.splitHeads(*k, kvHeads);
    if (succeeded(k))
      v = b.splitHeads(*v, kvHeads);
    if (failed(v))
      return failure();
  }
  // Past keys and values come before the new ones.
  Value key = *k, value = *v;
  int64_t past = 0;
  if (gi.hasInput(4) != gi.hasInput(5))
    return gi.fail("past_key and past_value come together");
  if (gi.hasInput(4)) {
    FailureOr<Value> pk = gi.operand(4), pv = gi.operand(5);
    if (failed(pk) || failed(pv))
      return failure();
    past = gi.typeOf(*pk).getRank() == 4 ? gi.typeOf(*pk).getDimSize(2) : -1;
    if (past < 0)
      return gi.fail("past_key must be 4-D");
    FailureOr<Value> ck = b.concat({*pk, key}, 2);
    FailureOr<Value> cv = b.concat({*pv, value}, 2);
    if (failed(ck) || failed(cv))
      return failure();
    key = *ck;
    value = *cv;
  }
  if (failed(gi.define(gi.output(1), key)) ||
      failed(gi.define(gi.output(2), value)))
    return failure();

  ArrayRef<int64_t> qs = gi.typeOf(*q).getShape(),
                    ks = gi.typeOf(key).getShape();
  int64_t qHeads = qs[1], kvHeads = ks[1], qLen = qs[2], total = ks[2];
  if (kvHeads < 1 || qHeads % kvHeads != 0)
    return gi.fail(Twine(qHeads) + " query heads do not group over " +
                   Twine(kvHeads) + " key/value heads");
  FailureOr<Value> keys = b.repeatHeads(key, qHeads / kvHeads);
  FailureOr<Value> values = b.repeatHeads(value, qHeads / kvHeads);
  if (failed(keys) || failed(values))
    return failure();

  // QK = (Q * sqrt(scale)) x (K^T * sqrt(scale)), in f32 as the function.
  float scale = gi.attr("scale") ? gi.floatAttr("scale", 1.0f)
                                 : 1.0f / std::sqrt(float(qs[3]));
  FailureOr<Value> root = b.scalar(std::sqrt(scale), element, "scale_sqrt");
  FailureOr<Value> kt = gi.transpose(*keys, {0, 1, 3, 2});
  if (failed(root) || failed(kt))
    return failure();
  FailureOr<Value> qScaled = b.op(MulOp::getOperationName(), {*q, *root});
  FailureOr<Value> kScaled = b.op(MulOp::getOperationName(), {*kt, *root});
  if (failed(qScaled) || failed(kScaled))
    return failure();
  FailureOr<Value> qk =
      b.op(MatMulOp::getOperationName(), {*qScaled, *kScaled},
           {gi.named("name", builder.getStringAttr(gi.getNodeName().str() +
                                                   ".scores"))});
  if (failed(qk))
    return failure();
  Value scores = *qk, afterMatMul = *qk;

  // Soft cap: softcap * tanh(QK / softcap).
  float softcap = gi.floatAttr("softcap", 0.0f);
  if (softcap > 0) {
    FailureOr<Value> cap = b.scalar(softcap, element, "softcap");
    if (failed(cap))
      return failure();
    FailureOr<Value> divided = b.op(DivOp::getOperationName(), {scores, *cap});
    if (failed(divided))
      return failure();
    FailureOr<Value> bent = b.op(TanhOp::getOperationName(), {*divided});
    if (failed(bent))
      return failure();
    FailureOr<Value> capped = b.op(MulOp::getOperationName(), {*bent, *cap});
    if (failed(capped))
      return failure();
    scores = *capped;
  }
  Value afterSoftcap = scores;

  // The bias: the mask (added, or -inf where a boolean mask is false) and
  // the causal mask (-inf where the key comes after the query, aligned to
  // the end of the past).
  std::optional<Value> bias;
  if (gi.hasInput(3)) {
    FailureOr<Value> mask = gi.operand(3);
    if (failed(mask))
      return failure();
    if (gi.typeOf(*mask).getElementType().isInteger(1)) {
      FailureOr<Value> zero = b.scalar(0.0, element, "mask_zero");
      FailureOr<Value> negInf = b.scalar(
          -std::numeric_limits<double>::infinity(), element, "mask_neg_inf");
      if (failed(zero) || failed(negInf))
        return failure();
      mask = b.op(WhereOp::getOperationName(), {*mask, *zero, *negInf});
      if (failed(mask))
        return failure();
    }
    bias = *mask;
  }
  if (gi.intAttr("is_causal", 0) != 0) {
    HostTensor causal(ElementKind::F32, {qLen, total});
    for (int64_t i = 0; i < qLen; ++i)
      for (int64_t j = 0; j < total; ++j)
        causal.data<float>()[i * total + j] =
            j > i + past ? -std::numeric_limits<float>::infinity() : 0.0f;
    FailureOr<Value> tri =
        gi.internConstant(gi.getNodeName().str() + "__causal", causal);
    if (failed(tri))
      return failure();
    if (bias) {
      FailureOr<Value> sum = b.op(AddOp::getOperationName(), {*bias, *tri});
      if (failed(sum))
        return failure();
      bias = *sum;
    } else {
      bias = *tri;
    }
  }
  if (bias) {
    FailureOr<Value> biased = b.op(AddOp::getOperationName(), {scores, *bias});
    if (failed(biased))
      return failure();
    scores = *biased;
  }
  Value afterBias = scores;
  FailureOr<Operation *> softmax = gi.build(
      SoftmaxOp::getOperationName(), {scores},
      {gi.named("axis", builder.getI64IntegerAttr(3))}, {scores.getType()});
  if (failed(softmax))
    return failure();
  Value weights = (*softmax)->getResult(0);

  if (gi.hasOutput(3)) {
    int64_t mode = gi.intAttr("qk_matmul_output_mode", 0);
    Value taps[] = {afterMatMul, afterSoftcap, afterBias, weights};
    if (mode < 0 || mode > 3)
      return gi.fail("qk_matmul_output_mode " + Twine(mode) +
                     " is not 0, 1, 2 or 3");
    if (failed(gi.define(gi.output(3), taps[mode])))
      return failure();
  }
  FailureOr<Value> y =
      b.op(MatMulOp::getOperationName(), {weights, *values},
           {gi.named("name", builder.getStringAttr(gi.getNodeName().str() +
                                                   ".context"))});
  if (failed(y))
    return failure();
  if (rank == 4)
    return gi.define(gi.output(0), *y);
  ArrayRef<int64_t> ys = gi.typeOf(*y).getShape();
  FailureOr<Value> moved = gi.transpose(*y, {0, 2, 1, 3});
  if (failed(moved))
    return failure();
  return gi.defineOutput(gi.reshape(*moved, {ys[0], ys[2], ys[1] * ys[3]}));
}

/// RotaryEmbedding (opset 23) as the ops of its function: the first
/// rotary_embedding_dim features of each head rotate by the angles whose
/// cosines and sines the caches hold (gathered at position_ids, or given per
/// position), as pairs (x[2i], x[2i+1]) when interleaved, else (x[i],
/// x[i + d/2]); the other features pass through.
static LogicalResult importRotaryEmbedding(GraphImporter &gi) {
  FailureOr<Value> x = gi.operand(0), cosCache = gi.operand(1),
                   sinCache = gi.operand(2);
  if (failed(x) || failed(cosCache) || failed(sinCache))
    return failure();
  AttentionBuilder b{gi};
  OpBuilder &builder = gi.getBuilder();
  ArrayRef<int64_t> xs = gi.typeOf(*x).getShape();
  int64_t rank = xs.size();
  // Work in [B, S, H, D].
  Value input = *x;
  int64_t heads, head;
  if (rank == 4) {
    heads = xs[1];
    head = xs[3];
    FailureOr<Value> t = gi.transpose(input, {0, 2, 1, 3});
    if (failed(t))
      return failure();
    input = *t;
  } else if (rank == 3) {
    heads = gi.intAttr("num_heads", 0);
    if (heads < 1 || xs[2] % heads != 0)
      return gi.fail("a 3-D input of width " + Twine(xs[2]) +
                     " needs num_heads that divides it");
    head = xs[2] / heads;
    FailureOr<Value> r = gi.reshape(input, {xs[0], xs[1], heads, head});
    if (failed(r))
      return failure();
    input = *r;
  } else {
    return gi.fail("the input must be 3-D or 4-D, got tensor<" + shapeText(xs) +
                   ">");
  }
  int64_t batch = gi.typeOf(input).getDimSize(0),
          seq = gi.typeOf(input).getDimSize(1);
  int64_t rotary = gi.intAttr("rotary_embedding_dim", 0);
  if (rotary == 0)
    rotary = head;
  if (rotary < 2 || rotary % 2 != 0 || rotary > head)
    return gi.fail("rotary_embedding_dim " + Twine(rotary) +
                   " must be even and at most the head size " + Twine(head));
  bool interleaved = gi.intAttr("interleaved", 0) != 0;
  auto slice = [&](Value v, int64_t axis, int64_t start, int64_t end,
                   int64_t step) {
    return b.op(SliceOp::getOperationName(), {v},
                {gi.named("starts", builder.getDenseI64ArrayAttr({start})),
                 gi.named("ends", builder.getDenseI64ArrayAttr({end})),
                 gi.named("axes", builder.getDenseI64ArrayAttr({axis})),
                 gi.named("steps", builder.getDenseI64ArrayAttr({step}))});
  };
  // The angles as [B, S, 1, rotary/2].
  auto angles = [&](Value cache) -> FailureOr<Value> {
    Value c = cache;
    if (gi.hasInput(3)) {
      FailureOr<Value> ids = gi.operand(3);
      if (failed(ids))
        return failure();
      FailureOr<Value> g =
          b.op(GatherOp::getOperationName(), {c, *ids},
               {gi.named("axis", builder.getI64IntegerAttr(0))});
      if (failed(g))
        return failure();
      c = *g;
    }
    ArrayRef<int64_t> cs = gi.typeOf(c).getShape();
    if (cs.size() != 3 || cs[0] != batch || cs[1] != seq ||
        cs[2] < rotary / 2) {
      (void)gi.fail("the caches give tensor<" + shapeText(cs) + ">, not " +
                    Twine(batch) + "x" + Twine(seq) + "x" + Twine(rotary / 2));
      return failure();
    }
    FailureOr<Value> half = slice(c, 2, 0, rotary / 2, 1);
    if (failed(half))
      return failure();
    return gi.reshape(*half, {batch, seq, 1, rotary / 2});
  };
  FailureOr<Value> cosine = angles(*cosCache), sine = angles(*sinCache);
  if (failed(cosine) || failed(sine))
    return failure();
  FailureOr<Value> x1 = interleaved ? slice(input, 3, 0, rotary, 2)
                                    : slice(input, 3, 0, rotary / 2, 1);
  FailureOr<Value> x2 = interleaved ? slice(input, 3, 1, rotary, 2)
                                    : slice(input, 3, rotary / 2, rotary, 1);
  if (failed(x1) || failed(x2))
    return failure();
  FailureOr<Value> cx1 = b.op(MulOp::getOperationName(), {*cosine, *x1});
  FailureOr<Value> sx2 = b.op(MulOp::getOperationName(), {*sine, *x2});
  FailureOr<Value> sx1 = b.op(MulOp::getOperationName(), {*sine, *x1});
  FailureOr<Value> cx2 = b.op(MulOp::getOperationName(), {*cosine, *x2});
  if (failed(cx1) || failed(sx2) || failed(sx1) || failed(cx2))
    return failure();
  FailureOr<Value> real = b.op(SubOp::getOperationName(), {*cx1, *sx2});
  FailureOr<Value> imag = b.op(AddOp::getOperationName(), {*sx1, *cx2});
  if (failed(real) || failed(imag))
    return failure();
  FailureOr<Value> rotated = failure();
  if (interleaved) {
    // [.., rotary/2, 2] flattened: real and imaginary parts alternate.
    SmallVector<int64_t> pair = {batch, seq, heads, rotary / 2, 1};
    FailureOr<Value> r = gi.reshape(*real, pair), i = gi.reshape(*imag, pair);
    if (failed(r) || failed(i))
      return failure();
    FailureOr<Value> both = b.concat({*r, *i}, 4);
    if (failed(both))
      return failure();
    rotated = gi.reshape(*both, {batch, seq, heads, rotary});
  } else {
    rotated = b.concat({*real, *imag}, 3);
  }
  if (failed(rotated))
    return failure();
  Value y = *rotated;
  if (rotary < head) {
    FailureOr<Value> rest = slice(input, 3, rotary, head, 1);
    if (failed(rest))
      return failure();
    FailureOr<Value> whole = b.concat({y, *rest}, 3);
    if (failed(whole))
      return failure();
    y = *whole;
  }
  if (rank == 4)
    return gi.defineOutput(gi.transpose(y, {0, 2, 1, 3}));
  return gi.defineOutput(gi.reshape(y, xs));
}

void importer::registerAttentionOps(OpRegistry &registry) {
  registry.add("Attention", 23, importAttention);
  registry.add("RotaryEmbedding", 23, importRotaryEmbedding);
}
