//===- FuzzSpace.cpp - Fuzz the design-space reader of cim-dse
//-------------===//
//
// The bytes are a design space (YAML), read as cim-dse reads its file (the
// base chip from the presets, models and policies from the file system).
// A rejected space must say why; an accepted one must build a chip for its
// first point without crashing (the chip may be invalid: that point is
// recorded as infeasible).
//
//===----------------------------------------------------------------------===//

#include "cim/Explore/Space.h"

#include <cstdlib>

using namespace mlir::cim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  std::vector<LocatedError> errors;
  std::optional<dse::Space> space =
      dse::parseSpace(text, "fuzz/space.yaml", errors);
  if (!space) {
    if (errors.empty())
      std::abort();
    return 0;
  }
  if (space->networks.empty())
    std::abort();
  dse::Point point;
  point.values.assign(space->axes.size(), 0);
  hw::HardwareDescription chip;
  (void)dse::buildHardware(*space, point, chip);
  return 0;
}
