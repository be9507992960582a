//===- Processor.cpp - A conventional processor as a baseline -------------===//

#include "cim/Hardware/Processor.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <cstdlib>

#ifndef CIM_PROCESSOR_DIR
#define CIM_PROCESSOR_DIR "models/processors"
#endif

using namespace mlir::cim;
using namespace mlir::cim::hw;
using llvm::StringRef;

namespace {
using PD = ProcessorDescription;

/// One numeric field: its path, its member, whether it must be positive
/// (else non-negative) and whether it may be absent.
struct NumberField {
  const char *path;
  double PD::*member;
  bool positive;
  bool optional;
};

const NumberField kNumberFields[] = {
    {"peak_tera_macs_per_s", &PD::peakTeraMacsPerS, true, false},
    {"vector_tera_ops_per_s", &PD::vectorTeraOpsPerS, true, false},
    {"memory_bandwidth_gb_per_s", &PD::memoryGbPerS, true, false},
    {"data_bits", &PD::dataBits, true, false},
    {"layer_overhead_ns", &PD::layerOverheadNs, false, true},
    {"energy.mac_pj", &PD::macPj, false, false},
    {"energy.vector_op_pj", &PD::vectorOpPj, false, false},
    {"energy.memory_pj_per_byte", &PD::memoryPjPerByte, false, false},
};

bool isKnownPath(StringRef path) {
  return path == "name" || path == "source" || path == "energy" ||
         llvm::any_of(kNumberFields,
                      [&](const NumberField &f) { return path == f.path; });
}
} // namespace

std::optional<ProcessorDescription>
mlir::cim::hw::parseProcessorDescription(StringRef text, StringRef fileName,
                                         std::vector<LocatedError> &errors) {
  std::unique_ptr<YamlDocument> doc =
      YamlDocument::parse(text, fileName, "a processor description", errors);
  if (!doc)
    return std::nullopt;
  size_t before = doc->getErrorCount();
  for (auto &[path, entry] : doc->getKeys())
    if (!isKnownPath(path))
      doc->report(entry.at, path + ": unknown key");
  if (doc->getErrorCount() != before)
    return std::nullopt;

  ProcessorDescription pd;
  auto scalar = [&](StringRef path, bool optional, std::string &out) -> bool {
    const YamlDocument::Entry *entry = doc->lookup(path);
    if (!entry) {
      if (!optional)
        doc->report(doc->getStart(), path.str() + ": required key is missing");
      return false;
    }
    if (!entry->node->isScalar()) {
      doc->report(entry->at, path.str() + ": must be a single value");
      return false;
    }
    out = YamlDocument::getScalar(entry->node);
    return true;
  };
  scalar("name", false, pd.name);
  scalar("source", true, pd.source);
  if (const YamlDocument::Entry *name = doc->lookup("name"))
    if (!pd.name.empty() && !llvm::all_of(pd.name, [](char c) {
          return llvm::isAlnum(c) || c == '-' || c == '_' || c == '.';
        }))
      doc->report(name->at, "name: may only hold letters, digits, '-', '_' "
                            "and '.', got '" +
                                pd.name + "'");
  // The first missing or malformed field is reported: a truncated file
  // gives one line.
  for (const NumberField &field : kNumberFields) {
    if (doc->getErrorCount() != before)
      return std::nullopt;
    std::string text;
    if (!scalar(field.path, field.optional, text))
      continue;
    double value;
    const YamlDocument::Entry *entry = doc->lookup(field.path);
    if (!llvm::to_float(text, value) || !std::isfinite(value) || value < 0 ||
        (field.positive && value == 0)) {
      doc->report(entry->at,
                  std::string(field.path) + ": must be a " +
                      (field.positive ? "positive" : "non-negative") +
                      " number, got '" + text + "'");
      continue;
    }
    pd.*field.member = value;
  }
  if (doc->getErrorCount() != before)
    return std::nullopt;
  return pd;
}

std::optional<ProcessorDescription>
mlir::cim::hw::loadProcessorDescription(StringRef nameOrPath,
                                        std::vector<LocatedError> &errors) {
  std::string path = resolveProcessorPath(nameOrPath);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    LocatedError error;
    error.file = path;
    error.message =
        "cannot read processor description: " + buffer.getError().message();
    errors.push_back(std::move(error));
    return std::nullopt;
  }
  return parseProcessorDescription((*buffer)->getBuffer(), path, errors);
}

std::string mlir::cim::hw::resolveProcessorPath(StringRef nameOrPath) {
  if (nameOrPath.contains('/') || nameOrPath.endswith(".yaml") ||
      nameOrPath.endswith(".yml"))
    return nameOrPath.str();
  const char *dir = std::getenv("CIM_PROCESSOR_DIR");
  llvm::SmallString<256> path(dir && *dir ? dir : CIM_PROCESSOR_DIR);
  llvm::sys::path::append(path, nameOrPath + ".yaml");
  return std::string(path);
}

StringRef mlir::cim::hw::getDefaultProcessorName() { return "a100"; }
