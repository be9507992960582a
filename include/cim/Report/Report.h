//===- Report.h - Cost reports of compiled programs -------------*- C++ -*-===//
//
// What cimc prints and cim-sim writes: latency, energy, the lower bound,
// and per crossbar layer its bit widths, crossbars, copies, time and cell
// utilization, as JSON (docs/program-format.md, "Report"), as a text table,
// or as a self-contained HTML page with a per-layer chart and a PE
// timeline.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_REPORT_REPORT_H
#define CIM_REPORT_REPORT_H

#include "cim/Hardware/Processor.h"
#include "cim/Program/Program.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir {
namespace cim {

struct LayerReport {
  std::string name;
  unsigned wbits = 0, abits = 0;
  int64_t crossbars = 0, copies = 0;
  uint64_t startCycle = 0, endCycle = 0, latencyCycles = 0;
  /// Weight cells over the cells of the crossbars one copy occupies.
  double utilization = 0;
};

/// What a conventional processor takes for the same network: a roofline per
/// graph node (docs/hardware.md, "Digital baseline").
struct BaselineReport {
  std::string processor;
  double latencySeconds = 0, energyJoules = 0;
  int64_t macs = 0, vectorOps = 0, memoryBytes = 0;
};

struct Report {
  std::string model, hardware, schedule;
  uint64_t latencyCycles = 0;
  double latencySeconds = 0;
  double energyJoules = 0;
  uint64_t lowerBoundCycles = 0, criticalPathCycles = 0, busiestUnitCycles = 0;
  std::string busiestUnit;
  int64_t chipCrossbars = 0, crossbarsUsed = 0, pesUsed = 0;
  int64_t instructions = 0;
  int64_t mvmSteps = 0, adcConversions = 0, digitalOps = 0,
          interconnectBytes = 0, crossbarWrites = 0;
  std::vector<LayerReport> layers;
  /// The chip's area, when its description has an `area` section.
  std::optional<hw::AreaBreakdown> area;
  /// The digital baseline, when one was estimated (estimateBaseline).
  std::optional<BaselineReport> baseline;
};

Report buildReport(const prog::Program &program, const prog::Timing &timing);

/// Estimates the program's network on `processor`: each node takes the
/// longest of its MACs at the peak rate, its element-wise operations at the
/// vector rate and its memory traffic (weights once, its output written and
/// read back, at the processor's data width) at the memory bandwidth, plus
/// the per-layer overhead; nodes run one after another (batch 1). Energy
/// counts the same MACs, operations and bytes.
BaselineReport estimateBaseline(const prog::Program &program,
                                const hw::ProcessorDescription &processor);

/// The report as a JSON object; `extra` members (simulator statistics) are
/// added at the top level.
llvm::json::Object toJson(const Report &report);

/// A readable per-layer table with totals.
void printReportTable(const Report &report, llvm::raw_ostream &os);

/// A self-contained HTML page: summary, per-layer Gantt chart and a
/// per-PE timeline (inline SVG, no scripts or external files).
void printReportHtml(const Report &report, const prog::Program &program,
                     const prog::Timing &timing, llvm::raw_ostream &os);

} // namespace cim
} // namespace mlir

#endif // CIM_REPORT_REPORT_H
