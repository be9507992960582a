//===- TensorReader.cpp - Reading tensor files through the context --------===//

#include "cim/Tensor/TensorReader.h"

#include "mlir/IR/Dialect.h"
#include "mlir/IR/MLIRContext.h"

using namespace mlir;
using namespace mlir::cim;

MLIR_DEFINE_EXPLICIT_TYPE_ID(mlir::cim::TensorFileReaderInterface)

const TensorFileReaderInterface *
mlir::cim::getTensorFileReader(MLIRContext *context) {
  Dialect *dialect = context->getLoadedDialect("cim");
  if (!dialect)
    return nullptr;
  return dialect->getRegisteredInterface<TensorFileReaderInterface>();
}
