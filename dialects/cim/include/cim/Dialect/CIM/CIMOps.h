//===- CIMOps.h - Operations of the cim dialect -----------------*- C++ -*-===//

#ifndef CIM_DIALECT_CIM_CIMOPS_H
#define CIM_DIALECT_CIM_CIMOPS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "cim/Dialect/CIM/CIMDialect.h"
#include "cim/Dialect/CIM/CIMInterfaces.h"

#define GET_OP_CLASSES
#include "cim/Dialect/CIM/CIMOps.h.inc"

#endif // CIM_DIALECT_CIM_CIMOPS_H
