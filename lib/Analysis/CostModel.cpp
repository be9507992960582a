//===- CostModel.cpp - Analytic crossbar cost model -----------------------===//

#include "cim/Analysis/CostModel.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cassert>
#include <cstdio>

using namespace mlir;
using namespace mlir::cim;
using hw::HardwareDescription;

llvm::StringRef mlir::cim::stringify(ExecutionMode mode) {
  return mode == ExecutionMode::Stationary ? "stationary" : "rewrite";
}

//===----------------------------------------------------------------------===//
// Footprint
//===----------------------------------------------------------------------===//

LayerFootprint mlir::cim::computeFootprint(const LayerShape &layer,
                                           const HardwareDescription &hw) {
  assert(layer.rows > 0 && layer.cols > 0 && layer.groups > 0 &&
         "layer sizes must be positive");
  LayerFootprint fp;
  fp.slices = ceilDiv(layer.wbits, hw.cellBits);
  fp.inputSteps = ceilDiv(layer.abits, hw.dacBits);
  int64_t pr = hw.getPhysicalRowsPerWeightRow();
  int64_t pc = hw.getPhysicalColsPerWeightCol();
  int64_t reference = hw.signedMapping == hw::SignedWeightMapping::Offset;
  fp.rowsPerCrossbar = hw.getWeightRowsPerCrossbar();
  fp.colsPerCrossbar = hw.getUsableCols() / pc;
  // Bit slices lie side by side along the columns: cols * slices weight
  // columns per group, cut into crossbar-wide chunks.
  int64_t slicedCols = layer.cols * fp.slices;
  fp.rowTiles = ceilDiv(layer.rows, fp.rowsPerCrossbar);
  fp.colChunks = ceilDiv(slicedCols, fp.colsPerCrossbar);
  // Packed groups: block g of a crossbar takes rows [g * rows, (g + 1) *
  // rows) and physical columns of its own; under `of` every block has a
  // reference column of its own (the crossbar's last columns), which sees
  // only that block's rows.
  fp.groupsPerCrossbar = 1;
  if (hw.packGroups && layer.groups > 1 && fp.rowTiles == 1 &&
      fp.colChunks == 1) {
    int64_t byRows = fp.rowsPerCrossbar / layer.rows;
    int64_t byCols = hw.cols / (slicedCols * pc + reference);
    fp.groupsPerCrossbar =
        std::max<int64_t>(1, std::min({byRows, byCols, layer.groups}));
  }
  int64_t blocks = ceilDiv(layer.groups, fp.groupsPerCrossbar);
  fp.crossbarsPerCopy = blocks * fp.rowTiles * fp.colChunks;
  fp.columnsRead =
      layer.groups * fp.rowTiles * (slicedCols * pc + fp.colChunks * reference);
  fp.maxColumnsPerCrossbar =
      fp.groupsPerCrossbar *
      (std::min(slicedCols, fp.colsPerCrossbar) * pc + reference);
  fp.cellsUsed = layer.groups * layer.rows * pr * slicedCols * pc;
  fp.utilization =
      double(fp.cellsUsed) / double(fp.crossbarsPerCopy * hw.rows * hw.cols);
  return fp;
}

//===----------------------------------------------------------------------===//
// Latency and energy
//===----------------------------------------------------------------------===//

uint64_t InvocationStages::max() const {
  return std::max({bufferPs, mvmPs, digitalPs, interconnectPs});
}

uint64_t InvocationStages::sum() const {
  return bufferPs + mvmPs + digitalPs + interconnectPs;
}

uint64_t InvocationStages::pipelined(int64_t n) const {
  if (n <= 0)
    return 0;
  return sum() + uint64_t(n - 1) * max();
}

