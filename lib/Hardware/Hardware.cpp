//===- Hardware.cpp - CIM hardware description ----------------------------===//
//
// One table (kFields) lists every field of the description with its path,
// its place in HardwareDescription, how it is written and its value range.
// Reading walks LLVM's YAML node tree and fills the fields the table names,
// so every message names the field and points at its line and column;
// printing and validation walk the same table.
//
//===----------------------------------------------------------------------===//

#include "cim/Hardware/Hardware.h"
#include "cim/Support/Text.h"
#include "cim/Support/YamlDocument.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLParser.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <variant>

#ifndef CIM_HW_PRESET_DIR
#define CIM_HW_PRESET_DIR "models/hw"
#endif

using namespace mlir::cim::hw;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// Enums and small helpers
//===----------------------------------------------------------------------===//

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

unsigned HardwareDescription::getExactAdcBits() const {
  // The largest magnitude of a column sum, in 128 bits (rows up to 2^16,
  // levels up to 2^8 each).
  unsigned __int128 levels =
      (unsigned __int128)((1u << cellBits) - 1) * ((1u << dacBits) - 1);
  bool differential = signedMapping == SignedWeightMapping::DifferentialRow;
  unsigned __int128 top =
      (unsigned __int128)(differential ? rows / 2 : rows) * levels;
  unsigned bits = 0;
  while ((unsigned __int128)1 << bits <= top)
    ++bits;
  return std::max(1u, bits + (differential ? 1 : 0));
}

