//===- SearchAgent.h - The DDPG agent of the bit-width search ---*- C++ -*-===//
//
// Library CIMTune, `cim-tune search` (docs/search.md): actor and critic,
// their targets, Adam, the replay buffer, and the agent's state as bytes.
// The header shows no LibTorch types: SearchAgent.cpp is the only unit of
// the search that includes torch.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TUNE_SEARCHAGENT_H
#define CIM_TUNE_SEARCHAGENT_H

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace tune {

struct DdpgOptions {
  int64_t hidden = 300;
  double actorLr = 1e-4, criticLr = 1e-3;
  double tau = 0.01;
  double discount = 1.0;
  int64_t batchSize = 64;
  int64_t replayCapacity = 4096;
  /// The moving average of episode rewards subtracted from rewards.
  double rewardMomentum = 0.5;
};

/// One step of an episode.
struct Transition {
  std::vector<float> state, action, nextState;
  float reward = 0;
  bool done = false;
};

/// A ring buffer of transitions with seeded uniform sampling.
class ReplayBuffer {
public:
  explicit ReplayBuffer(size_t capacity) : capacity(capacity) {}
  void push(Transition t);
  size_t size() const { return items.size(); }
  size_t getNext() const { return next; }
  const Transition &operator[](size_t i) const { return items[i]; }
  /// `count` indices drawn uniformly with replacement.
  std::vector<size_t> sample(size_t count, std::mt19937_64 &rng) const;
  /// Restores a saved buffer.
  void assign(std::vector<Transition> items, size_t next);
  size_t getCapacity() const { return capacity; }

private:
  size_t capacity;
  size_t next = 0;
  std::vector<Transition> items;
};

/// Actor and critic (two hidden layers each), their target copies with soft
/// updates, Adam, the replay buffer. Initial weights come from the seed
/// (not from torch's global generator).
class DdpgAgent {
public:
  DdpgAgent(int64_t stateDim, int64_t actionDim, const DdpgOptions &options,
            uint64_t seed);
  ~DdpgAgent();
  /// The actor's action for `state` (in [0, 1]).
  std::vector<float> act(const std::vector<float> &state);
  ReplayBuffer &getBuffer();
  /// One critic and one actor step on a sampled batch, then the soft
  /// update. No-op while the buffer holds fewer than one batch.
  void update(std::mt19937_64 &rng);
  /// Records an episode's reward in the moving average (after the episode's
  /// updates).
  void observeReward(double reward);
  double getRewardBaseline() const;
  /// Everything (networks, targets, optimizer states, buffer, baseline) as
  /// bytes, and back.
  std::string save() const;
  bool load(const std::string &bytes, std::string &error);

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_TUNE_SEARCHAGENT_H
