//===- HardwareTest.cpp - Hardware description: parsing, validation -------===//

#include "cim/Hardware/Hardware.h"
#include "cim/Hardware/Processor.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "gtest/gtest.h"

#include <set>

using namespace mlir::cim::hw;

namespace {

/// A complete, valid description; tests change one line at a time.
const char *kValid = R"(name: test-chip
source: "unit test"
clock_mhz: 500
chip:
  pes: 4
  crossbars_per_pe: 2
  global_buffer_bytes: 65536
crossbar:
  rows: 64
  cols: 32
  cell_bits: 2
  signed_mapping: of
converters:
  dac_bits: 1
  adc_bits: 8
  cols_per_adc: 8
pe:
  digital_lanes: 4
  input_buffer_bytes: 1024
  output_buffer_bytes: 256
mapping:
  weight_rewrite: if_needed
timing:
  mvm_step_ns: 100
  adc_conversion_ns: 0.781
  crossbar_write_ns: 28000
  digital_op_ns: 2
  buffer_bandwidth_gb_per_s: 4.8
  interconnect_bandwidth_gb_per_s: unlimited
energy:
  mvm_step_pj: 80
  adc_conversion_pj: 1.56
  crossbar_write_pj: 1000
  digital_op_pj: 0.2
  buffer_pj_per_byte: 2
  interconnect_pj_per_byte: 8
)";

/// kValid with the first line that starts with `prefix` (after indentation)
/// replaced by `line` (same indentation), or removed when `line` is empty.
std::string edit(llvm::StringRef prefix, llvm::StringRef line) {
  std::string text = kValid;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    llvm::StringRef current(text.data() + pos, end - pos);
    llvm::StringRef trimmed = current.ltrim();
    if (trimmed.startswith(prefix)) {
      std::string indent(current.size() - trimmed.size(), ' ');
      if (line.empty())
        text.erase(pos, end - pos + 1);
      else
        text.replace(pos, end - pos, indent + line.str());
      return text;
    }
    pos = end + 1;
  }
  ADD_FAILURE() << "no line starts with " << prefix.str();
  return text;
}

/// The diagnostics of parsing `text` as "x.yaml", one string each.
std::vector<std::string> errorsOf(const std::string &text) {
  std::vector<HardwareDiagnostic> diags;
  std::optional<HardwareDescription> hw =
      parseHardwareDescription(text, "x.yaml", diags);
  EXPECT_FALSE(hw.has_value());
  std::vector<std::string> out;
  for (const HardwareDiagnostic &d : diags)
    out.push_back(d.str());
  return out;
}

std::string firstError(const std::string &text) {
  std::vector<std::string> errors = errorsOf(text);
  return errors.empty() ? "" : errors.front();
}

