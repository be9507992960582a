//===- ExploreHtml.cpp - The page of a design-space search ----------------===//
//
// One self-contained HTML file (inline SVG and a few lines of script, no
// external resources): a scatter plot per pair of objectives with every
// evaluated point, the Pareto front drawn over them, each point's chip and
// network in its tooltip; clicking a point marks its row in the front's
// table.
//
//===----------------------------------------------------------------------===//

#include "cim/Explore/Explore.h"

#include "cim/Support/Text.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>

using namespace mlir::cim;
using namespace mlir::cim::dse;

namespace {
/// An objective's value for plotting, and its axis label.
double valueOf(Objective o, const Evaluation &e) {
  switch (o) {
  case Objective::Latency:
    return e.latencySeconds * 1e6;
  case Objective::Energy:
    return e.energyJoules * 1e6;
  case Objective::Area:
    return e.areaMm2;
  case Objective::Accuracy:
    return e.accuracy * 100;
  }
  return 0;
}
const char *labelOf(Objective o) {
  switch (o) {
  case Objective::Latency:
    return "latency (us)";
  case Objective::Energy:
    return "energy (uJ)";
  case Objective::Area:
    return "area (mm2)";
  case Objective::Accuracy:
    return "accuracy (%)";
  }
  return "";
}

/// "network; crossbar.rows=128, ..." for a tooltip.
std::string describe(const Space &space, const Evaluation &e) {
  std::string s = space.networks[e.point.network].name;
  for (size_t a = 0; a < space.axes.size(); ++a)
    s += (a ? ", " : "; ") + space.axes[a].field + "=" +
         space.axes[a].values[e.point.values[a]];
  return s;
}

/// Maps values onto [0, 1], logarithmically when they span more than two
/// decades.
struct Scale {
  double lo = 0, hi = 1;
  bool log = false;
  void fit(const std::vector<double> &values) {
    if (values.empty())
      return;
    lo = *std::min_element(values.begin(), values.end());
    hi = *std::max_element(values.begin(), values.end());
    log = lo > 0 && hi / lo > 100;
    if (log) {
      lo = std::log10(lo);
      hi = std::log10(hi);
    }
    if (hi <= lo)
      hi = lo + 1;
  }
  double operator()(double v) const {
    double x = log ? std::log10(std::max(v, 1e-300)) : v;
    return (x - lo) / (hi - lo);
  }
  double at(double t) const {
    double x = lo + t * (hi - lo);
    return log ? std::pow(10, x) : x;
  }
};
} // namespace