int64_t mlir::cim::partialSumBytes(const LayerShape &layer,
                                   const LayerFootprint &fp) {
  // A valid description has at most 2^16 rows and widths of 1..16 bits, so
  // the bound is below 2^47; anything outside that range gets 8 bytes.
  if (layer.abits < 1 || layer.abits > 16 || layer.wbits < 1 ||
      layer.wbits > 16 || fp.rowsPerCrossbar < 1 || fp.rowsPerCrossbar > 65536)
    return 8;
  uint64_t bound = uint64_t(fp.rowsPerCrossbar) *
                   ((uint64_t(1) << layer.abits) - 1) *
                   (uint64_t(1) << (layer.wbits - 1));
  unsigned bits = llvm::Log2_64(bound) + 2; // the magnitude's bits, a sign
  return int64_t(llvm::PowerOf2Ceil(llvm::divideCeil(bits, 8)));
}

namespace {
/// Per-invocation work of one copy of a layer.
struct InvocationWork {
  int64_t digitalOps = 0;
  int64_t bufferBytes = 0;
  int64_t interconnectBytes = 0;
};
} // namespace

/// Input bytes of one invocation.
static int64_t inputBytes(const LayerShape &layer) {
  return ceilDiv(layer.groups * layer.rows * layer.abits, 8);
}

static InvocationWork invocationWork(const LayerShape &layer,
                                     const LayerFootprint &fp) {
  InvocationWork work;
  // Every conversion is shifted and added into its output; each output
  // column then takes one more op (bias, requantization).
  work.digitalOps = fp.columnsRead * fp.inputSteps + layer.groups * layer.cols;
  int64_t inBytes = inputBytes(layer);
  int64_t outBytes = ceilDiv(layer.groups * layer.cols * layer.abits, 8);
  // Row tiles on different crossbars add partial sums, each in the fewest
  // bytes that hold it.
  int64_t partialBytes = (fp.rowTiles - 1) * layer.groups * layer.cols *
                         partialSumBytes(layer, fp);
  work.bufferBytes = inBytes + outBytes;
  work.interconnectBytes = inBytes + outBytes + partialBytes;
  return work;
}

/// The input bytes the PEs of a copy spread over `pes` PEs receive: in
/// total, and on the PE that receives most. PE j holds the copy's crossbars
/// ceil(j * X / pes) .. ceil((j + 1) * X / pes) - 1 (placeLayerSpread's
/// order: group, row tile, chunk) and receives the rows of each (group,
/// row tile) among them once.
struct SpreadInputs {
  int64_t total = 0, fullest = 0;
};
static SpreadInputs spreadInputBytes(const LayerShape &layer,
                                     const LayerFootprint &fp, int64_t pes) {
  int64_t x = fp.crossbarsPerCopy;
  pes = std::min(pes, x);
  SpreadInputs inputs;
  for (int64_t j = 0; j < pes; ++j) {
    int64_t first = ceilDiv(j * x, pes), end = ceilDiv((j + 1) * x, pes);
    int64_t bytes = 0;
    // Consecutive crossbars of one (group, row tile) share its rows; a
    // crossbar of packed groups (one chunk each) receives all its groups'.
    for (int64_t tile = first / fp.colChunks; tile * fp.colChunks < end;
         ++tile) {
      int64_t rowTile = tile % fp.rowTiles;
      int64_t rows =
          fp.groupsPerCrossbar > 1
              ? std::min(fp.groupsPerCrossbar,
                         layer.groups - tile * fp.groupsPerCrossbar) *
                    layer.rows
              : std::min(fp.rowsPerCrossbar,
                         layer.rows - rowTile * fp.rowsPerCrossbar);
      bytes += ceilDiv(rows * layer.abits, 8);
    }
    inputs.total += bytes;
    inputs.fullest = std::max(inputs.fullest, bytes);
  }
  return inputs;
}

