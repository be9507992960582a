//===- Schedule.cpp - The cim-schedule pass -------------------------------===//
//
// Schedules the mapped module once (scheduleModule) and annotates it; with
// chip=1 the program that schedule made is completed with the integer
// weights of every crossbar layer and emitted as a cimp.program beside the
// function (the chip level), whose crossbar weights become dataless
// handles; products of two activations get their rhs scale exactly
// (kExactRhsScaleAttrName).
//
//===----------------------------------------------------------------------===//

#include "cim/Schedule/Schedule.h"
#include "cim/Analysis/ModuleCost.h"
#include "cim/Dialect/CIMP/CIMPProgram.h"
#include "cim/Quant/LayerQuant.h"
#include "cim/Quant/Quantizer.h"
#include "cim/Transforms/Passes.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/Support/Path.h"

namespace mlir {
namespace cim {
#define GEN_PASS_DEF_SCHEDULE
#include "cim/Transforms/Passes.h.inc"

/// The program's name for the model: the file name of the module's
/// location (the ONNX file an imported module came from).
static std::string getModelName(ModuleOp module) {
  std::string name;
  module.getLoc()->walk([&](Location loc) {
    if (auto file = loc.dyn_cast<FileLineColLoc>()) {
      name = llvm::sys::path::filename(file.getFilename().getValue()).str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return name;
}

/// The integer weights of every crossbar layer of `module` as cimp.layer
/// attributes, and their scales into `program` (the schedule of `module` on
/// `hw`); the layers' weight constants in `module` become dataless handles
/// cim_weights_N.
static FailureOr<SmallVector<ElementsAttr>>
lowerWeights(ModuleOp module, const hw::HardwareDescription &hw,
             prog::Program &program) {
  SmallVector<LayerOpInterface> layers = getCrossbarLayers(module);
  if (layers.size() != program.layers.size())
    return module.emitError()
           << "internal error: " << layers.size() << " crossbar layers but "
           << program.layers.size() << " scheduled";
  auto &blobs =
      DenseResourceElementsHandle::getManagerInterface(module.getContext());
  SmallVector<ElementsAttr> weights;
  for (auto [index, layer] : llvm::enumerate(layers)) {
    // scheduleModule checked that every layer was mapped for this chip.
    FailureOr<std::vector<int32_t>> values = getIntegerWeightMatrix(layer);
    if (failed(values))
      return failure();
    weights.push_back(cimp::buildWeightsAttr(module.getContext(), index,
                                             program.layers[index], *values));
    for (const quant::QuantParams &params :
         getWeightParams(layer.getLayerQuant()))
      program.layers[index].scales.push_back(params.scale);

    Value weight = layer.getLayerWeight();
    Operation *def = weight.getDefiningOp();
    OpBuilder builder(layer);
    auto placeholder = builder.create<ConstantOp>(
        def ? def->getLoc() : layer.getLoc(),
        DenseResourceElementsAttr::get(
            weight.getType().cast<ShapedType>(),
            blobs.insert("cim_weights_" + std::to_string(index))));
    layer->replaceUsesOfWith(weight, placeholder);
    if (def && def->use_empty())
      def->erase();
  }
  return weights;
}

namespace {
struct SchedulePass : public impl::ScheduleBase<SchedulePass> {
  using ScheduleBase::ScheduleBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<ScheduleKind> kind = parseScheduleOption(schedule);
    if (!kind) {
      module.emitError() << "cim-schedule: unknown schedule '" << schedule
                         << "' (expected " << getScheduleOptionList() << ")";
      return signalPassFailure();
    }
    std::shared_ptr<HardwareSource> source =
        hardware ? hardware : std::make_shared<HardwareSource>(hw);
    FailureOr<const hw::HardwareDescription *> desc = source->get(module);
    if (failed(desc))
      return signalPassFailure();
    FailureOr<prog::Program> program =
        scheduleModule(module, **desc, *kind, /*annotate=*/true);
    if (failed(program))
      return signalPassFailure();
    if (!chip)
      return;
    program->producer = "cimc";
    program->model = model.empty() ? getModelName(module) : model.getValue();
    FailureOr<SmallVector<ElementsAttr>> weights =
        lowerWeights(module, **desc, *program);
    if (failed(weights))
      return signalPassFailure();
    // Products of two activations keep their rhs scale in the graph.
    attachExactRhsScales(module);
    // The weights come from the quantizer, in range; the layer ops'
    // verifier checks them.
    if (std::optional<prog::ProgramProblem> problem =
            prog::findProgramProblem(*program, /*checkWeights=*/false)) {
      module.emitError() << "internal error: the program is invalid: "
                         << problem->message;
      return signalPassFailure();
    }
    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    if (failed(
            cimp::buildProgramOp(builder, module.getLoc(), *program, *weights)))
      return signalPassFailure();
  }

  /// Set by the pipeline: the compilation's hardware.
  std::shared_ptr<HardwareSource> hardware;
};
} // namespace

std::unique_ptr<Pass> createSchedule(const ScheduleOptions &options,
                                     std::shared_ptr<HardwareSource> hardware) {
  auto pass = std::make_unique<SchedulePass>(options);
  pass->hardware = std::move(hardware);
  return pass;
}
} // namespace cim
} // namespace mlir
