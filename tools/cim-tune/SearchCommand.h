//===- SearchCommand.h - cim-tune search ------------------------*- C++ -*-===//
//
// The `search` command of cim-tune (docs/search.md): its options and its
// driver, so that cim-tune.cpp only dispatches to it.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TOOLS_CIM_TUNE_SEARCHCOMMAND_H
#define CIM_TOOLS_CIM_TUNE_SEARCHCOMMAND_H

namespace mlir {
namespace cim {
namespace tune {

/// Runs `cim-tune search ...` once the command line is parsed; returns the
/// exit status. Errors are one located line and status 1.
int runSearchCommand();

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_TOOLS_CIM_TUNE_SEARCHCOMMAND_H
