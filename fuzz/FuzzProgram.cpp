//===- FuzzProgram.cpp - Fuzz the prog.cim reader -------------------------===//
//
// The bytes are a program file, read and verified as cim-sim loads one;
// an accepted program must write back to the same bytes, dump as text and
// replay through the cycle model, as cim-sim --dump and --report do. Its
// cimp.program (the chip level, all but the graph) must verify and decode
// back to the same program: the IR holds every program the format does.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIMP/CIMPProgram.h"
#include "cim/Program/Program.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace mlir::cim;

/// Builds the program's cimp.program, verifies it and decodes it again.
static void checkChipLevel(const prog::Program &program,
                           llvm::StringRef bytes) {
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  context.loadDialect<mlir::cimp::CIMPDialect>();
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    diagnostics += d.str() + "\n";
    return mlir::success();
  });
  mlir::OpBuilder builder(&context);
  mlir::Location loc = builder.getUnknownLoc();
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::ModuleOp::create(loc);
  builder.setInsertionPointToEnd(module->getBody());
  mlir::FailureOr<mlir::cimp::ProgramOp> op =
      mlir::cimp::buildProgramOp(builder, loc, program);
  if (mlir::failed(op)) // a schedule kind the dialect does not have
    return;
  mlir::FailureOr<prog::Program> back;
  if (mlir::succeeded(mlir::verify(*module)))
    back = mlir::cimp::decodeProgram(*op);
  if (mlir::failed(back)) {
    llvm::errs() << "the chip level rejects a verified program:\n"
                 << diagnostics;
    std::abort();
  }
  back->graph = program.graph;
  if (prog::writeProgram(*back) != bytes)
    std::abort();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  std::string error;
  std::optional<prog::Program> program = prog::readProgram(bytes, error);
  if (!program) {
    if (error.empty())
      std::abort();
    return 0;
  }
  if (prog::writeProgram(*program) != bytes)
    std::abort();
  prog::printProgram(*program, llvm::nulls());
  (void)prog::simulateTiming(*program);
  checkChipLevel(*program, bytes);
  return 0;
}
