//===- LinearOps.cpp - Conv, Gemm, MatMul ---------------------------------===//
//
// The layers that become crossbar products. They carry the ONNX node name
// as `name`, which policy files refer to.
//
//===----------------------------------------------------------------------===//

#include "OpImporters.h"

#include "cim/Dialect/CIM/CIMOps.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::importer;

/// Conv, 2-D, or 1-D as 2-D over a 1 x L image.
static LogicalResult importConv(GraphImporter &gi) {
  FailureOr<Value> x = gi.operand(0), w = gi.operand(1);
  if (failed(x) || failed(w))
    return failure();
  RankedTensorType xt = gi.typeOf(*x), wt = gi.typeOf(*w);
  int64_t rank = xt.getRank();
  if (rank != 3 && rank != 4)
    return gi.fail("only 1-D and 2-D convolutions are supported, got input "
                   "tensor<" +
                   shapeText(xt.getShape()) + ">");
  if (wt.getRank() != rank)
    return gi.fail("weight rank " + Twine(wt.getRank()) +
                   " differs from input rank " + Twine(rank));
  Value input = *x, weight = *w;
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
    if (ArrayRef<int64_t>(want) != ArrayRef<int64_t>(kernel))
      return gi.fail("kernel_shape disagrees with the weight shape");
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
  if (gi.hasInput(2)) {
    FailureOr<Value> bias = gi.operand(2);
    if (failed(bias))
      return failure();
    operands.push_back(*bias);
  }
  FailureOr<Value> y = gi.build1(Conv2dOp::getOperationName(), operands, attrs);
  if (failed(y) || !oneD)
    return gi.defineOutput(y);
  auto ys = gi.typeOf(*y).getShape();
  return gi.defineOutput(gi.reshape(*y, {ys[0], ys[1], ys[3]}));
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
  registry.add("Gemm", importGemm);
  registry.add("MatMul", [](GraphImporter &gi) {
    return importBinary(gi, MatMulOp::getOperationName());
  });
}
