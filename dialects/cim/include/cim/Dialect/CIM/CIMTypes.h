//===- CIMTypes.h - Types of the cim dialect --------------------*- C++ -*-===//

#ifndef CIM_DIALECT_CIM_CIMTYPES_H
#define CIM_DIALECT_CIM_CIMTYPES_H

#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/Types.h"

#include "cim/Dialect/CIM/CIMEnums.h"

#define GET_TYPEDEF_CLASSES
#include "cim/Dialect/CIM/CIMTypes.h.inc"

#endif // CIM_DIALECT_CIM_CIMTYPES_H
