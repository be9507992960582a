//===- Hardware.h - CIM hardware description --------------------*- C++ -*-===//
//
// The hardware description that crossbar mapping, the cost model and the
// simulator share: the chip template of docs/hardware.md, read from YAML
// (models/hw/*.yaml) and validated with located errors. Plain C++ on LLVM
// Support and the dialect's plain enums (CIMEnums.h); no MLIR IR.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_HARDWARE_HARDWARE_H
#define CIM_HARDWARE_HARDWARE_H

#include "cim/Dialect/CIM/CIMEnums.h"
#include "cim/Support/YamlDocument.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace hw {

/// How signed weights are stored in unsigned conductances (domain.md 1):
/// the dialect's SignedMapping (CIMEnums.td), spelt dc, of and dr.
/// DifferentialColumn puts the positive and negative parts in two columns
/// (2 physical columns per weight column); Offset shifts weights to be
/// non-negative and keeps one reference column per crossbar (after ISAAC);
/// DifferentialRow puts the parts in two rows.
using SignedWeightMapping = ::mlir::cim::SignedMapping;

/// When crossbars are written during inference.
enum class WeightRewrite {
  /// Weights are stationary; a network that does not fit is an error.
  Never,
  /// Stationary when the network fits, else every layer is written before
  /// it runs.
  IfNeeded,
  /// Every layer is written before it runs, also when the network would fit
  /// (the CIM-AQ reference machine).
  Always,
};

/// Spelling of the rewrite policy in YAML and in messages ("if_needed");
/// the signed mapping's is stringifySignedMapping ("dc").
llvm::StringRef stringify(WeightRewrite rewrite);

/// A data-path bandwidth in bytes per nanosecond (= GB/s), or unlimited
/// (free data movement).
struct Bandwidth {
  bool unlimited = false;
  double gbPerS = 0.0;

  static Bandwidth getUnlimited() { return {true, 0.0}; }
  static Bandwidth get(double gbPerS) { return {false, gbPerS}; }
  /// Picoseconds to move `bytes` (rounded up); 0 when unlimited.
  uint64_t transferPs(uint64_t bytes) const;
};

/// A validated hardware description. Times are whole picoseconds so that
/// latencies add up exactly; energies are picojoules.
struct HardwareDescription {
  std::string name;
  /// Free-text provenance (`source:` in YAML).
  std::string source;
  /// Clock of the digital logic; converts latencies to cycles.
  uint64_t clockMhz = 0;

  // chip
  int64_t pes = 0;
  int64_t crossbarsPerPe = 0;
  int64_t globalBufferBytes = 0;

  // crossbar
  int64_t rows = 0;
  int64_t cols = 0;
  unsigned cellBits = 0;
  SignedWeightMapping signedMapping = SignedWeightMapping::DifferentialColumn;

  // converters
  unsigned dacBits = 0;
  unsigned adcBits = 0;
  int64_t colsPerAdc = 0;

  // pe
  int64_t digitalLanes = 0;
  int64_t inputBufferBytes = 0;
  int64_t outputBufferBytes = 0;

  // mapping
  WeightRewrite weightRewrite = WeightRewrite::Never;
  /// Whether the groups of a grouped layer whose block fits one crossbar
  /// share crossbars, block-diagonally (`mapping.pack_groups`, optional,
  /// default true).
  bool packGroups = true;

  // timing (picoseconds)
  uint64_t mvmStepPs = 0;
  uint64_t adcConversionPs = 0;
  uint64_t crossbarWritePs = 0;
  uint64_t digitalOpPs = 0;
  Bandwidth bufferBandwidth;
  Bandwidth interconnectBandwidth;

  // energy (picojoules per event)
  double mvmStepPj = 0.0;
  double adcConversionPj = 0.0;
  double crossbarWritePj = 0.0;
  double digitalOpPj = 0.0;
  double bufferPjPerByte = 0.0;
  double interconnectPjPerByte = 0.0;

  // area (square micrometres; optional section: `hasArea` says whether the
  // description has one)
  bool hasArea = false;
  double cellUm2 = 0.0;
  double crossbarPeripheryUm2 = 0.0;
  double dacUm2 = 0.0;
  double adcUm2 = 0.0;
  double digitalLaneUm2 = 0.0;
  double bufferUm2PerByte = 0.0;
  double globalBufferUm2PerByte = 0.0;
  double interconnectUm2PerPe = 0.0;

