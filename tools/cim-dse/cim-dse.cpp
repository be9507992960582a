//===- cim-dse.cpp - Co-design search over chips and networks -------------===//
//
//   cim-dse SPACE.yaml -o OUT [--jobs N] [--progress bar|plain|none]
//
// Searches the design space of SPACE.yaml (hardware fields, networks at
// their bit widths, objectives, constraints; docs/dse.md) with NSGA-II or a
// full grid, compiling every point with cimc's pipeline, and writes the
// Pareto front (OUT/front.csv, front.json), every point (points.csv), a
// page with the fronts (index.html) and the evaluation cache
// (evaluations.jsonl, reused by a rerun or a resumed run). Prints the front.
//
//===----------------------------------------------------------------------===//

#include "cim/Explore/Explore.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir::cim;
namespace cl = llvm::cl;

static cl::OptionCategory category("cim-dse options");
static cl::opt<std::string> spaceFile(cl::Positional, cl::desc("<space.yaml>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string> outputDir("o",
                                      cl::desc("Directory for the results"),
                                      cl::value_desc("dir"), cl::Required,
                                      cl::cat(category));
static cl::opt<unsigned> jobs("jobs",
                              cl::desc("Points compiled at once (default 1)"),
                              cl::init(1), cl::cat(category));
static cl::opt<std::string>
    progress("progress",
             cl::desc("bar (a line redrawn as points finish), plain (a line "
                      "per generation) or none; default: bar on a terminal, "
                      "else plain"),
             cl::init(""), cl::cat(category));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "cim-dse: search chips and networks together\n");

  dse::ExploreOptions options;
  options.outputDir = outputDir;
  options.jobs = std::max(1u, jobs.getValue());
  options.spaceFile = spaceFile;
  if (progress.empty())
    options.progress = llvm::sys::Process::StandardErrIsDisplayed()
                           ? dse::Progress::Bar
                           : dse::Progress::Plain;
  else if (progress == "bar")
    options.progress = dse::Progress::Bar;
  else if (progress == "plain")
    options.progress = dse::Progress::Plain;
  else if (progress == "none")
    options.progress = dse::Progress::None;
  else {
    llvm::errs() << "cim-dse: error: --progress must be bar, plain or none, "
                    "got '"
                 << progress << "'\n";
    return 1;
  }

  std::vector<LocatedError> errors;
  std::optional<dse::Space> space = dse::loadSpace(spaceFile, errors);
  if (!space) {
    for (const LocatedError &e : errors)
      llvm::errs() << e.str() << "\n";
    return 1;
  }
  std::string error;
  std::optional<dse::ExploreResult> result =
      dse::explore(*space, options, error);
  if (!result) {
    llvm::errs() << error << "\n";
    return 1;
  }

  // The front, as a table.
  llvm::outs() << "cim-dse: " << result->evaluations.size()
               << " points evaluated (" << result->reused
               << " from the cache), " << result->front.size()
               << " on the front (" << outputDir << "/front.csv)\n";
  llvm::outs() << llvm::left_justify("network", 28);
  for (const dse::Axis &axis : space->axes)
    llvm::outs() << " " << axis.field;
  llvm::outs() << " | latency_us energy_uJ area_mm2\n";
  // The first rows (by the first objective); all of them are in front.csv.
  const size_t kShown = 20;
  for (size_t i : llvm::ArrayRef<size_t>(result->front)
                      .take_front(std::min(kShown, result->front.size()))) {
    const dse::Evaluation &e = result->evaluations[i];
    llvm::outs() << llvm::left_justify(space->networks[e.point.network].name,
                                       28);
    for (size_t a = 0; a < space->axes.size(); ++a)
      llvm::outs() << " " << space->axes[a].values[e.point.values[a]];
    llvm::outs() << " | " << llvm::format("%.4g", e.latencySeconds * 1e6) << " "
                 << llvm::format("%.4g", e.energyJoules * 1e6) << " "
                 << llvm::format("%.4g", e.areaMm2) << "\n";
  }
  if (result->front.size() > kShown)
    llvm::outs() << "... " << result->front.size() - kShown
                 << " more in front.csv\n";
  return 0;
}
