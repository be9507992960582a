//===- LinearOps.cpp - Conv, ConvTranspose, Gemm, MatMul and variants -----===//
//
// The layers that become crossbar products. They carry the ONNX node name
// as `name`, which policy files refer to.
//
// ConvTranspose becomes one convolution with stride^2 times the output
// channels (its sub-pixel phases) followed by an interleaving of the phases
// (reshape, transpose, reshape) and a crop: docs/importer.md, "Transposed
// convolutions", explains the choice against the zero-inserted input.
//
//===----------------------------------------------------------------------===//

#include "OpImporters.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/CIMShapes.h"
#include "cim/Tensor/HostTensor.h"

#include <limits>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::importer;

/// Conv on `x`, `w` and the optional `bias` with the node's attributes, 2-D,
/// or 1-D as 2-D over a 1 x L image.
static FailureOr<Value> buildConv(GraphImporter &gi, Value x, Value w,
                                  std::optional<Value> bias) {
  RankedTensorType xt = gi.typeOf(x), wt = gi.typeOf(w);
  int64_t rank = xt.getRank();
  if (rank != 3 && rank != 4) {
    (void)gi.fail("only 1-D and 2-D convolutions are supported, got input "
                  "tensor<" +
                  shapeText(xt.getShape()) + ">");
    return failure();
  }
  if (wt.getRank() != rank) {
    (void)gi.fail("weight rank " + Twine(wt.getRank()) +
                  " differs from input rank " + Twine(rank));
    return failure();
  }
  Value input = x, weight = w;
  bool oneD = rank == 3;
  if (oneD) {
    auto xs = xt.getShape();
    auto ws = wt.getShape();
    FailureOr<Value> x4 = gi.reshape(input, {xs[0], xs[1], 1, xs[2]});
    FailureOr<Value> w4 = gi.reshape(weight, {ws[0], ws[1], 1, ws[2]});
    if (failed(x4) || failed(w4))
      return failure();
    input = *x4;
    weight = *w4;
  }
  ArrayRef<int64_t> ws = gi.typeOf(weight).getShape();
  SmallVector<int64_t> kernel = {ws[2], ws[3]};
  if (auto k = gi.intsAttr("kernel_shape")) {
    SmallVector<int64_t> want(k->begin(), k->end());
    if (oneD)
      want.insert(want.begin(), 1);
    if (ArrayRef<int64_t>(want) != ArrayRef<int64_t>(kernel)) {
      (void)gi.fail("kernel_shape disagrees with the weight shape");
      return failure();
    }
  }
  SmallVector<NamedAttribute> attrs;
  if (failed(windowAttrs(gi, gi.typeOf(input).getShape(), kernel, attrs,
                         /*withDilations=*/true, /*unitHeight=*/oneD)))
    return failure();
  OpBuilder &b = gi.getBuilder();
  attrs.push_back(
      gi.named("group", b.getI64IntegerAttr(gi.intAttr("group", 1))));
  attrs.push_back(gi.named("name", b.getStringAttr(gi.getNodeName())));
  SmallVector<Value> operands = {input, weight};
  if (bias)
    operands.push_back(*bias);
  FailureOr<Value> y = gi.build1(Conv2dOp::getOperationName(), operands, attrs);
  if (failed(y) || !oneD)
    return y;
  auto ys = gi.typeOf(*y).getShape();
  return gi.reshape(*y, {ys[0], ys[1], ys[3]});
}

static LogicalResult importConv(GraphImporter &gi) {
  FailureOr<Value> x = gi.operand(0), w = gi.operand(1);
  if (failed(x) || failed(w))
    return failure();
  std::optional<Value> bias;
  if (gi.hasInput(2)) {
    FailureOr<Value> b = gi.operand(2);
    if (failed(b))
      return failure();
    bias = *b;
  }
  return gi.defineOutput(buildConv(gi, *x, *w, bias));
}

