//===- ModuleCost.cpp - The cost model over the cim IR --------------------===//

#include "cim/Analysis/ModuleCost.h"

#include "mlir/IR/Diagnostics.h"

#include <set>

using namespace mlir;
using namespace mlir::cim;

SmallVector<LayerOpInterface> mlir::cim::getCrossbarLayers(ModuleOp module) {
  SmallVector<LayerOpInterface> layers;
  module.walk([&](LayerOpInterface layer) {
    if (hasConstantWeight(layer))
      layers.push_back(layer);
  });
  return layers;
}

FailureOr<LayerShape> mlir::cim::getLayerShape(LayerOpInterface layer,
                                               int64_t index) {
  LayerShape shape;
  shape.name = layer.getLayerName().str();
  if (shape.name.empty())
    shape.name = "#" + std::to_string(index);
  QuantAttr quant = layer.getLayerQuant();
  if (!quant)
    return layer->emitError()
           << "layer '" << shape.name
           << "' has no bit widths (#cim.quant); run cim-assign-bitwidths "
              "first";
  LayerMatrix matrix = layer.getLayerMatrix();
  if (ShapedType::isDynamic(matrix.rows) ||
      ShapedType::isDynamic(matrix.cols) ||
      ShapedType::isDynamic(matrix.groups) ||
      ShapedType::isDynamic(matrix.invocations) || matrix.rows < 1 ||
      matrix.cols < 1 || matrix.groups < 1 || matrix.invocations < 0)
    return layer->emitError()
           << "layer '" << shape.name
           << "' has a dynamic or empty im2col matrix; crossbar mapping needs "
              "static shapes";
  shape.rows = matrix.rows;
  shape.cols = matrix.cols;
  shape.groups = matrix.groups;
  shape.invocations = matrix.invocations;
  shape.wbits = quant.getWbits();
  shape.abits = quant.getAbits();
  return shape;
}

FailureOr<std::vector<LayerShape>>
mlir::cim::getLayerShapes(ArrayRef<LayerOpInterface> layers) {
  std::vector<LayerShape> shapes;
  bool ok = true;
  for (auto [index, layer] : llvm::enumerate(layers)) {
    FailureOr<LayerShape> shape = getLayerShape(layer, index);
    if (failed(shape))
      ok = false;
    else
      shapes.push_back(*shape);
  }
  if (!ok)
    return failure();
  return shapes;
}

FailureOr<hw::HardwareDescription>
mlir::cim::loadHardwareFor(ModuleOp module, StringRef nameOrPath) {
  std::string request = nameOrPath.str();
  if (request.empty())
    if (auto name = module->getAttrOfType<StringAttr>("cim.hardware"))
      request = name.getValue().str();
  std::string path = hw::resolveHardwarePath(request);
  std::vector<hw::HardwareDiagnostic> diagnostics;
  std::optional<hw::HardwareDescription> desc =
      hw::loadHardwareDescription(path, diagnostics);
  if (desc)
    return *desc;
  MLIRContext *context = module.getContext();
  // Located at the description (line 0: the file as a whole), not at the
  // module that asked for it.
  for (const hw::HardwareDiagnostic &diag : diagnostics)
    emitError(FileLineColLoc::get(context, diag.file, diag.line, diag.column))
        << diag.message;
  return failure();
}

FailureOr<const hw::HardwareDescription *>
HardwareSource::get(ModuleOp module) {
  if (!loaded && !failedToLoad) {
    FailureOr<hw::HardwareDescription> desc = loadHardwareFor(module, request);
    if (succeeded(desc))
      loaded = std::move(*desc);
    else
      failedToLoad = true;
  }
  if (!loaded)
    return failure();
  return &*loaded;
}

MappingAttr mlir::cim::buildMappingAttr(MLIRContext *context,
                                        const LayerShape &layer,
                                        const hw::HardwareDescription &hw,
                                        int64_t copies,
                                        ArrayRef<TilePlacement> tiles) {
  SmallVector<TileAttr> tileAttrs;
  tileAttrs.reserve(tiles.size());
  for (const TilePlacement &t : tiles)
    tileAttrs.push_back(TileAttr::get(context, t.pe, t.xbar, t.rowBegin,
                                      t.rowEnd, t.colBegin, t.colEnd, t.slice,
                                      t.copy, t.group, t.atRow, t.atCol));
  LayerFootprint fp = computeFootprint(layer, hw);
  return MappingAttr::get(context, layer.rows, layer.cols, layer.groups,
                          fp.slices, copies, hw.signedMapping, hw.rows, hw.cols,
                          tileAttrs);
}