TEST(HardwareTest, ParsesEveryField) {
  std::vector<HardwareDiagnostic> diags;
  std::optional<HardwareDescription> hw =
      parseHardwareDescription(kValid, "x.yaml", diags);
  ASSERT_TRUE(hw.has_value()) << (diags.empty() ? "" : diags[0].str());
  EXPECT_TRUE(diags.empty());
  EXPECT_EQ(hw->name, "test-chip");
  EXPECT_EQ(hw->source, "unit test");
  EXPECT_EQ(hw->clockMhz, 500u);
  EXPECT_EQ(hw->pes, 4);
  EXPECT_EQ(hw->crossbarsPerPe, 2);
  EXPECT_EQ(hw->globalBufferBytes, 65536);
  EXPECT_EQ(hw->rows, 64);
  EXPECT_EQ(hw->cols, 32);
  EXPECT_EQ(hw->cellBits, 2u);
  EXPECT_EQ(hw->signedMapping, SignedWeightMapping::Offset);
  EXPECT_EQ(hw->dacBits, 1u);
  EXPECT_EQ(hw->adcBits, 8u);
  EXPECT_EQ(hw->colsPerAdc, 8);
  EXPECT_EQ(hw->digitalLanes, 4);
  EXPECT_EQ(hw->inputBufferBytes, 1024);
  EXPECT_EQ(hw->outputBufferBytes, 256);
  EXPECT_EQ(hw->weightRewrite, WeightRewrite::IfNeeded);
  EXPECT_EQ(hw->mvmStepPs, 100000u);
  EXPECT_EQ(hw->adcConversionPs, 781u);
  EXPECT_EQ(hw->crossbarWritePs, 28000000u);
  EXPECT_EQ(hw->digitalOpPs, 2000u);
  EXPECT_FALSE(hw->bufferBandwidth.unlimited);
  EXPECT_DOUBLE_EQ(hw->bufferBandwidth.gbPerS, 4.8);
  EXPECT_TRUE(hw->interconnectBandwidth.unlimited);
  EXPECT_DOUBLE_EQ(hw->mvmStepPj, 80);
  EXPECT_DOUBLE_EQ(hw->adcConversionPj, 1.56);
  EXPECT_DOUBLE_EQ(hw->crossbarWritePj, 1000);
  EXPECT_DOUBLE_EQ(hw->digitalOpPj, 0.2);
  EXPECT_DOUBLE_EQ(hw->bufferPjPerByte, 2);
  EXPECT_DOUBLE_EQ(hw->interconnectPjPerByte, 8);
}

TEST(HardwareTest, DerivedQuantities) {
  std::vector<HardwareDiagnostic> diags;
  HardwareDescription hw = *parseHardwareDescription(kValid, "x", diags);
  EXPECT_EQ(hw.getNumCrossbars(), 8);
  EXPECT_EQ(hw.getAdcsPerCrossbar(), 4);
  // of: one reference column, no doubling.
  EXPECT_EQ(hw.getUsableCols(), 31);
  EXPECT_EQ(hw.getPhysicalColsPerWeightCol(), 1);
  EXPECT_EQ(hw.getWeightRowsPerCrossbar(), 64);
  hw.signedMapping = SignedWeightMapping::DifferentialColumn;
  EXPECT_EQ(hw.getUsableCols(), 32);
  EXPECT_EQ(hw.getPhysicalColsPerWeightCol(), 2);
  EXPECT_EQ(hw.getPhysicalRowsPerWeightRow(), 1);
  hw.signedMapping = SignedWeightMapping::DifferentialRow;
  EXPECT_EQ(hw.getPhysicalRowsPerWeightRow(), 2);
  EXPECT_EQ(hw.getWeightRowsPerCrossbar(), 32);
  // 500 MHz: 2 ns per cycle, rounded up.
  EXPECT_EQ(hw.toCycles(0), 0u);
  EXPECT_EQ(hw.toCycles(2000), 1u);
  EXPECT_EQ(hw.toCycles(2001), 2u);
  EXPECT_EQ(hw.toCycles(uint64_t(1) << 50), (uint64_t(1) << 50) / 2000 + 1);
}

TEST(HardwareTest, BandwidthTransfer) {
  EXPECT_EQ(Bandwidth::getUnlimited().transferPs(1 << 20), 0u);
  // 4 GB/s = 4 bytes per ns: 10 bytes take 2.5 ns.
  EXPECT_EQ(Bandwidth::get(4).transferPs(10), 2500u);
  EXPECT_EQ(Bandwidth::get(3).transferPs(1), 334u); // 333.3 rounded up
  EXPECT_EQ(Bandwidth::get(4).transferPs(0), 0u);
}

TEST(HardwareTest, PrintParsesBack) {
  std::vector<HardwareDiagnostic> diags;
  HardwareDescription hw = *parseHardwareDescription(kValid, "x", diags);
  std::string printed = printHardwareDescription(hw);
  std::optional<HardwareDescription> again =
      parseHardwareDescription(printed, "printed", diags);
  ASSERT_TRUE(again.has_value()) << diags[0].str();
  EXPECT_EQ(printHardwareDescription(*again), printed);
  EXPECT_EQ(again->adcConversionPs, 781u);
  EXPECT_TRUE(again->interconnectBandwidth.unlimited);
}

