//===- CIMDialect.h - The cim dialect ---------------------------*- C++ -*-===//

#ifndef CIM_DIALECT_CIM_CIMDIALECT_H
#define CIM_DIALECT_CIM_CIMDIALECT_H

#include "mlir/IR/Dialect.h"

#include "cim/Dialect/CIM/CIMAttrs.h"
#include "cim/Dialect/CIM/CIMTypes.h"

#include "cim/Dialect/CIM/CIMOpsDialect.h.inc"

#endif // CIM_DIALECT_CIM_CIMDIALECT_H
