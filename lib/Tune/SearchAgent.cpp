//===- SearchAgent.cpp - The DDPG agent of the bit-width search -----------===//
//
// The only translation unit of the search that includes LibTorch: actor and
// critic MLPs, their targets, Adam, the update step, the replay buffer, and
// the agent's state as bytes (a torch archive) for the search checkpoint.
//
//===----------------------------------------------------------------------===//

#include "cim/Tune/SearchAgent.h"

#include "cim/Tune/SearchSpace.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>

using namespace mlir::cim;
using namespace mlir::cim::tune;

namespace {

/// Two hidden layers with ReLU; a sigmoid on the actor's output.
struct MlpImpl : torch::nn::Module {
  torch::nn::Linear l1{nullptr}, l2{nullptr}, l3{nullptr};
  bool sigmoid;
  MlpImpl(int64_t in, int64_t hidden, int64_t out, bool sigmoid)
      : sigmoid(sigmoid) {
    l1 = register_module("l1", torch::nn::Linear(in, hidden));
    l2 = register_module("l2", torch::nn::Linear(hidden, hidden));
    l3 = register_module("l3", torch::nn::Linear(hidden, out));
  }
  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(l1->forward(x));
    x = torch::relu(l2->forward(x));
    x = l3->forward(x);
    return sigmoid ? torch::sigmoid(x) : x;
  }
};
TORCH_MODULE(Mlp);

/// Uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) from the seeded generator; the
/// last layer in +-3e-3 (DDPG's initialization), so the first actions sit
/// near 0.5.
void initialize(Mlp &net, std::mt19937_64 &rng) {
  torch::NoGradGuard guard;
  std::vector<torch::nn::Linear> layers = {net->l1, net->l2, net->l3};
  for (size_t k = 0; k < layers.size(); ++k) {
    torch::nn::Linear &l = layers[k];
    double bound = k + 1 == layers.size()
                       ? 3e-3
                       : 1.0 / std::sqrt(double(l->weight.size(1)));
    for (torch::Tensor t : {l->weight, l->bias}) {
      torch::Tensor flat = t.view({-1});
      float *data = flat.data_ptr<float>();
      for (int64_t i = 0; i < flat.numel(); ++i)
        data[i] = float((2 * sampleUniform(rng) - 1) * bound);
    }
  }
}

void copyParameters(torch::nn::Module &to, const torch::nn::Module &from,
                    double tau) {
  torch::NoGradGuard guard;
  auto target = to.parameters();
  auto source = from.parameters();
  for (size_t i = 0; i < target.size(); ++i)
    target[i].mul_(1 - tau).add_(source[i], tau);
}

torch::Tensor toTensor(const std::vector<float> &v) {
  return torch::tensor(v, torch::kFloat32);
}

} // namespace

struct DdpgAgent::Impl {
  DdpgOptions options;
  int64_t stateDim, actionDim;
  Mlp actor{nullptr}, critic{nullptr}, actorTarget{nullptr},
      criticTarget{nullptr};
  std::unique_ptr<torch::optim::Adam> actorOpt, criticOpt;
  ReplayBuffer buffer;
  double baseline = 0;
  bool haveBaseline = false;

  Impl(int64_t s, int64_t a, const DdpgOptions &o, uint64_t seed)
      : options(o), stateDim(s), actionDim(a),
        buffer(size_t(o.replayCapacity)) {
    std::mt19937_64 rng(seed);
    actor = Mlp(s, o.hidden, a, true);
    critic = Mlp(s + a, o.hidden, 1, false);
    actorTarget = Mlp(s, o.hidden, a, true);
    criticTarget = Mlp(s + a, o.hidden, 1, false);
    initialize(actor, rng);
    initialize(critic, rng);
    copyParameters(*actorTarget, *actor, 1.0);
    copyParameters(*criticTarget, *critic, 1.0);
    actorOpt = std::make_unique<torch::optim::Adam>(
        actor->parameters(), torch::optim::AdamOptions(o.actorLr));
    criticOpt = std::make_unique<torch::optim::Adam>(
        critic->parameters(), torch::optim::AdamOptions(o.criticLr));
  }
};

