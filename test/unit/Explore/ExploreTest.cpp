//===- ExploreTest.cpp - cim-dse: NSGA-II and design spaces ---------------===//

#include "cim/Explore/Nsga2.h"
#include "cim/Explore/Space.h"

#include "gtest/gtest.h"

#include <cmath>
#include <set>

using namespace mlir::cim;
using namespace mlir::cim::dse;

namespace {

Fitness fit(std::vector<double> objectives, double violation = 0) {
  return Fitness{std::move(objectives), violation};
}

TEST(Nsga2Test, ConstrainedDomination) {
  EXPECT_TRUE(dominates(fit({1, 1}), fit({2, 1})));
  EXPECT_FALSE(dominates(fit({1, 1}), fit({1, 1})));
  EXPECT_FALSE(dominates(fit({1, 2}), fit({2, 1})));
  // Feasible beats infeasible whatever the objectives; the smaller
  // violation wins between infeasible ones.
  EXPECT_TRUE(dominates(fit({9, 9}), fit({0, 0}, 0.1)));
  EXPECT_FALSE(dominates(fit({0, 0}, 0.1), fit({9, 9})));
  EXPECT_TRUE(dominates(fit({9, 9}, 0.1), fit({0, 0}, 0.2)));
}

TEST(Nsga2Test, FrontsAndCrowding) {
  std::vector<Fitness> f = {fit({1, 4}), fit({2, 2}), fit({4, 1}),
                            fit({3, 3}), fit({5, 5}), fit({2, 2})};
  std::vector<std::vector<size_t>> fronts = sortNonDominated(f);
  ASSERT_EQ(fronts.size(), 3u);
  EXPECT_EQ(fronts[0], (std::vector<size_t>{0, 1, 2, 5}));
  EXPECT_EQ(fronts[1], (std::vector<size_t>{3}));
  EXPECT_EQ(fronts[2], (std::vector<size_t>{4}));
  std::vector<double> d = crowdingDistances(f, {0, 1, 2});
  EXPECT_TRUE(std::isinf(d[0]));
  EXPECT_TRUE(std::isinf(d[2]));
  // (4 - 1) / 3 + (4 - 1) / 3 for the middle one.
  EXPECT_DOUBLE_EQ(d[1], 2.0);
}

/// A discrete problem whose front is known: genes x, y in [0, 8),
/// minimize (x + y, (7 - x) + y); the front is y = 0, any x.
std::vector<Fitness> evaluateToy(const std::vector<Genome> &genomes,
                                 size_t &calls) {
  std::vector<Fitness> out;
  for (const Genome &g : genomes) {
    ++calls;
    out.push_back(fit({double(g[0] + g[1]), double(7 - g[0] + g[1])},
                      g[0] == 3 ? 1.0 : 0.0)); // x = 3 is infeasible
  }
  return out;
}

TEST(Nsga2Test, FindsTheFrontAndIsDeterministic) {
  Nsga2Options options;
  options.population = 16;
  options.generations = 20;
  options.seed = 7;
  size_t calls = 0;
  unsigned generations = 0;
  auto evaluate = [&](const std::vector<Genome> &g) {
    return evaluateToy(g, calls);
  };
  std::vector<Genome> last = runNsga2({8, 8}, options, evaluate,
                                      [&](unsigned gen) { generations = gen; });
  EXPECT_EQ(generations, 20u);
  EXPECT_EQ(calls, 16u * 21);
  std::set<size_t> xs;
  for (const Genome &g : last)
    if (g[1] == 0)
      xs.insert(g[0]);
  // Every feasible front member is found, the infeasible x = 3 is not kept.
  EXPECT_EQ(xs, (std::set<size_t>{0, 1, 2, 4, 5, 6, 7}));
  size_t again = 0;
  std::vector<Genome> repeat =
      runNsga2({8, 8}, options, [&](const std::vector<Genome> &g) {
        return evaluateToy(g, again);
      });
  EXPECT_EQ(repeat, last);
  options.seed = 8;
  std::vector<Genome> other =
      runNsga2({8, 8}, options, [&](const std::vector<Genome> &g) {
        return evaluateToy(g, again);
      });
  EXPECT_NE(other, last);
}

std::vector<std::string> spaceErrors(const std::string &text) {
  std::vector<LocatedError> errors;
  EXPECT_FALSE(parseSpace(text, "s.yaml", errors).has_value());
  std::vector<std::string> out;
  for (const LocatedError &e : errors)
    out.push_back(e.str());
  return out;
}

std::string model() {
  return std::string(CIM_SOURCE_DIR) + "/models/lenet5-fmnist.onnx";
}

std::string space(const std::string &rest) {
  return "hardware: rram-tiled\nnetworks:\n  - model: " + model() +
         "\n    wbits: 4\n    abits: 4\n    accuracy: 0.9\n" + rest;
}

TEST(SpaceTest, ParsesAndBuildsChips) {
  std::vector<LocatedError> errors;
  std::optional<Space> s = parseSpace(
      space("space:\n  crossbar.cols: [64, 256]\n  converters.adc_bits: [6, "
            "10]\nobjectives: [latency, area, accuracy]\nconstraints:\n  "
            "area_mm2: 30\nsearch:\n  algorithm: grid\n"),
      "s.yaml", errors);
  ASSERT_TRUE(s.has_value()) << errors.front().str();
  EXPECT_EQ(s->networks.size(), 1u);
  EXPECT_EQ(s->networks[0].name, "lenet5-fmnist w4a4");
  EXPECT_TRUE(s->networks[0].givenWidths);
  EXPECT_EQ(s->getNumPoints(), 4u);
  EXPECT_EQ(s->algorithm, "grid");
  EXPECT_EQ(s->maxAreaMm2, 30);
  ASSERT_EQ(s->objectives.size(), 3u);
  EXPECT_EQ(s->objectives[2], Objective::Accuracy);

  // 256 columns keep one ADC per crossbar; 10-bit ADCs are 4x the area and
  // energy of the base's 8-bit ones.
  hw::HardwareDescription chip;
  Point p{0, {1, 1}};
  EXPECT_TRUE(buildHardware(*s, p, chip).empty());
  EXPECT_EQ(chip.cols, 256);
  EXPECT_EQ(chip.colsPerAdc, 256);
  EXPECT_EQ(chip.adcBits, 10u);
  EXPECT_DOUBLE_EQ(chip.adcUm2, 4 * s->base.adcUm2);
  EXPECT_DOUBLE_EQ(chip.adcConversionPj, 4 * s->base.adcConversionPj);
  // 781 ps at 8 bits: 976 ps at 10.
  EXPECT_EQ(chip.adcConversionPs, (781u * 10 + 4) / 8);
  p = {0, {0, 0}};
  EXPECT_TRUE(buildHardware(*s, p, chip).empty());
  EXPECT_EQ(chip.colsPerAdc, 64);
  EXPECT_DOUBLE_EQ(chip.adcUm2, s->base.adcUm2 / 4);
}

TEST(SpaceTest, LocatedErrors) {
  EXPECT_EQ(spaceErrors(space("spaze: 1\n")),
            std::vector<std::string>{"s.yaml:7:1: error: spaze: unknown key"});
  EXPECT_EQ(spaceErrors(space("space:\n  crossbar.rows: []\n")),
            std::vector<std::string>{
                "s.yaml:8:19: error: space.crossbar.rows: must not be empty"});
  EXPECT_EQ(spaceErrors(space("space:\n  crossbar.rowz: [1]\n")),
            std::vector<std::string>{
                "s.yaml:8:3: error: space.crossbar.rowz: not a hardware "
                "field (docs/hardware.md lists them)"});
  EXPECT_EQ(spaceErrors(space("space:\n  converters.dac_bits: [1, 9]\n")),
            std::vector<std::string>{
                "s.yaml:8:28: error: space.converters.dac_bits: must be in "
                "[1, 8], got 9"});
  EXPECT_EQ(spaceErrors(space("space:\n  chip.pes: [4, 4]\n")),
            std::vector<std::string>{
                "s.yaml:8:17: error: space.chip.pes: '4' appears twice"});
  EXPECT_EQ(spaceErrors(space("objectives: [speed]\n")),
            std::vector<std::string>{
                "s.yaml:7:14: error: objectives: must be latency, energy, "
                "area or accuracy, got 'speed'"});
  EXPECT_EQ(spaceErrors("networks:\n  - model: nowhere.onnx\n"),
            std::vector<std::string>{
                "s.yaml:2:12: error: networks[0].model: no such file "
                "'nowhere.onnx'"});
  EXPECT_EQ(spaceErrors("hardware: cimaq-reference\nnetworks:\n  - model: " +
                        model() + "\n"),
            std::vector<std::string>{
                "s.yaml:1:11: error: hardware: 'cimaq-reference' has no area "
                "section, which the objectives or constraints use "
                "(docs/hardware.md, \"Area\")"});
  EXPECT_EQ(spaceErrors("networks:\n  - model: " + model() +
                        "\nobjectives: [latency, accuracy]\n"),
            std::vector<std::string>{
                "s.yaml:2:5: error: networks[0]: accuracy is missing (the "
                "objectives or constraints use it)"});
  EXPECT_EQ(spaceErrors("search:\n  population: 2\nnetworks: []\n"),
            std::vector<std::string>{
                "s.yaml:3:12: error: networks: must not be empty"});
  EXPECT_EQ(spaceErrors("- 1\n"),
            std::vector<std::string>{"s.yaml:1:1: error: not a design space "
                                     "(expected a mapping of sections)"});
}

} // namespace
