//===- Report.cpp - Cost reports of compiled programs ---------------------===//

#include "cim/Report/Report.h"
#include "cim/Analysis/CostModel.h"

#include "cim/Support/Text.h"

#include "llvm/Support/Format.h"

#include <algorithm>
#include <map>
#include <set>

using namespace mlir;
using namespace mlir::cim;

Report mlir::cim::buildReport(const prog::Program &p, const prog::Timing &t) {
  const hw::HardwareDescription &hw = p.hardware;
  Report r;
  r.model = p.model;
  r.hardware = hw.name;
  r.schedule = p.schedule;
  r.latencyCycles = hw.toCycles(t.latencyPs);
  r.latencySeconds = double(t.latencyPs) * 1e-12;
  r.energyJoules = t.energyPj * 1e-12;
  r.lowerBoundCycles = hw.toCycles(t.lowerBoundPs);
  r.criticalPathCycles = hw.toCycles(t.criticalPathPs);
  r.busiestUnitCycles = hw.toCycles(t.busiestUnitPs);
  if (t.busiestUnit < p.units.size()) {
    const prog::Unit &u = p.units[t.busiestUnit];
    r.busiestUnit = (prog::stringify(u.kind) + "@pe" + llvm::Twine(u.pe)).str();
    if (u.kind == prog::UnitKind::Crossbars && u.node < p.nodes.size())
      r.busiestUnit +=
          " (" + p.nodes[u.node].name + " copy " + std::to_string(u.copy) + ")";
  }
  r.chipCrossbars = hw.getNumCrossbars();
  r.instructions = p.instructions.size();
  r.mvmSteps = t.mvmSteps;
  r.adcConversions = t.adcConversions;
  r.digitalOps = t.digitalOps;
  r.interconnectBytes = t.interconnectBytes;
  r.crossbarWrites = t.crossbarWrites;
  std::set<uint32_t> pes;
  for (const prog::Instruction &in : p.instructions)
    if (in.opcode != prog::Opcode::Barrier)
      pes.insert(in.pe);
  for (const prog::Unit &u : p.units)
    pes.insert(u.pe);
  r.pesUsed = pes.size();
  for (const prog::LayerWeights &l : p.layers) {
    LayerReport lr;
    const prog::Node &node = p.nodes[l.node];
    const prog::NodeTiming &nt = t.nodes[l.node];
    lr.name = node.name;
    lr.wbits = l.wbits;
    lr.abits = l.abits;
    lr.crossbars = l.crossbars;
    lr.copies = l.copies;
    lr.startCycle = hw.toCycles(nt.startPs);
    lr.endCycle = hw.toCycles(nt.endPs);
    lr.latencyCycles = hw.toCycles(nt.endPs - nt.startPs);
    LayerShape shape;
    shape.rows = l.rows;
    shape.cols = l.cols;
    shape.groups = l.groups;
    shape.wbits = l.wbits;
    shape.abits = l.abits;
    lr.utilization = computeFootprint(shape, hw).utilization;
    r.crossbarsUsed += l.crossbars;
    r.layers.push_back(std::move(lr));
  }
  r.area = hw::computeArea(hw);
  return r;
}

BaselineReport
mlir::cim::estimateBaseline(const prog::Program &p,
                            const hw::ProcessorDescription &processor) {
  BaselineReport b;
  b.processor = processor.name;
  double bytesPerValue = processor.dataBits / 8.0;
  double seconds = 0, pj = 0;
  for (const prog::Node &node : p.nodes) {
    double macs = 0, ops = 0, bytes = 0;
    if (node.layer >= 0 && size_t(node.layer) < p.layers.size()) {
      const prog::LayerWeights &l = p.layers[node.layer];
      double weights = double(l.rows) * double(l.cols) * double(l.groups);
      double outputs = double(node.size) * double(l.cols) * double(l.groups);
      macs = weights * double(node.size);
      bytes = (weights + 2 * outputs) * bytesPerValue;
    } else {
      ops = double(node.size);
      bytes = 2 * double(node.size) * bytesPerValue;
    }
    double t = std::max({macs / (processor.peakTeraMacsPerS * 1e12),
                         ops / (processor.vectorTeraOpsPerS * 1e12),
                         bytes / (processor.memoryGbPerS * 1e9)});
    seconds += t + processor.layerOverheadNs * 1e-9;
    pj += macs * processor.macPj + ops * processor.vectorOpPj +
          bytes * processor.memoryPjPerByte;
    b.macs += int64_t(macs);
    b.vectorOps += int64_t(ops);
    b.memoryBytes += int64_t(bytes);
  }
  b.latencySeconds = seconds;
  b.energyJoules = pj * 1e-12;
  return b;
}