/// Stage latencies when `active` of the copy's crossbars do a `share` /
/// crossbarsPerCopy part of the work (all of it when stationary; one write
/// round's part under rewriting), on PEs of their own when `spreadPes` > 0.
InvocationStages mlir::cim::computeInvocationStages(
    const LayerShape &layer, const LayerFootprint &fp,
    const HardwareDescription &hw, int64_t active, int64_t spreadPes) {
  InvocationWork work = invocationWork(layer, fp);
  InvocationStages stages;
  uint64_t read = hw.mvmStepPs;
  uint64_t convert =
      uint64_t(ceilDiv(fp.maxColumnsPerCrossbar, hw.getAdcsPerCrossbar())) *
      hw.adcConversionPs;
  stages.mvmPs =
      read + convert + uint64_t(fp.inputSteps - 1) * std::max(read, convert);
  if (spreadPes <= 0) {
    auto share = [&](int64_t total) {
      return ceilDiv(total * active, fp.crossbarsPerCopy);
    };
    int64_t pes = ceilDiv(active, hw.crossbarsPerPe);
    stages.digitalPs =
        uint64_t(ceilDiv(share(work.digitalOps), hw.digitalLanes * pes)) *
        hw.digitalOpPs;
    stages.bufferPs =
        hw.bufferBandwidth.transferPs(ceilDiv(share(work.bufferBytes), pes));
    stages.interconnectPs = hw.interconnectBandwidth.transferPs(
        ceilDiv(share(work.interconnectBytes), pes));
    return stages;
  }
  // The fullest PE holds ceil(active / pes) crossbars and does their part
  // of the digital work, outputs and partial sums; each PE receives the
  // rows of the row tiles it holds crossbars of.
  int64_t pes = std::min(spreadPes, active);
  int64_t held = ceilDiv(active, pes);
  auto part = [&](int64_t total) {
    return ceilDiv(total * held, fp.crossbarsPerCopy);
  };
  int64_t inBytes = inputBytes(layer);
  int64_t inputs = spreadInputBytes(layer, fp, pes).fullest;
  int64_t outBytes = work.bufferBytes - inBytes;
  int64_t partialBytes = work.interconnectBytes - work.bufferBytes;
  stages.digitalPs = uint64_t(ceilDiv(part(work.digitalOps), hw.digitalLanes)) *
                     hw.digitalOpPs;
  stages.bufferPs = hw.bufferBandwidth.transferPs(inputs + part(outBytes));
  stages.interconnectPs = hw.interconnectBandwidth.transferPs(
      inputs + part(outBytes + partialBytes));
  return stages;
}

LayerCost mlir::cim::estimateLayerCost(const LayerShape &layer,
                                       const HardwareDescription &hw,
                                       ExecutionMode mode, int64_t copies,
                                       int64_t spreadPes) {
  LayerCost cost;
  cost.name = layer.name;
  cost.mode = mode;
  cost.footprint = computeFootprint(layer, hw);
  const LayerFootprint &fp = cost.footprint;
  int64_t chip = hw.getNumCrossbars();
  int64_t invocations = layer.invocations;
  int64_t repeat = layer.repeat;

  if (mode == ExecutionMode::Stationary) {
    cost.copies = std::max<int64_t>(copies, 1);
    cost.crossbars = cost.copies * fp.crossbarsPerCopy;
    cost.invocationsPerCopy = ceilDiv(invocations, cost.copies);
    cost.stages =
        computeInvocationStages(layer, fp, hw, fp.crossbarsPerCopy, spreadPes);
    cost.latencyPs =
        uint64_t(repeat) * cost.stages.pipelined(cost.invocationsPerCopy);
  } else {
    // Rounds of at most the whole chip: write the round's crossbars (in
    // parallel), then run every invocation on them.
    cost.copies = 1;
    cost.crossbars = std::min(fp.crossbarsPerCopy, chip);
    cost.rounds = ceilDiv(fp.crossbarsPerCopy, chip);
    cost.invocationsPerCopy = invocations;
    int64_t fullRounds = fp.crossbarsPerCopy / chip;
    int64_t rest = fp.crossbarsPerCopy % chip;
    cost.stages =
        computeInvocationStages(layer, fp, hw, fullRounds ? chip : rest);
    uint64_t perRepeat = 0;
    if (fullRounds)
      perRepeat += uint64_t(fullRounds) *
                   (hw.crossbarWritePs + cost.stages.pipelined(invocations));
    if (rest)
      perRepeat +=
          hw.crossbarWritePs +
          computeInvocationStages(layer, fp, hw, rest).pipelined(invocations);
    cost.latencyPs = uint64_t(repeat) * perRepeat;
    cost.crossbarWrites = repeat * fp.crossbarsPerCopy;
  }
  cost.cycles = hw.toCycles(cost.latencyPs);

  InvocationWork work = invocationWork(layer, fp);
  if (mode == ExecutionMode::Stationary && spreadPes > 0) {
    // Inputs go to every PE that holds one of their row tiles.
    int64_t extra =
        spreadInputBytes(layer, fp, spreadPes).total - inputBytes(layer);
    work.bufferBytes += extra;
    work.interconnectBytes += extra;
  }
  int64_t runs = repeat * invocations;
  cost.mvmSteps = runs * fp.inputSteps * fp.crossbarsPerCopy;
  cost.adcConversions = runs * fp.inputSteps * fp.columnsRead;
  cost.digitalOps = runs * work.digitalOps;
  cost.bufferBytes = runs * work.bufferBytes;
  cost.interconnectBytes = runs * work.interconnectBytes;

  cost.mvmEnergyPj = double(cost.mvmSteps) * hw.mvmStepPj;
  cost.adcEnergyPj = double(cost.adcConversions) * hw.adcConversionPj;
  cost.writeEnergyPj = double(cost.crossbarWrites) * hw.crossbarWritePj;
  cost.digitalEnergyPj = double(cost.digitalOps) * hw.digitalOpPj;
  cost.bufferEnergyPj = double(cost.bufferBytes) * hw.bufferPjPerByte;
  cost.interconnectEnergyPj =
      double(cost.interconnectBytes) * hw.interconnectPjPerByte;
  cost.energyPj = cost.mvmEnergyPj + cost.adcEnergyPj + cost.writeEnergyPj +
                  cost.digitalEnergyPj + cost.bufferEnergyPj +
                  cost.interconnectEnergyPj;
  return cost;
}

