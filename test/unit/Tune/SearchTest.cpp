//===- SearchTest.cpp - The mixed-precision search ------------------------===//
//
// Action mapping and constraints, the replay buffer and samplers, the DDPG
// agent's determinism and state round trip, and a whole search on the tiny
// tune-net with synthetic data: the same seed gives the same bytes for any
// number of threads, and a search stopped after two episodes resumes from
// its checkpoint to the same result. Fake evaluators check the choice
// when no policy stays within the allowed drop, and among several
// candidates given the final QAT.
//
//===----------------------------------------------------------------------===//

#include "cim/Tune/Search.h"
#include "cim/Quant/Policy.h"
#include "cim/Tune/IRModel.h"
#include "cim/Tune/SearchEval.h"
#include "cim/Tune/SearchLatency.h"
#include "cim/Tune/SearchReport.h"

#include "gtest/gtest.h"

#include <cstdio>
#include <functional>
#include <unistd.h>

using namespace mlir::cim;
using namespace mlir::cim::tune;

namespace {

TEST(TuneSearchSpace, ActionsMapEvenlyOverTheAllowedWidths) {
  ActionSpace plain(3, 2, 8, 4, {});
  EXPECT_EQ(plain.mapActivation(1, 0.0), 2u);
  EXPECT_EQ(plain.mapActivation(1, 0.5), 5u);
  EXPECT_EQ(plain.mapActivation(1, 1.0), 8u);
  EXPECT_EQ(plain.mapActivation(1, 0.99), 8u);
  EXPECT_EQ(plain.mapWeight(0, -3.0), 2u);
  for (unsigned b = 2; b <= 8; ++b)
    EXPECT_EQ(plain.mapWeight(2, plain.weightAction(2, b)), b);
  EXPECT_EQ(plain.lowerActivation(0, 5), 4u);
  EXPECT_FALSE(plain.lowerActivation(0, 2));

  Constraints both;
  both.weight = both.io = true;
  ActionSpace constrained(3, 2, 8, 4, both);
  // 4-bit cells: weights 4 or 8; first and last layer W8A8.
  EXPECT_EQ(constrained.getWeightChoices(1), (std::vector<unsigned>{4, 8}));
  EXPECT_EQ(constrained.mapWeight(1, 0.49), 4u);
  EXPECT_EQ(constrained.mapWeight(1, 0.5), 8u);
  EXPECT_EQ(constrained.getActivationChoices(1).size(), 7u);
  for (size_t io : {size_t(0), size_t(2)}) {
    EXPECT_EQ(constrained.mapWeight(io, 0.0), 8u);
    EXPECT_EQ(constrained.mapActivation(io, 0.0), 8u);
  }
  Constraints parsed;
  std::string error;
  EXPECT_TRUE(parseConstraints("io,weight", parsed, error));
  EXPECT_TRUE(parsed.io && parsed.weight);
  EXPECT_FALSE(parseConstraints("io,speed", parsed, error));
  EXPECT_NE(error.find("'speed'"), std::string::npos);
}

TEST(TuneSearchSpace, FitLowersTheLargestLayerFirst) {
  ActionSpace space(3, 2, 8, 2, Constraints{true, false});
  // Crossbars grow with the width; layer 1 is the big one.
  auto crossbars = [](size_t i, unsigned bits) {
    return int64_t(bits) * (i == 1 ? 10 : 1);
  };
  auto fitsIn = [&](int64_t budget) {
    return [=](const std::vector<unsigned> &w) {
      int64_t total = 0;
      for (size_t i = 0; i < w.size(); ++i)
        total += crossbars(i, w[i]);
      return total <= budget;
    };
  };
  std::vector<unsigned> w = {8, 8, 8};
  ASSERT_TRUE(fitWeights(space, fitsIn(60), crossbars, w));
  EXPECT_EQ(w, (std::vector<unsigned>{8, 4, 8})); // 8 + 40 + 8 = 56
  w = {8, 8, 8};
  EXPECT_FALSE(fitWeights(space, fitsIn(10), crossbars, w));
}

TEST(TuneSearchSpace, PolicyKeysAndFiles) {
  BitPolicy p;
  p.wbits = {8, 4, 2};
  p.abits = {8, 3, 6};
  EXPECT_EQ(p.key(), "8/8,4/3,2/6");
  EXPECT_EQ(*BitPolicy::fromKey(p.key()), p);
  EXPECT_FALSE(BitPolicy::fromKey("8/8,4"));
  EXPECT_FALSE(BitPolicy::fromKey("8/17"));
  std::vector<SearchLayer> layers(3);
  layers[0].name = "conv1";
  layers[1].name = "fc";
  layers[2].name = "fc"; // ambiguous: by index
  std::string json = formatPolicyJson(layers, p);
  quant::PolicyError error;
  std::optional<quant::BitwidthPolicy> parsed = quant::parsePolicy(json, error);
  ASSERT_TRUE(parsed) << error.message;
  ASSERT_EQ(parsed->layers.size(), 3u);
  EXPECT_EQ(*parsed->layers[0].name, "conv1");
  EXPECT_EQ(*parsed->layers[2].index, 2);
  EXPECT_EQ(*parsed->layers[1].abits, 3u);
}

TEST(TuneSearchSpace, SamplersAndReplayBufferAreSeeded) {
  std::mt19937_64 a(7), b(7);
  for (int i = 0; i < 100; ++i) {
    double x = sampleTruncatedNormal(0.9, 0.5, 0, 1, a);
    EXPECT_EQ(x, sampleTruncatedNormal(0.9, 0.5, 0, 1, b));
    EXPECT_GE(x, 0.0);
    EXPECT_LE(x, 1.0);
  }
  ReplayBuffer buffer(3);
  for (int i = 0; i < 5; ++i) {
    Transition t;
    t.reward = float(i);
    buffer.push(t);
  }
  // A ring: 3 and 4 replaced 0 and 1.
  EXPECT_EQ(buffer.size(), 3u);
  EXPECT_EQ(buffer[0].reward, 3.0f);
  EXPECT_EQ(buffer[1].reward, 4.0f);
  EXPECT_EQ(buffer[2].reward, 2.0f);
  EXPECT_EQ(buffer.getNext(), 2u);
  std::mt19937_64 r1(3), r2(3);
  EXPECT_EQ(buffer.sample(10, r1), buffer.sample(10, r2));
}

TEST(TuneSearchSpace, FitLatencyLowersTheWidthThatSavesMostPerNoise) {
  ActionSpace space(2, 2, 8, 1, Constraints{false, false});
  // Layer 0's activations cost 10 cycles a bit, everything else 1.
  auto cycles = [](const BitPolicy &p) {
    return uint64_t(10 * p.abits[0] + p.wbits[0] + p.wbits[1] + p.abits[1]);
  };
  auto fits = [](const std::vector<unsigned> &) { return true; };
  BitPolicy p = BitPolicy::uniform(2, 8, 8); // 104 cycles
  ASSERT_TRUE(fitLatency(space, cycles, fits, 104, p));
  EXPECT_EQ(p.abits, (std::vector<unsigned>{8, 8})); // within: unchanged
  ASSERT_TRUE(fitLatency(space, cycles, fits, 80, p));
  EXPECT_EQ(p.abits, (std::vector<unsigned>{5, 8})); // 74 cycles
  EXPECT_EQ(p.wbits, (std::vector<unsigned>{8, 8}));
  ASSERT_TRUE(fitLatency(space, cycles, fits, 40, p));
  // Cycles saved * 2^bits: layer 0's activations while they save the most,
  // then every width in turn as layer 0's get narrow.
  EXPECT_EQ(p.abits, (std::vector<unsigned>{2, 6})); // 20 + 6 + 6 + 6
  EXPECT_EQ(p.wbits, (std::vector<unsigned>{6, 6}));
  // The weights only where the chip takes them; nothing lower: false.
  auto noLowWeights = [](const std::vector<unsigned> &w) {
    return w[0] == 8 && w[1] == 8;
  };
  p = BitPolicy::uniform(2, 8, 8);
  EXPECT_FALSE(fitLatency(space, cycles, noLowWeights, 30, p));
  EXPECT_EQ(p.wbits, (std::vector<unsigned>{8, 8}));
  EXPECT_EQ(p.abits, (std::vector<unsigned>{2, 2}));
}

TEST(TuneSearchSpace, FitLatencyCrossesPlateaus) {
  ActionSpace space(1, 2, 8, 1, Constraints{false, false});
  // Weights in 2-bit slices: 8 and 7 bits cost the same, 6 saves a slice;
  // activations cost nothing here.
  auto cycles = [](const BitPolicy &p) {
    return uint64_t(10 * ((p.wbits[0] + 1) / 2) + 1);
  };
  auto fits = [](const std::vector<unsigned> &) { return true; };
  BitPolicy p = BitPolicy::uniform(1, 8, 8); // 41 cycles
  ASSERT_TRUE(fitLatency(space, cycles, fits, 35, p));
  EXPECT_EQ(p.wbits, (std::vector<unsigned>{6})); // 31: the flat 8 -> 7 first
  EXPECT_EQ(p.abits, (std::vector<unsigned>{8})); // untouched
  // Below every reachable latency: false, everything at its lowest.
  p = BitPolicy::uniform(1, 8, 8);
  EXPECT_FALSE(fitLatency(space, cycles, fits, 5, p));
  EXPECT_EQ(p.wbits, (std::vector<unsigned>{2}));
}

TEST(TuneSearchSpace, FitLatencySparesTheSensitiveLayer) {
  ActionSpace space(2, 2, 8, 1, Constraints{false, false});
  // Both layers' activations cost 10 cycles a bit; layer 0's weights and
  // activations add 100 times the noise of layer 1's at every width.
  auto cycles = [](const BitPolicy &p) {
    return uint64_t(10 * (p.abits[0] + p.abits[1]) + p.wbits[0] + p.wbits[1]);
  };
  auto fits = [](const std::vector<unsigned> &) { return true; };
  NoiseFn noise = [](size_t layer, bool, unsigned bits) {
    return (layer == 0 ? 100.0 : 1.0) * std::ldexp(1.0, -2 * int(bits));
  };
  BitPolicy p = BitPolicy::uniform(2, 8, 8); // 176 cycles
  ASSERT_TRUE(fitLatency(space, cycles, fits, 120, p, noise));
  // Cycles saved per noise added: layer 1's activations down to 4 bits and
  // its weights to 6 before layer 0's activations give one bit (113).
  EXPECT_EQ(p.abits, (std::vector<unsigned>{7, 3}));
  EXPECT_EQ(p.wbits, (std::vector<unsigned>{8, 5}));
  EXPECT_EQ(cycles(p), 113u);
  // Preferred widths (soft floors, 4x the noise per bit below): preferring
  // every width at 2 bits changes nothing; layer 1's activations preferred
  // at 8 bits keep 5 instead of 3, layer 0's give 2 more.
  BitPolicy prefer = BitPolicy::uniform(2, 2, 2);
  BitPolicy f = BitPolicy::uniform(2, 8, 8);
  ASSERT_TRUE(fitLatency(space, cycles, fits, 120, f,
                         withPreferredWidths(noise, prefer)));
  EXPECT_EQ(f.abits, p.abits);
  EXPECT_EQ(f.wbits, p.wbits);
  prefer.abits[1] = 8;
  f = BitPolicy::uniform(2, 8, 8);
  ASSERT_TRUE(fitLatency(space, cycles, fits, 120, f,
                         withPreferredWidths(noise, prefer)));
  EXPECT_EQ(f.abits, (std::vector<unsigned>{5, 5}));
  EXPECT_EQ(f.wbits, (std::vector<unsigned>{7, 4}));
  EXPECT_EQ(cycles(f), 111u);
  // Without measured noise, the 2^-bits rule spreads the cuts.
  BitPolicy q = BitPolicy::uniform(2, 8, 8);
  ASSERT_TRUE(fitLatency(space, cycles, fits, 120, q));
  EXPECT_EQ(q.abits, (std::vector<unsigned>{5, 5}));
  // A plateau takes the step adding the least noise: layer 1's weights.
  auto slices = [](const BitPolicy &p) {
    return uint64_t(10 * ((p.wbits[0] + 1) / 2 + (p.wbits[1] + 1) / 2));
  };
  BitPolicy r = BitPolicy::uniform(2, 8, 8); // 80 cycles
  ASSERT_TRUE(fitLatency(space, slices, fits, 70, r, noise));
  EXPECT_EQ(r.wbits, (std::vector<unsigned>{8, 6}));
}

TEST(TuneSearchSpace, FitLatencyLooksOverASlicePlateau) {
  // Weights in 2-bit slices of 10 cycles, activations 1 cycle a bit: 48.
  auto cycles = [](const BitPolicy &p) {
    return uint64_t(10 * ((p.wbits[0] + 1) / 2) + p.abits[0]);
  };
  auto fits = [](const std::vector<unsigned> &) { return true; };
  // On 2-bit cells 8 -> 6 weight bits is one step (10 cycles for the noise
  // of two bits): it beats every 1-cycle activation step below 8 bits.
  ActionSpace cells(1, 2, 8, 2, Constraints{false, false});
  BitPolicy p = BitPolicy::uniform(1, 8, 8);
  ASSERT_TRUE(fitLatency(cells, cycles, fits, 32, p));
  EXPECT_EQ(p.wbits, (std::vector<unsigned>{4}));
  EXPECT_EQ(p.abits, (std::vector<unsigned>{7}));
  // Looking one width ahead only, the activations go first, to 2 bits.
  ActionSpace single(1, 2, 8, 1, Constraints{false, false});
  p = BitPolicy::uniform(1, 8, 8);
  ASSERT_TRUE(fitLatency(single, cycles, fits, 32, p));
  EXPECT_EQ(p.wbits, (std::vector<unsigned>{6}));
  EXPECT_EQ(p.abits, (std::vector<unsigned>{2}));
}

TEST(TuneSearchSpace, FitLatencyScoresLazily) {
  // Twelve layers whose cycles add up (each layer's own saving does not move
  // when another is lowered): lazy re-scoring takes the same steps as
  // scoring every step every round, with far fewer latencies.
  const size_t n = 12;
  ActionSpace space(n, 2, 8, 1, Constraints{false, false});
  auto separable = [](const BitPolicy &p) {
    uint64_t c = 0;
    for (size_t i = 0; i < p.abits.size(); ++i)
      c += (i + 1) * (3 * p.abits[i] + p.wbits[i]);
    return c;
  };
  auto fits = [](const std::vector<unsigned> &) { return true; };
  NoiseFn noise = [](size_t layer, bool weight, unsigned bits) {
    return double(layer % 3 + 1 + weight) * std::ldexp(1.0, -int(bits));
  };
  // The reference: every step scored every round (the pre-lazy rule).
  BitPolicy exact = BitPolicy::uniform(n, 8, 8);
  uint64_t now = separable(exact), budget = now / 2;
  int64_t exactCalls = 0;
  while (now > budget) {
    BitPolicy best;
    double bestScore = 0;
    for (int kind = 1; kind >= 0; --kind)
      for (size_t i = 0; i < n; ++i) {
        BitPolicy q = exact;
        unsigned &b = kind ? q.abits[i] : q.wbits[i];
        if (b == 2)
          continue;
        --b;
        ++exactCalls;
        double score = double(now - separable(q)) /
                       (noise(i, !kind, b) - noise(i, !kind, b + 1));
        if (score > bestScore) {
          bestScore = score;
          best = q;
        }
      }
    ASSERT_GT(bestScore, 0);
    exact = best;
    now = separable(exact);
  }
  int64_t lazyCalls = 0;
  auto counted = [&](const BitPolicy &p) {
    ++lazyCalls;
    return separable(p);
  };
  BitPolicy lazy = BitPolicy::uniform(n, 8, 8);
  ASSERT_TRUE(fitLatency(space, counted, fits, budget, lazy, noise));
  EXPECT_EQ(lazy.abits, exact.abits);
  EXPECT_EQ(lazy.wbits, exact.wbits);
  EXPECT_LT(lazyCalls * 3, exactCalls);

  // Where the layers interact (a pipeline: the slowest layer sets the
  // pace, the others add a little), the prefetch width changes what is
  // compiled ahead, not the result; after the first round it gets at most
  // that many candidates at a time.
  auto pipeline = [](const BitPolicy &p) {
    uint64_t slowest = 0, sum = 0;
    for (size_t i = 0; i < p.abits.size(); ++i) {
      uint64_t c = (i % 3 + 2) * p.abits[i] * (p.wbits[i] + 2);
      slowest = std::max(slowest, c);
      sum += c;
    }
    return 8 * slowest + sum;
  };
  BitPolicy reference;
  for (size_t width : {1, 2, 5}) {
    std::vector<size_t> sizes;
    BitPolicy q = BitPolicy::uniform(n, 8, 8);
    ASSERT_TRUE(fitLatency(
        space, pipeline, fits, pipeline(q) / 3, q, noise,
        [&](const std::vector<BitPolicy> &c) { sizes.push_back(c.size()); },
        width));
    EXPECT_LE(pipeline(q), pipeline(BitPolicy::uniform(n, 8, 8)) / 3);
    ASSERT_FALSE(sizes.empty());
    EXPECT_EQ(sizes[0], 2 * n); // the first round: every step
    for (size_t k = 1; k < sizes.size(); ++k)
      EXPECT_LE(sizes[k], std::max<size_t>(width, 2));
    if (width == 1)
      reference = q;
    EXPECT_EQ(q.abits, reference.abits);
    EXPECT_EQ(q.wbits, reference.wbits);
  }
}

TEST(TuneSearchSpace, RewardPenalizesBeyondTheAllowedDrop) {
  EXPECT_DOUBLE_EQ(computeReward(0.5, 0.90, 0.90, 0.01), 0.5);
  EXPECT_NEAR(computeReward(0.4, 0.895, 0.90, 0.01), 0.595, 1e-12);
  EXPECT_LT(computeReward(0.1, 0.85, 0.90, 0.01), -0.1);
  EXPECT_GT(computeReward(1.0, 0.90, 0.90, 0.01),
            computeReward(0.2, 0.88, 0.90, 0.01));
  // Under a latency budget: the accuracy alone, feasible above infeasible.
  EXPECT_NEAR(computeReward(0.5, 0.895, 0.90, 0.01, true), -0.05, 1e-12);
  EXPECT_DOUBLE_EQ(computeReward(0.1, 0.90, 0.90, 0.01, true),
                   computeReward(0.9, 0.90, 0.90, 0.01, true));
  EXPECT_LT(computeReward(0.1, 0.889, 0.90, 0.01, true),
            computeReward(0.9, 0.89, 0.90, 0.01, true));
}

Transition makeTransition(int i) {
  Transition t;
  t.state = {float(i % 3) / 3, 0.5f, float(i % 5) / 5};
  t.action = {float(i % 7) / 7, float(i % 2)};
  t.nextState = {0.1f, 0.2f, 0.3f};
  t.reward = float(i % 4) / 4;
  t.done = i % 3 == 0;
  return t;
}

TEST(TuneSearchAgent, SeededAndRestoredExactly) {
  DdpgOptions options;
  options.hidden = 16;
  options.batchSize = 8;
  DdpgAgent a(3, 2, options, 11), b(3, 2, options, 11), c(3, 2, options, 12);
  std::vector<float> s = {0.2f, 0.4f, 0.6f};
  EXPECT_EQ(a.act(s), b.act(s));
  EXPECT_NE(a.act(s), c.act(s));
  std::mt19937_64 ra(5), rb(5);
  for (int i = 0; i < 20; ++i) {
    a.getBuffer().push(makeTransition(i));
    b.getBuffer().push(makeTransition(i));
  }
  for (int i = 0; i < 5; ++i) {
    a.update(ra);
    b.update(rb);
  }
  a.observeReward(0.3);
  b.observeReward(0.3);
  EXPECT_EQ(a.act(s), b.act(s));
  std::vector<float> before = a.act(s);

  // Save, restore into an agent of another seed, continue both.
  DdpgAgent restored(3, 2, options, 99);
  std::string error;
  ASSERT_TRUE(restored.load(a.save(), error)) << error;
  EXPECT_EQ(restored.act(s), before);
  EXPECT_EQ(restored.getBuffer().size(), 20u);
  std::mt19937_64 rr = ra;
  for (int i = 0; i < 3; ++i) {
    a.update(ra);
    restored.update(rr);
  }
  EXPECT_EQ(a.act(s), restored.act(s));
  EXPECT_NE(a.act(s), before);
  EXPECT_FALSE(restored.load("not an archive", error));
}

Dataset syntheticImages(int64_t count, uint64_t seed) {
  Dataset data;
  data.count = count;
  data.height = data.width = 8;
  data.numClasses = 4;
  std::mt19937 rng{unsigned(seed)};
  for (int64_t i = 0; i < count; ++i) {
    // The label decides which quadrant is bright: learnable.
    int label = int(i % 4);
    for (int64_t p = 0; p < 64; ++p) {
      bool bright = ((p / 8) / 4) * 2 + (p % 8) / 4 == label;
      data.pixels.push_back(uint8_t(rng() % 64 + (bright ? 160 : 0)));
    }
    data.labels.push_back(uint8_t(label));
  }
  return data;
}

struct Outputs {
  std::string policy, summary, csv;
  bool complete = true;
  SearchResult result;
};

Outputs searchTuneNet(int jobs, const std::string &checkpoint,
                      int64_t stopAfter, double targetSpeedup) {
  std::string error;
  std::string model = std::string(CIM_TUNE_INPUTS) + "/tune-net.onnxtxt";
  std::unique_ptr<LatencyModel> latency =
      LatencyModel::create(model, "cimaq-reference", error);
  EXPECT_TRUE(latency) << error;
  LoadOptions load;
  load.quantize = true;
  std::unique_ptr<IRModel> ir = IRModel::load(model, load, error);
  EXPECT_TRUE(ir) << error;
  if (!latency || !ir)
    return {};
  FinetuneOptions finetune;
  finetune.subset = 64;
  finetune.validation = 48;
  finetune.batchSize = 16;
  finetune.calibrationImages = 32;
  finetune.finalEpochs = 1;
  AccuracyModel accuracy(ir->getGraph(), syntheticImages(160, 1),
                         syntheticImages(40, 2), finetune);
  LocalEvaluator evaluator(*latency, accuracy, jobs);
  SearchOptions options;
  options.episodes = 4;
  options.warmup = 1;
  options.batchEpisodes = 2;
  options.jobs = jobs;
  options.seed = 3;
  options.maxAccDrop = 0.05;
  options.ddpg.hidden = 16;
  options.ddpg.batchSize = 4;
  options.checkpoint = checkpoint;
  options.stopAfterEpisodes = stopAfter;
  options.targetSpeedup = targetSpeedup;
  options.finalSeeds = targetSpeedup > 0 ? 2 : 1;
  options.layers = latency->getLayers();
  describeLayers(ir->getGraph(), options.layers);
  EXPECT_EQ(options.layers[0].kind, "conv");
  EXPECT_EQ(options.layers.back().kind, "dense");
  SearchResult result;
  EXPECT_TRUE(runSearch(*latency, evaluator, options, result, error)) << error;
  Outputs out;
  out.complete = result.complete;
  if (!result.complete || result.chosen.empty())
    return out;
  out.policy = formatPolicyJson(result.layers, result.chosen[0].policy);
  out.summary = formatSummaryJson(result, options, "tune-net");
  out.csv = formatParetoCsv(result);
  EXPECT_EQ(result.chosen.size(), 5u);
  EXPECT_NE(formatParetoSvg(result, "t").find("</svg>"), std::string::npos);
  out.result = std::move(result);
  return out;
}

class TuneSearchModes : public ::testing::TestWithParam<double> {};

TEST_P(TuneSearchModes, SameSeedSameBytesAndResumeGivesTheSameResult) {
  double target = GetParam();
  Outputs once = searchTuneNet(2, "", -1, target);
  ASSERT_FALSE(once.policy.empty());
  Outputs serial = searchTuneNet(1, "", -1, target);
  EXPECT_EQ(serial.policy, once.policy);
  EXPECT_EQ(serial.summary, once.summary);
  EXPECT_EQ(serial.csv, once.csv);

  std::string ckpt =
      ::testing::TempDir() + "search-" + std::to_string(::getpid()) + ".ckpt";
  std::remove(ckpt.c_str());
  Outputs stopped = searchTuneNet(2, ckpt, 2, target);
  EXPECT_FALSE(stopped.complete);
  Outputs resumed = searchTuneNet(2, ckpt, -1, target);
  EXPECT_EQ(resumed.policy, once.policy);
  EXPECT_EQ(resumed.summary, once.summary);
  EXPECT_EQ(resumed.csv, once.csv);
  std::remove(ckpt.c_str());

  // Under a budget every layer's sensitivity is probed at each lower width
  // (more divergence at 2 bits than at W8A8's 8), and reported.
  const SearchResult &r = once.result;
  bool probed = target > 0;
  EXPECT_EQ(once.summary.find("\"sensitivity_kl\"") != std::string::npos,
            probed);
  ASSERT_EQ(r.weightDivergence.size(), probed ? r.layers.size() : 0u);
  for (size_t i = 0; probed && i < r.layers.size(); ++i) {
    EXPECT_GT(r.weightDivergence[i][2], r.weightDivergence[i][8]) << i;
    EXPECT_GT(r.activationDivergence[i][2], r.activationDivergence[i][8]) << i;
    EXPECT_GE(r.weightDivergence[i][8], 0.0);
    EXPECT_EQ(r.weightDivergence[i][1], -1.0); // below --min-bits
  }
  // The final QAT's accuracy is the mean over its seeds (two here under
  // the budget, one otherwise), each in the summary.
  for (const ChosenPolicy &c : r.chosen) {
    if (probed && c.source != "w8a8" && c.source != "w4a4") {
      EXPECT_GE(c.speedup, target - 1e-9) << c.source;
    }
    ASSERT_EQ(c.testAccuracies.size(), probed ? 2u : 1u);
    EXPECT_DOUBLE_EQ(c.testAccuracy,
                     (c.testAccuracies.front() + c.testAccuracies.back()) / 2);
  }
  EXPECT_EQ(once.summary.find("\"final_accuracies\": [") != std::string::npos,
            probed);
}

INSTANTIATE_TEST_SUITE_P(TuneSearch, TuneSearchModes,
                         ::testing::Values(0.0, 1.5));

/// Latency from the real model, the other measurements from `rule`, given
/// the bits the policy lacks against W8A8.
class SyntheticEvaluator : public PolicyEvaluator {
public:
  using Rule =
      std::function<void(const EvalRequest &, double missing, Measurement &)>;
  SyntheticEvaluator(LatencyModel &latency, Rule rule)
      : latency(latency), rule(std::move(rule)) {}
  bool evaluate(const std::vector<EvalRequest> &requests,
                std::vector<Measurement> &results,
                std::string &error) override {
    results.clear();
    for (const EvalRequest &r : requests) {
      std::optional<uint64_t> cycles = latency.getLatency(r.policy, error);
      if (!cycles)
        return false;
      double missing = 0;
      for (size_t i = 0; i < r.policy.wbits.size(); ++i)
        missing += 16 - r.policy.wbits[i] - r.policy.abits[i];
      Measurement m;
      m.latencyCycles = *cycles;
      rule(r, missing, m);
      ++(r.kind == EvalKind::Final ? count.finals : count.others);
      results.push_back(m);
    }
    return true;
  }
  /// Final and other requests evaluated.
  struct Count {
    int finals = 0, others = 0;
  } count;

private:
  LatencyModel &latency;
  Rule rule;
};

/// A search of tune-net on cimaq-reference with `rule`'s measurements and
/// a small agent; `options` gives the rest. The requests evaluated in
/// `count` when given.
SearchResult searchSynthetic(SearchOptions options,
                             const SyntheticEvaluator::Rule &rule,
                             SyntheticEvaluator::Count *count = nullptr) {
  std::string error;
  std::string model = std::string(CIM_TUNE_INPUTS) + "/tune-net.onnxtxt";
  std::unique_ptr<LatencyModel> latency =
      LatencyModel::create(model, "cimaq-reference", error);
  EXPECT_TRUE(latency) << error;
  SearchResult result;
  if (!latency)
    return result;
  SyntheticEvaluator evaluator(*latency, rule);
  options.ddpg.hidden = 16;
  options.ddpg.batchSize = 4;
  options.layers = latency->getLayers();
  EXPECT_TRUE(runSearch(*latency, evaluator, options, result, error)) << error;
  if (count)
    *count = evaluator.count;
  return result;
}

/// Accuracy falls with every bit below 8: no narrower policy is within a
/// 0.1 % drop.
SearchResult searchNothingWithinDrop(double targetSpeedup) {
  SearchOptions options;
  options.episodes = 6;
  options.warmup = 2;
  options.seed = 5;
  options.maxAccDrop = 0.001;
  options.targetSpeedup = targetSpeedup;
  return searchSynthetic(
      options, [](const EvalRequest &, double missing, Measurement &m) {
        m.accuracy = 0.9 - 0.01 * missing;
        m.divergence = 0.01 * missing;
      });
}

TEST(TuneSearch, NothingWithinTheDropKeepsTheBudgetOrFallsBackToW8A8) {
  // A latency budget is kept: the most accurate policy meeting it.
  SearchResult budget = searchNothingWithinDrop(1.5);
  ASSERT_EQ(budget.chosen.size(), 5u);
  for (const ChosenPolicy &c : budget.chosen) {
    if (c.source == "w8a8" || c.source == "w4a4") {
      // W8A8 is the reference; W4A4 loses 0.08 here.
      EXPECT_EQ(c.withinDrop, c.source == "w8a8") << c.source;
      continue;
    }
    EXPECT_FALSE(c.withinDrop) << c.source;
    EXPECT_GE(c.speedup, 1.5 - 1e-9) << c.source;
    for (const EvaluatedPolicy &e : budget.history) {
      if (e.source == c.source) {
        EXPECT_LE(e.accuracy, c.validationAccuracy) << c.source;
      }
    }
  }
  EXPECT_NE(formatSummaryJson(budget, SearchOptions(), "m")
                .find("\"proxy_within_drop\": false"),
            std::string::npos);
  // Without a budget: W8A8.
  SearchResult none = searchNothingWithinDrop(0);
  ASSERT_EQ(none.chosen.size(), 5u);
  EXPECT_EQ(none.chosen[0].source, "ddpg");
  EXPECT_EQ(none.chosen[0].policy.key(), none.history[0].policy.key());
  EXPECT_FALSE(none.chosen[0].withinDrop);
}

struct CandidateRun {
  SearchResult result;
  std::string summary;
  SyntheticEvaluator::Count count;
};

/// The short fine-tune prefers wide policies, the final QAT narrow ones
/// (validation 0.9 + 0.001 per bit below W8A8, test 0.01 lower): choosing
/// among candidates by the final validation accuracy differs from choosing
/// by the fine-tune.
CandidateRun searchCandidates(int64_t candidates,
                              const std::string &checkpoint) {
  SearchOptions options;
  options.episodes = 6;
  options.warmup = 2;
  options.seed = 7;
  options.maxAccDrop = 0.05;
  options.targetSpeedup = 1.3;
  options.finalSeeds = 2;
  options.finalCandidates = candidates;
  options.checkpoint = checkpoint;
  CandidateRun run;
  run.result = searchSynthetic(
      options,
      [](const EvalRequest &r, double missing, Measurement &m) {
        m.accuracy = 0.9 - 0.001 * missing;
        m.divergence = 0.01 * missing;
        if (r.kind == EvalKind::Final) {
          m.finalValidation =
              0.9 + 0.001 * missing + 1e-4 * double(r.replicate);
          m.accuracy = m.finalValidation - 0.01;
        }
      },
      &run.count);
  run.summary = formatSummaryJson(run.result, options, "m");
  return run;
}

TEST(TuneSearch, CandidatesAreChosenByTheFinalValidationAccuracy) {
  CandidateRun one = searchCandidates(1, "");
  CandidateRun three = searchCandidates(3, "");
  ASSERT_EQ(one.result.chosen.size(), 5u);
  ASSERT_EQ(three.result.chosen.size(), 5u);
  // One candidate: the best by the fine-tune, nothing extra reported.
  EXPECT_EQ(one.summary.find("final_validation_accuracy"), std::string::npos);
  EXPECT_EQ(one.summary.find("\"candidates\""), std::string::npos);
  bool reordered = false;
  for (size_t s = 0; s < 5; ++s) {
    const ChosenPolicy &a = one.result.chosen[s], &b = three.result.chosen[s];
    ASSERT_EQ(a.source, b.source);
    EXPECT_TRUE(a.candidates.empty());
    EXPECT_LT(a.finalValidationAccuracy, 0.0);
    EXPECT_GE(b.finalValidationAccuracy, 0.9) << b.source;
    if (b.source == "w8a8" || b.source == "w4a4") {
      EXPECT_EQ(a.policy.key(), b.policy.key());
      EXPECT_TRUE(b.candidates.empty());
      continue;
    }
    // Up to three distinct candidates in the fine-tune's order, the first
    // the one-candidate choice; the chosen one has the best final
    // validation accuracy (the first on a tie), its test accuracy the
    // candidate's.
    ASSERT_GE(b.candidates.size(), 2u) << b.source;
    ASSERT_LE(b.candidates.size(), 3u);
    EXPECT_EQ(b.candidates[0].policy.key(), a.policy.key()) << b.source;
    size_t best = 0;
    for (size_t k = 0; k < b.candidates.size(); ++k) {
      EXPECT_GE(b.candidates[k].speedup, 1.3 - 1e-9);
      if (k) {
        EXPECT_NE(b.candidates[k].policy.key(),
                  b.candidates[k - 1].policy.key());
        EXPECT_LE(b.candidates[k].validationAccuracy,
                  b.candidates[k - 1].validationAccuracy);
      }
      if (b.candidates[k].finalValidationAccuracy >
          b.candidates[best].finalValidationAccuracy)
        best = k;
    }
    EXPECT_EQ(b.policy.key(), b.candidates[best].policy.key()) << b.source;
    EXPECT_DOUBLE_EQ(b.testAccuracy, b.candidates[best].testAccuracy);
    EXPECT_DOUBLE_EQ(b.finalValidationAccuracy,
                     b.candidates[best].finalValidationAccuracy);
    // Two seeds: their mean.
    EXPECT_NEAR(b.finalValidationAccuracy - b.testAccuracy, 0.01, 1e-12);
    reordered |= best != 0;
  }
  EXPECT_TRUE(reordered);
  EXPECT_NE(three.summary.find("\"final_candidates\": 3"), std::string::npos);
  EXPECT_NE(three.summary.find("\"candidates\": ["), std::string::npos);

  // A finished one-candidate search resumed with three: only final QATs
  // run, and the bytes are a fresh three-candidate search's.
  std::string ckpt = ::testing::TempDir() + "candidates-" +
                     std::to_string(::getpid()) + ".ckpt";
  std::remove(ckpt.c_str());
  CandidateRun first = searchCandidates(1, ckpt);
  EXPECT_EQ(first.summary, one.summary);
  CandidateRun resumed = searchCandidates(3, ckpt);
  EXPECT_EQ(resumed.count.others, 0);
  EXPECT_GT(resumed.count.finals, 0);
  EXPECT_EQ(resumed.summary, three.summary);
  // Resumed again: everything cached.
  CandidateRun again = searchCandidates(3, ckpt);
  EXPECT_EQ(again.count.others + again.count.finals, 0);
  EXPECT_EQ(again.summary, three.summary);
  std::remove(ckpt.c_str());
}

} // namespace

