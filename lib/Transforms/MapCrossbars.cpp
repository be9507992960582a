//===- MapCrossbars.cpp - Place layer weights on crossbars ----------------===//

#include "cim/Analysis/ModuleCost.h"
#include "cim/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace mlir {
namespace cim {
#define GEN_PASS_DEF_MAPCROSSBARS
#include "cim/Transforms/Passes.h.inc"

namespace {
struct MapCrossbarsPass : public impl::MapCrossbarsBase<MapCrossbarsPass> {
  using MapCrossbarsBase::MapCrossbarsBase;

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

    MLIRContext *context = &getContext();
    int64_t slot = 0;
    for (auto [layer, shape, copies] :
         llvm::zip(layers, *shapes, plan->copies)) {
      // Stationary layers take consecutive crossbars; rewritten layers
      // each start again at the first crossbar.
      int64_t first = plan->mode == ExecutionMode::Stationary ? slot : 0;
      std::vector<TilePlacement> tiles =
          placeLayer(shape, *desc, plan->mode, copies, first);
      layer.setLayerMapping(
          buildMappingAttr(context, shape, *desc, copies, tiles));
      slot += copies * computeFootprint(shape, *desc).crossbarsPerCopy;
    }
    module->setAttr("cim.hardware", StringAttr::get(context, desc->name));
  }
};
} // namespace
} // namespace cim
} // namespace mlir
