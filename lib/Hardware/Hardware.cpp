//===- Hardware.cpp - CIM hardware description ----------------------------===//
//
// Reading is two passes over the same buffer: LLVM's YAML I/O maps the
// document onto a raw struct (unknown keys, missing keys, malformed scalars),
// and a walk of the YAML nodes records where every field is, so that both
// YAML I/O's messages and the semantic checks name the field and point at
// its line and column.
//
//===----------------------------------------------------------------------===//

#include "cim/Hardware/Hardware.h"
#include "cim/Support/Text.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLParser.h"
#include "llvm/Support/YAMLTraits.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#ifndef CIM_HW_PRESET_DIR
#define CIM_HW_PRESET_DIR "models/hw"
#endif

using namespace mlir::cim::hw;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// Enums and small helpers
//===----------------------------------------------------------------------===//

StringRef mlir::cim::hw::stringify(SignedWeightMapping mapping) {
  switch (mapping) {
  case SignedWeightMapping::DifferentialColumn:
    return "dc";
  case SignedWeightMapping::Offset:
    return "of";
  case SignedWeightMapping::DifferentialRow:
    return "dr";
  }
  return "dc";
}

StringRef mlir::cim::hw::stringify(WeightRewrite rewrite) {
  switch (rewrite) {
  case WeightRewrite::Never:
    return "never";
  case WeightRewrite::IfNeeded:
    return "if_needed";
  case WeightRewrite::Always:
    return "always";
  }
  return "never";
}

uint64_t Bandwidth::transferPs(uint64_t bytes) const {
  if (unlimited || bytes == 0)
    return 0;
  // bytes / (GB/s) = ns; times 1000 for ps.
  return uint64_t(std::ceil(double(bytes) * 1000.0 / gbPerS));
}

int64_t HardwareDescription::getPhysicalRowsPerWeightRow() const {
  return signedMapping == SignedWeightMapping::DifferentialRow ? 2 : 1;
}

int64_t HardwareDescription::getPhysicalColsPerWeightCol() const {
  return signedMapping == SignedWeightMapping::DifferentialColumn ? 2 : 1;
}

int64_t HardwareDescription::getWeightRowsPerCrossbar() const {
  return rows / getPhysicalRowsPerWeightRow();
}

int64_t HardwareDescription::getUsableCols() const {
  return signedMapping == SignedWeightMapping::Offset ? cols - 1 : cols;
}

uint64_t HardwareDescription::toCycles(uint64_t picoseconds) const {
  // cycles = ceil(ps * MHz / 1e6), in 128 bits so that it cannot overflow.
  unsigned __int128 scaled = (unsigned __int128)picoseconds * clockMhz;
  return uint64_t((scaled + 999999) / 1000000);
}

std::string HardwareDiagnostic::str() const {
  std::string out = file;
  if (line)
    out += ":" + std::to_string(line) + ":" + std::to_string(column);
  return out + ": error: " + message;
}

/// Shortest decimal that reads back as `value` in messages and YAML.
static std::string formatNumber(double value) {
  char buffer[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof(buffer), "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value)
      break;
  }
  return buffer;
}

/// Picoseconds as nanoseconds with up to three decimals.
static std::string formatPsAsNs(uint64_t ps) {
  std::string out = std::to_string(ps / 1000);
  if (uint64_t frac = ps % 1000) {
    std::string digits = std::to_string(frac);
    while (digits.size() < 3)
      digits.insert(digits.begin(), '0');
    while (!digits.empty() && digits.back() == '0')
      digits.pop_back();
    out += "." + digits;
  }
  return out;
}

//===----------------------------------------------------------------------===//
// The YAML schema
//===----------------------------------------------------------------------===//

