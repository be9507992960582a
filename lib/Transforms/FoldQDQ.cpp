//===- FoldQDQ.cpp - QuantizeLinear/DequantizeLinear to #cim.quant --------===//
//
// Weights are dequantized by the reference executor's own kernel
// (cim::evaluateOp), so the float weight the layer keeps is exactly what the
// QDQ graph computed.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Quant/Quantizer.h"
#include "cim/Reference/Executor.h"
#include "cim/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <cmath>

namespace mlir {
namespace cim {
#define GEN_PASS_DEF_FOLDQDQ
#include "cim/Transforms/Passes.h.inc"

namespace {
constexpr int64_t kResourceThreshold = 256;
/// #cim.quant holds at most 16-bit widths.
constexpr unsigned kMaxBits = 16;

/// The tensor of a cim.constant, or failure.
FailureOr<HostTensor> readConstant(Value value) {
  auto constant = value ? value.getDefiningOp<ConstantOp>() : ConstantOp();
  if (!constant)
    return failure();
  return toHostTensor(constant.getValue());
}

bool isUnsigned(Type type) {
  return getElementTypeOrSelf(type).isUnsignedInteger();
}

unsigned bitWidth(Type type) {
  return getElementTypeOrSelf(type).getIntOrFloatBitWidth();
}

/// Whether a #cim.quant can describe the quantization of `op`, a quantize
/// or dequantize op: integers, not blocked (small floats and blocks of
/// scales stay QDQ ops and run in the reference executor).
template <typename QDQOp> bool isFoldable(QDQOp op) {
  Value integers;
  if constexpr (std::is_same_v<QDQOp, QuantizeLinearOp>)
    integers = op.getResult();
  else
    integers = op.getInput();
  return getElementTypeOrSelf(integers.getType()).isa<IntegerType>() &&
         !op.isBlocked();
}

/// A scale and zero point of a quantize/dequantize op: constants, one per
/// tensor or per channel.
struct QuantParams {
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
};

FailureOr<QuantParams> readParams(Value scale, Value zeroPoint) {
  FailureOr<HostTensor> s = readConstant(scale);
  if (failed(s) || !s->isFloat())
    return failure();
  QuantParams params;
  for (int64_t i = 0; i < s->getNumElements(); ++i) {
    double v = s->getAsDouble(i);
    // #cim.quant takes positive finite f32 scales.
    if (!(v > 0.0) || !std::isfinite(float(v)))
      return failure();
    params.scales.push_back(v);
  }
  params.zeroPoints.assign(params.scales.size(), 0);
  if (zeroPoint) {
    FailureOr<HostTensor> zp = readConstant(zeroPoint);
    if (failed(zp) || zp->getNumElements() != int64_t(params.scales.size()))
      return failure();
    for (int64_t i = 0; i < zp->getNumElements(); ++i)
      params.zeroPoints[i] = zp->getAsInt64(i);
  }
  return params;
}

/// What a layer's weight contributes to its #cim.quant.
struct WeightQuant {
  DequantizeLinearOp dequantize;
  unsigned bits = 0;
  QuantScheme scheme = QuantScheme::Symmetric;
  QuantGranularity granularity = QuantGranularity::PerChannel;
  SmallVector<float> scales;
  SmallVector<int32_t> zeroPoints; // empty when symmetric
};

/// The axis of the weight that indexes output channels, if there is one
/// #cim.quant can describe.
std::optional<int64_t> outputChannelAxis(Operation *layer) {
  if (isa<Conv2dOp>(layer))
    return 0;
  if (auto gemm = dyn_cast<GemmOp>(layer))
    return gemm.getTransB() ? 0 : 1;
  if (auto matmul = dyn_cast<MatMulOp>(layer))
    if (matmul.getRhs().getType().cast<RankedTensorType>().getRank() == 2)
      return 1;
  return std::nullopt;
}

FailureOr<WeightQuant> analyzeWeight(LayerOpInterface layer) {
  auto dq = layer.getLayerWeight().getDefiningOp<DequantizeLinearOp>();
  if (!dq || !isFoldable(dq))
    return failure();
  FailureOr<HostTensor> q = readConstant(dq.getInput());
  FailureOr<QuantParams> params = readParams(dq.getScale(), dq.getZeroPoint());
  if (failed(q) || failed(params))
    return failure();
  WeightQuant result;
  result.dequantize = dq;
  result.bits = bitWidth(dq.getInput().getType());
  if (result.bits > kMaxBits)
    return failure();
  if (params->scales.size() == 1) {
    result.granularity = QuantGranularity::PerTensor;
  } else {
    LayerMatrix matrix = layer.getLayerMatrix();
    std::optional<int64_t> axis = outputChannelAxis(layer);
    if (!axis || dq.getNormalizedAxis() != *axis ||
        int64_t(params->scales.size()) != matrix.cols * matrix.groups)
      return failure();
  }
  for (double s : params->scales)
    result.scales.push_back(float(s));

  int64_t half = int64_t(1) << (result.bits - 1);
  if (isUnsigned(dq.getInput().getType())) {
    result.scheme = QuantScheme::Asymmetric;
    for (int64_t zp : params->zeroPoints)
      result.zeroPoints.push_back(int32_t(zp));
    return result;
  }
  // Signed: symmetric when the zero points are 0 and the values fit the
  // narrow range; otherwise shifted into the unsigned range, which
  // represents every signed value exactly.
  bool symmetric =
      llvm::all_of(params->zeroPoints, [](int64_t zp) { return zp == 0; });
  for (int64_t i = 0; symmetric && i < q->getNumElements(); ++i)
    symmetric = q->getAsInt64(i) > -half;
  if (symmetric)
    return result;
  result.scheme = QuantScheme::Asymmetric;
  for (int64_t zp : params->zeroPoints)
    result.zeroPoints.push_back(int32_t(zp + half));
  return result;
}

/// What a layer's input (or the rhs of a product of two activations)
/// contributes to its #cim.quant.
struct ActQuant {
  /// Shape-only ops between the pair and the layer, and between the
  /// quantize and the dequantize (reshape, flatten, transpose), from the
  /// layer back; a per-tensor quantization commutes with them.
  SmallVector<Operation *> chain;
  QuantizeLinearOp quantize;
  DequantizeLinearOp dequantize;
  /// A clip before the quantize that narrows its range to `bits` (a width
  /// below the integer type's, or the symmetric narrow range); the layer
  /// then reads the clip's input.
  ClipOp clip;
  unsigned bits = 0;
  QuantScheme scheme = QuantScheme::Symmetric;
  float scale = 0.0f;
  int32_t zeroPoint = 0;
};

/// The width whose range `clip` (constant bounds, before a quantize with
/// `scale` and `zeroPoint` into a `containerBits` type) leaves: the
/// quantizer is monotonic, so quantize(clip(x)) = clamp(quantize(x),
/// quantize(min), quantize(max)), which is #cim.quant's quantizer exactly
/// when those ends are the range of `scheme` at that width.
std::optional<unsigned> clippedBits(ClipOp clip, float scale, int32_t zeroPoint,
                                    QuantScheme scheme,
                                    unsigned containerBits) {
  if (!clip || !clip.getMinAttr() || !clip.getMaxAttr())
    return std::nullopt;
  double min = clip.getMinAttr().getValueAsDouble();
  double max = clip.getMaxAttr().getValueAsDouble();
  // The f32 input is clipped to f32 values.
  if (double(float(min)) != min || double(float(max)) != max)
    return std::nullopt;
  // The clip's ends as QuantizeLinear maps them (not clamped).
  double lo = quant::quantizeUnclamped(float(min), scale, zeroPoint);
  double hi = quant::quantizeUnclamped(float(max), scale, zeroPoint);
  for (unsigned bits = 1; bits <= containerBits; ++bits) {
    quant::IntRange range = quant::getIntRange(scheme, bits);
    if (double(range.min) == lo && double(range.max) == hi)
      return bits;
  }
  return std::nullopt;
}

/// The value `v` is computed from by shape-only ops (reshape, flatten,
/// transpose); the ops are appended to `chain`, nearest first.
Value skipShapeOps(Value v, SmallVectorImpl<Operation *> &chain) {
  while (Operation *def = v.getDefiningOp()) {
    if (!isa<ReshapeOp, FlattenOp, TransposeOp>(def))
      break;
    chain.push_back(def);
    v = def->getOperand(0);
  }
  return v;
}

/// The quantize/dequantize pair (through shape-only ops) that `input`, an
/// activation operand of a layer, comes from.
FailureOr<ActQuant> analyzeActivation(Value input) {
  SmallVector<Operation *> chain;
  auto dq = skipShapeOps(input, chain).getDefiningOp<DequantizeLinearOp>();
  if (!dq || !isFoldable(dq))
    return failure();
  // Shape-only ops on the integers between the pair (the QOperator format
  // reshapes quantized tensors) join the chain; bypassPair gives their
  // copies the float type.
  size_t outerOps = chain.size();
  Value quantized = skipShapeOps(dq.getInput(), chain);
  auto q = quantized.getDefiningOp<QuantizeLinearOp>();
  if (!q || !isFoldable(q) || !q.isPerTensor() || !dq.isPerTensor())
    return failure();
  FailureOr<QuantParams> qParams = readParams(q.getScale(), q.getZeroPoint());
  FailureOr<QuantParams> dqParams =
      readParams(dq.getScale(), dq.getZeroPoint());
  if (failed(qParams) || failed(dqParams) ||
      qParams->scales[0] != dqParams->scales[0] ||
      qParams->zeroPoints[0] != dqParams->zeroPoints[0])
    return failure();
  // The layer reads the float input directly, so it must have the type the
  // dequantized value had.
  auto floatType = [](Value v) {
    return v.getType().cast<RankedTensorType>().getElementType();
  };
  if (chain.size() == outerOps ? q.getInput().getType() != dq.getType()
                               : floatType(q.getInput()) != floatType(dq))
    return failure();
  ActQuant result;
  result.chain = std::move(chain);
  result.quantize = q;
  result.dequantize = dq;
  result.bits = bitWidth(q.getType());
  if (result.bits > kMaxBits)
    return failure();
  result.scale = float(qParams->scales[0]);
  int64_t zp = qParams->zeroPoints[0];
  if (isUnsigned(q.getType())) {
    result.scheme = QuantScheme::Asymmetric;
    result.zeroPoint = int32_t(zp);
  } else if (zp != 0) {
    result.scheme = QuantScheme::Asymmetric;
    result.zeroPoint = int32_t(zp + (int64_t(1) << (result.bits - 1)));
  }
  // A clip narrowing an unsigned or a zero-centred signed range.
  if (isUnsigned(q.getType()) || zp == 0) {
    auto clip = q.getInput().getDefiningOp<ClipOp>();
    if (std::optional<unsigned> bits = clippedBits(
            clip, result.scale, int32_t(zp), result.scheme, result.bits)) {
      result.clip = clip;
      result.bits = *bits;
    }
  }
  return result;
}

FailureOr<ActQuant> analyzeInput(LayerOpInterface layer) {
  return analyzeActivation(layer.getLayerInput());
}

/// Makes operand `index` of `op` read the unquantized value `act` was
/// quantized from, through copies of the shape-only ops in between.
void bypassPair(Operation *op, unsigned index, ActQuant &act) {
  Value input = act.quantize.getInput();
  if (act.clip)
    input = act.clip.getInput();
  OpBuilder builder(op);
  for (Operation *shapeOp : llvm::reverse(act.chain)) {
    IRMapping mapping;
    mapping.map(shapeOp->getOperand(0), input);
    Type element = input.getType().cast<RankedTensorType>().getElementType();
    input = builder.clone(*shapeOp, mapping)->getResult(0);
    // A copy of an op between the pair computes on floats now.
    auto type = input.getType().cast<RankedTensorType>();
    if (type.getElementType() != element)
      input.setType(RankedTensorType::get(type.getShape(), element));
  }
  op->setOperand(index, input);
}

/// Replaces operand `index` of `op`, a dequantize_linear of constants, by
/// the float constant it computes. False when it is not one.
bool foldDequantizedOperand(Operation *op, unsigned index) {
  auto dq = op->getOperand(index).getDefiningOp<DequantizeLinearOp>();
  if (!dq)
    return false;
  SmallVector<HostTensor> operands;
  for (Value v : dq->getOperands()) {
    FailureOr<HostTensor> t = readConstant(v);
    if (failed(t))
      return false;
    operands.push_back(std::move(*t));
  }
  FailureOr<SmallVector<HostTensor>> result = evaluateOp(dq, operands);
  if (failed(result))
    return false;
  std::string name = "weight";
  if (auto loc = dq.getInput().getLoc().dyn_cast<NameLoc>())
    name = loc.getName().str();
  OpBuilder builder(op);
  auto constant = builder.create<ConstantOp>(
      dq.getLoc(), toElementsAttr(builder.getContext(), result->front(),
                                  kResourceThreshold, name));
  op->setOperand(index, constant.getResult());
  return true;
}

struct FoldQDQPass : public impl::FoldQDQBase<FoldQDQPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    SmallVector<LayerOpInterface> layers;
    getOperation().walk(
        [&](LayerOpInterface layer) { layers.push_back(layer); });
    // Ops a layer stopped using; erased at the end if nothing else does.
    llvm::SetVector<Operation *> released;
    auto release = [&](Value v) {
      if (Operation *def = v.getDefiningOp())
        released.insert(def);
    };

