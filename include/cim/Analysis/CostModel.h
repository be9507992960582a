//===- CostModel.h - Analytic crossbar cost model ---------------*- C++ -*-===//
//
// The analytic cost model of docs/hardware.md: how many crossbars a layer
// takes (im2col, weight bit slicing, signed mapping, tiling), how many
// crossbar steps, ADC conversions, writes and digital operations one
// inference needs, and the latency and energy that follow. Plain C++ over
// the hardware description; the IR adapter is in ModuleCost.h.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_ANALYSIS_COSTMODEL_H
#define CIM_ANALYSIS_COSTMODEL_H

#include "cim/Hardware/Hardware.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace cim {

/// A weight-bearing layer as the cost model sees it: per group a rows x cols
/// weight matrix (im2col) applied `invocations` times per inference, with
/// `wbits`-bit weights and `abits`-bit inputs. `repeat` multiplies the whole
/// layer (CIM-AQ's R, e.g. attention heads that share one layer op).
struct LayerShape {
  std::string name;
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t groups = 1;
  int64_t invocations = 1;
  unsigned wbits = 8;
  unsigned abits = 8;
  int64_t repeat = 1;
};

/// Integer division rounding up, for non-negative operands.
inline int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Where one copy of a layer's weights goes (domain.md section 1).
struct LayerFootprint {
  /// Weight bit slices: ceil(wbits / cell_bits).
  int64_t slices = 0;
  /// Input steps per MVM: ceil(abits / dac_bits).
  int64_t inputSteps = 0;
  /// Weight rows and bit-sliced weight columns one crossbar holds.
  int64_t rowsPerCrossbar = 0;
  int64_t colsPerCrossbar = 0;
  /// Row tiles (ceil(rows / rowsPerCrossbar)) and column chunks
  /// (ceil(cols * slices / colsPerCrossbar)) per group.
  int64_t rowTiles = 0;
  int64_t colChunks = 0;
  /// Groups whose blocks share one crossbar, block-diagonally (1 unless the
  /// hardware packs groups and a group's block fits one crossbar: one row
  /// tile and one column chunk).
  int64_t groupsPerCrossbar = 1;
  /// ceil(groups / groupsPerCrossbar) * rowTiles * colChunks.
  int64_t crossbarsPerCopy = 0;
  /// Physical columns read per input step over all crossbars of one copy,
  /// reference columns included: the ADC conversions of one step.
  int64_t columnsRead = 0;
  /// Physical columns read in the fullest crossbar.
  int64_t maxColumnsPerCrossbar = 0;
  /// Cells holding weights (one copy) and the fraction of the occupied
  /// crossbars' cells that they are.
  int64_t cellsUsed = 0;
  double utilization = 0.0;
};

/// The footprint formulas. Requires a valid description and a layer with
/// positive sizes.
LayerFootprint computeFootprint(const LayerShape &layer,
                                const hw::HardwareDescription &hw);

/// The cost model's version: bumped whenever a formula changes the latency
/// of some layer, so that caches of latencies (cim-tune search checkpoints)
/// written by another version are not mixed with new figures. 1: every
/// partial sum 4 bytes; 2: partialSumBytes; 3: packed groups.
constexpr unsigned kCostModelVersion = 3;

/// Bytes of one partial sum a row tile sends to be added to the others' (a
/// 1-, 2-, 4- or 8-byte word): the fewest that hold the tile's largest sum,
/// rowsPerCrossbar * (2^abits - 1) * 2^(wbits - 1) in magnitude, plus a
/// sign. Inputs are at most 2^abits - 1 in magnitude (unsigned, or signed
/// and smaller), weights at most 2^(wbits - 1); zero points are corrected
/// after the sum. Partial sums of W8A8 on 128 rows take 4 bytes, of W4A4 2.
int64_t partialSumBytes(const LayerShape &layer, const LayerFootprint &fp);

/// Whether weights stay in place for the whole inference or every layer is
/// written before it runs.
enum class ExecutionMode { Stationary, Rewrite };
llvm::StringRef stringify(ExecutionMode mode);

/// The mode the hardware's rewrite policy gives a network whose layers need
/// `crossbarsNeeded` crossbars together (one copy each); std::nullopt when
/// weights must stay in place but do not fit.
std::optional<ExecutionMode>
chooseExecutionMode(const hw::HardwareDescription &hw, int64_t crossbarsNeeded);