/// The baseline's time and energy over the chip's (how many times faster
/// and more frugal the chip is).
static std::pair<double, double> getBaselineRatios(const Report &r) {
  const BaselineReport &b = *r.baseline;
  return {r.latencySeconds > 0 ? b.latencySeconds / r.latencySeconds : 0.0,
          r.energyJoules > 0 ? b.energyJoules / r.energyJoules : 0.0};
}

llvm::json::Object mlir::cim::toJson(const Report &r) {
  llvm::json::Array layers;
  for (const LayerReport &l : r.layers)
    layers.push_back(llvm::json::Object{
        {"name", l.name},
        {"wbits", int64_t(l.wbits)},
        {"abits", int64_t(l.abits)},
        {"crossbars", l.crossbars},
        {"duplication", l.copies},
        {"start_cycle", int64_t(l.startCycle)},
        {"end_cycle", int64_t(l.endCycle)},
        {"latency_cycles", int64_t(l.latencyCycles)},
        {"utilization", l.utilization},
    });
  llvm::json::Object json{
      {"model", r.model},
      {"hardware", r.hardware},
      {"schedule", r.schedule},
      {"latency_cycles", int64_t(r.latencyCycles)},
      {"latency_seconds", r.latencySeconds},
      {"energy_joules", r.energyJoules},
      {"lower_bound_cycles", int64_t(r.lowerBoundCycles)},
      {"critical_path_cycles", int64_t(r.criticalPathCycles)},
      {"busiest_unit_cycles", int64_t(r.busiestUnitCycles)},
      {"busiest_unit", r.busiestUnit},
      {"chip_crossbars", r.chipCrossbars},
      {"crossbars_used", r.crossbarsUsed},
      {"pes_used", r.pesUsed},
      {"instructions", r.instructions},
      {"mvm_steps", r.mvmSteps},
      {"adc_conversions", r.adcConversions},
      {"digital_ops", r.digitalOps},
      {"interconnect_bytes", r.interconnectBytes},
      {"crossbar_writes", r.crossbarWrites},
      {"layers", std::move(layers)},
  };
  if (r.area) {
    llvm::json::Object parts;
    for (const hw::AreaBreakdown::Component &c : r.area->components)
      parts[c.name] = c.mm2;
    json["area_mm2"] = r.area->totalMm2;
    json["area_breakdown_mm2"] = std::move(parts);
  }
  if (r.baseline) {
    auto [speedup, energyRatio] = getBaselineRatios(r);
    json["baseline"] = llvm::json::Object{
        {"processor", r.baseline->processor},
        {"latency_seconds", r.baseline->latencySeconds},
        {"energy_joules", r.baseline->energyJoules},
        {"macs", r.baseline->macs},
        {"vector_ops", r.baseline->vectorOps},
        {"memory_bytes", r.baseline->memoryBytes},
        {"speedup", speedup},
    };
    // A chip without energy figures (cimaq-reference) has no ratio.
    if (energyRatio > 0)
      (*json["baseline"].getAsObject())["energy_ratio"] = energyRatio;
  }
  return json;
}

/// "63.3 mm^2 (cells 3.3, ADCs 19.4, ...)" for the table and the page.
static std::string describeArea(const hw::AreaBreakdown &area,
                                llvm::StringRef unit) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << llvm::format("%.3g", area.totalMm2) << " " << unit << " (";
  bool first = true;
  for (const hw::AreaBreakdown::Component &c : area.components) {
    os << (first ? "" : ", ") << c.name << " " << llvm::format("%.3g", c.mm2);
    first = false;
  }
  os << ")";
  return out;
}

/// "a100 (roofline): 1.230 us, 4.560 uJ; speedup 2.1x, energy 3.4x lower".
static std::string describeBaseline(const Report &r, llvm::StringRef micro) {
  auto [speedup, energyRatio] = getBaselineRatios(r);
  std::string out;
  llvm::raw_string_ostream os(out);
  os << r.baseline->processor << " (roofline): "
     << llvm::format("%.3f", r.baseline->latencySeconds * 1e6) << " " << micro
     << "s, " << llvm::format("%.3f", r.baseline->energyJoules * 1e6) << " "
     << micro << "J; speedup " << llvm::format("%.3g", speedup) << "x";
  // A chip without energy figures (cimaq-reference) has no ratio.
  if (energyRatio > 0)
    os << ", energy " << llvm::format("%.3g", energyRatio) << "x lower";
  return out;
}