uint64_t HardwareDescription::toCycles(uint64_t picoseconds) const {
  // cycles = ceil(ps * MHz / 1e6), in 128 bits so that it cannot overflow.
  unsigned __int128 scaled = (unsigned __int128)picoseconds * clockMhz;
  return uint64_t((scaled + 999999) / 1000000);
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
// The field table
//===----------------------------------------------------------------------===//

namespace {
using HW = HardwareDescription;

/// How a field is written, read and checked.
enum class Kind {
  /// The description's name (plain scalar) and provenance (quoted,
  /// optional).
  Name,
  Source,
  /// A count (int64_t) and a small unsigned number (`unsigned`, narrowed
  /// while reading), both range-checked.
  Count,
  Small,
  /// A count that must be a power of two.
  PowerOfTwo,
  /// The clock (uint64_t MHz).
  Clock,
  /// A time written in nanoseconds, held in whole picoseconds.
  Time,
  /// Picojoules: finite and non-negative.
  Energy,
  /// Square micrometres, finite and non-negative: the fields of the
  /// optional `area` section (all of them when it is there).
  Area,
  Bandwidth,
  SignedMapping,
  Rewrite,
  /// A boolean (`true` or `false`), optional: absent, it keeps the
  /// description's default.
  Flag,
};

/// One field of the document: its dotted path, where it lives in the
/// description and its value range (Count, Small, PowerOfTwo: [lo, hi];
/// PowerOfTwo: at most hi).
struct Field {
  const char *path;
  Kind kind;
  std::variant<std::string HW::*, int64_t HW::*, unsigned HW::*, uint64_t HW::*,
               double HW::*, Bandwidth HW::*, SignedWeightMapping HW::*,
               WeightRewrite HW::*, bool HW::*>
      member;
  int64_t lo = 0, hi = 0;
};

// Limits keep every count and product inside 64 bits.
constexpr int64_t kMaxCount = int64_t(1) << 24;
constexpr int64_t kMaxBytes = int64_t(1) << 40;
constexpr uint64_t kMaxPs = uint64_t(1) << 50; // about 19 minutes
/// A description is three levels deep; nothing needs more than this.
constexpr unsigned kMaxNesting = 64;

/// Every field in document order: the one list that reading, printing and
/// validation walk (docs/hardware.md describes each field).
const Field kFields[] = {
    {"name", Kind::Name, &HW::name},
    {"source", Kind::Source, &HW::source},
    {"clock_mhz", Kind::Clock, &HW::clockMhz, 1, 1000000},
    {"chip.pes", Kind::Count, &HW::pes, 1, kMaxCount},
    {"chip.crossbars_per_pe", Kind::Count, &HW::crossbarsPerPe, 1, kMaxCount},
    {"chip.global_buffer_bytes", Kind::Count, &HW::globalBufferBytes, 1,
     kMaxBytes},
    {"crossbar.rows", Kind::PowerOfTwo, &HW::rows, 1, 65536},
    {"crossbar.cols", Kind::PowerOfTwo, &HW::cols, 1, 65536},
    {"crossbar.cell_bits", Kind::Small, &HW::cellBits, 1, 8},
    {"crossbar.signed_mapping", Kind::SignedMapping, &HW::signedMapping},
    {"converters.dac_bits", Kind::Small, &HW::dacBits, 1, 8},
    {"converters.adc_bits", Kind::Small, &HW::adcBits, 1, 32},
    // At most crossbar.cols: checked with the rules between fields.
    {"converters.cols_per_adc", Kind::PowerOfTwo, &HW::colsPerAdc, 1, 0},
    {"pe.digital_lanes", Kind::Count, &HW::digitalLanes, 1, kMaxCount},
    {"pe.input_buffer_bytes", Kind::Count, &HW::inputBufferBytes, 1, kMaxBytes},
    {"pe.output_buffer_bytes", Kind::Count, &HW::outputBufferBytes, 1,
     kMaxBytes},
    {"mapping.weight_rewrite", Kind::Rewrite, &HW::weightRewrite},
    {"mapping.pack_groups", Kind::Flag, &HW::packGroups},
    {"timing.mvm_step_ns", Kind::Time, &HW::mvmStepPs},
    {"timing.adc_conversion_ns", Kind::Time, &HW::adcConversionPs},
    {"timing.crossbar_write_ns", Kind::Time, &HW::crossbarWritePs},
    {"timing.digital_op_ns", Kind::Time, &HW::digitalOpPs},
    {"timing.buffer_bandwidth_gb_per_s", Kind::Bandwidth, &HW::bufferBandwidth},
    {"timing.interconnect_bandwidth_gb_per_s", Kind::Bandwidth,
     &HW::interconnectBandwidth},
    {"energy.mvm_step_pj", Kind::Energy, &HW::mvmStepPj},
    {"energy.adc_conversion_pj", Kind::Energy, &HW::adcConversionPj},
    {"energy.crossbar_write_pj", Kind::Energy, &HW::crossbarWritePj},
    {"energy.digital_op_pj", Kind::Energy, &HW::digitalOpPj},
    {"energy.buffer_pj_per_byte", Kind::Energy, &HW::bufferPjPerByte},
    {"energy.interconnect_pj_per_byte", Kind::Energy,
     &HW::interconnectPjPerByte},
    {"area.cell_um2", Kind::Area, &HW::cellUm2},
    {"area.crossbar_periphery_um2", Kind::Area, &HW::crossbarPeripheryUm2},
    {"area.dac_um2", Kind::Area, &HW::dacUm2},
    {"area.adc_um2", Kind::Area, &HW::adcUm2},
    {"area.digital_lane_um2", Kind::Area, &HW::digitalLaneUm2},
    {"area.buffer_um2_per_byte", Kind::Area, &HW::bufferUm2PerByte},
    {"area.global_buffer_um2_per_byte", Kind::Area,
     &HW::globalBufferUm2PerByte},
    {"area.interconnect_um2_per_pe", Kind::Area, &HW::interconnectUm2PerPe},
};

/// The section whose fields are all present or all absent.
constexpr llvm::StringLiteral kAreaSection = "area";

template <typename T> T &get(HW &hw, const Field &field) {
  return hw.*std::get<T HW::*>(field.member);
}
template <typename T> const T &get(const HW &hw, const Field &field) {
  return hw.*std::get<T HW::*>(field.member);
}

/// "chip" of "chip.pes" ("" for a top-level field), and "pes".
std::pair<StringRef, StringRef> splitPath(StringRef path) {
  auto [section, key] = path.rsplit('.');
  if (key.empty())
    return {"", section};
  return {section, key};
}

/// The enums' spellings, for reading and for messages.
template <typename E> struct EnumValues;
template <> struct EnumValues<SignedWeightMapping> {
  static constexpr SignedWeightMapping all[] = {
      SignedWeightMapping::DifferentialColumn, SignedWeightMapping::Offset,
      SignedWeightMapping::DifferentialRow};
};
template <> struct EnumValues<WeightRewrite> {
  static constexpr WeightRewrite all[] = {
      WeightRewrite::Never, WeightRewrite::IfNeeded, WeightRewrite::Always};
};

StringRef spell(SignedWeightMapping mapping) {
  return stringifySignedMapping(mapping);
}
StringRef spell(WeightRewrite rewrite) { return stringify(rewrite); }

template <typename E>
std::optional<std::string> parseEnum(StringRef text, E &value) {
  std::string names;
  for (E candidate : EnumValues<E>::all) {
    if (text == spell(candidate)) {
      value = candidate;
      return std::nullopt;
    }
    names += (names.empty() ? "" : ", ") + spell(candidate).str();
  }
  return "must be one of " + names;
}
} // namespace

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

/// The checks of one field on its own.
void checkField(Problems &problems, const HW &hw, const Field &field) {
  StringRef path = field.path;
  switch (field.kind) {
  case Kind::Name: {
    const std::string &name = get<std::string>(hw, field);
    if (name.empty())
      problems.push_back({path.str(), "must not be empty"});
    else if (!llvm::all_of(name, [](char c) {
               return llvm::isAlnum(c) || c == '-' || c == '_' || c == '.';
             }))
      problems.push_back({path.str(), "may only hold letters, digits, '-', "
                                      "'_' and '.', got '" +
                                          name + "'"});
    return;
  }
  case Kind::Count:
    return checkRange(problems, path, get<int64_t>(hw, field), field.lo,
                      field.hi);
  case Kind::Small:
    return checkRange(problems, path, get<unsigned>(hw, field), field.lo,
                      field.hi);
  case Kind::Clock:
    return checkRange(problems, path, int64_t(get<uint64_t>(hw, field)),
                      field.lo, field.hi);
  case Kind::PowerOfTwo:
    if (field.hi) // cols_per_adc: with the rules between fields
      checkPowerOfTwo(problems, path, get<int64_t>(hw, field), field.hi);
    return;
  case Kind::Time: {
    uint64_t ps = get<uint64_t>(hw, field);
    if (ps > kMaxPs)
      problems.push_back({path.str(), "must be at most " +
                                          formatPsAsNs(kMaxPs) + " ns, got " +
                                          formatPsAsNs(ps)});
    return;
  }
  case Kind::Energy:
  case Kind::Area: {
    if (field.kind == Kind::Area && !hw.hasArea)
      return;
    double value = get<double>(hw, field);
    if (!std::isfinite(value) || value < 0)
      problems.push_back(
          {path.str(), std::string("must be a finite non-negative number "
                                   "of ") +
                           (field.kind == Kind::Area ? "square micrometres"
                                                     : "picojoules") +
                           ", got " + formatNumber(value)});
    return;
  }
  case Kind::Bandwidth: {
    const Bandwidth &value = get<Bandwidth>(hw, field);
    if (!value.unlimited && (!std::isfinite(value.gbPerS) || value.gbPerS <= 0))
      problems.push_back({path.str(), "must be a positive number of GB/s or "
                                      "'unlimited', got " +
                                          formatNumber(value.gbPerS)});
    return;
  }
  case Kind::Source:
  case Kind::SignedMapping:
  case Kind::Rewrite:
  case Kind::Flag:
    return;
  }
}
} // namespace

