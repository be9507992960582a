//===- Explore.cpp - Co-design search over chips and networks -------------===//

#include "cim/Explore/Explore.h"
#include "cim/Analysis/CostModel.h"
#include "cim/Compiler/Compiler.h"
#include "cim/Support/OutputFiles.h"
#include "cim/Support/Text.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/xxhash.h"

#include <chrono>
#include <map>
#include <mutex>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::dse;

/// Bumped when what an evaluation records changes.
static constexpr int kEvaluationVersion = 1;

Fitness mlir::cim::dse::getFitness(const Space &space, const Evaluation &e) {
  Fitness f;
  for (Objective o : space.objectives) {
    switch (o) {
    case Objective::Latency:
      f.objectives.push_back(e.latencySeconds);
      break;
    case Objective::Energy:
      f.objectives.push_back(e.energyJoules);
      break;
    case Objective::Area:
      f.objectives.push_back(e.areaMm2);
      break;
    case Objective::Accuracy:
      f.objectives.push_back(-e.accuracy);
      break;
    }
  }
  if (!e.compiled) {
    f.violation = 1e9;
    return f;
  }
  if (space.maxAreaMm2 > 0 && e.areaMm2 > space.maxAreaMm2)
    f.violation += (e.areaMm2 - space.maxAreaMm2) / space.maxAreaMm2;
  if (space.minAccuracy > 0 && e.accuracy < space.minAccuracy)
    f.violation += space.minAccuracy - e.accuracy;
  return f;
}

namespace {
/// xxHash64 of a file's bytes, as hex ("" when unreadable).
std::string hashFile(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return "";
  return llvm::utohexstr(llvm::xxHash64((*buffer)->getBuffer()),
                         /*LowerCase=*/true, 16);
}

/// The cache's record of a compilation.
llvm::json::Object toRecord(const Evaluation &e) {
  llvm::json::Object o{{"key", e.key}, {"compiled", e.compiled}};
  if (!e.compiled) {
    o["reason"] = e.reason;
    return o;
  }
  o["latency_cycles"] = int64_t(e.latencyCycles);
  o["latency_seconds"] = e.latencySeconds;
  o["energy_joules"] = e.energyJoules;
  o["area_mm2"] = e.areaMm2;
  o["crossbars_used"] = e.crossbarsUsed;
  o["chip_crossbars"] = e.chipCrossbars;
  return o;
}

bool fromRecord(const llvm::json::Object &o, Evaluation &e) {
  std::optional<llvm::StringRef> key = o.getString("key");
  std::optional<bool> compiled = o.getBoolean("compiled");
  if (!key || !compiled)
    return false;
  e.key = key->str();
  e.compiled = *compiled;
  if (!e.compiled) {
    e.reason = o.getString("reason").value_or("").str();
    return true;
  }
  std::optional<int64_t> cycles = o.getInteger("latency_cycles");
  std::optional<double> seconds = o.getNumber("latency_seconds");
  std::optional<double> energy = o.getNumber("energy_joules");
  std::optional<double> area = o.getNumber("area_mm2");
  std::optional<int64_t> used = o.getInteger("crossbars_used");
  std::optional<int64_t> chip = o.getInteger("chip_crossbars");
  if (!cycles || !seconds || !energy || !area || !used || !chip)
    return false;
  e.latencyCycles = uint64_t(*cycles);
  e.latencySeconds = *seconds;
  e.energyJoules = *energy;
  e.areaMm2 = *area;
  e.crossbarsUsed = *used;
  e.chipCrossbars = *chip;
  return true;
}

/// Compiles `net` for `chip` up to `stop` in `context` (one of its own per
/// compilation); the first error goes to `diagnostics`.
FailureOr<CompileResult> compileNetwork(const Network &net,
                                        const hw::HardwareDescription &chip,
                                        CompileStage stop, MLIRContext &context,
                                        std::string &diagnostics) {
  DialectRegistry registry;
  registerCompilerDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  context.disableMultithreading();
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    if (diag.getSeverity() != DiagnosticSeverity::Error || !diagnostics.empty())
      return success();
    // Where, when the message is about a file (a policy's entry).
    if (auto file = diag.getLocation()->findInstanceOf<FileLineColLoc>())
      if (file.getLine() > 0)
        diagnostics = file.getFilename().str() + ":" +
                      std::to_string(file.getLine()) + ":" +
                      std::to_string(file.getColumn()) + ": ";
    diagnostics += diag.str();
    return success();
  });
  CompileOptions options;
  options.hardwareDescription = chip;
  options.wbits = net.wbits;
  options.abits = net.abits;
  options.policy = net.policy;
  options.keepQuantWidths = !net.givenWidths && net.policy.empty();
  options.stopAfter = stop;
  return compileModel(net.model, options, context);
}

