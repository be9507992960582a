//===- TestLayerInfo.cpp - Expose the layer interface to FileCheck --------===//

#include "TestPasses.h"
#include "cim/Dialect/CIM/CIMOps.h"

#include "mlir/IR/Builders.h"

namespace mlir {
namespace cim {
namespace test {
#define GEN_PASS_DEF_TESTLAYERINFO
#include "TestPasses.h.inc"

namespace {
struct TestLayerInfoPass : public impl::TestLayerInfoBase<TestLayerInfoPass> {
  void runOnOperation() override {
    Builder builder(&getContext());
    getOperation().walk([&](LayerOpInterface layer) {
      LayerMatrix m = layer.getLayerMatrix();
      layer->setAttr("test.layer",
                     builder.getDenseI64ArrayAttr(
                         {m.rows, m.cols, m.groups, m.invocations}));
      layer->setAttr("test.name", builder.getStringAttr(layer.getLayerName()));
      layer->setAttr("test.constant_weight",
                     builder.getBoolAttr(hasConstantWeight(layer)));
    });
  }
};
} // namespace
} // namespace test
} // namespace cim
} // namespace mlir
