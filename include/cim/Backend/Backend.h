//===- Backend.h - From a mapped module to a crossbar program ---*- C++ -*-===//
//
// The last compiler stage: takes the program skeleton cim-schedule computed
// for a mapped module (it never schedules again), quantizes every crossbar
// layer's weights to the integers the crossbars hold, and packs them with
// the functional graph and the hardware description into a prog::Program.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_BACKEND_BACKEND_H
#define CIM_BACKEND_BACKEND_H

#include "cim/Program/Program.h"
#include "cim/Schedule/Schedule.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir {
namespace cim {

/// Completes `scheduled`, the program skeleton that cim-schedule computed
/// for the mapped, quantized `module` on `hw` (scheduleModule), into the
/// program. `model` names it in the program header. Every failure is a
/// located diagnostic.
FailureOr<prog::Program> buildProgram(ModuleOp module,
                                      const hw::HardwareDescription &hw,
                                      prog::Program scheduled, StringRef model);

/// Parses a program's functional graph into `context` (which must have the
/// cim and func dialects). Errors point into the graph text, named
/// `<sourceName>:graph` (the program file, when the caller knows it).
OwningOpRef<ModuleOp> parseProgramGraph(const prog::Program &program,
                                        MLIRContext *context,
                                        StringRef sourceName = "<program>");

} // namespace cim
} // namespace mlir

#endif // CIM_BACKEND_BACKEND_H
