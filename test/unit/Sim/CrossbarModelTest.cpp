//===- CrossbarModelTest.cpp - Bit-exact crossbar layer model -------------===//

#include "cim/Sim/CrossbarModel.h"

#include "llvm/Support/raw_ostream.h"
#include "gtest/gtest.h"

#include <random>
#include <tuple>

using namespace mlir::cim;
using namespace mlir::cim::sim;
using hw::SignedWeightMapping;

namespace {

/// The default preset with the fields the model reads replaced.
hw::HardwareDescription makeHardware(SignedWeightMapping mapping,
                                     unsigned cellBits, unsigned dacBits,
                                     unsigned adcBits, int64_t crossbarRows) {
  std::vector<hw::HardwareDiagnostic> diagnostics;
  std::optional<hw::HardwareDescription> desc = hw::loadHardwareDescription(
      hw::resolveHardwarePath("rram-tiled"), diagnostics);
  EXPECT_TRUE(desc.has_value());
  hw::HardwareDescription result = *desc;
  result.signedMapping = mapping;
  result.cellBits = cellBits;
  result.dacBits = dacBits;
  result.adcBits = adcBits;
  result.rows = crossbarRows;
  EXPECT_TRUE(hw::validateHardwareDescription(result).empty());
  return result;
}

/// sum_r (u_r - o) * q_rc: what an ideal (unclamped) crossbar computes.
std::vector<int64_t> exactProduct(const CrossbarLayerSpec &spec,
                                  const std::vector<int32_t> &weights,
                                  const std::vector<uint16_t> &inputs,
                                  int64_t n, int32_t offset) {
  std::vector<int64_t> out(n * spec.groups * spec.cols, 0);
  for (int64_t v = 0; v < n; ++v)
    for (int64_t g = 0; g < spec.groups; ++g)
      for (int64_t c = 0; c < spec.cols; ++c) {
        int64_t sum = 0;
        for (int64_t r = 0; r < spec.rows; ++r)
          sum += (int64_t(inputs[(v * spec.groups + g) * spec.rows + r]) -
                  offset) *
                 weights[(g * spec.rows + r) * spec.cols + c];
        out[(v * spec.groups + g) * spec.cols + c] = sum;
      }
  return out;
}

struct Result {
  std::vector<int64_t> out;
  AdcCounters counters;
};

Result runModel(const hw::HardwareDescription &hw,
                const CrossbarLayerSpec &spec,
                const std::vector<int32_t> &weights,
                const std::vector<uint16_t> &inputs, int64_t n,
                int32_t offset) {
  Result result;
  result.out.assign(n * spec.groups * spec.cols, -1);
  llvm::Expected<CrossbarLayer> layer = CrossbarLayer::build(hw, spec, weights);
  EXPECT_TRUE(bool(layer)) << llvm::toString(layer.takeError());
  if (layer)
    layer->run(inputs.data(), n, offset, result.out.data(), &result.counters);
  return result;
}

Result runReference(const hw::HardwareDescription &hw,
                    const CrossbarLayerSpec &spec,
                    const std::vector<int32_t> &weights,
                    const std::vector<uint16_t> &inputs, int64_t n,
                    int32_t offset) {
  Result result;
  result.out.assign(n * spec.groups * spec.cols, -2);
  llvm::Error error =
      referenceCrossbarMvm(hw, spec, weights, inputs.data(), n, offset,
                           result.out.data(), &result.counters);
  EXPECT_FALSE(bool(error)) << llvm::toString(std::move(error));
  return result;
}

//===----------------------------------------------------------------------===//
// Hand-computed cases
//===----------------------------------------------------------------------===//

// `of`, 2-bit cells, a 2-bit ADC (0..3): weights 1, 1 are stored as 3, 3;
// inputs 1, 1 read psum 6, clamped to 3, and the reference column reads 2.
// acc = 3 - 2^1 * 2 = -1 where the exact product is 2.
TEST(CrossbarModelTest, OffsetSaturationByHand) {
  hw::HardwareDescription hw =
      makeHardware(SignedWeightMapping::Offset, 2, 1, 2, 128);
  CrossbarLayerSpec spec{2, 1, 1, 2, 1};
  std::vector<int32_t> weights = {1, 1};
  std::vector<uint16_t> inputs = {1, 1};
  Result model = runModel(hw, spec, weights, inputs, 1, 0);
  Result reference = runReference(hw, spec, weights, inputs, 1, 0);
  EXPECT_EQ(model.out, std::vector<int64_t>{-1});
  EXPECT_EQ(reference.out, std::vector<int64_t>{-1});
  // One weight column of one slice plus the reference column; one clamped.
  EXPECT_EQ(model.counters, (AdcCounters{2, 1}));
  EXPECT_EQ(reference.counters, (AdcCounters{2, 1}));

  // Inputs 1, 0 read 3 and 1: exact, 3 - 2 * 1 = 1.
  inputs = {1, 0};
  EXPECT_EQ(runModel(hw, spec, weights, inputs, 1, 0).out,
            std::vector<int64_t>{1});
}

// `dc`, a 1-bit ADC (0..1): weights 1, -1, 1 with inputs 1, 1, 1 read
// psum+ = 2 (clamped to 1) and psum- = 1: 0 instead of 1. With the input
// offset 1 every code contributes u - 1 = 0, but the correction is digital:
// 0 - 1 * (1 - 1 + 1) = -1.
TEST(CrossbarModelTest, DifferentialColumnSaturationByHand) {
  hw::HardwareDescription hw =
      makeHardware(SignedWeightMapping::DifferentialColumn, 1, 1, 1, 128);
  CrossbarLayerSpec spec{3, 1, 1, 2, 1};
  std::vector<int32_t> weights = {1, -1, 1};
  std::vector<uint16_t> inputs = {1, 1, 1};
  for (auto [offset, expected] : {std::pair(0, 0), std::pair(1, -1)}) {
    Result model = runModel(hw, spec, weights, inputs, 1, offset);
    EXPECT_EQ(model.out, std::vector<int64_t>{expected});
    // 2 slices x 2 physical columns.
    EXPECT_EQ(model.counters, (AdcCounters{4, 1}));
    EXPECT_EQ(runReference(hw, spec, weights, inputs, 1, offset).out,
              model.out);
  }
}

// `dr`, a signed 2-bit ADC (-2..1): two +1 weights read 2, clamped to 1;
// two -1 weights read -2, exact.
TEST(CrossbarModelTest, DifferentialRowSignedAdcByHand) {
  hw::HardwareDescription hw =
      makeHardware(SignedWeightMapping::DifferentialRow, 1, 1, 2, 128);
  CrossbarLayerSpec spec{2, 2, 1, 2, 1};
  std::vector<int32_t> weights = {1, -1, 1, -1};
  std::vector<uint16_t> inputs = {1, 1};
  Result model = runModel(hw, spec, weights, inputs, 1, 0);
  EXPECT_EQ(model.out, (std::vector<int64_t>{1, -2}));
  // 2 columns x 2 slices (the upper one holds zeros).
  EXPECT_EQ(model.counters, (AdcCounters{4, 1}));
  EXPECT_EQ(runReference(hw, spec, weights, inputs, 1, 0).out, model.out);
}

// Row tiles are read separately: 8 rows of weight 1 with all inputs 1 read
// 4 + 4 in two 4-row tiles of a 3-bit ADC (exact), but 8 > 7 in one tile.
TEST(CrossbarModelTest, RowTilesReadSeparately) {
  CrossbarLayerSpec spec{8, 1, 1, 2, 1};
  std::vector<int32_t> weights(8, 1);
  std::vector<uint16_t> inputs(8, 1);
  // `dc` keeps the magnitude in one 1-bit slice.
  hw::HardwareDescription tiled =
      makeHardware(SignedWeightMapping::DifferentialColumn, 1, 1, 3, 4);
  hw::HardwareDescription whole =
      makeHardware(SignedWeightMapping::DifferentialColumn, 1, 1, 3, 8);
  EXPECT_EQ(runModel(tiled, spec, weights, inputs, 1, 0).out,
            std::vector<int64_t>{8});
  EXPECT_EQ(runModel(whole, spec, weights, inputs, 1, 0).out,
            std::vector<int64_t>{7});
}

// Bit slices and input steps are shifted into place: 4-bit weight 5 =
// 0b101 (`dc`, 1-bit cells: slices 1, 0, 1) times code 3 (steps 1, 1).
TEST(CrossbarModelTest, SlicesAndStepsShiftAndAdd) {
  hw::HardwareDescription hw =
      makeHardware(SignedWeightMapping::DifferentialColumn, 1, 1, 4, 128);
  CrossbarLayerSpec spec{1, 1, 1, 4, 2};
  Result model = runModel(hw, spec, {5}, {3}, 1, 0);
  EXPECT_EQ(model.out, std::vector<int64_t>{15});
  // 2 steps x 4 slices x 2 columns.
  EXPECT_EQ(model.counters, (AdcCounters{16, 0}));
}

//===----------------------------------------------------------------------===//
// Validation
//===----------------------------------------------------------------------===//

TEST(CrossbarModelTest, RejectsWeightsOutsideTheRange) {
  hw::HardwareDescription hw =
      makeHardware(SignedWeightMapping::Offset, 2, 1, 8, 128);
  CrossbarLayerSpec spec{1, 3, 1, 4, 8};
  EXPECT_TRUE(bool(CrossbarLayer::build(hw, spec, {7, -7, 0})));
  llvm::Expected<CrossbarLayer> bad =
      CrossbarLayer::build(hw, spec, {7, -8, 0});
  ASSERT_FALSE(bool(bad));
  EXPECT_EQ(llvm::toString(bad.takeError()),
            "weight 1 is -8, outside [-7, 7] of 4-bit weights");
  // One bit is the ternary range.
  spec.wbits = 1;
  EXPECT_TRUE(bool(CrossbarLayer::build(hw, spec, {1, -1, 0})));
  llvm::Expected<CrossbarLayer> tooWide =
      CrossbarLayer::build(hw, spec, {2, 0, 0});
  EXPECT_FALSE(bool(tooWide));
  llvm::consumeError(tooWide.takeError());
  llvm::Expected<CrossbarLayer> tooFew = CrossbarLayer::build(hw, spec, {1});
  ASSERT_FALSE(bool(tooFew));
  EXPECT_EQ(llvm::toString(tooFew.takeError()),
            "expected 3 weights (groups * rows * cols), got 1");
  spec.abits = 17;
  llvm::Expected<CrossbarLayer> wide =
      CrossbarLayer::build(hw, spec, {0, 0, 0});
  EXPECT_FALSE(bool(wide));
  llvm::consumeError(wide.takeError());
}

TEST(CrossbarModelTest, RejectsCodesOutsideTheRange) {
  CrossbarLayerSpec spec{2, 1, 1, 8, 3};
  std::vector<uint16_t> good = {7, 0, 0, 7};
  EXPECT_FALSE(bool(verifyInputCodes(spec, good.data(), 2)));
  std::vector<uint16_t> bad = {7, 0, 8, 0};
  llvm::Error error = verifyInputCodes(spec, bad.data(), 2);
  EXPECT_EQ(llvm::toString(std::move(error)),
            "input code 2 is 8, not below 2^3");
  hw::HardwareDescription hw =
      makeHardware(SignedWeightMapping::Offset, 2, 1, 8, 128);
  std::vector<int64_t> out(2);
  llvm::Error refError =
      referenceCrossbarMvm(hw, spec, {1, 1}, bad.data(), 2, 0, out.data());
  EXPECT_TRUE(bool(refError));
  llvm::consumeError(std::move(refError));
}

//===----------------------------------------------------------------------===//
// Randomized sweep against the reference
//===----------------------------------------------------------------------===//

/// Input distributions: ReLU-like (mostly zeros), uniform, all codes at the
/// maximum (every ADC works hardest), and a few large codes.
enum class Inputs { Sparse, Uniform, Max, FewLarge };

std::vector<uint16_t> makeInputs(std::mt19937 &rng, Inputs kind, int64_t count,
                                 unsigned abits) {
  uint32_t maxCode = (uint32_t(1) << abits) - 1;
  std::uniform_int_distribution<uint32_t> code(0, maxCode);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<uint16_t> result(count);
  for (uint16_t &u : result) {
    switch (kind) {
    case Inputs::Sparse:
      u = unit(rng) < 0.6 ? 0 : code(rng);
      break;
    case Inputs::Uniform:
      u = code(rng);
      break;
    case Inputs::Max:
      u = maxCode;
      break;
    case Inputs::FewLarge:
      u = unit(rng) < 0.1 ? maxCode : 0;
      break;
    }
  }
  return result;
}

std::vector<int32_t> makeWeights(std::mt19937 &rng, int64_t count,
                                 unsigned wbits) {
  int32_t limit = (int32_t(1) << (std::max(wbits, 2u) - 1)) - 1;
  std::uniform_int_distribution<int32_t> weight(-limit, limit);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<int32_t> result(count);
  // Some extreme weights, so that the top slices hold their largest levels.
  for (int32_t &q : result) {
    double x = unit(rng);
    q = x < 0.1 ? limit : x < 0.2 ? -limit : weight(rng);
  }
  return result;
}

/// mapping, cell bits, DAC bits, ADC bits, crossbar rows.
using SweepParams =
    std::tuple<SignedWeightMapping, unsigned, unsigned, unsigned, int64_t>;

class CrossbarModelSweep : public ::testing::TestWithParam<SweepParams> {};

TEST_P(CrossbarModelSweep, MatchesReference) {
  auto [mapping, cellBits, dacBits, adcBits, crossbarRows] = GetParam();
  hw::HardwareDescription hw =
      makeHardware(mapping, cellBits, dacBits, adcBits, crossbarRows);
  int64_t tileRows = hw.getWeightRowsPerCrossbar();
  std::mt19937 rng(1234 + cellBits * 100 + dacBits * 10 + adcBits +
                   int(mapping) * 1000 + crossbarRows);
  int64_t saturatingRuns = 0, exactRuns = 0, lossyLayers = 0;
  for (int trial = 0; trial < 24; ++trial) {
    CrossbarLayerSpec spec;
    spec.wbits = 1 + trial % 8;
    spec.abits = 1 + (trial * 3 + 1) % 8;
    // Rows past a whole number of tiles, odd counts included.
    spec.rows =
        std::uniform_int_distribution<int64_t>(1, 2 * tileRows + 5)(rng);
    if (trial % 4 == 0)
      spec.rows = tileRows * (1 + trial % 3) + 1;
    spec.cols = std::uniform_int_distribution<int64_t>(1, 37)(rng);
    spec.groups = 1 + trial % 3;
    int64_t n = 1 + trial % 6;
    Inputs kind = Inputs(trial % 4);

    std::vector<int32_t> weights =
        makeWeights(rng, spec.groups * spec.rows * spec.cols, spec.wbits);
    // The worst case: the largest magnitudes (+ in even columns, - in odd
    // ones) under the largest codes. Every column of the largest level
    // reads rows * chunk * level, so some read saturates exactly when the
    // static bound says one may.
    bool worstCase = trial % 6 == 2;
    if (worstCase) {
      spec.rows = tileRows * (1 + trial % 3) + 3;
      weights.resize(spec.groups * spec.rows * spec.cols);
      int32_t limit = (int32_t(1) << (std::max(spec.wbits, 2u) - 1)) - 1;
      for (size_t i = 0; i < weights.size(); ++i)
        weights[i] = (i % spec.cols) % 2 ? -limit : limit;
      kind = Inputs::Max;
    }
    std::vector<uint16_t> inputs =
        makeInputs(rng, kind, n * spec.groups * spec.rows, spec.abits);
    llvm::Expected<CrossbarLayer> layer =
        CrossbarLayer::build(hw, spec, weights);
    ASSERT_TRUE(bool(layer)) << llvm::toString(layer.takeError());
    lossyLayers += !layer->isLossless();

    int32_t half = int32_t(1) << (spec.abits - 1);
    int32_t zeroPoint =
        std::uniform_int_distribution<int32_t>(0, (1 << spec.abits) - 1)(rng);
    for (int32_t offset : {0, zeroPoint, half}) {
      SCOPED_TRACE(testing::Message()
                   << "trial " << trial << ": rows " << spec.rows << " cols "
                   << spec.cols << " groups " << spec.groups << " w"
                   << spec.wbits << "a" << spec.abits << " n " << n
                   << " inputs " << int(kind) << " offset " << offset);
      Result model;
      model.out.assign(n * spec.groups * spec.cols, -1);
      layer->run(inputs.data(), n, offset, model.out.data(), &model.counters);
      Result reference = runReference(hw, spec, weights, inputs, n, offset);
      ASSERT_EQ(model.out, reference.out);
      EXPECT_EQ(model.counters, reference.counters);
      EXPECT_EQ(model.counters.conversions,
                n * layer->getConversionsPerVector());
      if (layer->isLossless()) {
        EXPECT_EQ(reference.counters.saturated, 0);
      }
      if (worstCase) {
        EXPECT_EQ(reference.counters.saturated > 0, !layer->isLossless());
      }
      if (reference.counters.saturated == 0) {
        ++exactRuns;
        EXPECT_EQ(model.out, exactProduct(spec, weights, inputs, n, offset));
      } else {
        ++saturatingRuns;
      }
    }
  }
  // A lossless ADC never clamps; a small one does, in some trials.
  if (adcBits >= 20) {
    EXPECT_EQ(lossyLayers, 0);
    EXPECT_EQ(saturatingRuns, 0);
  } else if (lossyLayers) {
    EXPECT_GT(saturatingRuns, 0);
  }
}

std::string sweepName(const testing::TestParamInfo<SweepParams> &info) {
  auto [mapping, cellBits, dacBits, adcBits, crossbarRows] = info.param;
  return (stringifySignedMapping(mapping) + "_cell" + llvm::Twine(cellBits) +
          "_dac" + llvm::Twine(dacBits) + "_adc" + llvm::Twine(adcBits) +
          "_rows" + llvm::Twine(crossbarRows))
      .str();
}

INSTANTIATE_TEST_SUITE_P(
    Mappings, CrossbarModelSweep,
    testing::Combine(testing::Values(SignedWeightMapping::Offset,
                                     SignedWeightMapping::DifferentialColumn,
                                     SignedWeightMapping::DifferentialRow),
                     testing::Values(1u, 2u, 4u), testing::Values(1u, 2u),
                     testing::Values(4u, 5u, 24u),
                     testing::Values(int64_t(16))),
    sweepName);

// Tall tiles, as on the presets (128 and 64 weight rows per crossbar).
INSTANTIATE_TEST_SUITE_P(
    TallTiles, CrossbarModelSweep,
    testing::Combine(testing::Values(SignedWeightMapping::Offset,
                                     SignedWeightMapping::DifferentialColumn,
                                     SignedWeightMapping::DifferentialRow),
                     testing::Values(2u), testing::Values(1u),
                     testing::Values(7u, 8u, 24u),
                     testing::Values(int64_t(128))),
    sweepName);

// One weight row per crossbar (`dr` on 2 rows): every row its own tile.
INSTANTIATE_TEST_SUITE_P(
    SingleRowTiles, CrossbarModelSweep,
    testing::Combine(testing::Values(SignedWeightMapping::DifferentialRow),
                     testing::Values(1u, 2u), testing::Values(1u, 2u),
                     testing::Values(2u, 3u, 24u), testing::Values(int64_t(2))),
    sweepName);

//===----------------------------------------------------------------------===//
// Wide operands and the default preset
//===----------------------------------------------------------------------===//

// 16-bit inputs take the 64-bit kernel, 15-bit ones the vector kernel with
// its accumulator flushes; both stay exact.
TEST(CrossbarModelTest, SixteenBitOperands) {
  std::mt19937 rng(7);
  for (unsigned abits : {15u, 16u})
    for (unsigned adcBits : {8u, 32u})
      for (SignedWeightMapping mapping :
           {SignedWeightMapping::Offset,
            SignedWeightMapping::DifferentialRow}) {
        hw::HardwareDescription hw = makeHardware(mapping, 4, 2, adcBits, 64);
        CrossbarLayerSpec spec{70, 19, 2, 16, abits};
        std::vector<int32_t> weights =
            makeWeights(rng, spec.groups * spec.rows * spec.cols, spec.wbits);
        int64_t n = 5;
        std::vector<uint16_t> inputs = makeInputs(
            rng, Inputs::Uniform, n * spec.groups * spec.rows, spec.abits);
        int32_t offset = int32_t(1) << (abits - 1);
        Result model = runModel(hw, spec, weights, inputs, n, offset);
        Result reference = runReference(hw, spec, weights, inputs, n, offset);
        EXPECT_EQ(model.out, reference.out);
        EXPECT_EQ(model.counters, reference.counters);
        if (adcBits == 32) {
          EXPECT_EQ(model.counters.saturated, 0);
          EXPECT_EQ(model.out, exactProduct(spec, weights, inputs, n, offset));
        }
      }
}

// rram-tiled at W8A8: the static bound says an ADC may saturate (128 rows
// x level 3 > 255), yet ReLU-like inputs never do; 16-bit ADCs cannot.
TEST(CrossbarModelTest, DefaultPresetBounds) {
  std::vector<hw::HardwareDiagnostic> diagnostics;
  std::optional<hw::HardwareDescription> hw = hw::loadHardwareDescription(
      hw::resolveHardwarePath("rram-tiled"), diagnostics);
  ASSERT_TRUE(hw.has_value());
  std::mt19937 rng(11);
  CrossbarLayerSpec spec{300, 40, 1, 8, 8};
  std::vector<int32_t> weights = makeWeights(rng, spec.rows * spec.cols, 8);
  llvm::Expected<CrossbarLayer> layer =
      CrossbarLayer::build(*hw, spec, weights);
  ASSERT_TRUE(bool(layer));
  EXPECT_FALSE(layer->isLossless());
  EXPECT_EQ(layer->getRowsPerTile(), 128);
  EXPECT_EQ(layer->getNumTiles(), 3);
  EXPECT_EQ(layer->getNumSlices(), 4);
  EXPECT_EQ(layer->getNumSteps(), 8);
  // 3 tiles x 8 steps x (40 columns x 4 slices + 1 reference column).
  EXPECT_EQ(layer->getConversionsPerVector(), 3 * 8 * 161);

  int64_t n = 9;
  std::vector<uint16_t> inputs =
      makeInputs(rng, Inputs::Sparse, n * spec.rows, 8);
  Result model = runModel(*hw, spec, weights, inputs, n, 3);
  EXPECT_EQ(model.counters.saturated, 0);
  EXPECT_EQ(model.out, exactProduct(spec, weights, inputs, n, 3));
  // Weights of 127 are stored as 255 = 0b11111111: every slice reads
  // 128 rows x 3 = 384 > 255 in the full tiles.
  std::vector<uint16_t> full(n * spec.rows, 255);
  std::vector<int32_t> largest(spec.rows * spec.cols, 127);
  Result saturated = runModel(*hw, spec, largest, full, n, 0);
  // 2 full tiles x 8 steps x 40 columns x 4 slices.
  EXPECT_EQ(saturated.counters.saturated, n * 2 * 8 * 40 * 4);
  EXPECT_EQ(saturated.out, runReference(*hw, spec, largest, full, n, 0).out);
  // Not all reads saturate: the ReLU-like inputs stay exact.
  EXPECT_EQ(runModel(*hw, spec, largest, inputs, n, 0).counters.saturated, 0);

  hw->adcBits = 16;
  llvm::Expected<CrossbarLayer> wide = CrossbarLayer::build(*hw, spec, weights);
  ASSERT_TRUE(bool(wide));
  EXPECT_TRUE(wide->isLossless());
}

} // namespace
