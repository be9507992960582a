//===- Observer.cpp - Activation range observers --------------------------===//

#include "cim/Quant/Observer.h"

#include <algorithm>
#include <cassert>
#include <cmath>

using namespace mlir::cim;
using namespace mlir::cim::quant;

std::optional<CalibrationMethod>
quant::parseCalibrationMethod(const std::string &s) {
  if (s == "minmax")
    return CalibrationMethod::MinMax;
  if (s == "percentile")
    return CalibrationMethod::Percentile;
  return std::nullopt;
}

Observer::~Observer() = default;

void MinMaxObserver::observe(const float *values, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    float v = values[i];
    if (!std::isfinite(v))
      continue;
    if (count++ == 0) {
      min = max = v;
      continue;
    }
    min = std::min(min, v);
    max = std::max(max, v);
  }
}

Range MinMaxObserver::getRange() const { return {min, max}; }

PercentileObserver::PercentileObserver(double percentile)
    : percentile(percentile) {
  assert(percentile >= 50.0 && percentile <= 100.0 &&
         "percentile must be in [50, 100]");
}

void PercentileObserver::observe(const float *data, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (std::isfinite(data[i]))
      values.push_back(data[i]);
}

Range PercentileObserver::getRange() const {
  // Selection reorders a copy: the observer stays usable and const.
  std::vector<float> copy = values;
  float lo = computePercentile(copy, 100.0 - percentile);
  float hi = computePercentile(copy, percentile);
  return {lo, hi};
}

float quant::computePercentile(std::vector<float> &values, double p) {
  if (values.empty())
    return 0.0f;
  double rank = std::clamp(p, 0.0, 100.0) / 100.0 * double(values.size() - 1);
  size_t below = size_t(std::floor(rank));
  double frac = rank - double(below);
  auto nth = values.begin() + below;
  std::nth_element(values.begin(), nth, values.end());
  double v0 = *nth;
  if (frac == 0.0 || below + 1 >= values.size())
    return float(v0);
  // The next rank is the smallest value after the nth.
  double v1 = *std::min_element(nth + 1, values.end());
  return float(v0 + frac * (v1 - v0));
}

std::unique_ptr<Observer> quant::createObserver(CalibrationMethod method,
                                                double percentile) {
  if (method == CalibrationMethod::Percentile)
    return std::make_unique<PercentileObserver>(percentile);
  return std::make_unique<MinMaxObserver>();
}