namespace {
/// The document as written: times in nanoseconds, unvalidated.
struct RawChip {
  int64_t pes = 0, crossbarsPerPe = 0, globalBufferBytes = 0;
};
struct RawCrossbar {
  int64_t rows = 0, cols = 0, cellBits = 0;
  SignedWeightMapping signedMapping = SignedWeightMapping::DifferentialColumn;
};
struct RawConverters {
  int64_t dacBits = 0, adcBits = 0, colsPerAdc = 0;
};
struct RawPe {
  int64_t digitalLanes = 0, inputBufferBytes = 0, outputBufferBytes = 0;
};
struct RawMapping {
  WeightRewrite weightRewrite = WeightRewrite::Never;
};
struct RawTiming {
  double mvmStepNs = 0, adcConversionNs = 0, crossbarWriteNs = 0,
         digitalOpNs = 0;
  Bandwidth buffer, interconnect;
};
struct RawEnergy {
  double mvmStepPj = 0, adcConversionPj = 0, crossbarWritePj = 0,
         digitalOpPj = 0, bufferPjPerByte = 0, interconnectPjPerByte = 0;
};
struct RawDescription {
  std::string name, source;
  int64_t clockMhz = 0;
  RawChip chip;
  RawCrossbar crossbar;
  RawConverters converters;
  RawPe pe;
  RawMapping mapping;
  RawTiming timing;
  RawEnergy energy;
};
} // namespace

namespace llvm {
namespace yaml {
// Enums and bandwidths are scalars with their own messages (YAML I/O's
// enumeration traits only say "unknown enumerated scalar").
template <> struct ScalarTraits<SignedWeightMapping> {
  static void output(const SignedWeightMapping &value, void *,
                     raw_ostream &os) {
    os << stringify(value);
  }
  static StringRef input(StringRef text, void *, SignedWeightMapping &value) {
    for (auto candidate :
         {SignedWeightMapping::DifferentialColumn, SignedWeightMapping::Offset,
          SignedWeightMapping::DifferentialRow})
      if (text == stringify(candidate)) {
        value = candidate;
        return {};
      }
    return "must be one of dc, of, dr";
  }
  static QuotingType mustQuote(StringRef) { return QuotingType::None; }
};

template <> struct ScalarTraits<WeightRewrite> {
  static void output(const WeightRewrite &value, void *, raw_ostream &os) {
    os << stringify(value);
  }
  static StringRef input(StringRef text, void *, WeightRewrite &value) {
    for (auto candidate :
         {WeightRewrite::Never, WeightRewrite::IfNeeded, WeightRewrite::Always})
      if (text == stringify(candidate)) {
        value = candidate;
        return {};
      }
    return "must be one of never, if_needed, always";
  }
  static QuotingType mustQuote(StringRef) { return QuotingType::None; }
};

template <> struct ScalarTraits<Bandwidth> {
  static void output(const Bandwidth &value, void *, raw_ostream &os) {
    if (value.unlimited)
      os << "unlimited";
    else
      os << formatNumber(value.gbPerS);
  }
  static StringRef input(StringRef text, void *, Bandwidth &value) {
    if (text == "unlimited") {
      value = Bandwidth::getUnlimited();
      return {};
    }
    double number;
    if (!llvm::to_float(text, number))
      return "must be a number of GB/s or 'unlimited'";
    value = Bandwidth::get(number);
    return {};
  }
  static QuotingType mustQuote(StringRef) { return QuotingType::None; }
};

template <> struct MappingTraits<RawChip> {
  static void mapping(IO &io, RawChip &chip) {
    io.mapRequired("pes", chip.pes);
    io.mapRequired("crossbars_per_pe", chip.crossbarsPerPe);
    io.mapRequired("global_buffer_bytes", chip.globalBufferBytes);
  }
};
template <> struct MappingTraits<RawCrossbar> {
  static void mapping(IO &io, RawCrossbar &xbar) {
    io.mapRequired("rows", xbar.rows);
    io.mapRequired("cols", xbar.cols);
    io.mapRequired("cell_bits", xbar.cellBits);
    io.mapRequired("signed_mapping", xbar.signedMapping);
  }
};
template <> struct MappingTraits<RawConverters> {
  static void mapping(IO &io, RawConverters &conv) {
    io.mapRequired("dac_bits", conv.dacBits);
    io.mapRequired("adc_bits", conv.adcBits);
    io.mapRequired("cols_per_adc", conv.colsPerAdc);
  }
};
template <> struct MappingTraits<RawPe> {
  static void mapping(IO &io, RawPe &pe) {
    io.mapRequired("digital_lanes", pe.digitalLanes);
    io.mapRequired("input_buffer_bytes", pe.inputBufferBytes);
    io.mapRequired("output_buffer_bytes", pe.outputBufferBytes);
  }
};
template <> struct MappingTraits<RawMapping> {
  static void mapping(IO &io, RawMapping &mapping) {
    io.mapRequired("weight_rewrite", mapping.weightRewrite);
  }
};
template <> struct MappingTraits<RawTiming> {
  static void mapping(IO &io, RawTiming &t) {
    io.mapRequired("mvm_step_ns", t.mvmStepNs);
    io.mapRequired("adc_conversion_ns", t.adcConversionNs);
    io.mapRequired("crossbar_write_ns", t.crossbarWriteNs);
    io.mapRequired("digital_op_ns", t.digitalOpNs);
    io.mapRequired("buffer_bandwidth_gb_per_s", t.buffer);
    io.mapRequired("interconnect_bandwidth_gb_per_s", t.interconnect);
  }
};
template <> struct MappingTraits<RawEnergy> {
  static void mapping(IO &io, RawEnergy &e) {
    io.mapRequired("mvm_step_pj", e.mvmStepPj);
    io.mapRequired("adc_conversion_pj", e.adcConversionPj);
    io.mapRequired("crossbar_write_pj", e.crossbarWritePj);
    io.mapRequired("digital_op_pj", e.digitalOpPj);
    io.mapRequired("buffer_pj_per_byte", e.bufferPjPerByte);
    io.mapRequired("interconnect_pj_per_byte", e.interconnectPjPerByte);
  }
};
template <> struct MappingTraits<RawDescription> {
  static void mapping(IO &io, RawDescription &d) {
    io.mapRequired("name", d.name);
    io.mapOptional("source", d.source);
    io.mapRequired("clock_mhz", d.clockMhz);
    io.mapRequired("chip", d.chip);
    io.mapRequired("crossbar", d.crossbar);
    io.mapRequired("converters", d.converters);
    io.mapRequired("pe", d.pe);
    io.mapRequired("mapping", d.mapping);
    io.mapRequired("timing", d.timing);
    io.mapRequired("energy", d.energy);
  }
};
} // namespace yaml
} // namespace llvm

