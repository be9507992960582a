//===- SearchCheckpoint.cpp - The search's checkpoint file ----------------===//
//
// The format, line by line: the magic, the fingerprint, "episodes N",
// "rng STATE", the accuracy, final, divergence and (when not empty)
// final-validation caches ("NAME COUNT" then "KEY HEXDOUBLE" lines), the
// latency cache ("KEY CYCLES"), the DDPG history (one key a line), and
// "agent SIZE" followed by the agent's bytes.
//
//===----------------------------------------------------------------------===//

#include "SearchCheckpoint.h"

#include "cim/Support/OutputFiles.h"
#include "cim/Tune/SearchSpace.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace mlir::cim;
using namespace mlir::cim::tune;

static const char *const kMagic = "cim-tune-search-checkpoint 2";

std::string tune::formatHexDouble(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}

bool tune::writeSearchCheckpoint(
    const std::string &path, const std::string &fingerprint,
    const SearchState &state, const std::map<std::string, uint64_t> &latencies,
    const std::string &agent, std::string &error) {
  std::ostringstream os;
  os << kMagic << "\n" << fingerprint << "\n";
  os << "episodes " << state.episodesDone << "\n";
  os << "rng " << state.rng << "\n";
  auto writeCache = [&](const char *name,
                        const std::map<std::string, double> &cache) {
    os << name << " " << cache.size() << "\n";
    for (auto &[key, value] : cache)
      os << key << " " << formatHexDouble(value) << "\n";
  };
  writeCache("accuracy", state.accuracyCache);
  writeCache("final", state.finalCache);
  writeCache("divergence", state.divergenceCache);
  if (!state.finalValidationCache.empty()) // optional: read when present
    writeCache("final-validation", state.finalValidationCache);
  os << "latency " << latencies.size() << "\n";
  for (auto &[key, value] : latencies)
    os << key << " " << value << "\n";
  os << "history " << state.ddpgHistory.size() << "\n";
  for (const std::string &key : state.ddpgHistory)
    os << key << "\n";
  os << "agent " << agent.size() << "\n";
  os.write(agent.data(), std::streamsize(agent.size()));
  if (!writeFileAtomically(path, os.str(), error)) {
    error = path + ": error: " + error;
    return false;
  }
  return true;
}

bool tune::readSearchCheckpoint(const std::string &path,
                                const std::string &fingerprint,
                                SearchState &state,
                                std::map<std::string, uint64_t> &latencies,
                                std::string &agent, std::string &error) {
  std::ifstream is(path, std::ios::binary);
  std::string line;
  auto bad = [&](const std::string &what) {
    error = path + ": error: " + what;
    return false;
  };
  if (!std::getline(is, line) || line != kMagic)
    return bad("not a search checkpoint");
  if (!std::getline(is, line) || line != fingerprint)
    return bad("the checkpoint was written by a search with other options "
               "(model, data, hardware, seed, episodes or search options); "
               "remove it or repeat those options");
  std::string word;
  size_t count = 0;
  auto header = [&](const char *name) {
    return bool(is >> word >> count) && word == name;
  };
  if (!(is >> word >> state.episodesDone) || word != "episodes")
    return bad("truncated checkpoint");
  if (!(is >> word >> state.rng) || word != "rng")
    return bad("truncated checkpoint");
  auto readCache = [&](std::map<std::string, double> &cache) {
    for (size_t i = 0; i < count; ++i) {
      std::string key, value;
      if (!(is >> key >> value))
        return false;
      cache[key] = std::strtod(value.c_str(), nullptr);
    }
    return true;
  };
  if (!header("accuracy") || !readCache(state.accuracyCache) ||
      !header("final") || !readCache(state.finalCache) ||
      !header("divergence") || !readCache(state.divergenceCache) ||
      !(is >> word >> count))
    return bad("truncated checkpoint");
  if (word == "final-validation" &&
      (!readCache(state.finalValidationCache) || !(is >> word >> count)))
    return bad("truncated checkpoint");
  if (word != "latency")
    return bad("truncated checkpoint");
  for (size_t i = 0; i < count; ++i) {
    std::string key;
    uint64_t value;
    if (!(is >> key >> value))
      return bad("truncated checkpoint");
    latencies[key] = value;
  }
  if (!header("history"))
    return bad("truncated checkpoint");
  for (size_t i = 0; i < count; ++i) {
    std::string key;
    if (!(is >> key) || !BitPolicy::fromKey(key))
      return bad("truncated checkpoint");
    state.ddpgHistory.push_back(key);
  }
  if (!header("agent") || is.get() != '\n')
    return bad("truncated checkpoint");
  agent.assign(count, '\0');
  if (!is.read(agent.data(), std::streamsize(count)))
    return bad("truncated checkpoint");
  return true;
}
