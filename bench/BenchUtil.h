//===- BenchUtil.h - Timing helpers of the benchmarks -----------*- C++ -*-===//

#ifndef CIM_BENCH_BENCHUTIL_H
#define CIM_BENCH_BENCHUTIL_H

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <vector>

namespace cim_bench {

/// Seconds taken by `fn()`, by the steady clock.
template <typename Fn> double timeSeconds(Fn &&fn) {
  auto start = std::chrono::steady_clock::now();
  fn();
  std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start;
  return elapsed.count();
}

/// Median of the samples (the mean of the middle two for an even count).
inline double median(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  size_t n = samples.size();
  return n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

/// "median 12.3 ms  [min 11.9, max 13.0]".
inline void printStats(llvm::raw_ostream &os, llvm::StringRef label,
                       const std::vector<double> &samples) {
  auto [lo, hi] = std::minmax_element(samples.begin(), samples.end());
  os << llvm::format("%-34s median %8.1f ms  [min %.1f, max %.1f]\n",
                     label.str().c_str(), median(samples) * 1e3, *lo * 1e3,
                     *hi * 1e3);
}

} // namespace cim_bench

#endif // CIM_BENCH_BENCHUTIL_H