/// Compiles one network for one chip to its program and report.
void compilePoint(const Network &net, const hw::HardwareDescription &chip,
                  Evaluation &e) {
  MLIRContext context;
  std::string diagnostics;
  FailureOr<CompileResult> result =
      compileNetwork(net, chip, CompileStage::Program, context, diagnostics);
  if (failed(result)) {
    e.compiled = false;
    e.reason = diagnostics.empty() ? "the compiler rejects the point"
                                   : toOneLine(diagnostics, 500);
    return;
  }
  const Report &r = result->report;
  e.compiled = true;
  e.latencyCycles = r.latencyCycles;
  e.latencySeconds = r.latencySeconds;
  e.energyJoules = r.energyJoules;
  e.areaMm2 = r.area ? r.area->totalMm2 : 0.0;
  e.crossbarsUsed = r.crossbarsUsed;
  e.chipCrossbars = r.chipCrossbars;
}

/// Every network imported and quantized once before the search (nothing of
/// that depends on the chip): a model that does not import or a policy that
/// names a layer the model lacks is one error, not an infeasible point per
/// chip.
bool checkNetworks(const Space &space, const std::string &spaceFile,
                   std::string &error) {
  for (size_t i = 0; i < space.networks.size(); ++i) {
    MLIRContext context;
    std::string diagnostics;
    if (succeeded(compileNetwork(space.networks[i], space.base,
                                 CompileStage::Quant, context, diagnostics)))
      continue;
    error =
        spaceFile + ": error: networks[" + std::to_string(i) + "] ('" +
        space.networks[i].name + "'): " +
        toOneLine(diagnostics.empty() ? "does not compile" : diagnostics, 500);
    return false;
  }
  return true;
}
} // namespace

namespace {
/// Evaluates points: from this run's memo, from the cache file, or by
/// compiling them (in parallel), appending each new one to the cache.
class Explorer {
public:
  Explorer(const Space &space, const ExploreOptions &options)
      : space(space), options(options) {}

  bool open(std::string &error);
  /// The evaluations of `points`, in order.
  std::vector<const Evaluation *> evaluate(const std::vector<Point> &points);
  /// Evaluations known in this run, by point.
  const std::map<Point, Evaluation> &getMemo() const { return memo; }
  size_t reused = 0, compiled = 0;
  /// Progress of the current batch, and of the whole search.
  size_t expected = 0;
  /// Points of the batches so far that are done (duplicates and points
  /// known before count as done at once).
  size_t finished = 0;

private:
  std::string keyOf(const Point &point, const hw::HardwareDescription &chip,
                    const std::vector<std::string> &problems) const;
  void reportProgress(bool done);

  const Space &space;
  const ExploreOptions &options;
  std::vector<std::string> fingerprints;
  std::map<std::string, Evaluation> cache;
  std::map<Point, Evaluation> memo;
  std::unique_ptr<llvm::raw_fd_ostream> log;
  std::mutex mutex;
  std::chrono::steady_clock::time_point start =
      std::chrono::steady_clock::now();
};

bool Explorer::open(std::string &error) {
  if (std::error_code ec =
          llvm::sys::fs::create_directories(options.outputDir)) {
    error = options.outputDir +
            ": error: cannot create the directory: " + ec.message();
    return false;
  }
  // What each network's compilations depend on besides the chip.
  for (const Network &net : space.networks) {
    std::string model = hashFile(net.model);
    std::string policy = net.policy.empty() ? "" : hashFile(net.policy);
    if (model.empty() || (!net.policy.empty() && policy.empty())) {
      error = (model.empty() ? net.model : net.policy) +
              ": error: cannot read the file";
      return false;
    }
    fingerprints.push_back(
        "model=" + model +
        (net.policy.empty()
             ? (net.givenWidths ? ",w" + std::to_string(net.wbits) + "a" +
                                      std::to_string(net.abits)
                                : ",own")
             : ",policy=" + policy));
  }
  // The cache: one JSON object per line. A line cut short by a kill (the
  // last one) or otherwise unreadable is skipped and compiled again.
  llvm::SmallString<256> path(options.outputDir);
  llvm::sys::path::append(path, "evaluations.jsonl");
  if (auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true)) {
    llvm::SmallVector<llvm::StringRef> lines;
    (*buffer)->getBuffer().split(lines, '\n', -1, /*KeepEmpty=*/false);
    size_t skipped = 0;
    for (llvm::StringRef line : lines) {
      llvm::Expected<llvm::json::Value> value = llvm::json::parse(line);
      Evaluation e;
      if (!value || !value->getAsObject() ||
          !fromRecord(*value->getAsObject(), e)) {
        if (!value)
          llvm::consumeError(value.takeError());
        ++skipped;
        continue;
      }
      cache[e.key] = e;
    }
    if (skipped)
      llvm::errs() << path << ": note: " << skipped
                   << " unreadable line(s) skipped; those points are "
                      "compiled again\n";
  }
  std::error_code ec;
  log = std::make_unique<llvm::raw_fd_ostream>(path, ec,
                                               llvm::sys::fs::OF_Append);
  if (ec) {
    error = std::string(path) + ": error: cannot write: " + ec.message();
    return false;
  }
  // A line cut short by a kill is closed, so that the next record starts
  // a line of its own.
  if (auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true))
    if (!(*buffer)->getBuffer().empty() &&
        !(*buffer)->getBuffer().endswith("\n"))
      *log << "\n";
  return true;
}

