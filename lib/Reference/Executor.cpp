//===- Executor.cpp - Float reference executor of the cim graph -----------===//
//
// Walks the function's block once, in order, keeping one tensor per live SSA
// value. A value's tensor is freed after its last use, so peak memory is the
// live set rather than the whole network.
//
//===----------------------------------------------------------------------===//

#include "cim/Reference/Executor.h"

#include "Kernels.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::reference;

namespace {
/// Tensors of the values computed so far. Function arguments borrow the
/// caller's inputs instead of copying them.
class ValueStore {
public:
  void borrow(Value value, const HostTensor &tensor) {
    Slot &slot = slots[value];
    slot.borrowed = &tensor;
    slot.remaining = countUses(value);
  }
  void own(Value value, HostTensor tensor) {
    Slot &slot = slots[value];
    slot.owned = std::move(tensor);
    slot.remaining = countUses(value);
  }
  /// The tensor of `value`, or null when it has none. The pointer is valid
  /// until the next borrow/own/release.
  const HostTensor *lookup(Value value) const {
    auto it = slots.find(value);
    if (it == slots.end())
      return nullptr;
    return it->second.borrowed ? it->second.borrowed : &it->second.owned;
  }
  /// Returns the tensor for a use that leaves the executor, moving it out
  /// when this is its last use.
  HostTensor take(Value value) {
    Slot &slot = slots.find(value)->second;
    if (slot.borrowed || slot.remaining > 1)
      return *lookup(value);
    return std::move(slot.owned);
  }
  /// Records that one use of `value` is done; frees it after the last one.
  void release(Value value) {
    auto it = slots.find(value);
    if (it != slots.end() && --it->second.remaining == 0)
      slots.erase(it);
  }

private:
  struct Slot {
    const HostTensor *borrowed = nullptr;
    HostTensor owned;
    unsigned remaining = 0;
  };
  static unsigned countUses(Value value) {
    return std::distance(value.use_begin(), value.use_end());
  }
  llvm::DenseMap<Value, Slot> slots;
};
} // namespace

/// Whether `op` is one of the graph ops of GraphOps.def, the list every
/// executor of the graph is checked against.
static bool isGraphOp(Operation *op) {
  return isa<ConstantOp,
#define CIM_GRAPH_OP(Class, Mnemonic, OnnxOp) Class,
#include "cim/Reference/GraphOps.def"
             func::ReturnOp>(op);
}

