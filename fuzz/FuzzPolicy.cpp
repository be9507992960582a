//===- FuzzPolicy.cpp - Fuzz the bit-width policy parser ------------------===//
//
// The bytes are a policy file (JSON), parsed as cim-assign-bitwidths --bits
// reads it. An accepted policy must write as JSON that parses again to the
// same entries (writePolicy's contract).
//
//===----------------------------------------------------------------------===//

#include "cim/Quant/Policy.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace mlir::cim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  quant::PolicyError error;
  std::optional<quant::BitwidthPolicy> policy = quant::parsePolicy(text, error);
  if (!policy) {
    if (error.message.empty())
      std::abort();
    return 0;
  }
  std::string written;
  llvm::raw_string_ostream os(written);
  quant::writePolicy(*policy, os);
  std::optional<quant::BitwidthPolicy> again =
      quant::parsePolicy(os.str(), error);
  if (!again || again->layers.size() != policy->layers.size())
    std::abort();
  for (size_t i = 0; i < policy->layers.size(); ++i) {
    const quant::PolicyEntry &a = policy->layers[i], &b = again->layers[i];
    if (a.name != b.name || a.index != b.index || a.wbits != b.wbits ||
        a.abits != b.abits)
      std::abort();
  }
  return 0;
}