TEST(HardwareTest, PackGroupsIsAnOptionalFlag) {
  std::vector<HardwareDiagnostic> diags;
  // Absent: groups are packed, and the printed description says so.
  HardwareDescription hw = *parseHardwareDescription(kValid, "x", diags);
  EXPECT_TRUE(hw.packGroups);
  EXPECT_NE(printHardwareDescription(hw).find("  pack_groups: true\n"),
            std::string::npos);
  std::string off =
      edit("weight_rewrite:", "weight_rewrite: never\n  pack_groups: false");
  std::optional<HardwareDescription> apart =
      parseHardwareDescription(off, "x", diags);
  ASSERT_TRUE(apart.has_value());
  EXPECT_FALSE(apart->packGroups);
  std::optional<HardwareDescription> again = parseHardwareDescription(
      printHardwareDescription(*apart), "printed", diags);
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->packGroups);
  EXPECT_EQ(firstError(edit("weight_rewrite:",
                            "weight_rewrite: never\n  pack_groups: 1")),
            "x.yaml:23:16: error: mapping.pack_groups: must be true or false, "
            "got '1'");
}

TEST(HardwareTest, LocatedSemanticError) {
  EXPECT_EQ(firstError(edit("rows:", "rows: 300")),
            "x.yaml:9:9: error: crossbar.rows: must be a positive power of "
            "two, got 300");
  EXPECT_EQ(firstError(edit("cols:", "cols: 0")),
            "x.yaml:10:9: error: crossbar.cols: must be a positive power of "
            "two, got 0");
}

TEST(HardwareTest, EverySemanticErrorIsReported) {
  std::string text = edit("rows:", "rows: 300");
  text.replace(text.find("cell_bits: 2"), 12, "cell_bits: 9");
  text.replace(text.find("mvm_step_pj: 80"), 15, "mvm_step_pj: -1");
  std::vector<std::string> errors = errorsOf(text);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0], "x.yaml:11:14: error: crossbar.cell_bits: must be in "
                       "[1, 8], got 9");
  EXPECT_EQ(errors[1], "x.yaml:9:9: error: crossbar.rows: must be a positive "
                       "power of two, got 300");
  EXPECT_EQ(errors[2], "x.yaml:31:16: error: energy.mvm_step_pj: must be a "
                       "finite non-negative number of picojoules, got -1");
}

TEST(HardwareTest, UnknownKeys) {
  // A misspelt key is reported as unknown (not as the required key it
  // hides), and every unknown key is reported.
  std::string text = edit("rows:", "rowz: 64");
  text.replace(text.find("  mvm_step_pj"), 0, "  leakage_mw: 3\n");
  text += "extra: 1\n";
  std::vector<std::string> errors = errorsOf(text);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0], "x.yaml:9:3: error: crossbar.rowz: unknown key");
  EXPECT_EQ(errors[1], "x.yaml:31:3: error: energy.leakage_mw: unknown key");
  EXPECT_EQ(errors[2], "x.yaml:38:1: error: extra: unknown key");
}

TEST(HardwareTest, MissingKey) {
  EXPECT_EQ(firstError(edit("cols_per_adc:", "")),
            "x.yaml:13:1: error: converters.cols_per_adc: required key is "
            "missing");
  EXPECT_EQ(firstError(edit("clock_mhz:", "")),
            "x.yaml:1:1: error: clock_mhz: required key is missing");
}

