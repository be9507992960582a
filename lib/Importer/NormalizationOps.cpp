//===- NormalizationOps.cpp - Normalizations, softmax, reductions ---------===//

#include "OpImporters.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/CIMShapes.h"
#include "cim/Tensor/HostTensor.h"

#include <limits>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::importer;

static NamedAttribute epsilonAttr(GraphImporter &gi) {
  return gi.named("epsilon", gi.getBuilder().getF32FloatAttr(
                                 gi.floatAttr("epsilon", 1e-5f)));
}

/// Training-mode BatchNormalization: statistics of the batch normalize it;
/// the running mean and variance outputs blend in `momentum`.
static LogicalResult importBatchNormTraining(GraphImporter &gi) {
  FailureOr<SmallVector<Value>> inList = gi.requiredOperands(5);
  if (failed(inList))
    return failure();
  SmallVector<Value> &in = *inList;
  RankedTensorType xt = gi.typeOf(in[0]);
  if (xt.getRank() < 2)
    return gi.fail("the input must be N x C x ...");
  Type element = xt.getElementType();
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < xt.getRank(); ++d)
    if (d != 1)
      axes.push_back(d);
  OpBuilder &b = gi.getBuilder();
  auto reduce = [&](Value v, bool keep) {
    return gi.build1(ReduceMeanOp::getOperationName(), {v},
                     {gi.named("axes", b.getDenseI64ArrayAttr(axes)),
                      gi.named("keepdims", b.getBoolAttr(keep))});
  };
  // Population variance, as numpy's var().
  FailureOr<Value> meanKeep = reduce(in[0], true);
  FailureOr<Value> mean = reduce(in[0], false);
  if (failed(meanKeep) || failed(mean))
    return failure();
  FailureOr<Value> d = gi.build1(SubOp::getOperationName(), {in[0], *meanKeep});
  if (failed(d))
    return failure();
  FailureOr<Value> d2 = gi.build1(MulOp::getOperationName(), {*d, *d});
  if (failed(d2))
    return failure();
  FailureOr<Value> var = reduce(*d2, false);
  if (failed(var))
    return failure();
  FailureOr<Operation *> y =
      gi.build(BatchNormOp::getOperationName(),
               {in[0], in[1], in[2], *mean, *var}, {epsilonAttr(gi)}, {xt});
  if (failed(gi.defineOutput(y)))
    return failure();
  // Running statistics: stat * momentum + batch_stat * (1 - momentum).
  double momentum = gi.floatAttr("momentum", 0.9f);
  FailureOr<Value> m = gi.scalarConstant(momentum, element, "momentum");
  FailureOr<Value> rest = gi.scalarConstant(1.0 - momentum, element, "rest");
  if (failed(m) || failed(rest))
    return failure();
  for (int k = 1; k <= 2 && k < gi.getNumOutputs(); ++k) {
    if (!gi.hasOutput(k))
      continue;
    Value running = in[2 + k], batch = k == 1 ? *mean : *var;
    FailureOr<Value> scaled =
        gi.build1(MulOp::getOperationName(), {running, *m});
    FailureOr<Value> blended =
        gi.build1(MulOp::getOperationName(), {batch, *rest});
    if (failed(scaled) || failed(blended))
      return failure();
    FailureOr<Value> r =
        gi.build1(AddOp::getOperationName(), {*scaled, *blended});
    if (failed(r) || failed(gi.define(gi.output(k), *r)))
      return failure();
  }
  for (int k = 3; k < gi.getNumOutputs(); ++k)
    if (gi.hasOutput(k))
      return gi.fail("output " + Twine(k) + " ('" + gi.output(k) +
                     "') is not supported");
  return success();
}

static LogicalResult importBatchNorm(GraphImporter &gi) {
  if (gi.intAttr("training_mode", 0))
    return importBatchNormTraining(gi);
  if (failed(gi.onlyFirstOutputUsed()))
    return failure();
  return importSameType(gi, BatchNormOp::getOperationName(), 5,
                        {epsilonAttr(gi)});
}