//===----------------------------------------------------------------------===//
// Where every field is
//===----------------------------------------------------------------------===//

namespace {
/// Field paths by source position, from a walk of the YAML nodes.
struct FieldIndex {
  struct Entry {
    std::string path;
    std::string text; // the scalar as written, for "got ..." in messages
  };
  llvm::DenseMap<const char *, Entry> keys, values, mappings;
  std::map<std::string, const char *> valueOfPath, keyOfPath;

  void walk(llvm::yaml::Node *node, const std::string &path) {
    auto *map = llvm::dyn_cast_or_null<llvm::yaml::MappingNode>(node);
    if (!map)
      return;
    mappings.try_emplace(node->getSourceRange().Start.getPointer(),
                         Entry{path, ""});
    for (llvm::yaml::KeyValueNode &kv : *map) {
      auto *key = llvm::dyn_cast_or_null<llvm::yaml::ScalarNode>(kv.getKey());
      if (!key)
        continue;
      llvm::SmallString<32> storage;
      std::string child =
          (path.empty() ? "" : path + ".") + key->getValue(storage).str();
      keys.try_emplace(key->getSourceRange().Start.getPointer(),
                       Entry{child, ""});
      keyOfPath.try_emplace(child, key->getSourceRange().Start.getPointer());
      llvm::yaml::Node *value = kv.getValue();
      if (!value)
        continue;
      std::string text;
      if (auto *scalar = llvm::dyn_cast<llvm::yaml::ScalarNode>(value)) {
        llvm::SmallString<32> valueStorage;
        text = scalar->getValue(valueStorage).str();
      }
      const char *at = value->getSourceRange().Start.getPointer();
      values.try_emplace(at, Entry{child, text});
      valueOfPath.try_emplace(child, at);
      walk(value, child);
    }
  }
};

/// Collects diagnostics for one buffer.
class Reporter {
public:
  Reporter(llvm::SourceMgr &sourceMgr, StringRef fileName,
           std::vector<HardwareDiagnostic> &out)
      : sourceMgr(sourceMgr), fileName(fileName), out(out) {}

