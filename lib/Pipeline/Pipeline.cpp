//===- Pipeline.cpp - The cimc compilation pipeline -----------------------===//

#include "cim/Pipeline/Pipeline.h"

#include "cim/Analysis/ModuleCost.h"
#include "cim/Dialect/CIM/CIMDialect.h"
#include "cim/Program/Program.h"
#include "cim/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::cim;

static constexpr std::pair<CompileStage, llvm::StringLiteral> kStageNames[] = {
    {CompileStage::Import, "import"},     {CompileStage::Bits, "bits"},
    {CompileStage::Quant, "quant"},       {CompileStage::Map, "map"},
    {CompileStage::Schedule, "schedule"}, {CompileStage::Program, "program"},
};

StringRef mlir::cim::stringify(CompileStage stage) {
  for (const auto &[value, name] : kStageNames)
    if (value == stage)
      return name;
  return "";
}

std::optional<CompileStage> mlir::cim::parseCompileStage(StringRef name) {
  for (const auto &[value, text] : kStageNames)
    if (text == name)
      return value;
  return std::nullopt;
}

FailureOr<PipelineOptions>
CompilePipelineCLOptions::toPipelineOptions(std::string &error) const {
  PipelineOptions options;
  options.hardware = hardware;
  options.wbits = wbits;
  options.abits = abits;
  options.policy = policy;
  options.keepQuantWidths = keepQuantWidths;
  options.calibrationInputs.assign(calibrationInputs.begin(),
                                   calibrationInputs.end());
  options.calibrationMethod = calibrationMethod;
  options.percentile = percentile;
  options.duplicate = duplicate;
  std::optional<Placement> layout = parsePlacement(placement);
  if (!layout) {
    error = "placement must be packed or spread, got '" + placement + "'";
    return failure();
  }
  options.placement = *layout;
  std::optional<ScheduleMode> mode = parseScheduleMode(schedule);
  if (!mode) {
    error = "schedule must be layer or cross-layer, got '" + schedule + "'";
    return failure();
  }
  options.schedule = *mode;
  std::optional<CompileStage> stage = parseCompileStage(stopAfter);
  if (!stage || *stage == CompileStage::Program) {
    error = "stop-after must be import, bits, quant, map or schedule, got '" +
            stopAfter + "'";
    return failure();
  }
  options.stopAfter = *stage;
  return options;
}

void mlir::cim::populateGraphCleanupPasses(OpPassManager &pm) {
  pm.addPass(createCanonicalize());
  pm.addPass(createFoldBatchNorm());
  pm.addPass(createFoldQDQ());
}

void mlir::cim::populateBitwidthPasses(OpPassManager &pm,
                                       const PipelineOptions &options) {
  AssignBitwidthsOptions bits;
  bits.wbits = options.wbits;
  bits.abits = options.abits;
  bits.policy = options.policy;
  bits.overwrite = !options.keepQuantWidths;
  pm.addPass(createAssignBitwidths(bits));
}

void mlir::cim::populateCalibrationPasses(OpPassManager &pm,
                                          const PipelineOptions &options) {
  CalibrateOptions calibrate;
  calibrate.inputs = options.calibrationInputs;
  calibrate.method = options.calibrationMethod;
  calibrate.percentile = options.percentile;
  pm.addPass(createCalibrate(calibrate));
}

void mlir::cim::populateMappingPasses(
    OpPassManager &pm, const PipelineOptions &options,
    std::shared_ptr<HardwareSource> hardware) {
  MapCrossbarsOptions map;
  map.hw = options.hardware;
  map.duplicate = options.duplicate;
  map.placement = stringify(options.placement).str();
  pm.addPass(createMapCrossbars(map, std::move(hardware)));
}

void mlir::cim::populateSchedulingPasses(
    OpPassManager &pm, const PipelineOptions &options,
    std::shared_ptr<HardwareSource> hardware,
    std::function<void(prog::Program)> onScheduled) {
  ScheduleOptions schedule;
  schedule.hw = options.hardware;
  schedule.schedule = stringify(options.schedule).str();
  pm.addPass(
      createSchedule(schedule, std::move(hardware), std::move(onScheduled)));
}

void mlir::cim::buildCompilePipeline(
    OpPassManager &pm, const PipelineOptions &options,
    std::shared_ptr<HardwareSource> hardware,
    std::function<void(prog::Program)> onScheduled) {
  CompileStage last = options.stopAfter;
  if (last < CompileStage::Bits)
    return;
  populateGraphCleanupPasses(pm);
  populateBitwidthPasses(pm, options);
  if (last < CompileStage::Quant)
    return;
  populateCalibrationPasses(pm, options);
  if (last < CompileStage::Map)
    return;
  if (!hardware)
    hardware = std::make_shared<HardwareSource>(options.hardware);
  populateMappingPasses(pm, options, hardware);
  if (last < CompileStage::Schedule)
    return;
  populateSchedulingPasses(pm, options, hardware, std::move(onScheduled));
}

void mlir::cim::registerCIMDialects(DialectRegistry &registry) {
  registry.insert<cim::CIMDialect, func::FuncDialect>();
}

void mlir::cim::registerCIMPassesAndPipelines() {
  registerCIMPasses();
  registerCanonicalizerPass();
  registerCSEPass();
  registerPassPipeline(
      "cim-compile",
      "The cimc pipeline up to the program: clean-up and QDQ folding, bit "
      "widths, calibration, crossbar mapping and scheduling (stop-after= "
      "ends it earlier; cimc --emit=STAGE prints the same IR)",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        CompilePipelineCLOptions cl;
        if (failed(cl.parseFromString(text)))
          return failure();
        std::string error;
        FailureOr<PipelineOptions> options = cl.toPipelineOptions(error);
        if (failed(options))
          return errorHandler("cim-compile: " + error);
        buildCompilePipeline(pm, *options);
        return success();
      },
      [](function_ref<void(const mlir::detail::PassOptions &)> handler) {
        handler(CompilePipelineCLOptions());
      });
}