/// The mean over the axes from `axis` on (kept as size-1 dimensions).
static FailureOr<Value> meanFrom(GraphImporter &gi, Value v, int64_t axis) {
  SmallVector<int64_t> axes;
  for (int64_t d = axis; d < gi.typeOf(v).getRank(); ++d)
    axes.push_back(d);
  OpBuilder &b = gi.getBuilder();
  return gi.build1(ReduceMeanOp::getOperationName(), {v},
                   {gi.named("axes", b.getDenseI64ArrayAttr(axes)),
                    gi.named("keepdims", b.getBoolAttr(true))});
}

/// 1 / sqrt(v + epsilon).
static FailureOr<Value> inverseRoot(GraphImporter &gi, Value v) {
  FailureOr<Value> eps = gi.scalarConstant(
      gi.floatAttr("epsilon", 1e-5f), gi.typeOf(v).getElementType(), "epsilon");
  if (failed(eps))
    return failure();
  FailureOr<Value> sum = gi.build1(AddOp::getOperationName(), {v, *eps});
  if (failed(sum))
    return failure();
  FailureOr<Value> root = gi.build1(SqrtOp::getOperationName(), {*sum});
  if (failed(root))
    return failure();
  return gi.build1(ReciprocalOp::getOperationName(), {*root});
}

/// The statistics of `v` over the axes from `axis` on (kept as size-1
/// dimensions): the mean, `v` less the mean, and 1 / sqrt(variance +
/// epsilon).
struct Moments {
  Value mean, centered, inverse;
};
static FailureOr<Moments> momentsFrom(GraphImporter &gi, Value v,
                                      int64_t axis) {
  FailureOr<Value> mean = meanFrom(gi, v, axis);
  if (failed(mean))
    return failure();
  FailureOr<Value> centered = gi.build1(SubOp::getOperationName(), {v, *mean});
  if (failed(centered))
    return failure();
  FailureOr<Value> square =
      gi.build1(MulOp::getOperationName(), {*centered, *centered});
  if (failed(square))
    return failure();
  FailureOr<Value> variance = meanFrom(gi, *square, axis);
  if (failed(variance))
    return failure();
  FailureOr<Value> inverse = inverseRoot(gi, *variance);
  if (failed(inverse))
    return failure();
  return Moments{*mean, *centered, *inverse};
}

/// LayerNormalization: Y by cim.layer_norm; the optional Mean and
/// InvStdDev outputs (the statistics over the axes from `axis` on, kept as
/// size-1 dimensions) by reductions beside it.
static LogicalResult importLayerNorm(GraphImporter &gi) {
  int64_t axis = gi.intAttr("axis", -1);
  // The bias (input 2) is optional.
  if (failed(importSameType(
          gi, LayerNormOp::getOperationName(), gi.hasInput(2) ? 3 : 2,
          {gi.named("axis", gi.getBuilder().getI64IntegerAttr(axis)),
           epsilonAttr(gi)})))
    return failure();
  if (!gi.hasOutput(1) && !gi.hasOutput(2))
    return success();
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  std::optional<int64_t> from = normalizeAxis(axis, gi.typeOf(*x).getRank());
  if (!from)
    return gi.fail("axis " + Twine(axis) + " is out of range");
  FailureOr<Moments> moments = momentsFrom(gi, *x, *from);
  if (failed(moments) || failed(gi.define(gi.output(1), moments->mean)))
    return failure();
  return gi.define(gi.output(2), moments->inverse);
}

/// RMSNormalization (opset 23): X / sqrt(mean(X^2) + epsilon) * scale over
/// the axes from `axis` on, as ops.
static LogicalResult importRmsNorm(GraphImporter &gi) {
  if (failed(gi.onlyFirstOutputUsed()))
    return failure();
  FailureOr<Value> x = gi.operand(0), scale = gi.operand(1);
  if (failed(x) || failed(scale))
    return failure();
  int64_t axis = gi.intAttr("axis", -1);
  std::optional<int64_t> from = normalizeAxis(axis, gi.typeOf(*x).getRank());
  if (!from)
    return gi.fail("axis " + Twine(axis) + " is out of range");
  FailureOr<Value> square = gi.build1(MulOp::getOperationName(), {*x, *x});
  if (failed(square))
    return failure();
  FailureOr<Value> mean = meanFrom(gi, *square, *from);
  if (failed(mean))
    return failure();
  FailureOr<Value> inverse = inverseRoot(gi, *mean);
  if (failed(inverse))
    return failure();
  FailureOr<Value> normalized =
      gi.build1(MulOp::getOperationName(), {*x, *inverse});
  if (failed(normalized))
    return failure();
  return gi.defineOutput(
      gi.build1(MulOp::getOperationName(), {*normalized, *scale}));
}

