//===- Scheduler.cpp - List scheduling of output sets ---------------------===//
//
// Tasks are (node, output set) pairs. A task is ready when the producer
// sets it needs have finished; ready tasks are issued in order of their
// ready time (then node, then set), each on the copy of its layer that can
// start it first, and turned into instructions whose start times come from
// the same resource-reservation rule as prog::simulateTiming. Layer-by-layer
// scheduling adds a barrier after every node that the next node waits for.
//
//===----------------------------------------------------------------------===//

#include "cim/Schedule/Schedule.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"

#include <algorithm>
#include <map>
#include <queue>
#include <tuple>

using namespace mlir;
using namespace mlir::cim;

namespace {
/// Most sets one node is split into by rows.
constexpr int64_t kMaxRowSets = 1024;
/// Most invocations in one set of a crossbar layer: a set's latency is what
/// its consumers wait for, so short sets keep the cross-layer pipeline
/// full; they also spread a layer evenly over its copies.
constexpr int64_t kMaxSetInvocations = 4;
/// Most sets of one node.
constexpr int64_t kMaxSets = 16384;

struct Task {
  uint32_t node = 0, set = 0;
  int64_t begin = 0, end = 0;
  std::vector<uint32_t> deps; // task ids
  std::vector<uint32_t> users;
  uint32_t remaining = 0;
  uint64_t ready = 0;
  /// The instruction whose end makes the output available, and the PE
  /// holding the output.
  uint32_t last = 0;
  int64_t pe = 0;
  bool barrier = false;
};

/// Per-invocation figures of a crossbar layer.
struct LayerTiming {
  LayerFootprint fp;
  InvocationStages stages;
  int64_t mvmSteps = 0, adcConversions = 0, digitalOps = 0, bufferBytes = 0,
          interconnectBytes = 0;
};

class Scheduler {
public:
  Scheduler(const ScheduleGraph &graph, const hw::HardwareDescription &hw,
            ExecutionMode mode, ScheduleKind schedule)
      : g(graph), hw(hw), mode(mode), schedule(schedule) {}

  prog::Program run();

private:
  uint32_t getUnit(prog::UnitKind kind, int64_t pe, uint32_t node = 0,
                   uint32_t copy = 0);
  /// When the unit has worked off what was issued to it (0 when nothing
  /// was: looking does not add the unit to the program).
  uint64_t getUnitFree(prog::UnitKind kind, int64_t pe) const;
  uint32_t emit(prog::Instruction in);
  void buildTasks();
  void addDependencies(uint32_t taskId);
  void issue(uint32_t taskId);
  /// The copy of a stationary layer that can start `task` first, and when.
  std::pair<uint32_t, uint64_t> earliestCopy(const Task &task);
  void issueCrossbar(Task &task);
  void issueRewrite(Task &task);
  void issueDigital(Task &task);
  /// The instructions whose ends make `tasks`' outputs available, sorted
  /// and unique.
  llvm::SmallVector<uint32_t, 4>
  lastOf(const std::vector<uint32_t> &tasks) const;
  /// Adds to `task` a dependency on every set of `producer` that overlaps
  /// its work units [lo, hi).
  void dependOnSets(Task &task, int32_t producer, int64_t lo, int64_t hi);

  const ScheduleGraph &g;
  const hw::HardwareDescription &hw;
  ExecutionMode mode;
  ScheduleKind schedule;
  prog::Program p;

  std::vector<LayerTiming> layerTiming;
  /// Set boundaries per node (sets + 1 entries).
  std::vector<std::vector<int64_t>> bounds;
  std::vector<uint32_t> taskBase;
  std::vector<Task> tasks;
  std::vector<uint32_t> barrierOf; // per node, in layer-by-layer mode
  /// Unit ids in first-use order (a hash map: looked up for every copy of
  /// every task, it was 68 % of a ResNet-20 schedule as a std::map).
  llvm::DenseMap<std::tuple<uint8_t, int64_t, uint32_t, uint32_t>, uint32_t>
      units;
  /// Per node, its copies' crossbar unit ids (filled by earliestCopy).
  llvm::DenseMap<uint32_t, std::vector<uint32_t>> copyUnits;
  /// Crossbar groups' free times, for choosing a copy.
  std::vector<uint64_t> unitFree;
  prog::TimingState timing;
  std::vector<uint64_t> instrStart, instrEnd;
};
} // namespace