FailureOr<NetworkCost>
mlir::cim::estimateModuleCost(ModuleOp module,
                              const hw::HardwareDescription &hw) {
  SmallVector<LayerOpInterface> layers = getCrossbarLayers(module);
  FailureOr<std::vector<LayerShape>> shapes = getLayerShapes(layers);
  if (failed(shapes))
    return failure();
  NetworkPlan plan;
  if (getModulePlacement(module) == Placement::Spread)
    plan.placement = Placement::Spread;
  bool ok = true;
  for (auto [layer, shape] : llvm::zip(layers, *shapes)) {
    MappingAttr mapping = layer.getLayerMapping();
    if (!mapping) {
      layer->emitError() << "layer '" << shape.name
                         << "' has no crossbar mapping; run "
                            "cim-map-crossbars first";
      ok = false;
      continue;
    }
    LayerFootprint fp = computeFootprint(shape, hw);
    if (mapping.getXbarRows() != hw.rows || mapping.getXbarCols() != hw.cols ||
        mapping.getSlices() != fp.slices ||
        mapping.getSignedMapping() != hw.signedMapping) {
      layer->emitError() << "layer '" << shape.name << "' was mapped onto "
                         << mapping.getXbarRows() << "x"
                         << mapping.getXbarCols() << " crossbars with "
                         << mapping.getSlices() << " slices, but hardware '"
                         << hw.name << "' has " << hw.rows << "x" << hw.cols
                         << " crossbars and needs " << fp.slices << " slices";
      ok = false;
      continue;
    }
    plan.copies.push_back(mapping.getCopies());
    plan.crossbarsNeeded += fp.crossbarsPerCopy;
    // A spread copy is alone on its PEs: count those of the first.
    std::vector<std::vector<int64_t>> copyPes = getCopyPes(mapping);
    plan.pesPerCopy.push_back(
        copyPes.empty() ? 1 : std::max<int64_t>(1, copyPes.front().size()));
  }
  if (!ok)
    return failure();
  std::optional<ExecutionMode> mode =
      chooseExecutionMode(hw, plan.crossbarsNeeded);
  if (!mode)
    return emitError(module.getLoc())
           << "network needs " << plan.crossbarsNeeded
           << " crossbars, the chip has " << hw.getNumCrossbars();
  plan.mode = *mode;
  return estimateNetworkCost(*shapes, hw, plan);
}

FailureOr<NetworkPlan>
mlir::cim::planModuleLayers(ModuleOp module, ArrayRef<LayerOpInterface> layers,
                            ArrayRef<LayerShape> shapes,
                            const hw::HardwareDescription &hw, bool duplicate,
                            Placement placement) {
  std::string error;
  std::optional<NetworkPlan> plan =
      planNetwork(shapes, hw, duplicate, error, placement);
  if (plan)
    return std::move(*plan);
  // What would take the network (more PEs of this kind, or rewriting), and
  // its largest layer.
  int64_t needed = 0, largestCrossbars = 0;
  size_t largest = 0;
  for (auto [index, shape] : llvm::enumerate(shapes)) {
    int64_t n = computeFootprint(shape, hw).crossbarsPerCopy;
    needed += n;
    if (n > largestCrossbars) {
      largest = index;
      largestCrossbars = n;
    }
  }
  int64_t perPe = std::max<int64_t>(1, hw.crossbarsPerPe);
  InFlightDiagnostic diag =
      emitError(module.getLoc())
      << error << " ('" << hw.name << "': " << hw.pes << " PEs x "
      << hw.crossbarsPerPe
      << " crossbars; weights may not be rewritten): one copy of every layer "
         "fits "
      << (needed + perPe - 1) / perPe
      << " PEs of this kind (chip.pes), or let weights be rewritten "
         "(mapping.weight_rewrite: if_needed, as the sram-digital preset)";
  if (!layers.empty())
    diag.attachNote(layers[largest]->getLoc())
        << "the largest layer, '" << shapes[largest].name << "', needs "
        << largestCrossbars << " crossbars";
  return failure();
}

std::vector<std::vector<int64_t>> mlir::cim::getCopyPes(MappingAttr mapping) {
  int64_t copies = mapping.getCopies();
  std::vector<std::set<int64_t>> pes(std::max<int64_t>(copies, 0));
  for (TileAttr tile : mapping.getTiles())
    if (tile.getCopy() >= 0 && tile.getCopy() < copies)
      pes[tile.getCopy()].insert(tile.getPe());
  std::vector<std::vector<int64_t>> out;
  for (const std::set<int64_t> &copy : pes)
    out.emplace_back(copy.begin(), copy.end());
  return out;
}

Placement mlir::cim::getModulePlacement(ModuleOp module) {
  auto attr = module->getAttrOfType<StringAttr>(kPlacementAttrName);
  return attr ? parsePlacement(attr.getValue()).value_or(Placement::Packed)
              : Placement::Packed;
}
