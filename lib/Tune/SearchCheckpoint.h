//===- SearchCheckpoint.h - The search's state between rounds ---*- C++ -*-===//
//
// Private to CIMTune. What the search keeps between its rounds, and the
// checkpoint file that holds it (docs/search.md, "Determinism and resume"):
// text lines (caches with doubles in hex) followed by the agent's bytes.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_TUNE_SEARCHCHECKPOINT_H
#define CIM_LIB_TUNE_SEARCHCHECKPOINT_H

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace tune {

/// The search's state besides the agent and the latency cache: what a
/// resumed search continues from. Caches are keyed by BitPolicy::key (final
/// QATs of seed r > 0 by key#r).
struct SearchState {
  int64_t episodesDone = 0;
  std::mt19937_64 rng;
  /// Validation accuracy after the short fine-tune.
  std::map<std::string, double> accuracyCache;
  /// Test accuracy after the final QAT, and the validation accuracy after
  /// it (empty unless candidates were compared).
  std::map<std::string, double> finalCache, finalValidationCache;
  /// The divergence of sensitivity probes.
  std::map<std::string, double> divergenceCache;
  /// The DDPG episodes' policies, in order.
  std::vector<std::string> ddpgHistory;
};

/// Writes the checkpoint whole (cim::writeFileAtomically): `fingerprint`
/// (the options' one line), the state, the latency cache and the agent's
/// bytes. `error` names the file.
bool writeSearchCheckpoint(const std::string &path,
                           const std::string &fingerprint,
                           const SearchState &state,
                           const std::map<std::string, uint64_t> &latencies,
                           const std::string &agent, std::string &error);

/// Reads a checkpoint written with the same `fingerprint`; refuses another
/// file or another fingerprint with a one-line `error` naming the file.
bool readSearchCheckpoint(const std::string &path,
                          const std::string &fingerprint, SearchState &state,
                          std::map<std::string, uint64_t> &latencies,
                          std::string &agent, std::string &error);

/// `v` in C's "%a" (exact, locale-independent): the checkpoint's doubles
/// and the fingerprint's.
std::string formatHexDouble(double v);

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_LIB_TUNE_SEARCHCHECKPOINT_H