TEST(HardwareTest, MalformedScalars) {
  EXPECT_EQ(firstError(edit("pes:", "pes: many")),
            "x.yaml:5:8: error: chip.pes: invalid number, got 'many'");
  EXPECT_EQ(firstError(edit("signed_mapping:", "signed_mapping: twos")),
            "x.yaml:12:19: error: crossbar.signed_mapping: must be one of dc, "
            "of, dr, got 'twos'");
  EXPECT_EQ(firstError(edit("weight_rewrite:", "weight_rewrite: sometimes")),
            "x.yaml:22:19: error: mapping.weight_rewrite: must be one of "
            "never, if_needed, always, got 'sometimes'");
  EXPECT_EQ(
      firstError(edit("buffer_bandwidth", "buffer_bandwidth_gb_per_s: fast")),
      "x.yaml:28:30: error: timing.buffer_bandwidth_gb_per_s: must be a "
      "number of GB/s or 'unlimited', got 'fast'");
}

TEST(HardwareTest, MalformedStructure) {
  // A key written twice is an error at the second one (not a silent choice
  // of either value).
  std::string twice = edit("rows:", "rows: 64");
  twice.replace(twice.find("  cols: 32"), 0, "  rows: 32\n");
  EXPECT_EQ(firstError(twice),
            "x.yaml:10:3: error: crossbar.rows: appears twice");
  // A section that is a value, and a field that is a list.
  std::string text = kValid;
  const std::string section = "pe:\n  digital_lanes: 4\n  input_buffer_bytes: "
                              "1024\n  output_buffer_bytes: 256\n";
  text.replace(text.find(section), section.size(), "pe: 4\n");
  EXPECT_EQ(firstError(text),
            "x.yaml:17:5: error: pe: must be a mapping of its fields");
  EXPECT_EQ(firstError(edit("pes:", "pes: [1, 2]")),
            "x.yaml:5:9: error: chip.pes: must be a single value");
  // Not a mapping at all.
  EXPECT_EQ(firstError("- a\n"),
            "x.yaml:1:1: error: not a valid hardware description (expected a "
            "mapping of sections)");
}

TEST(HardwareTest, SyntaxError) {
  std::vector<std::string> errors = errorsOf("name: [unclosed\n");
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].rfind("x.yaml:", 0), 0u) << errors[0];
}

TEST(HardwareTest, RangeChecks) {
  auto expectError = [](llvm::StringRef prefix, llvm::StringRef line,
                        llvm::StringRef message) {
    std::string error = firstError(edit(prefix, line));
    EXPECT_NE(error.find(message.str()), std::string::npos) << "got: " << error;
  };
  expectError("name:", "name: \"\"", "name: must not be empty");
  expectError("name:", "name: \"a b\"", "name: may only hold letters");
  expectError("clock_mhz:", "clock_mhz: 0",
              "clock_mhz: must be in [1, 1000000], got 0");
  expectError("pes:", "pes: -3", "chip.pes: must be in [1, 16777216], got -3");
  expectError("crossbars_per_pe:", "crossbars_per_pe: 0",
              "chip.crossbars_per_pe: must be in");
  expectError("global_buffer_bytes:", "global_buffer_bytes: 0",
              "chip.global_buffer_bytes: must be in");
  expectError("dac_bits:", "dac_bits: 0",
              "converters.dac_bits: must be in [1, 8], got 0");
  expectError("adc_bits:", "adc_bits: 33",
              "converters.adc_bits: must be in [1, 32], got 33");
  expectError("cols_per_adc:", "cols_per_adc: 3",
              "converters.cols_per_adc: must be a positive power of two, got "
              "3");
  expectError("cols_per_adc:", "cols_per_adc: 64",
              "converters.cols_per_adc: must be at most 32, got 64");
  expectError("digital_lanes:", "digital_lanes: 0", "pe.digital_lanes");
  expectError("input_buffer_bytes:", "input_buffer_bytes: 0",
              "pe.input_buffer_bytes");
  expectError("output_buffer_bytes:", "output_buffer_bytes: 0",
              "pe.output_buffer_bytes");
  expectError("mvm_step_ns:", "mvm_step_ns: 0",
              "timing.mvm_step_ns: must be positive, got 0");
  expectError("adc_conversion_ns:", "adc_conversion_ns: 0.7815",
              "timing.adc_conversion_ns: must be a whole number of "
              "picoseconds (at most 3 decimals in ns), got 0.7815");
  expectError("digital_op_ns:", "digital_op_ns: -1",
              "timing.digital_op_ns: must be a finite non-negative number of "
              "nanoseconds, got -1");
  expectError("crossbar_write_ns:", "crossbar_write_ns: 1e30",
              "timing.crossbar_write_ns: must be at most");
  expectError("buffer_bandwidth", "buffer_bandwidth_gb_per_s: 0",
              "timing.buffer_bandwidth_gb_per_s: must be a positive number of "
              "GB/s or 'unlimited', got 0");
  expectError("adc_conversion_pj:", "adc_conversion_pj: nan",
              "energy.adc_conversion_pj: must be a finite non-negative");
  expectError("adc_conversion_pj:", "adc_conversion_pj: lots",
              "energy.adc_conversion_pj: invalid floating point number, got "
              "'lots'");
  expectError("interconnect_pj_per_byte:", "interconnect_pj_per_byte: -0.5",
              "energy.interconnect_pj_per_byte");
}

