//===- AssignBitwidths.cpp - Per-layer bit-width assignment ---------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Transforms/Passes.h"

namespace mlir {
namespace cim {
#define GEN_PASS_DEF_ASSIGNBITWIDTHS
#include "cim/Transforms/Passes.h.inc"

namespace {
struct AssignBitwidthsPass
    : public impl::AssignBitwidthsBase<AssignBitwidthsPass> {
  using AssignBitwidthsBase::AssignBitwidthsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto [name, bits] : {std::pair<StringRef, unsigned>{"wbits", wbits},
                              std::pair<StringRef, unsigned>{"abits", abits}})
      if (bits < 1 || bits > 16) {
        module.emitError() << "cim-assign-bitwidths: " << name
                           << " must be in [1, 16], got " << bits;
        return signalPassFailure();
      }
    MLIRContext *ctx = &getContext();
    module.walk([&](LayerOpInterface layer) {
      if (!hasConstantWeight(layer))
        return;
      QuantAttr quant = layer.getLayerQuant();
      if (!quant)
        quant = QuantAttr::get(ctx, wbits, abits);
      else if (overwrite)
        quant = quant.withBits(wbits, abits);
      layer.setLayerQuant(quant);
    });
  }
};
} // namespace
} // namespace cim
} // namespace mlir
