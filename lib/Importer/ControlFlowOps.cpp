//===- ControlFlowOps.cpp - Importers of If -------------------------------===//
//
// If with a condition known at import time is the taken branch. With a
// computed condition both branches are imported (they have no side
// effects) and each output is a Where of the condition between the two
// branches' values: the graph stays a straight line, at the cost of
// computing the branch that is not taken (openWakeWord's classifiers run a
// verifier network only when the first score passes the threshold).
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"
#include "OpImporters.h"
#include "OpRegistry.h"

#include "cim/Dialect/CIM/CIMOps.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::importer;

/// The subgraph attribute `name` of the node, or null.
static const onnx::GraphProto *getBranch(GraphImporter &gi, StringRef name) {
  const onnx::AttributeProto *attr = gi.attr(name);
  return attr && attr->has_g() ? &attr->g() : nullptr;
}

static LogicalResult importIf(GraphImporter &gi) {
  const onnx::GraphProto *thenBranch = getBranch(gi, "then_branch");
  const onnx::GraphProto *elseBranch = getBranch(gi, "else_branch");
  if (!thenBranch || !elseBranch)
    return gi.fail("needs the then_branch and else_branch graphs");
  if (thenBranch->output_size() != gi.getNumOutputs() ||
      elseBranch->output_size() != gi.getNumOutputs())
    return gi.fail("the branches have " + Twine(thenBranch->output_size()) +
                   " and " + Twine(elseBranch->output_size()) +
                   " outputs, the node " + Twine(gi.getNumOutputs()));
  std::string name = gi.getNodeName().str();
  StringRef condName = gi.input(0);
  if (ElementsAttr known = gi.constant(condName)) {
    FailureOr<HostTensor> cond = gi.constantTensor(condName);
    if (failed(cond) || cond->getNumElements() != 1)
      return gi.fail("the condition must be one element");
    bool taken = cond->getAsDouble(0) != 0;
    FailureOr<SmallVector<Value>> outs = gi.importSubgraph(
        taken ? *thenBranch : *elseBranch, name + (taken ? "/then" : "/else"));
    if (failed(outs))
      return failure();
    for (auto [i, v] : llvm::enumerate(*outs))
      if (failed(gi.define(gi.output(int(i)), v)))
        return failure();
    return success();
  }
  FailureOr<Value> cond = gi.operand(0);
  if (failed(cond))
    return failure();
  RankedTensorType condType = gi.typeOf(*cond);
  if (!condType.getElementType().isInteger(1) || !condType.hasStaticShape() ||
      condType.getNumElements() != 1)
    return gi.fail("the condition must be one boolean element");
  FailureOr<SmallVector<Value>> thenOuts =
      gi.importSubgraph(*thenBranch, name + "/then");
  if (failed(thenOuts))
    return failure();
  FailureOr<SmallVector<Value>> elseOuts =
      gi.importSubgraph(*elseBranch, name + "/else");
  if (failed(elseOuts))
    return failure();
  for (int i = 0; i < gi.getNumOutputs(); ++i) {
    Value a = (*thenOuts)[i], b = (*elseOuts)[i];
    if (gi.typeOf(a) != gi.typeOf(b))
      return gi.fail("output " + Twine(i) +
                     ": the branches compute different types; an If with a "
                     "computed condition is imported as a Where of the two, "
                     "which needs one type");
    FailureOr<Value> picked =
        gi.build1(WhereOp::getOperationName(), {*cond, a, b});
    if (failed(picked) || failed(gi.define(gi.output(i), *picked)))
      return failure();
  }
  return success();
}

void importer::registerControlFlowOps(OpRegistry &registry) {
  registry.add("If", importIf);
}
