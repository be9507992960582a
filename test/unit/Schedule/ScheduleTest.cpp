//===- ScheduleTest.cpp - Scheduler, program format and cycle model ------===//

#include "cim/Schedule/Schedule.h"
#include "cim/Program/Program.h"

#include "gtest/gtest.h"

#include <random>

using namespace mlir;
using namespace mlir::cim;

namespace {

hw::HardwareDescription loadPreset(llvm::StringRef name) {
  std::vector<hw::HardwareDiagnostic> diags;
  auto desc = hw::loadHardwareDescription(hw::resolveHardwarePath(name), diags);
  EXPECT_TRUE(desc.has_value()) << (diags.empty() ? "" : diags[0].str());
  return *desc;
}

/// A chain: every crossbar layer is followed by a ReLU over its output.
ScheduleGraph makeChain(const std::vector<LayerShape> &shapes,
                        const hw::HardwareDescription &hw,
                        const std::vector<int64_t> &copies) {
  ScheduleGraph g;
  int64_t slot = 0;
  for (size_t i = 0; i < shapes.size(); ++i) {
    ScheduleLayer layer;
    layer.shape = shapes[i];
    int64_t perCopy = computeFootprint(shapes[i], hw).crossbarsPerCopy;
    for (int64_t c = 0; c < copies[i]; ++c) {
      std::vector<int64_t> pes;
      for (int64_t k = 0; k < perCopy; ++k) {
        int64_t pe = ((slot + k) / hw.crossbarsPerPe) % hw.pes;
        if (pes.empty() || pes.back() != pe)
          pes.push_back(pe);
      }
      std::sort(pes.begin(), pes.end());
      pes.erase(std::unique(pes.begin(), pes.end()), pes.end());
      layer.copyPes.push_back(pes);
      slot += perCopy;
    }
    ScheduleNode conv;
    conv.name = shapes[i].name;
    conv.op = "cim.conv2d";
    conv.layer = g.layers.size();
    conv.rows = shapes[i].invocations;
    conv.rowSize = 1;
    conv.elementsPerUnit = shapes[i].cols * shapes[i].groups;
    if (!g.nodes.empty())
      conv.inputs.push_back(
          {int32_t(g.nodes.size() - 1), DependenceKind::Window, 3, 1, 1, 1});
    g.layers.push_back(layer);
    g.nodes.push_back(conv);
    ScheduleNode relu;
    relu.name = shapes[i].name + "_relu";
    relu.op = "cim.relu";
    relu.rows = conv.rows;
    relu.rowSize = conv.elementsPerUnit;
    relu.inputs.push_back(
        {int32_t(g.nodes.size() - 1), DependenceKind::SameRow});
    g.nodes.push_back(relu);
  }
  return g;
}

/// Gives the scheduled layers weights (zeros) and scales, as the backend
/// would, so that the verifier accepts the program.
prog::Program &withWeights(prog::Program &p) {
  for (prog::LayerWeights &l : p.layers) {
    l.values.assign(l.rows * l.cols * l.groups, 0);
    l.scales.assign(1, 1.0f);
  }
  return p;
}

LayerShape randomShape(std::mt19937 &rng, int index) {
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  LayerShape s;
  s.name = "l" + std::to_string(index);
  s.rows = pick(1, 1200);
  s.cols = pick(1, 300);
  s.groups = pick(0, 3) == 0 ? pick(2, 4) : 1;
  s.invocations = pick(1, 400);
  s.wbits = pick(1, 8);
  s.abits = pick(1, 8);
  return s;
}

} // namespace

// On the CIM-AQ reference machine the simulated latency of any chain of
// layers equals the analytic model exactly, with either schedule.
TEST(Schedule, ReferenceMachineMatchesAnalyticModel) {
  hw::HardwareDescription hw = loadPreset("cimaq-reference");
  std::mt19937 rng(20261121);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<LayerShape> shapes;
    int layers = 1 + trial % 6;
    for (int i = 0; i < layers; ++i)
      shapes.push_back(randomShape(rng, i));
    std::string error;
    std::optional<NetworkPlan> plan = planNetwork(shapes, hw, false, error);
    ASSERT_TRUE(plan) << error;
    ASSERT_EQ(plan->mode, ExecutionMode::Rewrite);
    NetworkCost cost = estimateNetworkCost(shapes, hw, *plan);
    ScheduleGraph g = makeChain(shapes, hw, plan->copies);
    for (ScheduleKind mode : {ScheduleKind::Layer, ScheduleKind::CrossLayer}) {
      prog::Program p = scheduleGraph(g, hw, ExecutionMode::Rewrite, mode);
      ASSERT_EQ(prog::verifyProgram(withWeights(p)), "");
      prog::Timing t = prog::simulateTiming(p);
      ASSERT_EQ(t.latencyPs, cost.latencyPs) << "trial " << trial;
      EXPECT_EQ(t.crossbarWrites, cost.crossbarWrites);
      EXPECT_EQ(t.mvmSteps, cost.mvmSteps);
    }
  }
}

// A changed write time changes the simulated latency (the test above can
// fail).
TEST(Schedule, ReferenceMachineSeesWriteTime) {
  hw::HardwareDescription hw = loadPreset("cimaq-reference");
  LayerShape s;
  s.name = "x";
  s.rows = 300;
  s.cols = 100;
  s.invocations = 10;
  ScheduleGraph g = makeChain({s}, hw, {1});
  uint64_t before =
      prog::simulateTiming(scheduleGraph(g, hw, ExecutionMode::Rewrite,
                                         ScheduleKind::CrossLayer))
          .latencyPs;
  hw.crossbarWritePs += 1000;
  uint64_t after =
      prog::simulateTiming(scheduleGraph(g, hw, ExecutionMode::Rewrite,
                                         ScheduleKind::CrossLayer))
          .latencyPs;
  // X = ceil(100 * 2 * 2 / 256) * ceil(300 / 256) = 4 tiles.
  EXPECT_EQ(after - before, 4 * 1000u);
}

