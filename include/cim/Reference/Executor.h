//===- Executor.h - Float reference executor of the cim graph ---*- C++ -*-===//
//
// Runs a function of cim graph ops on host tensors with ONNX semantics. It
// is the numerical ground truth that quantization, mapping and the simulator
// are compared against, so it favours clarity and exactness: float kernels
// compute in the tensor's own type (f32 or f64) with double accumulators
// for reductions, and large products go through BLAS.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_REFERENCE_EXECUTOR_H
#define CIM_REFERENCE_EXECUTOR_H

#include "cim/Tensor/HostTensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <vector>

namespace mlir {
namespace cim {

/// Called before each op runs, with the op's operand tensors in operand
/// order. A hook may read them (calibration observes layer inputs) or point
/// entries at tensors it owns, which the op then computes with instead
/// (fake quantization); such a tensor must stay valid until the hook is
/// called again or the run ends. Returning failure stops the run; the hook
/// emits the diagnostic.
using OperandHook = llvm::function_ref<LogicalResult(
    Operation *op, llvm::MutableArrayRef<const HostTensor *> operands)>;

/// Called before each op runs (after the OperandHook). A hook that
/// computes the op itself (a simulator running a crossbar layer on its
/// integer weights) fills `results` and returns true; the executor then
/// uses them as they are. Returning false runs the op's reference kernel;
/// failure stops the run (the hook emits the diagnostic).
using KernelHook = llvm::function_ref<FailureOr<bool>(
    Operation *op, llvm::ArrayRef<const HostTensor *> operands,
    llvm::SmallVectorImpl<HostTensor> &results)>;

/// Runs a func.func made of cim graph ops on `inputs` (in argument order) and
/// returns the results of its func.return, in order.
///
/// The function must have one block of cim ops ending in func.return, and
/// its ops must carry the attributes their verifiers require; element types
/// are not restricted beyond what each kernel supports (data movement and
/// the binary arithmetic ops also run on integer tensors). Dimensions written
/// `?` take the size of the actual input; static ones must match it.
///
/// On unsupported ops or element types and on run-time shape mismatches it
/// emits an error diagnostic at the op's (or, for inputs, the function's)
/// location and returns failure; it never asserts on such input.
///
/// Results are deterministic: the same inputs give the same bits on every
/// run, whatever the core count (BLAS runs on one thread during the call and
/// the caller's OpenBLAS thread setting is restored afterwards), for a given
/// CPU kind and OpenBLAS build.
///
/// `hook`, when given, is called before every op (see OperandHook), then
/// `kernel` (see KernelHook).
FailureOr<llvm::SmallVector<HostTensor>>
runReference(func::FuncOp func, llvm::ArrayRef<HostTensor> inputs,
             OperandHook hook = nullptr, KernelHook kernel = nullptr);

/// Runs one cim graph op on `operands` (in operand order) and returns its
/// results, with the same kernels, checks and diagnostics as runReference.
/// Constant folding uses it, so that the compiler and the executor share
/// one definition of every op's arithmetic.
FailureOr<llvm::SmallVector<HostTensor>>
evaluateOp(Operation *op, llvm::ArrayRef<HostTensor> operands);

/// How cim.resize changes one dimension: output index x is
/// sum_i weights[x * in + i] * input[i] (row-major out x in), or the op's
/// extrapolation value where outside[x]. Other executors (cim-tune's
/// trainable network) apply these to share the reference's interpolation.
struct ResizeAxis {
  int64_t dim = 0;
  int64_t in = 0, out = 0;
  std::vector<double> weights;
  std::vector<bool> outside;
};

/// The dimensions that a cim.resize `op` changes for an input of
/// `inputShape`, innermost first (the order the reference applies them
/// in). Emits an error at the op and fails when its attributes do not
/// match the input.
FailureOr<llvm::SmallVector<ResizeAxis>>
planResize(Operation *op, llvm::ArrayRef<int64_t> inputShape);

} // namespace cim
} // namespace mlir

#endif // CIM_REFERENCE_EXECUTOR_H
