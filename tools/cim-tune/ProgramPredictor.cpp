//===- ProgramPredictor.cpp - Compiled programs on the simulator ----------===//
//
// Built when the simulator library (CIMSim) is absent: `eval --program`
// then reports that this build cannot run compiled programs. The build with
// the simulator replaces this file (see tools/cim-tune/CMakeLists.txt).
//
//===----------------------------------------------------------------------===//

#include "Agreement.h"

using namespace mlir::cim;
using namespace mlir::cim::tune;

bool tune::makeProgramPredictor(const std::string &path, PredictFn &predict,
                                std::string &error) {
  error = path + ": error: --program is not available in this build (cim-tune "
                 "was built without the simulator library CIMSim)";
  return false;
}
