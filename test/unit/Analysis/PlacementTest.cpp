//===- PlacementTest.cpp - Tiles of a layer on crossbars ------------------===//

#include "cim/Analysis/CostModel.h"

#include "gtest/gtest.h"

#include <map>
#include <random>
#include <set>

using namespace mlir::cim;
using namespace mlir::cim::hw;

namespace {

HardwareDescription chip(SignedWeightMapping mapping, int64_t rows = 64,
                         int64_t cols = 32, unsigned cellBits = 2) {
  HardwareDescription hw;
  hw.name = "chip";
  hw.clockMhz = 1000;
  hw.pes = 4;
  hw.crossbarsPerPe = 2;
  hw.globalBufferBytes = 1 << 20;
  hw.rows = rows;
  hw.cols = cols;
  hw.cellBits = cellBits;
  hw.signedMapping = mapping;
  hw.dacBits = 1;
  hw.adcBits = 8;
  hw.colsPerAdc = 1;
  hw.digitalLanes = 1;
  hw.inputBufferBytes = 1;
  hw.outputBufferBytes = 1;
  hw.mvmStepPs = 1;
  hw.bufferBandwidth = Bandwidth::getUnlimited();
  hw.interconnectBandwidth = Bandwidth::getUnlimited();
  EXPECT_TRUE(validateHardwareDescription(hw).empty());
  return hw;
}

LayerShape shape(int64_t rows, int64_t cols, unsigned wbits,
                 int64_t groups = 1) {
  LayerShape layer;
  layer.rows = rows;
  layer.cols = cols;
  layer.groups = groups;
  layer.wbits = wbits;
  layer.abits = 4;
  layer.invocations = 4;
  return layer;
}

bool same(const TilePlacement &t, int64_t pe, int64_t xbar, int64_t r0,
          int64_t r1, int64_t c0, int64_t c1, int64_t slice, int64_t atCol) {
  return t.pe == pe && t.xbar == xbar && t.rowBegin == r0 && t.rowEnd == r1 &&
         t.colBegin == c0 && t.colEnd == c1 && t.slice == slice &&
         t.atRow == 0 && t.atCol == atCol;
}

TEST(PlacementTest, SlicesSideBySide) {
  // 100 x 10 weights of 5 bits: 3 slices of 2 bits, 30 sliced columns, 16
  // per crossbar under dc (2 physical columns each), 64 rows per crossbar.
  HardwareDescription hw = chip(SignedWeightMapping::DifferentialColumn);
  std::vector<TilePlacement> tiles =
      placeLayer(shape(100, 10, 5), hw, ExecutionMode::Stationary, 1, 0);
  ASSERT_EQ(tiles.size(), 8u);
  // Row tile 0, chunk 0 (sliced columns 0..15): slice 0 whole, slice 1's
  // first 6 columns at physical column 20.
  EXPECT_TRUE(same(tiles[0], 0, 0, 0, 64, 0, 10, 0, 0));
  EXPECT_TRUE(same(tiles[1], 0, 0, 0, 64, 0, 6, 1, 20));
  // Chunk 1 (16..29): the rest of slice 1, then slice 2 at column 8.
  EXPECT_TRUE(same(tiles[2], 0, 1, 0, 64, 6, 10, 1, 0));
  EXPECT_TRUE(same(tiles[3], 0, 1, 0, 64, 0, 10, 2, 8));
  // Row tile 1 goes to PE 1.
  EXPECT_TRUE(same(tiles[4], 1, 0, 64, 100, 0, 10, 0, 0));
  EXPECT_TRUE(same(tiles[7], 1, 1, 64, 100, 0, 10, 2, 8));
}

TEST(PlacementTest, OffsetAndDifferentialRow) {
  // of: 31 usable columns; 20 x 2 slices = 40 sliced columns -> 2 chunks.
  HardwareDescription hw = chip(SignedWeightMapping::Offset);
  std::vector<TilePlacement> tiles =
      placeLayer(shape(10, 20, 4), hw, ExecutionMode::Stationary, 1, 0);
  ASSERT_EQ(tiles.size(), 3u);
  EXPECT_TRUE(same(tiles[0], 0, 0, 0, 10, 0, 20, 0, 0));
  EXPECT_TRUE(same(tiles[1], 0, 0, 0, 10, 0, 11, 1, 20));
  EXPECT_TRUE(same(tiles[2], 0, 1, 0, 10, 11, 20, 1, 0));
  // dr: 32 weight rows per crossbar.
  hw = chip(SignedWeightMapping::DifferentialRow);
  tiles = placeLayer(shape(40, 8, 2), hw, ExecutionMode::Stationary, 1, 0);
  ASSERT_EQ(tiles.size(), 2u);
  EXPECT_TRUE(same(tiles[0], 0, 0, 0, 32, 0, 8, 0, 0));
  EXPECT_TRUE(same(tiles[1], 0, 1, 32, 40, 0, 8, 0, 0));
}

TEST(PlacementTest, PackedGroupsShareACrossbarAlongItsDiagonal) {
  // 9 x 2 blocks with 4-bit weights (2 slices): under of, 4 weight columns
  // and a reference column per group on 64x32 crossbars: min(64 / 9,
  // 32 / 5) = 6 groups per crossbar. 8 groups, two copies from slot 1:
  // crossbars 1 and 2 (copy 0), 3 and 4 (copy 1).
  HardwareDescription hw = chip(SignedWeightMapping::Offset);
  std::vector<TilePlacement> tiles =
      placeLayer(shape(9, 2, 4, 8), hw, ExecutionMode::Stationary, 2, 1);
  ASSERT_EQ(tiles.size(), 2u * 8u * 2u);
  size_t i = 0;
  for (int64_t copy = 0; copy < 2; ++copy)
    for (int64_t group = 0; group < 8; ++group)
      for (int64_t slice = 0; slice < 2; ++slice, ++i) {
        const TilePlacement &t = tiles[i];
        int64_t slot = 1 + copy * 2 + group / 6, block = group % 6;
        EXPECT_EQ(t.copy, copy);
        EXPECT_EQ(t.group, group);
        EXPECT_EQ(t.slice, slice);
        EXPECT_EQ(t.pe, slot / 2);
        EXPECT_EQ(t.xbar, slot % 2);
        EXPECT_EQ(t.rowBegin, 0);
        EXPECT_EQ(t.rowEnd, 9);
        EXPECT_EQ(t.colBegin, 0);
        EXPECT_EQ(t.colEnd, 2);
        EXPECT_EQ(t.atRow, block * 9);
        EXPECT_EQ(t.atCol, block * 4 + slice * 2);
      }
  // The spread placement puts the same blocks on a copy's PEs.
  std::vector<TilePlacement> spread =
      placeLayerSpread(shape(9, 2, 4, 8), hw, 1, 2, 0);
  ASSERT_EQ(spread.size(), 16u);
  for (size_t k = 0; k < spread.size(); ++k) {
    EXPECT_EQ(spread[k].pe, int64_t(k / 12));
    EXPECT_EQ(spread[k].xbar, 0);
    EXPECT_EQ(spread[k].atRow, tiles[k].atRow);
    EXPECT_EQ(spread[k].atCol, tiles[k].atCol);
  }
}

TEST(PlacementTest, CopiesAndGroupsTakeConsecutiveCrossbars) {
  HardwareDescription hw = chip(SignedWeightMapping::DifferentialColumn);
  hw.packGroups = false;
  // One crossbar per (copy, group), starting at slot 3.
  std::vector<TilePlacement> tiles =
      placeLayer(shape(9, 4, 2, 2), hw, ExecutionMode::Stationary, 2, 3);
  ASSERT_EQ(tiles.size(), 4u);
  int64_t slot = 3;
  for (int64_t copy = 0; copy < 2; ++copy)
    for (int64_t group = 0; group < 2; ++group, ++slot) {
      const TilePlacement &t = tiles[copy * 2 + group];
      EXPECT_EQ(t.copy, copy);
      EXPECT_EQ(t.group, group);
      EXPECT_EQ(t.pe, slot / 2);
      EXPECT_EQ(t.xbar, slot % 2);
    }
}

TEST(PlacementTest, SpreadCopiesOnPesOfTheirOwn) {
  // Five one-crossbar groups per copy, two copies, each over 3 PEs from PE
  // 2: crossbars k = 0..4 go to PE k * 3 / 5 = 0, 0, 1, 1, 2 of the copy.
  HardwareDescription hw = chip(SignedWeightMapping::DifferentialColumn);
  hw.pes = 8;
  hw.packGroups = false;
  std::vector<TilePlacement> tiles =
      placeLayerSpread(shape(9, 4, 2, 5), hw, 2, 3, 2);
  ASSERT_EQ(tiles.size(), 10u);
  const int64_t pe[5] = {0, 0, 1, 1, 2}, xbar[5] = {0, 1, 0, 1, 0};
  std::set<std::pair<int64_t, int64_t>> crossbars;
  for (int64_t copy = 0; copy < 2; ++copy)
    for (int64_t k = 0; k < 5; ++k) {
      const TilePlacement &t = tiles[copy * 5 + k];
      EXPECT_EQ(t.copy, copy);
      EXPECT_EQ(t.group, k);
      EXPECT_EQ(t.pe, 2 + copy * 3 + pe[k]);
      EXPECT_EQ(t.xbar, xbar[k]);
      EXPECT_TRUE(crossbars.insert({t.pe, t.xbar}).second);
    }
  // The tiles themselves are packed placement's.
  std::vector<TilePlacement> packed =
      placeLayer(shape(100, 10, 5), hw, ExecutionMode::Stationary, 1, 0);
  std::vector<TilePlacement> spread =
      placeLayerSpread(shape(100, 10, 5), hw, 1, 4, 0);
  ASSERT_EQ(packed.size(), spread.size());
  for (size_t i = 0; i < packed.size(); ++i) {
    EXPECT_EQ(packed[i].rowBegin, spread[i].rowBegin);
    EXPECT_EQ(packed[i].colBegin, spread[i].colBegin);
    EXPECT_EQ(packed[i].colEnd, spread[i].colEnd);
    EXPECT_EQ(packed[i].slice, spread[i].slice);
    EXPECT_EQ(packed[i].atCol, spread[i].atCol);
  }
  // 4 crossbars on 4 PEs: one each, at xbar 0.
  for (const TilePlacement &t : spread)
    EXPECT_EQ(t.xbar, 0);
  EXPECT_EQ(spread.back().pe, 3);
}

TEST(PlacementTest, RewriteRoundsInTheCrossbarIndex) {
  // 20 crossbars on a chip of 8 (4 PEs x 2): slot 8 is round 1 on PE 0's
  // crossbar 0, i.e. xbar 1 * 2 + 0 = 2; slot 19 is round 2 on PE 1's
  // crossbar 1, xbar 2 * 2 + 1 = 5.
  HardwareDescription hw = chip(SignedWeightMapping::DifferentialColumn);
  std::vector<TilePlacement> tiles =
      placeLayer(shape(64, 16, 2, 20), hw, ExecutionMode::Rewrite, 1, 0);
  ASSERT_EQ(tiles.size(), 20u);
  EXPECT_EQ(tiles[8].pe, 0);
  EXPECT_EQ(tiles[8].xbar, 2);
  EXPECT_EQ(tiles[19].pe, 1);
  EXPECT_EQ(tiles[19].xbar, 5);
  std::set<std::pair<int64_t, int64_t>> crossbars;
  for (const TilePlacement &t : tiles) {
    EXPECT_LT(t.pe, hw.pes);
    crossbars.insert({t.pe, t.xbar});
  }
  EXPECT_EQ(crossbars.size(), 20u);
}

/// For random shapes and every signed mapping: the tiles of each (group,
/// slice, copy) cover the matrix exactly once, every tile fits its crossbar,
/// tiles on one crossbar do not overlap, and the crossbars used are the
/// model's count.
TEST(PlacementTest, TilesPartitionEveryMatrix) {
  std::mt19937_64 rng(4);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  for (auto mapping :
       {SignedWeightMapping::DifferentialColumn, SignedWeightMapping::Offset,
        SignedWeightMapping::DifferentialRow})
    for (int i = 0; i < 200; ++i) {
      HardwareDescription hw =
          chip(mapping, int64_t(1) << uniform(1, 6),
               int64_t(1) << uniform(1, 6), unsigned(uniform(1, 4)));
      LayerShape layer = shape(uniform(1, 150), uniform(1, 40),
                               unsigned(uniform(1, 8)), uniform(1, 3));
      int64_t copies = uniform(1, 3);
      LayerFootprint fp = computeFootprint(layer, hw);
      std::vector<TilePlacement> tiles =
          placeLayer(layer, hw, ExecutionMode::Stationary, copies, 0);
      int64_t pr = hw.getPhysicalRowsPerWeightRow();
      int64_t pc = hw.getPhysicalColsPerWeightCol();
      std::map<std::tuple<int64_t, int64_t, int64_t>, std::vector<int>> cover;
      std::map<std::pair<int64_t, int64_t>, std::vector<TilePlacement>> byXbar;
      for (const TilePlacement &t : tiles) {
        ASSERT_LE(t.atRow + (t.rowEnd - t.rowBegin) * pr, hw.rows);
        ASSERT_LE(t.atCol + (t.colEnd - t.colBegin) * pc, hw.getUsableCols());
        auto &cells = cover[{t.group, t.slice, t.copy}];
        cells.resize(layer.rows * layer.cols, 0);
        for (int64_t r = t.rowBegin; r < t.rowEnd; ++r)
          for (int64_t c = t.colBegin; c < t.colEnd; ++c)
            ++cells[r * layer.cols + c];
        byXbar[{t.pe, t.xbar}].push_back(t);
      }
      ASSERT_EQ(int64_t(cover.size()), layer.groups * fp.slices * copies);
      for (auto &[key, cells] : cover)
        for (int count : cells)
          ASSERT_EQ(count, 1);
      ASSERT_EQ(int64_t(byXbar.size()), copies * fp.crossbarsPerCopy);
      for (auto &[xbar, list] : byXbar)
        for (size_t a = 0; a < list.size(); ++a)
          for (size_t b = a + 1; b < list.size(); ++b) {
            const TilePlacement &x = list[a], &y = list[b];
            bool rows = x.atRow < y.atRow + (y.rowEnd - y.rowBegin) * pr &&
                        y.atRow < x.atRow + (x.rowEnd - x.rowBegin) * pr;
            bool cols = x.atCol < y.atCol + (y.colEnd - y.colBegin) * pc &&
                        y.atCol < x.atCol + (x.colEnd - x.colBegin) * pc;
            ASSERT_FALSE(rows && cols);
          }
    }
}

} // namespace
