//===- Processor.h - A conventional processor as a baseline -----*- C++ -*-===//
//
// The digital baseline every report compares a CIM chip against: a roofline
// model of a conventional processor (a GPU or a CPU) with its peak
// multiply-accumulate rate, its vector rate, its memory bandwidth and the
// energy of a MAC, a vector operation and a byte of memory traffic. Read from
// YAML (models/processors/*.yaml; docs/hardware.md, "Digital baseline") and
// validated with located errors. Plain C++ on LLVM Support.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_HARDWARE_PROCESSOR_H
#define CIM_HARDWARE_PROCESSOR_H

#include "cim/Support/YamlDocument.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace hw {

struct ProcessorDescription {
  std::string name;
  /// Free-text provenance (`source:` in YAML).
  std::string source;
  /// Peak multiply-accumulates per second at `data_bits` (tensor units),
  /// in units of 10^12.
  double peakTeraMacsPerS = 0;
  /// Peak element-wise operations per second (vector units), 10^12.
  double vectorTeraOpsPerS = 0;
  /// Off-chip memory bandwidth, GB/s.
  double memoryGbPerS = 0;
  /// Width of weights and activations in memory.
  double dataBits = 8;
  /// Fixed time per layer (a kernel launch), nanoseconds.
  double layerOverheadNs = 0;
  /// Energy of one MAC, one vector operation and one byte of off-chip
  /// memory traffic, picojoules.
  double macPj = 0, vectorOpPj = 0, memoryPjPerByte = 0;
};

/// Parses and validates a processor description held in `text`.
std::optional<ProcessorDescription>
parseProcessorDescription(llvm::StringRef text, llvm::StringRef fileName,
                          std::vector<LocatedError> &errors);

/// Reads a bundled processor or a file (resolveProcessorPath) and parses
/// it.
std::optional<ProcessorDescription>
loadProcessorDescription(llvm::StringRef nameOrPath,
                         std::vector<LocatedError> &errors);

/// A path for `nameOrPath`: a name without '/' and without a .yaml/.yml
/// extension is a bundled processor (models/processors/NAME.yaml, or
/// $CIM_PROCESSOR_DIR), anything else a path.
std::string resolveProcessorPath(llvm::StringRef nameOrPath);

/// The processor reports compare against when none is named: "a100".
llvm::StringRef getDefaultProcessorName();

} // namespace hw
} // namespace cim
} // namespace mlir

#endif // CIM_HARDWARE_PROCESSOR_H
