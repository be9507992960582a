//===- cimc.cpp - The cimc compiler driver --------------------------------===//
//
//   cimc model.onnx -o prog.cim [--hw FILE|PRESET] [--wbits N --abits N |
//        --bits POLICY] [--schedule layer|cross-layer] [--report R.json]
//        [--report-html R.html] [--ascheme asymmetric|symmetric]
//        [--calibrate PATH... [--calibration minmax|percentile|mse]
//        [--percentile P] [--calibration-samples N]] [--emit=LEVEL]
//
// Compiles an ONNX model into a crossbar program (docs/program-format.md)
// and prints its per-layer cost table (or writes the JSON report). With
// --emit it stops after import, bits, quant, map, schedule, chip or program
// and prints that stage's IR (program: the program's text dump). All of it
// is the library call cim::compileModel (include/cim/Compiler/Compiler.h).
//
//===----------------------------------------------------------------------===//

#include "cim/Compiler/Compiler.h"
#include "cim/Program/Program.h"
#include "cim/Quant/LayerQuant.h"
#include "cim/Report/Report.h"
#include "cim/Support/OutputFiles.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("cimc options");

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string>
    outputFile("o",
               cl::desc("Output: the program (default: MODEL.cim beside the "
                        "model's name in the current directory), or with "
                        "--emit the printed IR (default: stdout)"),
               cl::value_desc("file"), cl::cat(category));
// The values are the pipeline's stages (cim::getCompileStages).
static cl::opt<cim::CompileStage>
    emit("emit", cl::desc("Stop after this stage and print it"),
         cl::cat(category));
static cl::opt<std::string>
    hardware("hw",
             cl::desc("Hardware preset name or YAML file (default: "
                      "rram-tiled; docs/hardware.md)"),
             cl::value_desc("file"), cl::cat(category));
static cl::opt<unsigned> wbits("wbits", cl::desc("Weight bits (uniform, 8)"),
                               cl::init(8), cl::cat(category));
static cl::opt<unsigned> abits("abits",
                               cl::desc("Activation bits (uniform, 8)"),
                               cl::init(8), cl::cat(category));
