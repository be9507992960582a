//===- Observer.h - Activation range observers ------------------*- C++ -*-===//
//
// Observers collect the values an activation takes over the calibration
// inputs and turn them into a real range, from which paramsFromRange makes
// a scale and zero point. Plain C++, like Quantizer.h.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_QUANT_OBSERVER_H
#define CIM_QUANT_OBSERVER_H

#include "cim/Quant/Quantizer.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace quant {

/// How an observer turns the observed values into a range.
enum class CalibrationMethod {
  /// [min, max] over every observed value.
  MinMax,
  /// [P(100 - p), P(p)]: the p-th percentile and its mirror, which clips
  /// the rare outliers of both tails.
  Percentile,
  /// The clipping range whose fake quantization at the layer's width and
  /// scheme has the least mean squared error over the observed values: a
  /// 3-bit grid clips far more than an 8-bit one.
  Mse,
};

/// "minmax" / "percentile" / "mse" to the method; std::nullopt otherwise.
std::optional<CalibrationMethod> parseCalibrationMethod(const std::string &s);
/// "minmax", "percentile" or "mse".
const char *stringify(CalibrationMethod method);
/// Every method, in the order messages list them.
constexpr CalibrationMethod kCalibrationMethods[] = {
    CalibrationMethod::MinMax, CalibrationMethod::Percentile,
    CalibrationMethod::Mse};

/// Collects values and reports their range. NaNs and infinities are not
/// counted (an activation that overflows should not stretch the scale to
/// infinity). Observing the same multiset of values gives the same range in
/// any order and any batching.
class Observer {
public:
  virtual ~Observer();
  /// Adds `count` values.
  virtual void observe(const float *values, size_t count) = 0;
  /// Number of finite values observed so far.
  virtual int64_t getCount() const = 0;
  /// The range of the values so far; [0, 0] before any finite value.
  virtual Range getRange() const = 0;
};

/// Running minimum and maximum; O(1) memory.
class MinMaxObserver : public Observer {
public:
  void observe(const float *values, size_t count) override;
  int64_t getCount() const override { return count; }
  Range getRange() const override;

private:
  int64_t count = 0;
  float min = 0.0f;
  float max = 0.0f;
};

/// Exact percentiles: keeps every observed value (4 bytes each) and selects
/// with std::nth_element, so the result depends only on the values, not on
/// their order. percentile in [50, 100]; 100 equals min/max.
class PercentileObserver : public Observer {
public:
  explicit PercentileObserver(double percentile);
  void observe(const float *values, size_t count) override;
  int64_t getCount() const override { return int64_t(values.size()); }
  Range getRange() const override;

private:
  double percentile;
  std::vector<float> values;
};

/// Mean-squared-error clipping (CalibrationMethod::Mse) for `bits` under
/// `scheme`: keeps every observed value, bins them into a histogram of
/// kBins equal bins over [min, max], and searches clipping ranges on a grid
/// of kSteps fractions of each end (coordinate descent: the upper end, the
/// lower end, the upper end again; one end for symmetric). Each candidate is
/// scored by sum(count_b * (fakeQuantize(c_b) - c_b)^2) over the bin
/// centres c_b with the parameters paramsFromRange gives, so the score is
/// that of the grid the layer will use. Ties keep the wider range. The
/// result depends only on the multiset of values.
class MseObserver : public Observer {
public:
  static constexpr int kBins = 4096;
  static constexpr int kSteps = 200;

  MseObserver(Scheme scheme, unsigned bits);
  void observe(const float *values, size_t count) override;
  int64_t getCount() const override { return int64_t(values.size()); }
  Range getRange() const override;

private:
  Scheme scheme;
  unsigned bits;
  std::vector<float> values;
};

/// The p-th percentile (0..100) of `values` with linear interpolation
/// between the two nearest ranks (numpy.percentile's default): rank
/// h = p / 100 * (n - 1), result v[floor(h)] + (h - floor(h)) *
/// (v[floor(h) + 1] - v[floor(h)]) over the sorted values. Reorders
/// `values`; 0 for an empty vector.
float computePercentile(std::vector<float> &values, double p);

/// An observer for `method` (`percentile` is used by Percentile only,
/// `scheme` and `bits`, the width the range is for, by Mse only).
std::unique_ptr<Observer> createObserver(CalibrationMethod method,
                                         double percentile = 99.99,
                                         Scheme scheme = Scheme::Asymmetric,
                                         unsigned bits = 8);

} // namespace quant
} // namespace cim
} // namespace mlir

#endif // CIM_QUANT_OBSERVER_H