/// Runs one op; appends one tensor per result.
static LogicalResult runOp(Operation *op, Operands operands,
                           SmallVectorImpl<HostTensor> &results) {
  auto single = [&](FailureOr<HostTensor> result) -> LogicalResult {
    if (failed(result))
      return failure();
    results.push_back(std::move(*result));
    return success();
  };
  if (!isGraphOp(op))
    return op->emitError() << "the reference executor does not support '"
                           << op->getName() << "'";
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](ConstantOp constant) -> LogicalResult {
        std::string error;
        FailureOr<HostTensor> value = toHostTensor(constant.getValue(), &error);
        if (failed(value))
          return constant.emitOpError() << "value cannot be read: " << error;
        return single(std::move(value));
      })
      .Case([&](Conv2dOp conv) { return single(runConv2d(conv, operands)); })
      .Case([&](GemmOp gemm) { return single(runGemm(gemm, operands)); })
      .Case(
          [&](MatMulOp matmul) { return single(runMatMul(matmul, operands)); })
      .Case<AddOp, SubOp, MulOp, DivOp, PowOp, MaxOp, MinOp, PReluOp>(
          [&](Operation *binary) {
            return single(runBinary(binary, operands));
          })
      .Case<ReluOp, LeakyReluOp, ClipOp, SigmoidOp, HardSigmoidOp, HardSwishOp,
            TanhOp, ErfOp, GeluOp, SqrtOp, ExpOp, NegOp, AbsOp, LogOp,
            ReciprocalOp, FloorOp, CeilOp, RoundOp, SoftplusOp, SoftsignOp,
            MishOp, SwishOp, EluOp, SeluOp, ThresholdedReluOp>(
          [&](Operation *unary) { return single(runUnary(unary, operands)); })
      .Case([&](MaxPoolOp pool) { return runMaxPool(pool, operands, results); })
      .Case([&](AvgPoolOp pool) { return single(runAvgPool(pool, operands)); })
      .Case([&](GlobalAvgPoolOp pool) {
        return single(runGlobalPool(pool, operands, /*isMax=*/false));
      })
      .Case([&](GlobalMaxPoolOp pool) {
        return single(runGlobalPool(pool, operands, /*isMax=*/true));
      })
      .Case<ReduceMeanOp, ReduceSumOp, ReduceProdOp, ReduceL1Op, ReduceL2Op,
            ReduceSumSquareOp, ReduceLogSumOp, ReduceLogSumExpOp, ReduceMaxOp,
            ReduceMinOp>([&](Operation *reduce) {
        return single(runReduce(reduce, operands));
      })
      .Case<SoftmaxOp, LogSoftmaxOp>([&](Operation *softmax) {
        return single(runSoftmax(softmax, operands));
      })
      .Case([&](InstanceNormOp norm) {
        return single(runInstanceNorm(norm, operands));
      })
      .Case([&](LrnOp lrn) { return single(runLrn(lrn, operands)); })
      .Case<EqualOp, LessOp, LessEqualOp, GreaterOp, GreaterEqualOp, AndOp,
            OrOp, XorOp>([&](Operation *predicate) {
        return single(runPredicate(predicate, operands));
      })
      .Case([&](NotOp op) { return single(runNot(op, operands)); })
      .Case([&](WhereOp op) { return single(runWhere(op, operands)); })
      .Case([&](CastOp op) { return single(runCast(op, operands)); })
      .Case([&](ExpandOp op) { return single(runExpand(op, operands)); })
      .Case([&](TileOp op) { return single(runTile(op, operands)); })
      .Case([&](LayerNormOp norm) {
        return single(runLayerNorm(norm, operands));
      })
      .Case([&](BatchNormOp norm) {
        return single(runBatchNorm(norm, operands));
      })
      .Case([&](ReshapeOp reshape) {
        return single(runReshape(reshape, operands));
      })
      .Case([&](FlattenOp flatten) {
        return single(runFlatten(flatten, operands));
      })
      .Case([&](TransposeOp transpose) {
        return single(runTranspose(transpose, operands));
      })
      .Case(
          [&](ConcatOp concat) { return single(runConcat(concat, operands)); })
      .Case([&](SplitOp split) { return runSplit(split, operands, results); })
      .Case([&](SliceOp slice) { return single(runSlice(slice, operands)); })
      .Case([&](PadOp pad) { return single(runPad(pad, operands)); })
      .Case(
          [&](GatherOp gather) { return single(runGather(gather, operands)); })
      .Case(
          [&](ResizeOp resize) { return single(runResize(resize, operands)); })
      .Case([&](QuantizeLinearOp quantize) {
        return single(runQuantizeLinear(quantize, operands));
      })
      .Case([&](DequantizeLinearOp dequantize) {
        return single(runDequantizeLinear(dequantize, operands));
      })
      .Default([&](Operation *other) {
        return other->emitError() << "the reference executor does not support '"
                                  << other->getName() << "'";
      });
}

