//===- QuantizerTest.cpp - Ranges, rounding, (de)quantization, scales -----===//

#include "cim/Quant/Quantizer.h"

#include "gtest/gtest.h"

#include <cfenv>
#include <cfloat>
#include <cmath>
#include <limits>

using namespace mlir::cim::quant;

namespace {

TEST(QuantizerTest, SymmetricRangesAreNarrow) {
  EXPECT_EQ(getIntRange(Scheme::Symmetric, 1), (IntRange{-1, 1}));
  EXPECT_EQ(getIntRange(Scheme::Symmetric, 2), (IntRange{-1, 1}));
  EXPECT_EQ(getIntRange(Scheme::Symmetric, 3), (IntRange{-3, 3}));
  EXPECT_EQ(getIntRange(Scheme::Symmetric, 4), (IntRange{-7, 7}));
  EXPECT_EQ(getIntRange(Scheme::Symmetric, 8), (IntRange{-127, 127}));
  EXPECT_EQ(getIntRange(Scheme::Symmetric, 16), (IntRange{-32767, 32767}));
}

TEST(QuantizerTest, AsymmetricRangesAreUnsigned) {
  EXPECT_EQ(getIntRange(Scheme::Asymmetric, 1), (IntRange{0, 1}));
  EXPECT_EQ(getIntRange(Scheme::Asymmetric, 2), (IntRange{0, 3}));
  EXPECT_EQ(getIntRange(Scheme::Asymmetric, 8), (IntRange{0, 255}));
  EXPECT_EQ(getIntRange(Scheme::Asymmetric, 16), (IntRange{0, 65535}));
}

TEST(QuantizerTest, RoundingTiesGoToEven) {
  EXPECT_EQ(roundHalfToEven(0.5), 0.0);
  EXPECT_EQ(roundHalfToEven(1.5), 2.0);
  EXPECT_EQ(roundHalfToEven(2.5), 2.0);
  EXPECT_EQ(roundHalfToEven(3.5), 4.0);
  EXPECT_EQ(roundHalfToEven(-0.5), 0.0);
  EXPECT_EQ(roundHalfToEven(-1.5), -2.0);
  EXPECT_EQ(roundHalfToEven(-2.5), -2.0);
  // Not ties: ordinary nearest.
  EXPECT_EQ(roundHalfToEven(2.4999999), 2.0);
  EXPECT_EQ(roundHalfToEven(2.5000001), 3.0);
  EXPECT_EQ(roundHalfToEven(-3.7), -4.0);
  EXPECT_EQ(roundHalfToEven(7.0), 7.0);
  // Beyond 2^52 every double is an integer.
  EXPECT_EQ(roundHalfToEven(4503599627370497.0), 4503599627370497.0);
}

TEST(QuantizerTest, RoundingIgnoresTheFloatingPointMode) {
  int saved = std::fegetround();
  std::fesetround(FE_UPWARD);
  double up = roundHalfToEven(2.5), down = roundHalfToEven(-1.5);
  std::fesetround(FE_DOWNWARD);
  double up2 = roundHalfToEven(2.5);
  std::fesetround(saved);
  EXPECT_EQ(up, 2.0);
  EXPECT_EQ(down, -2.0);
  EXPECT_EQ(up2, 2.0);
}

TEST(QuantizerTest, QuantizeRoundsTiesToEvenAndSaturates) {
  QuantParams p = makeParams(Scheme::Symmetric, 8, 0.5f);
  EXPECT_EQ(quantize(0.25f, p), 0); // 0.5 -> 0
  EXPECT_EQ(quantize(0.75f, p), 2); // 1.5 -> 2
  EXPECT_EQ(quantize(-0.75f, p), -2);
  EXPECT_EQ(quantize(1.25f, p), 2); // 2.5 -> 2
  EXPECT_EQ(quantize(63.5f, p), 127);
  EXPECT_EQ(quantize(1000.0f, p), 127);
  // Narrow range: -128 is never produced.
  EXPECT_EQ(quantize(-1000.0f, p), -127);
  EXPECT_EQ(quantize(std::numeric_limits<float>::infinity(), p), 127);
  EXPECT_EQ(quantize(-std::numeric_limits<float>::infinity(), p), -127);
  EXPECT_EQ(quantize(std::nanf(""), p), 0);
}

TEST(QuantizerTest, QuantizeDividesInF32LikeOnnx) {
  // 0.35f / 0.1f is exactly 3.5 in f32 (-> 4), but 3.4999999 in double.
  QuantParams p = makeParams(Scheme::Symmetric, 8, 0.1f);
  EXPECT_EQ(quantize(0.35f, p), 4);
  // 0.45000002f / 0.1f is 4.5 in f32 (-> 4), 4.5000001 in double.
  EXPECT_EQ(quantize(0.45000002f, p), 4);
}

TEST(QuantizerTest, AsymmetricQuantizeAddsTheZeroPoint) {
  QuantParams p = makeParams(Scheme::Asymmetric, 8, 0.1f, 10);
  EXPECT_EQ(quantize(0.0f, p), 10);
  EXPECT_EQ(quantize(-1.0f, p), 0);
  EXPECT_EQ(quantize(-2.0f, p), 0); // saturates at 0
  EXPECT_EQ(quantize(1.0f, p), 20);
  EXPECT_EQ(quantize(100.0f, p), 255);
  EXPECT_EQ(quantize(std::nanf(""), p), 10);
  EXPECT_FLOAT_EQ(dequantize(0, p), -1.0f);
  EXPECT_FLOAT_EQ(dequantize(255, p), 24.5f);
  EXPECT_EQ(fakeQuantize(0.0f, p), 0.0f); // zero is exact
}

TEST(QuantizerTest, DequantizeAndFakeQuantize) {
  QuantParams p = makeParams(Scheme::Symmetric, 4, 0.25f);
  EXPECT_EQ(dequantize(3, p), 0.75f);
  EXPECT_EQ(dequantize(-7, p), -1.75f);
  EXPECT_EQ(fakeQuantize(0.3f, p), 0.25f);
  EXPECT_EQ(fakeQuantize(5.0f, p), 1.75f);
  float values[] = {0.1f, -0.4f, 0.375f, 9.0f};
  fakeQuantize(values, 4, p);
  EXPECT_EQ(values[0], 0.0f);
  EXPECT_EQ(values[1], -0.5f); // -1.6 -> -2
  EXPECT_EQ(values[2], 0.5f);  // 1.5 -> 2
  EXPECT_EQ(values[3], 1.75f);
}

TEST(QuantizerTest, OneBitSymmetricIsTernary) {
  QuantParams p = paramsFromRange({-3.0f, 2.0f}, Scheme::Symmetric, 1);
  EXPECT_EQ(p.scale, 3.0f);
  EXPECT_EQ(quantize(-3.0f, p), -1);
  EXPECT_EQ(quantize(1.4f, p), 0);
  EXPECT_EQ(quantize(1.6f, p), 1);
  EXPECT_EQ(quantize(-1.5f, p), 0); // -0.5 ties to 0
}

TEST(QuantizerTest, SymmetricScaleFromRange) {
  QuantParams p = paramsFromRange({-1.0f, 2.54f}, Scheme::Symmetric, 8);
  EXPECT_FLOAT_EQ(p.scale, 0.02f);
  EXPECT_EQ(p.zeroPoint, 0);
  EXPECT_EQ(quantize(2.54f, p), 127);
  // Negative-only ranges use their magnitude.
  p = paramsFromRange({-5.0f, -1.0f}, Scheme::Symmetric, 8);
  EXPECT_FLOAT_EQ(p.scale, 5.0f / 127);
  EXPECT_EQ(quantize(-5.0f, p), -127);
  // Two bits: qmax = 1.
  EXPECT_EQ(paramsFromRange({-0.5f, 0.5f}, Scheme::Symmetric, 2).scale, 0.5f);
  // Sixteen bits.
  EXPECT_FLOAT_EQ(paramsFromRange({-1.0f, 1.0f}, Scheme::Symmetric, 16).scale,
                  1.0f / 32767);
}

TEST(QuantizerTest, ZeroAndTinyRangesGiveUsableScales) {
  for (Scheme scheme : {Scheme::Symmetric, Scheme::Asymmetric}) {
    QuantParams p = paramsFromRange({0.0f, 0.0f}, scheme, 8);
    EXPECT_EQ(p.scale, 1.0f);
    EXPECT_EQ(p.zeroPoint, 0);
    EXPECT_EQ(fakeQuantize(0.0f, p), 0.0f);
    // A subnormal range still gives a normal scale.
    p = paramsFromRange({0.0f, 1e-44f}, scheme, 8);
    EXPECT_EQ(p.scale, FLT_MIN);
  }
}

TEST(QuantizerTest, AsymmetricScaleAndZeroPointFromRange) {
  QuantParams p = paramsFromRange({-0.5f, 2.05f}, Scheme::Asymmetric, 8);
  EXPECT_FLOAT_EQ(p.scale, 0.01f);
  EXPECT_EQ(p.zeroPoint, 50);
  EXPECT_EQ(fakeQuantize(0.0f, p), 0.0f);
  // Positive-only ranges are widened to 0: zero point 0.
  p = paramsFromRange({1.0f, 2.55f}, Scheme::Asymmetric, 8);
  EXPECT_FLOAT_EQ(p.scale, 0.01f);
  EXPECT_EQ(p.zeroPoint, 0);
  // Negative-only ranges: the zero point is the top of the range.
  p = paramsFromRange({-2.55f, -1.0f}, Scheme::Asymmetric, 8);
  EXPECT_FLOAT_EQ(p.scale, 0.01f);
  EXPECT_EQ(p.zeroPoint, 255);
  EXPECT_EQ(quantize(-2.55f, p), 0);
  EXPECT_EQ(quantize(0.5f, p), 255);
  // One bit: {0, 1}.
  p = paramsFromRange({-0.7f, 0.0f}, Scheme::Asymmetric, 1);
  EXPECT_FLOAT_EQ(p.scale, 0.7f);
  EXPECT_EQ(p.zeroPoint, 1);
}

TEST(QuantizerTest, ZeroPointTiesGoToEven) {
  // 2 bits: scale 1.5 / 3 = 0.5; -min / scale = 0.5 -> 0 and 1.5 -> 2.
  EXPECT_EQ(paramsFromRange({-0.25f, 1.25f}, Scheme::Asymmetric, 2).zeroPoint,
            0);
  EXPECT_EQ(paramsFromRange({-0.75f, 0.75f}, Scheme::Asymmetric, 2).zeroPoint,
            2);
}

TEST(QuantizerTest, RescaleKeepsTheClippingRange) {
  QuantParams p8 = makeParams(Scheme::Symmetric, 8, 0.25f);
  QuantParams p4 = rescaleForBits(p8, Scheme::Symmetric, 4);
  EXPECT_FLOAT_EQ(p4.scale, 0.25f * 127 / 7);
  EXPECT_EQ(p4.range, (IntRange{-7, 7}));
  EXPECT_FLOAT_EQ(dequantize(7, p4), dequantize(127, p8));

  QuantParams a8 = makeParams(Scheme::Asymmetric, 8, 0.1f, 3);
  QuantParams a6 = rescaleForBits(a8, Scheme::Asymmetric, 6);
  EXPECT_FLOAT_EQ(a6.scale, 0.1f * 255 / 63);
  EXPECT_EQ(a6.zeroPoint, 1); // 3 * 63 / 255 = 0.74
  QuantParams back = rescaleForBits(a6, Scheme::Asymmetric, 8);
  EXPECT_FLOAT_EQ(back.scale, 0.1f);
  // Same widths: nothing changes.
  QuantParams same = rescaleForBits(a8, Scheme::Asymmetric, 8);
  EXPECT_EQ(same.scale, a8.scale);
  EXPECT_EQ(same.zeroPoint, a8.zeroPoint);
}

TEST(QuantizerTest, ChannelRangesFollowTheLayout) {
  // A conv weight 3x1x2x2 (OIHW): channels are the outermost dimension.
  const float conv[] = {1, -2, 0.5, 0, /**/ 0, 0, 0, 0, /**/ -4, -1, -3, -2};
  ChannelLayout layout{1, 1, 3, 4};
  std::vector<Range> ranges = getChannelRanges(conv, layout);
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_EQ(ranges[0].min, -2.0f);
  EXPECT_EQ(ranges[0].max, 1.0f);
  EXPECT_EQ(ranges[1].min, 0.0f);
  EXPECT_EQ(ranges[1].max, 0.0f);
  EXPECT_EQ(ranges[2].min, -4.0f);
  EXPECT_EQ(ranges[2].max, -1.0f);

  // A gemm weight K x N = 2x3: channels are the columns.
  const float gemm[] = {1, 2, 3, /**/ -4, 5, -6};
  ranges = getChannelRanges(gemm, ChannelLayout{1, 2, 3, 1});
  EXPECT_EQ(ranges[0].min, -4.0f);
  EXPECT_EQ(ranges[1].max, 5.0f);
  EXPECT_EQ(ranges[2].min, -6.0f);

  // A batched matmul weight 2x2x2: channel = batch * N + column.
  const float batched[] = {1, 2, 3, 4, /**/ 5, 6, 7, -8};
  ranges = getChannelRanges(batched, ChannelLayout{2, 2, 2, 1});
  ASSERT_EQ(ranges.size(), 4u);
  EXPECT_EQ(ranges[0].max, 3.0f);
  EXPECT_EQ(ranges[1].max, 4.0f);
  EXPECT_EQ(ranges[2].max, 7.0f);
  EXPECT_EQ(ranges[3].min, -8.0f);
}

TEST(QuantizerTest, PerChannelWeightScales) {
  const float conv[] = {1, -2, 0.5, 0, /**/ 0, 0, 0, 0, /**/ -4, -1, -3, -2};
  ChannelLayout layout{1, 1, 3, 4};
  std::vector<QuantParams> params =
      computeWeightParams(conv, layout, Scheme::Symmetric, 4, true);
  ASSERT_EQ(params.size(), 3u);
  EXPECT_FLOAT_EQ(params[0].scale, 2.0f / 7); // max|w| / qmax
  EXPECT_EQ(params[1].scale, 1.0f);           // all-zero channel
  EXPECT_FLOAT_EQ(params[2].scale, 4.0f / 7); // negative-only channel

  std::vector<QuantParams> tensor =
      computeWeightParams(conv, layout, Scheme::Symmetric, 4, false);
  ASSERT_EQ(tensor.size(), 1u);
  EXPECT_FLOAT_EQ(tensor[0].scale, 4.0f / 7);

  float copy[12];
  std::copy(std::begin(conv), std::end(conv), copy);
  fakeQuantizeWeights(copy, layout, params);
  // Each channel's extreme is exact; the rest snaps to its grid.
  EXPECT_FLOAT_EQ(copy[1], -2.0f);
  EXPECT_FLOAT_EQ(copy[2], 2 * (2.0f / 7)); // 0.5 is 1.75 steps -> 2
  EXPECT_EQ(copy[5], 0.0f);
  EXPECT_FLOAT_EQ(copy[8], -4.0f);
  EXPECT_FLOAT_EQ(copy[9], -2 * (4.0f / 7)); // -1 is -1.75 steps -> -2
}

TEST(QuantizerTest, AsymmetricWeightsGetZeroPointsPerChannel) {
  const float gemm[] = {0, 1, -1, /**/ 2.55f, 3, -2};
  std::vector<QuantParams> params = computeWeightParams(
      gemm, ChannelLayout{1, 2, 3, 1}, Scheme::Asymmetric, 8, true);
  ASSERT_EQ(params.size(), 3u);
  EXPECT_FLOAT_EQ(params[0].scale, 0.01f);
  EXPECT_EQ(params[0].zeroPoint, 0);
  EXPECT_EQ(params[2].zeroPoint, 255);
}

} // namespace
