//===- CIMPDialect.h - The cimp (chip program) dialect ----------*- C++ -*-===//
//
// The dialect, its types and its ops. The instruction and unit ops name the
// prog::Opcode and prog::UnitKind they stand for (kOpcode, kKind).
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIMP_CIMPDIALECT_H
#define CIM_DIALECT_CIMP_CIMPDIALECT_H

#include "cim/Dialect/CIM/CIMDialect.h"
#include "cim/Program/Program.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"

#include "cim/Dialect/CIMP/CIMPOpsDialect.h.inc"

#define GET_TYPEDEF_CLASSES
#include "cim/Dialect/CIMP/CIMPOpsTypes.h.inc"

#define GET_OP_CLASSES
#include "cim/Dialect/CIMP/CIMPOps.h.inc"

#endif // CIM_DIALECT_CIMP_CIMPDIALECT_H
