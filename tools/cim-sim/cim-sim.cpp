//===- cim-sim.cpp - Run a model ------------------------------------------===//
//
//   cim-sim MODEL.onnx --input FILE.pb [--input NAME=FILE.pb ...] \
//           --output-dir DIR
//           [--wbits W --abits A | --bits POLICY.json]
//           [--ascheme asymmetric|symmetric] [--calibrate PATH ...]
//           [--calibration minmax|percentile|mse] [--percentile P]
//           [--calibration-samples N]
//
// Imports the model and runs the float reference executor; writes
// DIR/output_0.pb, output_1.pb, ... as ONNX TensorProto. `--passes` runs
// graph passes (cim-canonicalize, cim-fold-batchnorm, ...) on the imported
// module first, to check that they keep the results. Unnamed inputs are
// taken in graph-input order. With any of the quantization options it runs
// the fake-quantized reference instead: bit widths, weight scales and
// (from the calibration inputs) activation scales are assigned as the
// compiler does, and every layer computes with quantized-dequantized
// weights and inputs (docs/quantization.md). `--reference=quantized` runs
// the integer crossbar arithmetic instead (the quantized reference a
// compiled program must match bit for bit).
//
//   cim-sim PROG.cim --input FILE.pb --output-dir DIR [--report SIM.json]
//           [--report-html SIM.html] [--dump]
//
// Runs a program compiled by cimc: bit-exact crossbar arithmetic for the
// outputs, the cycle model for latency, energy and utilization.
//
//===----------------------------------------------------------------------===//

#include "cim/Analysis/ModuleCost.h"
#include "cim/Compiler/Compiler.h"
#include "cim/Importer/Importer.h"
#include "cim/Importer/TensorIO.h"
#include "cim/Pipeline/Pipeline.h"
#include "cim/Program/Program.h"
#include "cim/Quant/LayerQuant.h"
#include "cim/Reference/Executor.h"
#include "cim/Report/Report.h"
#include "cim/Sim/Simulator.h"
#include "cim/Support/OutputFiles.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("cim-sim options");
static cl::opt<std::string> modelFile(cl::Positional,
                                      cl::desc("<model.onnx | program.cim>"),
                                      cl::Required, cl::cat(category));
static cl::list<std::string>
    inputs("input",
           cl::desc("Input tensor file (ONNX TensorProto), FILE or "
                    "NAME=FILE; unnamed ones in graph-input order"),
           cl::cat(category));
static cl::opt<std::string> outputDir("output-dir",
                                      cl::desc("Directory for output_N.pb"),
                                      cl::cat(category));