std::vector<std::pair<std::string, std::string>>
mlir::cim::hw::validateHardwareDescription(const HardwareDescription &hw) {
  Problems problems;
  for (const Field &field : kFields) {
    checkField(problems, hw, field);
    StringRef path = field.path;
    // The rules between fields, reported at the field they constrain.
    if (path == "converters.cols_per_adc" && hw.cols >= 1)
      checkPowerOfTwo(problems, path, hw.colsPerAdc, hw.cols);
    if (path == "mapping.weight_rewrite") {
      // A signed mapping needs room for its second column or row (or,
      // under `of`, for the reference column next to a weight column).
      if (hw.signedMapping == SignedWeightMapping::DifferentialRow &&
          hw.rows == 1)
        problems.push_back({"crossbar.rows", "must be at least 2 for the "
                                             "differential-row mapping (dr)"});
      if (hw.signedMapping != SignedWeightMapping::DifferentialRow &&
          hw.cols == 1)
        problems.push_back({"crossbar.cols",
                            std::string("must be at least 2 for the ") +
                                (hw.signedMapping == SignedWeightMapping::Offset
                                     ? "offset mapping (of)"
                                     : "differential-column mapping (dc)")});
    }
    if (path == "timing.mvm_step_ns" && hw.mvmStepPs == 0)
      problems.push_back({path.str(), "must be positive, got 0"});
  }
  return problems;
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

namespace {
using mlir::cim::YamlDocument;

/// Nanoseconds as written to whole picoseconds.
std::optional<uint64_t> toPicoseconds(double ns, StringRef path,
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

/// Reads one scalar into `hw`. Returns the message of a malformed scalar
/// (reported at the value with the text as written); a well-formed value
/// outside what the field can hold goes to `problems`.
std::optional<std::string> readField(HW &hw, const Field &field, StringRef text,
                                     Problems &problems) {
  auto integer = [&](int64_t &out) -> std::optional<std::string> {
    if (text.getAsInteger(0, out))
      return std::string("invalid number");
    return std::nullopt;
  };
  auto number = [&](double &out) -> std::optional<std::string> {
    if (!llvm::to_float(text, out))
      return std::string("invalid floating point number");
    return std::nullopt;
  };
  switch (field.kind) {
  case Kind::Name:
  case Kind::Source:
    get<std::string>(hw, field) = text.str();
    return std::nullopt;
  case Kind::Count:
  case Kind::PowerOfTwo:
    return integer(get<int64_t>(hw, field));
  case Kind::Small:
  case Kind::Clock: {
    int64_t value;
    if (auto error = integer(value))
      return error;
    // Narrowed into the field: a value it cannot hold is reported here and
    // the field keeps 0.
    checkRange(problems, field.path, value, field.lo, field.hi);
    bool fits = value >= field.lo && value <= field.hi;
    if (field.kind == Kind::Small)
      get<unsigned>(hw, field) = fits ? unsigned(value) : 0;
    else
      get<uint64_t>(hw, field) = fits ? uint64_t(value) : 0;
    return std::nullopt;
  }
  case Kind::Time: {
    double ns;
    if (auto error = number(ns))
      return error;
    get<uint64_t>(hw, field) =
        toPicoseconds(ns, field.path, problems).value_or(1);
    return std::nullopt;
  }
  case Kind::Energy:
    return number(get<double>(hw, field));
  case Kind::Area:
    hw.hasArea = true;
    return number(get<double>(hw, field));
  case Kind::Bandwidth: {
    if (text == "unlimited") {
      get<Bandwidth>(hw, field) = Bandwidth::getUnlimited();
      return std::nullopt;
    }
    double gbPerS;
    if (!llvm::to_float(text, gbPerS))
      return std::string("must be a number of GB/s or 'unlimited'");
    get<Bandwidth>(hw, field) = Bandwidth::get(gbPerS);
    return std::nullopt;
  }
  case Kind::SignedMapping:
    return parseEnum(text, get<SignedWeightMapping>(hw, field));
  case Kind::Rewrite:
    return parseEnum(text, get<WeightRewrite>(hw, field));
  case Kind::Flag:
    if (text != "true" && text != "false")
      return std::string("must be true or false");
    get<bool>(hw, field) = text == "true";
    return std::nullopt;
  }
  return std::nullopt;
}

/// Whether `path` names a field or a section of the schema.
bool isKnownPath(StringRef path) {
  return llvm::any_of(kFields, [&](const Field &field) {
    StringRef known = field.path;
    return known == path || splitPath(known).first == path;
  });
}
} // namespace

std::optional<HardwareDescription> mlir::cim::hw::parseHardwareDescription(
    StringRef text, StringRef fileName,
    std::vector<HardwareDiagnostic> &diagnostics) {
  std::unique_ptr<YamlDocument> parsed = YamlDocument::parse(
      text, fileName, "a valid hardware description", diagnostics, kMaxNesting);
  if (!parsed)
    return std::nullopt;
  YamlDocument &document = *parsed;
  const std::map<std::string, YamlDocument::Entry> &keys = document.getKeys();
  const std::map<std::string, YamlDocument::Entry> &values =
      document.getValues();

  // Keys the schema does not know, all of them, in document order.
  std::vector<std::pair<const char *, std::string>> unknown;
  for (auto &[path, entry] : keys)
    if (!isKnownPath(path))
      unknown.push_back({entry.at, path});
  llvm::sort(unknown);
  for (auto &[at, path] : unknown)
    document.report(at, path + ": unknown key");
  if (!unknown.empty())
    return std::nullopt;

  // Every field: present (unless optional), the right shape, well formed.
  // The first problem in the table's order is reported: a truncated file
  // gives one line, not one per field it lacks.
  HardwareDescription hw;
  Problems problems;
  const char *start = document.getStart();
  bool hasArea = keys.count(kAreaSection.str()) != 0;
  for (const Field &field : kFields) {
    auto [section, key] = splitPath(field.path);
    auto found = values.find(field.path);
    if (found == values.end()) {
      if (field.kind == Kind::Source || field.kind == Kind::Flag ||
          (field.kind == Kind::Area && !hasArea))
        continue;
      if (section.empty()) {
        document.report(start, key.str() + ": required key is missing");
        return std::nullopt;
      }
      auto sectionValue = values.find(section.str());
      if (sectionValue == values.end()) {
        document.report(start, section.str() + ": required key is missing");
        return std::nullopt;
      }
      if (!sectionValue->second.node->isMapping()) {
        document.report(sectionValue->second.at,
                        section.str() + ": must be a mapping of its fields");
        return std::nullopt;
      }
      // At the section's key.
      document.report(keys.at(section.str()).at,
                      std::string(field.path) + ": required key is missing");
      return std::nullopt;
    }
    const YamlDocument::Entry &value = found->second;
    if (!value.node->isScalar()) {
      document.report(value.at,
                      std::string(field.path) + ": must be a single value");
      return std::nullopt;
    }
    std::string scalar = YamlDocument::getScalar(value.node);
    if (std::optional<std::string> error =
            readField(hw, field, scalar, problems)) {
      document.report(value.at, std::string(field.path) + ": " + *error +
                                    ", got '" + scalar + "'");
      return std::nullopt;
    }
  }

  // The values' checks; a field already reported while reading is not
  // reported again.
  size_t narrowed = problems.size();
  for (auto &problem : validateHardwareDescription(hw)) {
    bool duplicate = llvm::any_of(
        llvm::make_range(problems.begin(), problems.begin() + narrowed),
        [&](const auto &p) { return p.first == problem.first; });
    if (!duplicate)
      problems.push_back(problem);
  }
  for (auto &[path, message] : problems) {
    auto it = values.find(path);
    document.report(it != values.end() ? it->second.at : nullptr,
                    path + ": " + message);
  }
  if (!problems.empty())
    return std::nullopt;
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

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

std::string
mlir::cim::hw::printHardwareDescription(const HardwareDescription &hw) {
  std::string out;
  llvm::raw_string_ostream os(out);
  StringRef current;
  for (const Field &field : kFields) {
    auto [section, key] = splitPath(field.path);
    if ((field.kind == Kind::Source && hw.source.empty()) ||
        (field.kind == Kind::Area && !hw.hasArea))
      continue;
    if (section != current && !section.empty())
      os << section << ":\n";
    current = section;
    os << (section.empty() ? "" : "  ") << key << ": ";
    switch (field.kind) {
    case Kind::Name:
      os << hw.name;
      break;
    case Kind::Source:
      os << '"' << llvm::yaml::escape(hw.source) << '"';
      break;
    case Kind::Count:
    case Kind::PowerOfTwo:
      os << get<int64_t>(hw, field);
      break;
    case Kind::Small:
      os << get<unsigned>(hw, field);
      break;
    case Kind::Clock:
      os << get<uint64_t>(hw, field);
      break;
    case Kind::Time:
      os << formatPsAsNs(get<uint64_t>(hw, field));
      break;
    case Kind::Energy:
    case Kind::Area:
      os << formatNumber(get<double>(hw, field));
      break;
    case Kind::Bandwidth: {
      const Bandwidth &b = get<Bandwidth>(hw, field);
      os << (b.unlimited ? std::string("unlimited") : formatNumber(b.gbPerS));
      break;
    }
    case Kind::SignedMapping:
      os << stringifySignedMapping(hw.signedMapping);
      break;
    case Kind::Rewrite:
      os << stringify(hw.weightRewrite);
      break;
    case Kind::Flag:
      os << (get<bool>(hw, field) ? "true" : "false");
      break;
    }
    os << "\n";
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Area and fields by path
//===----------------------------------------------------------------------===//

std::optional<AreaBreakdown>
mlir::cim::hw::computeArea(const HardwareDescription &hw) {
  if (!hw.hasArea)
    return std::nullopt;
  double crossbars = double(hw.pes) * double(hw.crossbarsPerPe);
  double pes = double(hw.pes);
  AreaBreakdown area;
  auto add = [&](const char *name, double um2) {
    area.components.push_back({name, um2 * 1e-6});
    area.totalMm2 += um2 * 1e-6;
  };
  add("cells", crossbars * double(hw.rows) * double(hw.cols) * hw.cellUm2);
  add("crossbar periphery", crossbars * hw.crossbarPeripheryUm2);
  add("DACs", crossbars * double(hw.rows) * hw.dacUm2);
  add("ADCs", crossbars * double(hw.getAdcsPerCrossbar()) * hw.adcUm2);
  add("digital lanes", pes * double(hw.digitalLanes) * hw.digitalLaneUm2);
  add("PE buffers", pes * double(hw.inputBufferBytes + hw.outputBufferBytes) *
                        hw.bufferUm2PerByte);
  add("global buffer",
      double(hw.globalBufferBytes) * hw.globalBufferUm2PerByte);
  add("interconnect", pes * hw.interconnectUm2PerPe);
  return area;
}

std::optional<std::string>
mlir::cim::hw::setHardwareField(HardwareDescription &hw, StringRef path,
                                StringRef text) {
  const Field *field =
      llvm::find_if(kFields, [&](const Field &f) { return path == f.path; });
  if (field == std::end(kFields))
    return path.str() + ": no such field";
  Problems problems;
  if (std::optional<std::string> error = readField(hw, *field, text, problems))
    return path.str() + ": " + *error + ", got '" + text.str() + "'";
  if (!problems.empty())
    return problems.front().first + ": " + problems.front().second;
  return std::nullopt;
}

std::vector<std::string> mlir::cim::hw::getHardwareFieldPaths() {
  std::vector<std::string> paths;
  for (const Field &field : kFields)
    paths.push_back(field.path);
  return paths;
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
