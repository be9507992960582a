//===- CIMTypes.cpp - Types of the cim dialect ----------------------------===//

#include "cim/Dialect/CIM/CIMTypes.h"
#include "cim/Dialect/CIM/CIMDialect.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::cim;

#define GET_TYPEDEF_CLASSES
#include "cim/Dialect/CIM/CIMTypes.cpp.inc"

void CIMDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "cim/Dialect/CIM/CIMTypes.cpp.inc"
      >();
}

/// `<f8E4M3FN>`: one of SmallFloatFormat's spellings.
Type SmallFloatType::parse(AsmParser &parser) {
  StringRef keyword;
  llvm::SMLoc loc = parser.getCurrentLocation();
  if (parser.parseLess() || parser.parseKeyword(&keyword))
    return {};
  std::optional<SmallFloatFormat> format = symbolizeSmallFloatFormat(keyword);
  if (!format) {
    parser.emitError(loc) << "unknown small float format '" << keyword
                          << "' (f8E4M3FN, f8E4M3FNUZ, f8E5M2, f8E5M2FNUZ, "
                             "f8E8M0FNU or f4E2M1FN)";
    return {};
  }
  if (parser.parseGreater())
    return {};
  return SmallFloatType::get(parser.getContext(), *format);
}

void SmallFloatType::print(AsmPrinter &printer) const {
  printer << "<" << stringifySmallFloatFormat(getFormat()) << ">";
}
