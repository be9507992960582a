//===- TestPasses.h - Passes that expose analyses to FileCheck --*- C++ -*-===//

#ifndef CIM_TEST_LIB_TESTPASSES_H
#define CIM_TEST_LIB_TESTPASSES_H

#include "cim/Dialect/CIM/CIMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir {
namespace cim {
namespace test {

#define GEN_PASS_DECL
#include "TestPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "TestPasses.h.inc"

} // namespace test
} // namespace cim
} // namespace mlir

#endif // CIM_TEST_LIB_TESTPASSES_H
