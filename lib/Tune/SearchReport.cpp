//===- SearchReport.cpp - Summary, Pareto CSV and SVG of a search ---------===//
//
// The files `cim-tune search` writes besides the policy: the summary JSON
// (one member a line, each layer and candidate an object on one line), the
// CSV of every evaluated policy and the SVG scatter plot with the Pareto
// front (docs/search.md, "Outputs").
//
//===----------------------------------------------------------------------===//

#include "cim/Tune/SearchReport.h"

#include "SearchText.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

using namespace mlir::cim;
using namespace mlir::cim::tune;

std::string tune::formatFixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string tune::joinBits(const std::vector<unsigned> &bits,
                           const char *separator) {
  std::string s;
  for (size_t i = 0; i < bits.size(); ++i)
    s += (i ? separator : "") + std::to_string(bits[i]);
  return s;
}

std::vector<size_t>
tune::getParetoFront(const std::vector<EvaluatedPolicy> &all) {
  std::vector<size_t> order(all.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (all[a].latencyCycles != all[b].latencyCycles)
      return all[a].latencyCycles < all[b].latencyCycles;
    return all[a].accuracy > all[b].accuracy;
  });
  std::vector<size_t> front;
  std::set<std::string> keys;
  double bestAccuracy = -1;
  for (size_t i : order)
    if (all[i].accuracy > bestAccuracy) {
      bestAccuracy = all[i].accuracy;
      if (keys.insert(all[i].policy.key()).second)
        front.push_back(i);
    }
  return front;
}

static std::string layersJson(const SearchResult &r, const BitPolicy &p,
                              const std::string &indent) {
  std::string out = "[";
  for (size_t i = 0; i < r.layers.size(); ++i) {
    out += (i ? ",\n" : "\n") + indent + "  {\"name\": \"" + r.layers[i].name +
           "\", \"wbits\": " + std::to_string(p.wbits[i]) +
           ", \"abits\": " + std::to_string(p.abits[i]) + "}";
  }
  return out + "\n" + indent + "]";
}