std::string Explorer::keyOf(const Point &point,
                            const hw::HardwareDescription &chip,
                            const std::vector<std::string> &problems) const {
  std::string text = "cim-dse " + std::to_string(kEvaluationVersion) +
                     " cost " + std::to_string(kCostModelVersion) + "\n" +
                     fingerprints[point.network] + "\n" +
                     hw::printHardwareDescription(chip);
  for (const std::string &p : problems)
    text += "\ninvalid " + p;
  return llvm::utohexstr(llvm::xxHash64(text), /*LowerCase=*/true, 16);
}

void Explorer::reportProgress(bool done) {
  if (options.progress != Progress::Bar || expected == 0)
    return;
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  const int width = 30;
  int filled = int(width * std::min<size_t>(finished, expected) / expected);
  llvm::errs() << "\r[" << std::string(filled, '#')
               << std::string(width - filled, '.') << "] " << finished << "/"
               << expected << " points (" << compiled + reused << " distinct, "
               << reused << " cached), " << llvm::format("%.0f", seconds)
               << " s" << (done ? "\n" : "");
  llvm::errs().flush();
}

std::vector<const Evaluation *>
Explorer::evaluate(const std::vector<Point> &points) {
  // The new points of the batch, once each, in point order.
  std::vector<Point> fresh;
  for (const Point &p : points)
    if (!memo.count(p) &&
        std::find(fresh.begin(), fresh.end(), p) == fresh.end())
      fresh.push_back(p);
  std::sort(fresh.begin(), fresh.end());
  std::vector<std::pair<Point, hw::HardwareDescription>> toCompile;
  for (const Point &p : fresh) {
    hw::HardwareDescription chip;
    std::vector<std::string> problems = buildHardware(space, p, chip);
    if (problems.empty() && space.exactAdc &&
        chip.adcBits < chip.getExactAdcBits())
      problems.push_back(
          "converters.adc_bits: " + std::to_string(chip.adcBits) +
          " bits cannot read the column sums exactly (" +
          std::to_string(chip.getExactAdcBits()) +
          " needed; constraints.exact_adc)");
    Evaluation e;
    e.point = p;
    e.key = keyOf(p, chip, problems);
    e.accuracy = space.networks[p.network].accuracy.value_or(0);
    auto cached = cache.find(e.key);
    if (cached != cache.end()) {
      Evaluation c = cached->second;
      c.point = p;
      c.accuracy = e.accuracy;
      memo[p] = c;
      ++reused;
      continue;
    }
    if (!problems.empty()) {
      e.compiled = false;
      e.reason = "invalid chip: " + problems.front();
      memo[p] = e;
      ++compiled;
      *log << llvm::formatv("{0}", llvm::json::Value(toRecord(e))) << "\n";
      continue;
    }
    memo[p] = e;
    toCompile.push_back({p, std::move(chip)});
  }
  log->flush();
  finished += points.size() - toCompile.size();
  reportProgress(false);

  // Compile the rest, each in its own context; every result goes to the
  // cache file as it finishes.
  auto run = [&](size_t i) {
    Evaluation e = memo.at(toCompile[i].first);
    compilePoint(space.networks[e.point.network], toCompile[i].second, e);
    std::lock_guard<std::mutex> lock(mutex);
    memo[e.point] = e;
    ++compiled;
    ++finished;
    *log << llvm::formatv("{0}", llvm::json::Value(toRecord(e))) << "\n";
    log->flush();
    reportProgress(false);
  };
  if (options.jobs <= 1 || toCompile.size() <= 1) {
    for (size_t i = 0; i < toCompile.size(); ++i)
      run(i);
  } else {
    llvm::ThreadPool pool(llvm::hardware_concurrency(options.jobs));
    for (size_t i = 0; i < toCompile.size(); ++i)
      pool.async([&run, i] { run(i); });
    pool.wait();
  }

  std::vector<const Evaluation *> out;
  for (const Point &p : points) {
    Evaluation &e = memo.at(p);
    e.feasible = e.compiled && getFitness(space, e).violation == 0;
    out.push_back(&e);
  }
  return out;
}

