//===- CostModelTest.cpp - Every formula of the analytic cost model -------===//

#include "cim/Analysis/CostModel.h"

#include "gtest/gtest.h"

#include <random>

using namespace mlir::cim;
using namespace mlir::cim::hw;

namespace {

/// A small chip: 4 PEs x 2 crossbars of 64x32 2-bit cells, 4 ADCs per
/// crossbar. Digital work and data movement cost nothing unless a test
/// turns them on.
HardwareDescription smallChip(SignedWeightMapping mapping) {
  HardwareDescription hw;
  hw.name = "small";
  hw.clockMhz = 1000;
  hw.pes = 4;
  hw.crossbarsPerPe = 2;
  hw.globalBufferBytes = 1 << 20;
  hw.rows = 64;
  hw.cols = 32;
  hw.cellBits = 2;
  hw.signedMapping = mapping;
  hw.dacBits = 1;
  hw.adcBits = 8;
  hw.colsPerAdc = 8;
  hw.digitalLanes = 4;
  hw.inputBufferBytes = 1024;
  hw.outputBufferBytes = 1024;
  hw.weightRewrite = WeightRewrite::Never;
  hw.mvmStepPs = 100000;
  hw.adcConversionPs = 0;
  hw.crossbarWritePs = 28000000;
  hw.digitalOpPs = 0;
  hw.bufferBandwidth = Bandwidth::getUnlimited();
  hw.interconnectBandwidth = Bandwidth::getUnlimited();
  EXPECT_TRUE(validateHardwareDescription(hw).empty());
  return hw;
}

/// 100 x 10 matrix, 5-bit weights (3 slices of 2 bits), 3-bit inputs.
LayerShape layer100x10(int64_t invocations = 7) {
  LayerShape layer;
  layer.name = "l";
  layer.rows = 100;
  layer.cols = 10;
  layer.invocations = invocations;
  layer.wbits = 5;
  layer.abits = 3;
  return layer;
}

/// A depthwise 3x3 layer: 10 groups of 9 x 1, 8-bit weights (4 slices of
/// 2 bits).
LayerShape depthwise10(unsigned abits, int64_t invocations) {
  LayerShape layer;
  layer.name = "dw";
  layer.rows = 9;
  layer.cols = 1;
  layer.groups = 10;
  layer.wbits = 8;
  layer.abits = abits;
  layer.invocations = invocations;
  return layer;
}

TEST(CostModelTest, FootprintDifferentialColumn) {
  HardwareDescription hw = smallChip(SignedWeightMapping::DifferentialColumn);
  LayerFootprint fp = computeFootprint(layer100x10(), hw);
  EXPECT_EQ(fp.slices, 3);     // ceil(5 / 2)
  EXPECT_EQ(fp.inputSteps, 3); // ceil(3 / 1)
  EXPECT_EQ(fp.rowsPerCrossbar, 64);
  EXPECT_EQ(fp.colsPerCrossbar, 16); // 32 physical / 2
  EXPECT_EQ(fp.rowTiles, 2);         // ceil(100 / 64)
  EXPECT_EQ(fp.colChunks, 2);        // ceil(10 * 3 / 16)
  EXPECT_EQ(fp.crossbarsPerCopy, 4);
  EXPECT_EQ(fp.columnsRead, 120); // 2 row tiles x 30 x 2
  EXPECT_EQ(fp.maxColumnsPerCrossbar, 32);
  EXPECT_EQ(fp.cellsUsed, 6000); // 100 x 30 x 2
  EXPECT_DOUBLE_EQ(fp.utilization, 6000.0 / (4 * 64 * 32));
}

TEST(CostModelTest, FootprintOffset) {
  HardwareDescription hw = smallChip(SignedWeightMapping::Offset);
  LayerFootprint fp = computeFootprint(layer100x10(), hw);
  EXPECT_EQ(fp.colsPerCrossbar, 31); // one reference column
  EXPECT_EQ(fp.rowTiles, 2);
  EXPECT_EQ(fp.colChunks, 1); // 30 sliced columns fit in 31
  EXPECT_EQ(fp.crossbarsPerCopy, 2);
  EXPECT_EQ(fp.columnsRead, 62); // 2 x (30 + 1 reference)
  EXPECT_EQ(fp.maxColumnsPerCrossbar, 31);
  EXPECT_EQ(fp.cellsUsed, 3000);
  EXPECT_DOUBLE_EQ(fp.utilization, 3000.0 / (2 * 64 * 32));
}

TEST(CostModelTest, FootprintDifferentialRow) {
  HardwareDescription hw = smallChip(SignedWeightMapping::DifferentialRow);
  LayerFootprint fp = computeFootprint(layer100x10(), hw);
  EXPECT_EQ(fp.rowsPerCrossbar, 32); // 64 physical / 2
  EXPECT_EQ(fp.colsPerCrossbar, 32);
  EXPECT_EQ(fp.rowTiles, 4); // ceil(100 / 32)
  EXPECT_EQ(fp.colChunks, 1);
  EXPECT_EQ(fp.crossbarsPerCopy, 4);
  EXPECT_EQ(fp.columnsRead, 120); // 4 x 30
  EXPECT_EQ(fp.maxColumnsPerCrossbar, 30);
  EXPECT_EQ(fp.cellsUsed, 6000); // 200 physical rows x 30
}

TEST(CostModelTest, FootprintGroupsAndSlices) {
  HardwareDescription hw = smallChip(SignedWeightMapping::DifferentialColumn);
  LayerShape layer = layer100x10();
  layer.groups = 3;
  layer.wbits = 8; // 4 slices
  layer.abits = 8;
  hw.dacBits = 2;
  LayerFootprint fp = computeFootprint(layer, hw);
  EXPECT_EQ(fp.slices, 4);
  EXPECT_EQ(fp.inputSteps, 4);
  EXPECT_EQ(fp.colChunks, 3);         // ceil(40 / 16)
  EXPECT_EQ(fp.crossbarsPerCopy, 18); // 3 groups x 2 x 3
  EXPECT_EQ(fp.columnsRead, 3 * 2 * 80);
  EXPECT_EQ(fp.cellsUsed, 3 * 100 * 80);
}

TEST(CostModelTest, FootprintPackedGroups) {
  // 10 depthwise groups on 64x32 crossbars.
  LayerShape layer = depthwise10(8, 5);
  // dc: 8 physical columns per group: min(64 / 9, 32 / 8) = 4 per
  // crossbar, ceil(10 / 4) = 3 crossbars; the fullest reads 32 columns.
  HardwareDescription dc = smallChip(SignedWeightMapping::DifferentialColumn);
  LayerFootprint fp = computeFootprint(layer, dc);
  EXPECT_EQ(fp.groupsPerCrossbar, 4);
  EXPECT_EQ(fp.crossbarsPerCopy, 3);
  EXPECT_EQ(fp.maxColumnsPerCrossbar, 32);
  EXPECT_EQ(fp.columnsRead, 10 * 8);
  EXPECT_EQ(fp.cellsUsed, 10 * 9 * 8);
  EXPECT_DOUBLE_EQ(fp.utilization, 720.0 / (3 * 64 * 32));
  // of: 4 weight columns and a reference column per group: 32 / 5 = 6.
  HardwareDescription of = smallChip(SignedWeightMapping::Offset);
  fp = computeFootprint(layer, of);
  EXPECT_EQ(fp.groupsPerCrossbar, 6);
  EXPECT_EQ(fp.crossbarsPerCopy, 2);
  EXPECT_EQ(fp.maxColumnsPerCrossbar, 30);
  EXPECT_EQ(fp.columnsRead, 10 * 5);
  // dr: a weight row takes two physical rows, 32 weight rows: 3 groups.
  HardwareDescription dr = smallChip(SignedWeightMapping::DifferentialRow);
  EXPECT_EQ(computeFootprint(layer, dr).groupsPerCrossbar, 3);
  // Off, or a group that needs more than one crossbar: one group each.
  dc.packGroups = false;
  fp = computeFootprint(layer, dc);
  EXPECT_EQ(fp.groupsPerCrossbar, 1);
  EXPECT_EQ(fp.crossbarsPerCopy, 10);
  EXPECT_EQ(fp.maxColumnsPerCrossbar, 8);
  dc.packGroups = true;
  layer.rows = 65;
  EXPECT_EQ(computeFootprint(layer, dc).groupsPerCrossbar, 1);
  EXPECT_EQ(computeFootprint(layer, dc).crossbarsPerCopy, 20);
}

TEST(CostModelTest, PackedGroupsConvertMoreColumnsPerStep) {
  // One ADC per 8 columns, 4 per crossbar: the packed crossbar converts 32
  // columns (8 rounds) where one group converts 8 (2 rounds).
  HardwareDescription hw = smallChip(SignedWeightMapping::DifferentialColumn);
  hw.adcConversionPs = 50000;
  LayerShape layer = depthwise10(1, 1);
  LayerCost packed = estimateLayerCost(layer, hw, ExecutionMode::Stationary);
  EXPECT_EQ(packed.stages.mvmPs, 100000u + 8u * 50000u);
  EXPECT_EQ(packed.crossbars, 3);
  hw.packGroups = false;
  LayerCost apart = estimateLayerCost(layer, hw, ExecutionMode::Stationary);
  EXPECT_EQ(apart.stages.mvmPs, 100000u + 2u * 50000u);
  EXPECT_EQ(apart.crossbars, 10);
  // The same conversions either way; fewer crossbars read.
  EXPECT_EQ(packed.adcConversions, apart.adcConversions);
  EXPECT_EQ(packed.mvmSteps, 3);
  EXPECT_EQ(apart.mvmSteps, 10);
}

TEST(CostModelTest, SpreadPackedGroupsReceiveTheirGroupsRows) {
  // 10 groups of 9 rows at 8 bits, 4 per crossbar (3 crossbars: 4, 4 and 2
  // groups), spread over 3 PEs: the fullest PE receives 4 x 9 bytes.
  HardwareDescription hw = smallChip(SignedWeightMapping::DifferentialColumn);
  hw.bufferBandwidth = Bandwidth::get(1);
  LayerShape layer = depthwise10(8, 1);
  LayerCost cost =
      estimateLayerCost(layer, hw, ExecutionMode::Stationary, 1, 3);
  // 36 B of inputs and ceil(4 / 3 x 10 B) of outputs on the fullest PE.
  EXPECT_EQ(cost.stages.bufferPs, hw.bufferBandwidth.transferPs(36 + 4));
  // Every input byte is received once: 90 B in, 10 B out.
  EXPECT_EQ(cost.bufferBytes, 100);
}

TEST(CostModelTest, MvmStageWithAdcs) {
  HardwareDescription hw = smallChip(SignedWeightMapping::DifferentialColumn);
  // 32 columns on 4 ADCs: 8 conversions per step.
  hw.adcConversionPs = 1000;
  LayerCost cost =
      estimateLayerCost(layer100x10(), hw, ExecutionMode::Stationary);
  // Read 100 ns, convert 8 ns; the conversions of one step overlap the
  // next read: 100 + 8 + 2 x 100.
  EXPECT_EQ(cost.stages.mvmPs, 308000u);
  // ADC-bound: 8 x 20 ns = 160 ns per step: 100 + 160 + 2 x 160.
  hw.adcConversionPs = 20000;
  cost = estimateLayerCost(layer100x10(), hw, ExecutionMode::Stationary);
  EXPECT_EQ(cost.stages.mvmPs, 580000u);
}

TEST(CostModelTest, DigitalAndMovementStages) {
  HardwareDescription hw = smallChip(SignedWeightMapping::DifferentialColumn);
  hw.digitalOpPs = 2000;
  hw.bufferBandwidth = Bandwidth::get(4);
  hw.interconnectBandwidth = Bandwidth::get(2);
  LayerCost cost =
      estimateLayerCost(layer100x10(), hw, ExecutionMode::Stationary);
  // 120 conversions x 3 steps + 10 outputs = 370 ops on 4 lanes x 2 PEs.
  EXPECT_EQ(cost.stages.digitalPs, 47u * 2000u);
  // Inputs ceil(100 x 3 / 8) = 38 B, outputs ceil(10 x 3 / 8) = 4 B over 2
  // PEs: 21 B at 4 GB/s.
  EXPECT_EQ(cost.stages.bufferPs, 5250u);
  // Plus one row tile of 10 partial sums of 2 bytes (|sum| <= 64 x 7 x 16
  // < 2^15): 62 B / 2 PEs at 2 GB/s.
  EXPECT_EQ(cost.stages.interconnectPs, 15500u);
  EXPECT_EQ(cost.stages.mvmPs, 300000u);
  EXPECT_EQ(cost.stages.sum(), 300000u + 94000u + 5250u + 15500u);
  EXPECT_EQ(cost.stages.max(), 300000u);
  // Events per inference: 7 invocations.
  EXPECT_EQ(cost.digitalOps, 7 * 370);
  EXPECT_EQ(cost.bufferBytes, 7 * 42);
  EXPECT_EQ(cost.interconnectBytes, 7 * 62);
}

TEST(CostModelTest, PartialSumBytes) {
  // The fewest of 1, 2, 4 or 8 bytes that hold rows x (2^a - 1) x 2^(w-1)
  // plus a sign.
  HardwareDescription hw = smallChip(SignedWeightMapping::DifferentialColumn);
  auto bytes = [&](unsigned wbits, unsigned abits, int64_t rows) {
    hw.rows = rows;
    LayerShape layer = layer100x10();
    layer.wbits = wbits;
    layer.abits = abits;
    return partialSumBytes(layer, computeFootprint(layer, hw));
  };
  EXPECT_EQ(bytes(5, 3, 64), 2);     // 7 168
  EXPECT_EQ(bytes(8, 8, 128), 4);    // 4 177 920
  EXPECT_EQ(bytes(4, 4, 128), 2);    // 15 360
  EXPECT_EQ(bytes(4, 5, 128), 2);    // 31 744 <= 32 767
  EXPECT_EQ(bytes(6, 4, 128), 4);    // 61 440
  EXPECT_EQ(bytes(1, 1, 64), 1);     // 64 <= 127
  EXPECT_EQ(bytes(2, 1, 64), 2);     // 128
  EXPECT_EQ(bytes(16, 16, 1024), 8); // 2^10 x (2^16 - 1) x 2^15
  EXPECT_EQ(bytes(16, 16, 1 << 20), 8);
}

TEST(CostModelTest, SpreadStages) {
  // The layer of DigitalAndMovementStages (4 crossbars: 2 row tiles x 2
  // column chunks) alone on 4 PEs, one crossbar each.
  HardwareDescription hw = smallChip(SignedWeightMapping::DifferentialColumn);
  hw.digitalOpPs = 2000;
  hw.bufferBandwidth = Bandwidth::get(4);
  hw.interconnectBandwidth = Bandwidth::get(2);
  LayerCost cost =
      estimateLayerCost(layer100x10(), hw, ExecutionMode::Stationary, 1, 4);
  // A quarter of the 370 ops (93) on 4 lanes.
  EXPECT_EQ(cost.stages.digitalPs, 24u * 2000u);
  // Each PE receives one row tile's inputs, ceil(64 x 3 / 8) = 24 B, not a
  // quarter of 38: 24 B + ceil(4 / 4) B of outputs at 4 GB/s.
  EXPECT_EQ(cost.stages.bufferPs, 6250u);
  // 24 B + ceil((4 + 20) / 4) B of outputs and partial sums at 2 GB/s.
  EXPECT_EQ(cost.stages.interconnectPs, 15000u);
  EXPECT_EQ(cost.stages.mvmPs, 300000u);
  // Each row tile's rows travel to both PEs of its two chunks: 2 x 24 B +
  // 2 x ceil(36 x 3 / 8) = 14 B instead of 38 B per invocation, on the
  // buffers and the links.
  EXPECT_EQ(cost.bufferBytes, 7 * (42 + 76 - 38));
  EXPECT_EQ(cost.interconnectBytes, 7 * (62 + 76 - 38));
  EXPECT_EQ(cost.digitalOps, 7 * 370);
  // On 2 PEs (2 crossbars each) the digital stage is the packed one's, and
  // each PE holds one row tile: no input is sent twice, and the fullest PE
  // receives 24 B of inputs and 2 B of outputs.
  LayerCost two =
      estimateLayerCost(layer100x10(), hw, ExecutionMode::Stationary, 1, 2);
  EXPECT_EQ(two.stages.digitalPs, 47u * 2000u);
  EXPECT_EQ(two.stages.bufferPs, hw.bufferBandwidth.transferPs(24 + 2));
  EXPECT_EQ(two.bufferBytes, 7 * 42);
  // Spreading is ignored under rewriting.
  EXPECT_EQ(
      estimateLayerCost(layer100x10(), hw, ExecutionMode::Rewrite, 1, 4)
          .latencyPs,
      estimateLayerCost(layer100x10(), hw, ExecutionMode::Rewrite).latencyPs);
}

TEST(CostModelTest, SpreadPlanUsesIdlePes) {
  // 16 PEs x 4 crossbars; a 1-invocation layer of 4 crossbars whose digital
  // work dominates, and a second small one. Packed, the first fills one
  // PE; spread, it takes 4 PEs (one crossbar each), and no copies are
  // added (one invocation).
  HardwareDescription hw = smallChip(SignedWeightMapping::DifferentialColumn);
  hw.pes = 16;
  hw.crossbarsPerPe = 4;
  hw.digitalOpPs = 20000;
  LayerShape wide = layer100x10(1), small = layer100x10(1);
  small.rows = 30;
  small.cols = 4;
  std::string error;
  std::optional<NetworkPlan> packed =
      planNetwork({wide, small}, hw, true, error, Placement::Packed);
  ASSERT_TRUE(packed);
  EXPECT_EQ(packed->placement, Placement::Packed);
  EXPECT_TRUE(packed->pesPerCopy.empty());
  std::optional<NetworkPlan> spread =
      planNetwork({wide, small}, hw, true, error, Placement::Spread);
  ASSERT_TRUE(spread);
  EXPECT_EQ(spread->placement, Placement::Spread);
  EXPECT_EQ(spread->copies, packed->copies);
  EXPECT_EQ(spread->pesPerCopy, (std::vector<int64_t>{4, 1}));
  EXPECT_EQ(spread->pesUsed, 5);
  NetworkCost a = estimateNetworkCost({wide, small}, hw, *packed);
  NetworkCost b = estimateNetworkCost({wide, small}, hw, *spread);
  EXPECT_LT(b.layers[0].latencyPs, a.layers[0].latencyPs);
  EXPECT_EQ(b.layers[1].latencyPs, a.layers[1].latencyPs);
  EXPECT_EQ(b.pesUsed, 5);
  EXPECT_EQ(a.pesUsed, 0);
  // Programming: the fullest PE holds one crossbar instead of four.
  EXPECT_EQ(b.programmingPs, hw.crossbarWritePs);
  EXPECT_EQ(a.programmingPs, 4 * hw.crossbarWritePs);

  // Spreading must pay for its energy: a layer of 1000 invocations bound
  // by its crossbar steps gains only its first invocation's digital stage
  // (a few ns of 300 us). On 2 PEs (a row tile each) no input travels
  // twice; on 4 every invocation's inputs go to both PEs of each row tile.
  // It takes 4 PEs when moving data is free, 2 when it costs energy.
  hw.digitalOpPs = 100;
  LayerShape many = layer100x10(1000);
  std::optional<NetworkPlan> free =
      planNetwork({many}, hw, false, error, Placement::Spread);
  ASSERT_TRUE(free);
  EXPECT_EQ(free->pesPerCopy, std::vector<int64_t>{4});
  hw.mvmStepPj = 1;
  hw.interconnectPjPerByte = 1;
  std::optional<NetworkPlan> costly =
      planNetwork({many}, hw, false, error, Placement::Spread);
  ASSERT_TRUE(costly);
  EXPECT_EQ(costly->placement, Placement::Spread);
  EXPECT_EQ(costly->pesPerCopy, std::vector<int64_t>{2});

  // The copies come first (duplication into spare crossbars), then they
  // must fit on PEs of their own. 7 invocations, 4 crossbars per copy: on
  // 2 PEs x 4 crossbars, 2 copies of one PE each.
  hw.pes = 2;
  std::optional<NetworkPlan> full =
      planNetwork({layer100x10(7)}, hw, true, error, Placement::Spread);
  ASSERT_TRUE(full);
  EXPECT_EQ(full->copies, std::vector<int64_t>{2});
  EXPECT_EQ(full->placement, Placement::Spread);
  EXPECT_EQ(full->pesPerCopy, std::vector<int64_t>{1});
  // On 3 PEs x 3 crossbars the 2 copies would need 2 PEs each: packed.
  hw.pes = 3;
  hw.crossbarsPerPe = 3;
  full = planNetwork({layer100x10(7)}, hw, true, error, Placement::Spread);
  ASSERT_TRUE(full);
  EXPECT_EQ(full->copies, std::vector<int64_t>{2});
  EXPECT_EQ(full->placement, Placement::Packed);
  EXPECT_TRUE(full->pesPerCopy.empty());
}

TEST(CostModelTest, PlacementNames) {
  EXPECT_EQ(parsePlacement("packed"), Placement::Packed);
  EXPECT_EQ(parsePlacement("spread"), Placement::Spread);
  EXPECT_EQ(parsePlacement("Spread"), std::nullopt);
  EXPECT_EQ(stringify(Placement::Spread), "spread");
}

TEST(CostModelTest, PipelinedInvocations) {
  InvocationStages stages;
  stages.bufferPs = 5;
  stages.mvmPs = 100;
  stages.digitalPs = 30;
  stages.interconnectPs = 7;
  EXPECT_EQ(stages.pipelined(0), 0u);
  EXPECT_EQ(stages.pipelined(1), 142u);
  EXPECT_EQ(stages.pipelined(10), 142u + 9u * 100u);
}

TEST(CostModelTest, StationaryLatencyWithCopies) {
  HardwareDescription hw = smallChip(SignedWeightMapping::DifferentialColumn);
  hw.digitalOpPs = 1000;
  LayerCost one =
      estimateLayerCost(layer100x10(7), hw, ExecutionMode::Stationary, 1);
  LayerCost two =
      estimateLayerCost(layer100x10(7), hw, ExecutionMode::Stationary, 2);
  EXPECT_EQ(one.invocationsPerCopy, 7);
  EXPECT_EQ(two.invocationsPerCopy, 4);
  EXPECT_EQ(one.latencyPs, one.stages.sum() + 6 * one.stages.max());
  EXPECT_EQ(two.latencyPs, two.stages.sum() + 3 * two.stages.max());
  EXPECT_EQ(two.crossbars, 8);
  EXPECT_EQ(two.rounds, 0);
  EXPECT_EQ(two.crossbarWrites, 0);
  // Copies split the invocations; the work stays the same.
  EXPECT_EQ(one.mvmSteps, two.mvmSteps);
  EXPECT_EQ(one.mvmSteps, 7 * 3 * 4);
  EXPECT_EQ(one.adcConversions, 7 * 3 * 120);
  EXPECT_EQ(one.cycles, one.latencyPs / 1000);
}

TEST(CostModelTest, RewriteRounds) {
  HardwareDescription hw = smallChip(SignedWeightMapping::DifferentialColumn);
  hw.weightRewrite = WeightRewrite::Always;
  LayerShape layer = layer100x10(5);
  layer.groups = 5; // 20 crossbars on a chip of 8: rounds of 8, 8 and 4
  LayerCost cost = estimateLayerCost(layer, hw, ExecutionMode::Rewrite);
  EXPECT_EQ(cost.footprint.crossbarsPerCopy, 20);
  EXPECT_EQ(cost.rounds, 3);
  EXPECT_EQ(cost.crossbars, 8);
  EXPECT_EQ(cost.crossbarWrites, 20);
  // Every round: write, then 5 invocations of 3 steps of 100 ns.
  EXPECT_EQ(cost.latencyPs, 3u * (28000000u + 5u * 300000u));
  // Repeats multiply everything.
  layer.repeat = 4;
  LayerCost repeated = estimateLayerCost(layer, hw, ExecutionMode::Rewrite);
  EXPECT_EQ(repeated.latencyPs, 4 * cost.latencyPs);
  EXPECT_EQ(repeated.crossbarWrites, 80);
  EXPECT_EQ(repeated.mvmSteps, 4 * cost.mvmSteps);
}

TEST(CostModelTest, RewriteRoundsShareDigitalWork) {
  HardwareDescription hw = smallChip(SignedWeightMapping::DifferentialColumn);
  hw.digitalOpPs = 1000;
  LayerShape layer = layer100x10(1);
  layer.groups = 5; // 20 crossbars: 8 + 8 + 4
  LayerCost cost = estimateLayerCost(layer, hw, ExecutionMode::Rewrite);
  // Per invocation 5 x (120 x 3 + 10) = 1850 ops; a round of 8 of the 20
  // crossbars does ceil(1850 x 8 / 20) = 740 on 4 PEs x 4 lanes, the last
  // round 370 on 2 PEs x 4 lanes.
  uint64_t full = 28000000 + 300000 + 47000;
  uint64_t last = 28000000 + 300000 + 47000;
  EXPECT_EQ(cost.stages.digitalPs, 47000u);
  EXPECT_EQ(cost.latencyPs, 2 * full + last);
}

TEST(CostModelTest, Energy) {
  HardwareDescription hw = smallChip(SignedWeightMapping::DifferentialColumn);
  hw.mvmStepPj = 2;
  hw.adcConversionPj = 0.5;
  hw.crossbarWritePj = 1000;
  hw.digitalOpPj = 0.25;
  hw.bufferPjPerByte = 1;
  hw.interconnectPjPerByte = 3;
  LayerCost cost =
      estimateLayerCost(layer100x10(7), hw, ExecutionMode::Stationary);
  EXPECT_DOUBLE_EQ(cost.mvmEnergyPj, 84 * 2.0);
  EXPECT_DOUBLE_EQ(cost.adcEnergyPj, 2520 * 0.5);
  EXPECT_DOUBLE_EQ(cost.writeEnergyPj, 0);
  EXPECT_DOUBLE_EQ(cost.digitalEnergyPj, 7 * 370 * 0.25);
  EXPECT_DOUBLE_EQ(cost.bufferEnergyPj, 7 * 42 * 1.0);
  EXPECT_DOUBLE_EQ(cost.interconnectEnergyPj, 7 * 62 * 3.0);
  EXPECT_DOUBLE_EQ(cost.energyPj, 168 + 1260 + 647.5 + 294 + 1302);
  LayerCost rewritten =
      estimateLayerCost(layer100x10(7), hw, ExecutionMode::Rewrite);
  EXPECT_DOUBLE_EQ(rewritten.writeEnergyPj, 4 * 1000.0);
}

TEST(CostModelTest, ModeFromRewritePolicy) {
  HardwareDescription hw = smallChip(SignedWeightMapping::DifferentialColumn);
  EXPECT_EQ(chooseExecutionMode(hw, 8), ExecutionMode::Stationary);
  EXPECT_EQ(chooseExecutionMode(hw, 9), std::nullopt);
  hw.weightRewrite = WeightRewrite::IfNeeded;
  EXPECT_EQ(chooseExecutionMode(hw, 8), ExecutionMode::Stationary);
  EXPECT_EQ(chooseExecutionMode(hw, 9), ExecutionMode::Rewrite);
  hw.weightRewrite = WeightRewrite::Always;
  EXPECT_EQ(chooseExecutionMode(hw, 1), ExecutionMode::Rewrite);
}

TEST(CostModelTest, NetworkDoesNotFit) {
  HardwareDescription hw = smallChip(SignedWeightMapping::DifferentialColumn);
  LayerShape big = layer100x10();
  big.groups = 3; // 12 crossbars
  std::string error;
  EXPECT_FALSE(planNetwork({big}, hw, true, error));
  EXPECT_EQ(error, "network needs 12 crossbars, the chip has 8");
  hw.weightRewrite = WeightRewrite::IfNeeded;
  std::optional<NetworkPlan> plan = planNetwork({big}, hw, true, error);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->mode, ExecutionMode::Rewrite);
  EXPECT_EQ(plan->copies, std::vector<int64_t>{1});
}

