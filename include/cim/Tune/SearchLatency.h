//===- SearchLatency.h - The compiler's latency of a policy -----*- C++ -*-===//
//
// Library CIMTune, `cim-tune search` (docs/search.md): the latency of a
// bit-width policy is the schedule's cim.latency_cycles of the program cimc
// compiles with it. The header shows no MLIR types: SearchLatency.cpp is
// the only unit of the search that includes MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TUNE_SEARCHLATENCY_H
#define CIM_TUNE_SEARCHLATENCY_H

#include "cim/Analysis/CostModel.h"
#include "cim/Tune/SearchSpace.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace tune {

/// Imports a model once and compiles clones of it with a policy up to the
/// schedule (cim.latency_cycles). Latencies are cached per policy. Safe to
/// call from several threads (getLatency's compilations are serialized;
/// prefetch runs its own in parallel, each in its own context).
class LatencyModel {
public:
  ~LatencyModel();
  /// Fails with the compiler's diagnostics as lines in `error`. Policies
  /// are compiled with `placement` (cimc --placement).
  static std::unique_ptr<LatencyModel>
  create(const std::string &modelPath, const std::string &hardware,
         std::string &error, Placement placement = Placement::Packed);

  const std::vector<SearchLayer> &getLayers() const;
  /// The hardware's name, cell bits, and whether weights stay in place.
  const std::string &getHardwareName() const;
  Placement getPlacement() const;
  /// What the latencies depend on besides the model and the placement:
  /// the cost model's version and a hash of the hardware description as
  /// printed (a checkpoint's latency cache is only valid under the same).
  std::string getCostFingerprint() const;
  unsigned getCellBits() const;
  /// Crossbars one copy of every layer needs with `wbits`, and whether the
  /// chip takes them (always under rewriting).
  int64_t crossbarsNeeded(const std::vector<unsigned> &wbits) const;
  /// Crossbars of one copy of layer `i` with `wbits`-bit weights.
  int64_t layerCrossbars(size_t i, unsigned wbits) const;
  bool fits(const std::vector<unsigned> &wbits) const;
  int64_t getChipCrossbars() const;

  /// Latency in cycles of the scheduled program; fails (error set) when the
  /// compiler rejects the policy.
  std::optional<uint64_t> getLatency(const BitPolicy &policy,
                                     std::string &error);
  /// Compiles the policies not cached yet on up to `threads` threads and
  /// caches their latencies (the same numbers getLatency computes); a
  /// policy the compiler rejects is left for getLatency to report.
  void prefetch(const std::vector<BitPolicy> &policies, int threads);
  /// The cache (for checkpoints).
  std::map<std::string, uint64_t> getCache() const;
  void setCache(const std::map<std::string, uint64_t> &cache);

private:
  LatencyModel();
  struct Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_TUNE_SEARCHLATENCY_H
