//===- Text.h - Guards for text input formats -------------------*- C++ -*-===//
//
// Small checks shared by the parsers of text formats (hardware descriptions,
// policy files), so that malformed input gives one readable line and never
// a crash (docs/reliability.md). Plain C++ on LLVM Support.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_SUPPORT_TEXT_H
#define CIM_SUPPORT_TEXT_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir {
namespace cim {

/// `text` fit for one line of a diagnostic: line breaks and control
/// characters escaped (\n, \xNN), cut after `maxLength` bytes with "...".
std::string toOneLine(llvm::StringRef text, size_t maxLength = 300);

/// `text` with the characters HTML gives a meaning to (< > & ") escaped, for
/// the self-contained report pages.
std::string escapeHtml(llvm::StringRef text);

/// The offset of the first '[' or '{' that opens more than `maxDepth`
/// nested collections (outside quoted strings), or StringRef::npos. The
/// JSON and YAML parsers recurse once per level: a file of a million '['
/// would overflow the stack.
size_t findDeepNesting(llvm::StringRef text, unsigned maxDepth);

} // namespace cim
} // namespace mlir

#endif // CIM_SUPPORT_TEXT_H
