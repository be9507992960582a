//===- Compiler.cpp - The cimc compiler as a library ----------------------===//

#include "cim/Compiler/Compiler.h"
#include "cim/Analysis/ModuleCost.h"
#include "cim/Backend/Backend.h"
#include "cim/Importer/TensorIO.h"
#include "cim/Pipeline/Pipeline.h"
#include "cim/Support/Text.h"

#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::cim;

std::unique_ptr<ScopedDiagnosticHandler>
mlir::cim::printDiagnosticsAsLines(MLIRContext &context, StringRef tool) {
  std::string name = tool.str();
  return std::make_unique<ScopedDiagnosticHandler>(
      &context, [name](Diagnostic &diag) {
        std::string where = name;
        diag.getLocation()->walk([&](Location inner) {
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
            diag.getSeverity() == DiagnosticSeverity::Error     ? "error"
            : diag.getSeverity() == DiagnosticSeverity::Warning ? "warning"
                                                                : "note";
        // Names and values quoted from a malformed file may hold line
        // breaks: the message stays one line.
        llvm::errs() << where << ": " << kind << ": "
                     << toOneLine(diag.str(), /*maxLength=*/2000) << "\n";
        return success();
      });
}

void mlir::cim::registerCompilerDialects(DialectRegistry &registry) {
  registerCIMDialects(registry);
  registerTensorProtoReader(registry);
}

FailureOr<CompileResult>
mlir::cim::compileModule(OwningOpRef<ModuleOp> module, StringRef modelName,
                         const CompileOptions &options) {
  CompileResult result;
  result.module = std::move(module);
  MLIRContext *context = result.module->getContext();
  if (options.stopAfter == CompileStage::Import)
    return result;

  // One hardware description for the whole compilation: the passes load
  // the chip into `hardware`. The pipeline ends at the chip level, which
  // the program is translated from.
  auto hardware =
      options.hardwareDescription
          ? std::make_shared<HardwareSource>(*options.hardwareDescription)
          : std::make_shared<HardwareSource>(options.hardware);
  PipelineOptions pipeline = options;
  if (pipeline.model.empty())
    pipeline.model = modelName.str();
  PassManager pm(context);
  if (options.configurePassManager)
    options.configurePassManager(pm);
  buildCompilePipeline(pm, pipeline, hardware);
  if (failed(pm.run(*result.module)))
    return failure();
  if (const hw::HardwareDescription *desc = hardware->getLoaded())
    result.hardware = *desc;
  if (options.stopAfter < CompileStage::Program)
    return result;

  FailureOr<prog::Program> program = exportProgram(*result.module);
  if (failed(program))
    return failure();
  result.program = std::move(*program);
  result.timing = prog::simulateTiming(result.program);
  result.report = buildReport(result.program, result.timing);
  return result;
}

FailureOr<CompileResult> mlir::cim::compileModel(StringRef modelPath,
                                                 const CompileOptions &options,
                                                 MLIRContext &context) {
  OwningOpRef<ModuleOp> module =
      importOnnxFile(modelPath, &context, options.import);
  if (!module)
    return failure();
  return compileModule(std::move(module), llvm::sys::path::filename(modelPath),
                       options);
}
