//===- FuzzProgram.cpp - Fuzz the prog.cim reader -------------------------===//
//
// The bytes are a program file, read and verified as cim-sim loads one;
// an accepted program must write back to the same bytes, dump as text and
// replay through the cycle model, as cim-sim --dump and --report do.
//
//===----------------------------------------------------------------------===//

#include "cim/Program/Program.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace mlir::cim;

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
  return 0;
}
