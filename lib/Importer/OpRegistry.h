//===- OpRegistry.h - ONNX operators to their importers ---------*- C++ -*-===//
//
// Private to lib/Importer. The operator table: for each ONNX operator
// (domain and op type) the importers of its versions, each valid from the
// opset where that version of the operator appeared until the next one
// registered. A model of opset N gets the importer with the highest
// `sinceVersion` not above N. Importers are registered by family, one
// register function per file (linear, elementwise, data movement, constants
// and casts, normalization, pooling and resize, quantization).
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_IMPORTER_OPREGISTRY_H
#define CIM_LIB_IMPORTER_OPREGISTRY_H

#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <functional>

namespace mlir {
namespace cim {
namespace importer {

class GraphImporter;

/// Imports the current node of the graph importer: defines its outputs or
/// emits one error and fails.
using ImportFn = std::function<LogicalResult(GraphImporter &)>;

/// Whether a node may be evaluated at import time when all its inputs are
/// constants (by the reference executor, on the ops its importer builds).
enum class Folding { Never, WhenConstant };

struct OpImporter {
  int64_t sinceVersion;
  ImportFn import;
  Folding folding;
};

class OpRegistry {
public:
  /// Registers `import` for `opType` from opset `sinceVersion` on, in the
  /// default domain.
  void add(llvm::StringRef opType, int64_t sinceVersion, ImportFn import,
           Folding folding = Folding::Never);
  /// The same operator's importer registered from opset 1.
  void add(llvm::StringRef opType, ImportFn import,
           Folding folding = Folding::Never) {
    add(opType, 1, std::move(import), folding);
  }

  /// The importer of `opType` in `domain` ("" or "ai.onnx": the default
  /// domain) for a model of `opset`; null when there is none.
  const OpImporter *lookup(llvm::StringRef domain, llvm::StringRef opType,
                           int64_t opset) const;

private:
  /// Per op type, the versions in increasing `sinceVersion`.
  llvm::StringMap<llvm::SmallVector<OpImporter, 1>> defaultDomain;
};

/// The table of every operator the importer supports, built once from the
/// register functions of OpImporters.h.
const OpRegistry &getOpRegistry();

} // namespace importer
} // namespace cim
} // namespace mlir

#endif // CIM_LIB_IMPORTER_OPREGISTRY_H
