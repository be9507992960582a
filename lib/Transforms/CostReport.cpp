//===- CostReport.cpp - Print the cost of a mapped network ----------------===//

#include "cim/Analysis/ModuleCost.h"
#include "cim/Transforms/Passes.h"

#include "llvm/Support/raw_ostream.h"

namespace mlir {
namespace cim {
#define GEN_PASS_DEF_COSTREPORT
#include "cim/Transforms/Passes.h.inc"

namespace {
struct CostReportPass : public impl::CostReportBase<CostReportPass> {
  using CostReportBase::CostReportBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<hw::HardwareDescription> desc = loadHardwareFor(module, hw);
    if (failed(desc))
      return signalPassFailure();
    FailureOr<NetworkCost> cost = estimateModuleCost(module, *desc);
    if (failed(cost))
      return signalPassFailure();
    llvm::outs() << formatCostReport(*cost, *desc);
    markAllAnalysesPreserved();
  }
};
} // namespace
} // namespace cim
} // namespace mlir
