//===- SearchCommand.h - cim-tune search ------------------------*- C++ -*-===//
//
// The `search` command of cim-tune (docs/search.md): its own option parser
// and driver, so that cim-tune.cpp only dispatches to it.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TOOLS_CIM_TUNE_SEARCHCOMMAND_H
#define CIM_TOOLS_CIM_TUNE_SEARCHCOMMAND_H

/// Runs `cim-tune search ...` (argv[1] is "search"); returns the exit
/// status. Errors are one located line and status 1.
#include "cim/Quant/Observer.h"
#include "cim/Tune/Dataset.h"

#include <string>

int runSearchCommand(int argc, char **argv);

/// `--augment crop:N,flip` into `t`; false with a one-line error.
bool parseAugmentation(const std::string &list, mlir::cim::tune::Transform &t,
                       std::string &error);

/// `--calibration minmax|percentile|mse` into `method`; false with a
/// one-line error.
bool parseCalibrationMethod(const std::string &value,
                            mlir::cim::quant::CalibrationMethod &method,
                            std::string &error);

/// The usage lines of the command, for cim-tune --help.
extern const char *kSearchUsage;

#endif // CIM_TOOLS_CIM_TUNE_SEARCHCOMMAND_H