TEST(HardwareTest, SignedMappingNeedsRoom) {
  std::string text = edit("cols:", "cols: 1");
  text.replace(text.find("cols_per_adc: 8"), 15, "cols_per_adc: 1");
  EXPECT_NE(firstError(text).find("crossbar.cols: must be at least 2 for the "
                                  "offset mapping (of)"),
            std::string::npos);
  text = edit("rows:", "rows: 1");
  text.replace(text.find("signed_mapping: of"), 18, "signed_mapping: dr");
  EXPECT_NE(firstError(text).find("crossbar.rows: must be at least 2 for the "
                                  "differential-row mapping (dr)"),
            std::string::npos);
}

TEST(HardwareTest, ValidateInMemory) {
  HardwareDescription hw;
  std::vector<std::pair<std::string, std::string>> problems =
      validateHardwareDescription(hw);
  std::set<std::string> paths;
  for (auto &problem : problems)
    paths.insert(problem.first);
  // A default-constructed description is wrong in every required number.
  for (const char *path :
       {"name", "clock_mhz", "chip.pes", "chip.crossbars_per_pe",
        "crossbar.rows", "crossbar.cols", "crossbar.cell_bits",
        "converters.dac_bits", "converters.adc_bits", "pe.digital_lanes",
        "timing.mvm_step_ns"})
    EXPECT_TRUE(paths.count(path)) << path;
}

TEST(HardwareTest, MissingFile) {
  std::vector<HardwareDiagnostic> diags;
  EXPECT_FALSE(loadHardwareDescription("/nonexistent/chip.yaml", diags));
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].str().rfind("/nonexistent/chip.yaml: error: cannot read "
                                 "hardware description",
                                 0),
            0u)
      << diags[0].str();
}

TEST(HardwareTest, ResolvesPresetNames) {
  std::string dir = getPresetDirectory();
  EXPECT_EQ(resolveHardwarePath("cimaq-reference"),
            dir + "/cimaq-reference.yaml");
  EXPECT_EQ(resolveHardwarePath(""), dir + "/rram-tiled.yaml");
  EXPECT_EQ(resolveHardwarePath("my/chip.yaml"), "my/chip.yaml");
  EXPECT_EQ(resolveHardwarePath("chip.yaml"), "chip.yaml");
}