uint32_t Scheduler::getUnit(prog::UnitKind kind, int64_t pe, uint32_t node,
                            uint32_t copy) {
  auto [it, inserted] = units.try_emplace(
      std::make_tuple(uint8_t(kind), pe, node, copy), uint32_t(p.units.size()));
  if (inserted) {
    p.units.push_back({kind, uint32_t(pe), node, copy});
    unitFree.push_back(0);
  }
  return it->second;
}

uint64_t Scheduler::getUnitFree(prog::UnitKind kind, int64_t pe) const {
  auto it = units.find(std::make_tuple(uint8_t(kind), pe, 0u, 0u));
  return it == units.end() ? 0 : timing.getUnitFree(it->second);
}

uint32_t Scheduler::emit(prog::Instruction in) {
  // Drop reservations that hold nothing: they would only serialize.
  llvm::erase_if(in.reservations,
                 [](const prog::Reservation &r) { return r.busyPs == 0; });
  uint64_t ready = 0;
  for (uint32_t d : in.deps)
    ready = std::max(ready, instrEnd[d]);
  uint32_t id = p.instructions.size();
  auto [start, end] = timing.issue(in, ready, p.units);
  instrStart.push_back(start);
  instrEnd.push_back(end);
  p.instructions.push_back(std::move(in));
  return id;
}

void Scheduler::buildTasks() {
  size_t n = g.nodes.size();
  bounds.resize(n);
  taskBase.resize(n);
  barrierOf.assign(n, UINT32_MAX);
  for (size_t i = 0; i < n; ++i) {
    const ScheduleNode &node = g.nodes[i];
    int64_t total = node.getSize();
    int64_t sets = std::min(node.rows, kMaxRowSets);
    if (node.layer >= 0) {
      if (mode == ExecutionMode::Rewrite)
        sets = 1;
      else
        sets = std::min(
            kMaxSets, std::max({sets, ceilDiv(total, kMaxSetInvocations),
                                int64_t(g.layers[node.layer].copyPes.size())}));
    }
    sets = std::max<int64_t>(1, std::min(sets, total));
    std::vector<int64_t> &b = bounds[i];
    // A row-wise digital op keeps the sets of its first input (scaled to
    // its elements), so that each set runs where its input set was made,
    // right after it.
    const ScheduleInput *first =
        node.layer < 0 && !node.inputs.empty() ? &node.inputs.front() : nullptr;
    if (first && first->node >= 0 && first->kind == DependenceKind::SameRow &&
        g.nodes[first->node].rows == node.rows &&
        node.rowSize % g.nodes[first->node].rowSize == 0 &&
        mode == ExecutionMode::Stationary) {
      int64_t ratio = node.rowSize / g.nodes[first->node].rowSize;
      for (int64_t bound : bounds[first->node])
        b.push_back(bound * ratio);
      sets = b.size() - 1;
    } else {
      for (int64_t s = 0; s <= sets; ++s)
        b.push_back(total ? s * total / sets : 0);
    }
    taskBase[i] = tasks.size();
    for (int64_t s = 0; s < sets; ++s) {
      Task t;
      t.node = i;
      t.set = s;
      t.begin = b[s];
      t.end = b[s + 1];
      tasks.push_back(std::move(t));
    }
    p.nodes.push_back({node.name, node.op, node.layer, sets, total});
    if (schedule == ScheduleKind::Layer || mode == ExecutionMode::Rewrite) {
      Task t;
      t.node = i;
      t.barrier = true;
      barrierOf[i] = tasks.size();
      tasks.push_back(std::move(t));
    }
  }
  for (uint32_t id = 0; id < tasks.size(); ++id)
    addDependencies(id);
  for (uint32_t id = 0; id < tasks.size(); ++id) {
    std::sort(tasks[id].deps.begin(), tasks[id].deps.end());
    tasks[id].deps.erase(
        std::unique(tasks[id].deps.begin(), tasks[id].deps.end()),
        tasks[id].deps.end());
    tasks[id].remaining = tasks[id].deps.size();
    for (uint32_t d : tasks[id].deps)
      tasks[d].users.push_back(id);
  }
}

