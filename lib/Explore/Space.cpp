//===- Space.cpp - A design space for cim-dse -----------------------------===//

#include "cim/Explore/Space.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <limits>
#include <set>

using namespace mlir::cim;
using namespace mlir::cim::dse;
using llvm::StringRef;

llvm::StringRef mlir::cim::dse::stringify(Objective objective) {
  switch (objective) {
  case Objective::Latency:
    return "latency";
  case Objective::Energy:
    return "energy";
  case Objective::Area:
    return "area";
  case Objective::Accuracy:
    return "accuracy";
  }
  return "latency";
}

uint64_t Space::getNumPoints() const {
  uint64_t n = networks.size();
  for (const Axis &axis : axes) {
    if (n > UINT64_MAX / std::max<uint64_t>(1, axis.values.size()))
      return UINT64_MAX;
    n *= axis.values.size();
  }
  return n;
}

namespace {
/// The located reading of one space file.
class SpaceReader {
public:
  SpaceReader(YamlDocument &doc, StringRef fileName)
      : doc(doc), dir(llvm::sys::path::parent_path(fileName).str()) {}

  bool read(Space &space);

private:
  void error(const char *at, const std::string &message) {
    doc.report(at, message);
  }
  static const char *where(const YamlNode *node) { return node->at; }
  /// A scalar's text, or an error at the node.
  std::optional<std::string> scalar(const YamlNode *node,
                                    const std::string &path) {
    if (!node->isScalar()) {
      error(where(node), path + ": must be a single value");
      return std::nullopt;
    }
    return YamlDocument::getScalar(node);
  }
  template <typename T>
  std::optional<T> integer(const YamlNode *node, const std::string &path,
                           int64_t lo, int64_t hi) {
    std::optional<std::string> text = scalar(node, path);
    if (!text)
      return std::nullopt;
    int64_t value;
    if (StringRef(*text).getAsInteger(10, value) || value < lo || value > hi) {
      error(where(node), path + ": must be an integer in [" +
                             std::to_string(lo) + ", " + std::to_string(hi) +
                             "], got '" + *text + "'");
      return std::nullopt;
    }
    return T(value);
  }
  std::optional<double> number(const YamlNode *node, const std::string &path,
                               double lo, double hi) {
    std::optional<std::string> text = scalar(node, path);
    if (!text)
      return std::nullopt;
    double value;
    if (!llvm::to_float(*text, value) || !std::isfinite(value) || value < lo ||
        value > hi) {
      error(where(node), path + ": must be a number in [" +
                             llvm::formatv("{0}", lo).str() + ", " +
                             llvm::formatv("{0}", hi).str() + "], got '" +
                             *text + "'");
      return std::nullopt;
    }
    return value;
  }
  /// The items of a non-empty sequence, or an error.
  std::optional<std::vector<const YamlNode *>>
  sequence(const YamlNode *node, const std::string &path) {
    if (!node->isSequence()) {
      error(where(node), path + ": must be a list");
      return std::nullopt;
    }
    std::vector<const YamlNode *> items;
    for (const std::unique_ptr<YamlNode> &item : node->items)
      items.push_back(item.get());
    if (items.empty()) {
      error(where(node), path + ": must not be empty");
      return std::nullopt;
    }
    return items;
  }
  std::string resolve(StringRef path) const {
    if (path.empty() || llvm::sys::path::is_absolute(path) || dir.empty())
      return path.str();
    llvm::SmallString<256> out(dir);
    llvm::sys::path::append(out, path);
    return std::string(out);
  }
  bool readNetwork(const YamlNode *node, size_t index, Network &net);
  bool readAxes(const YamlNode *node, Space &space);

