//===- CIMEnums.h - The cim dialect's enums as plain C++ --------*- C++ -*-===//
//
// The enums of CIMEnums.td (quantization scheme and granularity, signed
// weight mapping, pad and resize modes, ...) with their spellings
// (stringifyX / symbolizeX), in a library of their own that needs no MLIR
// IR. The dialect's attributes wrap them, and the quantizer (quant::Scheme)
// and the hardware description (hw::SignedWeightMapping) name the same
// definitions, so each enum and its spelling exist once.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMENUMS_H
#define CIM_DIALECT_CIM_CIMENUMS_H

#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/DenseMapInfo.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <optional>

#include "cim/Dialect/CIM/CIMEnums.h.inc"

#endif // CIM_DIALECT_CIM_CIMENUMS_H
