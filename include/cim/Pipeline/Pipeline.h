//===- Pipeline.h - The cimc compilation pipeline ---------------*- C++ -*-===//
//
// The one definition of the compilation pipeline: a plain options struct
// (PipelineOptions), a populate function per stage, and buildCompilePipeline
// that appends the stages up to `stopAfter`. cimc, cim-opt (the registered
// pipeline `cim-compile`, whose option string sets the same fields), cim-sim
// and cim-tune all build their pass managers here; tools only parse flags.
//
// Stages, in order (docs/architecture.md):
//   import    nothing (the importer's output)
//   bits      cim-canonicalize, cim-fold-batchnorm, cim-fold-qdq,
//             cim-assign-bitwidths
//   quant     + cim-calibrate (weight scales; activation scales from the
//             calibration inputs)
//   map       + cim-map-crossbars
//   schedule  + cim-schedule
//   chip      cim-schedule{chip=1} instead: the same schedule, lowered to a
//             cimp.program beside the function (docs/chip-dialect.md)
//   program   prog.cim, translated from the chip level (lib/Backend, after
//             the passes: lib/Compiler)
//
// The hardware description is loaded once per pipeline: the passes of one
// buildCompilePipeline share a HardwareSource, and the caller may pass its
// own to read the loaded description afterwards.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_PIPELINE_PIPELINE_H
#define CIM_PIPELINE_PIPELINE_H

#include "cim/Analysis/CostModel.h"
#include "cim/Schedule/Schedule.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;