/// The latency of each step of one MVM invocation (picoseconds).
struct InvocationStages {
  /// Inputs and outputs through the PE buffers.
  uint64_t bufferPs = 0;
  /// ceil(abits / dac_bits) crossbar steps, each followed by the ADC
  /// conversions of its columns (pipelined: the next step's analog read
  /// overlaps this step's conversions).
  uint64_t mvmPs = 0;
  /// Shift-and-add of every conversion and one output op per column.
  uint64_t digitalPs = 0;
  /// Inputs, outputs and row-tile partial sums over the interconnect.
  uint64_t interconnectPs = 0;

  uint64_t max() const;
  uint64_t sum() const;
  /// `n` invocations pipelined over the stages: sum + (n - 1) * max.
  uint64_t pipelined(int64_t n) const;
};

/// Stage latencies of one invocation when `active` of a copy's crossbars
/// do their share of the work (all of them when stationary; one write
/// round's part under rewriting).
///
/// With `spreadPes` = 0 (packed placement) the digital, buffer and
/// interconnect work is shared evenly by the ceil(active / crossbars_per_pe)
/// PEs the crossbars fill. With `spreadPes` = P > 0 (spread placement: the
/// copy alone on P PEs, at most ceil(active / P) crossbars each) every PE
/// does an even share of the digital work and of the outputs and partial
/// sums, but receives the rows of each row tile it holds a crossbar of:
/// inputs sent to several PEs count on each.
InvocationStages computeInvocationStages(const LayerShape &layer,
                                         const LayerFootprint &fp,
                                         const hw::HardwareDescription &hw,
                                         int64_t active, int64_t spreadPes = 0);

/// The cost of one layer for one inference.
struct LayerCost {
  std::string name;
  LayerFootprint footprint;
  ExecutionMode mode = ExecutionMode::Stationary;
  /// Copies of the weights (duplication; 1 under rewriting).
  int64_t copies = 1;
  /// Crossbars occupied at once: copies * crossbarsPerCopy when stationary,
  /// at most the chip under rewriting.
  int64_t crossbars = 0;
  /// Write rounds per inference (rewrite mode; 0 when stationary).
  int64_t rounds = 0;
  /// Invocations each copy runs: ceil(invocations / copies).
  int64_t invocationsPerCopy = 0;

  /// Events per inference (all repeats).
  int64_t mvmSteps = 0;
  int64_t adcConversions = 0;
  int64_t crossbarWrites = 0;
  int64_t digitalOps = 0;
  int64_t bufferBytes = 0;
  int64_t interconnectBytes = 0;

  /// Stage latencies of one invocation with all crossbars of the layer.
  InvocationStages stages;
  /// Latency of the layer, picoseconds and clock cycles.
  uint64_t latencyPs = 0;
  uint64_t cycles = 0;

  /// Energy by event kind and in total, picojoules.
  double mvmEnergyPj = 0, adcEnergyPj = 0, writeEnergyPj = 0,
         digitalEnergyPj = 0, bufferEnergyPj = 0, interconnectEnergyPj = 0;
  double energyPj = 0;
};

/// The cost of `layer` with `copies` copies (stationary) or under rewriting;
/// `spreadPes` > 0: each copy spread alone over that many PEs (stationary
/// only; see computeInvocationStages).
LayerCost estimateLayerCost(const LayerShape &layer,
                            const hw::HardwareDescription &hw,
                            ExecutionMode mode, int64_t copies = 1,
                            int64_t spreadPes = 0);

/// How stationary layers are laid out on the PEs.
enum class Placement {
  /// Crossbar after crossbar in program order: copies and layers share PEs
  /// (and their digital units, buffers and links).
  Packed,
  /// Every copy of a layer on PEs of its own; the slowest layers' copies
  /// spread over the PEs packing leaves idle while that pays (down to one
  /// crossbar per PE).
  Spread
};
llvm::StringRef stringify(Placement placement);
std::optional<Placement> parsePlacement(llvm::StringRef name);

/// How a network is laid out on the chip.
struct NetworkPlan {
  ExecutionMode mode = ExecutionMode::Stationary;
  /// Spread when asked for, the weights are stationary and every copy fits
  /// on PEs of its own; packed otherwise.
  Placement placement = Placement::Packed;
  /// Copies per layer, in layer order.
  std::vector<int64_t> copies;
  /// Spread placement: PEs per copy, in layer order (empty when packed).
  std::vector<int64_t> pesPerCopy;
  /// Crossbars one copy of every layer needs together.
  int64_t crossbarsNeeded = 0;
  /// PEs the plan occupies (spread placement only).
  int64_t pesUsed = 0;

  /// The spread of layer `i` for estimateLayerCost (0 when packed).
  int64_t getSpreadPes(size_t i) const {
    return placement == Placement::Spread ? pesPerCopy[i] : 0;
  }
};