namespace {
/// One spatial axis of a transposed convolution and of the sub-pixel
/// convolution that computes it. Output position o = q * stride + r (phase
/// r) sums x[q + delta] * w[k] over the taps k with
/// r + padBegin - k * dilation = delta * stride.
struct TransposedAxis {
  int64_t in = 1, kernel = 1, stride = 1, dilation = 1, padBegin = 0;
  int64_t out = 1;
  /// The offsets delta span [lo, hi] (lo <= 0).
  int64_t lo = 0, hi = 0;
  /// The sub-pixel convolution: kernel hi - lo + 1, pads -lo and padEnd,
  /// `steps` outputs per phase (at least ceil(out / stride)).
  int64_t padEnd = 0, steps = 1;

  int64_t subKernel() const { return hi - lo + 1; }
  /// The phase and offset of tap `k` (floor division: the numerator may be
  /// negative).
  std::pair<int64_t, int64_t> place(int64_t k) const {
    int64_t shift = k * dilation - padBegin;
    int64_t phase = ((shift % stride) + stride) % stride;
    return {phase, (phase - shift) / stride};
  }
  void finish() {
    lo = 0;
    hi = std::numeric_limits<int64_t>::min();
    for (int64_t k = 0; k < kernel; ++k) {
      int64_t delta = place(k).second;
      lo = std::min(lo, delta);
      hi = std::max(hi, delta);
    }
    hi = std::max(hi, lo);
    int64_t need = (out + stride - 1) / stride;
    padEnd = std::max<int64_t>(0, need + hi - in);
    steps = in + padEnd - hi;
  }
};
} // namespace

/// `operand` (node input `input`) rearranged into `shape`: element i of the
/// result is element source[i] of the operand, or 0 where source[i] < 0. A
/// constant operand is rearranged at import; any other becomes a gather
/// from the flattened operand and a trailing zero.
static FailureOr<Value> rearrange(GraphImporter &gi, int input, Value operand,
                                  ArrayRef<int64_t> shape,
                                  ArrayRef<int64_t> source, StringRef tag) {
  std::string name = gi.getNodeName().str() + "__" + tag.str();
  int64_t count = gi.typeOf(operand).getNumElements();
  if (ElementsAttr attr = gi.constant(gi.input(input))) {
    FailureOr<HostTensor> t = toHostTensor(attr);
    if (succeeded(t) && t->isFloat()) {
      HostTensor values = convertElements(*t, ElementKind::F32);
      HostTensor result(ElementKind::F32, shape);
      for (auto [i, from] : llvm::enumerate(source))
        result.data<float>()[i] = from < 0 ? 0.0f : values.data<float>()[from];
      return gi.internConstant(name, result);
    }
  }
  FailureOr<Value> flat = gi.reshape(operand, {count});
  FailureOr<Value> zero = gi.scalarConstant(
      0.0, gi.typeOf(operand).getElementType(), tag.str() + "_zero");
  if (failed(flat) || failed(zero))
    return failure();
  FailureOr<Value> zero1 = gi.reshape(*zero, {1});
  if (failed(zero1))
    return failure();
  OpBuilder &b = gi.getBuilder();
  FailureOr<Value> padded =
      gi.build1(ConcatOp::getOperationName(), {*flat, *zero1},
                {gi.named("axis", b.getI64IntegerAttr(0))});
  if (failed(padded))
    return failure();
  HostTensor indices(ElementKind::I64, shape);
  for (auto [i, from] : llvm::enumerate(source))
    indices.data<int64_t>()[i] = from < 0 ? count : from;
  FailureOr<Value> index = gi.internConstant(name + "_indices", indices);
  if (failed(index))
    return failure();
  return gi.build1(GatherOp::getOperationName(), {*padded, *index},
                   {gi.named("axis", b.getI64IntegerAttr(0))});
}

