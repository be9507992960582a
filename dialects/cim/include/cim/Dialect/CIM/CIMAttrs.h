//===- CIMAttrs.h - Attributes of the cim dialect ---------------*- C++ -*-===//

#ifndef CIM_DIALECT_CIM_CIMATTRS_H
#define CIM_DIALECT_CIM_CIMATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "cim/Dialect/CIM/CIMEnums.h"

#define GET_ATTRDEF_CLASSES
#include "cim/Dialect/CIM/CIMAttrs.h.inc"

namespace mlir {
namespace cim {
/// Parses and prints `[<tile>, <tile>, ...]` inside a #cim.mapping.
FailureOr<SmallVector<TileAttr>> parseTileList(AsmParser &parser);
void printTileList(AsmPrinter &printer, ArrayRef<TileAttr> tiles);
} // namespace cim
} // namespace mlir

#endif // CIM_DIALECT_CIM_CIMATTRS_H
