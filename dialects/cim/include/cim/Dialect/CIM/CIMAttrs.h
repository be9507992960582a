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
/// The spelling of a schedule kind on command lines and in program files:
/// its keyword in #cim.schedule_kind with '-' for '_' ("layer",
/// "cross-layer").
std::string stringifyScheduleOption(ScheduleKind kind);
/// The kind spelled `text` (stringifyScheduleOption), if any.
std::optional<ScheduleKind> parseScheduleOption(llvm::StringRef text);
/// Every spelling, for messages: "layer or cross-layer".
std::string getScheduleOptionList();

/// Parses and prints `[<tile>, <tile>, ...]` inside a #cim.mapping.
FailureOr<SmallVector<TileAttr>> parseTileList(AsmParser &parser);
void printTileList(AsmPrinter &printer, ArrayRef<TileAttr> tiles);
} // namespace cim
} // namespace mlir

#endif // CIM_DIALECT_CIM_CIMATTRS_H