Point toPoint(const Genome &g) {
  Point p;
  p.network = g[0];
  p.values.assign(g.begin() + 1, g.end());
  return p;
}

/// Every point of the space in order (networks outermost, the last axis
/// fastest).
std::vector<Point> enumeratePoints(const Space &space) {
  std::vector<Point> points;
  Point p;
  p.values.assign(space.axes.size(), 0);
  for (p.network = 0; p.network < space.networks.size(); ++p.network) {
    std::fill(p.values.begin(), p.values.end(), 0);
    while (true) {
      points.push_back(p);
      size_t i = space.axes.size();
      while (i > 0 && ++p.values[i - 1] == space.axes[i - 1].values.size())
        p.values[--i] = 0;
      if (i == 0)
        break;
    }
  }
  return points;
}

std::string csvField(const std::string &text) {
  if (text.find_first_of(",\"\n") == std::string::npos)
    return text;
  std::string out = "\"";
  for (char c : text)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void printCsv(const Space &space, const ExploreResult &result,
              const std::vector<size_t> &rows, llvm::raw_ostream &os) {
  std::vector<bool> onFront(result.evaluations.size(), false);
  for (size_t i : result.front)
    onFront[i] = true;
  os << "network";
  for (const Axis &axis : space.axes)
    os << "," << axis.field;
  os << ",compiled,feasible,pareto,latency_cycles,latency_seconds,"
        "energy_joules,area_mm2,accuracy,crossbars_used,chip_crossbars,"
        "reason\n";
  for (size_t i : rows) {
    const Evaluation &e = result.evaluations[i];
    os << csvField(space.networks[e.point.network].name);
    for (size_t a = 0; a < space.axes.size(); ++a)
      os << "," << csvField(space.axes[a].values[e.point.values[a]]);
    os << "," << (e.compiled ? 1 : 0) << "," << (e.feasible ? 1 : 0) << ","
       << (onFront[i] ? 1 : 0) << "," << e.latencyCycles << ","
       << llvm::formatv("{0:e6}", e.latencySeconds) << ","
       << llvm::formatv("{0:e6}", e.energyJoules) << ","
       << llvm::format("%.6g", e.areaMm2) << ","
       << llvm::format("%.6g", e.accuracy) << "," << e.crossbarsUsed << ","
       << e.chipCrossbars << "," << csvField(e.reason) << "\n";
  }
}

llvm::json::Object toFrontJson(const Space &space, const Evaluation &e) {
  llvm::json::Object chip;
  for (size_t a = 0; a < space.axes.size(); ++a)
    chip[space.axes[a].field] = space.axes[a].values[e.point.values[a]];
  llvm::json::Object o{
      {"network", space.networks[e.point.network].name},
      {"hardware", std::move(chip)},
      {"latency_cycles", int64_t(e.latencyCycles)},
      {"latency_seconds", e.latencySeconds},
      {"energy_joules", e.energyJoules},
      {"area_mm2", e.areaMm2},
      {"crossbars_used", e.crossbarsUsed},
      {"chip_crossbars", e.chipCrossbars},
  };
  if (space.networks[e.point.network].accuracy)
    o["accuracy"] = e.accuracy;
  return o;
}
} // namespace

