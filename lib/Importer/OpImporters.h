//===- OpImporters.h - The families of operator importers -------*- C++ -*-===//
//
// Private to lib/Importer. Each *Ops.cpp file imports one family of ONNX
// operators and registers them in the operator table; the helpers here are
// shared by more than one family.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_IMPORTER_OPIMPORTERS_H
#define CIM_LIB_IMPORTER_OPIMPORTERS_H

#include "GraphImporter.h"
#include "OpRegistry.h"

namespace mlir {
namespace cim {
namespace importer {

// Registration, one function per family.
/// Conv, Gemm, MatMul (LinearOps.cpp).
void registerLinearOps(OpRegistry &registry);
/// Arithmetic, activations, comparisons and logic, Where (ElementwiseOps.cpp).
void registerElementwiseOps(OpRegistry &registry);
/// Reshapes, transposes, concatenation, splits, slices, padding, gathers,
/// broadcasts (DataMovementOps.cpp).
void registerDataMovementOps(OpRegistry &registry);
/// Constant, ConstantOfShape, Shape, casts, Identity, Dropout
/// (ConstantOps.cpp).
void registerConstantOps(OpRegistry &registry);
/// Batch, layer and instance normalization, LRN, softmax, reductions
/// (NormalizationOps.cpp).
void registerNormalizationOps(OpRegistry &registry);
/// Pooling, Resize and Upsample (PoolingOps.cpp).
void registerPoolingOps(OpRegistry &registry);
/// QuantizeLinear, DequantizeLinear (QuantOps.cpp).
void registerQuantOps(OpRegistry &registry);
/// If (ControlFlowOps.cpp).
void registerControlFlowOps(OpRegistry &registry);
/// Attention (AttentionOps.cpp).
void registerAttentionOps(OpRegistry &registry);

// Shared importers and helpers.
/// The node as `opName` on input 0 with `attrs`; the result type is
/// inferred when the op can, else that of the input.
LogicalResult importUnary(GraphImporter &gi, llvm::StringRef opName,
                          llvm::ArrayRef<NamedAttribute> attrs = {});
/// The node as `opName` on inputs 0 and 1.
LogicalResult importBinary(GraphImporter &gi, llvm::StringRef opName);
/// An importer of the node as `OpTy` on input 0 (importUnary).
template <typename OpTy> ImportFn unaryImporter() {
  return [](GraphImporter &gi) {
    return importUnary(gi, OpTy::getOperationName());
  };
}
/// The node as `opName` on inputs 0 .. count-1 with `attrs`, its result of
/// input 0's type.
LogicalResult importSameType(GraphImporter &gi, llvm::StringRef opName,
                             int count,
                             llvm::ArrayRef<NamedAttribute> attrs = {});

/// Where a version of an operator takes an integer list parameter from
/// (axes, split sizes, slice bounds): an attribute in early versions, a
/// constant input in later ones.
enum class ListFrom { Attribute, Input };
/// The list `name` from attribute `name` or from constant input `index`;
/// empty when absent.
FailureOr<llvm::SmallVector<int64_t>>
getIntList(GraphImporter &gi, ListFrom from, llvm::StringRef name, int index);

/// Input 0 and then the list `name` (getIntList), as most operators with an
/// axes parameter read them.
FailureOr<std::pair<Value, llvm::SmallVector<int64_t>>>
getInputAndIntList(GraphImporter &gi, ListFrom from, llvm::StringRef name,
                   int index);

/// The strides, pads (auto_pad resolved) and dilations of a convolution or
/// pooling window over `inShape` (N x C x spatial) as attributes, defaults
/// left out. With `unitHeight`, the node is 1-D and imported as 2-D over a
/// 1 x L image: its attributes gain the unit height's entries.
LogicalResult windowAttrs(GraphImporter &gi, llvm::ArrayRef<int64_t> inShape,
                          llvm::ArrayRef<int64_t> kernel,
                          llvm::SmallVectorImpl<NamedAttribute> &attrs,
                          bool withDilations, bool unitHeight = false);

} // namespace importer
} // namespace cim
} // namespace mlir

#endif // CIM_LIB_IMPORTER_OPIMPORTERS_H