void Scheduler::addDependencies(uint32_t id) {
  Task &task = tasks[id];
  const ScheduleNode &node = g.nodes[task.node];
  if (task.barrier) {
    uint32_t sets = bounds[task.node].size() - 1;
    for (uint32_t s = 0; s < sets; ++s)
      task.deps.push_back(taskBase[task.node] + s);
    return;
  }
  // Layer by layer: wait for the previous node's barrier.
  if (task.node > 0 && barrierOf[task.node - 1] != UINT32_MAX)
    task.deps.push_back(barrierOf[task.node - 1]);
  if (task.begin == task.end && node.getSize() > 0)
    return;
  int64_t rowLo = task.begin / node.rowSize;
  int64_t rowHi = std::max(task.begin, task.end - 1) / node.rowSize;
  int64_t height = std::max<int64_t>(1, node.rows / node.batch);
  for (const ScheduleInput &in : node.inputs) {
    if (in.node < 0)
      continue;
    const ScheduleNode &prod = g.nodes[in.node];
    int64_t lo = 0, hi = prod.rows - 1; // producer rows, inclusive
    bool full = in.kind == DependenceKind::Full;
    if (in.kind == DependenceKind::SameRow && prod.rows == node.rows &&
        prod.rowSize > 0 && node.rowSize > 0 &&
        (node.rowSize % prod.rowSize == 0 ||
         prod.rowSize % node.rowSize == 0)) {
      // Elements within a row are numbered pixel-major, so the same pixels
      // of two row-wise related ops are proportional ranges.
      int64_t eLo, eHi;
      if (node.rowSize % prod.rowSize == 0) {
        int64_t r = node.rowSize / prod.rowSize;
        eLo = task.begin / r;
        eHi = ceilDiv(task.end, r);
      } else {
        int64_t r = prod.rowSize / node.rowSize;
        eLo = task.begin * r;
        eHi = task.end * r;
      }
      dependOnSets(task, in.node, eLo, eHi);
      continue;
    }
    if (in.kind == DependenceKind::SameRow) {
      if (prod.rows == node.rows) {
        lo = rowLo;
        hi = rowHi;
      } else {
        full = true;
      }
    } else if (in.kind != DependenceKind::Full) {
      int64_t pHeight = prod.rows / std::max<int64_t>(1, prod.batch);
      if (prod.batch != node.batch || pHeight < 1) {
        full = true;
      } else {
        lo = INT64_MAX;
        hi = INT64_MIN;
        for (int64_t r = rowLo; r <= rowHi; ++r) {
          int64_t b = r / height, h = r % height, first, lastRow;
          if (in.kind == DependenceKind::Window) {
            first = h * in.stride - in.padBegin;
            lastRow = first + (in.kernel - 1) * in.dilation;
          } else { // Scaled
            first = h * pHeight / height - 1;
            lastRow = ((h + 1) * pHeight + height - 1) / height;
          }
          first = std::max<int64_t>(first, 0);
          lastRow = std::min(lastRow, pHeight - 1);
          if (first > lastRow)
            continue;
          lo = std::min(lo, b * pHeight + first);
          hi = std::max(hi, b * pHeight + lastRow);
        }
        if (lo > hi)
          continue; // the window lies in the padding
      }
    }
    if (full) {
      lo = 0;
      hi = prod.rows - 1;
    }
    dependOnSets(task, in.node, lo * prod.rowSize, (hi + 1) * prod.rowSize);
    if (prod.getSize() == 0)
      task.deps.push_back(taskBase[in.node]);
  }
}

void Scheduler::dependOnSets(Task &task, int32_t producer, int64_t lo,
                             int64_t hi) {
  const std::vector<int64_t> &pb = bounds[producer];
  size_t first = std::upper_bound(pb.begin(), pb.end(), lo) - pb.begin() - 1;
  size_t sets = pb.size() - 1;
  for (size_t s = std::min(first, sets - 1); s < sets && pb[s] < hi; ++s)
    task.deps.push_back(taskBase[producer] + s);
}

