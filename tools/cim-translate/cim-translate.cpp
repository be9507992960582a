//===- cim-translate.cpp - prog.cim <-> the chip level --------------------===//
//
//   cim-translate --export-prog chip.mlir -o prog.cim
//   cim-translate --import-prog prog.cim -o chip.mlir
//
// mlir-translate for programs: --export-prog encodes a module at the chip
// level (cimc --emit=chip, cim-opt --cim-compile) into prog.cim,
// --import-prog decodes prog.cim into that module, printed with its
// locations so that exporting it again gives the same bytes. Errors are
// one located line each, and -o FILE is written whole or not at all
// (cim::DriverFiles; docs/program-format.md).
//
//===----------------------------------------------------------------------===//

#include "cim/Backend/Backend.h"
#include "cim/Compiler/Compiler.h"
#include "cim/Pipeline/Pipeline.h"
#include "cim/Program/Program.h"
#include "cim/Support/OutputFiles.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

/// The context of a translation, whose diagnostics are one line each.
static std::unique_ptr<ScopedDiagnosticHandler> prepare(MLIRContext *context) {
  DialectRegistry registry;
  cim::registerCIMDialects(registry);
  context->appendDialectRegistry(registry);
  context->loadAllAvailableDialects();
  return cim::printDiagnosticsAsLines(*context, "cim-translate");
}

static TranslateRegistration
    exportProg("export-prog", "Encode a module at the chip level as prog.cim",
               [](const std::shared_ptr<llvm::SourceMgr> &sources,
                  raw_ostream &os, MLIRContext *context) -> LogicalResult {
                 auto handler = prepare(context);
                 OwningOpRef<ModuleOp> module =
                     parseSourceFile<ModuleOp>(*sources, ParserConfig(context));
                 if (!module)
                   return failure();
                 FailureOr<cim::prog::Program> program =
                     cim::exportProgram(*module);
                 if (failed(program))
                   return failure();
                 os << cim::prog::writeProgram(*program);
                 return success();
               });

static TranslateRegistration
    importProg("import-prog", "Decode prog.cim into a module at the chip level",
               [](const std::shared_ptr<llvm::SourceMgr> &sources,
                  raw_ostream &os, MLIRContext *context) -> LogicalResult {
                 auto handler = prepare(context);
                 const llvm::MemoryBuffer *buffer =
                     sources->getMemoryBuffer(sources->getMainFileID());
                 StringRef name = buffer->getBufferIdentifier();
                 Location file = FileLineColLoc::get(context, name, 0, 0);
                 std::string error;
                 std::optional<cim::prog::Program> program =
                     cim::prog::readProgram(buffer->getBuffer(), error);
                 if (!program)
                   return emitError(file) << error;
                 OwningOpRef<ModuleOp> module =
                     cim::importProgram(*program, context, name);
                 if (!module || failed(verify(*module)))
                   return failure();
                 module->print(os,
                               OpPrintingFlags().enableDebugInfo(true, false));
                 os << "\n";
                 return success();
               });

int main(int argc, char **argv) {
  return cim::runDriver(
      argc, argv,
      [](int n, char **args) {
        return succeeded(mlirTranslateMain(
            n, args, "cim-translate: prog.cim and the chip level"));
      },
      {"--export-prog", "-export-prog", "--import-prog", "-import-prog"});
}
