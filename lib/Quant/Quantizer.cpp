//===- Quantizer.cpp - The quantization formulas --------------------------===//

#include "cim/Quant/Quantizer.h"

#include <algorithm>
#include <cassert>
#include <cfloat>
#include <cmath>

using namespace mlir::cim;
using namespace mlir::cim::quant;

IntRange quant::getIntRange(Scheme scheme, unsigned bits) {
  assert(bits >= kMinBits && bits <= kMaxBits && "bit width out of range");
  if (scheme == Scheme::Asymmetric)
    return {0, (int64_t(1) << bits) - 1};
  // Narrow range: negation is exact, which differential columns rely on.
  // One bit keeps a magnitude bit: [-1, 1].
  int64_t max = bits == 1 ? 1 : (int64_t(1) << (bits - 1)) - 1;
  return {-max, max};
}

double quant::roundHalfToEven(double x) {
  double floor = std::floor(x);
  double diff = x - floor; // exact for every finite double
  if (diff < 0.5)
    return floor;
  if (diff > 0.5)
    return floor + 1.0;
  return std::fmod(floor, 2.0) == 0.0 ? floor : floor + 1.0;
}

QuantParams quant::makeParams(Scheme scheme, unsigned bits, float scale,
                              int32_t zeroPoint) {
  QuantParams params;
  params.scale = scale;
  params.zeroPoint = zeroPoint;
  params.range = getIntRange(scheme, bits);
  return params;
}

int64_t quant::quantize(float x, const QuantParams &params) {
  return quantizeTo(x, params.scale, params.zeroPoint, params.range);
}

float quant::dequantize(int64_t q, const QuantParams &params) {
  return dequantizeFrom(q, params.zeroPoint, params.scale);
}

float quant::fakeQuantize(float x, const QuantParams &params) {
  return dequantize(quantize(x, params), params);
}

void quant::fakeQuantize(float *values, size_t count,
                         const QuantParams &params) {
  for (size_t i = 0; i < count; ++i)
    values[i] = fakeQuantize(values[i], params);
}

/// Keeps a scale positive, finite and normal.
static float clampScale(double scale) {
  if (!(scale >= double(FLT_MIN)))
    return FLT_MIN;
  if (scale > double(FLT_MAX))
    return FLT_MAX;
  return float(scale);
}

QuantParams quant::paramsFromRange(Range range, Scheme scheme, unsigned bits) {
  assert(std::isfinite(range.min) && std::isfinite(range.max) &&
         range.min <= range.max && "range must be finite and ordered");
  QuantParams params;
  params.range = getIntRange(scheme, bits);
  double lo = std::min(double(range.min), 0.0);
  double hi = std::max(double(range.max), 0.0);
  if (scheme == Scheme::Symmetric) {
    double amax = std::max(-lo, hi);
    params.scale = amax == 0.0 ? 1.0f : clampScale(amax / params.range.max);
    params.zeroPoint = 0;
    return params;
  }
  if (hi == lo) {
    params.scale = 1.0f;
    params.zeroPoint = int32_t(params.range.min);
    return params;
  }
  params.scale =
      clampScale((hi - lo) / double(params.range.max - params.range.min));
  double zp = double(params.range.min) - roundHalfToEven(lo / params.scale);
  params.zeroPoint = int32_t(
      std::clamp(zp, double(params.range.min), double(params.range.max)));
  return params;
}

QuantParams quant::rescaleForBits(const QuantParams &params, Scheme scheme,
                                  unsigned newBits) {
  QuantParams result;
  result.range = getIntRange(scheme, newBits);
  double oldSpan = double(params.range.max - params.range.min);
  double newSpan = double(result.range.max - result.range.min);
  result.scale = clampScale(double(params.scale) * oldSpan / newSpan);
  if (scheme == Scheme::Symmetric) {
    result.zeroPoint = 0;
    return result;
  }
  // The zero point keeps its relative place in the range.
  double zp = double(result.range.min) +
              roundHalfToEven(double(params.zeroPoint - params.range.min) *
                              newSpan / oldSpan);
  result.zeroPoint = int32_t(
      std::clamp(zp, double(result.range.min), double(result.range.max)));
  return result;
}

/// Calls fn(channel, pointer, count) for every contiguous run of one
/// channel's values.
template <typename Data, typename Fn>
static void forEachChannelRun(Data *data, const ChannelLayout &layout, Fn fn) {
  for (int64_t g = 0; g < layout.groups; ++g)
    for (int64_t o = 0; o < layout.outer; ++o)
      for (int64_t c = 0; c < layout.channels; ++c) {
        int64_t offset =
            ((g * layout.outer + o) * layout.channels + c) * layout.inner;
        fn(g * layout.channels + c, data + offset, layout.inner);
      }
}

std::vector<Range> quant::getChannelRanges(const float *weights,
                                           const ChannelLayout &layout) {
  std::vector<Range> ranges(layout.getNumChannels());
  std::vector<bool> seen(ranges.size(), false);
  forEachChannelRun(weights, layout,
                    [&](int64_t channel, const float *run, int64_t count) {
                      Range &range = ranges[channel];
                      for (int64_t i = 0; i < count; ++i) {
                        float v = run[i];
                        if (!seen[channel]) {
                          range = {v, v};
                          seen[channel] = true;
                          continue;
                        }
                        // Written so that a NaN reaches the range.
                        if (!(v >= range.min))
                          range.min = v;
                        if (!(v <= range.max))
                          range.max = v;
                      }
                    });
  return ranges;
}

std::vector<QuantParams>
quant::computeWeightParams(const float *weights, const ChannelLayout &layout,
                           Scheme scheme, unsigned bits, bool perChannel) {
  std::vector<Range> ranges = getChannelRanges(weights, layout);
  if (!perChannel) {
    Range all = ranges.empty() ? Range() : ranges.front();
    for (const Range &range : ranges) {
      all.min = std::min(all.min, range.min);
      all.max = std::max(all.max, range.max);
    }
    return {paramsFromRange(all, scheme, bits)};
  }
  std::vector<QuantParams> params;
  params.reserve(ranges.size());
  for (const Range &range : ranges)
    params.push_back(paramsFromRange(range, scheme, bits));
  return params;
}

void quant::fakeQuantizeWeights(float *weights, const ChannelLayout &layout,
                                const std::vector<QuantParams> &params) {
  assert((params.size() == 1 ||
          int64_t(params.size()) == layout.getNumChannels()) &&
         "one parameter set per channel or one for all");
  forEachChannelRun(weights, layout,
                    [&](int64_t channel, float *run, int64_t count) {
                      const QuantParams &p =
                          params.size() == 1 ? params.front() : params[channel];
                      fakeQuantize(run, size_t(count), p);
                    });
}