/// GroupNormalization: the channels in `num_groups` groups, each normalized
/// over its channels and positions, then scale and bias per channel
/// (opset 21) or per group (`PerGroup`, opset 18), as ops.
template <bool PerGroup>
static LogicalResult importGroupNorm(GraphImporter &gi) {
  FailureOr<Value> x = gi.operand(0), scale = gi.operand(1),
                   bias = gi.operand(2);
  if (failed(x) || failed(scale) || failed(bias))
    return failure();
  ArrayRef<int64_t> shape = gi.typeOf(*x).getShape();
  int64_t groups = gi.intAttr("num_groups", 0);
  if (shape.size() < 2 || groups < 1 || shape[1] % groups != 0)
    return gi.fail("num_groups " + Twine(groups) + " does not divide the " +
                   Twine(shape.size() < 2 ? 0 : shape[1]) + " channels");
  int64_t perParam = PerGroup ? groups : shape[1];
  for (Value v : {*scale, *bias})
    if (gi.typeOf(v).getNumElements() != perParam)
      return gi.fail("scale and bias must have " + Twine(perParam) +
                     " values, one per " + (PerGroup ? "group" : "channel"));
  int64_t n = shape[0], rest = gi.typeOf(*x).getNumElements() / (n * groups);
  FailureOr<Value> grouped = gi.reshape(*x, {n, groups, rest});
  if (failed(grouped))
    return failure();
  FailureOr<Moments> moments = momentsFrom(gi, *grouped, 2);
  if (failed(moments))
    return failure();
  FailureOr<Value> normalized = gi.build1(
      MulOp::getOperationName(), {moments->centered, moments->inverse});
  if (failed(normalized))
    return failure();
  // Scale and bias broadcast over the group (or channel) dimension.
  Value y = *normalized;
  SmallVector<int64_t> paramShape;
  if (PerGroup) {
    paramShape = {groups, 1};
  } else {
    FailureOr<Value> back = gi.reshape(y, shape);
    if (failed(back))
      return failure();
    y = *back;
    paramShape.assign(shape.size() - 1, 1);
    paramShape[0] = shape[1];
  }
  FailureOr<Value> s = gi.reshape(*scale, paramShape),
                   b = gi.reshape(*bias, paramShape);
  if (failed(s) || failed(b))
    return failure();
  FailureOr<Value> scaled = gi.build1(MulOp::getOperationName(), {y, *s});
  if (failed(scaled))
    return failure();
  FailureOr<Value> shifted =
      gi.build1(AddOp::getOperationName(), {*scaled, *b});
  if (failed(shifted) || !PerGroup)
    return gi.defineOutput(shifted);
  return gi.defineOutput(gi.reshape(*shifted, shape));
}