void mlir::cim::printReportTable(const Report &r, llvm::raw_ostream &os) {
  size_t width = 5;
  for (const LayerReport &l : r.layers)
    width = std::max(width, l.name.size());
  width = std::min<size_t>(width, 40);
  auto name = [&](const std::string &n) {
    std::string s =
        n.size() > width ? "..." + n.substr(n.size() - width + 3) : n;
    return s + std::string(width - s.size(), ' ');
  };
  os << "model " << r.model << " on " << r.hardware << ", " << r.schedule
     << " schedule\n";
  os << name("layer") << "  w  a  crossbars copies        start          end"
     << "      cycles  util\n";
  for (const LayerReport &l : r.layers)
    os << name(l.name) << llvm::format(" %2u %2u", l.wbits, l.abits)
       << llvm::format(" %10lld %6lld", (long long)l.crossbars,
                       (long long)l.copies)
       << llvm::format(" %12llu %12llu %11llu",
                       (unsigned long long)l.startCycle,
                       (unsigned long long)l.endCycle,
                       (unsigned long long)l.latencyCycles)
       << llvm::format(" %4.1f%%", 100.0 * l.utilization) << "\n";
  os << "latency: " << r.latencyCycles << " cycles ("
     << llvm::format("%.3f", r.latencySeconds * 1e6) << " us), lower bound "
     << r.lowerBoundCycles << " cycles ("
     << llvm::format("%.2f", r.lowerBoundCycles ? double(r.latencyCycles) /
                                                      double(r.lowerBoundCycles)
                                                : 1.0)
     << "x), critical path " << r.criticalPathCycles << ", busiest unit "
     << r.busiestUnit << " " << r.busiestUnitCycles << "\n";
  os << "energy: " << llvm::format("%.3f", r.energyJoules * 1e6)
     << " uJ; crossbars " << r.crossbarsUsed << "/" << r.chipCrossbars
     << ", PEs " << r.pesUsed << ", instructions " << r.instructions << "\n";
  os << "area: "
     << (r.area ? describeArea(*r.area, "mm^2")
                : std::string("not described (no area section)"))
     << "\n";
  if (r.baseline)
    os << "baseline: " << describeBaseline(r, "u") << "\n";
}

/// A color per index, spread around the hue circle.
static std::string color(size_t index) {
  return "hsl(" + std::to_string((index * 137) % 360) + ",65%,55%)";
}

