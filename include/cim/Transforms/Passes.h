//===- Passes.h - cim transformation passes ---------------------*- C++ -*-===//

#ifndef CIM_TRANSFORMS_PASSES_H
#define CIM_TRANSFORMS_PASSES_H

#include "cim/Dialect/CIM/CIMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir {
namespace cim {

#define GEN_PASS_DECL
#include "cim/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "cim/Transforms/Passes.h.inc"

} // namespace cim
} // namespace mlir

#endif // CIM_TRANSFORMS_PASSES_H