  YamlDocument &doc;
  std::string dir;
};

bool SpaceReader::readNetwork(const YamlNode *node, size_t index,
                              Network &net) {
  std::string path = "networks[" + std::to_string(index) + "]";
  if (!node->isMapping()) {
    error(where(node), path + ": must be a mapping (model, wbits, abits or "
                              "policy, accuracy, name)");
    return false;
  }
  size_t before = doc.getErrorCount();
  std::set<std::string> seen;
  bool hasWidths = false;
  for (const YamlNode::KeyValue &kv : node->entries) {
    const std::string &key = kv.key;
    const YamlNode *value = kv.value.get();
    const char *at = kv.keyAt;
    std::string field = path + "." + key;
    if (!seen.insert(key).second) {
      error(at, field + ": appears twice");
      continue;
    }
    if (!value)
      continue;
    if (key == "name") {
      if (auto text = scalar(value, field))
        net.name = *text;
    } else if (key == "model" || key == "policy") {
      std::optional<std::string> text = scalar(value, field);
      if (!text)
        continue;
      std::string resolved = resolve(*text);
      if (!llvm::sys::fs::is_regular_file(resolved)) {
        error(where(value), field + ": no such file '" + resolved + "'");
        continue;
      }
      (key == "model" ? net.model : net.policy) = resolved;
    } else if (key == "wbits" || key == "abits") {
      hasWidths = net.givenWidths = true;
      if (auto bits = integer<unsigned>(value, field, 1, 16))
        (key == "wbits" ? net.wbits : net.abits) = *bits;
    } else if (key == "accuracy") {
      net.accuracy = number(value, field, 0, 1);
    } else {
      error(at, field + ": unknown key (expected model, wbits, abits, "
                        "policy, accuracy or name)");
    }
  }
  if (doc.getErrorCount() != before)
    return false;
  if (net.model.empty()) {
    error(where(node), path + ": model is missing");
    return false;
  }
  if (!net.policy.empty() && hasWidths) {
    error(where(node), path + ": give wbits/abits or a policy, not both");
    return false;
  }
  if (net.name.empty()) {
    // The model, and its widths or policy (none: its own widths).
    net.name = llvm::sys::path::stem(net.model).str();
    if (!net.policy.empty())
      net.name += " " + llvm::sys::path::stem(net.policy).str();
    else if (net.givenWidths)
      net.name +=
          " w" + std::to_string(net.wbits) + "a" + std::to_string(net.abits);
  }
  return true;
}

bool SpaceReader::readAxes(const YamlNode *node, Space &space) {
  if (!node->isMapping()) {
    error(where(node), "space: must be a mapping of hardware fields to lists "
                       "of values");
    return false;
  }
  std::vector<std::string> fields = hw::getHardwareFieldPaths();
  size_t before = doc.getErrorCount();
  std::set<std::string> seen;
  for (const YamlNode::KeyValue &kv : node->entries) {
    const std::string &field = kv.key;
    const char *at = kv.keyAt;
    std::string path = "space." + field;
    if (!seen.insert(field).second) {
      error(at, path + ": appears twice");
      continue;
    }
    if (!llvm::is_contained(fields, field) || field == "name" ||
        field == "source") {
      error(at, path + ": not a hardware field (docs/hardware.md lists "
                       "them)");
      continue;
    }
    std::optional<std::vector<const YamlNode *>> items =
        sequence(kv.value.get(), path);
    if (!items)
      continue;
    Axis axis;
    axis.field = field;
    for (const YamlNode *item : *items) {
      std::optional<std::string> text = scalar(item, path);
      if (!text)
        continue;
      if (llvm::is_contained(axis.values, *text)) {
        error(where(item), path + ": '" + *text + "' appears twice");
        continue;
      }
      hw::HardwareDescription probe = space.base;
      if (std::optional<std::string> problem =
              hw::setHardwareField(probe, field, *text)) {
        error(where(item), "space." + *problem);
        continue;
      }
      // The value on its own (a rule between fields is the point's
      // business: the point is recorded as infeasible).
      std::string invalid;
      for (auto &[path, message] : hw::validateHardwareDescription(probe))
        if (path == field && invalid.empty())
          invalid = message;
      if (!invalid.empty()) {
        error(where(item), path + ": " + invalid);
        continue;
      }
      axis.values.push_back(*text);
    }
    space.axes.push_back(std::move(axis));
  }
  return doc.getErrorCount() == before;
}

bool SpaceReader::read(Space &space) {
  size_t before = doc.getErrorCount();
  static const char *const kTop[] = {"hardware",   "networks",    "space",
                                     "objectives", "constraints", "search"};
  static const char *const kNested[] = {
      "constraints.area_mm2", "constraints.accuracy", "constraints.exact_adc",
      "search.algorithm",     "search.population",    "search.generations",
      "search.seed"};
  for (auto &[path, entry] : doc.getKeys()) {
    StringRef p(path);
    if (p.startswith("space."))
      continue; // the axes: read below
    bool known = llvm::is_contained(kTop, p) || llvm::is_contained(kNested, p);
    if (!known)
      error(entry.at, path + ": unknown key");
  }
  if (doc.getErrorCount() != before)
    return false;

  // The base chip.
  const YamlDocument::Entry *hwEntry = doc.lookup("hardware");
  space.hardwareName = hw::getDefaultPresetName().str();
  if (hwEntry) {
    std::optional<std::string> text = scalar(hwEntry->node, "hardware");
    if (!text)
      return false;
    space.hardwareName = *text;
  }
  // A preset by name, or a file beside the space.
  StringRef name = space.hardwareName;
  std::string hwPath =
      name.contains('/') || name.endswith(".yaml") || name.endswith(".yml")
          ? resolve(name)
          : hw::resolveHardwarePath(name);
  std::vector<hw::HardwareDiagnostic> hwErrors;
  std::optional<hw::HardwareDescription> base =
      hw::loadHardwareDescription(hwPath, hwErrors);
  if (!base) {
    // The description's own located lines, then where the space names it.
    for (const hw::HardwareDiagnostic &d : hwErrors)
      error(hwEntry ? hwEntry->at : doc.getStart(),
            "hardware: " +
                (d.line ? d.file + ":" + std::to_string(d.line) + ":" +
                              std::to_string(d.column) + ": "
                        : d.file + ": ") +
                d.message);
    return false;
  }
  space.base = *base;

  // Networks.
  const YamlDocument::Entry *nets = doc.lookup("networks");
  if (!nets) {
    error(doc.getStart(), "networks: required key is missing");
    return false;
  }
  std::optional<std::vector<const YamlNode *>> items =
      sequence(nets->node, "networks");
  if (!items)
    return false;
  std::set<std::string> names;
  for (size_t i = 0; i < items->size(); ++i) {
    Network net;
    if (!readNetwork((*items)[i], i, net))
      continue;
    if (!names.insert(net.name).second) {
      error(where((*items)[i]), "networks[" + std::to_string(i) +
                                    "]: the name '" + net.name +
                                    "' appears twice");
      continue;
    }
    space.networks.push_back(std::move(net));
  }

  // Hardware axes (optional: without them the search is over networks).
  if (const YamlDocument::Entry *axes = doc.lookup("space"))
    readAxes(axes->node, space);

  // Objectives.
  space.objectives = {Objective::Latency, Objective::Energy, Objective::Area};
  if (const YamlDocument::Entry *obj = doc.lookup("objectives")) {
    if (auto list = sequence(obj->node, "objectives")) {
      space.objectives.clear();
      for (const YamlNode *item : *list) {
        std::optional<std::string> text = scalar(item, "objectives");
        if (!text)
          continue;
        std::optional<Objective> objective;
        for (Objective o : {Objective::Latency, Objective::Energy,
                            Objective::Area, Objective::Accuracy})
          if (*text == stringify(o))
            objective = o;
        if (!objective) {
          error(where(item), "objectives: must be latency, energy, area or "
                             "accuracy, got '" +
                                 *text + "'");
          continue;
        }
        if (llvm::is_contained(space.objectives, *objective)) {
          error(where(item), "objectives: '" + *text + "' appears twice");
          continue;
        }
        space.objectives.push_back(*objective);
      }
    }
  }
  // Constraints and search settings.
  if (const YamlDocument::Entry *e = doc.lookup("constraints.area_mm2"))
    space.maxAreaMm2 =
        number(e->node, "constraints.area_mm2", 1e-9, 1e12).value_or(0);
  if (const YamlDocument::Entry *e = doc.lookup("constraints.accuracy"))
    space.minAccuracy =
        number(e->node, "constraints.accuracy", 0, 1).value_or(0);
  std::optional<bool> exactAdc;
  if (const YamlDocument::Entry *e = doc.lookup("constraints.exact_adc")) {
    std::optional<std::string> text = scalar(e->node, "constraints.exact_adc");
    if (text && *text != "true" && *text != "false")
      error(e->at, "constraints.exact_adc: must be true or false, got '" +
                       *text + "'");
    else if (text)
      exactAdc = *text == "true";
  }
  if (const YamlDocument::Entry *e = doc.lookup("search.algorithm")) {
    std::optional<std::string> text = scalar(e->node, "search.algorithm");
    if (text && *text != "nsga2" && *text != "grid")
      error(e->at,
            "search.algorithm: must be nsga2 or grid, got '" + *text + "'");
    else if (text)
      space.algorithm = *text;
  }
  if (const YamlDocument::Entry *e = doc.lookup("search.population"))
    space.population =
        integer<unsigned>(e->node, "search.population", 4, 100000).value_or(0);
  if (const YamlDocument::Entry *e = doc.lookup("search.generations"))
    space.generations =
        integer<unsigned>(e->node, "search.generations", 0, 100000).value_or(0);
  if (const YamlDocument::Entry *e = doc.lookup("search.seed"))
    space.seed = integer<uint64_t>(e->node, "search.seed", 0,
                                   std::numeric_limits<int64_t>::max())
                     .value_or(0);
  if (doc.getErrorCount() != before)
    return false;

  // What the objectives and constraints need.
  bool accuracyUsed =
      llvm::is_contained(space.objectives, Objective::Accuracy) ||
      space.minAccuracy > 0;
  space.exactAdc = exactAdc.value_or(accuracyUsed);
  if (accuracyUsed)
    for (size_t i = 0; i < space.networks.size(); ++i)
      if (!space.networks[i].accuracy) {
        error(where((*items)[i]),
              "networks[" + std::to_string(i) +
                  "]: accuracy is missing (the objectives or constraints use "
                  "it)");
        return false;
      }
  bool areaUsed = llvm::is_contained(space.objectives, Objective::Area) ||
                  space.maxAreaMm2 > 0;
  if (areaUsed && !space.base.hasArea) {
    error(hwEntry ? hwEntry->at : doc.getStart(),
          "hardware: '" + space.base.name +
              "' has no area section, which the objectives or constraints "
              "use (docs/hardware.md, \"Area\")");
    return false;
  }
  return true;
}
} // namespace