/// ConvTranspose, 2-D, or 1-D as 2-D over a 1 x L image, as a sub-pixel
/// convolution whose weight and bias are the node's, rearranged.
static LogicalResult importConvTranspose(GraphImporter &gi) {
  FailureOr<Value> x = gi.operand(0), w = gi.operand(1);
  if (failed(x) || failed(w))
    return failure();
  RankedTensorType xt = gi.typeOf(*x), wt = gi.typeOf(*w);
  int64_t rank = xt.getRank();
  if (rank != 3 && rank != 4)
    return gi.fail("only 1-D and 2-D transposed convolutions are supported, "
                   "got input tensor<" +
                   shapeText(xt.getShape()) + ">");
  if (wt.getRank() != rank)
    return gi.fail("weight rank " + Twine(wt.getRank()) +
                   " differs from input rank " + Twine(rank));
  int64_t spatial = rank - 2;
  int64_t group = gi.intAttr("group", 1);
  int64_t cin = xt.getDimSize(1);
  if (group < 1 || cin % group != 0 || wt.getDimSize(0) != cin)
    return gi.fail("the weight is tensor<" + shapeText(wt.getShape()) +
                   "> for " + Twine(cin) + " input channels in " +
                   Twine(group) + " groups (expected C x M/group x k...)");
  int64_t coutPerGroup = wt.getDimSize(1), cout = coutPerGroup * group;
  std::optional<Value> bias;
  if (gi.hasInput(2)) {
    FailureOr<Value> bv = gi.operand(2);
    if (failed(bv))
      return failure();
    RankedTensorType bt = gi.typeOf(*bv);
    if (bt.getRank() != 1 || bt.getDimSize(0) != cout)
      return gi.fail("the bias is tensor<" + shapeText(bt.getShape()) +
                     ">, expected " + Twine(cout) + " values");
    bias = *bv;
  }

  // Attributes, one entry per spatial axis (pads: begins, then ends).
  auto list = [&](StringRef name, int64_t fill,
                  int64_t per) -> FailureOr<SmallVector<int64_t>> {
    std::optional<SmallVector<int64_t>> v = gi.intsAttr(name);
    if (!v)
      return SmallVector<int64_t>(per * spatial, fill);
    if (int64_t(v->size()) != per * spatial) {
      (void)gi.fail(name + " has " + Twine(v->size()) + " entries, expected " +
                    Twine(per * spatial));
      return failure();
    }
    return *v;
  };
  FailureOr<SmallVector<int64_t>> strides = list("strides", 1, 1),
                                  dilations = list("dilations", 1, 1),
                                  pads = list("pads", 0, 2),
                                  outputPadding = list("output_padding", 0, 1);
  if (failed(strides) || failed(dilations) || failed(pads) ||
      failed(outputPadding))
    return failure();
  SmallVector<int64_t> kernel(wt.getShape().drop_front(2));
  if (auto k = gi.intsAttr("kernel_shape"))
    if (ArrayRef<int64_t>(*k) != ArrayRef<int64_t>(kernel))
      return gi.fail("kernel_shape disagrees with the weight shape tensor<" +
                     shapeText(wt.getShape()) + ">");
  std::optional<SmallVector<int64_t>> outputShape = gi.intsAttr("output_shape");
  if (outputShape && int64_t(outputShape->size()) == spatial + 2)
    outputShape->erase(outputShape->begin(), outputShape->begin() + 2);
  if (outputShape && int64_t(outputShape->size()) != spatial)
    return gi.fail("output_shape has " + Twine(outputShape->size()) +
                   " entries for " + Twine(spatial) + " spatial dimensions");
  std::string autoPad = gi.stringAttr("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return gi.fail("unsupported auto_pad '" + autoPad + "'");

  // Axis 0 is the unit height of a 1-D node.
  TransposedAxis axes[2];
  for (int64_t i = 0; i < spatial; ++i) {
    TransposedAxis &a = axes[i + 2 - spatial];
    a.in = xt.getDimSize(2 + i);
    a.kernel = kernel[i];
    a.stride = (*strides)[i];
    a.dilation = (*dilations)[i];
    int64_t outPad = (*outputPadding)[i];
    if (a.kernel < 1 || a.stride < 1 || a.dilation < 1 || outPad < 0 ||
        outPad >= std::max(a.stride, a.dilation))
      return gi.fail("kernel " + Twine(a.kernel) + ", stride " +
                     Twine(a.stride) + ", dilation " + Twine(a.dilation) +
                     " and output_padding " + Twine(outPad) +
                     " are invalid (positive; output_padding below the "
                     "stride or the dilation)");
    int64_t full =
        a.stride * (a.in - 1) + outPad + (a.kernel - 1) * a.dilation + 1;
    int64_t begin = (*pads)[i], end = (*pads)[spatial + i];
    if (begin < 0 || end < 0)
      return gi.fail("pads must not be negative");
    if (outputShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      // ONNX's rule, with floor division: an output_shape beyond the full
      // size gives negative pads, that is, more output positions.
      int64_t want = outputShape ? (*outputShape)[i] : a.in * a.stride;
      int64_t total = full - want;
      int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      begin = autoPad == "SAME_UPPER" ? half : total - half;
      end = total - begin;
    } else if (autoPad == "VALID") {
      begin = end = 0;
    }
    a.padBegin = begin;
    a.out = full - begin - end;
    if (a.out < 1)
      return gi.fail("the pads leave no output along spatial axis " + Twine(i));
    a.finish();
  }

  // The sub-pixel weight: output channel (m * sh + rh) * sw + rw of group g
  // holds the taps of channel m in phase (rh, rw).
  const TransposedAxis &ah = axes[0], &aw = axes[1];
  int64_t phases = ah.stride * aw.stride, cinPerGroup = cin / group;
  int64_t kh = ah.subKernel(), kw = aw.subKernel();
  if (cout * phases * cinPerGroup * kh * kw > (int64_t(1) << 31))
    return gi.fail("the sub-pixel weight would exceed 2^31 elements");
  SmallVector<int64_t> subShape = {cout * phases, cinPerGroup, kh, kw};
  SmallVector<int64_t> source(cout * phases * cinPerGroup * kh * kw, -1);
  for (int64_t c = 0; c < cin; ++c) {
    int64_t g = c / cinPerGroup, ci = c % cinPerGroup;
    for (int64_t co = 0; co < coutPerGroup; ++co) {
      int64_t m = g * coutPerGroup + co;
      for (int64_t y = 0; y < ah.kernel; ++y) {
        auto [rh, dh] = ah.place(y);
        for (int64_t z = 0; z < aw.kernel; ++z) {
          auto [rw, dw] = aw.place(z);
          int64_t channel = m * phases + rh * aw.stride + rw;
          source[((channel * cinPerGroup + ci) * kh + (dh - ah.lo)) * kw +
                 (dw - aw.lo)] =
              ((c * coutPerGroup + co) * ah.kernel + y) * aw.kernel + z;
        }
      }
    }
  }
  FailureOr<Value> weight =
      rearrange(gi, 1, *w, subShape, source, "subpixel_weight");
  if (failed(weight))
    return failure();
  SmallVector<Value> operands = {*x, *weight};
  if (bias) {
    SmallVector<int64_t> from(cout * phases);
    for (int64_t i = 0; i < cout * phases; ++i)
      from[i] = i / phases;
    FailureOr<Value> b =
        rearrange(gi, 2, *bias, {cout * phases}, from, "subpixel_bias");
    if (failed(b))
      return failure();
    operands.push_back(*b);
  }

  int64_t n = xt.getDimSize(0);
  if (spatial == 1) {
    FailureOr<Value> x4 = gi.reshape(*x, {n, cin, 1, aw.in});
    if (failed(x4))
      return failure();
    operands[0] = *x4;
  }
  OpBuilder &b = gi.getBuilder();
  SmallVector<NamedAttribute> attrs;
  SmallVector<int64_t> convPads = {-ah.lo, -aw.lo, ah.padEnd, aw.padEnd};
  if (llvm::any_of(convPads, [](int64_t p) { return p != 0; }))
    attrs.push_back(gi.named("pads", b.getDenseI64ArrayAttr(convPads)));
  attrs.push_back(gi.named("group", b.getI64IntegerAttr(group)));
  attrs.push_back(gi.named("name", b.getStringAttr(gi.getNodeName())));
  FailureOr<Value> y = gi.build1(Conv2dOp::getOperationName(), operands, attrs);
  if (failed(y))
    return failure();

  // Interleave the phases: N x M*sh*sw x Qh x Qw -> N x M x Qh*sh x Qw*sw.
  Value result = *y;
  if (phases > 1) {
    FailureOr<Value> split =
        gi.reshape(result, {n, cout, ah.stride, aw.stride, ah.steps, aw.steps});
    if (failed(split))
      return failure();
    FailureOr<Value> moved = gi.transpose(*split, {0, 1, 4, 2, 5, 3});
    if (failed(moved))
      return failure();
    FailureOr<Value> merged = gi.reshape(
        *moved, {n, cout, ah.steps * ah.stride, aw.steps * aw.stride});
    if (failed(merged))
      return failure();
    result = *merged;
  }
  if (ah.steps * ah.stride != ah.out || aw.steps * aw.stride != aw.out) {
    FailureOr<Value> crop =
        gi.build1(SliceOp::getOperationName(), {result},
                  {gi.named("starts", b.getDenseI64ArrayAttr({0, 0})),
                   gi.named("ends", b.getDenseI64ArrayAttr({ah.out, aw.out})),
                   gi.named("axes", b.getDenseI64ArrayAttr({2, 3})),
                   gi.named("steps", b.getDenseI64ArrayAttr({1, 1}))});
    if (failed(crop))
      return failure();
    result = *crop;
  }
  if (spatial == 1)
    return gi.defineOutput(gi.reshape(result, {n, cout, aw.out}));
  return gi.define(gi.output(0), result);
}

/// DequantizeLinear of node inputs (value, scale, zero point) along `axis`
/// (used when the scale has more than one element).
static FailureOr<Value> dequantize(GraphImporter &gi, int value, int scale,
                                   int zeroPoint, int64_t axis) {
  FailureOr<Value> v = gi.operand(value), s = gi.operand(scale);
  if (failed(v) || failed(s))
    return failure();
  SmallVector<Value> operands = {*v, *s};
  if (gi.hasInput(zeroPoint)) {
    FailureOr<Value> z = gi.operand(zeroPoint);
    if (failed(z))
      return failure();
    operands.push_back(*z);
  }
  return gi.build1(DequantizeLinearOp::getOperationName(), operands,
                   {gi.named("axis", gi.getBuilder().getI64IntegerAttr(axis))});
}

/// QuantizeLinear of `y` with node inputs `scale` and `zeroPoint`.
static LogicalResult quantizeOutput(GraphImporter &gi, FailureOr<Value> y,
                                    int scale, int zeroPoint) {
  FailureOr<Value> s = gi.operand(scale), z = gi.operand(zeroPoint);
  if (failed(y) || failed(s) || failed(z))
    return failure();
  return gi.defineOutput(
      gi.build1(QuantizeLinearOp::getOperationName(), {*y, *s, *z},
                {gi.named("axis", gi.getBuilder().getI64IntegerAttr(1))}));
}

/// QLinearMatMul (a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp) and
/// QLinearConv (x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B): the
/// QOperator format as its QDQ form, DequantizeLinear of the operands
/// (the weight per output channel when its scale has one per channel), the
/// float product, QuantizeLinear of the result; cim-fold-qdq then folds it
/// into the layer's #cim.quant as it does for QDQ models. The int32 bias of
/// QLinearConv is dequantized with x_scale x w_scale and zero point 0.
template <bool IsConv> static LogicalResult importQLinear(GraphImporter &gi) {
  FailureOr<Value> a = dequantize(gi, 0, 1, 2, 1);
  if (failed(a))
    return failure();
  FailureOr<Value> w = gi.operand(3), wScale = gi.operand(4);
  if (failed(w) || failed(wScale))
    return failure();
  int64_t channelAxis = IsConv ? 0 : gi.typeOf(*w).getRank() - 1;
  FailureOr<Value> b = dequantize(gi, 3, 4, 5, channelAxis);
  if (failed(b))
    return failure();
  if (!IsConv)
    return quantizeOutput(gi, gi.build1(MatMulOp::getOperationName(), {*a, *b}),
                          6, 7);
  std::optional<Value> bias;
  if (gi.hasInput(8)) {
    FailureOr<Value> bq = gi.operand(8), xScale = gi.operand(1);
    if (failed(bq) || failed(xScale))
      return failure();
    FailureOr<Value> biasScale =
        gi.build1(MulOp::getOperationName(), {*xScale, *wScale});
    if (failed(biasScale))
      return failure();
    FailureOr<Value> biasFloat =
        gi.build1(DequantizeLinearOp::getOperationName(), {*bq, *biasScale},
                  {gi.named("axis", gi.getBuilder().getI64IntegerAttr(0))});
    if (failed(biasFloat))
      return failure();
    bias = *biasFloat;
  }
  return quantizeOutput(gi, buildConv(gi, *a, *b, bias), 6, 7);
}

/// Input `value` of an integer product (ConvInteger, MatMulInteger) minus
/// its zero point (input `zeroPoint`, reshaped to `zpShape` when it has
/// more than one element), in f64. Every difference of 8-bit integers and
/// every sum of up to 2^37 of their products is an integer below 2^53, so
/// the f64 product is exact and its cast to int32 wraps as an int32
/// accumulator does.
static FailureOr<Value> centredOperand(GraphImporter &gi, int value,
                                       int zeroPoint, ArrayRef<int64_t> zpShape,
                                       StringRef what) {
  FailureOr<Value> v = gi.operand(value);
  if (failed(v))
    return failure();
  Type elt = gi.typeOf(*v).getElementType();
  if (!elt.isInteger(8))
    return gi.fail(what + " must be int8 or uint8");
  Type f64 = gi.getBuilder().getF64Type();
  FailureOr<Value> wide = gi.cast(*v, f64);
  if (failed(wide) || !gi.hasInput(zeroPoint))
    return wide;
  FailureOr<Value> zp = gi.operand(zeroPoint);
  if (failed(zp))
    return failure();
  RankedTensorType zpType = gi.typeOf(*zp);
  if (zpType.getElementType() != elt)
    return gi.fail(what + " and its zero point have different element types");
  int64_t count = shapeProduct(zpType.getShape());
  if (count != 1 && count != shapeProduct(zpShape))
    return gi.fail("the zero point of " + what + " has " + Twine(count) +
                   " elements, expected 1 or " + Twine(shapeProduct(zpShape)));
  FailureOr<Value> shaped =
      count == 1 ? gi.reshape(*zp, {}) : gi.reshape(*zp, zpShape);
  if (failed(shaped))
    return failure();
  FailureOr<Value> zpWide = gi.cast(*shaped, f64);
  if (failed(zpWide))
    return failure();
  return gi.build1(SubOp::getOperationName(), {*wide, *zpWide});
}

/// The f64 result of an integer product as int32 (the node's output).
static LogicalResult defineInt32(GraphImporter &gi, FailureOr<Value> y) {
  if (failed(y))
    return failure();
  return gi.defineOutput(gi.cast(*y, gi.getBuilder().getI32Type()));
}

/// ConvInteger (x, w, x_zero_point, w_zero_point): the convolution of
/// x - x_zero_point and w - w_zero_point (per output channel when it has M
/// elements) with int32 results, computed exactly in f64.
static LogicalResult importConvInteger(GraphImporter &gi) {
  FailureOr<Value> w = gi.operand(1);
  if (failed(w))
    return failure();
  RankedTensorType wt = gi.typeOf(*w);
  SmallVector<int64_t> perChannel(wt.getRank(), 1);
  if (wt.getRank() > 0)
    perChannel[0] = wt.getDimSize(0);
  FailureOr<Value> x = centredOperand(gi, 0, 2, {1}, "x");
  if (failed(x))
    return failure();
  FailureOr<Value> wc = centredOperand(gi, 1, 3, perChannel, "w");
  if (failed(wc))
    return failure();
  return defineInt32(gi, buildConv(gi, *x, *wc, std::nullopt));
}

/// MatMulInteger (A, B, a_zero_point, b_zero_point): the product of
/// A - a_zero_point (per row when it has M elements) and B - b_zero_point
/// (per column when it has N elements) with int32 results, exact in f64.
static LogicalResult importMatMulInteger(GraphImporter &gi) {
  FailureOr<Value> a = gi.operand(0), b = gi.operand(1);
  if (failed(a) || failed(b))
    return failure();
  RankedTensorType at = gi.typeOf(*a), bt = gi.typeOf(*b);
  if (at.getRank() < 1 || bt.getRank() < 1)
    return gi.fail("MatMulInteger needs operands of rank 1 or more");
  SmallVector<int64_t> rows = {
      at.getRank() >= 2 ? at.getDimSize(at.getRank() - 2) : 1, 1};
  SmallVector<int64_t> cols = {bt.getDimSize(bt.getRank() - 1)};
  FailureOr<Value> ac = centredOperand(gi, 0, 2, rows, "A");
  if (failed(ac))
    return failure();
  FailureOr<Value> bc = centredOperand(gi, 1, 3, cols, "B");
  if (failed(bc))
    return failure();
  return defineInt32(gi, gi.build1(MatMulOp::getOperationName(), {*ac, *bc}));
}

static LogicalResult importGemm(GraphImporter &gi) {
  FailureOr<Value> a = gi.operand(0), b = gi.operand(1);
  if (failed(a) || failed(b))
    return failure();
  SmallVector<Value> operands = {*a, *b};
  if (gi.hasInput(2)) {
    FailureOr<Value> c = gi.operand(2);
    if (failed(c))
      return failure();
    operands.push_back(*c);
  }
  OpBuilder &builder = gi.getBuilder();
  SmallVector<NamedAttribute> attrs = {
      gi.named("alpha", builder.getF32FloatAttr(gi.floatAttr("alpha", 1.0f))),
      gi.named("beta", builder.getF32FloatAttr(gi.floatAttr("beta", 1.0f))),
      gi.named("transA", builder.getBoolAttr(gi.intAttr("transA", 0) != 0)),
      gi.named("transB", builder.getBoolAttr(gi.intAttr("transB", 0) != 0)),
      gi.named("name", builder.getStringAttr(gi.getNodeName()))};
  return gi.defineOutput(
      gi.build1(GemmOp::getOperationName(), operands, attrs));
}

void importer::registerLinearOps(OpRegistry &registry) {
  registry.add("Conv", importConv);
  registry.add("ConvTranspose", importConvTranspose);
  registry.add("QLinearConv", importQLinear<true>);
  registry.add("QLinearMatMul", importQLinear<false>);
  registry.add("ConvInteger", importConvInteger);
  registry.add("MatMulInteger", importMatMulInteger);
  registry.add("Gemm", importGemm);
  registry.add("MatMul", [](GraphImporter &gi) {
    return importBinary(gi, MatMulOp::getOperationName());
  });
}
