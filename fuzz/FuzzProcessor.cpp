//===- FuzzProcessor.cpp - Fuzz the processor description parser ----------===//
//
// The bytes are a processor description of the digital baseline (YAML), as
// cimc --baseline reads a file. A rejected one must say why.
//
//===----------------------------------------------------------------------===//

#include "cim/Hardware/Processor.h"

#include <cmath>
#include <cstdlib>

using namespace mlir::cim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  std::vector<LocatedError> errors;
  std::optional<hw::ProcessorDescription> pd =
      hw::parseProcessorDescription(text, "fuzz.yaml", errors);
  if (!pd) {
    if (errors.empty())
      std::abort();
    return 0;
  }
  // What the roofline divides by is positive and finite.
  if (!(pd->peakTeraMacsPerS > 0) || !(pd->vectorTeraOpsPerS > 0) ||
      !(pd->memoryGbPerS > 0) || !std::isfinite(pd->macPj))
    std::abort();
  return 0;
}