std::optional<Space>
mlir::cim::dse::parseSpace(StringRef text, StringRef fileName,
                           std::vector<LocatedError> &errors) {
  std::unique_ptr<YamlDocument> doc =
      YamlDocument::parse(text, fileName, "a design space", errors);
  if (!doc)
    return std::nullopt;
  Space space;
  SpaceReader reader(*doc, fileName);
  if (!reader.read(space))
    return std::nullopt;
  return space;
}

std::optional<Space>
mlir::cim::dse::loadSpace(StringRef path, std::vector<LocatedError> &errors) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    LocatedError e;
    e.file = path.str();
    e.message = "cannot read the design space: " + buffer.getError().message();
    errors.push_back(std::move(e));
    return std::nullopt;
  }
  return parseSpace((*buffer)->getBuffer(), path, errors);
}

std::vector<std::string>
mlir::cim::dse::buildHardware(const Space &space, const Point &point,
                              hw::HardwareDescription &out) {
  out = space.base;
  bool setsAdcArea = false, setsDacArea = false, setsColsPerAdc = false;
  for (const Axis &axis : space.axes) {
    setsAdcArea |= axis.field == "area.adc_um2";
    setsDacArea |= axis.field == "area.dac_um2";
    setsColsPerAdc |= axis.field == "converters.cols_per_adc";
  }
  for (size_t i = 0; i < space.axes.size(); ++i)
    (void)hw::setHardwareField(out, space.axes[i].field,
                               space.axes[i].values[point.values[i]]);
  // A crossbar of another width keeps the base chip's ADCs per crossbar.
  if (!setsColsPerAdc && out.cols != space.base.cols && space.base.cols > 0)
    out.colsPerAdc = std::max<int64_t>(1, space.base.colsPerAdc * out.cols /
                                              space.base.cols);
  // A converter's area doubles per bit of resolution (the capacitor array
  // of a SAR ADC or a binary-weighted DAC has 2^bits unit elements; an
  // assumption of the first order, docs/dse.md).
  if (out.hasArea && !setsAdcArea)
    out.adcUm2 = space.base.adcUm2 *
                 std::ldexp(1.0, int(out.adcBits) - int(space.base.adcBits));
  // So does the energy of a conversion, and its time grows with the bits
  // (a SAR ADC decides one bit per cycle), unless the space sets them.
  auto sets = [&](StringRef field) {
    return llvm::any_of(space.axes,
                        [&](const Axis &axis) { return axis.field == field; });
  };
  if (!sets("energy.adc_conversion_pj"))
    out.adcConversionPj =
        space.base.adcConversionPj *
        std::ldexp(1.0, int(out.adcBits) - int(space.base.adcBits));
  if (!sets("timing.adc_conversion_ns") && space.base.adcBits > 0)
    out.adcConversionPs =
        (space.base.adcConversionPs * out.adcBits + space.base.adcBits / 2) /
        space.base.adcBits;
  if (out.hasArea && !setsDacArea)
    out.dacUm2 = space.base.dacUm2 *
                 std::ldexp(1.0, int(out.dacBits) - int(space.base.dacBits));
  std::vector<std::string> problems;
  for (auto &[path, message] : hw::validateHardwareDescription(out))
    problems.push_back(path + ": " + message);
  return problems;
}
