//===- Schedule.h - Layer-by-layer and cross-layer scheduling ---*- C++ -*-===//
//
// The scheduler turns a mapped network into per-PE instruction streams
// (prog::Program). Every op's output is split into sets (rows of output
// pixels, finer when a layer has more copies than rows); each set depends
// on the producer sets its receptive field reaches through kernels,
// strides, padding, pooling, residual adds and concats (CLSA-CIM,
// arXiv 2401.07671). A list scheduler starts each set as soon as its
// inputs exist and a copy of its layer is free (cross-layer), or only when
// the previous op has finished completely (layer-by-layer).
//
// The graph is plain C++ (ScheduleGraph) so that tests can build one
// directly; buildScheduleGraph derives it from a module mapped by
// cim-map-crossbars.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_SCHEDULE_SCHEDULE_H
#define CIM_SCHEDULE_SCHEDULE_H

#include "cim/Analysis/CostModel.h"
#include "cim/Dialect/CIM/CIMAttrs.h"
#include "cim/Program/Program.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

#include <string>
#include <vector>

namespace mlir {
namespace cim {

/// How a consumer's output rows reach into one of its inputs.
enum class DependenceKind {
  /// Every row of the input (reshape, dense layers, global pooling, ...).
  Full,
  /// The same rows (elementwise ops, residual adds, channel concats).
  SameRow,
  /// A sliding window over the rows: conv and pooling kernels.
  Window,
  /// Rows scaled by out/in (resize).
  Scaled,
};

struct ScheduleInput {
  /// Producing node, or -1 for a graph input or constant.
  int32_t node = -1;
  DependenceKind kind = DependenceKind::Full;
  /// Window: kernel extent, stride, top padding and dilation along rows.
  int64_t kernel = 1, stride = 1, padBegin = 0, dilation = 1;
};

struct ScheduleNode {
  std::string name;
  std::string op;
  /// Output rows: batch * height for feature maps (N x C x H x ...), the
  /// leading dimension for matrices, 1 otherwise.
  int64_t batch = 1, rows = 1;
  /// Work units per row: invocations (crossbar layers) or output elements.
  int64_t rowSize = 1;
  /// Index into ScheduleGraph::layers, or -1 for digital ops.
  int32_t layer = -1;
  /// Digital operations per output element, and whether the op only
  /// re-labels its input (reshape, flatten, concat: no work, no data
  /// movement).
  double opsPerElement = 1;
  bool alias = false;
  /// Bytes per output element moved between PEs (8-bit activation codes).
  int64_t bytesPerElement = 1;
  /// Output elements per work unit (a crossbar layer's output channels per
  /// invocation; 1 for digital ops).
  int64_t elementsPerUnit = 1;
  std::vector<ScheduleInput> inputs;
  int64_t getSize() const { return rows * rowSize; }
};

struct ScheduleLayer {
  LayerShape shape;
  /// Copies and, per copy, the PEs its tiles occupy (sorted; the first is
  /// the copy's home PE). Under rewriting there is one copy.
  std::vector<std::vector<int64_t>> copyPes;
  /// Spread placement: the PEs of each copy, which it has to itself (0 when
  /// packed; see computeInvocationStages).
  int64_t spreadPes = 0;
};

struct ScheduleGraph {
  std::vector<ScheduleNode> nodes; // in a topological (program) order
  std::vector<ScheduleLayer> layers;
  /// The op of each node when built from IR (empty otherwise).
  std::vector<Operation *> ops;
};

/// The graph of the single function of a module mapped by
/// cim-map-crossbars. Fails with a located error on an unmapped layer or a
/// dynamic shape.
FailureOr<ScheduleGraph> buildScheduleGraph(ModuleOp module);

/// The execution mode a mapped module runs in on `hw` (stationary unless
/// the hardware's rewrite policy needs rounds); fails with a located error
/// when it does not fit.
FailureOr<ExecutionMode> getExecutionMode(ModuleOp module,
                                          const ScheduleGraph &graph,
                                          const hw::HardwareDescription &hw);

/// Schedules `graph` on `hw` and returns the program with nodes, layer
/// headers (no weight values), units and instructions; the caller adds the
/// functional graph and weights. `mode` is the weight execution mode the
/// mapping chose (rewrite rounds run one layer at a time whatever
/// `schedule` says).
prog::Program scheduleGraph(const ScheduleGraph &graph,
                            const hw::HardwareDescription &hw,
                            ExecutionMode mode, ScheduleKind schedule);

/// The schedule of a module mapped by cim-map-crossbars for `hw`: its graph,
/// execution mode and program skeleton (scheduleGraph's result). With
/// `annotate`, every compute op gets its `cim.schedule` and the module its
/// `cim.schedule_kind`, `cim.latency_cycles` and `cim.lower_bound_cycles`
/// (the cim-schedule pass). Fails with a located error.
FailureOr<prog::Program> scheduleModule(ModuleOp module,
                                        const hw::HardwareDescription &hw,
                                        ScheduleKind schedule, bool annotate);

} // namespace cim
} // namespace mlir

#endif // CIM_SCHEDULE_SCHEDULE_H
