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

const YamlDocument::Entry *YamlDocument::lookup(StringRef path) const {
  auto it = values.find(path.str());
  return it == values.end() ? nullptr : &it->second;
}

std::unique_ptr<YamlNode> YamlDocument::copy(llvm::yaml::Node *node) {
  auto out = std::make_unique<YamlNode>();
  out->at = node->getSourceRange().Start.getPointer();
  if (auto *scalar = llvm::dyn_cast<llvm::yaml::ScalarNode>(node)) {
    out->kind = YamlNode::Kind::Scalar;
    llvm::SmallString<32> storage;
    out->scalar = scalar->getValue(storage).str();
  } else if (auto *map = llvm::dyn_cast<llvm::yaml::MappingNode>(node)) {
    out->kind = YamlNode::Kind::Mapping;
    for (llvm::yaml::KeyValueNode &kv : *map) {
      auto *key = llvm::dyn_cast_or_null<llvm::yaml::ScalarNode>(kv.getKey());
      llvm::yaml::Node *value = kv.getValue();
      if (!key || !value)
        continue;
      llvm::SmallString<32> storage;
      YamlNode::KeyValue entry;
      entry.key = key->getValue(storage).str();
      entry.keyAt = key->getSourceRange().Start.getPointer();
      entry.value = copy(value);
      out->entries.push_back(std::move(entry));
    }
  } else if (auto *seq = llvm::dyn_cast<llvm::yaml::SequenceNode>(node)) {
    out->kind = YamlNode::Kind::Sequence;
    for (llvm::yaml::Node &item : *seq)
      out->items.push_back(copy(&item));
  }
  return out;
}

void YamlDocument::index(const YamlNode &map, const std::string &path) {
  for (const YamlNode::KeyValue &kv : map.entries) {
    std::string child = (path.empty() ? "" : path + ".") + kv.key;
    if (!keys.try_emplace(child, Entry{kv.keyAt, nullptr}).second) {
      report(kv.keyAt, child + ": appears twice");
      continue;
    }
    values[child] = Entry{kv.value->at, kv.value.get()};
    if (kv.value->isMapping())
      index(*kv.value, child);
  }
}

std::unique_ptr<YamlDocument>
YamlDocument::parse(StringRef text, StringRef fileName, StringRef what,
                    std::vector<LocatedError> &errors, unsigned maxNesting) {
  std::unique_ptr<YamlDocument> doc(new YamlDocument(text, fileName, errors));
  size_t before = errors.size();
  // The YAML parser recurses once per nested collection.
  if (size_t at = findDeepNesting(text, maxNesting); at != StringRef::npos) {
    doc->report(text.data() + at, "nested more than " +
                                      std::to_string(maxNesting) +
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
  llvm::yaml::Stream stream(text, doc->parserDiags);
  llvm::yaml::document_iterator it = stream.begin();
  llvm::yaml::Node *root = it != stream.end() ? it->getRoot() : nullptr;
  // Copying the tree parses all of it (and reports syntax errors).
  if (root)
    doc->root = doc->copy(root);
  if (stream.failed() || errors.size() != before)
    return nullptr;
  if (!doc->root || !doc->root->isMapping()) {
    doc->report(doc->root ? doc->root->at : text.data(),
                ("not " + what + " (expected a mapping of sections)").str());
    return nullptr;
  }
  doc->index(*doc->root, "");
  if (errors.size() != before)
    return nullptr;
  return doc;
}
