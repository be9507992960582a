//===- FoldBatchNorm.cpp - Fold batch normalization into layers -----------===//
//
// The arithmetic runs in double on HostTensors read from the constants and
// is stored back in the weight's element type.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Tensor/HostTensor.h"
#include "cim/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/SetVector.h"

#include <cmath>

namespace mlir {
namespace cim {
#define GEN_PASS_DEF_FOLDBATCHNORM
#include "cim/Transforms/Passes.h.inc"

namespace {
constexpr int64_t kResourceThreshold = 256;

/// The constant behind `value`, read into a HostTensor; failure when it is
/// not a float cim.constant.
FailureOr<HostTensor> readFloatConstant(Value value) {
  auto constant = value ? value.getDefiningOp<ConstantOp>() : ConstantOp();
  if (!constant)
    return failure();
  FailureOr<HostTensor> tensor = toHostTensor(constant.getValue());
  if (failed(tensor) || !tensor->isFloat())
    return failure();
  return tensor;
}

/// The batch normalization as a per-channel affine map y = x * a + c.
struct Affine {
  std::vector<double> a, c;
};

FailureOr<Affine> readAffine(BatchNormOp bn, int64_t channels) {
  SmallVector<HostTensor, 4> params;
  for (Value v : {bn.getScale(), bn.getBias(), bn.getMean(), bn.getVar()}) {
    FailureOr<HostTensor> t = readFloatConstant(v);
    if (failed(t) || t->getNumElements() != channels)
      return failure();
    params.push_back(std::move(*t));
  }
  double epsilon = bn.getEpsilon().convertToDouble();
  Affine affine;
  for (int64_t i = 0; i < channels; ++i) {
    double a = params[0].getAsDouble(i) /
               std::sqrt(params[3].getAsDouble(i) + epsilon);
    affine.a.push_back(a);
    affine.c.push_back(params[1].getAsDouble(i) - params[2].getAsDouble(i) * a);
  }
  return affine;
}

Value makeConstant(OpBuilder &builder, Location loc, const HostTensor &tensor,
                   StringRef name) {
  return builder
      .create<ConstantOp>(loc, toElementsAttr(builder.getContext(), tensor,
                                              kResourceThreshold, name))
      .getResult();
}

/// Folds `bn` into the conv2d that feeds it; false when it cannot.
bool foldIntoConv(Conv2dOp conv, BatchNormOp bn) {
  FailureOr<HostTensor> weight = readFloatConstant(conv.getWeight());
  if (failed(weight) || weight->getRank() != 4)
    return false;
  int64_t channels = weight->getDimSize(0);
  FailureOr<HostTensor> bias = HostTensor();
  if (conv.getBias()) {
    bias = readFloatConstant(conv.getBias());
    if (failed(bias) || bias->getNumElements() != channels)
      return false;
  }
  FailureOr<Affine> affine = readAffine(bn, channels);
  if (failed(affine))
    return false;

  HostTensor newWeight(weight->getKind(), weight->getShape());
  int64_t inner = weight->getNumElements() / std::max<int64_t>(channels, 1);
  for (int64_t i = 0, e = weight->getNumElements(); i < e; ++i)
    newWeight.setFromDouble(i, weight->getAsDouble(i) * affine->a[i / inner]);
  HostTensor newBias(weight->getKind(), {channels});
  for (int64_t o = 0; o < channels; ++o) {
    double b = conv.getBias() ? bias->getAsDouble(o) : 0.0;
    newBias.setFromDouble(o, b * affine->a[o] + affine->c[o]);
  }

  OpBuilder builder(conv);
  StringRef name = conv.getNameAttr() ? conv.getNameAttr().getValue() : "conv";
  Value w =
      makeConstant(builder, conv.getLoc(), newWeight, (name + "_w").str());
  Value b = makeConstant(builder, conv.getLoc(), newBias, (name + "_b").str());
  conv->setOperand(1, w);
  if (conv.getBias())
    conv->setOperand(2, b);
  else
    conv->insertOperands(2, {b});
  return true;
}

/// Folds `bn` into the gemm that feeds it; false when it cannot.
bool foldIntoGemm(GemmOp gemm, BatchNormOp bn) {
  FailureOr<HostTensor> weight = readFloatConstant(gemm.getB());
  auto outType = gemm.getType().cast<RankedTensorType>();
  if (failed(weight) || weight->getRank() != 2 || !outType.hasStaticShape())
    return false;
  bool transB = gemm.getTransB();
  int64_t rows = outType.getDimSize(0), channels = outType.getDimSize(1);
  FailureOr<Affine> affine = readAffine(bn, channels);
  if (failed(affine))
    return false;

  // C broadcast to M x N, as rows x channels reads; absent C is 0.
  FailureOr<HostTensor> c = HostTensor();
  SmallVector<int64_t, 2> cStrides = {0, 0};
  bool perRow = false;
  if (gemm.getC()) {
    c = readFloatConstant(gemm.getC());
    if (failed(c) || c->getRank() > 2)
      return false;
    ArrayRef<int64_t> shape = c->getShape();
    int64_t cCols = shape.empty() ? 1 : shape.back();
    int64_t cRows = shape.size() == 2 ? shape[0] : 1;
    cStrides = {cRows == 1 ? 0 : cCols, cCols == 1 ? 0 : 1};
    perRow = cRows != 1;
  }
  double beta = gemm.getBeta().convertToDouble();

  HostTensor newWeight(weight->getKind(), weight->getShape());
  for (int64_t i = 0, e = weight->getNumElements(); i < e; ++i) {
    int64_t channel =
        transB ? i / weight->getDimSize(1) : i % weight->getDimSize(1);
    newWeight.setFromDouble(i, weight->getAsDouble(i) * affine->a[channel]);
  }
  SmallVector<int64_t, 2> cShape;
  if (perRow)
    cShape.push_back(rows);
  cShape.push_back(channels);
  HostTensor newC(weight->getKind(), cShape);
  for (int64_t m = 0; m < (perRow ? rows : 1); ++m)
    for (int64_t n = 0; n < channels; ++n) {
      double value =
          gemm.getC() ? beta * c->getAsDouble(m * cStrides[0] + n * cStrides[1])
                      : 0.0;
      newC.setFromDouble(m * channels + n, value * affine->a[n] + affine->c[n]);
    }

  OpBuilder builder(gemm);
  StringRef name = gemm.getNameAttr() ? gemm.getNameAttr().getValue() : "gemm";
  Value w =
      makeConstant(builder, gemm.getLoc(), newWeight, (name + "_w").str());
  Value b = makeConstant(builder, gemm.getLoc(), newC, (name + "_c").str());
  gemm->setOperand(1, w);
  if (gemm.getC())
    gemm->setOperand(2, b);
  else
    gemm->insertOperands(2, {b});
  gemm.setBetaAttr(builder.getF32FloatAttr(1.0f));
  return true;
}

struct FoldBatchNormPass : public impl::FoldBatchNormBase<FoldBatchNormPass> {
  void runOnOperation() override {
    SmallVector<BatchNormOp> norms;
    getOperation().walk([&](BatchNormOp bn) { norms.push_back(bn); });
    for (BatchNormOp bn : norms) {
      Operation *producer = bn.getInput().getDefiningOp();
      if (!producer || !producer->getResult(0).hasOneUse())
        continue;
      if (auto layer = dyn_cast<LayerOpInterface>(producer))
        if (QuantAttr quant = layer.getLayerQuant(); quant && quant.getWscale())
          continue;
      llvm::SetVector<Value> oldOperands;
      oldOperands.insert(producer->operand_begin(), producer->operand_end());
      oldOperands.insert(bn->operand_begin() + 1, bn->operand_end());
      bool folded = false;
      if (auto conv = dyn_cast<Conv2dOp>(producer))
        folded = foldIntoConv(conv, bn);
      else if (auto gemm = dyn_cast<GemmOp>(producer))
        folded = foldIntoGemm(gemm, bn);
      if (!folded)
        continue;
      bn.getResult().replaceAllUsesWith(producer->getResult(0));
      bn.erase();
      // The old weight and bias constants and the normalization's
      // parameters go when nothing else uses them.
      for (Value v : oldOperands)
        if (auto constant = v.getDefiningOp<ConstantOp>();
            constant && constant->use_empty())
          constant.erase();
    }
  }
};
} // namespace
} // namespace cim
} // namespace mlir
