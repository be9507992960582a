//===- Observer.cpp - Activation range observers --------------------------===//

#include "cim/Quant/Observer.h"

#include <algorithm>
#include <cassert>
#include <cmath>

using namespace mlir::cim;
using namespace mlir::cim::quant;

std::optional<CalibrationMethod>
quant::parseCalibrationMethod(const std::string &s) {
  for (CalibrationMethod method : kCalibrationMethods)
    if (s == stringify(method))
      return method;
  return std::nullopt;
}

const char *quant::stringify(CalibrationMethod method) {
  switch (method) {
  case CalibrationMethod::MinMax:
    return "minmax";
  case CalibrationMethod::Percentile:
    return "percentile";
  case CalibrationMethod::Mse:
    return "mse";
  }
  return "minmax";
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

MseObserver::MseObserver(Scheme scheme, unsigned bits)
    : scheme(scheme), bits(bits) {
  assert(bits >= kMinBits && bits <= kMaxBits && "unsupported bit width");
}

void MseObserver::observe(const float *data, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (std::isfinite(data[i]))
      values.push_back(data[i]);
}

Range MseObserver::getRange() const {
  if (values.empty())
    return {0.0f, 0.0f};
  auto [minIt, maxIt] = std::minmax_element(values.begin(), values.end());
  double lo = *minIt, hi = *maxIt;
  if (lo == hi)
    return {float(lo), float(hi)};
  // The histogram: equal bins over [lo, hi], each value counted once.
  std::vector<double> counts(kBins, 0.0);
  double width = (hi - lo) / kBins;
  for (float v : values) {
    int64_t bin = int64_t((double(v) - lo) / width);
    counts[size_t(std::clamp<int64_t>(bin, 0, kBins - 1))] += 1.0;
  }
  auto error = [&](double clipLo, double clipHi) {
    QuantParams params =
        paramsFromRange({float(clipLo), float(clipHi)}, scheme, bits);
    double sum = 0.0;
    for (int b = 0; b < kBins; ++b) {
      if (counts[b] == 0.0)
        continue;
      float centre = float(lo + (b + 0.5) * width);
      double d = double(fakeQuantize(centre, params)) - double(centre);
      sum += counts[b] * d * d;
    }
    return sum;
  };
  // Fractions kSteps / kSteps (no clipping) down to 1 / kSteps of `end`;
  // `score` gives a candidate's error. A strictly smaller error is needed
  // to clip more.
  auto bestEnd = [&](double end, auto score) {
    double best = end, bestError = -1.0;
    for (int k = kSteps; k >= 1; --k) {
      double candidate = end * double(k) / kSteps;
      double e = score(candidate);
      if (bestError < 0.0 || e < bestError) {
        best = candidate;
        bestError = e;
      }
    }
    return best;
  };
  if (scheme == Scheme::Symmetric) {
    // paramsFromRange takes max(|lo|, |hi|): shrink that one magnitude.
    double amax =
        bestEnd(std::max(-lo, hi), [&](double c) { return error(-c, c); });
    return {float(-amax), float(amax)};
  }
  // Asymmetric ranges always contain 0: only an end beyond 0 can move.
  double clipLo = std::min(lo, 0.0), clipHi = std::max(hi, 0.0);
  auto upper = [&](double c) { return error(clipLo, c); };
  auto lower = [&](double c) { return error(c, clipHi); };
  if (clipHi > 0.0)
    clipHi = bestEnd(clipHi, upper);
  if (clipLo < 0.0) {
    clipLo = bestEnd(clipLo, lower);
    if (hi > 0.0)
      clipHi = bestEnd(hi, upper);
  }
  return {float(clipLo), float(clipHi)};
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
                                                double percentile,
                                                Scheme scheme, unsigned bits) {
  if (method == CalibrationMethod::Percentile)
    return std::make_unique<PercentileObserver>(percentile);
  if (method == CalibrationMethod::Mse)
    return std::make_unique<MseObserver>(scheme, bits);
  return std::make_unique<MinMaxObserver>();
}
