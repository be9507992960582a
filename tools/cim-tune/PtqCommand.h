//===- PtqCommand.h - cim-tune ptq ------------------------------*- C++ -*-===//
//
// The `ptq` command of cim-tune (docs/tune.md): post-training quantization
// without training, its options and its driver, so that cim-tune.cpp only
// dispatches to it.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TOOLS_CIM_TUNE_PTQCOMMAND_H
#define CIM_TOOLS_CIM_TUNE_PTQCOMMAND_H

namespace mlir {
namespace cim {
namespace tune {

/// Runs `cim-tune ptq ...` once the command line is parsed; returns the exit
/// status. Errors are one located line and status 1, with nothing written.
int runPtqCommand();

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_TOOLS_CIM_TUNE_PTQCOMMAND_H
