//===- LayerSummary.cpp - Print the weight-bearing layers -----------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Transforms/Passes.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir {
namespace cim {
#define GEN_PASS_DEF_LAYERSUMMARY
#include "cim/Transforms/Passes.h.inc"

namespace {
/// Integers go through strings: GCC 12 warns inside LLVM 16's integer
/// formatter (-Wmaybe-uninitialized, a false positive).
std::string str(int64_t value) { return std::to_string(value); }

struct LayerSummaryPass : public impl::LayerSummaryBase<LayerSummaryPass> {
  void runOnOperation() override {
    llvm::raw_ostream &os = llvm::outs();
    os << llvm::formatv("{0,-16} {1,-8} {2,24} {3,10} {4,10} {5,3} {6,3}\n",
                        "layer", "op", "groups x rows x cols", "MVMs",
                        "weights", "W", "A");
    int64_t index = 0, totalWeights = 0, totalMvms = 0;
    getOperation().walk([&](LayerOpInterface layer) {
      if (!isQuantizedLayer(layer))
        return;
      LayerMatrix m = layer.getLayerMatrix();
      std::string name = layer.getLayerName().str();
      if (name.empty())
        name = "#" + std::to_string(index);
      QuantAttr quant = layer.getLayerQuant();
      std::string w = quant ? std::to_string(quant.getWbits()) : "-";
      std::string a = quant ? std::to_string(quant.getAbits()) : "-";
      // A product of two activations stores no weights.
      int64_t weights =
          hasConstantWeight(layer) ? m.groups * m.rows * m.cols : 0;
      int64_t mvms = m.groups * m.invocations;
      os << llvm::formatv("{0,-16} {1,-8} {2,6} x {3,6} x {4,6} {5,10} {6,10} "
                          "{7,3} {8,3}\n",
                          name, layer->getName().stripDialect(), str(m.groups),
                          str(m.rows), str(m.cols), str(mvms),
                          hasConstantWeight(layer) ? str(weights) : "-", w, a);
      totalWeights += weights;
      totalMvms += mvms;
      ++index;
    });
    os << llvm::formatv("{0,-16} {1,-8} {2,24} {3,10} {4,10}\n", "total", "",
                        "", str(totalMvms), str(totalWeights));
    markAllAnalysesPreserved();
  }
};
} // namespace
} // namespace cim
} // namespace mlir
