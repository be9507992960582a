//===- ObserverTest.cpp - Min/max, percentile and MSE observers ----------===//

#include "cim/Quant/Observer.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

using namespace mlir::cim::quant;

namespace {

TEST(ObserverTest, MinMaxAcrossBatchesIgnoresNonFinite) {
  MinMaxObserver observer;
  EXPECT_EQ(observer.getCount(), 0);
  EXPECT_EQ(observer.getRange().min, 0.0f);
  EXPECT_EQ(observer.getRange().max, 0.0f);
  const float inf = std::numeric_limits<float>::infinity();
  const float a[] = {std::nanf(""), -inf, 2.0f, 3.0f};
  const float b[] = {inf, -1.5f, 0.25f};
  observer.observe(a, 4);
  observer.observe(b, 3);
  EXPECT_EQ(observer.getCount(), 4);
  EXPECT_EQ(observer.getRange().min, -1.5f);
  EXPECT_EQ(observer.getRange().max, 3.0f);
}

TEST(ObserverTest, MinMaxOfNegativeValues) {
  MinMaxObserver observer;
  const float a[] = {-3.0f, -1.0f, -2.0f};
  observer.observe(a, 3);
  EXPECT_EQ(observer.getRange().min, -3.0f);
  EXPECT_EQ(observer.getRange().max, -1.0f);
}

TEST(ObserverTest, PercentileInterpolatesLikeNumpy) {
  // numpy.percentile([3, 1, 4, 1, 5, 9, 2, 6], 30) == 2.1
  std::vector<float> values = {3, 1, 4, 1, 5, 9, 2, 6};
  EXPECT_FLOAT_EQ(computePercentile(values, 30), 2.1f);
  EXPECT_EQ(computePercentile(values, 0), 1.0f);
  EXPECT_EQ(computePercentile(values, 100), 9.0f);
  std::vector<float> one = {7};
  EXPECT_EQ(computePercentile(one, 99.99), 7.0f);
  std::vector<float> none;
  EXPECT_EQ(computePercentile(none, 50), 0.0f);
}

TEST(ObserverTest, PercentileClipsBothTails) {
  // 0..100 with one outlier at each end: P(99) and P(1) of 103 values.
  std::vector<float> values;
  for (int i = 0; i <= 100; ++i)
    values.push_back(float(i));
  values.push_back(1e6f);
  values.push_back(-1e6f);
  PercentileObserver observer(99.0);
  observer.observe(values.data(), values.size());
  // Rank 0.99 * 102 = 100.98 in the sorted list -1e6, 0, ..., 100, 1e6.
  Range range = observer.getRange();
  EXPECT_FLOAT_EQ(range.max, 99.98f);
  EXPECT_FLOAT_EQ(range.min, 0.02f);
}

TEST(ObserverTest, PercentileIgnoresOrderAndBatching) {
  std::vector<float> values;
  std::mt19937 rng(42);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (int i = 0; i < 5000; ++i)
    values.push_back(normal(rng));
  PercentileObserver whole(99.9);
  whole.observe(values.data(), values.size());

  std::vector<float> shuffled = values;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  PercentileObserver batched(99.9);
  for (size_t start = 0; start < shuffled.size(); start += 333)
    batched.observe(shuffled.data() + start,
                    std::min<size_t>(333, shuffled.size() - start));
  EXPECT_EQ(whole.getRange().min, batched.getRange().min);
  EXPECT_EQ(whole.getRange().max, batched.getRange().max);
  // getRange does not disturb the observer.
  EXPECT_EQ(whole.getRange().max, batched.getRange().max);
  EXPECT_EQ(whole.getCount(), 5000);
}

TEST(ObserverTest, HundredthPercentileIsMinMax) {
  const float values[] = {4, -2, 8, 1, std::nanf("")};
  PercentileObserver percentile(100.0);
  MinMaxObserver minmax;
  percentile.observe(values, 5);
  minmax.observe(values, 5);
  EXPECT_EQ(percentile.getCount(), 4);
  EXPECT_EQ(percentile.getRange().min, minmax.getRange().min);
  EXPECT_EQ(percentile.getRange().max, minmax.getRange().max);
}

TEST(ObserverTest, MethodsByName) {
  EXPECT_EQ(parseCalibrationMethod("minmax"), CalibrationMethod::MinMax);
  EXPECT_EQ(parseCalibrationMethod("percentile"),
            CalibrationMethod::Percentile);
  EXPECT_EQ(parseCalibrationMethod("mse"), CalibrationMethod::Mse);
  EXPECT_FALSE(parseCalibrationMethod("entropy"));
  const float values[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  std::unique_ptr<Observer> observer =
      createObserver(CalibrationMethod::Percentile, 90.0);
  observer->observe(values, 11);
  EXPECT_FLOAT_EQ(observer->getRange().max, 9.0f);
  EXPECT_FLOAT_EQ(observer->getRange().min, 1.0f);
}

/// The exact mean squared error of fake-quantizing `values` with the
/// parameters paramsFromRange gives for `range`.
double exactError(const std::vector<float> &values, Range range, Scheme scheme,
                  unsigned bits) {
  QuantParams params = paramsFromRange(range, scheme, bits);
  double sum = 0.0;
  for (float v : values) {
    double d = double(fakeQuantize(v, params)) - double(v);
    sum += d * d;
  }
  return sum / double(values.size());
}

TEST(ObserverTest, MseClipsAnOutlierAtFewBitsOnly) {
  // 10 000 values uniform on [0, 1] and one at 4. Three bits: keeping the
  // outlier makes the step 4/7, clipping it costs one error of about 3.
  // Sixteen bits: the step is tiny either way, so nothing is clipped.
  std::vector<float> values;
  for (int i = 0; i < 10000; ++i)
    values.push_back(float(i) / 9999.0f);
  values.push_back(4.0f);
  MseObserver narrow(Scheme::Asymmetric, 3), wide(Scheme::Asymmetric, 16);
  narrow.observe(values.data(), values.size());
  wide.observe(values.data(), values.size());
  EXPECT_EQ(narrow.getCount(), 10001);
  Range clipped = narrow.getRange(), whole = wide.getRange();
  EXPECT_EQ(clipped.min, 0.0f);
  EXPECT_GT(clipped.max, 0.85f);
  EXPECT_LT(clipped.max, 1.2f);
  EXPECT_EQ(whole.min, 0.0f);
  EXPECT_EQ(whole.max, 4.0f);
  EXPECT_LT(exactError(values, clipped, Scheme::Asymmetric, 3),
            exactError(values, {0.0f, 4.0f}, Scheme::Asymmetric, 3) / 5);
}

TEST(ObserverTest, MseRangeIsNearTheExactOptimum) {
  // Against a brute-force search of the same grid of upper ends with the
  // exact error over every value (not the histogram's bins): the chosen
  // range is within 1 % of the best error, and far better than min/max.
  std::mt19937 rng(7);
  std::exponential_distribution<float> tail(1.0f);
  std::vector<float> values;
  for (int i = 0; i < 20000; ++i)
    values.push_back(tail(rng));
  for (unsigned bits : {2u, 3u, 4u, 6u}) {
    MseObserver observer(Scheme::Asymmetric, bits);
    observer.observe(values.data(), values.size());
    Range range = observer.getRange();
    float max = *std::max_element(values.begin(), values.end());
    double best = std::numeric_limits<double>::infinity();
    for (int k = 1; k <= MseObserver::kSteps; ++k)
      best = std::min(
          best, exactError(values,
                           {0.0f, max * float(k) / float(MseObserver::kSteps)},
                           Scheme::Asymmetric, bits));
    double chosen = exactError(values, range, Scheme::Asymmetric, bits);
    EXPECT_LE(chosen, best * 1.01) << bits << " bits";
    EXPECT_LT(chosen, exactError(values, {0.0f, max}, Scheme::Asymmetric, bits))
        << bits << " bits";
    EXPECT_LT(range.max, max) << bits << " bits";
  }
}

TEST(ObserverTest, MseMovesBothEndsOfAsymmetricAndOneOfSymmetric) {
  // Normal values with one outlier in each tail.
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.5f, 1.0f);
  std::vector<float> values;
  for (int i = 0; i < 20000; ++i)
    values.push_back(normal(rng));
  values.push_back(-20.0f);
  values.push_back(30.0f);
  MseObserver asymmetric(Scheme::Asymmetric, 4);
  asymmetric.observe(values.data(), values.size());
  Range a = asymmetric.getRange();
  EXPECT_GT(a.min, -20.0f / 3);
  EXPECT_LT(a.max, 30.0f / 3);
  EXPECT_LT(a.min, 0.0f);
  EXPECT_GT(a.max, 0.0f);
  MseObserver symmetric(Scheme::Symmetric, 4);
  symmetric.observe(values.data(), values.size());
  Range s = symmetric.getRange();
  EXPECT_EQ(s.min, -s.max);
  EXPECT_LT(s.max, 10.0f);
  EXPECT_GT(s.max, 1.0f);
}

TEST(ObserverTest, MseIgnoresOrderBatchingAndNonFinite) {
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> values;
  for (int i = 0; i < 5000; ++i)
    values.push_back(normal(rng));
  std::unique_ptr<Observer> whole =
      createObserver(CalibrationMethod::Mse, 99.99, Scheme::Asymmetric, 3);
  whole->observe(values.data(), values.size());
  std::vector<float> shuffled = values;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  shuffled.push_back(std::nanf(""));
  shuffled.push_back(std::numeric_limits<float>::infinity());
  MseObserver batched(Scheme::Asymmetric, 3);
  for (size_t start = 0; start < shuffled.size(); start += 777)
    batched.observe(shuffled.data() + start,
                    std::min<size_t>(777, shuffled.size() - start));
  EXPECT_EQ(batched.getCount(), 5000);
  EXPECT_EQ(whole->getRange().min, batched.getRange().min);
  EXPECT_EQ(whole->getRange().max, batched.getRange().max);
  // Empty and constant inputs.
  MseObserver empty(Scheme::Asymmetric, 3);
  EXPECT_EQ(empty.getRange().max, 0.0f);
  const float constant[] = {2.5f, 2.5f};
  empty.observe(constant, 2);
  EXPECT_EQ(empty.getRange().min, 2.5f);
  EXPECT_EQ(empty.getRange().max, 2.5f);
}

} // namespace
