//===- CIMDialect.cpp - The cim dialect -----------------------------------===//

#include "cim/Dialect/CIM/CIMDialect.h"
#include "cim/Dialect/CIM/CIMOps.h"

#include "mlir/IR/BuiltinOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::cim;

#include "cim/Dialect/CIM/CIMOpsDialect.cpp.inc"

void CIMDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "cim/Dialect/CIM/CIMOps.cpp.inc"
      >();
  registerAttributes();
  registerTypes();
}

Operation *CIMDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  auto elements = value.dyn_cast<ElementsAttr>();
  if (!elements || elements.getType() != type)
    return nullptr;
  return builder.create<ConstantOp>(loc, elements);
}

LogicalResult CIMDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  if (name == getScheduleAttrName()) {
    if (!attr.getValue().isa<ScheduleAttr>())
      return op->emitOpError()
             << "'" << name << "' must be a #cim.schedule attribute";
    if (op->getNumResults() == 0 || isa<ConstantOp>(op))
      return op->emitOpError()
             << "'" << name << "' belongs on ops that compute a result";
    return success();
  }
  if (name == "cim.schedule_kind") {
    if (!attr.getValue().isa<ScheduleKindAttr>())
      return op->emitOpError()
             << "'" << name << "' must be a #cim.schedule_kind attribute";
    if (!isa<ModuleOp>(op))
      return op->emitOpError() << "'" << name << "' belongs on the module";
    return success();
  }
  if (name == "cim.latency_cycles" || name == "cim.lower_bound_cycles") {
    if (!attr.getValue().isa<IntegerAttr>() || !isa<ModuleOp>(op))
      return op->emitOpError()
             << "'" << name << "' must be an integer on the module";
    return success();
  }
  if (name == "cim.hardware") {
    if (!attr.getValue().isa<StringAttr>())
      return op->emitOpError() << "'" << name << "' must be a string";
    return success();
  }
  if (name == "cim.placement") {
    auto value = attr.getValue().dyn_cast<StringAttr>();
    if (!value || !isa<ModuleOp>(op) ||
        (value.getValue() != "packed" && value.getValue() != "spread"))
      return op->emitOpError() << "'" << name
                               << "' must be \"packed\" or \"spread\" on "
                                  "the module";
    return success();
  }
  if (name == "cim.rhs_scale") {
    // The exact rhs scale of a product of two activations at the chip
    // level (LayerQuant.h, kExactRhsScaleAttrName).
    auto value = attr.getValue().dyn_cast<FloatAttr>();
    if (!value || !value.getType().isF32() || !isa<MatMulOp>(op) ||
        !(value.getValueAsDouble() > 0.0) ||
        !std::isfinite(value.getValueAsDouble()))
      return op->emitOpError() << "'" << name
                               << "' must be a positive finite f32 on a "
                                  "cim.matmul";
    return success();
  }
  return op->emitOpError() << "unknown cim dialect attribute '" << name << "'";
}
