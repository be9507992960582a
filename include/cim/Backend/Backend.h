//===- Backend.h - The chip level <-> prog.cim ------------------*- C++ -*-===//
//
// The last compiler stage is a translation: a module at the chip level (the
// scheduled function beside the cimp.program that cim-schedule{chip=1}
// lowered from the same schedule) becomes a prog::Program, whose functional
// graph is the module without the program op, as MLIR bytecode; prog.cim
// is that Program's encoding (cim/Program/Program.h). importProgram is the
// inverse, so that export(import(bytes)) gives the same bytes. Nothing here
// schedules.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_BACKEND_BACKEND_H
#define CIM_BACKEND_BACKEND_H

#include "cim/Program/Program.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir {
namespace cim {

/// The program of a module at the chip level: its one cimp.program
/// decoded, with the rest of the module (the function whose crossbar
/// weights are dataless handles) as the graph. `module` must have been
/// verified (the parser and the pass manager verify), which runs the
/// program verifier. Every failure is a located diagnostic.
FailureOr<prog::Program> exportProgram(ModuleOp module);

/// The module of a program: its graph with the program's cimp.program
/// appended, located at `sourceName` (the program file). Fails with a
/// diagnostic when the graph does not parse.
OwningOpRef<ModuleOp> importProgram(const prog::Program &program,
                                    MLIRContext *context,
                                    StringRef sourceName = "<program>");

/// Parses a program's functional graph into `context` (which must have the
/// cim and func dialects). Errors point into the graph, named
/// `<sourceName>:graph` (the program file, when the caller knows it).
OwningOpRef<ModuleOp> parseProgramGraph(const prog::Program &program,
                                        MLIRContext *context,
                                        StringRef sourceName = "<program>");

} // namespace cim
} // namespace mlir

#endif // CIM_BACKEND_BACKEND_H