static cl::opt<std::string>
    bitsPolicy("bits",
               cl::desc("JSON policy file with per-layer bit widths "
                        "(docs/quantization.md); unnamed layers get "
                        "--wbits/--abits"),
               cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string> schedule("schedule",
                                     cl::desc("layer or cross-layer (default)"),
                                     cl::init("cross-layer"),
                                     cl::cat(category));
static cl::opt<bool>
    noDuplicate("no-duplicate",
                cl::desc("Do not duplicate slow layers into spare crossbars"),
                cl::cat(category));
static cl::opt<std::string> placement(
    "placement",
    cl::desc("Stationary layout: packed (default: crossbar after crossbar) "
             "or spread (every copy on PEs of its own, spread over the idle "
             "PEs as far as it gets faster)"),
    cl::init("packed"), cl::cat(category));
static cl::opt<std::string> ascheme(
    "ascheme",
    cl::desc("Input-activation scheme of layers without a quantization of "
             "their own: asymmetric (default) or symmetric"),
    cl::init("asymmetric"), cl::cat(category));
static cl::list<std::string> calibrate(
    "calibrate",
    cl::desc("Calibration inputs for static activation scales: tensor files "
             "(.pb, .npy), folders with input_N files, folders of sample "
             "folders or of tensor files, image folders (docs/tune.md, "
             "\"Data\"; repeatable; without it each layer quantizes "
             "its input with the input's own range at run time)"),
    cl::value_desc("path"), cl::cat(category));
static cl::opt<unsigned> calibrationSamples(
    "calibration-samples",
    cl::desc("Calibrate on the first N samples of --calibrate (0: all)"),
    cl::init(0), cl::cat(category));
static cl::opt<std::string> calibration(
    "calibration",
    cl::desc("How --calibrate inputs give a layer's activation range: minmax "
             "(default), percentile (clips both tails at --percentile) or mse "
             "(the least quantization error at the layer's width)"),
    cl::init("minmax"), cl::cat(category));
static cl::opt<double>
    percentile("percentile",
               cl::desc("Percentile (50..100) for --calibration=percentile"),
               cl::init(99.99), cl::cat(category));
static cim::CalibrationImageCLOptions calibrationImages(category);
static cl::opt<std::string>
    report("report", cl::desc("Write the cost report as JSON to this file"),
           cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string>
    reportHtml("report-html",
               cl::desc("Write the cost report as an HTML page with a "
                        "per-layer chart and a PE timeline"),
               cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string> baseline(
    "baseline",
    cl::desc("Processor the report compares against: a bundled one (a100) or "
             "a YAML file (docs/hardware.md, \"Digital baseline\"); none "
             "leaves it out"),
    cl::value_desc("name|file|none"), cl::init("a100"), cl::cat(category));
static cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("Static shape of a graph input, NAME=1x3x224x224 "
                         "(repeatable; without NAME= the first input)"),
                cl::cat(category));

static int fail(const Twine &where, const Twine &message) {
  llvm::errs() << where << ": error: " << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  for (const cim::CompileStageInfo &stage : cim::getCompileStages())
    emit.getParser().addLiteralOption(stage.name, stage.stage, stage.summary);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "cimc: the CIM compiler\n");

  cim::CompileOptions options;
  for (const std::string &shape : inputShapes) {
    std::string error;
    if (failed(cim::parseInputShape(shape, options.import, error)))
      return fail("cimc", error);
  }
  std::optional<cim::ScheduleKind> kind = cim::parseScheduleOption(schedule);
  if (!kind)
    return fail("cimc", "--schedule must be " + cim::getScheduleOptionList() +
                            ", got '" + schedule + "'");
  options.schedule = *kind;
  options.hardware = hardware;
  options.wbits = wbits;
  options.abits = abits;
  options.policy = bitsPolicy;
  // A QDQ model compiles at its own widths unless widths are given.
  options.keepQuantWidths =
      !wbits.getNumOccurrences() && !abits.getNumOccurrences();
  options.duplicate = !noDuplicate;
  std::optional<cim::Placement> layout = cim::parsePlacement(placement);
  if (!layout)
    return fail("cimc", "--placement must be packed or spread, got '" +
                            placement + "'");
  options.placement = *layout;
  if (ascheme != "asymmetric" && ascheme != "symmetric")
    return fail("cimc", "--ascheme must be asymmetric or symmetric, got '" +
                            ascheme + "'");
  options.activationScheme = ascheme;
  options.calibrationInputs.assign(calibrate.begin(), calibrate.end());
  options.calibrationMethod = calibration;
  options.percentile = percentile;
  options.calibrationSamples = calibrationSamples;
  calibrationImages.apply(options);
  bool emitting = emit.getNumOccurrences() > 0;
  options.stopAfter = emitting ? emit.getValue() : cim::CompileStage::Program;
  options.configurePassManager = [](PassManager &pm) {
    (void)applyPassManagerCLOptions(pm);
    auto timing = std::make_unique<DefaultTimingManager>();
    applyDefaultTimingManagerCLOptions(*timing);
    if (timing->isEnabled())
      pm.enableTiming(std::move(timing));
  };

  std::optional<cim::hw::ProcessorDescription> processor;
  if (baseline != "none") {
    std::vector<cim::LocatedError> errors;
    processor = cim::hw::loadProcessorDescription(baseline, errors);
    if (!processor) {
      for (const cim::LocatedError &error : errors)
        llvm::errs() << error.str() << "\n";
      return 1;
    }
  }

  DialectRegistry registry;
  cim::registerCompilerDialects(registry);
  MLIRContext context(registry);
  // One line per error: "file[:line:col]: error: message".
  auto handler = cim::printDiagnosticsAsLines(context, "cimc");

  FailureOr<cim::CompileResult> result =
      cim::compileModel(inputFile, options, context);
  if (failed(result))
    return 1;
  if (processor && options.stopAfter == cim::CompileStage::Program)
    result->report.baseline =
        cim::estimateBaseline(result->program, *processor);

  // Every output is rendered first, then all are written together through
  // temporary files: a failure leaves none of them behind.
  cim::OutputFiles outputs;
  if (emitting) {
    std::string text;
    llvm::raw_string_ostream os(text);
    if (options.stopAfter == cim::CompileStage::Program) {
      cim::prog::printProgram(result->program, os);
    } else {
      // As cim-opt prints it: cim-opt --cim-compile=stop-after=STAGE gives
      // the same bytes.
      result->module->print(os);
      os << "\n";
    }
    outputs.add(outputFile.empty() ? "-" : outputFile.getValue(), os.str());
  } else {
    std::string path = outputFile;
    if (path.empty())
      path = (llvm::sys::path::stem(inputFile) + ".cim").str();
    outputs.add(path, cim::prog::writeProgram(result->program));
    if (!reportHtml.empty()) {
      std::string html;
      llvm::raw_string_ostream os(html);
      cim::printReportHtml(result->report, result->program, result->timing, os);
      outputs.add(reportHtml, os.str());
    }
    if (!report.empty()) {
      std::string json;
      llvm::raw_string_ostream os(json);
      os << llvm::formatv("{0:2}",
                          llvm::json::Value(cim::toJson(result->report)))
         << "\n";
      outputs.add(report, os.str());
    }
  }
  std::string failedPath, error;
  if (!outputs.commit(failedPath, error))
    return fail(failedPath, error);
  // cim-tune and cim-sim calibrate where cimc has no data: say so (once
  // the outputs are written: a failed run prints its error line only).
  if (options.stopAfter >= cim::CompileStage::Quant) {
    if (unsigned n = cim::countRunTimeActivationLayers(*result->module))
      llvm::errs() << "cimc: note: no --calibrate inputs: " << n
                   << " layer(s) take their activation ranges from each "
                      "input at run time; cim-tune calibrates on training "
                      "images (give both the same --calibrate samples, e.g. "
                      "those of cim-tune --save-calibration DIR, for the same "
                      "network)\n";
  }
  if (emitting)
    return 0;
  if (report.empty())
    cim::printReportTable(result->report, llvm::outs());
  return 0;
}
