//===- Compiler.h - The cimc compiler as a library --------------*- C++ -*-===//
//
// One call compiles an ONNX model into a program for a chip and its cost
// report; cimc is a thin command-line wrapper around it.
//
//   mlir::MLIRContext context;
//   mlir::cim::CompileOptions options;
//   options.hardware = "rram-tiled";
//   options.wbits = 4;
//   auto result = mlir::cim::compileModel("model.onnx", options, context);
//   if (mlir::succeeded(result)) {
//     std::string bytes = mlir::cim::prog::writeProgram(result->program);
//     mlir::cim::printReportTable(result->report, llvm::outs());
//   }
//
// Errors are reported as MLIR diagnostics in `context` (install a handler
// to print them) and the call returns failure.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_COMPILER_COMPILER_H
#define CIM_COMPILER_COMPILER_H

#include "cim/Analysis/CostModel.h"
#include "cim/Importer/Importer.h"
#include "cim/Pipeline/Pipeline.h"
#include "cim/Program/Program.h"
#include "cim/Report/Report.h"
#include "cim/Schedule/Schedule.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace cim {

/// A compilation: the pipeline's options (include/cim/Pipeline/Pipeline.h),
/// how the model is imported, and a hook for the pass manager.
struct CompileOptions : PipelineOptions {
  ImportOptions import;
  /// A description held in memory (a design-space search builds one per
  /// point); when set it replaces `hardware`.
  std::optional<hw::HardwareDescription> hardwareDescription;
  /// Called on every pass manager before it runs (to apply
  /// -mlir-print-ir-after-all, -mlir-timing, ...).
  std::function<void(PassManager &)> configurePassManager;
};

struct CompileResult {
  OwningOpRef<ModuleOp> module;
  /// Set when compilation ran to CompileStage::Program.
  prog::Program program;
  prog::Timing timing;
  Report report;
  /// The hardware description the compilation loaded (set from the map
  /// stage on).
  std::optional<hw::HardwareDescription> hardware;
};

/// Compiles `modelPath` (an .onnx file) in `context`.
FailureOr<CompileResult> compileModel(StringRef modelPath,
                                      const CompileOptions &options,
                                      MLIRContext &context);

/// Runs the compilation stages after import on an already imported module.
FailureOr<CompileResult> compileModule(OwningOpRef<ModuleOp> module,
                                       StringRef modelName,
                                       const CompileOptions &options);

/// Prints every diagnostic of `context` as one line,
/// "file[:line:col]: error|warning|note: message", naming `tool` when the
/// location has no file. Keep the returned handler alive while compiling.
std::unique_ptr<ScopedDiagnosticHandler>
printDiagnosticsAsLines(MLIRContext &context, StringRef tool);

/// Registers the dialects a compilation needs, and the TensorProto reader
/// of calibration inputs.
void registerCompilerDialects(DialectRegistry &registry);

} // namespace cim
} // namespace mlir

#endif // CIM_COMPILER_COMPILER_H