/// Chooses the execution mode from the hardware's rewrite policy and
/// duplicates the slowest layers into spare crossbars when weights are
/// stationary (`duplicate`): greedily, the layer with the largest latency
/// gets the fewest extra copies that make it faster (that lower
/// ceil(invocations / copies)) while they fit; a layer that cannot get
/// faster or does not fit drops out, and the next slowest goes on. Returns
/// std::nullopt and sets `error` when the weights must stay but do not fit
/// ("network needs X crossbars, the chip has Y").
///
/// With Placement::Spread (stationary weights only) the copies are planned
/// as above; then every copy starts on a PE of its own, each taking the
/// fewest whole PEs that hold it, and, with the chip's spare PEs as the
/// budget, the slowest layer has its copies spread over the fewest more
/// PEs that lower the network's energy-delay product (the sum of the
/// layers' latencies times their energy); a layer that cannot drops out
/// and the next slowest goes on. When the copies do not fit on PEs of
/// their own, the plan stays packed.
std::optional<NetworkPlan> planNetwork(llvm::ArrayRef<LayerShape> layers,
                                       const hw::HardwareDescription &hw,
                                       bool duplicate, std::string &error,
                                       Placement placement = Placement::Packed);

/// Per-layer costs and network totals. Layers run one after another, so the
/// network latency is the sum; `bottleneckPs` is the slowest layer (the
/// period of a layer pipeline).
struct NetworkCost {
  ExecutionMode mode = ExecutionMode::Stationary;
  Placement placement = Placement::Packed;
  /// PEs the copies occupy (spread placement only; 0 when packed).
  int64_t pesUsed = 0;
  std::vector<LayerCost> layers;
  int64_t chipCrossbars = 0;
  /// Crossbars occupied (stationary: all layers; rewrite: the largest
  /// layer's share of the chip) and their fraction of the chip.
  int64_t crossbarsUsed = 0;
  double chipUtilization = 0;
  /// Weight cells over the cells of the occupied crossbars, one copy per
  /// layer.
  double cellUtilization = 0;

  int64_t mvmSteps = 0, adcConversions = 0, crossbarWrites = 0, digitalOps = 0,
          bufferBytes = 0, interconnectBytes = 0;
  uint64_t latencyPs = 0, cycles = 0, bottleneckPs = 0;
  double energyPj = 0;
  /// Writing the stationary weights once before inference (not part of the
  /// latency above): one crossbar per PE at a time.
  uint64_t programmingPs = 0;
  double programmingEnergyPj = 0;
};

NetworkCost estimateNetworkCost(llvm::ArrayRef<LayerShape> layers,
                                const hw::HardwareDescription &hw,
                                const NetworkPlan &plan);

/// One tile of a placed layer, in the fields of #cim.tile.
struct TilePlacement {
  int64_t pe = 0, xbar = 0;
  int64_t rowBegin = 0, rowEnd = 0, colBegin = 0, colEnd = 0;
  int64_t slice = 0, copy = 0, group = 0;
  int64_t atRow = 0, atCol = 0;
};

/// The tiles of every copy of a layer. Crossbar slots are numbered from
/// `firstSlot` (slot k is crossbar k % crossbars_per_pe of PE
/// k / crossbars_per_pe). Bit slices are laid out slice-major along the
/// columns and cut every colsPerCrossbar columns, so one crossbar may hold
/// pieces of two slices side by side. Under rewriting the slots wrap around
/// the chip and the write round is folded into the crossbar index:
/// xbar = round * crossbars_per_pe + crossbar.
std::vector<TilePlacement> placeLayer(const LayerShape &layer,
                                      const hw::HardwareDescription &hw,
                                      ExecutionMode mode, int64_t copies,
                                      int64_t firstSlot);

/// Spread placement (stationary): copy c takes PEs firstPe + c * pesPerCopy
/// onwards, and its k-th crossbar (in the order of placeLayer) goes to its
/// PE k * pesPerCopy / crossbarsPerCopy, so that every PE holds floor or
/// ceil(crossbarsPerCopy / pesPerCopy) of them from xbar 0 on.
std::vector<TilePlacement> placeLayerSpread(const LayerShape &layer,
                                            const hw::HardwareDescription &hw,
                                            int64_t copies, int64_t pesPerCopy,
                                            int64_t firstPe);

/// Text table of a network's cost, one line per layer plus totals, as
/// `cim-cost-report` prints it.
std::string formatCostReport(const NetworkCost &cost,
                             const hw::HardwareDescription &hw);

} // namespace cim
} // namespace mlir

#endif // CIM_ANALYSIS_COSTMODEL_H