  void report(const char *at, std::string message) {
    HardwareDiagnostic diag;
    diag.file = fileName.str();
    if (at) {
      auto [line, column] =
          sourceMgr.getLineAndColumn(llvm::SMLoc::getFromPointer(at));
      diag.line = line;
      diag.column = column;
    }
    // A message may quote the malformed text: keep it to one line.
    diag.message = mlir::cim::toOneLine(message);
    out.push_back(std::move(diag));
  }

  size_t count() const { return out.size(); }

private:
  llvm::SourceMgr &sourceMgr;
  StringRef fileName;
  std::vector<HardwareDiagnostic> &out;
};
} // namespace

/// Rewrites one of YAML I/O's messages so that it names the field; a
/// missing key is reported at its section's key (`at` is updated).
static std::string describeYamlError(const FieldIndex &index, const char *&at,
                                     StringRef message) {
  if (message.consume_front("missing required key '")) {
    StringRef key = message.take_until([](char c) { return c == '\''; });
    auto it = index.mappings.find(at);
    std::string section = it != index.mappings.end() ? it->second.path : "";
    auto sectionKey = index.keyOfPath.find(section);
    if (sectionKey != index.keyOfPath.end())
      at = sectionKey->second;
    return (section.empty() ? "" : section + ".") + key.str() +
           ": required key is missing";
  }
  if (message.startswith("unknown key '")) {
    auto it = index.keys.find(at);
    if (it != index.keys.end())
      return it->second.path + ": unknown key";
    return message.str();
  }
  auto it = index.values.find(at);
  if (it != index.values.end())
    return it->second.path + ": " + message.str() + ", got '" +
           it->second.text + "'";
  auto key = index.keys.find(at);
  if (key != index.keys.end())
    return key->second.path + ": " + message.str();
  return message.str();
}

/// Every field path of the schema ("crossbar", "crossbar.rows", ...), from
/// the index of a printed description.
static const std::set<std::string> &getKnownPaths() {
  static const std::set<std::string> paths = [] {
    HardwareDescription sample;
    sample.source = "sample";
    std::string text = printHardwareDescription(sample);
    llvm::SourceMgr quiet;
    llvm::yaml::Stream stream(text, quiet);
    FieldIndex index;
    index.walk(stream.begin()->getRoot(), "");
    std::set<std::string> known;
    for (auto &[path, at] : index.valueOfPath)
      known.insert(path);
    return known;
  }();
  return paths;
}

//===----------------------------------------------------------------------===//
// Validation
//===----------------------------------------------------------------------===//

namespace {
using Problems = std::vector<std::pair<std::string, std::string>>;

void checkRange(Problems &problems, StringRef path, int64_t value, int64_t lo,
                int64_t hi) {
  if (value < lo || value > hi)
    problems.push_back(
        {path.str(),
         llvm::formatv("must be in [{0}, {1}], got {2}", std::to_string(lo),
                       std::to_string(hi), std::to_string(value))
             .str()});
}

void checkPowerOfTwo(Problems &problems, StringRef path, int64_t value,
                     int64_t hi) {
  if (value < 1 || !llvm::isPowerOf2_64(uint64_t(value)))
    problems.push_back({path.str(), "must be a positive power of two, got " +
                                        std::to_string(value)});
  else if (value > hi)
    problems.push_back({path.str(), "must be at most " + std::to_string(hi) +
                                        ", got " + std::to_string(value)});
}

void checkEnergy(Problems &problems, StringRef path, double value) {
  if (!std::isfinite(value) || value < 0)
    problems.push_back({path.str(), "must be a finite non-negative number of "
                                    "picojoules, got " +
                                        formatNumber(value)});
}

void checkBandwidth(Problems &problems, StringRef path, Bandwidth value) {
  if (!value.unlimited && (!std::isfinite(value.gbPerS) || value.gbPerS <= 0))
    problems.push_back({path.str(), "must be a positive number of GB/s or "
                                    "'unlimited', got " +
                                        formatNumber(value.gbPerS)});
}
} // namespace