std::string tune::formatSummaryJson(const SearchResult &r,
                                    const SearchOptions &options,
                                    const std::string &model) {
  auto fields = [&](const ChosenPolicy &c, const std::string &indent) {
    bool final = c.testAccuracy >= 0;
    double accuracy = final ? c.testAccuracy : c.validationAccuracy;
    std::string out;
    out += indent + "\"source\": \"" + c.source + "\",\n";
    out += indent + "\"speedup_vs_w8a8\": " + formatFixed(c.speedup) + ",\n";
    out += indent + "\"latency_cycles\": " + std::to_string(c.latencyCycles) +
           ",\n";
    out += indent + "\"accuracy\": " + formatFixed(accuracy) + ",\n";
    out += indent + "\"accuracy_drop\": " +
           formatFixed(final ? r.floatAccuracy - accuracy
                             : r.referenceAccuracy - accuracy) +
           ",\n";
    out += indent +
           "\"validation_accuracy\": " + formatFixed(c.validationAccuracy) +
           ",\n";
    out += indent + "\"final_qat\": " + (final ? "true" : "false") + ",\n";
    if (c.testAccuracies.size() > 1) {
      // The mean above; each seed's here.
      out += indent + "\"final_accuracies\": [";
      for (size_t k = 0; k < c.testAccuracies.size(); ++k)
        out += (k ? ", " : "") + formatFixed(c.testAccuracies[k]);
      out += "],\n";
    }
    if (c.finalValidationAccuracy >= 0)
      out += indent + "\"final_validation_accuracy\": " +
             formatFixed(c.finalValidationAccuracy) + ",\n";
    out += indent +
           "\"proxy_within_drop\": " + (c.withinDrop ? "true" : "false") +
           ",\n";
    if (!c.candidates.empty()) {
      // What the policy was chosen from (by final validation accuracy);
      // their test accuracies are reported, not used.
      out += indent + "\"candidates\": [";
      for (size_t k = 0; k < c.candidates.size(); ++k) {
        const FinalCandidate &f = c.candidates[k];
        out +=
            std::string(k ? "," : "") + "\n" + indent + "  {\"wbits\": \"" +
            joinBits(f.policy.wbits, " ") + "\", \"abits\": \"" +
            joinBits(f.policy.abits, " ") +
            "\", \"speedup_vs_w8a8\": " + formatFixed(f.speedup) +
            ", \"validation_accuracy\": " + formatFixed(f.validationAccuracy) +
            ", \"final_validation_accuracy\": " +
            formatFixed(f.finalValidationAccuracy) +
            ", \"accuracy\": " + formatFixed(f.testAccuracy) + "}";
      }
      out += "\n" + indent + "],\n";
    }
    out += indent + "\"layers\": " + layersJson(r, c.policy, indent);
    return out;
  };
  std::string constraints;
  if (options.constraints.weight)
    constraints = "weight";
  if (options.constraints.io)
    constraints += constraints.empty() ? "io" : ",io";
  std::string out = "{\n";
  out += "  \"model\": \"" + model + "\",\n";
  out += "  \"hardware\": \"" + r.hardware + "\",\n";
  if (r.placement != Placement::Packed)
    out += "  \"placement\": \"" + stringify(r.placement).str() + "\",\n";
  out += "  \"seed\": " + std::to_string(options.seed) + ",\n";
  out += "  \"episodes\": " + std::to_string(options.episodes) + ",\n";
  // The "accuracy" fields hold this measure's scores.
  out += "  \"metric\": \"" + options.metric + "\",\n";
  out += "  \"finetune\": \"" + options.finetune + "\",\n";
  out += "  \"max_acc_drop\": " + formatFixed(options.maxAccDrop) + ",\n";
  out += "  \"constraints\": \"" +
         (constraints.empty() ? "none" : constraints) + "\",\n";
  out += "  \"float_accuracy\": " + formatFixed(r.floatAccuracy) + ",\n";
  out += "  \"float_validation_accuracy\": " +
         formatFixed(r.floatValidationAccuracy) + ",\n";
  out += "  \"w8a8_latency_cycles\": " + std::to_string(r.w8a8Latency) + ",\n";
  out += "  \"reference_validation_accuracy\": " +
         formatFixed(r.referenceAccuracy) + ",\n";
  out += "  \"evaluations\": " + std::to_string(r.evaluations) + ",\n";
  if (options.finalQat && options.finalCandidates > 1)
    out +=
        "  \"final_candidates\": " + std::to_string(options.finalCandidates) +
        ",\n";
  out += fields(r.chosen[0], "  ") + ",\n";
  out += "  \"policies\": [";
  for (size_t i = 0; i < r.chosen.size(); ++i)
    out += (i ? ", {\n" : "{\n") + fields(r.chosen[i], "    ") + "\n  }";
  out += "]";
  if (!r.weightDivergence.empty()) {
    // Per layer and width: the divergence measured with that width alone
    // lowered from W8A8.
    auto widths = [&](const std::vector<double> &row) {
      std::string o = "{";
      for (size_t b = 0; b < row.size(); ++b)
        if (row[b] >= 0) {
          char buf[64];
          std::snprintf(buf, sizeof buf, "%.6g", row[b]);
          o += std::string(o.size() > 1 ? ", " : "") + "\"" +
               std::to_string(b) + "\": " + buf;
        }
      return o + "}";
    };
    out += ",\n  \"sensitivity_kl\": [";
    for (size_t i = 0; i < r.layers.size(); ++i)
      out += std::string(i ? ",\n" : "\n") + "    {\"name\": \"" +
             r.layers[i].name +
             "\", \"weight\": " + widths(r.weightDivergence[i]) +
             ", \"activation\": " + widths(r.activationDivergence[i]) + "}";
    out += "\n  ]";
  }
  out += "\n}\n";
  return out;
}

std::string tune::formatParetoCsv(const SearchResult &r) {
  std::vector<size_t> front = getParetoFront(r.history);
  std::set<size_t> onFront(front.begin(), front.end());
  std::string out =
      "id,source,latency_cycles,speedup,accuracy,pareto,wbits,abits\n";
  for (size_t i = 0; i < r.history.size(); ++i) {
    const EvaluatedPolicy &e = r.history[i];
    out += std::to_string(e.id) + "," + e.source + "," +
           std::to_string(e.latencyCycles) + "," + formatFixed(e.speedup, 4) +
           "," + formatFixed(e.accuracy) + "," +
           (onFront.count(i) ? "1" : "0") + "," +
           joinBits(e.policy.wbits, " ") + "," + joinBits(e.policy.abits, " ") +
           "\n";
  }
  return out;
}