void mlir::cim::dse::printExploreHtml(const Space &space,
                                      const ExploreResult &result,
                                      const std::string &spaceFile,
                                      llvm::raw_ostream &os) {
  std::vector<bool> onFront(result.evaluations.size(), false);
  for (size_t i : result.front)
    onFront[i] = true;
  size_t compiled = 0, feasible = 0;
  for (const Evaluation &e : result.evaluations) {
    compiled += e.compiled;
    feasible += e.feasible;
  }
  os << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>cim-dse: "
     << escapeHtml(spaceFile)
     << "</title>\n<style>body{font-family:sans-serif;margin:2em}"
        "table{border-collapse:collapse}td,th{padding:2px 8px;text-align:"
        "right;border-bottom:1px solid #ddd}td:first-child{text-align:left}"
        "tr.mark{background:#fe8}text{font-size:11px}circle{cursor:pointer}"
        "svg{margin:0 1em 1em 0}</style></head><body>\n";
  os << "<h1>Design space " << escapeHtml(spaceFile)
     << "</h1>\n<p>Base chip <b>" << escapeHtml(space.base.name) << "</b>, "
     << space.networks.size() << " network(s), " << space.axes.size()
     << " hardware axes (" << space.getNumPoints() << " points); "
     << escapeHtml(space.algorithm) << ": " << result.evaluations.size()
     << " evaluated (" << result.reused << " from the cache), " << compiled
     << " compiled, " << feasible << " feasible, <b>" << result.front.size()
     << " on the front</b>.";
  if (space.maxAreaMm2 > 0)
    os << " Area at most " << space.maxAreaMm2 << " mm2.";
  if (space.minAccuracy > 0)
    os << " Accuracy at least " << space.minAccuracy * 100 << " %.";
  os << "</p>\n<p>Grey: every compiled point; red: the Pareto front "
        "(all objectives minimized, accuracy maximized). Hover for a "
        "point's chip, click to mark it in the table.</p>\n";

  // One scatter plot per pair of objectives (one strip for a single one).
  std::vector<std::pair<Objective, Objective>> pairs;
  for (size_t a = 0; a < space.objectives.size(); ++a)
    for (size_t b = a + 1; b < space.objectives.size(); ++b)
      pairs.push_back({space.objectives[a], space.objectives[b]});
  if (pairs.empty())
    pairs.push_back({space.objectives[0], space.objectives[0]});
  const int size = 320, margin = 50;
  for (auto [ox, oy] : pairs) {
    Scale sx, sy;
    std::vector<double> xs, ys;
    for (const Evaluation &e : result.evaluations)
      if (e.compiled) {
        xs.push_back(valueOf(ox, e));
        ys.push_back(valueOf(oy, e));
      }
    sx.fit(xs);
    sy.fit(ys);
    os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\""
       << size + margin + 10 << "\" height=\"" << size + margin + 10
       << "\"><rect x=\"" << margin << "\" y=\"10\" width=\"" << size
       << "\" height=\"" << size << "\" fill=\"none\" stroke=\"#999\"/>\n";
    for (double t : {0.0, 0.5, 1.0}) {
      os << "<text x=\"" << margin + int(t * size) - 10 << "\" y=\""
         << size + 25 << "\">" << llvm::format("%.3g", sx.at(t))
         << "</text><text x=\"2\" y=\"" << 10 + int((1 - t) * size) + 4 << "\">"
         << llvm::format("%.3g", sy.at(t)) << "</text>\n";
    }
    os << "<text x=\"" << margin + size / 2 - 30 << "\" y=\"" << size + 45
       << "\">" << labelOf(ox) << (sx.log ? ", log" : "") << "</text>"
       << "<text x=\"12\" y=\"" << 10 + size / 2 << "\" transform=\"rotate(-90 "
       << 12 << " " << 10 + size / 2 << ")\">" << labelOf(oy)
       << (sy.log ? ", log" : "") << "</text>\n";
    // The front last, so that it is drawn over the rest.
    for (int pass = 0; pass < 2; ++pass)
      for (size_t i = 0; i < result.evaluations.size(); ++i) {
        const Evaluation &e = result.evaluations[i];
        if (!e.compiled || onFront[i] != (pass == 1))
          continue;
        double x = margin + size * sx(valueOf(ox, e));
        double y = 10 + size * (1 - sy(valueOf(oy, e)));
        os << "<circle cx=\"" << llvm::format("%.1f", x) << "\" cy=\""
           << llvm::format("%.1f", y) << "\" r=\"" << (pass ? 4 : 2.5)
           << "\" fill=\"" << (pass ? "#d33" : (e.feasible ? "#999" : "#ccc"))
           << "\" data-i=\"" << i << "\"><title>"
           << escapeHtml(describe(space, e)) << ": "
           << llvm::format("%.4g", e.latencySeconds * 1e6) << " us, "
           << llvm::format("%.4g", e.energyJoules * 1e6) << " uJ, "
           << llvm::format("%.4g", e.areaMm2) << " mm2"
           << "</title></circle>\n";
      }
    os << "</svg>\n";
  }

  // The front's table.
  os << "<h2>Pareto front</h2>\n<table><tr><th>network</th>";
  for (const Axis &axis : space.axes)
    os << "<th>" << escapeHtml(axis.field) << "</th>";
  os << "<th>latency (cycles)</th><th>latency (us)</th><th>energy (uJ)</th>"
        "<th>area (mm2)</th><th>accuracy</th><th>crossbars</th></tr>\n";
  for (size_t i : result.front) {
    const Evaluation &e = result.evaluations[i];
    os << "<tr id=\"p" << i << "\"><td>"
       << escapeHtml(space.networks[e.point.network].name) << "</td>";
    for (size_t a = 0; a < space.axes.size(); ++a)
      os << "<td>" << escapeHtml(space.axes[a].values[e.point.values[a]])
         << "</td>";
    os << "<td>" << e.latencyCycles << "</td><td>"
       << llvm::format("%.4g", e.latencySeconds * 1e6) << "</td><td>"
       << llvm::format("%.4g", e.energyJoules * 1e6) << "</td><td>"
       << llvm::format("%.4g", e.areaMm2) << "</td><td>"
       << (space.networks[e.point.network].accuracy
               ? std::string(llvm::formatv("{0:f2} %", e.accuracy * 100))
               : std::string("-"))
       << "</td><td>" << e.crossbarsUsed << "/" << e.chipCrossbars
       << "</td></tr>\n";
  }
  os << "</table>\n<script>document.querySelectorAll('circle').forEach("
        "function(c){c.addEventListener('click',function(){"
        "document.querySelectorAll('tr.mark').forEach(function(r){"
        "r.classList.remove('mark')});var r=document.getElementById('p'+"
        "c.dataset.i);if(r){r.classList.add('mark');r.scrollIntoView("
        "{block:'nearest'})}})});</script>\n</body></html>\n";
}