/// Kernels compute in f32 / f64 and whole-byte integers. Around every op
/// but casts and constants, storage-only operands (f16, bf16, i4, ui4, i2,
/// ui2, the small floats) are widened to their compute kind and results
/// declared with such a type are narrowed back (floats round to nearest even),
/// which is how numpy evaluates half-precision arithmetic for single
/// operations.
static LogicalResult runOpWidening(Operation *op, Operands operands,
                                   SmallVectorImpl<HostTensor> &results) {
  // Small floats stay bit patterns through the ops that copy elements and
  // through QuantizeLinear / DequantizeLinear, which read and write them
  // with Cast's rules: a round trip through f32 would not keep every NaN
  // pattern, nor float8e8m0's 2^-127.
  bool keepSmallFloats =
      isa<QuantizeLinearOp, DequantizeLinearOp, ReshapeOp, FlattenOp,
          TransposeOp, ConcatOp, SplitOp, SliceOp, GatherOp, ExpandOp, TileOp>(
          op);
  auto widens = [&](ElementKind kind) {
    return isStorageOnlyKind(kind) &&
           !(keepSmallFloats && isSmallFloatKind(kind));
  };
  auto storageKind = [&](Type type) -> std::optional<ElementKind> {
    auto ranked = type.dyn_cast<RankedTensorType>();
    std::optional<ElementKind> kind =
        ranked ? getElementKind(ranked.getElementType()) : std::nullopt;
    if (kind && widens(*kind))
      return kind;
    return std::nullopt;
  };
  bool widen = !isa<CastOp, ConstantOp>(op) &&
               (llvm::any_of(operands,
                             [&](const HostTensor *t) {
                               return widens(t->getKind());
                             }) ||
                llvm::any_of(op->getResultTypes(), [&](Type type) {
                  return storageKind(type).has_value();
                }));
  if (!widen)
    return runOp(op, operands, results);
  SmallVector<HostTensor> wide;
  wide.reserve(operands.size()); // keeps the pointers below stable
  SmallVector<const HostTensor *> wideOperands;
  for (const HostTensor *operand : operands) {
    ElementKind kind = operand->getKind();
    if (!widens(kind)) {
      wideOperands.push_back(operand);
      continue;
    }
    wide.push_back(convertElements(*operand, getComputeKind(kind)));
    wideOperands.push_back(&wide.back());
  }
  if (failed(runOp(op, wideOperands, results)))
    return failure();
  for (auto [result, type] : llvm::zip(results, op->getResultTypes())) {
    std::optional<ElementKind> kind = storageKind(type);
    if (kind && result.getKind() == getComputeKind(*kind))
      result = convertElements(result, *kind);
  }
  return success();
}

/// Checks a computed tensor against the type the IR declares for it.
static LogicalResult checkResult(Operation *op, unsigned index,
                                 const HostTensor &tensor) {
  Type type = op->getResult(index).getType();
  auto ranked = type.dyn_cast<RankedTensorType>();
  std::optional<ElementKind> kind =
      ranked ? getElementKind(ranked.getElementType()) : std::nullopt;
  if (!kind || *kind != tensor.getKind())
    return op->emitOpError() << "result #" << index << " is computed as "
                             << getElementKindName(tensor.getKind())
                             << " but its type is " << type;
  bool matches = ranked.getRank() == tensor.getRank();
  for (int64_t d = 0; matches && d < ranked.getRank(); ++d)
    matches =
        ranked.isDynamicDim(d) || ranked.getDimSize(d) == tensor.getDimSize(d);
  if (!matches)
    return op->emitOpError() << "result #" << index << " has shape "
                             << shapeString(tensor.getShape())
                             << " at run time but its type is " << type;
  return success();
}

/// Checks input `index` against the function's argument type.
static LogicalResult checkInput(func::FuncOp func, unsigned index,
                                const HostTensor &input) {
  Type type = func.getArgumentTypes()[index];
  auto ranked = type.dyn_cast<RankedTensorType>();
  std::optional<ElementKind> kind =
      ranked ? getElementKind(ranked.getElementType()) : std::nullopt;
  if (!kind)
    return func.emitError() << "argument " << index << " has type " << type
                            << ", which the reference executor does not "
                               "support";
  if (*kind != input.getKind())
    return func.emitError()
           << "input " << index << " has element type "
           << getElementKindName(input.getKind())
           << " but the function expects " << getElementKindName(*kind);
  bool matches = ranked.getRank() == input.getRank();
  for (int64_t d = 0; matches && d < ranked.getRank(); ++d)
    matches =
        ranked.isDynamicDim(d) || ranked.getDimSize(d) == input.getDimSize(d);
  if (!matches)
    return func.emitError()
           << "input " << index << " has shape "
           << shapeString(input.getShape()) << " but the function expects "
           << shapeString(ranked.getShape());
  return success();
}