static cl::opt<std::string>
    reportFile("report",
               cl::desc("Program: write the simulation report (JSON)"),
               cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string>
    reportHtml("report-html",
               cl::desc("Program: write the report as an HTML page"),
               cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string>
    baseline("baseline",
             cl::desc("Program: the processor the report compares against, a "
                      "bundled one (a100) or a YAML file; none leaves it out"),
             cl::value_desc("name|file|none"), cl::init("a100"),
             cl::cat(category));
static cl::opt<std::string>
    traceFile("trace",
              cl::desc("Program: write every instruction's start and end "
                       "(picoseconds) as CSV"),
              cl::value_desc("file"), cl::cat(category));
static cl::opt<bool> dump("dump",
                          cl::desc("Program: print its text dump and exit"),
                          cl::cat(category));
static cl::opt<std::string> referenceKind(
    "reference",
    cl::desc("ONNX model: 'float' (default) or 'quantized' (the integer "
             "crossbar arithmetic of a compiled program, with --hw and the "
             "bit-width options)"),
    cl::init("float"), cl::cat(category));
static cl::opt<std::string>
    hardware("hw", cl::desc("Hardware for --reference=quantized"),
             cl::value_desc("file"), cl::cat(category));

static cl::OptionCategory
    quantCategory("quantized reference (any of these turns it on)");
static cl::opt<unsigned> wbits("wbits",
                               cl::desc("Weight bits of every layer (8)"),
                               cl::init(8), cl::cat(quantCategory));
static cl::opt<unsigned>
    abits("abits", cl::desc("Input-activation bits of every layer (8)"),
          cl::init(8), cl::cat(quantCategory));
static cl::opt<std::string>
    bitsPolicy("bits", cl::desc("JSON policy file with per-layer bit widths"),
               cl::value_desc("file"), cl::cat(quantCategory));
static cl::opt<std::string> ascheme(
    "ascheme",
    cl::desc("Input-activation scheme of layers without a quantization of "
             "their own: asymmetric (default) or symmetric"),
    cl::init("asymmetric"), cl::cat(quantCategory));
static cl::list<std::string> calibrate(
    "calibrate",
    cl::desc("Calibration inputs for activation scales: tensor files (.pb, "
             ".npy), folders with input_N files, folders of sample folders "
             "or of tensor files, image folders (docs/tune.md, \"Data\"; "
             "repeatable; without it each layer quantizes its input with "
             "the input's own range, as a program compiled without it does)"),
    cl::value_desc("path"), cl::cat(quantCategory));
static cl::opt<unsigned> calibrationSamples(
    "calibration-samples",
    cl::desc("Calibrate on the first N samples of --calibrate (0: all)"),
    cl::init(0), cl::cat(quantCategory));
static cl::opt<std::string> calibration(
    "calibration",
    cl::desc("Activation range: minmax (default), percentile or mse"),
    cl::init("minmax"), cl::cat(quantCategory));
static cl::opt<double>
    percentile("percentile",
               cl::desc("Percentile for --calibration=percentile (99.99)"),
               cl::init(99.99), cl::cat(quantCategory));

static cim::CalibrationImageCLOptions calibrationImages(quantCategory);

/// True when any quantization option is given.
static bool quantized() {
  return wbits.getNumOccurrences() || abits.getNumOccurrences() ||
         bitsPolicy.getNumOccurrences() || ascheme.getNumOccurrences() ||
         calibrate.getNumOccurrences() || calibration.getNumOccurrences() ||
         percentile.getNumOccurrences() ||
         calibrationSamples.getNumOccurrences();
}

/// The compilation the quantization options describe (both quantized
/// references run the compiler's pipeline with them).
static cim::PipelineOptions getPipelineOptions() {
  cim::PipelineOptions options;
  options.hardware = hardware;
  options.wbits = wbits;
  options.abits = abits;
  options.policy = bitsPolicy;
  // A QDQ model runs at its own widths unless widths are given, as cimc
  // compiles it.
  options.keepQuantWidths =
      !wbits.getNumOccurrences() && !abits.getNumOccurrences();
  options.activationScheme = ascheme;
  options.calibrationInputs.assign(calibrate.begin(), calibrate.end());
  options.calibrationMethod = calibration;
  options.percentile = percentile;
  options.calibrationSamples = calibrationSamples;
  calibrationImages.apply(options);
  return options;
}

static cl::opt<std::string>
    passes("passes",
           cl::desc("Passes to run on the imported module before executing "
                    "it, as a comma-separated pipeline, e.g. "
                    "'cim-canonicalize,cim-fold-batchnorm'"),
           cl::init(""), cl::cat(category));

static int error(const Twine &where, const Twine &message) {
  llvm::errs() << where << ": error: " << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions({&category, &quantCategory});
  cl::ParseCommandLineOptions(argc, argv, "cim-sim: run a model\n");

  // A compiled program (by its magic bytes), or an ONNX model.
  bool isProgram = false;
  std::optional<cim::prog::Program> program;
  {
    std::string message;
    if (auto buffer = llvm::MemoryBuffer::getFile(modelFile, false, false);
        buffer &&
        (*buffer)->getBuffer().startswith(StringRef("CIMPROG\0", 8))) {
      isProgram = true;
      program = cim::prog::readProgram((*buffer)->getBuffer(), message);
      if (!program)
        return error(modelFile, message);
    } else if (StringRef(modelFile).endswith(".cim")) {
      return error(modelFile, buffer ? "not a cim program (bad magic)"
                                     : buffer.getError().message());
    }
  }
  if (isProgram && dump) {
    cim::prog::printProgram(*program, llvm::outs());
    return 0;
  }
  if (outputDir.empty() && (!isProgram || reportFile.empty()))
    return error("cim-sim", "--output-dir is required");
  if (referenceKind != "float" && referenceKind != "quantized")
    return error("cim-sim", "--reference must be float or quantized, got '" +
                                referenceKind + "'");
  std::optional<cim::hw::ProcessorDescription> processor;
  if (isProgram && baseline != "none") {
    std::vector<cim::LocatedError> errors;
    processor = cim::hw::loadProcessorDescription(baseline, errors);
    if (!processor) {
      for (const cim::LocatedError &e : errors)
        llvm::errs() << e.str() << "\n";
      return 1;
    }
  }

  // Read the inputs first: their shapes fix the model's dynamic dimensions,
  // and integer and scalar inputs (shapes, indices, split sizes, clip
  // bounds) are bound as constants, since the compiler needs them ahead of
  // time.
  struct Input {
    std::string name; // from NAME=FILE, else the graph's name once known
    cim::HostTensor tensor;
    bool bound = false;
  };
  std::vector<Input> given;
  std::vector<unsigned> unnamed; // indices into `given`, in order
  cim::ImportOptions options;
  for (const std::string &spec : inputs) {
    StringRef text(spec), name, path = text;
    if (text.contains('=') && !llvm::sys::fs::exists(text))
      std::tie(name, path) = text.split('=');
    std::string tensorName, message;
    FailureOr<cim::HostTensor> tensor =
        cim::readTensorFile(path, tensorName, message);
    if (failed(tensor))
      return error(path, message);
    std::vector<int64_t> shape(tensor->getShape().begin(),
                               tensor->getShape().end());
    if (!name.empty()) {
      options.inputShapes[name] = shape;
    } else {
      options.inputShapesByPosition.push_back(shape);
      unnamed.push_back(given.size());
    }
    given.push_back({name.str(), std::move(*tensor)});
  }

  DialectRegistry registry;
  cim::registerCompilerDialects(registry);
  MLIRContext context(registry);
  // One line per diagnostic: "file[:line:col]: error|warning: message".
  auto handler = cim::printDiagnosticsAsLines(context, "cim-sim");
  auto bind = [&](unsigned position, StringRef graphName,
                  bool parameter) -> ElementsAttr {
    Input *in = nullptr;
    for (Input &candidate : given)
      if (candidate.name == graphName)
        in = &candidate;
    if (!in && position < unnamed.size()) {
      in = &given[unnamed[position]];
      in->name = graphName.str();
    }
    // Integer tensors (shapes, axes, indices), scalars (clip bounds, pad
    // values) and operator parameters (resize scales) are parameters of the
    // graph, not data.
    if (!in ||
        (!parameter && in->tensor.isFloat() && in->tensor.getRank() != 0))
      return ElementsAttr();
    in->bound = true;
    return cim::toElementsAttr(&context, in->tensor);
  };
  options.bindInput = [&](unsigned position, StringRef graphName) {
    return bind(position, graphName, /*parameter=*/false);
  };
  options.bindParameter = [&](unsigned position, StringRef graphName) {
    return bind(position, graphName, /*parameter=*/true);
  };
  OwningOpRef<ModuleOp> module;
  std::optional<cim::sim::ProgramRunner> runner;
  if (isProgram) {
    FailureOr<cim::sim::ProgramRunner> created =
        cim::sim::ProgramRunner::create(*program, &context, modelFile);
    if (failed(created))
      return 1;
    runner.emplace(std::move(*created));
  } else {
    module = cim::importOnnxFile(modelFile, &context, options);
    if (!module)
      return 1;
  }
  if (!isProgram && !passes.empty()) {
    cim::registerCIMPassesAndPipelines();
    PassManager pm(&context);
    std::string message;
    llvm::raw_string_ostream os(message);
    if (failed(parsePassPipeline(passes, pm, os)))
      return error("--passes", os.str());
    if (failed(pm.run(*module)))
      return 1;
  }
  auto func = *(isProgram ? runner->getGraph() : *module)
                   .getOps<func::FuncOp>()
                   .begin();

  // Order the remaining inputs as the function's arguments.
  unsigned numArgs = func.getNumArguments();
  if (isProgram) // unnamed inputs are taken in argument order
    for (auto [position, index] : llvm::enumerate(unnamed))
      if (position < numArgs)
        if (auto n = func.getArgAttrOfType<StringAttr>(position, "cim.name"))
          given[index].name = n.getValue().str();
  SmallVector<cim::HostTensor> ordered(numArgs);
  SmallVector<bool> filled(numArgs, false);
  for (Input &in : given) {
    if (in.bound)
      continue;
    unsigned index = numArgs;
    for (unsigned i = 0; i < numArgs; ++i)
      if (auto n = func.getArgAttrOfType<StringAttr>(i, "cim.name"))
        if (n.getValue() == in.name)
          index = i;
    if (index == numArgs)
      return error(modelFile,
                   in.name.empty()
                       ? Twine("more inputs given than the model has")
                       : "the model has no input named '" + in.name + "'");
    if (filled[index])
      return error(modelFile, "input '" + in.name + "' is given twice");
    ordered[index] = std::move(in.tensor);
    filled[index] = true;
  }
  // A program with only --report/--trace runs the cycle model alone.
  bool timingOnly = isProgram && outputDir.empty();
  for (unsigned i = 0; i < numArgs && !timingOnly; ++i)
    if (!filled[i]) {
      auto n = func.getArgAttrOfType<StringAttr>(i, "cim.name");
      return error(modelFile, "no value for input '" +
                                  (n ? n.getValue() : StringRef("?")) +
                                  "'; pass it with --input");
    }

  FailureOr<SmallVector<cim::HostTensor>> outputs;
  cim::sim::FunctionalStats stats;
  auto wallStart = std::chrono::steady_clock::now();
  if (timingOnly) {
    outputs = SmallVector<cim::HostTensor>();
  } else if (isProgram) {
    outputs = runner->run(ordered, stats);
  } else if (referenceKind == "quantized") {
    cim::CompileOptions compile;
    static_cast<cim::PipelineOptions &>(compile) = getPipelineOptions();
    compile.stopAfter = cim::CompileStage::Map;
    FailureOr<cim::CompileResult> compiled =
        cim::compileModule(std::move(module), modelFile, compile);
    if (failed(compiled))
      return 1;
    module = std::move(compiled->module);
    outputs = cim::sim::runQuantizedReference(*module, *compiled->hardware,
                                              ordered, stats);
  } else if (quantized()) {
    // The compiler's pipeline up to quantization: the network cimc would
    // compile with the same flags, run in float with fake quantization.
    PassManager pm(&context);
    cim::PipelineOptions quant = getPipelineOptions();
    quant.stopAfter = cim::CompileStage::Quant;
    cim::buildCompilePipeline(pm, quant);
    if (failed(pm.run(*module)))
      return 1;
    if (unsigned n = cim::countRunTimeActivationLayers(*module))
      llvm::errs() << "cim-sim: note: no --calibrate inputs: " << n
                   << " layer(s) take their activation ranges from each "
                      "input at run time, as cimc compiles them without "
                      "--calibrate\n";
    // Canonicalization may have replaced the function.
    func = *module->getOps<func::FuncOp>().begin();
    outputs = cim::runFakeQuantized(func, ordered);
  } else {
    outputs = cim::runReference(func, ordered);
  }
  if (failed(outputs))
    return 1;
  double wallSeconds = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - wallStart)
                           .count();
  // Reports, trace and output tensors are written together: when one
  // cannot be written, none is left behind.
  cim::OutputFiles files;
  if (isProgram) {
    cim::prog::Timing timing = cim::prog::simulateTiming(*program);
    cim::Report report = cim::buildReport(*program, timing);
    if (processor)
      report.baseline = cim::estimateBaseline(*program, *processor);
    if (!reportFile.empty()) {
      llvm::json::Object json = cim::toJson(report);
      json["functional"] = llvm::json::Object{
          {"macs", stats.macs},
          {"adc_conversions", stats.adcConversions},
          {"adc_saturated", stats.adcSaturated},
          {"wall_seconds", wallSeconds},
          {"gmac_per_second",
           wallSeconds > 0 ? double(stats.macs) / wallSeconds * 1e-9 : 0.0},
      };
      std::string text;
      llvm::raw_string_ostream os(text);
      os << llvm::formatv("{0:2}", llvm::json::Value(std::move(json))) << "\n";
      files.add(reportFile, os.str());
    }
    if (!reportHtml.empty()) {
      std::string html;
      llvm::raw_string_ostream os(html);
      cim::printReportHtml(report, *program, timing, os);
      files.add(reportHtml, os.str());
    }
    if (!traceFile.empty()) {
      std::string csv;
      llvm::raw_string_ostream os(csv);
      os << "index,pe,opcode,node,name,set,copy,begin,end,start_ps,end_ps\n";
      for (auto [i, in] : llvm::enumerate(program->instructions))
        os << i << "," << in.pe << "," << cim::prog::stringify(in.opcode) << ","
           << in.node << ",\"" << program->nodes[in.node].name << "\","
           << in.set << "," << in.copy << "," << in.begin << "," << in.end
           << "," << timing.startPs[i] << "," << timing.endPs[i] << "\n";
      files.add(traceFile, os.str());
    }
  }
  if (!outputDir.empty()) {
    files.addDirectory(outputDir);
    for (auto [index, tensor] : llvm::enumerate(*outputs)) {
      SmallString<256> path(outputDir);
      std::string name = "output_" + std::to_string(index);
      llvm::sys::path::append(path, name + ".pb");
      std::string message;
      FailureOr<std::string> bytes =
          cim::serializeTensor(tensor, name, message);
      if (failed(bytes))
        return error(path, message);
      files.add(path, std::move(*bytes));
    }
  }
  std::string failedPath, message;
  if (!files.commit(failedPath, message))
    return error(failedPath, message);
  return 0;
}