std::string tune::formatParetoSvg(const SearchResult &r,
                                  const std::string &title) {
  const double W = 720, H = 460, L = 70, R = 170, T = 40, B = 50;
  double xmin = 1e300, xmax = -1e300, ymin = 1e300, ymax = -1e300;
  for (const EvaluatedPolicy &e : r.history) {
    xmin = std::min(xmin, e.speedup);
    xmax = std::max(xmax, e.speedup);
    ymin = std::min(ymin, 100 * e.accuracy);
    ymax = std::max(ymax, 100 * e.accuracy);
  }
  if (r.history.empty())
    xmin = ymin = 0, xmax = ymax = 1;
  double xpad = std::max(0.05, (xmax - xmin) * 0.05);
  double ypad = std::max(0.05, (ymax - ymin) * 0.05);
  xmin -= xpad, xmax += xpad, ymin -= ypad, ymax += ypad;
  auto px = [&](double x) {
    return L + (x - xmin) / (xmax - xmin) * (W - L - R);
  };
  auto py = [&](double y) {
    return H - B - (y - ymin) / (ymax - ymin) * (H - T - B);
  };
  const std::map<std::string, std::string> colors = {{"ddpg", "#1f77b4"},
                                                     {"random", "#ff7f0e"},
                                                     {"greedy", "#2ca02c"},
                                                     {"w8a8", "#d62728"},
                                                     {"w4a4", "#9467bd"}};
  std::ostringstream os;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W
     << "\" height=\"" << H
     << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  os << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  os << "<text x=\"" << L << "\" y=\"22\" font-size=\"14\">" << title
     << "</text>\n";
  os << "<rect x=\"" << L << "\" y=\"" << T << "\" width=\"" << W - L - R
     << "\" height=\"" << H - T - B << "\" fill=\"none\" stroke=\"#444\"/>\n";
  for (int k = 0; k <= 4; ++k) {
    double x = xmin + (xmax - xmin) * k / 4, y = ymin + (ymax - ymin) * k / 4;
    os << "<text x=\"" << px(x) << "\" y=\"" << H - B + 16
       << "\" text-anchor=\"middle\">" << formatFixed(x, 2) << "x</text>\n";
    os << "<text x=\"" << L - 6 << "\" y=\"" << py(y) + 4
       << "\" text-anchor=\"end\">" << formatFixed(y, 2) << "</text>\n";
  }
  os << "<text x=\"" << (L + W - R) / 2 << "\" y=\"" << H - 12
     << "\" text-anchor=\"middle\">speedup over W8A8 (compiler "
        "latency)</text>\n";
  os << "<text transform=\"translate(16," << (T + H - B) / 2
     << ") rotate(-90)\" text-anchor=\"middle\">validation accuracy "
        "(%)</text>\n";
  std::vector<size_t> front = getParetoFront(r.history);
  os << "<polyline fill=\"none\" stroke=\"#333\" stroke-dasharray=\"4 3\" "
        "points=\"";
  for (size_t i : front)
    os << px(r.history[i].speedup) << "," << py(100 * r.history[i].accuracy)
       << " ";
  os << "\"/>\n";
  std::set<size_t> onFront(front.begin(), front.end());
  for (size_t i = 0; i < r.history.size(); ++i) {
    const EvaluatedPolicy &e = r.history[i];
    auto color = colors.count(e.source) ? colors.at(e.source) : "#777";
    os << "<circle cx=\"" << px(e.speedup) << "\" cy=\"" << py(100 * e.accuracy)
       << "\" r=\"" << (onFront.count(i) ? 5 : 3) << "\" fill=\"" << color
       << "\""
       << (onFront.count(i) ? " stroke=\"black\"" : " fill-opacity=\"0.6\"")
       << "><title>#" << e.id << " " << e.source << " W "
       << joinBits(e.policy.wbits, ",") << " A "
       << joinBits(e.policy.abits, ",") << ": " << formatFixed(e.speedup, 2)
       << "x, " << formatFixed(100 * e.accuracy, 2) << " %</title></circle>\n";
  }
  double ly = T + 10;
  for (const char *source : {"ddpg", "random", "greedy", "w8a8", "w4a4"}) {
    os << "<circle cx=\"" << W - R + 20 << "\" cy=\"" << ly
       << "\" r=\"5\" fill=\"" << colors.at(source) << "\"/><text x=\""
       << W - R + 32 << "\" y=\"" << ly + 4 << "\">" << source << "</text>\n";
    ly += 20;
  }
  os << "<line x1=\"" << W - R + 12 << "\" y1=\"" << ly << "\" x2=\""
     << W - R + 28 << "\" y2=\"" << ly
     << "\" stroke=\"#333\" stroke-dasharray=\"4 3\"/><text x=\"" << W - R + 32
     << "\" y=\"" << ly + 4 << "\">Pareto front</text>\n";
  os << "</svg>\n";
  return os.str();
}
