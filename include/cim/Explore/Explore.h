//===- Explore.h - Co-design search over chips and networks -----*- C++ -*-===//
//
// Library CIMExplore, `cim-dse` (docs/dse.md): evaluates points of a design
// space (Space.h) by compiling the point's network for the point's chip
// (CIM::Compiler, to the program and its report), searches the space with
// NSGA-II (Nsga2.h) or a full grid, and writes the Pareto front. Every
// evaluation is cached by the content hash of what it depends on (the
// chip as printed, the model's and the policy's bytes, the cost model's
// version) in OUT/evaluations.jsonl, appended as evaluations finish: a
// rerun, a run killed and started again, or a widened space reuses every
// evaluation it has, and gives the same front.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_EXPLORE_EXPLORE_H
#define CIM_EXPLORE_EXPLORE_H

#include "cim/Explore/Nsga2.h"
#include "cim/Explore/Space.h"

#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace dse {

/// What compiling one point gave.
struct Evaluation {
  Point point;
  /// The content hash the cache knows it by (16 hex digits).
  std::string key;
  /// Whether the network compiled for the chip; when not, `reason` says why
  /// (an invalid chip, a network that does not fit).
  bool compiled = false;
  std::string reason;
  uint64_t latencyCycles = 0;
  double latencySeconds = 0, energyJoules = 0, areaMm2 = 0;
  int64_t crossbarsUsed = 0, chipCrossbars = 0;
  /// From the space (the network's measured accuracy), 0 when not given.
  double accuracy = 0;
  /// Compiled and within the constraints.
  bool feasible = false;
};

enum class Progress { None, Plain, Bar };

struct ExploreOptions {
  /// Where evaluations.jsonl, points.csv, front.csv, front.json and
  /// index.html go (created when missing).
  std::string outputDir;
  /// Evaluations compiled at once, each in a context of its own.
  unsigned jobs = 1;
  Progress progress = Progress::Plain;
  /// The space file's name, for the outputs.
  std::string spaceFile;
};

struct ExploreResult {
  /// Every point evaluated, once, in point order.
  std::vector<Evaluation> evaluations;
  /// Indices into `evaluations` of the feasible non-dominated points, by
  /// the first objective.
  std::vector<size_t> front;
  /// Evaluations read from the cache and compiled in this run.
  size_t reused = 0, compiled = 0;
};

/// Runs the search and writes its outputs. Fails (with one line in
/// `error`) only when the outputs cannot be written; a point that does not
/// compile is recorded as infeasible.
std::optional<ExploreResult>
explore(const Space &space, const ExploreOptions &options, std::string &error);

/// The fitness NSGA-II minimizes for an evaluation: the space's objectives
/// (accuracy negated) and the constraint violation (a point that did not
/// compile is infeasible by 10^9).
Fitness getFitness(const Space &space, const Evaluation &evaluation);

/// The self-contained HTML page of a result: the objectives pairwise as
/// scatter plots (every point, the front highlighted, each with its chip
/// and network on hover and click) and the front's table.
void printExploreHtml(const Space &space, const ExploreResult &result,
                      const std::string &spaceFile, llvm::raw_ostream &os);

} // namespace dse
} // namespace cim
} // namespace mlir

#endif // CIM_EXPLORE_EXPLORE_H
