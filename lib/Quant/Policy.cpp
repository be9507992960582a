//===- Policy.cpp - Per-layer bit-width policy files ----------------------===//

#include "cim/Quant/Policy.h"
#include "cim/Quant/Quantizer.h"
#include "cim/Support/Text.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

using namespace mlir::cim;
using namespace mlir::cim::quant;
namespace json = llvm::json;

namespace {
struct Position {
  unsigned line = 0;
  unsigned column = 0;
};
} // namespace

/// 1-based line and column of byte `offset` of `text`.
static Position positionOf(const std::string &text, size_t offset) {
  Position pos{1, 1};
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      pos.column = 1;
    } else {
      ++pos.column;
    }
  }
  return pos;
}

/// Positions of the elements of the top-level "layers" array, found by a
/// scan over the (already validated) JSON text: llvm::json keeps no source
/// positions, and a diagnostic that points at the entry saves a search
/// through a long file.
static std::vector<Position> findLayerEntries(const std::string &text) {
  std::vector<Position> entries;
  // Offsets only grow: the position moves forward from the last one, so
  // the scan stays linear in the file's size.
  Position at{1, 1};
  size_t atOffset = 0;
  auto positionAt = [&](size_t offset) {
    for (; atOffset < offset; ++atOffset) {
      if (text[atOffset] == '\n') {
        ++at.line;
        at.column = 1;
      } else {
        ++at.column;
      }
    }
    return at;
  };
  std::vector<char> stack;    // the open '{' and '['
  size_t layersDepth = 0;     // stack size inside the layers array, or 0
  bool expectKey = false;     // the next string is an object key
  bool expectElement = false; // the next token starts a layers entry
  std::string lastKey;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c)))
      continue;
    if (expectElement && c != ']') {
      entries.push_back(positionAt(i));
      expectElement = false;
    }
    if (c == '"') {
      size_t start = ++i;
      for (; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
      if (expectKey)
        lastKey = text.substr(start, i - start);
      expectKey = false;
    } else if (c == '{' || c == '[') {
      if (c == '[' && stack.size() == 1 && lastKey == "layers") {
        layersDepth = stack.size() + 1;
        expectElement = true;
      }
      stack.push_back(c);
      expectKey = c == '{';
    } else if (c == '}' || c == ']') {
      if (stack.size() == layersDepth)
        layersDepth = 0;
      if (!stack.empty())
        stack.pop_back();
      expectKey = false;
      expectElement = false;
    } else if (c == ',') {
      expectKey = !stack.empty() && stack.back() == '{';
      expectElement = layersDepth != 0 && stack.size() == layersDepth;
    }
  }
  return entries;
}

/// The value as JSON text, for messages.
static std::string show(const json::Value &value) {
  return llvm::formatv("{0}", value).str();
}

static bool fail(PolicyError &error, Position pos, const llvm::Twine &message) {
  error.line = pos.line;
  error.column = pos.column;
  // Messages quote keys and values of the file: one line whatever they hold.
  error.message = toOneLine(message.str());
  return false;
}

/// JSON is parsed recursively, one level per nested array or object; a
/// policy is three levels deep.
static constexpr unsigned kMaxNesting = 64;

/// Reads `key` of an entry as a bit width.
static bool readBits(const json::Object &entry, llvm::StringRef key,
                     std::optional<unsigned> &bits, const std::string &where,
                     Position pos, PolicyError &error) {
  const json::Value *value = entry.get(key);
  if (!value)
    return true;
  std::optional<int64_t> n = value->getAsInteger();
  if (!n || *n < int64_t(kMinBits) || *n > int64_t(kMaxBits))
    return fail(error, pos,
                where + ": " + key + " must be an integer in " +
                    llvm::Twine(kMinBits) + ".." + llvm::Twine(kMaxBits) +
                    ", got " + show(*value));
  bits = unsigned(*n);
  return true;
}

