//===- Nsga2.h - A multi-objective evolutionary search ----------*- C++ -*-===//
//
// Library CIMExplore: NSGA-II (K. Deb, A. Pratap, S. Agarwal, T. Meyarivan,
// "A Fast and Elitist Multiobjective Genetic Algorithm: NSGA-II", IEEE
// Transactions on Evolutionary Computation 6(2), 2002) over genomes of
// discrete genes, with Deb's constrained domination: a feasible solution
// dominates an infeasible one, and of two infeasible ones the smaller
// violation wins. Every objective is minimized. A fixed seed gives the same
// search: the random numbers come from std::mt19937_64, whose sequence the
// C++ standard fixes, and every tie is broken by genome order.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_EXPLORE_NSGA2_H
#define CIM_EXPLORE_NSGA2_H

#include <cstdint>
#include <functional>
#include <vector>

namespace mlir {
namespace cim {
namespace dse {

using Genome = std::vector<size_t>;

/// What an evaluation gives: objectives to minimize, and how far the
/// solution is from feasible (0: feasible).
struct Fitness {
  std::vector<double> objectives;
  double violation = 0;
};

/// Whether `a` dominates `b` under constrained domination.
bool dominates(const Fitness &a, const Fitness &b);

/// The fronts of a fast non-dominated sort: indices into `fitness`, front
/// by front, each front in increasing index order.
std::vector<std::vector<size_t>>
sortNonDominated(const std::vector<Fitness> &fitness);

/// Crowding distances of the members of one front (infinite at the
/// extremes of every objective).
std::vector<double> crowdingDistances(const std::vector<Fitness> &fitness,
                                      const std::vector<size_t> &front);

struct Nsga2Options {
  unsigned population = 32;
  unsigned generations = 10;
  uint64_t seed = 1;
  /// Probability of uniform crossover for a pair of parents; each gene then
  /// mutates with probability 1 / genes.
  double crossoverRate = 0.9;
};

/// Evaluates a batch of genomes (one generation) and returns their fitness
/// in order; called once for the first population and once per generation.
using EvaluateBatch =
    std::function<std::vector<Fitness>(const std::vector<Genome> &)>;
/// Called after each generation (0: the first population) with the
/// population's genomes.
using GenerationDone = std::function<void(unsigned generation)>;

/// Runs NSGA-II over genomes whose gene i takes values [0, cardinality[i]).
/// Returns the final population.
std::vector<Genome> runNsga2(const std::vector<size_t> &cardinality,
                             const Nsga2Options &options,
                             const EvaluateBatch &evaluate,
                             const GenerationDone &done = nullptr);

} // namespace dse
} // namespace cim
} // namespace mlir

#endif // CIM_EXPLORE_NSGA2_H
