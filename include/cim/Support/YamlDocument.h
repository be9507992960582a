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

/// A node of a parsed document, copied out of LLVM's streaming parser (whose
/// collections can be walked once only).
struct YamlNode {
  enum class Kind { Scalar, Mapping, Sequence, Other };
  struct KeyValue {
    std::string key;
    /// Where the key starts.
    const char *keyAt = nullptr;
    std::unique_ptr<YamlNode> value;
  };
  Kind kind = Kind::Other;
  /// Where the node starts.
  const char *at = nullptr;
  /// A scalar's text.
  std::string scalar;
  /// A mapping's entries and a sequence's items, in document order.
  std::vector<KeyValue> entries;
  std::vector<std::unique_ptr<YamlNode>> items;

  bool isScalar() const { return kind == Kind::Scalar; }
  bool isMapping() const { return kind == Kind::Mapping; }
  bool isSequence() const { return kind == Kind::Sequence; }
};

/// A parsed YAML document whose root is a mapping.
class YamlDocument {
public:
  /// A key or value: where it starts, and its node.
  struct Entry {
    const char *at = nullptr;
    const YamlNode *node = nullptr;
  };

  /// Parses `text` (`fileName` names it in errors). A syntax error, a
  /// repeated key, nesting deeper than `maxNesting` or a root that is not a
  /// mapping is reported (the root's message says what the file should be:
  /// `what`, e.g. "a hardware description") and gives nullptr.
  static std::unique_ptr<YamlDocument>
  parse(llvm::StringRef text, llvm::StringRef fileName, llvm::StringRef what,
        std::vector<LocatedError> &errors, unsigned maxNesting = 64);

  /// Every key and value of the nested mappings (not of mappings inside
  /// sequences), by dotted path.
  const std::map<std::string, Entry> &getKeys() const { return keys; }
  const std::map<std::string, Entry> &getValues() const { return values; }
  /// The value at `path`, if any.
  const Entry *lookup(llvm::StringRef path) const;
  /// The root mapping.
  const YamlNode &getRoot() const { return *root; }
  /// Where the document starts (for a missing top-level key).
  const char *getStart() const { return root->at; }

  /// Appends an error at `at` (nullptr: the file as a whole); the message
  /// is kept to one line.
  void report(const char *at, const std::string &message);
  /// The errors appended so far (by parse and report).
  size_t getErrorCount() const { return errors.size(); }

  /// A scalar's text ("" for any other node or none).
  static std::string getScalar(const YamlNode *node) {
    return node && node->isScalar() ? node->scalar : std::string();
  }

private:
  YamlDocument(llvm::StringRef text, llvm::StringRef fileName,
               std::vector<LocatedError> &errors);
  std::unique_ptr<YamlNode> copy(llvm::yaml::Node *node);
  void index(const YamlNode &map, const std::string &path);

  /// Locates errors; the parser reports into a manager of its own.
  llvm::SourceMgr sourceMgr, parserDiags;
  std::string fileName;
  std::vector<LocatedError> &errors;
  std::unique_ptr<YamlNode> root;
  std::map<std::string, Entry> keys, values;
};

} // namespace cim
} // namespace mlir

#endif // CIM_SUPPORT_YAMLDOCUMENT_H
