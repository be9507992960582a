//===- Nsga2.cpp - A multi-objective evolutionary search ------------------===//

#include "cim/Explore/Nsga2.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

using namespace mlir::cim::dse;

bool mlir::cim::dse::dominates(const Fitness &a, const Fitness &b) {
  if (a.violation > 0 || b.violation > 0) {
    if (a.violation == 0)
      return true;
    if (b.violation == 0)
      return false;
    return a.violation < b.violation;
  }
  bool better = false;
  for (size_t i = 0; i < a.objectives.size(); ++i) {
    if (a.objectives[i] > b.objectives[i])
      return false;
    if (a.objectives[i] < b.objectives[i])
      better = true;
  }
  return better;
}

std::vector<std::vector<size_t>>
mlir::cim::dse::sortNonDominated(const std::vector<Fitness> &fitness) {
  size_t n = fitness.size();
  std::vector<std::vector<size_t>> dominated(n);
  std::vector<size_t> dominatedBy(n, 0);
  std::vector<std::vector<size_t>> fronts(1);
  for (size_t p = 0; p < n; ++p) {
    for (size_t q = 0; q < n; ++q) {
      if (p == q)
        continue;
      if (dominates(fitness[p], fitness[q]))
        dominated[p].push_back(q);
      else if (dominates(fitness[q], fitness[p]))
        ++dominatedBy[p];
    }
    if (dominatedBy[p] == 0)
      fronts[0].push_back(p);
  }
  while (!fronts.back().empty()) {
    std::vector<size_t> next;
    for (size_t p : fronts.back())
      for (size_t q : dominated[p])
        if (--dominatedBy[q] == 0)
          next.push_back(q);
    std::sort(next.begin(), next.end());
    fronts.push_back(std::move(next));
  }
  fronts.pop_back();
  return fronts;
}

std::vector<double>
mlir::cim::dse::crowdingDistances(const std::vector<Fitness> &fitness,
                                  const std::vector<size_t> &front) {
  size_t n = front.size();
  std::vector<double> distance(n, 0.0);
  if (n == 0)
    return distance;
  const double inf = std::numeric_limits<double>::infinity();
  size_t objectives = fitness[front[0]].objectives.size();
  std::vector<size_t> order(n);
  for (size_t m = 0; m < objectives; ++m) {
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return fitness[front[a]].objectives[m] < fitness[front[b]].objectives[m];
    });
    double lo = fitness[front[order.front()]].objectives[m];
    double hi = fitness[front[order.back()]].objectives[m];
    distance[order.front()] = distance[order.back()] = inf;
    if (hi <= lo)
      continue;
    for (size_t i = 1; i + 1 < n; ++i)
      distance[order[i]] += (fitness[front[order[i + 1]]].objectives[m] -
                             fitness[front[order[i - 1]]].objectives[m]) /
                            (hi - lo);
  }
  return distance;
}

namespace {
/// Rank and crowding of every member of a population.
struct Ranking {
  std::vector<size_t> rank;
  std::vector<double> crowding;
};

Ranking rankPopulation(const std::vector<Fitness> &fitness) {
  Ranking r;
  r.rank.assign(fitness.size(), 0);
  r.crowding.assign(fitness.size(), 0);
  std::vector<std::vector<size_t>> fronts = sortNonDominated(fitness);
  for (size_t f = 0; f < fronts.size(); ++f) {
    std::vector<double> d = crowdingDistances(fitness, fronts[f]);
    for (size_t i = 0; i < fronts[f].size(); ++i) {
      r.rank[fronts[f][i]] = f;
      r.crowding[fronts[f][i]] = d[i];
    }
  }
  return r;
}

/// Whether member a wins a tournament against b: lower rank, then larger
/// crowding distance, then the lower index.
bool beats(const Ranking &r, size_t a, size_t b) {
  if (r.rank[a] != r.rank[b])
    return r.rank[a] < r.rank[b];
  if (r.crowding[a] != r.crowding[b])
    return r.crowding[a] > r.crowding[b];
  return a < b;
}
} // namespace

std::vector<Genome> mlir::cim::dse::runNsga2(
    const std::vector<size_t> &cardinality, const Nsga2Options &options,
    const EvaluateBatch &evaluate, const GenerationDone &done) {
  std::mt19937_64 rng(options.seed);
  auto draw = [&](size_t n) { return size_t(rng() % uint64_t(n)); };
  auto chance = [&](double p) { return double(rng() >> 11) * 0x1.0p-53 < p; };
  size_t genes = cardinality.size();
  size_t n = std::max<size_t>(2, options.population);

  std::vector<Genome> population(n, Genome(genes));
  for (Genome &g : population)
    for (size_t i = 0; i < genes; ++i)
      g[i] = draw(cardinality[i]);
  std::vector<Fitness> fitness = evaluate(population);
  if (done)
    done(0);

  for (unsigned gen = 1; gen <= options.generations; ++gen) {
    Ranking ranking = rankPopulation(fitness);
    auto tournament = [&]() {
      size_t a = draw(n), b = draw(n);
      return beats(ranking, a, b) ? a : b;
    };
    // Offspring: binary tournaments, uniform crossover, mutation.
    std::vector<Genome> offspring;
    while (offspring.size() < n) {
      Genome a = population[tournament()], b = population[tournament()];
      if (chance(options.crossoverRate))
        for (size_t i = 0; i < genes; ++i)
          if (chance(0.5))
            std::swap(a[i], b[i]);
      for (Genome *child : {&a, &b}) {
        for (size_t i = 0; i < genes; ++i)
          if (cardinality[i] > 1 && chance(1.0 / double(genes))) {
            size_t v = draw(cardinality[i] - 1);
            (*child)[i] = v >= (*child)[i] ? v + 1 : v;
          }
        if (offspring.size() < n)
          offspring.push_back(*child);
      }
    }
    std::vector<Fitness> childFitness = evaluate(offspring);

    // Elitist survival over parents and offspring: whole fronts, then the
    // most crowded-apart members of the front that does not fit.
    std::vector<Genome> all = population;
    all.insert(all.end(), offspring.begin(), offspring.end());
    std::vector<Fitness> allFitness = fitness;
    allFitness.insert(allFitness.end(), childFitness.begin(),
                      childFitness.end());
    std::vector<size_t> keep;
    for (const std::vector<size_t> &front : sortNonDominated(allFitness)) {
      if (keep.size() + front.size() <= n) {
        keep.insert(keep.end(), front.begin(), front.end());
        continue;
      }
      std::vector<double> d = crowdingDistances(allFitness, front);
      std::vector<size_t> order(front.size());
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return d[a] > d[b]; });
      for (size_t i = 0; keep.size() < n; ++i)
        keep.push_back(front[order[i]]);
      break;
    }
    std::vector<Genome> next;
    std::vector<Fitness> nextFitness;
    for (size_t i : keep) {
      next.push_back(all[i]);
      nextFitness.push_back(allFitness[i]);
    }
    population = std::move(next);
    fitness = std::move(nextFitness);
    if (done)
      done(gen);
  }
  return population;
}