//===----------------------------------------------------------------------===//
// Network plan and cost
//===----------------------------------------------------------------------===//

std::optional<ExecutionMode>
mlir::cim::chooseExecutionMode(const HardwareDescription &hw,
                               int64_t crossbarsNeeded) {
  bool fits = crossbarsNeeded <= hw.getNumCrossbars();
  switch (hw.weightRewrite) {
  case hw::WeightRewrite::Never:
    if (!fits)
      return std::nullopt;
    return ExecutionMode::Stationary;
  case hw::WeightRewrite::IfNeeded:
    return fits ? ExecutionMode::Stationary : ExecutionMode::Rewrite;
  case hw::WeightRewrite::Always:
    return ExecutionMode::Rewrite;
  }
  return std::nullopt;
}

llvm::StringRef mlir::cim::stringify(Placement placement) {
  return placement == Placement::Spread ? "spread" : "packed";
}

std::optional<Placement> mlir::cim::parsePlacement(llvm::StringRef name) {
  if (name == "packed")
    return Placement::Packed;
  if (name == "spread")
    return Placement::Spread;
  return std::nullopt;
}

/// Greedy duplication of a stationary plan into the spare crossbars (see
/// planNetwork).
static void duplicateLayers(llvm::ArrayRef<LayerShape> layers,
                            const HardwareDescription &hw,
                            llvm::ArrayRef<int64_t> crossbarsPerCopy,
                            NetworkPlan &plan) {
  int64_t chip = hw.getNumCrossbars();
  // Greedy balancing: the slowest layer that can still get faster gets more
  // copies; ties go to the earlier layer. A layer's latency depends on its
  // copies only through the invocations per copy, ceil(I / copies), so it
  // jumps straight to the fewest copies that lower that count.
  int64_t spare = chip - plan.crossbarsNeeded;
  std::vector<uint64_t> latency;
  for (const LayerShape &layer : layers)
    latency.push_back(
        estimateLayerCost(layer, hw, ExecutionMode::Stationary, 1).latencyPs);
  std::vector<bool> done(layers.size(), false);
  while (true) {
    std::optional<size_t> slowest;
    for (size_t i = 0; i < layers.size(); ++i)
      if (!done[i] && (!slowest || latency[i] > latency[*slowest]))
        slowest = i;
    if (!slowest)
      break;
    size_t i = *slowest;
    int64_t perCopy = ceilDiv(layers[i].invocations, plan.copies[i]);
    if (perCopy <= 1) {
      done[i] = true;
      continue;
    }
    int64_t copies = ceilDiv(layers[i].invocations, perCopy - 1);
    int64_t cost = (copies - plan.copies[i]) * crossbarsPerCopy[i];
    if (cost > spare) {
      done[i] = true;
      continue;
    }
    spare -= cost;
    plan.copies[i] = copies;
    latency[i] =
        estimateLayerCost(layers[i], hw, ExecutionMode::Stationary, copies)
            .latencyPs;
  }
}