// Limits keep every count and product inside 64 bits.
static constexpr int64_t kMaxCount = int64_t(1) << 24;
/// A description is three levels deep; nothing needs more than this.
static constexpr unsigned kMaxNesting = 64;
static constexpr int64_t kMaxBytes = int64_t(1) << 40;
static constexpr uint64_t kMaxPs = uint64_t(1) << 50; // about 19 minutes

std::vector<std::pair<std::string, std::string>>
mlir::cim::hw::validateHardwareDescription(const HardwareDescription &hw) {
  Problems problems;
  if (hw.name.empty())
    problems.push_back({"name", "must not be empty"});
  else if (!llvm::all_of(hw.name, [](char c) {
             return llvm::isAlnum(c) || c == '-' || c == '_' || c == '.';
           }))
    problems.push_back({"name", "may only hold letters, digits, '-', '_' and "
                                "'.', got '" +
                                    hw.name + "'"});
  checkRange(problems, "clock_mhz", int64_t(hw.clockMhz), 1, 1000000);
  checkRange(problems, "chip.pes", hw.pes, 1, kMaxCount);
  checkRange(problems, "chip.crossbars_per_pe", hw.crossbarsPerPe, 1,
             kMaxCount);
  checkRange(problems, "chip.global_buffer_bytes", hw.globalBufferBytes, 1,
             kMaxBytes);
  checkPowerOfTwo(problems, "crossbar.rows", hw.rows, 65536);
  checkPowerOfTwo(problems, "crossbar.cols", hw.cols, 65536);
  checkRange(problems, "crossbar.cell_bits", hw.cellBits, 1, 8);
  checkRange(problems, "converters.dac_bits", hw.dacBits, 1, 8);
  checkRange(problems, "converters.adc_bits", hw.adcBits, 1, 32);
  if (hw.cols >= 1)
    checkPowerOfTwo(problems, "converters.cols_per_adc", hw.colsPerAdc,
                    hw.cols);
  checkRange(problems, "pe.digital_lanes", hw.digitalLanes, 1, kMaxCount);
  checkRange(problems, "pe.input_buffer_bytes", hw.inputBufferBytes, 1,
             kMaxBytes);
  checkRange(problems, "pe.output_buffer_bytes", hw.outputBufferBytes, 1,
             kMaxBytes);
  // A signed mapping needs room for its second column or row (or, under
  // `of`, for the reference column next to at least one weight column).
  if (hw.signedMapping == SignedWeightMapping::DifferentialRow && hw.rows == 1)
    problems.push_back({"crossbar.rows", "must be at least 2 for the "
                                         "differential-row mapping (dr)"});
  if (hw.signedMapping != SignedWeightMapping::DifferentialRow && hw.cols == 1)
    problems.push_back(
        {"crossbar.cols", std::string("must be at least 2 for the ") +
                              (hw.signedMapping == SignedWeightMapping::Offset
                                   ? "offset mapping (of)"
                                   : "differential-column mapping (dc)")});
  if (hw.mvmStepPs == 0)
    problems.push_back({"timing.mvm_step_ns", "must be positive, got 0"});
  for (auto [path, ps] :
       {std::pair<const char *, uint64_t>{"timing.mvm_step_ns", hw.mvmStepPs},
        {"timing.adc_conversion_ns", hw.adcConversionPs},
        {"timing.crossbar_write_ns", hw.crossbarWritePs},
        {"timing.digital_op_ns", hw.digitalOpPs}})
    if (ps > kMaxPs)
      problems.push_back({path, "must be at most " + formatPsAsNs(kMaxPs) +
                                    " ns, got " + formatPsAsNs(ps)});
  checkBandwidth(problems, "timing.buffer_bandwidth_gb_per_s",
                 hw.bufferBandwidth);
  checkBandwidth(problems, "timing.interconnect_bandwidth_gb_per_s",
                 hw.interconnectBandwidth);
  checkEnergy(problems, "energy.mvm_step_pj", hw.mvmStepPj);
  checkEnergy(problems, "energy.adc_conversion_pj", hw.adcConversionPj);
  checkEnergy(problems, "energy.crossbar_write_pj", hw.crossbarWritePj);
  checkEnergy(problems, "energy.digital_op_pj", hw.digitalOpPj);
  checkEnergy(problems, "energy.buffer_pj_per_byte", hw.bufferPjPerByte);
  checkEnergy(problems, "energy.interconnect_pj_per_byte",
              hw.interconnectPjPerByte);
  return problems;
}