DdpgAgent::DdpgAgent(int64_t stateDim, int64_t actionDim,
                     const DdpgOptions &options, uint64_t seed)
    : impl(std::make_unique<Impl>(stateDim, actionDim, options, seed)) {}
DdpgAgent::~DdpgAgent() = default;

std::vector<float> DdpgAgent::act(const std::vector<float> &state) {
  torch::NoGradGuard guard;
  torch::Tensor out = impl->actor->forward(toTensor(state).unsqueeze(0));
  out = out.contiguous();
  return std::vector<float>(out.data_ptr<float>(),
                            out.data_ptr<float>() + out.numel());
}

ReplayBuffer &DdpgAgent::getBuffer() { return impl->buffer; }

void DdpgAgent::update(std::mt19937_64 &rng) {
  Impl &m = *impl;
  int64_t batch = m.options.batchSize;
  if (int64_t(m.buffer.size()) < batch)
    return;
  std::vector<size_t> picks = m.buffer.sample(size_t(batch), rng);
  std::vector<float> s, a, r, s2, done;
  for (size_t i : picks) {
    const Transition &t = m.buffer[i];
    s.insert(s.end(), t.state.begin(), t.state.end());
    a.insert(a.end(), t.action.begin(), t.action.end());
    s2.insert(s2.end(), t.nextState.begin(), t.nextState.end());
    // HAQ: rewards relative to the moving average of episode rewards.
    r.push_back(float(t.reward - m.baseline));
    done.push_back(t.done ? 1.0f : 0.0f);
  }
  torch::Tensor S = toTensor(s).view({batch, m.stateDim});
  torch::Tensor A = toTensor(a).view({batch, m.actionDim});
  torch::Tensor S2 = toTensor(s2).view({batch, m.stateDim});
  torch::Tensor R = toTensor(r).view({batch, 1});
  torch::Tensor D = toTensor(done).view({batch, 1});

  torch::Tensor target;
  {
    torch::NoGradGuard guard;
    torch::Tensor next = m.criticTarget->forward(
        torch::cat({S2, m.actorTarget->forward(S2)}, 1));
    target = R + m.options.discount * (1 - D) * next;
  }
  m.criticOpt->zero_grad();
  torch::Tensor q = m.critic->forward(torch::cat({S, A}, 1));
  torch::Tensor criticLoss = torch::mse_loss(q, target);
  criticLoss.backward();
  m.criticOpt->step();

  m.actorOpt->zero_grad();
  torch::Tensor actorLoss =
      -m.critic->forward(torch::cat({S, m.actor->forward(S)}, 1)).mean();
  actorLoss.backward();
  m.actorOpt->step();
  // The actor step also left gradients in the critic; the next critic step
  // clears them first.

  copyParameters(*m.actorTarget, *m.actor, m.options.tau);
  copyParameters(*m.criticTarget, *m.critic, m.options.tau);
}

void DdpgAgent::observeReward(double reward) {
  Impl &m = *impl;
  if (!m.haveBaseline) {
    m.baseline = reward;
    m.haveBaseline = true;
    return;
  }
  m.baseline = m.options.rewardMomentum * m.baseline +
               (1 - m.options.rewardMomentum) * reward;
}

double DdpgAgent::getRewardBaseline() const { return impl->baseline; }