  /// Crossbars on the chip.
  int64_t getNumCrossbars() const { return pes * crossbarsPerPe; }
  /// ADCs per crossbar.
  int64_t getAdcsPerCrossbar() const { return cols / colsPerAdc; }
  /// Physical rows and columns one weight row / column of one bit slice
  /// takes under the signed mapping.
  int64_t getPhysicalRowsPerWeightRow() const;
  int64_t getPhysicalColsPerWeightCol() const;
  /// Weight rows that fit in one crossbar (rows / physical rows per row).
  int64_t getWeightRowsPerCrossbar() const;
  /// Physical columns available to weights (one fewer under `of`, which
  /// keeps a reference column).
  int64_t getUsableCols() const;
  /// ADC bits that read every column sum exactly: a full crossbar's rows,
  /// each at the largest cell level times the largest DAC level (signed
  /// under `dr`, whose negative rows subtract).
  unsigned getExactAdcBits() const;
  /// Cycles of the clock for a latency, rounded up.
  uint64_t toCycles(uint64_t picoseconds) const;
};

/// The chip's area by component, from the `area` section (square
/// millimetres), in the order of kAreaComponents.
struct AreaBreakdown {
  struct Component {
    std::string name;
    double mm2 = 0.0;
  };
  std::vector<Component> components;
  double totalMm2 = 0.0;
};

/// The chip's area: every crossbar's cells and periphery, one DAC per row
/// and cols / cols_per_adc ADCs per crossbar, each PE's digital lanes,
/// buffers and share of the interconnect, and the global buffer
/// (docs/hardware.md, "Area"). std::nullopt when the description has no
/// `area` section.
std::optional<AreaBreakdown> computeArea(const HardwareDescription &hw);

/// Sets one field, named by its dotted path ("crossbar.rows"), from its
/// YAML text ("256"), as the reader would. Returns a message when the path
/// names no field or the text is malformed; the caller validates the
/// description afterwards (validateHardwareDescription). Setting an `area`
/// field gives the description an area section.
std::optional<std::string> setHardwareField(HardwareDescription &hw,
                                            llvm::StringRef path,
                                            llvm::StringRef text);

/// The dotted paths of every field, in document order.
std::vector<std::string> getHardwareFieldPaths();

/// One located problem in a hardware description. `message` starts with the
/// dotted field path, e.g. "crossbar.rows: must be a positive power of two,
/// got 300".
using HardwareDiagnostic = ::mlir::cim::LocatedError;

/// Parses and validates a description held in `text`; `fileName` names it
/// in diagnostics. Returns std::nullopt and appends at least one diagnostic
/// when the description is malformed or invalid.
std::optional<HardwareDescription>
parseHardwareDescription(llvm::StringRef text, llvm::StringRef fileName,
                         std::vector<HardwareDiagnostic> &diagnostics);

/// Reads `path` and parses it.
std::optional<HardwareDescription>
loadHardwareDescription(llvm::StringRef path,
                        std::vector<HardwareDiagnostic> &diagnostics);

/// Checks the value ranges and cross-field rules of an in-memory description
/// (the loader runs it too). Each problem is reported as "path: message".
std::vector<std::pair<std::string, std::string>>
validateHardwareDescription(const HardwareDescription &hw);

/// Writes the description as YAML that parseHardwareDescription accepts.
std::string printHardwareDescription(const HardwareDescription &hw);

/// The directory holding the bundled presets (models/hw): $CIM_HW_DIR when
/// set, else the directory fixed at configure time.
std::string getPresetDirectory();
/// The preset used when none is named: "rram-tiled".
llvm::StringRef getDefaultPresetName();
/// A path for `nameOrPath`: a name without '/' and without a .yaml/.yml
/// extension is a preset ("cimaq-reference" -> <preset dir>/
/// cimaq-reference.yaml), anything else a path; empty means the default
/// preset.
std::string resolveHardwarePath(llvm::StringRef nameOrPath);

} // namespace hw
} // namespace cim
} // namespace mlir

#endif // CIM_HARDWARE_HARDWARE_H
