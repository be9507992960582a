//===- Schedule.cpp - The cim-schedule pass -------------------------------===//

#include "cim/Analysis/ModuleCost.h"
#include "cim/Schedule/Schedule.h"
#include "cim/Transforms/Passes.h"

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
    std::shared_ptr<HardwareSource> source =
        hardware ? hardware : std::make_shared<HardwareSource>(hw);
    FailureOr<const hw::HardwareDescription *> desc = source->get(module);
    if (failed(desc))
      return signalPassFailure();
    FailureOr<prog::Program> program =
        scheduleModule(module, **desc, *mode, /*annotate=*/true);
    if (failed(program))
      return signalPassFailure();
    if (onScheduled)
      onScheduled(std::move(*program));
  }

  /// Set by the pipeline: the compilation's hardware, and who takes the
  /// computed program.
  std::shared_ptr<HardwareSource> hardware;
  std::function<void(prog::Program)> onScheduled;
};
} // namespace

std::unique_ptr<Pass>
createSchedule(const ScheduleOptions &options,
               std::shared_ptr<HardwareSource> hardware,
               std::function<void(prog::Program)> onScheduled) {
  auto pass = std::make_unique<SchedulePass>(options);
  pass->hardware = std::move(hardware);
  pass->onScheduled = std::move(onScheduled);
  return pass;
}
} // namespace cim
} // namespace mlir