/// Spreads the copies of a stationary plan (see planNetwork); false, and
/// `plan` unchanged, when its copies do not fit on PEs of their own.
static bool planSpread(llvm::ArrayRef<LayerShape> layers,
                       const HardwareDescription &hw,
                       llvm::ArrayRef<int64_t> crossbarsPerCopy,
                       NetworkPlan &plan) {
  size_t n = layers.size();
  std::vector<int64_t> pes(n);
  int64_t used = 0;
  for (size_t i = 0; i < n; ++i) {
    pes[i] = ceilDiv(crossbarsPerCopy[i], hw.crossbarsPerPe);
    used += plan.copies[i] * pes[i];
  }
  if (used > hw.pes)
    return false;
  auto costOf = [&](size_t i, int64_t p) {
    return estimateLayerCost(layers[i], hw, ExecutionMode::Stationary,
                             plan.copies[i], p);
  };
  // The network's latency (layers one after another, as the fully
  // connected layers of a small network run) and energy.
  std::vector<uint64_t> latency(n);
  std::vector<double> energy(n);
  double totalLatency = 0, totalEnergy = 0;
  for (size_t i = 0; i < n; ++i) {
    LayerCost cost = costOf(i, pes[i]);
    latency[i] = cost.latencyPs;
    energy[i] = cost.energyPj;
    totalLatency += double(latency[i]);
    totalEnergy += energy[i];
  }
  int64_t spare = hw.pes - used;
  std::vector<bool> done(n, false);
  while (true) {
    std::optional<size_t> slowest;
    for (size_t i = 0; i < n; ++i)
      if (!done[i] && (!slowest || latency[i] > latency[*slowest]))
        slowest = i;
    if (!slowest)
      break;
    size_t i = *slowest;
    // Spread the slowest layer over the fewest more PEs (its latency
    // depends on them only through the crossbars on the fullest one) that
    // lower the network's energy-delay product: spreading costs energy, as
    // a row tile's inputs travel to every PE that holds one of its chunks.
    // When none does (or they do not fit), the layer drops out and the
    // next slowest goes on.
    bool moved = false;
    for (int64_t held = ceilDiv(crossbarsPerCopy[i], pes[i]) - 1; held >= 1;
         --held) {
      int64_t p = ceilDiv(crossbarsPerCopy[i], held);
      LayerCost cost = costOf(i, p);
      double newLatency =
          totalLatency - double(latency[i]) + double(cost.latencyPs);
      double newEnergy = totalEnergy - energy[i] + cost.energyPj;
      if (cost.latencyPs >= latency[i] ||
          newLatency * newEnergy > totalLatency * totalEnergy)
        continue;
      int64_t extra = (p - pes[i]) * plan.copies[i];
      if (extra <= spare) {
        spare -= extra;
        pes[i] = p;
        latency[i] = cost.latencyPs;
        energy[i] = cost.energyPj;
        totalLatency = newLatency;
        totalEnergy = newEnergy;
        moved = true;
      }
      break;
    }
    if (!moved)
      done[i] = true;
  }
  plan.placement = Placement::Spread;
  plan.pesPerCopy = std::move(pes);
  plan.pesUsed = hw.pes - spare;
  return true;
}

