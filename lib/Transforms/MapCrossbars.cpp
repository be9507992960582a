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
    std::shared_ptr<HardwareSource> source =
        hardware ? hardware : std::make_shared<HardwareSource>(hw);
    FailureOr<const hw::HardwareDescription *> loaded = source->get(module);
    if (failed(loaded))
      return signalPassFailure();
    const hw::HardwareDescription *desc = *loaded;
    SmallVector<LayerOpInterface> layers = getCrossbarLayers(module);
    FailureOr<std::vector<LayerShape>> shapes = getLayerShapes(layers);
    if (failed(shapes))
      return signalPassFailure();

    std::optional<Placement> asked = parsePlacement(placement);
    if (!asked) {
      module.emitError() << "cim-map-crossbars: placement must be packed or "
                            "spread, got '"
                         << placement << "'";
      return signalPassFailure();
    }
    FailureOr<NetworkPlan> plan =
        planModuleLayers(module, layers, *shapes, *desc, duplicate, *asked);
    if (failed(plan))
      return signalPassFailure();

    MLIRContext *context = &getContext();
    int64_t slot = 0, pe = 0;
    for (auto [index, layer] : llvm::enumerate(layers)) {
      const LayerShape &shape = (*shapes)[index];
      int64_t copies = plan->copies[index];
      std::vector<TilePlacement> tiles;
      if (plan->placement == Placement::Spread) {
        // Every copy on PEs of its own, layer after layer.
        int64_t pes = plan->pesPerCopy[index];
        tiles = placeLayerSpread(shape, *desc, copies, pes, pe);
        pe += copies * pes;
      } else {
        // Stationary layers take consecutive crossbars; rewritten layers
        // each start again at the first crossbar.
        int64_t first = plan->mode == ExecutionMode::Stationary ? slot : 0;
        tiles = placeLayer(shape, *desc, plan->mode, copies, first);
        slot += copies * computeFootprint(shape, *desc).crossbarsPerCopy;
      }
      layer.setLayerMapping(
          buildMappingAttr(context, shape, *desc, copies, tiles));
    }
    module->setAttr("cim.hardware", StringAttr::get(context, desc->name));
    if (plan->placement == Placement::Spread)
      module->setAttr(kPlacementAttrName,
                      StringAttr::get(context, stringify(Placement::Spread)));
    else
      module->removeAttr(kPlacementAttrName);
  }

  /// Set by the pipeline: the compilation's hardware.
  std::shared_ptr<HardwareSource> hardware;
};
} // namespace

std::unique_ptr<Pass>
createMapCrossbars(const MapCrossbarsOptions &options,
                   std::shared_ptr<HardwareSource> hardware) {
  auto pass = std::make_unique<MapCrossbarsPass>(options);
  pass->hardware = std::move(hardware);
  return pass;
}
} // namespace cim
} // namespace mlir