TEST(CostModelTest, DuplicationGoesToTheSlowestLayer) {
  HardwareDescription hw = smallChip(SignedWeightMapping::Offset);
  // Two 1-crossbar layers; 6 spare crossbars all go to the slow one.
  LayerShape slow = layer100x10(100), fast = layer100x10(10);
  slow.rows = fast.rows = 64;
  std::string error;
  std::optional<NetworkPlan> plan = planNetwork({slow, fast}, hw, true, error);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->crossbarsNeeded, 2);
  EXPECT_EQ(plan->copies, (std::vector<int64_t>{7, 1}));
  // Without duplication every layer has one copy.
  plan = planNetwork({slow, fast}, hw, false, error);
  EXPECT_EQ(plan->copies, (std::vector<int64_t>{1, 1}));
}

TEST(CostModelTest, DuplicationSkipsLayersThatDoNotFit) {
  HardwareDescription hw = smallChip(SignedWeightMapping::Offset);
  // The slow layer takes 4 crossbars and 3 are spare: the next slowest
  // gets them (10 -> 5 -> 4 -> 3 invocations per copy).
  LayerShape slow = layer100x10(100), fast = layer100x10(10);
  slow.rows = 256;
  fast.rows = 64;
  std::string error;
  std::optional<NetworkPlan> plan = planNetwork({slow, fast}, hw, true, error);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->copies, (std::vector<int64_t>{1, 4}));
  NetworkCost cost = estimateNetworkCost({slow, fast}, hw, *plan);
  EXPECT_EQ(cost.crossbarsUsed, 8);
  EXPECT_DOUBLE_EQ(cost.chipUtilization, 1.0);
}