/// ArgMax and ArgMin of floats as ops: the extreme along `axis`
/// (ReduceMax / ReduceMin), a Where that keeps the positions holding it
/// (the others +inf, or -inf for select_last_index), the smallest (or
/// largest) position, cast to int64. Positions are exact in f32 up to 2^24.
template <bool IsMax> static LogicalResult importArgExtreme(GraphImporter &gi) {
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  RankedTensorType t = gi.typeOf(*x);
  if (!t.getElementType().isF32())
    return gi.fail("only float32 inputs are supported");
  int64_t axisAttr = gi.intAttr("axis", 0);
  std::optional<int64_t> axis = normalizeAxis(axisAttr, t.getRank());
  if (!axis)
    return gi.fail("axis " + Twine(axisAttr) + " is out of range");
  int64_t n = t.getDimSize(*axis);
  if (n > (int64_t(1) << 24))
    return gi.fail("more than 2^24 positions along the axis");
  bool keep = gi.intAttr("keepdims", 1) != 0;
  bool last = gi.intAttr("select_last_index", 0) != 0;
  OpBuilder &b = gi.getBuilder();
  auto reduce = [&](StringRef op, Value v, bool keepDims) {
    return gi.build1(op, {v},
                     {gi.named("axes", b.getDenseI64ArrayAttr({*axis})),
                      gi.named("keepdims", b.getBoolAttr(keepDims))});
  };
  FailureOr<Value> extreme = reduce(IsMax ? ReduceMaxOp::getOperationName()
                                          : ReduceMinOp::getOperationName(),
                                    *x, true);
  if (failed(extreme))
    return failure();
  FailureOr<Value> hit = gi.build1(EqualOp::getOperationName(), {*x, *extreme});
  if (failed(hit))
    return failure();
  SmallVector<int64_t> iotaShape(t.getRank(), 1);
  iotaShape[*axis] = n;
  HostTensor iota(ElementKind::F32, iotaShape);
  for (int64_t i = 0; i < n; ++i)
    iota.data<float>()[i] = float(i);
  FailureOr<Value> positions =
      gi.internConstant(gi.getNodeName().str() + "__positions", iota);
  FailureOr<Value> fill =
      gi.scalarConstant(last ? -std::numeric_limits<double>::infinity()
                             : std::numeric_limits<double>::infinity(),
                        t.getElementType(), "fill");
  if (failed(positions) || failed(fill))
    return failure();
  FailureOr<Value> candidates =
      gi.build1(WhereOp::getOperationName(), {*hit, *positions, *fill});
  if (failed(candidates))
    return failure();
  FailureOr<Value> index = reduce(last ? ReduceMaxOp::getOperationName()
                                       : ReduceMinOp::getOperationName(),
                                  *candidates, keep);
  if (failed(index))
    return failure();
  auto type =
      RankedTensorType::get(gi.typeOf(*index).getShape(), b.getIntegerType(64));
  return gi.defineOutput(gi.build(CastOp::getOperationName(), {*index},
                                  {gi.named("saturate", b.getBoolAttr(true))},
                                  {type}));
}

static LogicalResult importInstanceNorm(GraphImporter &gi) {
  return importSameType(gi, InstanceNormOp::getOperationName(), 3,
                        {epsilonAttr(gi)});
}

static LogicalResult importLrn(GraphImporter &gi) {
  if (failed(gi.operand(0)))
    return failure();
  if (!gi.attr("size"))
    return gi.fail("size is required");
  OpBuilder &b = gi.getBuilder();
  return importSameType(
      gi, LrnOp::getOperationName(), 1,
      {gi.named("size", b.getI64IntegerAttr(gi.intAttr("size", 1))),
       gi.named("alpha", b.getF32FloatAttr(gi.floatAttr("alpha", 1e-4f))),
       gi.named("beta", b.getF32FloatAttr(gi.floatAttr("beta", 0.75f))),
       gi.named("bias", b.getF32FloatAttr(gi.floatAttr("bias", 1.0f)))});
}

/// Softmax and LogSoftmax. Before opset 13 (`Flattening`) they run over the
/// input flattened at `axis` (default 1); from 13 along `axis` (default -1).
template <bool Flattening>
static LogicalResult importSoftmax(GraphImporter &gi, StringRef opName) {
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  RankedTensorType t = gi.typeOf(*x);
  int64_t rank = t.getRank();
  int64_t axis = gi.intAttr("axis", Flattening ? 1 : -1);
  auto norm = normalizeAxis(axis, rank);
  if (!norm)
    return gi.fail("axis " + Twine(axis) + " is out of range for rank " +
                   Twine(rank));
  OpBuilder &b = gi.getBuilder();
  if (Flattening && *norm != rank - 1) {
    ArrayRef<int64_t> s = t.getShape();
    FailureOr<Value> flat = gi.reshape(*x, {shapeProduct(s.take_front(*norm)),
                                            shapeProduct(s.drop_front(*norm))});
    if (failed(flat))
      return failure();
    FailureOr<Operation *> sm =
        gi.build(opName, {*flat}, {gi.named("axis", b.getI64IntegerAttr(1))},
                 {flat->getType()});
    if (failed(sm))
      return failure();
    return gi.defineOutput(gi.reshape((*sm)->getResult(0), s));
  }
  return gi.defineOutput(gi.build(
      opName, {*x}, {gi.named("axis", b.getI64IntegerAttr(*norm))}, {t}));
}

