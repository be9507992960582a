//===- CIMEnums.cpp - The cim dialect's enums as plain C++ ----------------===//

#include "cim/Dialect/CIM/CIMEnums.h"

#include "llvm/ADT/StringSwitch.h"

#include "cim/Dialect/CIM/CIMEnums.cpp.inc"
