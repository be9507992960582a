//===- Canonicalize.cpp - Graph canonicalization of the cim level ---------===//
//
// Constant folding goes through the reference executor (cim::evaluateOp), so
// the compiler never has a second copy of an op's arithmetic; the greedy
// rewriter adds the ops' own folders and patterns and removes dead ops.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Reference/Executor.h"
#include "cim/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace cim {
#define GEN_PASS_DEF_CANONICALIZE
#include "cim/Transforms/Passes.h.inc"

namespace {
/// Tensors above this many elements become dense_resource blobs, as the
/// importer does for weights.
constexpr int64_t kResourceThreshold = 256;

/// Replaces a cim op whose operands are all cim.constant by the constants
/// the reference executor computes for it.
struct FoldConstantOp : public RewritePattern {
  FoldConstantOp(MLIRContext *ctx, int64_t maxElements)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx),
        maxElements(maxElements) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    Dialect *dialect = op->getDialect();
    if (!dialect || !isa<CIMDialect>(dialect) || isa<ConstantOp>(op) ||
        op->getNumResults() == 0 || op->getNumRegions() != 0)
      return failure();
    // Q/DQ ops carry the quantization of a pre-quantized network;
    // cim-fold-qdq reads them.
    if (isa<QuantizeLinearOp, DequantizeLinearOp>(op))
      return failure();
    int64_t elements = 0;
    for (Type type : op->getResultTypes()) {
      auto ranked = type.dyn_cast<RankedTensorType>();
      if (!ranked || !ranked.hasStaticShape())
        return failure();
      elements += ranked.getNumElements();
    }
    if (elements > maxElements)
      return failure();
    SmallVector<HostTensor> operands;
    for (Value operand : op->getOperands()) {
      auto constant = operand.getDefiningOp<ConstantOp>();
      if (!constant)
        return failure();
      FailureOr<HostTensor> tensor = toHostTensor(constant.getValue());
      if (failed(tensor))
        return failure();
      operands.push_back(std::move(*tensor));
    }
    // An op the executor rejects is left for run time, where the error is
    // reported with the inputs that caused it.
    FailureOr<SmallVector<HostTensor>> results;
    {
      ScopedDiagnosticHandler silence(op->getContext(),
                                      [](Diagnostic &) { return success(); });
      results = evaluateOp(op, operands);
    }
    if (failed(results))
      return failure();
    SmallVector<Value> replacements;
    for (auto [index, tensor] : llvm::enumerate(*results)) {
      std::string name = "folded";
      if (auto loc = op->getLoc().dyn_cast<NameLoc>())
        name = loc.getName().str();
      ElementsAttr value = toElementsAttr(rewriter.getContext(), tensor,
                                          kResourceThreshold, name);
      if (value.getType() != op->getResult(index).getType())
        return failure();
      replacements.push_back(
          rewriter.create<ConstantOp>(op->getLoc(), value).getResult());
    }
    rewriter.replaceOp(op, replacements);
    return success();
  }

  int64_t maxElements;
};

struct CanonicalizePass : public impl::CanonicalizeBase<CanonicalizePass> {
  using CanonicalizeBase::CanonicalizeBase;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<FoldConstantOp>(ctx, maxElements);
    ctx->getLoadedDialect<CIMDialect>()->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName op : ctx->getRegisteredOperations())
      if (&op.getDialect() == ctx->getLoadedDialect<CIMDialect>())
        op.getCanonicalizationPatterns(patterns, ctx);
    GreedyRewriteConfig config;
    // Deterministic: ops are visited in program order.
    config.useTopDownTraversal = true;
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns),
                                            config)))
      getOperation().emitWarning()
          << "cim-canonicalize did not converge; the IR is still valid";
  }
};
} // namespace
} // namespace cim
} // namespace mlir
