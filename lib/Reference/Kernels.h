//===- Kernels.h - Reference kernels of the cim graph ops -------*- C++ -*-===//
//
// Private to CIMReference. Each kernel takes its op (for attributes and
// diagnostics) and the operand tensors in operand order, checks the run-time
// shapes, and either returns the result or emits an error at the op and
// fails. Kernels never see dynamic dimensions: those are resolved by the
// actual tensors.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_REFERENCE_KERNELS_H
#define CIM_LIB_REFERENCE_KERNELS_H

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Tensor/HostTensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace mlir {
namespace cim {
namespace reference {

using Operands = llvm::ArrayRef<const HostTensor *>;

//===----------------------------------------------------------------------===//
// Helpers shared by the kernels
//===----------------------------------------------------------------------===//

/// "1x3x?x8"; "scalar" for rank 0.
std::string shapeString(llvm::ArrayRef<int64_t> shape);

/// `axis` (negative counts from the end) as a dimension of `tensor`, or an
/// error at `op` naming the tensor's shape.
FailureOr<int64_t> requireAxis(Operation *op, int64_t axis,
                               const HostTensor &tensor);

/// Row-major strides (in elements) of `shape`.
llvm::SmallVector<int64_t> rowMajorStrides(llvm::ArrayRef<int64_t> shape);

/// Strides of a tensor of `shape` read as if broadcast to `outShape`
/// (aligned right, 0 on broadcast dimensions). `shape` must broadcast.
llvm::SmallVector<int64_t> broadcastStrides(llvm::ArrayRef<int64_t> shape,
                                            llvm::ArrayRef<int64_t> outShape);

/// The broadcast shape of two operands of the same element kind; emits an
/// error at `op` and fails when the kinds differ or the shapes do not
/// broadcast.
FailureOr<llvm::SmallVector<int64_t>>
broadcastOperands(Operation *op, const HostTensor &lhs, const HostTensor &rhs);

/// Product of the dimensions (1 for none).
int64_t product(llvm::ArrayRef<int64_t> shape);

/// Emits "'op' op <what> must be f32 or f64, got <kind>" unless float.
LogicalResult requireFloat(Operation *op, const HostTensor &tensor,
                           llvm::StringRef what);

/// Emits an error unless the tensor has rank `rank`.
LogicalResult requireRank(Operation *op, const HostTensor &tensor,
                          llvm::StringRef what, int64_t rank);

/// Calls `fn(outOffset, aOffset, aStep, bOffset, bStep, count)` for each
/// innermost row of an iteration over `shape`, where a and b advance by the
/// given per-dimension strides (for example broadcast strides). Output
/// offsets are row-major and contiguous.
template <typename Fn>
void forEachRow(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int64_t> aStrides,
                llvm::ArrayRef<int64_t> bStrides, Fn &&fn) {
  int64_t rank = shape.size();
  if (rank == 0) {
    fn(int64_t(0), int64_t(0), int64_t(0), int64_t(0), int64_t(0), int64_t(1));
    return;
  }
  for (int64_t dim : shape)
    if (dim == 0)
      return;
  int64_t inner = shape[rank - 1];
  llvm::SmallVector<int64_t> index(rank, 0);
  int64_t out = 0, a = 0, b = 0;
  while (true) {
    fn(out, a, aStrides[rank - 1], b, bStrides[rank - 1], inner);
    out += inner;
    int64_t d = rank - 2;
    for (; d >= 0; --d) {
      a += aStrides[d];
      b += bStrides[d];
      if (++index[d] < shape[d])
        break;
      a -= aStrides[d] * shape[d];
      b -= bStrides[d] * shape[d];
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}

/// Copies out[i] = in[base + sum_d(i_d * strides[d])] for every index i of
/// `outShape` (transpose, slice), for elements of `elementSize` bytes.
void stridedCopy(const uint8_t *in, int64_t base,
                 llvm::ArrayRef<int64_t> strides,
                 llvm::ArrayRef<int64_t> outShape, uint8_t *out,
                 size_t elementSize);

/// Calls `fn(T{})` with T = float or double for F32 / F64 tensors; the
/// caller has checked the kind with requireFloat.
template <typename Fn> auto visitFloat(ElementKind kind, Fn &&fn) {
  if (kind == ElementKind::F64)
    return fn(double{});
  return fn(float{});
}

/// Runs BLAS on one thread while alive and restores the caller's setting
/// afterwards: results must not depend on the machine's core count (see
/// LinearKernels.cpp). Not safe against other threads that use OpenBLAS at
/// the same time.
class BlasThreadPin {
public:
  BlasThreadPin();
  ~BlasThreadPin();
  BlasThreadPin(const BlasThreadPin &) = delete;
  BlasThreadPin &operator=(const BlasThreadPin &) = delete;

private:
  int previous;
};

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

// Layers (LinearKernels.cpp, the only place that calls BLAS).
FailureOr<HostTensor> runConv2d(Conv2dOp op, Operands operands);
FailureOr<HostTensor> runGemm(GemmOp op, Operands operands);
FailureOr<HostTensor> runMatMul(MatMulOp op, Operands operands);

// Elementwise (ElementwiseKernels.cpp).
FailureOr<HostTensor> runBinary(Operation *op, Operands operands);
FailureOr<HostTensor> runUnary(Operation *op, Operands operands);

// Pooling, reductions, normalization (NormKernels.cpp).
LogicalResult runMaxPool(MaxPoolOp op, Operands operands,
                         llvm::SmallVectorImpl<HostTensor> &results);
FailureOr<HostTensor> runAvgPool(AvgPoolOp op, Operands operands);
FailureOr<HostTensor> runGlobalPool(Operation *op, Operands operands,
                                    bool isMax);
/// Every cim.reduce_* op.
FailureOr<HostTensor> runReduce(Operation *op, Operands operands);
/// cim.softmax and cim.log_softmax.
FailureOr<HostTensor> runSoftmax(Operation *op, Operands operands);
FailureOr<HostTensor> runInstanceNorm(InstanceNormOp op, Operands operands);
FailureOr<HostTensor> runLrn(LrnOp op, Operands operands);
FailureOr<HostTensor> runLayerNorm(LayerNormOp op, Operands operands);
FailureOr<HostTensor> runBatchNorm(BatchNormOp op, Operands operands);

// Data movement (DataMovementKernels.cpp).
FailureOr<HostTensor> runReshape(ReshapeOp op, Operands operands);
FailureOr<HostTensor> runFlatten(FlattenOp op, Operands operands);
FailureOr<HostTensor> runTranspose(TransposeOp op, Operands operands);
FailureOr<HostTensor> runConcat(ConcatOp op, Operands operands);
LogicalResult runSplit(SplitOp op, Operands operands,
                       llvm::SmallVectorImpl<HostTensor> &results);
FailureOr<HostTensor> runSlice(SliceOp op, Operands operands);
FailureOr<HostTensor> runPad(PadOp op, Operands operands);
FailureOr<HostTensor> runGather(GatherOp op, Operands operands);

// Comparisons, selection, casts, broadcasting (LogicKernels.cpp).
/// Comparisons and logical and/or/xor.
FailureOr<HostTensor> runPredicate(Operation *op, Operands operands);
FailureOr<HostTensor> runNot(NotOp op, Operands operands);
FailureOr<HostTensor> runWhere(WhereOp op, Operands operands);
FailureOr<HostTensor> runCast(CastOp op, Operands operands);
FailureOr<HostTensor> runExpand(ExpandOp op, Operands operands);
FailureOr<HostTensor> runTile(TileOp op, Operands operands);

// Resampling (ResizeKernels.cpp).
FailureOr<HostTensor> runResize(ResizeOp op, Operands operands);

// Quantization (QuantKernels.cpp).
FailureOr<HostTensor> runQuantizeLinear(QuantizeLinearOp op, Operands operands);
FailureOr<HostTensor> runDequantizeLinear(DequantizeLinearOp op,
                                          Operands operands);

} // namespace reference
} // namespace cim
} // namespace mlir

#endif // CIM_LIB_REFERENCE_KERNELS_H
