//===- FuzzHardware.cpp - Fuzz the hardware description parser ------------===//
//
// The bytes are a hardware description (YAML), parsed and validated as
// cimc --hw reads a file. An accepted description must print as YAML that
// parses again (printHardwareDescription's contract).
//
//===----------------------------------------------------------------------===//

#include "cim/Hardware/Hardware.h"

#include <cstdlib>

using namespace mlir::cim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  std::vector<hw::HardwareDiagnostic> diagnostics;
  std::optional<hw::HardwareDescription> desc =
      hw::parseHardwareDescription(text, "fuzz.yaml", diagnostics);
  if (!desc) {
    if (diagnostics.empty())
      std::abort();
    return 0;
  }
  std::string printed = hw::printHardwareDescription(*desc);
  diagnostics.clear();
  if (!hw::parseHardwareDescription(printed, "printed.yaml", diagnostics))
    std::abort();
  return 0;
}