std::optional<BitwidthPolicy> quant::parsePolicy(const std::string &text,
                                                 PolicyError &error) {
  if (size_t at = findDeepNesting(text, kMaxNesting);
      at != llvm::StringRef::npos) {
    fail(error, positionOf(text, at),
         "malformed JSON: nested more than " + llvm::Twine(kMaxNesting) +
             " levels deep");
    return std::nullopt;
  }
  llvm::Expected<json::Value> root = json::parse(text);
  if (!root) {
    // ParseError logs "[line:column, byte=offset]: message"; its column
    // counts from 0 at the parser's position, which is one past the
    // offending character it has just read: the 1-based column of that
    // character.
    std::string log = llvm::toString(root.takeError());
    unsigned line = 0, column = 0, offset = 0;
    int consumed = 0;
    if (std::sscanf(log.c_str(), "[%u:%u, byte=%u]: %n", &line, &column,
                    &offset, &consumed) == 3 &&
        consumed > 0) {
      fail(error, {line, std::max(column, 1u)},
           "malformed JSON: " + llvm::StringRef(log).drop_front(consumed));
    } else {
      fail(error, {}, "malformed JSON: " + log);
    }
    return std::nullopt;
  }

  const json::Object *object = root->getAsObject();
  if (!object) {
    fail(error, positionOf(text, text.find_first_not_of(" \t\r\n")),
         "a policy is a JSON object with a \"layers\" array");
    return std::nullopt;
  }
  for (const auto &member : *object)
    if (member.first != "layers") {
      fail(error, {},
           "unknown key '" + member.first.str() + "' (expected \"layers\")");
      return std::nullopt;
    }
  const json::Array *layers = object->getArray("layers");
  if (!layers) {
    fail(error, {}, "a policy needs a \"layers\" array");
    return std::nullopt;
  }

  std::vector<Position> positions = findLayerEntries(text);
  BitwidthPolicy policy;
  for (size_t i = 0; i < layers->size(); ++i) {
    Position pos = i < positions.size() ? positions[i] : Position();
    std::string where = "layers[" + std::to_string(i) + "]";
    const json::Object *entry = (*layers)[i].getAsObject();
    if (!entry) {
      fail(error, pos,
           where + ": an entry must be an object, got " + show((*layers)[i]));
      return std::nullopt;
    }
    PolicyEntry result;
    result.line = pos.line;
    result.column = pos.column;
    for (const auto &member : *entry) {
      llvm::StringRef key = member.first;
      if (key != "name" && key != "index" && key != "wbits" && key != "abits") {
        fail(error, pos,
             where + ": unknown key '" + key +
                 "' (expected name, index, wbits, abits)");
        return std::nullopt;
      }
    }
    if (const json::Value *name = entry->get("name")) {
      std::optional<llvm::StringRef> text = name->getAsString();
      if (!text || text->empty()) {
        fail(error, pos,
             where + ": name must be a non-empty string, got " + show(*name));
        return std::nullopt;
      }
      result.name = text->str();
    }
    if (const json::Value *index = entry->get("index")) {
      std::optional<int64_t> n = index->getAsInteger();
      if (!n || *n < 0) {
        fail(error, pos,
             where + ": index must be a non-negative integer, got " +
                 show(*index));
        return std::nullopt;
      }
      result.index = *n;
    }
    if (result.name && result.index) {
      fail(error, pos, where + ": give a name or an index, not both");
      return std::nullopt;
    }
    if (!result.name && !result.index) {
      fail(error, pos, where + ": needs a name or an index");
      return std::nullopt;
    }
    if (!readBits(*entry, "wbits", result.wbits, where, pos, error) ||
        !readBits(*entry, "abits", result.abits, where, pos, error))
      return std::nullopt;
    if (!result.wbits && !result.abits) {
      fail(error, pos, where + ": sets neither wbits nor abits");
      return std::nullopt;
    }
    policy.layers.push_back(std::move(result));
  }
  return policy;
}

void quant::writePolicy(const BitwidthPolicy &policy, llvm::raw_ostream &os) {
  json::Array layers;
  for (const PolicyEntry &entry : policy.layers) {
    json::Object object;
    if (entry.name)
      object["name"] = *entry.name;
    if (entry.index)
      object["index"] = *entry.index;
    if (entry.wbits)
      object["wbits"] = int64_t(*entry.wbits);
    if (entry.abits)
      object["abits"] = int64_t(*entry.abits);
    layers.push_back(std::move(object));
  }
  json::Object root{{"layers", std::move(layers)}};
  os << llvm::formatv("{0:2}", json::Value(std::move(root))) << "\n";
}