    for (LayerOpInterface layer : layers) {
      Operation *op = layer.getOperation();
      if (QuantAttr quant = layer.getLayerQuant();
          quant && (quant.getWscale() || quant.getAscale()))
        continue;
      if (op->getOperand(0) != layer.getLayerInput() ||
          op->getOperand(1) != layer.getLayerWeight())
        continue;
      FailureOr<WeightQuant> weight = analyzeWeight(layer);
      FailureOr<ActQuant> act = analyzeInput(layer);
      bool constantWeight = succeeded(weight) || hasConstantWeight(layer);
      if (!constantWeight) {
        // A product of two activations (attention) folds when both
        // operands come from pairs: the rhs, the operand a crossbar would
        // hold, gives the per-tensor symmetric weight scale.
        if (!hasDynamicWeight(layer) || failed(act))
          continue;
        FailureOr<ActQuant> rhs = analyzeActivation(layer.getLayerWeight());
        if (failed(rhs) || rhs->scheme != QuantScheme::Symmetric)
          continue;
        QuantAttr quant = QuantAttr::getChecked(
            [&] { return op->emitError(); }, ctx, rhs->bits, act->bits,
            QuantScheme::Symmetric, act->scheme, QuantGranularity::PerTensor,
            DenseF32ArrayAttr::get(ctx, {rhs->scale}), DenseI32ArrayAttr(),
            FloatAttr::get(Float32Type::get(ctx), act->scale), act->zeroPoint);
        if (!quant)
          return signalPassFailure();
        release(op->getOperand(0));
        release(op->getOperand(1));
        bypassPair(op, 0, *act);
        bypassPair(op, 1, *rhs);
        layer.setLayerQuant(quant);
        continue;
      }
      if (failed(weight) && failed(act))
        continue;

      unsigned wbits = succeeded(weight) ? weight->bits : act->bits;
      unsigned abits = succeeded(act) ? act->bits : weight->bits;
      DenseF32ArrayAttr wscale;
      DenseI32ArrayAttr wzp;
      if (succeeded(weight)) {
        wscale = DenseF32ArrayAttr::get(ctx, weight->scales);
        if (!weight->zeroPoints.empty())
          wzp = DenseI32ArrayAttr::get(ctx, weight->zeroPoints);
      }
      FloatAttr ascale;
      if (succeeded(act))
        ascale = FloatAttr::get(Float32Type::get(ctx), act->scale);
      QuantAttr quant = QuantAttr::getChecked(
          [&] { return op->emitError(); }, ctx, wbits, abits,
          succeeded(weight) ? weight->scheme : QuantScheme::Symmetric,
          succeeded(act) ? act->scheme : QuantScheme::Symmetric,
          succeeded(weight) ? weight->granularity
                            : QuantGranularity::PerChannel,
          wscale, wzp, ascale, succeeded(act) ? act->zeroPoint : 0);
      if (!quant)
        return signalPassFailure();

      if (succeeded(weight)) {
        release(op->getOperand(1));
        if (!foldDequantizedOperand(op, 1))
          continue;
        // A dequantized bias (int32 in QDQ models) becomes a float one.
        if (isa<Conv2dOp, GemmOp>(op) && op->getNumOperands() > 2) {
          Value bias = op->getOperand(2);
          if (foldDequantizedOperand(op, 2))
            release(bias);
        }
      }
      if (succeeded(act)) {
        // The layer reads the unquantized input.
        release(op->getOperand(0));
        bypassPair(op, 0, *act);
      }
      layer.setLayerQuant(quant);
    }

    // Erase what became unused, and then what those ops read.
    llvm::SmallPtrSet<Operation *, 16> erased;
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t i = 0; i < released.size(); ++i) {
        Operation *op = released[i];
        if (erased.contains(op) || !op->use_empty())
          continue;
        for (Value operand : op->getOperands())
          if (Operation *def = operand.getDefiningOp();
              def && isa<ConstantOp, QuantizeLinearOp, DequantizeLinearOp,
                         ReshapeOp, FlattenOp, TransposeOp, ClipOp>(def))
            released.insert(def);
        erased.insert(op);
        op->erase();
        changed = true;
      }
    }
  }
};
} // namespace
} // namespace cim
} // namespace mlir
