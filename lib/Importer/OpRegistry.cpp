//===- OpRegistry.cpp - ONNX operators to their importers -----------------===//

#include "OpImporters.h"

#include <cassert>

using namespace mlir;
using namespace mlir::cim::importer;

void OpRegistry::add(StringRef opType, int64_t sinceVersion, ImportFn import,
                     Folding folding) {
  SmallVectorImpl<OpImporter> &versions = defaultDomain[opType];
  auto pos = llvm::find_if(versions, [&](const OpImporter &v) {
    return v.sinceVersion >= sinceVersion;
  });
  assert((pos == versions.end() || pos->sinceVersion != sinceVersion) &&
         "an operator version is registered twice");
  versions.insert(pos, OpImporter{sinceVersion, std::move(import), folding});
}

const OpImporter *OpRegistry::lookup(StringRef domain, StringRef opType,
                                     int64_t opset) const {
  if (!domain.empty() && domain != "ai.onnx")
    return nullptr;
  auto it = defaultDomain.find(opType);
  if (it == defaultDomain.end())
    return nullptr;
  const OpImporter *found = nullptr;
  for (const OpImporter &version : it->second)
    if (version.sinceVersion <= opset)
      found = &version;
  return found;
}

const OpRegistry &mlir::cim::importer::getOpRegistry() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    registerLinearOps(r);
    registerElementwiseOps(r);
    registerDataMovementOps(r);
    registerConstantOps(r);
    registerNormalizationOps(r);
    registerPoolingOps(r);
    registerQuantOps(r);
    registerControlFlowOps(r);
    registerAttentionOps(r);
    return r;
  }();
  return registry;
}
