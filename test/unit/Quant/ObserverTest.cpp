//===- ObserverTest.cpp - Min/max and percentile observers ----------------===//

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
  EXPECT_FALSE(parseCalibrationMethod("entropy"));
  const float values[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  std::unique_ptr<Observer> observer =
      createObserver(CalibrationMethod::Percentile, 90.0);
  observer->observe(values, 11);
  EXPECT_FLOAT_EQ(observer->getRange().max, 9.0f);
  EXPECT_FLOAT_EQ(observer->getRange().min, 1.0f);
}

} // namespace