void mlir::cim::printReportHtml(const Report &r, const prog::Program &p,
                                const prog::Timing &t, llvm::raw_ostream &os) {
  const hw::HardwareDescription &hw = p.hardware;
  double total = std::max<double>(1.0, double(r.latencyCycles));
  const int chartWidth = 900, label = 220, rowHeight = 16;
  os << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>cimc "
        "report: "
     << escapeHtml(r.model)
     << "</title>\n<style>body{font-family:sans-serif;margin:2em}"
        "table{border-collapse:collapse}td,th{padding:2px 8px;text-align:"
        "right;border-bottom:1px solid #ddd}td:first-child{text-align:left}"
        "text{font-size:11px}</style></head><body>\n";
  os << "<h1>" << escapeHtml(r.model) << " on " << escapeHtml(r.hardware)
     << "</h1>\n";
  os << "<p>" << escapeHtml(r.schedule) << " schedule: <b>" << r.latencyCycles
     << " cycles</b> (" << llvm::format("%.3f", r.latencySeconds * 1e6)
     << " &micro;s), lower bound " << r.lowerBoundCycles << " cycles, energy "
     << llvm::format("%.3f", r.energyJoules * 1e6) << " &micro;J, "
     << r.crossbarsUsed << "/" << r.chipCrossbars << " crossbars, " << r.pesUsed
     << " PEs.</p>\n";
  if (r.area)
    os << "<p>Area: " << escapeHtml(describeArea(*r.area, "mm²")) << ".</p>\n";
  if (r.baseline)
    os << "<p>Baseline: " << escapeHtml(describeBaseline(r, "µ")) << ".</p>\n";

  // Per-layer Gantt chart.
  os << "<h2>Layers</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\""
     << label + chartWidth + 20 << "\" height=\""
     << (r.layers.size() + 1) * rowHeight + 10 << "\">\n";
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const LayerReport &l = r.layers[i];
    double x0 = label + chartWidth * double(l.startCycle) / total;
    double w = std::max(1.0, chartWidth * double(l.latencyCycles) / total);
    int y = int(i) * rowHeight + 4;
    os << "<text x=\"0\" y=\"" << y + 11 << "\">" << escapeHtml(l.name)
       << "</text><rect x=\"" << llvm::format("%.1f", x0) << "\" y=\"" << y
       << "\" width=\"" << llvm::format("%.1f", w) << "\" height=\""
       << rowHeight - 3 << "\" fill=\"" << color(i) << "\"><title>"
       << escapeHtml(l.name) << ": cycles " << l.startCycle << "-" << l.endCycle
       << ", " << l.copies << " copies, w" << l.wbits << "a" << l.abits
       << "</title></rect>\n";
  }
  os << "</svg>\n";

  // Table.
  os << "<table><tr><th>layer</th><th>w</th><th>a</th><th>crossbars</th>"
        "<th>copies</th><th>cycles</th><th>utilization</th></tr>\n";
  for (const LayerReport &l : r.layers)
    os << "<tr><td>" << escapeHtml(l.name) << "</td><td>" << l.wbits
       << "</td><td>" << l.abits << "</td><td>" << l.crossbars << "</td><td>"
       << l.copies << "</td><td>" << l.latencyCycles << "</td><td>"
       << llvm::format("%.1f%%", 100 * l.utilization) << "</td></tr>\n";
  os << "</table>\n";

  // PE timeline: the busiest PEs (at most 48), each instruction's span
  // colored by its node.
  std::map<uint32_t, uint64_t> busy;
  for (size_t i = 0; i < p.instructions.size(); ++i)
    if (p.instructions[i].opcode != prog::Opcode::Barrier)
      busy[p.instructions[i].pe] += t.endPs[i] - t.startPs[i];
  std::vector<std::pair<uint64_t, uint32_t>> order;
  for (auto [pe, ps] : busy)
    order.push_back({ps, pe});
  std::sort(order.begin(), order.end(), [](auto a, auto b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  if (order.size() > 48)
    order.resize(48);
  std::sort(order.begin(), order.end(),
            [](auto a, auto b) { return a.second < b.second; });
  std::map<uint32_t, int> rowOf;
  for (auto [ps, pe] : order)
    rowOf[pe] = rowOf.size();
  os << "<h2>PE timeline</h2><p>The " << order.size()
     << " busiest PEs; each bar is an instruction, colored by layer.</p>\n"
     << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\""
     << label + chartWidth + 20 << "\" height=\""
     << (order.size() + 1) * rowHeight + 10 << "\">\n";
  for (auto [pe, row] : rowOf)
    os << "<text x=\"0\" y=\"" << row * rowHeight + 15 << "\">PE " << pe
       << "</text>\n";
  double totalPs = std::max<double>(1.0, double(t.latencyPs));
  // Merge touching spans of the same node per PE to keep the page small.
  std::map<std::pair<uint32_t, uint32_t>,
           std::vector<std::pair<uint64_t, uint64_t>>>
      spans;
  for (size_t i = 0; i < p.instructions.size(); ++i) {
    const prog::Instruction &in = p.instructions[i];
    if (in.opcode == prog::Opcode::Barrier || !rowOf.count(in.pe) ||
        t.endPs[i] == t.startPs[i])
      continue;
    auto &list = spans[{in.pe, in.node}];
    double px = chartWidth / totalPs;
    if (!list.empty() &&
        double(t.startPs[i]) - double(list.back().second) < 1.0 / px)
      list.back().second = std::max(list.back().second, t.endPs[i]);
    else
      list.push_back({t.startPs[i], t.endPs[i]});
  }
  for (auto &[key, list] : spans) {
    int y = rowOf[key.first] * rowHeight + 4;
    for (auto [s, e] : list)
      os << "<rect x=\""
         << llvm::format("%.1f", label + chartWidth * double(s) / totalPs)
         << "\" y=\"" << y << "\" width=\""
         << llvm::format("%.1f",
                         std::max(0.5, chartWidth * double(e - s) / totalPs))
         << "\" height=\"" << rowHeight - 3 << "\" fill=\""
         << color(p.nodes[key.second].layer >= 0
                      ? size_t(p.nodes[key.second].layer)
                      : size_t(key.second) + 1000)
         << "\"><title>" << escapeHtml(p.nodes[key.second].name) << " "
         << hw.toCycles(s) << "-" << hw.toCycles(e) << "</title></rect>\n";
  }
  os << "</svg>\n</body></html>\n";
}