// Stationary weights: cross-layer scheduling overlaps layers, never loses
// to layer-by-layer, and no schedule beats the lower bound.
TEST(Schedule, CrossLayerOverlapsLayers) {
  hw::HardwareDescription hw = loadPreset("rram-tiled");
  std::mt19937 rng(7);
  int faster = 0;
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<LayerShape> shapes;
    for (int i = 0; i < 5; ++i) {
      LayerShape s = randomShape(rng, i);
      s.invocations = 256;
      shapes.push_back(s);
    }
    std::string error;
    std::optional<NetworkPlan> plan = planNetwork(shapes, hw, true, error);
    ASSERT_TRUE(plan) << error;
    ScheduleGraph g = makeChain(shapes, hw, plan->copies);
    prog::Program layer =
        scheduleGraph(g, hw, ExecutionMode::Stationary, ScheduleKind::Layer);
    prog::Program cross = scheduleGraph(g, hw, ExecutionMode::Stationary,
                                        ScheduleKind::CrossLayer);
    ASSERT_EQ(prog::verifyProgram(withWeights(layer)), "");
    ASSERT_EQ(prog::verifyProgram(withWeights(cross)), "");
    prog::Timing tl = prog::simulateTiming(layer);
    prog::Timing tc = prog::simulateTiming(cross);
    EXPECT_LE(tc.latencyPs, tl.latencyPs) << "trial " << trial;
    faster += tc.latencyPs < tl.latencyPs;
    EXPECT_GE(tc.latencyPs, tc.lowerBoundPs);
    EXPECT_GE(tl.latencyPs, tl.lowerBoundPs);
    EXPECT_GE(tc.lowerBoundPs, tc.criticalPathPs);
    // Layer by layer: node i+1 starts after node i ends.
    for (size_t n = 1; n < tl.nodes.size(); ++n)
      EXPECT_GE(tl.nodes[n].startPs, tl.nodes[n - 1].endPs);
  }
  EXPECT_GE(faster, 15);
}

// The binary format round-trips, is deterministic, and every truncation is
// rejected with a message instead of a crash.
TEST(Program, RoundTripAndTruncation) {
  hw::HardwareDescription hw = loadPreset("rram-tiled");
  LayerShape a, b;
  a.name = "a";
  a.rows = 27;
  a.cols = 8;
  a.invocations = 64;
  b.name = "b";
  b.rows = 72;
  b.cols = 4;
  b.invocations = 64;
  ScheduleGraph g = makeChain({a, b}, hw, {2, 1});
  prog::Program p =
      scheduleGraph(g, hw, ExecutionMode::Stationary, ScheduleKind::CrossLayer);
  for (prog::LayerWeights &l : p.layers) {
    for (int64_t i = 0; i < l.rows * l.cols * l.groups; ++i)
      l.values.push_back(int32_t(i % 255) - 127);
    l.scales.assign(l.cols * l.groups, 0.5f);
  }
  p.graph = "module {}";
  std::string bytes = prog::writeProgram(p);
  EXPECT_EQ(bytes, prog::writeProgram(p));
  std::string error;
  std::optional<prog::Program> q = prog::readProgram(bytes, error);
  ASSERT_TRUE(q) << error;
  EXPECT_EQ(prog::writeProgram(*q), bytes);
  for (size_t cut = 0; cut < bytes.size(); cut += 7) {
    std::string message;
    EXPECT_FALSE(prog::readProgram(bytes.substr(0, cut), message));
    EXPECT_FALSE(message.empty());
  }
  // Flipped bytes never crash the reader (they may still parse).
  std::mt19937 rng(3);
  for (int trial = 0; trial < 500; ++trial) {
    std::string bad = bytes;
    bad[rng() % bad.size()] ^= char(1 + rng() % 255);
    std::string message;
    (void)prog::readProgram(bad, message);
  }
}

TEST(Program, VerifierRejectsHolesAndForwardDependencies) {
  hw::HardwareDescription hw = loadPreset("rram-tiled");
  LayerShape a;
  a.name = "a";
  a.rows = 27;
  a.cols = 8;
  a.invocations = 64;
  ScheduleGraph g = makeChain({a}, hw, {1});
  prog::Program p =
      scheduleGraph(g, hw, ExecutionMode::Stationary, ScheduleKind::CrossLayer);
  p.layers[0].values.assign(27 * 8, 1);
  p.layers[0].scales.assign(8, 1.0f);
  ASSERT_EQ(prog::verifyProgram(p), "");
  prog::Program hole = p;
  for (prog::Instruction &in : hole.instructions)
    if (in.opcode == prog::Opcode::Mvm && in.begin > 0) {
      in.end -= 1;
      break;
    }
  EXPECT_NE(prog::verifyProgram(hole).find("exactly once"), std::string::npos);
  prog::Program forward = p;
  forward.instructions[0].deps.push_back(1);
  EXPECT_NE(prog::verifyProgram(forward).find("does not come before"),
            std::string::npos);
  prog::Program range = p;
  range.layers[0].values[0] = 200; // outside 8-bit symmetric
  EXPECT_NE(prog::verifyProgram(range).find("outside"), std::string::npos);
}