llvm::SmallVector<uint32_t, 4>
Scheduler::lastOf(const std::vector<uint32_t> &ids) const {
  llvm::SmallVector<uint32_t, 4> out;
  for (uint32_t d : ids)
    out.push_back(tasks[d].last);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::pair<uint32_t, uint64_t> Scheduler::earliestCopy(const Task &task) {
  const ScheduleLayer &layer = g.layers[g.nodes[task.node].layer];
  uint32_t best = 0;
  uint64_t bestStart = UINT64_MAX;
  // The copies' crossbar units, looked up once per node (created in the
  // same order as before: the program's unit ids do not change).
  std::vector<uint32_t> &ids = copyUnits[task.node];
  if (ids.empty())
    for (uint32_t c = 0; c < layer.copyPes.size(); ++c)
      ids.push_back(getUnit(prog::UnitKind::Crossbars, layer.copyPes[c][0],
                            task.node, c));
  for (uint32_t c = 0; c < ids.size(); ++c) {
    uint64_t start = std::max(task.ready, unitFree[ids[c]]);
    if (start < bestStart) {
      bestStart = start;
      best = c;
    }
  }
  return {best, bestStart};
}

void Scheduler::issueCrossbar(Task &task) {
  const ScheduleNode &node = g.nodes[task.node];
  const ScheduleLayer &layer = g.layers[node.layer];
  const LayerTiming &lt = layerTiming[node.layer];
  uint32_t best = earliestCopy(task).first;
  const std::vector<int64_t> &pes = layer.copyPes[best];
  int64_t n = task.end - task.begin;
  const InvocationStages &st = lt.stages;
  prog::Instruction in;
  in.opcode = prog::Opcode::Mvm;
  in.pe = pes[0];
  in.node = task.node;
  in.set = task.set;
  in.copy = best;
  in.begin = task.begin;
  in.end = task.end;
  in.latencyPs = n ? st.pipelined(n) : 0;
  uint32_t xbars = getUnit(prog::UnitKind::Crossbars, pes[0], task.node, best);
  in.reservations.push_back({xbars, uint64_t(n) * st.max()});
  for (int64_t pe : pes) {
    in.reservations.push_back(
        {getUnit(prog::UnitKind::Digital, pe), uint64_t(n) * st.digitalPs});
    in.reservations.push_back(
        {getUnit(prog::UnitKind::Link, pe), uint64_t(n) * st.interconnectPs});
    in.reservations.push_back(
        {getUnit(prog::UnitKind::Buffer, pe), uint64_t(n) * st.bufferPs});
  }
  in.deps = lastOf(task.deps);
  in.mvmSteps = n * lt.mvmSteps;
  in.adcConversions = n * lt.adcConversions;
  in.digitalOps = n * lt.digitalOps;
  in.bufferBytes = n * lt.bufferBytes;
  in.interconnectBytes = n * lt.interconnectBytes;
  task.last = emit(std::move(in));
  task.pe = pes[0];
  unitFree[xbars] = instrStart[task.last] + uint64_t(n) * st.max();
}

void Scheduler::issueRewrite(Task &task) {
  const ScheduleNode &node = g.nodes[task.node];
  const ScheduleLayer &layer = g.layers[node.layer];
  const LayerTiming &lt = layerTiming[node.layer];
  int64_t chip = hw.getNumCrossbars();
  int64_t perCopy = lt.fp.crossbarsPerCopy;
  int64_t rounds = ceilDiv(perCopy, chip);
  int64_t invocations = task.end - task.begin;
  uint32_t chipUnit = getUnit(prog::UnitKind::Crossbars, 0, 0, 0);
  llvm::SmallVector<uint32_t, 4> inputs = lastOf(task.deps);
  uint32_t previous = UINT32_MAX;
  for (int64_t r = 0; r < layer.shape.repeat; ++r) {
    for (int64_t k = 0; k < rounds; ++k) {
      int64_t active = k + 1 < rounds || perCopy % chip == 0
                           ? std::min(chip, perCopy)
                           : perCopy % chip;
      uint32_t round = r * rounds + k;
      prog::Instruction write;
      write.opcode = prog::Opcode::Write;
      write.node = task.node;
      write.copy = round;
      write.latencyPs = hw.crossbarWritePs;
      write.reservations.push_back({chipUnit, hw.crossbarWritePs});
      if (previous != UINT32_MAX)
        write.deps.push_back(previous);
      write.crossbarWrites = active;
      uint32_t w = emit(std::move(write));

      InvocationStages st =
          computeInvocationStages(layer.shape, lt.fp, hw, active);
      prog::Instruction mvm;
      mvm.opcode = prog::Opcode::Mvm;
      mvm.node = task.node;
      mvm.copy = round;
      mvm.begin = task.begin;
      mvm.end = task.end;
      mvm.latencyPs = invocations ? st.pipelined(invocations) : 0;
      mvm.reservations.push_back({chipUnit, mvm.latencyPs});
      mvm.deps = {w};
      for (uint32_t d : inputs)
        mvm.deps.push_back(d);
      std::sort(mvm.deps.begin(), mvm.deps.end());
      auto share = [&](int64_t perInvocation) {
        return ceilDiv(perInvocation * invocations * active, perCopy);
      };
      mvm.mvmSteps = invocations * lt.fp.inputSteps * active;
      mvm.adcConversions = share(lt.adcConversions);
      mvm.digitalOps = share(lt.digitalOps);
      mvm.bufferBytes = share(lt.bufferBytes);
      mvm.interconnectBytes = share(lt.interconnectBytes);
      previous = emit(std::move(mvm));
    }
  }
  task.last = previous;
  task.pe = 0;
}

void Scheduler::issueDigital(Task &task) {
  const ScheduleNode &node = g.nodes[task.node];
  // The op runs on one of the PEs that hold its inputs: the one where it
  // can finish first, counting the backlog of that PE's link (which
  // receives the inputs held elsewhere) and of its digital unit and buffer.
  // Ties go to the PE that holds the most input bytes, then the first
  // such: with idle units that is the PE to which the least data moves,
  // and with a busy one the work spreads over the producers' PEs instead
  // of piling onto the first (a layer's copies all sending to one link).
  // Input bytes per PE that holds some, in the order of the dependencies.
  llvm::MapVector<int64_t, int64_t> held;
  int64_t total = 0;
  for (uint32_t d : task.deps) {
    const Task &dep = tasks[d];
    if (dep.barrier)
      continue;
    const ScheduleNode &from = g.nodes[dep.node];
    int64_t bytes =
        (dep.end - dep.begin) * from.elementsPerUnit * from.bytesPerElement;
    held[dep.pe] += bytes;
    total += bytes;
  }
  int64_t pe = 0;
  uint64_t bestFinish = UINT64_MAX;
  int64_t bestHeld = -1;
  for (auto [candidate, local] : held) {
    uint64_t link = getUnitFree(prog::UnitKind::Link, candidate);
    uint64_t compute = std::max(getUnitFree(prog::UnitKind::Digital, candidate),
                                getUnitFree(prog::UnitKind::Buffer, candidate));
    uint64_t arrive =
        local == total
            ? 0
            : link + hw.interconnectBandwidth.transferPs(total - local);
    uint64_t finish = std::max(arrive, compute);
    if (finish < bestFinish || (finish == bestFinish && local > bestHeld)) {
      bestFinish = finish;
      bestHeld = local;
      pe = candidate;
    }
  }
  prog::Instruction vec;
  vec.opcode = prog::Opcode::Vec;
  vec.pe = pe;
  vec.node = task.node;
  vec.set = task.set;
  vec.begin = task.begin;
  vec.end = task.end;
  if (node.alias) {
    vec.deps = lastOf(task.deps);
    task.last = emit(std::move(vec));
    task.pe = pe;
    return;
  }
  // Inputs held by other PEs come over the interconnect, one send/receive
  // pair per PE, with the bytes `held` counted there.
  std::map<int64_t, std::vector<uint32_t>> remote;
  std::vector<uint32_t> local;
  for (uint32_t d : task.deps) {
    const Task &dep = tasks[d];
    if (dep.barrier || dep.pe == pe) {
      local.push_back(d);
      continue;
    }
    remote[dep.pe].push_back(d);
  }
  llvm::SmallVector<uint32_t, 4> deps = lastOf(local);
  for (auto &[from, fromDeps] : remote) {
    int64_t bytes = held.lookup(from);
    uint64_t ps = hw.interconnectBandwidth.transferPs(bytes);
    prog::Instruction send;
    send.opcode = prog::Opcode::Send;
    send.pe = from;
    send.peer = pe;
    send.node = task.node;
    send.set = task.set;
    send.begin = task.begin;
    send.end = task.begin;
    send.reservations.push_back({getUnit(prog::UnitKind::Link, from), ps});
    send.deps = lastOf(fromDeps);
    send.interconnectBytes = bytes;
    uint32_t s = emit(std::move(send));
    prog::Instruction recv;
    recv.opcode = prog::Opcode::Recv;
    recv.pe = pe;
    recv.peer = from;
    recv.node = task.node;
    recv.set = task.set;
    recv.begin = task.begin;
    recv.end = task.begin;
    recv.latencyPs = ps;
    recv.reservations.push_back({getUnit(prog::UnitKind::Link, pe), ps});
    recv.deps = {s};
    deps.push_back(emit(std::move(recv)));
  }
  std::sort(deps.begin(), deps.end());
  int64_t elements = task.end - task.begin;
  int64_t ops = int64_t(std::ceil(double(elements) * node.opsPerElement));
  uint64_t digital = uint64_t(ceilDiv(ops, hw.digitalLanes)) * hw.digitalOpPs;
  int64_t bytes = 2 * elements * node.bytesPerElement;
  uint64_t buffer = hw.bufferBandwidth.transferPs(bytes);
  vec.latencyPs = std::max(digital, buffer);
  vec.reservations.push_back({getUnit(prog::UnitKind::Digital, pe), digital});
  vec.reservations.push_back({getUnit(prog::UnitKind::Buffer, pe), buffer});
  vec.deps = std::move(deps);
  vec.digitalOps = ops;
  vec.bufferBytes = bytes;
  task.last = emit(std::move(vec));
  task.pe = pe;
}

void Scheduler::issue(uint32_t id) {
  Task &task = tasks[id];
  if (task.barrier) {
    prog::Instruction barrier;
    barrier.opcode = prog::Opcode::Barrier;
    barrier.node = task.node;
    barrier.deps = lastOf(task.deps);
    task.last = emit(std::move(barrier));
    return;
  }
  const ScheduleNode &node = g.nodes[task.node];
  if (node.layer < 0)
    issueDigital(task);
  else if (mode == ExecutionMode::Rewrite)
    issueRewrite(task);
  else
    issueCrossbar(task);
}

prog::Program Scheduler::run() {
  p.hardware = hw;
  p.hardwareYaml = hw::printHardwareDescription(hw);
  p.schedule = stringifyScheduleOption(schedule);
  for (const ScheduleLayer &layer : g.layers) {
    LayerTiming lt;
    lt.fp = computeFootprint(layer.shape, hw);
    lt.stages = computeInvocationStages(
        layer.shape, lt.fp, hw, lt.fp.crossbarsPerCopy, layer.spreadPes);
    LayerShape one = layer.shape;
    one.invocations = 1;
    one.repeat = 1;
    LayerCost cost = estimateLayerCost(one, hw, ExecutionMode::Stationary, 1,
                                       layer.spreadPes);
    lt.mvmSteps = cost.mvmSteps;
    lt.adcConversions = cost.adcConversions;
    lt.digitalOps = cost.digitalOps;
    lt.bufferBytes = cost.bufferBytes;
    lt.interconnectBytes = cost.interconnectBytes;
    layerTiming.push_back(lt);
  }
  buildTasks();
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ScheduleNode &node = g.nodes[i];
    if (node.layer < 0)
      continue;
    const ScheduleLayer &layer = g.layers[node.layer];
    prog::LayerWeights header;
    header.node = i;
    header.rows = layer.shape.rows;
    header.cols = layer.shape.cols;
    header.groups = layer.shape.groups;
    header.wbits = layer.shape.wbits;
    header.abits = layer.shape.abits;
    header.copies = layer.copyPes.size();
    header.crossbars =
        mode == ExecutionMode::Rewrite
            ? std::min(layerTiming[node.layer].fp.crossbarsPerCopy,
                       hw.getNumCrossbars())
            : header.copies * layerTiming[node.layer].fp.crossbarsPerCopy;
    p.nodes[i].layer = p.layers.size();
    p.layers.push_back(std::move(header));
  }
  // Issue ready tasks in order of (ready time, node, set).
  using Entry = std::tuple<uint64_t, uint32_t, uint32_t>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> ready;
  for (uint32_t id = 0; id < tasks.size(); ++id)
    if (tasks[id].remaining == 0)
      ready.push({0, tasks[id].node, id});
  while (!ready.empty()) {
    auto [time, node, id] = ready.top();
    ready.pop();
    // A set whose copies are all busy waits in the queue until one is
    // free, so that instructions are issued in the order they start and
    // the shared units serve them in time order.
    const Task &task = tasks[id];
    if (!task.barrier && g.nodes[task.node].layer >= 0 &&
        mode == ExecutionMode::Stationary) {
      uint64_t start = earliestCopy(task).second;
      if (start > time) {
        ready.push({start, node, id});
        continue;
      }
    }
    issue(id);
    uint64_t end = instrEnd[tasks[id].last];
    for (uint32_t user : tasks[id].users) {
      Task &u = tasks[user];
      u.ready = std::max(u.ready, end);
      if (--u.remaining == 0)
        ready.push({u.ready, u.node, user});
    }
  }
  return std::move(p);
}

prog::Program mlir::cim::scheduleGraph(const ScheduleGraph &graph,
                                       const hw::HardwareDescription &hw,
                                       ExecutionMode mode,
                                       ScheduleKind schedule) {
  return Scheduler(graph, hw, mode, schedule).run();
}