/// Nanoseconds as written to whole picoseconds.
static std::optional<uint64_t> toPicoseconds(double ns, StringRef path,
                                             Problems &problems) {
  if (!std::isfinite(ns) || ns < 0) {
    problems.push_back({path.str(), "must be a finite non-negative number of "
                                    "nanoseconds, got " +
                                        formatNumber(ns)});
    return std::nullopt;
  }
  double ps = ns * 1000.0;
  if (ps > double(kMaxPs)) {
    problems.push_back({path.str(), "must be at most " + formatPsAsNs(kMaxPs) +
                                        " ns, got " + formatNumber(ns)});
    return std::nullopt;
  }
  double rounded = std::round(ps);
  if (std::fabs(ps - rounded) > 1e-6 * std::max(1.0, rounded)) {
    problems.push_back({path.str(), "must be a whole number of picoseconds "
                                    "(at most 3 decimals in ns), got " +
                                        formatNumber(ns)});
    return std::nullopt;
  }
  return uint64_t(rounded);
}

static std::optional<HardwareDescription> convert(const RawDescription &raw,
                                                  Problems &problems) {
  HardwareDescription hw;
  hw.name = raw.name;
  hw.source = raw.source;
  size_t before = problems.size();
  auto unsignedField = [&](StringRef path, int64_t value, int64_t lo,
                           int64_t hi) -> unsigned {
    checkRange(problems, path, value, lo, hi);
    return value < lo || value > hi ? 0 : unsigned(value);
  };
  hw.clockMhz = unsignedField("clock_mhz", raw.clockMhz, 1, 1000000);
  hw.pes = raw.chip.pes;
  hw.crossbarsPerPe = raw.chip.crossbarsPerPe;
  hw.globalBufferBytes = raw.chip.globalBufferBytes;
  hw.rows = raw.crossbar.rows;
  hw.cols = raw.crossbar.cols;
  hw.cellBits =
      unsignedField("crossbar.cell_bits", raw.crossbar.cellBits, 1, 8);
  hw.signedMapping = raw.crossbar.signedMapping;
  hw.dacBits =
      unsignedField("converters.dac_bits", raw.converters.dacBits, 1, 8);
  hw.adcBits =
      unsignedField("converters.adc_bits", raw.converters.adcBits, 1, 32);
  hw.colsPerAdc = raw.converters.colsPerAdc;
  hw.digitalLanes = raw.pe.digitalLanes;
  hw.inputBufferBytes = raw.pe.inputBufferBytes;
  hw.outputBufferBytes = raw.pe.outputBufferBytes;
  hw.weightRewrite = raw.mapping.weightRewrite;
  auto ps = [&](StringRef path, double ns) {
    return toPicoseconds(ns, path, problems).value_or(1);
  };
  hw.mvmStepPs = ps("timing.mvm_step_ns", raw.timing.mvmStepNs);
  hw.adcConversionPs =
      ps("timing.adc_conversion_ns", raw.timing.adcConversionNs);
  hw.crossbarWritePs =
      ps("timing.crossbar_write_ns", raw.timing.crossbarWriteNs);
  hw.digitalOpPs = ps("timing.digital_op_ns", raw.timing.digitalOpNs);
  hw.bufferBandwidth = raw.timing.buffer;
  hw.interconnectBandwidth = raw.timing.interconnect;
  hw.mvmStepPj = raw.energy.mvmStepPj;
  hw.adcConversionPj = raw.energy.adcConversionPj;
  hw.crossbarWritePj = raw.energy.crossbarWritePj;
  hw.digitalOpPj = raw.energy.digitalOpPj;
  hw.bufferPjPerByte = raw.energy.bufferPjPerByte;
  hw.interconnectPjPerByte = raw.energy.interconnectPjPerByte;

  // Range checks above already reported the narrowed fields; report every
  // other problem once.
  for (auto &problem : validateHardwareDescription(hw)) {
    bool duplicate = llvm::any_of(
        llvm::make_range(problems.begin() + before, problems.end()),
        [&](const auto &p) { return p.first == problem.first; });
    if (!duplicate)
      problems.push_back(problem);
  }
  if (problems.size() != before)
    return std::nullopt;
  return hw;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

std::optional<HardwareDescription> mlir::cim::hw::parseHardwareDescription(
    StringRef text, StringRef fileName,
    std::vector<HardwareDiagnostic> &diagnostics) {
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer(text, fileName,
                                       /*RequiresNullTerminator=*/false),
      llvm::SMLoc());
  Reporter reporter(sourceMgr, fileName, diagnostics);
  size_t before = reporter.count();
  // The YAML parser recurses once per nested collection.
  if (size_t at = mlir::cim::findDeepNesting(text, kMaxNesting);
      at != StringRef::npos) {
    reporter.report(text.data() + at, "nested more than " +
                                          std::to_string(kMaxNesting) +
                                          " levels deep");
    return std::nullopt;
  }

  // Pass 1: where every field is. Syntax errors surface in pass 2.
  FieldIndex index;
  {
    llvm::SourceMgr quiet;
    quiet.setDiagHandler([](const llvm::SMDiagnostic &, void *) {});
    llvm::yaml::Stream stream(text, quiet);
    llvm::yaml::document_iterator doc = stream.begin();
    if (doc != stream.end())
      index.walk(doc->getRoot(), "");
  }

  // Keys the schema does not know, all of them and before YAML I/O, which
  // stops at its first problem (often a required key the typo hides).
  std::vector<std::pair<const char *, std::string>> unknown;
  for (auto &[at, entry] : index.keys)
    if (!getKnownPaths().count(entry.path))
      unknown.push_back({at, entry.path});
  llvm::sort(unknown);
  for (auto &[at, path] : unknown)
    reporter.report(at, path + ": unknown key");
  if (!unknown.empty())
    return std::nullopt;

  // Pass 2: YAML I/O onto the raw struct.
  RawDescription raw;
  struct Context {
    Reporter *reporter;
    FieldIndex *index;
  } context{&reporter, &index};
  llvm::yaml::Input input(
      llvm::MemoryBufferRef(text, fileName), nullptr,
      [](const llvm::SMDiagnostic &diag, void *ctx) {
        auto *c = static_cast<Context *>(ctx);
        const char *at = diag.getLoc().getPointer();
        std::string message =
            describeYamlError(*c->index, at, diag.getMessage());
        c->reporter->report(at, message);
      },
      &context);
  input >> raw;
  if (input.error() || reporter.count() != before) {
    if (reporter.count() == before)
      reporter.report(nullptr, "not a valid hardware description");
    return std::nullopt;
  }

  Problems problems;
  std::optional<HardwareDescription> hw = convert(raw, problems);
  for (auto &[path, message] : problems) {
    auto it = index.valueOfPath.find(path);
    reporter.report(it != index.valueOfPath.end() ? it->second : nullptr,
                    path + ": " + message);
  }
  return hw;
}