std::optional<NetworkPlan>
mlir::cim::planNetwork(llvm::ArrayRef<LayerShape> layers,
                       const HardwareDescription &hw, bool duplicate,
                       std::string &error, Placement placement) {
  NetworkPlan plan;
  plan.copies.assign(layers.size(), 1);
  std::vector<int64_t> crossbarsPerCopy;
  for (const LayerShape &layer : layers) {
    crossbarsPerCopy.push_back(computeFootprint(layer, hw).crossbarsPerCopy);
    plan.crossbarsNeeded += crossbarsPerCopy.back();
  }
  int64_t chip = hw.getNumCrossbars();
  std::optional<ExecutionMode> mode =
      chooseExecutionMode(hw, plan.crossbarsNeeded);
  if (!mode) {
    error = "network needs " + std::to_string(plan.crossbarsNeeded) +
            " crossbars, the chip has " + std::to_string(chip);
    return std::nullopt;
  }
  plan.mode = *mode;
  if (plan.mode != ExecutionMode::Stationary)
    return plan;
  if (duplicate)
    duplicateLayers(layers, hw, crossbarsPerCopy, plan);
  if (placement == Placement::Spread)
    planSpread(layers, hw, crossbarsPerCopy, plan);
  return plan;
}

NetworkCost mlir::cim::estimateNetworkCost(llvm::ArrayRef<LayerShape> layers,
                                           const HardwareDescription &hw,
                                           const NetworkPlan &plan) {
  assert(plan.copies.size() == layers.size() && "one copy count per layer");
  NetworkCost net;
  net.mode = plan.mode;
  net.placement = plan.placement;
  net.chipCrossbars = hw.getNumCrossbars();
  int64_t cells = 0, cellsOfCrossbars = 0;
  for (auto [index, layer] : llvm::enumerate(layers)) {
    LayerCost cost = estimateLayerCost(layer, hw, plan.mode, plan.copies[index],
                                       plan.getSpreadPes(index));
    if (plan.mode == ExecutionMode::Stationary)
      net.crossbarsUsed += cost.crossbars;
    else
      net.crossbarsUsed = std::max(net.crossbarsUsed, cost.crossbars);
    cells += cost.footprint.cellsUsed;
    cellsOfCrossbars += cost.footprint.crossbarsPerCopy * hw.rows * hw.cols;
    net.mvmSteps += cost.mvmSteps;
    net.adcConversions += cost.adcConversions;
    net.crossbarWrites += cost.crossbarWrites;
    net.digitalOps += cost.digitalOps;
    net.bufferBytes += cost.bufferBytes;
    net.interconnectBytes += cost.interconnectBytes;
    net.latencyPs += cost.latencyPs;
    net.bottleneckPs = std::max(net.bottleneckPs, cost.latencyPs);
    net.energyPj += cost.energyPj;
    if (plan.placement == Placement::Spread)
      net.pesUsed += cost.copies * plan.pesPerCopy[index];
    net.layers.push_back(std::move(cost));
  }
  net.cycles = hw.toCycles(net.latencyPs);
  net.chipUtilization = double(net.crossbarsUsed) / double(net.chipCrossbars);
  net.cellUtilization =
      cellsOfCrossbars ? double(cells) / double(cellsOfCrossbars) : 0.0;
  if (plan.mode == ExecutionMode::Stationary && net.crossbarsUsed) {
    // Packed, crossbars are filled PE by PE, so the first PE has the most
    // to write; spread, the fullest PE of any layer.
    int64_t fullest = std::min(hw.crossbarsPerPe, net.crossbarsUsed);
    if (plan.placement == Placement::Spread) {
      fullest = 0;
      for (size_t i = 0; i < net.layers.size(); ++i)
        fullest =
            std::max(fullest, ceilDiv(net.layers[i].footprint.crossbarsPerCopy,
                                      plan.pesPerCopy[i]));
    }
    net.programmingPs = uint64_t(fullest) * hw.crossbarWritePs;
    net.programmingEnergyPj = double(net.crossbarsUsed) * hw.crossbarWritePj;
  }
  return net;
}

//===----------------------------------------------------------------------===//
// Placement
//===----------------------------------------------------------------------===//

