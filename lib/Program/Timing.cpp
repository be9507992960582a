//===- Timing.cpp - Resource-reservation replay of a program -------------===//
//
// Instructions are replayed in issue order. An instruction starts when all
// its dependencies have finished and every unit it reserves is free; it
// holds each unit for that unit's busy time (a pipelined crossbar group is
// free again after its initiation intervals, before the last result is out)
// and finishes after its latency. This is the cycle model of the simulator
// and of the compiler's schedule alike, so the two always agree.
//
//===----------------------------------------------------------------------===//

#include "cim/Program/Program.h"

#include <algorithm>

using namespace mlir::cim;
using namespace mlir::cim::prog;

Timing prog::simulateTiming(const Program &p) {
  Timing t;
  size_t n = p.instructions.size();
  t.startPs.assign(n, 0);
  t.endPs.assign(n, 0);
  t.unitBusyPs.assign(p.units.size(), 0);
  t.nodes.assign(p.nodes.size(), NodeTiming());
  std::vector<uint64_t> unitFree(p.units.size(), 0);
  // Longest chain of latencies ending at each instruction.
  std::vector<uint64_t> chain(n, 0);
  const hw::HardwareDescription &hw = p.hardware;
  for (size_t i = 0; i < n; ++i) {
    const Instruction &in = p.instructions[i];
    uint64_t start = 0, chainStart = 0;
    for (uint32_t d : in.deps) {
      start = std::max(start, t.endPs[d]);
      chainStart = std::max(chainStart, chain[d]);
    }
    for (const Reservation &r : in.reservations)
      start = std::max(start, unitFree[r.unit]);
    uint64_t end = start + in.latencyPs;
    for (const Reservation &r : in.reservations) {
      unitFree[r.unit] = start + r.busyPs;
      t.unitBusyPs[r.unit] += r.busyPs;
    }
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
  for (NodeTiming &node : t.nodes)
    if (node.startPs == UINT64_MAX)
      node.startPs = 0;
  for (size_t u = 0; u < t.unitBusyPs.size(); ++u)
    if (t.unitBusyPs[u] > t.busiestUnitPs) {
      t.busiestUnitPs = t.unitBusyPs[u];
      t.busiestUnit = uint32_t(u);
    }
  t.lowerBoundPs = std::max(t.criticalPathPs, t.busiestUnitPs);
  t.energyPj = double(t.mvmSteps) * hw.mvmStepPj +
               double(t.adcConversions) * hw.adcConversionPj +
               double(t.crossbarWrites) * hw.crossbarWritePj +
               double(t.digitalOps) * hw.digitalOpPj +
               double(t.bufferBytes) * hw.bufferPjPerByte +
               double(t.interconnectBytes) * hw.interconnectPjPerByte;
  return t;
}
