//===- Schedule.cpp - The cim-schedule pass -------------------------------===//

#include "cim/Schedule/Schedule.h"
#include "cim/Analysis/ModuleCost.h"
#include "cim/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace mlir {
namespace cim {
#define GEN_PASS_DEF_SCHEDULE
#include "cim/Transforms/Passes.h.inc"

namespace {
struct SchedulePass : public impl::ScheduleBase<SchedulePass> {
  using ScheduleBase::ScheduleBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<ScheduleMode> mode = parseScheduleMode(schedule);
    if (!mode) {
      module.emitError() << "cim-schedule: unknown schedule '" << schedule
                         << "' (expected layer or cross-layer)";
      return signalPassFailure();
    }
    FailureOr<hw::HardwareDescription> desc = loadHardwareFor(module, hw);
    if (failed(desc))
      return signalPassFailure();
    FailureOr<ScheduleGraph> graph = buildScheduleGraph(module);
    if (failed(graph))
      return signalPassFailure();
    FailureOr<ExecutionMode> execution =
        getExecutionMode(module, *graph, *desc);
    if (failed(execution))
      return signalPassFailure();
    prog::Program program = scheduleGraph(*graph, *desc, *execution, *mode);
    prog::Timing timing = prog::simulateTiming(program);

    MLIRContext *context = &getContext();
    for (auto [index, op] : llvm::enumerate(graph->ops)) {
      const prog::NodeTiming &t = timing.nodes[index];
      op->setAttr("cim.schedule",
                  ScheduleAttr::get(context, index, desc->toCycles(t.startPs),
                                    desc->toCycles(t.endPs),
                                    program.nodes[index].sets));
    }
    Builder b(context);
    module->setAttr(
        "cim.schedule_kind",
        ScheduleKindAttr::get(context, *mode == ScheduleMode::LayerByLayer
                                           ? ScheduleKind::Layer
                                           : ScheduleKind::CrossLayer));
    module->setAttr("cim.latency_cycles",
                    b.getI64IntegerAttr(desc->toCycles(timing.latencyPs)));
    module->setAttr("cim.lower_bound_cycles",
                    b.getI64IntegerAttr(desc->toCycles(timing.lowerBoundPs)));
  }
};
} // namespace
} // namespace cim
} // namespace mlir
