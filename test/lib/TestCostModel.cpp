//===- TestCostModel.cpp - Expose the cost model to FileCheck -------------===//

#include "TestPasses.h"
#include "cim/Analysis/ModuleCost.h"

#include "mlir/IR/Builders.h"

namespace mlir {
namespace cim {
namespace test {
#define GEN_PASS_DEF_TESTCOSTMODEL
#include "TestPasses.h.inc"

namespace {
struct TestCostModelPass : public impl::TestCostModelBase<TestCostModelPass> {
  using TestCostModelBase::TestCostModelBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<hw::HardwareDescription> desc = loadHardwareFor(module, hw);
    if (failed(desc))
      return signalPassFailure();
    SmallVector<LayerOpInterface> layers = getCrossbarLayers(module);
    FailureOr<std::vector<LayerShape>> shapes = getLayerShapes(layers);
    if (failed(shapes))
      return signalPassFailure();
    FailureOr<NetworkPlan> plan =
        planModuleLayers(module, layers, *shapes, *desc, duplicate);
    if (failed(plan))
      return signalPassFailure();
    NetworkCost cost = estimateNetworkCost(*shapes, *desc, *plan);

    Builder b(&getContext());
    auto i64 = [&](StringRef name, int64_t value) {
      return b.getNamedAttr(name, b.getI64IntegerAttr(value));
    };
    for (auto [layer, c] : llvm::zip(layers, cost.layers)) {
      const LayerFootprint &fp = c.footprint;
      layer->setAttr(
          "test.cost",
          b.getDictionaryAttr(
              {i64("crossbars_per_copy", fp.crossbarsPerCopy),
               i64("copies", c.copies), i64("crossbars", c.crossbars),
               i64("rounds", c.rounds), i64("slices", fp.slices),
               i64("input_steps", fp.inputSteps), i64("row_tiles", fp.rowTiles),
               i64("col_chunks", fp.colChunks), i64("mvm_steps", c.mvmSteps),
               i64("adc_conversions", c.adcConversions),
               i64("crossbar_writes", c.crossbarWrites),
               i64("digital_ops", c.digitalOps),
               i64("latency_ps", int64_t(c.latencyPs)),
               i64("cycles", int64_t(c.cycles))}));
    }
    module->setAttr(
        "test.network_cost",
        b.getDictionaryAttr(
            {i64("crossbars_used", cost.crossbarsUsed),
             i64("latency_ps", int64_t(cost.latencyPs)),
             i64("cycles", int64_t(cost.cycles)),
             b.getNamedAttr("mode", b.getStringAttr(stringify(cost.mode)))}));
  }
};
} // namespace
} // namespace test
} // namespace cim
} // namespace mlir