/// Appends the tiles of crossbar (copy, group, rowTile, chunk) at `base`'s
/// PE and crossbar.
static void appendCrossbarTiles(const LayerShape &layer,
                                const LayerFootprint &fp, int64_t pc,
                                TilePlacement base, int64_t rowTile,
                                int64_t chunk,
                                std::vector<TilePlacement> &tiles) {
  base.rowBegin = rowTile * fp.rowsPerCrossbar;
  base.rowEnd = std::min(layer.rows, base.rowBegin + fp.rowsPerCrossbar);
  // Sliced columns [first, last) of this chunk; slice s holds sliced
  // columns [s * cols, (s + 1) * cols).
  int64_t first = chunk * fp.colsPerCrossbar;
  int64_t last = std::min(layer.cols * fp.slices, first + fp.colsPerCrossbar);
  for (int64_t at = first; at < last;) {
    int64_t slice = at / layer.cols;
    int64_t end = std::min(last, (slice + 1) * layer.cols);
    TilePlacement tile = base;
    tile.slice = slice;
    tile.colBegin = at - slice * layer.cols;
    tile.colEnd = end - slice * layer.cols;
    tile.atCol = (at - first) * pc;
    tiles.push_back(tile);
    at = end;
  }
}

/// Appends the tiles of crossbar `k` of a copy at `base`'s PE and crossbar.
/// Unpacked, crossbar k is (group, row tile, chunk) in that order. Packed,
/// it holds groups k * P .. k * P + P - 1: block b at rows [b * rows * pr,
/// ...) and columns [b * width, ...), width the physical columns of one
/// group's sliced weights (under `of` the crossbar's last P columns are the
/// blocks' reference columns).
static void appendCrossbar(const LayerShape &layer, const LayerFootprint &fp,
                           const HardwareDescription &hw, TilePlacement base,
                           int64_t k, std::vector<TilePlacement> &tiles) {
  int64_t pc = hw.getPhysicalColsPerWeightCol();
  if (fp.groupsPerCrossbar == 1) {
    base.group = k / (fp.rowTiles * fp.colChunks);
    appendCrossbarTiles(layer, fp, pc, base, (k / fp.colChunks) % fp.rowTiles,
                        k % fp.colChunks, tiles);
    return;
  }
  int64_t rows = layer.rows * hw.getPhysicalRowsPerWeightRow();
  int64_t width = layer.cols * fp.slices * pc;
  int64_t first = k * fp.groupsPerCrossbar;
  int64_t last = std::min(layer.groups, first + fp.groupsPerCrossbar);
  for (int64_t group = first; group < last; ++group) {
    base.group = group;
    size_t begin = tiles.size();
    appendCrossbarTiles(layer, fp, pc, base, /*rowTile=*/0, /*chunk=*/0, tiles);
    for (size_t i = begin; i < tiles.size(); ++i) {
      tiles[i].atRow = (group - first) * rows;
      tiles[i].atCol += (group - first) * width;
    }
  }
}

std::vector<TilePlacement>
mlir::cim::placeLayer(const LayerShape &layer, const HardwareDescription &hw,
                      ExecutionMode mode, int64_t copies, int64_t firstSlot) {
  LayerFootprint fp = computeFootprint(layer, hw);
  int64_t perPe = hw.crossbarsPerPe;
  int64_t chip = hw.getNumCrossbars();
  std::vector<TilePlacement> tiles;
  for (int64_t copy = 0; copy < copies; ++copy)
    for (int64_t k = 0; k < fp.crossbarsPerCopy; ++k) {
      int64_t slot = firstSlot + copy * fp.crossbarsPerCopy + k;
      TilePlacement base;
      if (mode == ExecutionMode::Stationary) {
        base.pe = slot / perPe;
        base.xbar = slot % perPe;
      } else {
        int64_t physical = slot % chip, round = slot / chip;
        base.pe = physical / perPe;
        base.xbar = round * perPe + physical % perPe;
      }
      base.copy = copy;
      appendCrossbar(layer, fp, hw, base, k, tiles);
    }
  return tiles;
}