/// Every bundled preset loads, validates, is named after its file and says
/// where its figures come from.
TEST(HardwareTest, EveryPresetLoads) {
  std::error_code ec;
  std::vector<std::string> files;
  for (llvm::sys::fs::directory_iterator it(getPresetDirectory(), ec), end;
       it != end && !ec; it.increment(ec))
    if (llvm::StringRef(it->path()).endswith(".yaml"))
      files.push_back(it->path());
  ASSERT_FALSE(ec) << ec.message();
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 3u);
  std::set<std::string> names;
  for (const std::string &file : files) {
    std::vector<HardwareDiagnostic> diags;
    std::optional<HardwareDescription> hw =
        loadHardwareDescription(file, diags);
    ASSERT_TRUE(hw.has_value()) << diags.front().str();
    EXPECT_EQ(hw->name, llvm::sys::path::stem(file).str()) << file;
    EXPECT_FALSE(hw->source.empty()) << file;
    EXPECT_TRUE(validateHardwareDescription(*hw).empty()) << file;
    names.insert(hw->name);
  }
  for (const char *name : {"cimaq-reference", "rram-tiled", "sram-digital"})
    EXPECT_TRUE(names.count(name)) << name;
  EXPECT_TRUE(names.count(getDefaultPresetName().str()));
}

/// The CIM-AQ machine as domain.md section 2 describes it.
TEST(HardwareTest, CimaqReferencePreset) {
  std::vector<HardwareDiagnostic> diags;
  std::optional<HardwareDescription> hw =
      loadHardwareDescription(resolveHardwarePath("cimaq-reference"), diags);
  ASSERT_TRUE(hw.has_value());
  EXPECT_EQ(hw->getNumCrossbars(), 1);
  EXPECT_EQ(hw->rows, 256);
  EXPECT_EQ(hw->cols, 256);
  EXPECT_EQ(hw->cellBits, 4u);
  EXPECT_EQ(hw->dacBits, 1u);
  EXPECT_EQ(hw->signedMapping, SignedWeightMapping::DifferentialColumn);
  EXPECT_EQ(hw->weightRewrite, WeightRewrite::Always);
  EXPECT_EQ(hw->crossbarWritePs, 56000000u);
  EXPECT_EQ(hw->mvmStepPs, 1400000u);
  EXPECT_EQ(hw->adcConversionPs, 0u);
  EXPECT_EQ(hw->digitalOpPs, 0u);
  EXPECT_TRUE(hw->bufferBandwidth.unlimited);
  EXPECT_TRUE(hw->interconnectBandwidth.unlimited);
}

} // namespace

/// kValid with an area section (every figure 1 um^2 apart from the cells).
std::string withArea(llvm::StringRef cell = "0.5") {
  return std::string(kValid) + "area:\n  cell_um2: " + cell.str() +
         "\n  crossbar_periphery_um2: 10\n  dac_um2: 2\n  adc_um2: 100\n"
         "  digital_lane_um2: 7\n  buffer_um2_per_byte: 1\n"
         "  global_buffer_um2_per_byte: 0.25\n"
         "  interconnect_um2_per_pe: 1000\n";
}

TEST(HardwareTest, AreaIsAnOptionalSection) {
  std::vector<HardwareDiagnostic> diags;
  HardwareDescription none = *parseHardwareDescription(kValid, "x", diags);
  EXPECT_FALSE(none.hasArea);
  EXPECT_FALSE(computeArea(none).has_value());
  EXPECT_EQ(printHardwareDescription(none).find("area:"), std::string::npos);

  std::optional<HardwareDescription> hw =
      parseHardwareDescription(withArea(), "x", diags);
  ASSERT_TRUE(hw.has_value()) << diags.front().str();
  EXPECT_TRUE(hw->hasArea);
  std::optional<AreaBreakdown> area = computeArea(*hw);
  ASSERT_TRUE(area.has_value());
  // 4 PEs x 2 crossbars of 64x32 cells; 64 DACs and 32/8 = 4 ADCs each.
  std::vector<std::pair<std::string, double>> expected = {
      {"cells", 8 * 64 * 32 * 0.5},
      {"crossbar periphery", 8 * 10},
      {"DACs", 8 * 64 * 2},
      {"ADCs", 8 * 4 * 100},
      {"digital lanes", 4 * 4 * 7},
      {"PE buffers", 4 * (1024 + 256) * 1},
      {"global buffer", 65536 * 0.25},
      {"interconnect", 4 * 1000}};
  ASSERT_EQ(area->components.size(), expected.size());
  double total = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(area->components[i].name, expected[i].first);
    EXPECT_DOUBLE_EQ(area->components[i].mm2, expected[i].second * 1e-6);
    total += expected[i].second * 1e-6;
  }
  EXPECT_NEAR(area->totalMm2, total, 1e-12);

  // Printed and read back, the section stays.
  std::optional<HardwareDescription> again =
      parseHardwareDescription(printHardwareDescription(*hw), "printed", diags);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->hasArea);
  EXPECT_EQ(again->adcUm2, 100);
}

