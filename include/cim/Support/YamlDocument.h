//===- YamlDocument.h - Located YAML documents ------------------*- C++ -*-===//
//
// The reader behind the YAML formats (hardware descriptions, processor
// descriptions, design-space files): LLVM's YAML parser builds the node
// tree, and the document indexes every key and value of its nested
// mappings by dotted path ("chip.pes"), so that a format's reader looks
// fields up by path and reports each problem at its line and column.
// Plain C++ on LLVM Support.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_SUPPORT_YAMLDOCUMENT_H
#define CIM_SUPPORT_YAMLDOCUMENT_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLParser.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace cim {

/// One located problem in a text file: "file:line:col: error: message".
struct LocatedError {
  std::string file;
  unsigned line = 0;   // 1-based, 0 when unknown
  unsigned column = 0; // 1-based, 0 when unknown
  std::string message;

  /// "file:line:col: error: message", as compilers print it.
  std::string str() const;
};

/// A parsed YAML document whose root is a mapping.
class YamlDocument {
public:
  /// A key or value: where it starts, and its node.
  struct Entry {
    const char *at = nullptr;
    llvm::yaml::Node *node = nullptr;
  };

  /// Parses `text` (`fileName` names it in errors). A syntax error, a
  /// repeated key, nesting deeper than `maxNesting` or a root that is not a
  /// mapping is reported (the root's message says what the file should be:
  /// `what`, e.g. "a hardware description") and gives nullptr.
  static std::unique_ptr<YamlDocument>
  parse(llvm::StringRef text, llvm::StringRef fileName, llvm::StringRef what,
        std::vector<LocatedError> &errors, unsigned maxNesting = 64);

  /// Every key and value of the nested mappings, by dotted path.
  const std::map<std::string, Entry> &getKeys() const { return keys; }
  const std::map<std::string, Entry> &getValues() const { return values; }
  /// The value at `path`, if any.
  const Entry *lookup(llvm::StringRef path) const;
  /// Where the document starts (for a missing top-level key).
  const char *getStart() const { return start; }

  /// Appends an error at `at` (nullptr: the file as a whole); the message
  /// is kept to one line.
  void report(const char *at, const std::string &message);
  /// The errors appended so far (by parse and report).
  size_t getErrorCount() const { return errors.size(); }

  /// A scalar's text ("" for any other node).
  static std::string getScalar(llvm::yaml::Node *node);

private:
  YamlDocument(llvm::StringRef text, llvm::StringRef fileName,
               std::vector<LocatedError> &errors);
  void walk(llvm::yaml::MappingNode *map, const std::string &path);

  /// Locates errors; the parser reports into a manager of its own.
  llvm::SourceMgr sourceMgr, parserDiags;
  std::string fileName;
  std::vector<LocatedError> &errors;
  std::unique_ptr<llvm::yaml::Stream> stream;
  std::map<std::string, Entry> keys, values;
  const char *start = nullptr;
};

} // namespace cim
} // namespace mlir

#endif // CIM_SUPPORT_YAMLDOCUMENT_H
