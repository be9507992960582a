//===- cimc.cpp - The cimc compiler driver --------------------------------===//
//
//   cimc model.onnx --emit=import            print the imported graph IR
//   cimc model.onnx --emit=quant --wbits 4   ... after bit-width assignment
//   cimc model.onnx --emit=quant --bits policy.json   ... per-layer widths
//
// Levels grow with the pipeline (mapping, scheduling, program).
//
//===----------------------------------------------------------------------===//

#include "cim/Importer/Importer.h"
#include "cim/Pipeline/Pipeline.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("cimc options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("file"), cl::init("-"),
                                       cl::cat(category));
enum class Emit { Import, Quant };
static cl::opt<Emit> emit(
    "emit", cl::desc("Stop after this stage and print its IR"),
    cl::values(clEnumValN(Emit::Import, "import", "the imported graph"),
               clEnumValN(Emit::Quant, "quant", "after bit-width assignment")),
    cl::Required, cl::cat(category));
static cl::opt<unsigned> wbits("wbits", cl::desc("Weight bits (uniform)"),
                               cl::init(8), cl::cat(category));
static cl::opt<unsigned> abits("abits", cl::desc("Activation bits (uniform)"),
                               cl::init(8), cl::cat(category));
static cl::opt<std::string>
    bitsPolicy("bits",
               cl::desc("JSON policy file with per-layer bit widths "
                        "(docs/quantization.md); unnamed layers get "
                        "--wbits/--abits"),
               cl::value_desc("file"), cl::cat(category));
static cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("Static shape of a graph input, NAME=1x3x224x224 "
                         "(repeatable; without NAME= the first input)"),
                cl::cat(category));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "cimc: the CIM compiler\n");

  cim::ImportOptions options;
  for (const std::string &shape : inputShapes) {
    std::string error;
    if (failed(cim::parseInputShape(shape, options, error))) {
      llvm::errs() << "cimc: error: " << error << "\n";
      return 1;
    }
  }

  DialectRegistry registry;
  cim::registerCIMDialects(registry);
  MLIRContext context(registry);
  // One line per error: "file[:line:col]: error: message".
  ScopedDiagnosticHandler handler(&context, [](Diagnostic &diag) {
    std::string where = "cimc";
    Location loc = diag.getLocation();
    loc->walk([&](Location inner) {
      if (auto file = inner.dyn_cast<FileLineColLoc>()) {
        where = file.getFilename().str();
        if (file.getLine() > 0) // e.g. an entry of a policy file
          where += ":" + std::to_string(file.getLine()) + ":" +
                   std::to_string(file.getColumn());
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    const char *kind =
        diag.getSeverity() == DiagnosticSeverity::Error ? "error" : "warning";
    llvm::errs() << where << ": " << kind << ": " << diag.str() << "\n";
    return success();
  });

  OwningOpRef<ModuleOp> module =
      cim::importOnnxFile(inputFile, &context, options);
  if (!module)
    return 1;
  if (emit >= Emit::Quant) {
    PassManager pm(&context);
    applyPassManagerCLOptions(pm);
    cim::CompilePipelineOptions pipeline;
    pipeline.wbits = wbits.getValue();
    pipeline.abits = abits.getValue();
    pipeline.policy = bitsPolicy.getValue();
    cim::buildCompilePipeline(pm, pipeline);
    if (failed(pm.run(*module)))
      return 1;
  }

  // Written to a temporary file and renamed: no half-written output.
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> out =
      openOutputFile(outputFile, &error);
  if (!out) {
    llvm::errs() << outputFile << ": error: " << error << "\n";
    return 1;
  }
  module->print(out->os());
  out->keep();
  return 0;
}
