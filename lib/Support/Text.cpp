//===- Text.cpp - Guards for text input formats ---------------------------===//

#include "cim/Support/Text.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir::cim;

std::string mlir::cim::toOneLine(llvm::StringRef text, size_t maxLength) {
  std::string out;
  for (char c : text.take_front(maxLength)) {
    if (c == '\n')
      out += "\\n";
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      out += "\\x" + llvm::utohexstr(static_cast<unsigned char>(c), true, 2);
    else
      out += c;
  }
  if (text.size() > maxLength)
    out += "...";
  return out;
}

std::string mlir::cim::escapeHtml(llvm::StringRef text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '&':
      out += "&amp;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

size_t mlir::cim::findDeepNesting(llvm::StringRef text, unsigned maxDepth) {
  // Brackets inside "..." do not count. A string ends at its line's end at
  // the latest: JSON strings cannot span lines, and in YAML a '"' inside a
  // plain scalar (12" wafer) must not hide the lines after it.
  unsigned depth = 0;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      quoted = false;
    } else if (quoted) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '[' || c == '{') {
      if (++depth > maxDepth)
        return i;
    } else if ((c == ']' || c == '}') && depth) {
      --depth;
    }
  }
  return llvm::StringRef::npos;
}
