//===- Policy.h - Per-layer bit-width policy files --------------*- C++ -*-===//
//
// The JSON file that says which bit widths each layer gets, read by
// cim-assign-bitwidths (--bits in cimc and cim-sim) and written by the
// bit-width search:
//
//   {"layers": [{"name": "conv1", "wbits": 8, "abits": 8},
//               {"index": 3, "wbits": 4, "abits": 6}]}
//
// An entry names its layer by `name` (the ONNX node name) or by `index` (the
// position among the weight-bearing layers in graph order), not both, and
// sets `wbits`, `abits` or both (1..16). This file only checks the syntax
// and the values; matching entries to layers is the pass's job, since only
// it knows the layers. Uses LLVM Support (JSON), no MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_QUANT_POLICY_H
#define CIM_QUANT_POLICY_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mlir {
namespace cim {
namespace quant {

/// One entry of the `layers` array.
struct PolicyEntry {
  std::optional<std::string> name;
  std::optional<int64_t> index;
  std::optional<unsigned> wbits;
  std::optional<unsigned> abits;
  /// Where the entry's `{` is in the file (1-based), for diagnostics.
  unsigned line = 0;
  unsigned column = 0;
};

struct BitwidthPolicy {
  std::vector<PolicyEntry> layers;
};

/// A problem in a policy file: where (1-based line and column, 0 when not
/// known) and what, e.g. "layers[2]: wbits must be in 1..16, got 17".
struct PolicyError {
  unsigned line = 0;
  unsigned column = 0;
  std::string message;
};

/// Parses the text of a policy file. On failure returns std::nullopt and
/// fills `error` (the first problem found).
std::optional<BitwidthPolicy> parsePolicy(const std::string &text,
                                          PolicyError &error);

/// Writes `policy` as JSON in the format parsePolicy reads (without the
/// positions).
void writePolicy(const BitwidthPolicy &policy, llvm::raw_ostream &os);

} // namespace quant
} // namespace cim
} // namespace mlir

#endif // CIM_QUANT_POLICY_H