std::vector<TilePlacement>
mlir::cim::placeLayerSpread(const LayerShape &layer,
                            const HardwareDescription &hw, int64_t copies,
                            int64_t pesPerCopy, int64_t firstPe) {
  LayerFootprint fp = computeFootprint(layer, hw);
  int64_t total = fp.crossbarsPerCopy;
  assert(pesPerCopy >= 1 && pesPerCopy <= total &&
         ceilDiv(total, pesPerCopy) <= hw.crossbarsPerPe &&
         "a spread copy needs between 1 and crossbarsPerCopy PEs");
  std::vector<TilePlacement> tiles;
  for (int64_t copy = 0; copy < copies; ++copy)
    for (int64_t k = 0; k < total; ++k) {
      // PE j holds crossbars ceil(j * total / pes) onwards.
      int64_t j = k * pesPerCopy / total;
      TilePlacement base;
      base.pe = firstPe + copy * pesPerCopy + j;
      base.xbar = k - ceilDiv(j * total, pesPerCopy);
      base.copy = copy;
      appendCrossbar(layer, fp, hw, base, k, tiles);
    }
  return tiles;
}

//===----------------------------------------------------------------------===//
// Report
//===----------------------------------------------------------------------===//

/// Integers go through strings: GCC 12 warns inside LLVM 16's integer
/// formatter (-Wmaybe-uninitialized, a false positive).
static std::string str(int64_t value) { return std::to_string(value); }

static std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, value);
  return buffer;
}

std::string mlir::cim::formatCostReport(const NetworkCost &cost,
                                        const HardwareDescription &hw) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "hardware " << hw.name << ": " << str(cost.chipCrossbars)
     << " crossbars of " << str(hw.rows) << "x" << str(hw.cols) << ", "
     << stringify(cost.mode) << " weights\n";
  os << llvm::formatv("{0,-22} {1,8} {2,6} {3,8} {4,6} {5,12} {6,14} {7,8} "
                      "{8,14} {9,12}\n",
                      "layer", "xb/copy", "copies", "xbars", "util%",
                      "mvm-steps", "adc-conv", "writes", "latency-us",
                      "energy-uJ");
  for (const LayerCost &layer : cost.layers)
    os << llvm::formatv(
        "{0,-22} {1,8} {2,6} {3,8} {4,6} {5,12} {6,14} {7,8} "
        "{8,14} {9,12}\n",
        layer.name.empty() ? "-" : layer.name,
        str(layer.footprint.crossbarsPerCopy), str(layer.copies),
        str(layer.crossbars), fixed(100.0 * layer.footprint.utilization, 1),
        str(layer.mvmSteps), str(layer.adcConversions),
        str(layer.crossbarWrites), fixed(double(layer.latencyPs) / 1e6, 3),
        fixed(layer.energyPj / 1e6, 3));
  os << llvm::formatv(
      "{0,-22} {1,8} {2,6} {3,8} {4,6} {5,12} {6,14} {7,8} "
      "{8,14} {9,12}\n",
      "total", "", "", str(cost.crossbarsUsed),
      fixed(100.0 * cost.cellUtilization, 1), str(cost.mvmSteps),
      str(cost.adcConversions), str(cost.crossbarWrites),
      fixed(double(cost.latencyPs) / 1e6, 3), fixed(cost.energyPj / 1e6, 3));
  os << "crossbars used: " << str(cost.crossbarsUsed) << " of "
     << str(cost.chipCrossbars) << " ("
     << fixed(100.0 * cost.chipUtilization, 1) << "%)\n";
  if (cost.placement == Placement::Spread)
    os << "placement spread: " << str(cost.pesUsed) << " of " << str(hw.pes)
       << " PEs\n";
  os << "latency: " << str(int64_t(cost.latencyPs))
     << " ps = " << str(int64_t(cost.cycles)) << " cycles at "
     << str(hw.clockMhz) << " MHz; slowest layer "
     << str(int64_t(cost.bottleneckPs)) << " ps\n";
  os << "energy: " << fixed(cost.energyPj / 1e6, 3) << " uJ";
  if (cost.mode == ExecutionMode::Stationary)
    os << "; programming the weights once: "
       << fixed(double(cost.programmingPs) / 1e6, 3) << " us, "
       << fixed(cost.programmingEnergyPj / 1e6, 3) << " uJ";
  os << "\n";
  return out;
}