namespace cim {
class HardwareSource;

/// Where compilation stops (see the file comment).
enum class CompileStage { Import, Bits, Quant, Map, Schedule, Chip, Program };
llvm::StringRef stringify(CompileStage stage);
/// "import", "bits", "quant", "map", "schedule", "chip" or "program".
std::optional<CompileStage> parseCompileStage(llvm::StringRef name);
/// Every stage in order, with its name and what printing it shows.
struct CompileStageInfo {
  CompileStage stage;
  llvm::StringLiteral name, summary;
};
llvm::ArrayRef<CompileStageInfo> getCompileStages();

/// Every setting of a compilation after import.
struct PipelineOptions {
  /// Hardware preset name or YAML file; empty: the module's cim.hardware,
  /// else the default preset.
  std::string hardware;
  /// Uniform bit widths, and a per-layer policy file that overrides them.
  unsigned wbits = 8, abits = 8;
  std::string policy;
  /// Layers that carry a quantization from a QDQ model keep their widths
  /// (cimc without --wbits/--abits); otherwise wbits/abits replace them.
  bool keepQuantWidths = false;
  /// The input-activation scheme of layers without a quantization of their
  /// own: "asymmetric" or "symmetric" (cim-assign-bitwidths ascheme=).
  std::string activationScheme = "asymmetric";
  /// Calibration inputs for static activation scales (TensorProto files or
  /// directories, as cim-calibrate takes them); without them each layer
  /// quantizes its input with the input's own range at run time.
  std::vector<std::string> calibrationInputs;
  /// "minmax", "percentile" or "mse", and the percentile of "percentile".
  std::string calibrationMethod = "minmax";
  double percentile = 99.99;
  /// Calibrate on the first N samples of the inputs (0: all).
  unsigned calibrationSamples = 0;
  /// Image folders among the calibration inputs: the shorter side before
  /// the center crop to the input's size (0: the input's larger side), and
  /// the per-channel normalization after /255.
  int64_t calibrationResize = 0;
  std::vector<float> calibrationMean, calibrationStd;
  /// Duplicate slow layers into spare crossbars.
  bool duplicate = true;
  /// How stationary copies are laid out on the PEs.
  Placement placement = Placement::Packed;
  ScheduleKind schedule = ScheduleKind::CrossLayer;
  /// The model name in the program header (empty: the file name of the
  /// module's location).
  std::string model;
  /// The last stage whose passes run (CompileStage::Program: all of them).
  CompileStage stopAfter = CompileStage::Program;
};

/// The same options as the registered pipeline's option string:
///   cim-opt --cim-compile="hw=cimaq-reference wbits=4 stop-after=map"
struct CompilePipelineCLOptions
    : public PassPipelineOptions<CompilePipelineCLOptions> {
  Option<std::string> hardware{
      *this, "hw",
      llvm::cl::desc("Hardware preset name or YAML file (default: the "
                     "module's cim.hardware, else rram-tiled)"),
      llvm::cl::init("")};
  Option<unsigned> wbits{*this, "wbits",
                         llvm::cl::desc("Weight bits for every layer"),
                         llvm::cl::init(8)};
  Option<unsigned> abits{*this, "abits",
                         llvm::cl::desc("Activation bits for every layer"),
                         llvm::cl::init(8)};
  Option<std::string> policy{
      *this, "policy",
      llvm::cl::desc("JSON file with per-layer bit widths "
                     "(docs/quantization.md)"),
      llvm::cl::init("")};
  Option<bool> keepQuantWidths{
      *this, "keep-quant-widths",
      llvm::cl::desc("Layers that already carry a quantization (a QDQ "
                     "model's) keep their widths; wbits/abits apply to the "
                     "others"),
      llvm::cl::init(false)};
  Option<std::string> activationScheme{
      *this, "ascheme",
      llvm::cl::desc("Input-activation scheme of layers without a "
                     "quantization: asymmetric or symmetric "
                     "(cim-assign-bitwidths ascheme=)"),
      llvm::cl::init("asymmetric")};
  ListOption<std::string> calibrationInputs{
      *this, "calibrate",
      llvm::cl::desc("Calibration inputs (cim-calibrate inputs=)")};
  Option<std::string> calibrationMethod{
      *this, "calibration",
      llvm::cl::desc("minmax, percentile or mse (cim-calibrate method=)"),
      llvm::cl::init("minmax")};
  Option<double> percentile{*this, "percentile",
                            llvm::cl::desc("Percentile of calibration="
                                           "percentile"),
                            llvm::cl::init(99.99)};
  Option<unsigned> calibrationSamples{
      *this, "calibration-samples",
      llvm::cl::desc("Calibrate on the first N samples (0: all; "
                     "cim-calibrate samples=)"),
      llvm::cl::init(0)};
  Option<int64_t> calibrationResize{
      *this, "resize",
      llvm::cl::desc("Image folders among the calibration inputs: the "
                     "shorter side before the center crop (cim-calibrate "
                     "resize=)"),
      llvm::cl::init(0)};
  ListOption<float> calibrationMean{
      *this, "mean",
      llvm::cl::desc("Image folders: per-channel mean (cim-calibrate mean=)")};
  ListOption<float> calibrationStd{
      *this, "std",
      llvm::cl::desc("Image folders: per-channel std (cim-calibrate std=)")};
  Option<bool> duplicate{*this, "duplicate",
                         llvm::cl::desc("Copy the slowest layers into spare "
                                        "crossbars"),
                         llvm::cl::init(true)};
  Option<std::string> placement{*this, "placement",
                                llvm::cl::desc("packed or spread"),
                                llvm::cl::init("packed")};
  Option<std::string> schedule{*this, "schedule",
                               llvm::cl::desc("layer or cross-layer"),
                               llvm::cl::init("cross-layer")};
  Option<std::string> model{
      *this, "model",
      llvm::cl::desc("Model name in the program header (default: the file "
                     "name of the module's location)"),
      llvm::cl::init("")};
  Option<std::string> stopAfter{
      *this, "stop-after",
      llvm::cl::desc("import, bits, quant, map, schedule or chip (default: "
                     "every pass; prog.cim is translated from the chip "
                     "level: cim-translate --export-prog)"),
      llvm::cl::init("chip")};

  /// The options as a PipelineOptions, or a one-line error.
  FailureOr<PipelineOptions> toPipelineOptions(std::string &error) const;
};

/// The options --resize, --mean and --std of the tools that take
/// --calibrate (cimc, cim-sim): how the images of an image folder among the
/// calibration inputs become the model's input, with cim-tune's names
/// (docs/tune.md, "Data").
struct CalibrationImageCLOptions {
  llvm::cl::opt<int64_t> resize;
  llvm::cl::list<float> mean, std;
  explicit CalibrationImageCLOptions(llvm::cl::OptionCategory &category);
  /// Sets the calibration image options of `options`.
  void apply(PipelineOptions &options) const;
};

/// Graph clean-up and the quantization a QDQ model carries:
/// cim-canonicalize, cim-fold-batchnorm, cim-fold-qdq.
void populateGraphCleanupPasses(OpPassManager &pm);
/// cim-assign-bitwidths with the options' widths or policy.
void populateBitwidthPasses(OpPassManager &pm, const PipelineOptions &options);
/// cim-calibrate: weight scales, and activation scales from the
/// calibration inputs.
void populateCalibrationPasses(OpPassManager &pm,
                               const PipelineOptions &options);
/// cim-map-crossbars on the hardware of `hardware`.
void populateMappingPasses(OpPassManager &pm, const PipelineOptions &options,
                           std::shared_ptr<HardwareSource> hardware);
/// cim-schedule on the hardware of `hardware`, lowering to the chip level
/// when `options.stopAfter` is past the schedule stage.
void populateSchedulingPasses(OpPassManager &pm, const PipelineOptions &options,
                              std::shared_ptr<HardwareSource> hardware);

/// Appends the stages up to `options.stopAfter` (at most the chip level) to
/// `pm` (which runs on a module). `hardware` (made from options.hardware
/// when null) is shared by every pass that needs the chip.
void buildCompilePipeline(OpPassManager &pm, const PipelineOptions &options,
                          std::shared_ptr<HardwareSource> hardware = nullptr);

/// Registers the dialects a cim module may contain (cim, cimp, func).
void registerCIMDialects(DialectRegistry &registry);

/// Registers every cim pass and the named pipeline `cim-compile`, plus the
/// generic passes the pipeline uses (canonicalize, cse).
void registerCIMPassesAndPipelines();

} // namespace cim
} // namespace mlir

#endif // CIM_PIPELINE_PIPELINE_H
