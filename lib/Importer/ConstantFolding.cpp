//===- ConstantFolding.cpp - Nodes on constants, evaluated at import ------===//
//
// A node of a foldable operator whose inputs and outputs are all small
// constants (at most 2^16 elements) is imported by its usual importer into
// a scratch function over those constants, which the reference executor
// runs (cim::runReference): the kernels of lib/Reference are the one
// definition of every op's arithmetic, for folding as for execution. The
// node's outputs become constants and the scratch function is dropped, so
// shape subgraphs (Shape -> Gather -> Concat -> Reshape) leave nothing in
// the IR.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"
#include "OpRegistry.h"

#include "cim/Reference/Executor.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::importer;

bool GraphImporter::hasFoldableInputs() const {
  if (node->input_size() == 0)
    return false;
  for (const std::string &in : node->input()) {
    if (in.empty())
      continue;
    ElementsAttr c = constant(in);
    if (!c || c.getNumElements() > kMaxFoldElements)
      return false;
  }
  return true;
}

LogicalResult GraphImporter::importFolded(const OpImporter &opImporter) {
  OwningOpRef<func::FuncOp> scratch = func::FuncOp::create(
      getFileLoc(), "fold", builder.getFunctionType({}, {}));
  FoldScope scope{scratch->addEntryBlock(), {}};
  LogicalResult imported = failure();
  {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToEnd(scope.block);
    fold = &scope;
    imported = opImporter.import(*this);
    fold = nullptr;
  }
  if (failed(imported))
    return failure();

  // The function returns the outputs the importer defined. A result too
  // large to be a constant (an Expand or Tile to data size) leaves the
  // node to be imported as ops.
  SmallVector<StringRef> names;
  SmallVector<Value> results;
  for (const std::string &name : node->output()) {
    Value v = name.empty() ? Value() : scope.values.lookup(name);
    if (!v)
      continue;
    if (typeOf(v).getNumElements() > kMaxFoldElements)
      return opImporter.import(*this);
    names.push_back(name);
    results.push_back(v);
  }
  OpBuilder::atBlockEnd(scope.block)
      .create<func::ReturnOp>(getFileLoc(), results);

  FailureOr<SmallVector<HostTensor>> tensors = failure();
  SmallVector<std::string> messages;
  (void)catchDiagnostics(
      context,
      [&] {
        tensors = runReference(*scratch, {});
        return success();
      },
      messages);
  if (failed(tensors))
    return fail("the constant inputs cannot be evaluated: " +
                (messages.empty() ? std::string() : messages.front()));
  for (auto [name, tensor] : llvm::zip(names, *tensors))
    if (failed(defineFolded(name, tensor)))
      return failure();
  return success();
}