TEST(HardwareTest, AreaSectionIsWholeAndChecked) {
  std::string partial = withArea();
  partial.erase(partial.find("  adc_um2: 100\n"), 15);
  EXPECT_EQ(firstError(partial),
            "x.yaml:37:1: error: area.adc_um2: required key is missing");
  EXPECT_EQ(firstError(withArea("-1")),
            "x.yaml:38:13: error: area.cell_um2: must be a finite "
            "non-negative number of square micrometres, got -1");
  EXPECT_EQ(firstError(withArea("big")),
            "x.yaml:38:13: error: area.cell_um2: invalid floating point "
            "number, got 'big'");
  EXPECT_EQ(firstError(std::string(kValid) + "area: 5\n"),
            "x.yaml:37:7: error: area: must be a mapping of its fields");
}

TEST(HardwareTest, SetFieldByPath) {
  std::vector<HardwareDiagnostic> diags;
  HardwareDescription hw = *parseHardwareDescription(kValid, "x", diags);
  EXPECT_EQ(setHardwareField(hw, "crossbar.rows", "256"), std::nullopt);
  EXPECT_EQ(hw.rows, 256);
  EXPECT_EQ(setHardwareField(hw, "timing.mvm_step_ns", "12.5"), std::nullopt);
  EXPECT_EQ(hw.mvmStepPs, 12500u);
  EXPECT_EQ(setHardwareField(hw, "crossbar.signed_mapping", "dr"),
            std::nullopt);
  EXPECT_EQ(hw.signedMapping, SignedWeightMapping::DifferentialRow);
  EXPECT_EQ(*setHardwareField(hw, "crossbar.rowz", "1"),
            "crossbar.rowz: no such field");
  EXPECT_EQ(*setHardwareField(hw, "chip.pes", "many"),
            "chip.pes: invalid number, got 'many'");
  EXPECT_EQ(*setHardwareField(hw, "converters.dac_bits", "9"),
            "converters.dac_bits: must be in [1, 8], got 9");
  // A value the field can hold but the chip cannot: validation's job.
  EXPECT_EQ(setHardwareField(hw, "crossbar.cols", "48"), std::nullopt);
  EXPECT_FALSE(validateHardwareDescription(hw).empty());
  EXPECT_FALSE(hw.hasArea);
  EXPECT_EQ(setHardwareField(hw, "area.adc_um2", "3"), std::nullopt);
  EXPECT_TRUE(hw.hasArea);
  std::vector<std::string> paths = getHardwareFieldPaths();
  EXPECT_EQ(paths.front(), "name");
  EXPECT_NE(std::find(paths.begin(), paths.end(), "area.cell_um2"),
            paths.end());
}

const char *kProcessor = R"(name: gpu
source: "unit test"
peak_tera_macs_per_s: 100
vector_tera_ops_per_s: 10
memory_bandwidth_gb_per_s: 1000
data_bits: 8
energy:
  mac_pj: 1
  vector_op_pj: 0.5
  memory_pj_per_byte: 20
)";

