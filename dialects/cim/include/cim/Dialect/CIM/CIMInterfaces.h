//===- CIMInterfaces.h - Interfaces of the cim dialect ----------*- C++ -*-===//

#ifndef CIM_DIALECT_CIM_CIMINTERFACES_H
#define CIM_DIALECT_CIM_CIMINTERFACES_H

#include "cim/Dialect/CIM/CIMAttrs.h"
#include "mlir/IR/OpDefinition.h"

namespace mlir {
namespace cim {

/// The im2col view of a weight-bearing layer: per group, a weight matrix of
/// `rows` x `cols` that is applied `invocations` times per inference (one
/// matrix-vector multiplication per output pixel or token).
struct LayerMatrix {
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t groups = 1;
  int64_t invocations = 0;

  bool operator==(const LayerMatrix &other) const {
    return rows == other.rows && cols == other.cols && groups == other.groups &&
           invocations == other.invocations;
  }
};

/// The name carried by a location: the innermost NameLoc, else "".
llvm::StringRef getNameFromLoc(Location loc);

/// Checks that a layer's quantization and mapping agree with its shape.
LogicalResult verifyLayerOp(Operation *op);

} // namespace cim
} // namespace mlir

#include "cim/Dialect/CIM/CIMInterfaces.h.inc"

namespace mlir {
namespace cim {
/// True when the layer's weight is a compile-time constant, so that it can
/// be stored in crossbars. A matmul of two activations (attention scores)
/// is not.
bool hasConstantWeight(LayerOpInterface layer);

/// True for a matmul whose rhs is not a constant: a product of two
/// activations (attention scores QK^T, attention x V). It is a quantized
/// layer of its own: the rhs (the operand a crossbar would hold) takes the
/// weight width with one symmetric per-tensor scale observed at
/// calibration, the lhs the activation width.
bool hasDynamicWeight(LayerOpInterface layer);

/// True for the layers that get bit widths: those with a constant weight
/// and the products of two activations (hasDynamicWeight).
bool isQuantizedLayer(LayerOpInterface layer);
} // namespace cim
} // namespace mlir

#endif // CIM_DIALECT_CIM_CIMINTERFACES_H
