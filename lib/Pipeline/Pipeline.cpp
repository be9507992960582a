//===- Pipeline.cpp - The cimc compilation pipeline -----------------------===//

#include "cim/Pipeline/Pipeline.h"

#include "cim/Analysis/ModuleCost.h"
#include "cim/Dialect/CIM/CIMDialect.h"
#include "cim/Dialect/CIMP/CIMPDialect.h"
#include "cim/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::cim;

static constexpr CompileStageInfo kStages[] = {
    {CompileStage::Import, "import", "the imported graph"},
    {CompileStage::Bits, "bits", "after bit-width assignment"},
    {CompileStage::Quant, "quant", "after calibration (weight scales)"},
    {CompileStage::Map, "map", "after crossbar mapping"},
    {CompileStage::Schedule, "schedule", "after scheduling"},
    {CompileStage::Chip, "chip",
     "the chip level: the scheduled graph and "
     "its cimp.program"},
    {CompileStage::Program, "program", "the program's text dump"},
};

ArrayRef<CompileStageInfo> mlir::cim::getCompileStages() { return kStages; }

StringRef mlir::cim::stringify(CompileStage stage) {
  for (const CompileStageInfo &info : kStages)
    if (info.stage == stage)
      return info.name;
  return "";
}

std::optional<CompileStage> mlir::cim::parseCompileStage(StringRef name) {
  for (const CompileStageInfo &info : kStages)
    if (info.name == name)
      return info.stage;
  return std::nullopt;
}

CalibrationImageCLOptions::CalibrationImageCLOptions(
    llvm::cl::OptionCategory &category)
    : resize("resize",
             llvm::cl::desc("Image folders among the --calibrate inputs: the "
                            "shorter side before the center crop to the "
                            "model input's height and width (default: the "
                            "input's larger side)"),
             llvm::cl::init(0), llvm::cl::cat(category)),
      mean("mean",
           llvm::cl::desc("Image folders among the --calibrate inputs: "
                          "per-channel mean, subtracted after /255"),
           llvm::cl::CommaSeparated, llvm::cl::cat(category)),
      std("std",
          llvm::cl::desc("Image folders among the --calibrate inputs: "
                         "per-channel standard deviation"),
          llvm::cl::CommaSeparated, llvm::cl::cat(category)) {}

void CalibrationImageCLOptions::apply(PipelineOptions &options) const {
  options.calibrationResize = resize;
  options.calibrationMean.assign(mean.begin(), mean.end());
  options.calibrationStd.assign(std.begin(), std.end());
}

FailureOr<PipelineOptions>
CompilePipelineCLOptions::toPipelineOptions(std::string &error) const {
  PipelineOptions options;
  options.hardware = hardware;
  options.wbits = wbits;
  options.abits = abits;
  options.policy = policy;
  options.keepQuantWidths = keepQuantWidths;
  options.activationScheme = activationScheme;
  options.calibrationInputs.assign(calibrationInputs.begin(),
                                   calibrationInputs.end());
  options.calibrationMethod = calibrationMethod;
  options.percentile = percentile;
  options.calibrationSamples = calibrationSamples;
  options.calibrationResize = calibrationResize;
  options.calibrationMean.assign(calibrationMean.begin(),
                                 calibrationMean.end());
  options.calibrationStd.assign(calibrationStd.begin(), calibrationStd.end());
  options.duplicate = duplicate;
  std::optional<Placement> layout = parsePlacement(placement);
  if (!layout) {
    error = "placement must be packed or spread, got '" + placement + "'";
    return failure();
  }
  options.placement = *layout;
  std::optional<ScheduleKind> kind = parseScheduleOption(schedule);
  if (!kind) {
    error = "schedule must be " + getScheduleOptionList() + ", got '" +
            schedule + "'";
    return failure();
  }
  options.schedule = *kind;
  options.model = model;
  std::optional<CompileStage> stage = parseCompileStage(stopAfter);
  if (!stage || *stage == CompileStage::Program) {
    error = "stop-after must be import, bits, quant, map, schedule or chip, "
            "got '" +
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
  bits.ascheme = options.activationScheme;
  pm.addPass(createAssignBitwidths(bits));
}

void mlir::cim::populateCalibrationPasses(OpPassManager &pm,
                                          const PipelineOptions &options) {
  CalibrateOptions calibrate;
  calibrate.inputs = options.calibrationInputs;
  calibrate.method = options.calibrationMethod;
  calibrate.percentile = options.percentile;
  calibrate.maxSamples = options.calibrationSamples;
  calibrate.resize = options.calibrationResize;
  calibrate.mean = options.calibrationMean;
  calibrate.stdDev = options.calibrationStd;
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
    std::shared_ptr<HardwareSource> hardware) {
  ScheduleOptions schedule;
  schedule.hw = options.hardware;
  schedule.schedule = stringifyScheduleOption(options.schedule);
  schedule.chip = options.stopAfter > CompileStage::Schedule;
  schedule.model = options.model;
  pm.addPass(createSchedule(schedule, std::move(hardware)));
}

void mlir::cim::buildCompilePipeline(OpPassManager &pm,
                                     const PipelineOptions &options,
                                     std::shared_ptr<HardwareSource> hardware) {
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
  populateSchedulingPasses(pm, options, hardware);
}

void mlir::cim::registerCIMDialects(DialectRegistry &registry) {
  registry.insert<cim::CIMDialect, cimp::CIMPDialect, func::FuncDialect>();
}

void mlir::cim::registerCIMPassesAndPipelines() {
  registerCIMPasses();
  registerCanonicalizerPass();
  registerCSEPass();
  registerPassPipeline(
      "cim-compile",
      "The cimc pipeline up to the chip level: clean-up and QDQ folding, bit "
      "widths, calibration, crossbar mapping, scheduling and the cimp "
      "program (stop-after= ends it earlier; cimc --emit=STAGE prints the "
      "same IR)",
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