// A transformer (Inputs/tiny-vit.onnx): its two products of activations are
// layers of the policy without crossbars, with a feature of their own, and
// the search runs on it with the same seed giving the same policy.
TEST(TuneSearchTransformer, ProductsAreLayersOfThePolicy) {
  std::string error;
  std::string model = std::string(CIM_TUNE_INPUTS) + "/tiny-vit.onnx";
  std::unique_ptr<LatencyModel> latency =
      LatencyModel::create(model, "cimaq-reference", error);
  ASSERT_TRUE(latency) << error;
  LoadOptions load;
  load.quantize = true;
  std::unique_ptr<IRModel> ir = IRModel::load(model, load, error);
  ASSERT_TRUE(ir) << error;
  std::vector<SearchLayer> layers = latency->getLayers();
  ASSERT_EQ(layers.size(), ir->getGraph().getLayers().size());
  ASSERT_EQ(layers.size(), 10u);
  describeLayers(ir->getGraph(), layers);
  EXPECT_EQ(layers[4].name, "scores");
  EXPECT_EQ(layers[4].kind, "product");
  EXPECT_EQ(layers[5].kind, "product");
  EXPECT_EQ(layers[1].kind, "dense");
  EXPECT_EQ(latency->layerCrossbars(4, 8), 0);
  EXPECT_GT(latency->layerCrossbars(1, 8), 0);

  auto search = [&]() {
    FinetuneOptions finetune;
    finetune.subset = 64;
    finetune.validation = 48;
    finetune.batchSize = 16;
    finetune.calibrationImages = 32;
    finetune.finalEpochs = 0;
    AccuracyModel accuracy(ir->getGraph(), syntheticImages(160, 1),
                           syntheticImages(40, 2), finetune);
    LocalEvaluator evaluator(*latency, accuracy, 1);
    SearchOptions options;
    options.episodes = 2;
    options.warmup = 1;
    options.batchEpisodes = 1;
    options.jobs = 1;
    options.seed = 3;
    options.maxAccDrop = 0.05;
    options.ddpg.hidden = 16;
    options.ddpg.batchSize = 4;
    options.layers = layers;
    SearchResult result;
    EXPECT_TRUE(runSearch(*latency, evaluator, options, result, error))
        << error;
    return result.chosen.empty()
               ? std::string()
               : formatPolicyJson(result.layers, result.chosen[0].policy);
  };
  std::string once = search();
  ASSERT_FALSE(once.empty());
  EXPECT_NE(once.find("\"scores\""), std::string::npos);
  EXPECT_EQ(search(), once);
}