/// The reductions: axes from an attribute, or (ReduceSum-13, the others
/// from 18) from an optional constant input, where no axes may mean the
/// identity (noop_with_empty_axes).
template <ListFrom AxesFrom>
static LogicalResult importReduce(GraphImporter &gi, StringRef opName) {
  auto inputAndAxes = getInputAndIntList(gi, AxesFrom, "axes", 1);
  if (failed(inputAndAxes))
    return failure();
  auto &[x, axes] = *inputAndAxes;
  if (axes.empty()) {
    if (AxesFrom == ListFrom::Input && gi.intAttr("noop_with_empty_axes", 0))
      return gi.define(gi.output(0), x);
    for (int64_t i = 0; i < gi.typeOf(x).getRank(); ++i)
      axes.push_back(i);
  }
  OpBuilder &b = gi.getBuilder();
  // ReduceMax / ReduceMin of booleans (opset 20) are Or / And: the extreme
  // of the 0 / 1 values as ui8, cast back.
  Type boolType = b.getI1Type();
  bool ofBools = gi.typeOf(x).getElementType() == boolType &&
                 (opName == ReduceMaxOp::getOperationName() ||
                  opName == ReduceMinOp::getOperationName());
  if (ofBools) {
    FailureOr<Value> bytes =
        gi.cast(x, b.getIntegerType(8, /*isSigned=*/false));
    if (failed(bytes))
      return failure();
    x = *bytes;
  }
  FailureOr<Value> y = gi.build1(
      opName, {x},
      {gi.named("axes", b.getDenseI64ArrayAttr(axes)),
       gi.named("keepdims", b.getBoolAttr(gi.intAttr("keepdims", 1) != 0))});
  return gi.defineOutput(ofBools && succeeded(y) ? gi.cast(*y, boolType) : y);
}

void importer::registerNormalizationOps(OpRegistry &registry) {
  registry.add("BatchNormalization", importBatchNorm);
  registry.add("LayerNormalization", importLayerNorm);
  registry.add("RMSNormalization", importRmsNorm);
  registry.add("ArgMax", importArgExtreme<true>);
  registry.add("ArgMin", importArgExtreme<false>);
  registry.add("GroupNormalization", 18, importGroupNorm<true>);
  registry.add("GroupNormalization", 21, importGroupNorm<false>);
  registry.add("InstanceNormalization", importInstanceNorm);
  registry.add("LRN", importLrn);

  for (auto [onnxName, opName] :
       {std::pair<StringRef, StringRef>{"Softmax",
                                        SoftmaxOp::getOperationName()},
        {"LogSoftmax", LogSoftmaxOp::getOperationName()}}) {
    registry.add(onnxName, [opName = opName](GraphImporter &gi) {
      return importSoftmax<true>(gi, opName);
    });
    registry.add(onnxName, 13, [opName = opName](GraphImporter &gi) {
      return importSoftmax<false>(gi, opName);
    });
  }

  struct Reduction {
    StringRef onnxName, opName;
    int64_t axesInputSince;
  };
  const Reduction reductions[] = {
      {"ReduceMean", ReduceMeanOp::getOperationName(), 18},
      {"ReduceSum", ReduceSumOp::getOperationName(), 13},
      {"ReduceProd", ReduceProdOp::getOperationName(), 18},
      {"ReduceMax", ReduceMaxOp::getOperationName(), 18},
      {"ReduceMin", ReduceMinOp::getOperationName(), 18},
      {"ReduceL1", ReduceL1Op::getOperationName(), 18},
      {"ReduceL2", ReduceL2Op::getOperationName(), 18},
      {"ReduceSumSquare", ReduceSumSquareOp::getOperationName(), 18},
      {"ReduceLogSum", ReduceLogSumOp::getOperationName(), 18},
      {"ReduceLogSumExp", ReduceLogSumExpOp::getOperationName(), 18}};
  for (const Reduction &r : reductions) {
    StringRef opName = r.opName;
    registry.add(r.onnxName, [opName](GraphImporter &gi) {
      return importReduce<ListFrom::Attribute>(gi, opName);
    });
    registry.add(r.onnxName, r.axesInputSince, [opName](GraphImporter &gi) {
      return importReduce<ListFrom::Input>(gi, opName);
    });
  }
}