std::vector<std::string> processorErrors(const std::string &text) {
  std::vector<mlir::cim::LocatedError> errors;
  EXPECT_FALSE(parseProcessorDescription(text, "p.yaml", errors));
  std::vector<std::string> out;
  for (const mlir::cim::LocatedError &e : errors)
    out.push_back(e.str());
  return out;
}

TEST(ProcessorTest, ParsesAndChecks) {
  std::vector<mlir::cim::LocatedError> errors;
  std::optional<ProcessorDescription> pd =
      parseProcessorDescription(kProcessor, "p.yaml", errors);
  ASSERT_TRUE(pd.has_value()) << errors.front().str();
  EXPECT_EQ(pd->name, "gpu");
  EXPECT_EQ(pd->peakTeraMacsPerS, 100);
  EXPECT_EQ(pd->memoryPjPerByte, 20);
  EXPECT_EQ(pd->layerOverheadNs, 0); // optional

  std::string text = kProcessor;
  EXPECT_EQ(processorErrors(text + "cores: 4\n"),
            std::vector<std::string>{"p.yaml:11:1: error: cores: unknown key"});
  std::string zero = text;
  zero.replace(zero.find("100"), 3, "0");
  EXPECT_EQ(processorErrors(zero),
            std::vector<std::string>{"p.yaml:3:23: error: "
                                     "peak_tera_macs_per_s: must be a "
                                     "positive number, got '0'"});
  std::string missing = text;
  missing.erase(missing.find("data_bits: 8\n"), 13);
  EXPECT_EQ(processorErrors(missing),
            std::vector<std::string>{
                "p.yaml:1:1: error: data_bits: required key is missing"});
  EXPECT_EQ(processorErrors("- 1\n"),
            std::vector<std::string>{"p.yaml:1:1: error: not a processor "
                                     "description (expected a mapping of "
                                     "sections)"});
}

TEST(ProcessorTest, BundledProcessorsLoad) {
  std::vector<mlir::cim::LocatedError> errors;
  std::optional<ProcessorDescription> pd =
      loadProcessorDescription(getDefaultProcessorName(), errors);
  ASSERT_TRUE(pd.has_value()) << errors.front().str();
  EXPECT_EQ(pd->name, "a100");
  EXPECT_FALSE(pd->source.empty());
  EXPECT_FALSE(loadProcessorDescription("no-such-gpu", errors).has_value());
  EXPECT_NE(errors.back().str().find("cannot read processor description"),
            std::string::npos);
}

TEST(HardwareTest, ExactAdcBits) {
  std::vector<HardwareDiagnostic> diags;
  HardwareDescription hw = *parseHardwareDescription(kValid, "x", diags);
  // 64 rows of 2-bit cells, 1-bit inputs: sums up to 64 * 3 = 192.
  EXPECT_EQ(hw.getExactAdcBits(), 8u);
  hw.rows = 128;
  EXPECT_EQ(hw.getExactAdcBits(), 9u); // 384
  hw.cellBits = 1;
  EXPECT_EQ(hw.getExactAdcBits(), 8u); // 128
  hw.dacBits = 2;
  EXPECT_EQ(hw.getExactAdcBits(), 9u); // 384
  // dr: 64 weight rows, sums in [-64 * 3, 64 * 3], signed.
  hw.signedMapping = SignedWeightMapping::DifferentialRow;
  EXPECT_EQ(hw.getExactAdcBits(), 9u);
  // CIM-AQ's machine: log2(256) + 4 + 1 = 13 in its description.
  HardwareDescription ref =
      *loadHardwareDescription(resolveHardwarePath("cimaq-reference"), diags);
  EXPECT_EQ(ref.getExactAdcBits(), 12u);
  EXPECT_LE(ref.getExactAdcBits(), ref.adcBits);
}