TEST(CostModelTest, NoCopiesWithoutGain) {
  HardwareDescription hw = smallChip(SignedWeightMapping::Offset);
  // One invocation: another copy cannot make it faster.
  LayerShape dense = layer100x10(1);
  std::string error;
  std::optional<NetworkPlan> plan = planNetwork({dense}, hw, true, error);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->copies, std::vector<int64_t>{1});
  // Eight invocations: copies until 8 crossbars are used (2 per copy).
  dense.invocations = 8;
  plan = planNetwork({dense}, hw, true, error);
  EXPECT_EQ(plan->copies, std::vector<int64_t>{4});
}

TEST(CostModelTest, NetworkTotals) {
  HardwareDescription hw = smallChip(SignedWeightMapping::DifferentialColumn);
  hw.crossbarWritePj = 10;
  LayerShape a = layer100x10(3), b = layer100x10(5);
  b.rows = 30;
  NetworkPlan plan;
  plan.copies = {1, 2};
  NetworkCost net = estimateNetworkCost({a, b}, hw, plan);
  ASSERT_EQ(net.layers.size(), 2u);
  EXPECT_EQ(net.crossbarsUsed, 4 + 2 * 2);
  EXPECT_EQ(net.latencyPs, net.layers[0].latencyPs + net.layers[1].latencyPs);
  EXPECT_EQ(net.bottleneckPs,
            std::max(net.layers[0].latencyPs, net.layers[1].latencyPs));
  EXPECT_EQ(net.mvmSteps, net.layers[0].mvmSteps + net.layers[1].mvmSteps);
  EXPECT_EQ(net.cycles, net.latencyPs / 1000);
  // Programming: the first PE's 2 crossbars one after the other.
  EXPECT_EQ(net.programmingPs, 2u * 28000000u);
  EXPECT_DOUBLE_EQ(net.programmingEnergyPj, 8 * 10.0);
  EXPECT_DOUBLE_EQ(net.cellUtilization,
                   double(6000 + 30 * 30 * 2) / double((4 + 2) * 64 * 32));
}

