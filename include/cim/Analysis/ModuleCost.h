//===- ModuleCost.h - The cost model over the cim IR ------------*- C++ -*-===//
//
// Connects the analytic cost model (CostModel.h) to the IR: the crossbar
// layers of a module, their shapes and bit widths through LayerOpInterface,
// the hardware description a pass names, and the cost of a mapped module.
// Every failure is a located diagnostic.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_ANALYSIS_MODULECOST_H
#define CIM_ANALYSIS_MODULECOST_H

#include "cim/Analysis/CostModel.h"
#include "cim/Dialect/CIM/CIMOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

#include <optional>
#include <string>

namespace mlir {
namespace cim {

/// The layers whose weights go into crossbars (LayerOpInterface ops with a
/// constant weight), in program order.
SmallVector<LayerOpInterface> getCrossbarLayers(ModuleOp module);

/// The cost model's view of `layer`; `index` names unnamed layers ("#3").
/// Fails with an error at the layer when it has no #cim.quant (run
/// cim-assign-bitwidths first) or a dynamic shape.
FailureOr<LayerShape> getLayerShape(LayerOpInterface layer, int64_t index);

/// Shapes of all crossbar layers, or failure after reporting every bad one.
FailureOr<std::vector<LayerShape>>
getLayerShapes(ArrayRef<LayerOpInterface> layers);

/// Loads the hardware description that `nameOrPath` names (a preset name or
/// a file; empty: the preset the module's `cim.hardware` names, else the
/// default preset). Problems in the file are reported at their line and
/// column in it.
FailureOr<hw::HardwareDescription> loadHardwareFor(ModuleOp module,
                                                   StringRef nameOrPath);

/// The hardware description of one compilation: loaded on first use (as
/// loadHardwareFor loads it) and kept, so that every pass of a pipeline and
/// the backend read one description. A failed load is reported once and
/// fails every later call without reading the file again.
class HardwareSource {
public:
  explicit HardwareSource(std::string nameOrPath = "")
      : request(std::move(nameOrPath)) {}
  /// A description already loaded (or built in memory).
  explicit HardwareSource(hw::HardwareDescription description)
      : loaded(std::move(description)) {}

  /// The description, loaded for `module` on the first call.
  FailureOr<const hw::HardwareDescription *> get(ModuleOp module);

  /// The description if it has been loaded.
  const hw::HardwareDescription *getLoaded() const {
    return loaded ? &*loaded : nullptr;
  }

private:
  std::string request;
  std::optional<hw::HardwareDescription> loaded;
  bool failedToLoad = false;
};

/// Plans `layers` (with their `shapes`) on `hw`. When the network does not
/// fit, reports one error at the module naming the chip, with a note at the
/// largest layer (the first thing to shrink), and fails.
FailureOr<NetworkPlan>
planModuleLayers(ModuleOp module, ArrayRef<LayerOpInterface> layers,
                 ArrayRef<LayerShape> shapes, const hw::HardwareDescription &hw,
                 bool duplicate, Placement placement = Placement::Packed);

/// The module attribute cim-map-crossbars sets to "spread" when it spread
/// the copies over PEs of their own (absent when packed).
constexpr llvm::StringLiteral kPlacementAttrName = "cim.placement";

/// The placement a mapped module was given (packed unless its
/// cim.placement says "spread").
Placement getModulePlacement(ModuleOp module);

/// The #cim.mapping attribute for a layer placed with `tiles`.
MappingAttr buildMappingAttr(MLIRContext *context, const LayerShape &layer,
                             const hw::HardwareDescription &hw, int64_t copies,
                             ArrayRef<TilePlacement> tiles);

/// The PEs each copy of a mapped layer occupies, sorted (a copy without
/// tiles has none; tiles of a copy out of range are ignored). Packed, the
/// first is the copy's home PE; spread, the copy has them to itself.
std::vector<std::vector<int64_t>> getCopyPes(MappingAttr mapping);

/// The cost of a module mapped by cim-map-crossbars for `hw`: copies come
/// from each layer's #cim.mapping. Fails with a located error when a layer
/// is unmapped or was mapped for other crossbars.
FailureOr<NetworkCost> estimateModuleCost(ModuleOp module,
                                          const hw::HardwareDescription &hw);

} // namespace cim
} // namespace mlir

#endif // CIM_ANALYSIS_MODULECOST_H