std::optional<ExploreResult>
mlir::cim::dse::explore(const Space &space, const ExploreOptions &options,
                        std::string &error) {
  // A grid is enumerated whole: refuse one that would not fit in memory
  // before anything is written.
  const uint64_t kMaxGrid = 1000000;
  if (space.algorithm == "grid" && space.getNumPoints() > kMaxGrid) {
    error = options.spaceFile + ": error: the grid has " +
            std::to_string(space.getNumPoints()) + " points, more than " +
            std::to_string(kMaxGrid) +
            ": search it with nsga2 or give the axes fewer values";
    return std::nullopt;
  }
  if (!checkNetworks(space, options.spaceFile, error))
    return std::nullopt;
  Explorer explorer(space, options);
  if (!explorer.open(error))
    return std::nullopt;
  auto note = [&](const std::string &line) {
    if (options.progress == Progress::Plain)
      llvm::errs() << "cim-dse: " << line << "\n";
  };
  auto frontSize = [&]() {
    std::vector<Fitness> fitness;
    for (auto &[p, e] : explorer.getMemo())
      if (e.compiled)
        fitness.push_back(getFitness(space, e));
    std::vector<std::vector<size_t>> fronts = sortNonDominated(fitness);
    return fronts.empty() ? size_t(0) : fronts[0].size();
  };

  if (space.algorithm == "grid") {
    std::vector<Point> points = enumeratePoints(space);
    explorer.expected = points.size();
    explorer.evaluate(points);
    note(std::to_string(points.size()) + " points evaluated (" +
         std::to_string(explorer.reused) + " cached)");
  } else {
    std::vector<size_t> cardinality = {space.networks.size()};
    for (const Axis &axis : space.axes)
      cardinality.push_back(axis.values.size());
    Nsga2Options nsga;
    nsga.population = space.population;
    nsga.generations = space.generations;
    nsga.seed = space.seed;
    explorer.expected =
        size_t(nsga.population) * (size_t(nsga.generations) + 1);
    runNsga2(
        cardinality, nsga,
        [&](const std::vector<Genome> &genomes) {
          std::vector<Point> points;
          for (const Genome &g : genomes)
            points.push_back(toPoint(g));
          std::vector<Fitness> fitness;
          for (const Evaluation *e : explorer.evaluate(points))
            fitness.push_back(getFitness(space, *e));
          return fitness;
        },
        [&](unsigned generation) {
          note("generation " + std::to_string(generation) + "/" +
               std::to_string(space.generations) + ": " +
               std::to_string(explorer.getMemo().size()) + " points (" +
               std::to_string(explorer.reused) + " cached), front " +
               std::to_string(frontSize()));
        });
  }
  if (options.progress == Progress::Bar)
    llvm::errs() << "\n";

  // The result: every point once, in point order; the front among all.
  ExploreResult result;
  result.reused = explorer.reused;
  result.compiled = explorer.compiled;
  std::vector<Fitness> fitness;
  std::vector<size_t> feasible;
  for (auto &[p, e] : explorer.getMemo()) {
    Evaluation copy = e;
    copy.feasible = e.compiled && getFitness(space, e).violation == 0;
    if (copy.feasible) {
      feasible.push_back(result.evaluations.size());
      fitness.push_back(getFitness(space, copy));
    }
    result.evaluations.push_back(std::move(copy));
  }
  if (!fitness.empty()) {
    std::vector<std::vector<size_t>> fronts = sortNonDominated(fitness);
    for (size_t i : fronts[0])
      result.front.push_back(feasible[i]);
  }
  std::stable_sort(
      result.front.begin(), result.front.end(), [&](size_t a, size_t b) {
        return getFitness(space, result.evaluations[a]).objectives[0] <
               getFitness(space, result.evaluations[b]).objectives[0];
      });

  // The outputs, written together.
  OutputFiles files;
  auto add = [&](const char *name, auto print) {
    std::string text;
    llvm::raw_string_ostream os(text);
    print(os);
    llvm::SmallString<256> path(options.outputDir);
    llvm::sys::path::append(path, name);
    files.add(std::string(path), os.str());
  };
  std::vector<size_t> all(result.evaluations.size());
  for (size_t i = 0; i < all.size(); ++i)
    all[i] = i;
  add("points.csv",
      [&](llvm::raw_ostream &os) { printCsv(space, result, all, os); });
  add("front.csv", [&](llvm::raw_ostream &os) {
    printCsv(space, result, result.front, os);
  });
  add("front.json", [&](llvm::raw_ostream &os) {
    llvm::json::Array objectives, front;
    for (Objective o : space.objectives)
      objectives.push_back(stringify(o).str());
    for (size_t i : result.front)
      front.push_back(toFrontJson(space, result.evaluations[i]));
    llvm::json::Object doc{
        {"space", options.spaceFile},
        {"hardware", space.base.name},
        {"algorithm", space.algorithm},
        {"objectives", std::move(objectives)},
        {"points_in_space",
         int64_t(std::min<uint64_t>(space.getNumPoints(), INT64_MAX))},
        {"points_evaluated", int64_t(result.evaluations.size())},
        {"front", std::move(front)},
    };
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(doc))) << "\n";
  });
  add("index.html", [&](llvm::raw_ostream &os) {
    printExploreHtml(space, result, options.spaceFile, os);
  });
  std::string failedPath, message;
  if (!files.commit(failedPath, message)) {
    error = failedPath + ": error: " + message;
    return std::nullopt;
  }
  return result;
}