/// The CIM-AQ closed form (domain.md section 2), in integer picoseconds:
///   cols = m * ceil(w / r_cell) * 2, X = ceil(cols / 256) * ceil(n / 256),
///   latency = R * (X * t_write + I * X * ceil(a / r_in) * t_MVM).
uint64_t cimaqLatencyPs(int64_t n, int64_t m, int64_t w, int64_t a, int64_t I,
                        int64_t R, int64_t rCell, int64_t rIn) {
  int64_t cols = m * ceilDiv(w, rCell) * 2;
  int64_t X = ceilDiv(cols, 256) * ceilDiv(n, 256);
  const uint64_t tWrite = 56000000, tMvm = 1400000;
  return uint64_t(R) *
         (uint64_t(X) * tWrite +
          uint64_t(I) * uint64_t(X) * uint64_t(ceilDiv(a, rIn)) * tMvm);
}

TEST(CostModelTest, CimaqClosedFormProperty) {
  std::vector<HardwareDiagnostic> diags;
  std::optional<HardwareDescription> preset =
      loadHardwareDescription(resolveHardwarePath("cimaq-reference"), diags);
  ASSERT_TRUE(preset) << diags.front().str();
  std::mt19937_64 rng(20260121);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  int checked = 0;
  // The preset itself (4-bit cells, 1-bit inputs) and the paper's 2-bit
  // cell variant, plus 2-bit DACs to exercise ceil(a / r_in).
  for (auto [rCell, rIn] :
       {std::pair<unsigned, unsigned>{4, 1}, {2, 1}, {4, 2}}) {
    HardwareDescription hw = *preset;
    hw.cellBits = rCell;
    hw.dacBits = rIn;
    ASSERT_TRUE(validateHardwareDescription(hw).empty());
    for (int i = 0; i < 1000; ++i) {
      // Up to 8 layers per network; shapes from tiny to ResNet/ViT sizes.
      int64_t numLayers = uniform(1, 8);
      std::vector<LayerShape> layers;
      uint64_t expected = 0;
      for (int64_t l = 0; l < numLayers; ++l) {
        LayerShape layer;
        layer.rows = uniform(1, 5000);
        layer.cols = uniform(1, 3000);
        layer.wbits = unsigned(uniform(1, 8));
        layer.abits = unsigned(uniform(1, 8));
        layer.invocations = uniform(1, 12544);
        layer.repeat = uniform(1, 12);
        uint64_t closed =
            cimaqLatencyPs(layer.rows, layer.cols, layer.wbits, layer.abits,
                           layer.invocations, layer.repeat, rCell, rIn);
        LayerCost cost = estimateLayerCost(layer, hw, ExecutionMode::Rewrite);
        ASSERT_EQ(cost.latencyPs, closed)
            << "n=" << layer.rows << " m=" << layer.cols << " w=" << layer.wbits
            << " a=" << layer.abits << " I=" << layer.invocations
            << " R=" << layer.repeat << " r_cell=" << rCell << " r_in=" << rIn;
        int64_t X = ceilDiv(layer.cols * ceilDiv(layer.wbits, rCell) * 2, 256) *
                    ceilDiv(layer.rows, 256);
        ASSERT_EQ(cost.footprint.crossbarsPerCopy, X);
        ASSERT_EQ(cost.crossbarWrites, layer.repeat * X);
        ASSERT_EQ(cost.mvmSteps, layer.repeat * layer.invocations * X *
                                     ceilDiv(layer.abits, rIn));
        expected += closed;
        layers.push_back(layer);
      }
      // Through the planner: the policy says always rewrite.
      std::string error;
      std::optional<NetworkPlan> plan = planNetwork(layers, hw, true, error);
      ASSERT_TRUE(plan);
      ASSERT_EQ(plan->mode, ExecutionMode::Rewrite);
      NetworkCost net = estimateNetworkCost(layers, hw, *plan);
      ASSERT_EQ(net.latencyPs, expected);
      // Every time is a whole number of 1 GHz cycles.
      ASSERT_EQ(net.cycles, expected / 1000);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 3000);
}

} // namespace
