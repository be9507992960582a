//===- Timing.cpp - Resource-reservation replay of a program -------------===//
//
// Instructions are replayed in issue order through TimingState (see
// Program.h): exclusive crossbar groups, shared digital units, links and
// buffer ports. This is the cycle model of the simulator and of the
// compiler's schedule alike, so the two always agree.
//
//===----------------------------------------------------------------------===//

#include "cim/Program/Program.h"

#include <algorithm>

using namespace mlir::cim;
using namespace mlir::cim::prog;

std::pair<uint64_t, uint64_t> TimingState::issue(const Instruction &in,
                                                 uint64_t ready,
                                                 llvm::ArrayRef<Unit> units) {
  if (unitFree.size() < units.size()) {
    unitFree.resize(units.size(), 0);
    unitBusy.resize(units.size(), 0);
  }
  uint64_t start = ready;
  for (const Reservation &r : in.reservations)
    if (units[r.unit].kind == UnitKind::Crossbars)
      start = std::max(start, unitFree[r.unit]);
  uint64_t end = start + in.latencyPs;
  for (const Reservation &r : in.reservations) {
    unitBusy[r.unit] += r.busyPs;
    if (units[r.unit].kind == UnitKind::Crossbars) {
      unitFree[r.unit] = start + r.busyPs;
    } else {
      // Processor sharing, with the work already queued taken as one job:
      // the new work finishes after its own time plus the part of the
      // backlog served alongside it.
      uint64_t backlog =
          unitFree[r.unit] > start ? unitFree[r.unit] - start : 0;
      end = std::max(end, start + r.busyPs + std::min(r.busyPs, backlog));
      unitFree[r.unit] = std::max(unitFree[r.unit], start) + r.busyPs;
    }
  }
  return {start, end};
}

Timing prog::simulateTiming(const Program &p) {
  Timing t;
  size_t n = p.instructions.size();
  t.startPs.assign(n, 0);
  t.endPs.assign(n, 0);
  t.unitBusyPs.assign(p.units.size(), 0);
  t.nodes.assign(p.nodes.size(), NodeTiming());
  TimingState state;
  // Longest chain of latencies ending at each instruction.
  std::vector<uint64_t> chain(n, 0);
  const hw::HardwareDescription &hw = p.hardware;
  for (size_t i = 0; i < n; ++i) {
    const Instruction &in = p.instructions[i];
    uint64_t ready = 0, chainStart = 0;
    for (uint32_t d : in.deps) {
      ready = std::max(ready, t.endPs[d]);
      chainStart = std::max(chainStart, chain[d]);
    }
    auto [start, end] = state.issue(in, ready, p.units);
    t.startPs[i] = start;
    t.endPs[i] = end;
    chain[i] = chainStart + in.latencyPs;
    t.latencyPs = std::max(t.latencyPs, end);
    t.criticalPathPs = std::max(t.criticalPathPs, chain[i]);
    NodeTiming &node = t.nodes[in.node];
    if (in.opcode != Opcode::Barrier) {
      node.startPs = std::min(node.startPs, start);
      node.endPs = std::max(node.endPs, end);
      node.busyPs += in.latencyPs;
    }
    t.mvmSteps += in.mvmSteps;
    t.adcConversions += in.adcConversions;
    t.digitalOps += in.digitalOps;
    t.bufferBytes += in.bufferBytes;
    t.interconnectBytes += in.interconnectBytes;
    t.crossbarWrites += in.crossbarWrites;
  }
  if (!p.units.empty())
    t.unitBusyPs = state.getUnitBusy();
  t.latencyPs = std::max(t.latencyPs, state.getDrainTime());
  t.unitBusyPs.resize(p.units.size(), 0);
  for (NodeTiming &node : t.nodes)
    if (node.startPs == UINT64_MAX)
      node.startPs = 0;
  for (size_t u = 0; u < t.unitBusyPs.size(); ++u)
    if (t.unitBusyPs[u] > t.busiestUnitPs) {
      t.busiestUnitPs = t.unitBusyPs[u];
      t.busiestUnit = uint32_t(u);
    }
  // Head-body-tail bound per unit: no instruction on unit u can start
  // before the shortest dependency chain leading to one (head), u needs its
  // whole busy time, and after u's last instruction at least the shortest
  // dependency chain from one of them to the end must follow (tail).
  std::vector<uint64_t> tail(n, 0); // longest latency chain after i ends
  for (size_t i = n; i-- > 0;)
    for (uint32_t d : p.instructions[i].deps)
      tail[d] = std::max(tail[d], p.instructions[i].latencyPs + tail[i]);
  std::vector<uint64_t> head(p.units.size(), UINT64_MAX),
      after(p.units.size(), UINT64_MAX);
  for (size_t i = 0; i < n; ++i) {
    const Instruction &in = p.instructions[i];
    uint64_t before = chain[i] - in.latencyPs;
    for (const Reservation &r : in.reservations) {
      head[r.unit] = std::min(head[r.unit], before);
      after[r.unit] = std::min(after[r.unit], tail[i]);
    }
  }
  // (A shared unit's last work may finish after every instruction that
  // used it, so only its head and busy time count; the run is not over
  // before every unit has finished its work.)
  t.lowerBoundPs = t.criticalPathPs;
  for (size_t u = 0; u < p.units.size(); ++u) {
    if (head[u] == UINT64_MAX)
      continue;
    bool exclusive = p.units[u].kind == UnitKind::Crossbars;
    t.lowerBoundPs = std::max(t.lowerBoundPs, head[u] + t.unitBusyPs[u] +
                                                  (exclusive ? after[u] : 0));
  }
  t.energyPj = double(t.mvmSteps) * hw.mvmStepPj +
               double(t.adcConversions) * hw.adcConversionPj +
               double(t.crossbarWrites) * hw.crossbarWritePj +
               double(t.digitalOps) * hw.digitalOpPj +
               double(t.bufferBytes) * hw.bufferPjPerByte +
               double(t.interconnectBytes) * hw.interconnectPjPerByte;
  return t;
}
