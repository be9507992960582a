//===- Passes.h - cim transformation passes ---------------------*- C++ -*-===//

#ifndef CIM_TRANSFORMS_PASSES_H
#define CIM_TRANSFORMS_PASSES_H

#include "cim/Dialect/CIM/CIMDialect.h"
#include "cim/Dialect/CIMP/CIMPDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir {
namespace cim {

#define GEN_PASS_DECL
#include "cim/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "cim/Transforms/Passes.h.inc"

class HardwareSource;

/// cim-map-crossbars reading the chip from `hardware` (shared with the
/// other passes of a pipeline) instead of loading its `hw` option itself.
std::unique_ptr<Pass>
createMapCrossbars(const MapCrossbarsOptions &options,
                   std::shared_ptr<HardwareSource> hardware);

/// cim-schedule reading the chip from `hardware` (shared with the other
/// passes of a pipeline).
std::unique_ptr<Pass> createSchedule(const ScheduleOptions &options,
                                     std::shared_ptr<HardwareSource> hardware);

} // namespace cim
} // namespace mlir

#endif // CIM_TRANSFORMS_PASSES_H