std::string DdpgAgent::save() const {
  const Impl &m = *impl;
  torch::serialize::OutputArchive archive;
  auto saveModule = [&](const char *name, const Mlp &net) {
    torch::serialize::OutputArchive sub;
    net->save(sub);
    archive.write(name, sub);
  };
  saveModule("actor", m.actor);
  saveModule("critic", m.critic);
  saveModule("actor_target", m.actorTarget);
  saveModule("critic_target", m.criticTarget);
  torch::serialize::OutputArchive actorOpt, criticOpt;
  m.actorOpt->save(actorOpt);
  m.criticOpt->save(criticOpt);
  archive.write("actor_opt", actorOpt);
  archive.write("critic_opt", criticOpt);
  archive.write(
      "baseline",
      torch::tensor(std::vector<double>{m.baseline, m.haveBaseline ? 1.0 : 0.0},
                    torch::kFloat64));
  // The buffer: states, actions, next states, rewards and done flags as
  // flat tensors, and the ring position.
  std::vector<float> s, a, s2, r, d;
  for (size_t i = 0; i < m.buffer.size(); ++i) {
    const Transition &t = m.buffer[i];
    s.insert(s.end(), t.state.begin(), t.state.end());
    a.insert(a.end(), t.action.begin(), t.action.end());
    s2.insert(s2.end(), t.nextState.begin(), t.nextState.end());
    r.push_back(t.reward);
    d.push_back(t.done ? 1.0f : 0.0f);
  }
  archive.write("buffer_s", toTensor(s));
  archive.write("buffer_a", toTensor(a));
  archive.write("buffer_s2", toTensor(s2));
  archive.write("buffer_r", toTensor(r));
  archive.write("buffer_d", toTensor(d));
  archive.write("buffer_next",
                torch::tensor(std::vector<int64_t>{int64_t(m.buffer.getNext()),
                                                   int64_t(m.buffer.size())},
                              torch::kInt64));
  std::ostringstream os;
  archive.save_to(os);
  return os.str();
}

bool DdpgAgent::load(const std::string &bytes, std::string &error) {
  Impl &m = *impl;
  try {
    std::istringstream is(bytes);
    torch::serialize::InputArchive archive;
    archive.load_from(is);
    auto loadModule = [&](const char *name, Mlp &net) {
      torch::serialize::InputArchive sub;
      archive.read(name, sub);
      net->load(sub);
    };
    loadModule("actor", m.actor);
    loadModule("critic", m.critic);
    loadModule("actor_target", m.actorTarget);
    loadModule("critic_target", m.criticTarget);
    torch::serialize::InputArchive actorOpt, criticOpt;
    archive.read("actor_opt", actorOpt);
    archive.read("critic_opt", criticOpt);
    m.actorOpt->load(actorOpt);
    m.criticOpt->load(criticOpt);
    torch::Tensor baseline, s, a, s2, r, d, next;
    archive.read("baseline", baseline);
    m.baseline = baseline[0].item<double>();
    m.haveBaseline = baseline[1].item<double>() != 0;
    archive.read("buffer_s", s);
    archive.read("buffer_a", a);
    archive.read("buffer_s2", s2);
    archive.read("buffer_r", r);
    archive.read("buffer_d", d);
    archive.read("buffer_next", next);
    int64_t count = next[1].item<int64_t>();
    std::vector<Transition> items;
    items.resize(size_t(count));
    auto slice = [](const torch::Tensor &t, int64_t i, int64_t width) {
      const float *p = t.data_ptr<float>() + i * width;
      return std::vector<float>(p, p + width);
    };
    for (int64_t i = 0; i < count; ++i) {
      Transition &t = items[size_t(i)];
      t.state = slice(s, i, m.stateDim);
      t.action = slice(a, i, m.actionDim);
      t.nextState = slice(s2, i, m.stateDim);
      t.reward = r[i].item<float>();
      t.done = d[i].item<float>() != 0;
    }
    m.buffer.assign(std::move(items), size_t(next[0].item<int64_t>()));
  } catch (const std::exception &e) {
    std::string what = e.what();
    error =
        "the agent's state is unreadable: " + what.substr(0, what.find('\n'));
    return false;
  }
  return true;
}

void ReplayBuffer::push(Transition t) {
  if (items.size() < capacity) {
    items.push_back(std::move(t));
    next = items.size() % capacity;
    return;
  }
  items[next] = std::move(t);
  next = (next + 1) % capacity;
}

std::vector<size_t> ReplayBuffer::sample(size_t count,
                                         std::mt19937_64 &rng) const {
  std::vector<size_t> picks;
  for (size_t i = 0; i < count; ++i)
    picks.push_back(size_t(rng() % items.size()));
  return picks;
}

void ReplayBuffer::assign(std::vector<Transition> restored, size_t position) {
  items = std::move(restored);
  next = position;
}