std::optional<HardwareDescription> mlir::cim::hw::loadHardwareDescription(
    StringRef path, std::vector<HardwareDiagnostic> &diagnostics) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    HardwareDiagnostic diag;
    diag.file = path.str();
    diag.message =
        "cannot read hardware description: " + buffer.getError().message();
    diagnostics.push_back(std::move(diag));
    return std::nullopt;
  }
  return parseHardwareDescription((*buffer)->getBuffer(), path, diagnostics);
}

std::string
mlir::cim::hw::printHardwareDescription(const HardwareDescription &hw) {
  std::string out;
  llvm::raw_string_ostream os(out);
  auto bw = [](const Bandwidth &b) {
    return b.unlimited ? std::string("unlimited") : formatNumber(b.gbPerS);
  };
  os << "name: " << hw.name << "\n";
  if (!hw.source.empty())
    os << "source: \"" << llvm::yaml::escape(hw.source) << "\"\n";
  os << "clock_mhz: " << hw.clockMhz << "\n"
     << "chip:\n"
     << "  pes: " << hw.pes << "\n"
     << "  crossbars_per_pe: " << hw.crossbarsPerPe << "\n"
     << "  global_buffer_bytes: " << hw.globalBufferBytes << "\n"
     << "crossbar:\n"
     << "  rows: " << hw.rows << "\n"
     << "  cols: " << hw.cols << "\n"
     << "  cell_bits: " << hw.cellBits << "\n"
     << "  signed_mapping: " << stringify(hw.signedMapping) << "\n"
     << "converters:\n"
     << "  dac_bits: " << hw.dacBits << "\n"
     << "  adc_bits: " << hw.adcBits << "\n"
     << "  cols_per_adc: " << hw.colsPerAdc << "\n"
     << "pe:\n"
     << "  digital_lanes: " << hw.digitalLanes << "\n"
     << "  input_buffer_bytes: " << hw.inputBufferBytes << "\n"
     << "  output_buffer_bytes: " << hw.outputBufferBytes << "\n"
     << "mapping:\n"
     << "  weight_rewrite: " << stringify(hw.weightRewrite) << "\n"
     << "timing:\n"
     << "  mvm_step_ns: " << formatPsAsNs(hw.mvmStepPs) << "\n"
     << "  adc_conversion_ns: " << formatPsAsNs(hw.adcConversionPs) << "\n"
     << "  crossbar_write_ns: " << formatPsAsNs(hw.crossbarWritePs) << "\n"
     << "  digital_op_ns: " << formatPsAsNs(hw.digitalOpPs) << "\n"
     << "  buffer_bandwidth_gb_per_s: " << bw(hw.bufferBandwidth) << "\n"
     << "  interconnect_bandwidth_gb_per_s: " << bw(hw.interconnectBandwidth)
     << "\n"
     << "energy:\n"
     << "  mvm_step_pj: " << formatNumber(hw.mvmStepPj) << "\n"
     << "  adc_conversion_pj: " << formatNumber(hw.adcConversionPj) << "\n"
     << "  crossbar_write_pj: " << formatNumber(hw.crossbarWritePj) << "\n"
     << "  digital_op_pj: " << formatNumber(hw.digitalOpPj) << "\n"
     << "  buffer_pj_per_byte: " << formatNumber(hw.bufferPjPerByte) << "\n"
     << "  interconnect_pj_per_byte: " << formatNumber(hw.interconnectPjPerByte)
     << "\n";
  return out;
}

std::string mlir::cim::hw::getPresetDirectory() {
  if (const char *dir = std::getenv("CIM_HW_DIR"))
    if (*dir)
      return dir;
  return CIM_HW_PRESET_DIR;
}

StringRef mlir::cim::hw::getDefaultPresetName() { return "rram-tiled"; }

std::string mlir::cim::hw::resolveHardwarePath(StringRef nameOrPath) {
  if (nameOrPath.empty())
    nameOrPath = getDefaultPresetName();
  // A name without a directory or extension is a preset.
  if (!nameOrPath.contains('/') && !nameOrPath.endswith(".yaml") &&
      !nameOrPath.endswith(".yml")) {
    llvm::SmallString<256> path(getPresetDirectory());
    llvm::sys::path::append(path, nameOrPath + ".yaml");
    return std::string(path);
  }
  return nameOrPath.str();
}