FailureOr<SmallVector<HostTensor>>
cim::evaluateOp(Operation *op, ArrayRef<HostTensor> operands) {
  if (op->getNumOperands() != operands.size())
    return op->emitOpError()
           << "takes " << op->getNumOperands() << " operands but "
           << operands.size() << " were given";
  if (op->getNumRegions() != 0)
    return op->emitError() << "the reference executor does not support '"
                           << op->getName() << "'";
  SmallVector<const HostTensor *> pointers;
  for (const HostTensor &operand : operands)
    pointers.push_back(&operand);
  BlasThreadPin pin;
  SmallVector<HostTensor> results;
  if (failed(runOp(op, pointers, results)))
    return failure();
  if (results.size() != op->getNumResults())
    return op->emitOpError() << "produced " << results.size()
                             << " results instead of " << op->getNumResults();
  for (auto [index, result] : llvm::enumerate(results))
    if (failed(checkResult(op, index, result)))
      return failure();
  return results;
}

FailureOr<SmallVector<HostTensor>>
cim::runReference(func::FuncOp func, ArrayRef<HostTensor> inputs,
                  OperandHook hook, KernelHook kernel) {
  if (func.isExternal())
    return func.emitError()
           << "function '" << func.getSymName() << "' has no body to run";
  if (!func.getBody().hasOneBlock())
    return func.emitError()
           << "the reference executor runs single-block functions only";
  if (inputs.size() != func.getNumArguments())
    return func.emitError() << "the function takes " << func.getNumArguments()
                            << " inputs but " << inputs.size() << " were given";

  Block &block = func.getBody().front();
  BlasThreadPin pin;
  ValueStore store;
  for (auto [index, input] : llvm::enumerate(inputs)) {
    if (failed(checkInput(func, index, input)))
      return failure();
    store.borrow(block.getArgument(index), input);
  }

  SmallVector<const HostTensor *> operands;
  SmallVector<HostTensor> results;
  for (Operation &op : block) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      SmallVector<HostTensor> outputs;
      for (Value value : ret.getOperands()) {
        if (!store.lookup(value))
          return ret.emitOpError() << "returns a value that was not computed";
        outputs.push_back(store.take(value));
        store.release(value);
      }
      return outputs;
    }
    if (op.getNumRegions() != 0)
      return op.emitError() << "the reference executor does not support '"
                            << op.getName() << "'";

    operands.clear();
    for (OpOperand &operand : op.getOpOperands()) {
      const HostTensor *tensor = store.lookup(operand.get());
      if (!tensor)
        return op.emitOpError()
               << "operand #" << operand.getOperandNumber()
               << " has no value (defined outside the function?)";
      operands.push_back(tensor);
    }
    if (hook && failed(hook(&op, operands)))
      return failure();

    results.clear();
    bool done = false;
    if (kernel) {
      FailureOr<bool> handled = kernel(&op, operands, results);
      if (failed(handled))
        return failure();
      done = *handled;
    }
    if (!done) {
      results.clear();
      if (failed(runOpWidening(&op, operands, results)))
        return failure();
    }
    if (results.size() != op.getNumResults())
      return op.emitOpError() << "produced " << results.size()
                              << " results instead of " << op.getNumResults();
    if (!done)
      for (auto [index, result] : llvm::enumerate(results))
        if (failed(checkResult(&op, index, result)))
          return failure();

    // Free operands before storing results: `operands` points into the
    // store and is not used again.
    for (Value value : op.getOperands())
      store.release(value);
    for (auto [value, result] : llvm::zip(op.getResults(), results))
      if (!value.use_empty()) // e.g. an unused piece of a split
        store.own(value, std::move(result));
  }
  return func.emitError() << "function '" << func.getSymName()
                          << "' does not end in func.return";
}
