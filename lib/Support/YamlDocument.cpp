//===- YamlDocument.cpp - Located YAML documents --------------------------===//

#include "cim/Support/YamlDocument.h"
#include "cim/Support/Text.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir::cim;
using llvm::StringRef;

std::string LocatedError::str() const {
  std::string out = file;
  if (line)
    out += ":" + std::to_string(line) + ":" + std::to_string(column);
  return out + ": error: " + message;
}

YamlDocument::YamlDocument(StringRef text, StringRef fileName,
                           std::vector<LocatedError> &errors)
    : fileName(fileName.str()), errors(errors) {
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer(text, fileName,
                                       /*RequiresNullTerminator=*/false),
      llvm::SMLoc());
}

void YamlDocument::report(const char *at, const std::string &message) {
  LocatedError error;
  error.file = fileName;
  if (at) {
    auto [line, column] =
        sourceMgr.getLineAndColumn(llvm::SMLoc::getFromPointer(at));
    error.line = line;
    error.column = column;
  }
  // A message may quote the malformed text: keep it to one line.
  error.message = toOneLine(message);
  errors.push_back(std::move(error));
}

std::string YamlDocument::getScalar(llvm::yaml::Node *node) {
  auto *scalar = llvm::dyn_cast_or_null<llvm::yaml::ScalarNode>(node);
  if (!scalar)
    return "";
  llvm::SmallString<32> storage;
  return scalar->getValue(storage).str();
}

const YamlDocument::Entry *YamlDocument::lookup(StringRef path) const {
  auto it = values.find(path.str());
  return it == values.end() ? nullptr : &it->second;
}

void YamlDocument::walk(llvm::yaml::MappingNode *map, const std::string &path) {
  for (llvm::yaml::KeyValueNode &kv : *map) {
    auto *key = llvm::dyn_cast_or_null<llvm::yaml::ScalarNode>(kv.getKey());
    llvm::yaml::Node *value = kv.getValue();
    if (!key || !value)
      continue;
    llvm::SmallString<32> storage;
    std::string child =
        (path.empty() ? "" : path + ".") + key->getValue(storage).str();
    const char *keyAt = key->getSourceRange().Start.getPointer();
    if (!keys.try_emplace(child, Entry{keyAt, key}).second) {
      report(keyAt, child + ": appears twice");
      continue;
    }
    values[child] = Entry{value->getSourceRange().Start.getPointer(), value};
    if (auto *inner = llvm::dyn_cast<llvm::yaml::MappingNode>(value))
      walk(inner, child);
  }
}

std::unique_ptr<YamlDocument>
YamlDocument::parse(StringRef text, StringRef fileName, StringRef what,
                    std::vector<LocatedError> &errors, unsigned maxNesting) {
  std::unique_ptr<YamlDocument> doc(new YamlDocument(text, fileName, errors));
  size_t before = errors.size();
  // The YAML parser recurses once per nested collection.
  if (size_t at = findDeepNesting(text, maxNesting); at != StringRef::npos) {
    doc->report(text.data() + at,
                "nested more than " + std::to_string(maxNesting) +
                    " levels deep");
    return nullptr;
  }
  // LLVM's YAML parser builds the node tree; its first syntax error is
  // reported where it is.
  doc->parserDiags.setDiagHandler(
      [](const llvm::SMDiagnostic &diag, void *context) {
        auto *d = static_cast<YamlDocument *>(context);
        if (d->getErrorCount() == 0 ||
            diag.getKind() == llvm::SourceMgr::DK_Error)
          d->report(diag.getLoc().getPointer(), diag.getMessage().str());
      },
      doc.get());
  doc->stream = std::make_unique<llvm::yaml::Stream>(text, doc->parserDiags);
  llvm::yaml::document_iterator it = doc->stream->begin();
  llvm::yaml::Node *root =
      it != doc->stream->end() ? it->getRoot() : nullptr;
  // Walking the tree parses all of it (and reports syntax errors).
  auto *map = llvm::dyn_cast_or_null<llvm::yaml::MappingNode>(root);
  if (map)
    doc->walk(map, "");
  if (doc->stream->failed() || errors.size() != before)
    return nullptr;
  if (!map) {
    doc->report(root ? root->getSourceRange().Start.getPointer() : text.data(),
                ("not " + what + " (expected a mapping of sections)").str());
    return nullptr;
  }
  doc->start = root->getSourceRange().Start.getPointer();
  return doc;
}
