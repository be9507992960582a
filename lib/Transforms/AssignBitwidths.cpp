//===- AssignBitwidths.cpp - Per-layer bit-width assignment ---------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Quant/LayerQuant.h"
#include "cim/Quant/Policy.h"
#include "cim/Transforms/Passes.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"

namespace mlir {
namespace cim {
#define GEN_PASS_DEF_ASSIGNBITWIDTHS
#include "cim/Transforms/Passes.h.inc"

namespace {
/// Widths chosen for one layer.
struct Choice {
  unsigned wbits = 0, abits = 0;
  /// The policy entry that set the layer, or -1.
  int entry = -1;
};

/// "'conv1' (index 0)", or "index 3" for a layer without a name.
std::string describe(LayerOpInterface layer, unsigned index) {
  StringRef name = layer.getLayerName();
  if (name.empty())
    return "layer at index " + std::to_string(index);
  return ("layer '" + name + "' (index " + Twine(index) + ")").str();
}

struct AssignBitwidthsPass
    : public impl::AssignBitwidthsBase<AssignBitwidthsPass> {
  using AssignBitwidthsBase::AssignBitwidthsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto [name, bits] : {std::pair<StringRef, unsigned>{"wbits", wbits},
                              std::pair<StringRef, unsigned>{"abits", abits}})
      if (bits < 1 || bits > 16) {
        emitError(module.getLoc()) << "cim-assign-bitwidths: " << name
                                   << " must be in [1, 16], got " << bits;
        return signalPassFailure();
      }

    std::optional<QuantScheme> scheme = symbolizeQuantScheme(ascheme);
    if (!scheme) {
      emitError(module.getLoc())
          << "cim-assign-bitwidths: ascheme must be asymmetric or "
             "symmetric, got '"
          << ascheme.getValue() << "'";
      return signalPassFailure();
    }

    // The quantized layers in graph order: the policy's indices. Products
    // of two activations count: their rhs takes wbits, their lhs abits.
    SmallVector<LayerOpInterface> layers;
    module.walk([&](LayerOpInterface layer) {
      if (isQuantizedLayer(layer))
        layers.push_back(layer);
    });
    // Without a policy entry a layer gets the uniform widths, or keeps its
    // own under overwrite=false; an entry overrides the widths it sets.
    SmallVector<Choice> choices;
    for (LayerOpInterface layer : layers) {
      QuantAttr quant = layer.getLayerQuant();
      if (quant && !overwrite)
        choices.push_back({quant.getWbits(), quant.getAbits(), -1});
      else
        choices.push_back({wbits, abits, -1});
    }
    if (!policy.empty() && failed(applyPolicy(layers, choices)))
      return signalPassFailure();

    for (auto [layer, choice] : llvm::zip(layers, choices)) {
      QuantAttr quant = layer.getLayerQuant();
      layer.setLayerQuant(
          quant ? withBitsKeepingRanges(quant, choice.wbits, choice.abits)
                : getDefaultQuant(layer, choice.wbits, choice.abits, *scheme));
    }
    if (failed(checkConstraints(layers)))
      return signalPassFailure();
  }

  /// Reads the policy file and sets the choices of the layers it names.
  LogicalResult applyPolicy(MutableArrayRef<LayerOpInterface> layers,
                            MutableArrayRef<Choice> choices) {
    MLIRContext *ctx = &getContext();
    auto at = [&](unsigned line, unsigned column) -> Location {
      return FileLineColLoc::get(ctx, policy, line ? line : 1,
                                 line ? column : 1);
    };
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
        llvm::MemoryBuffer::getFile(policy);
    if (!buffer)
      return emitError(FileLineColLoc::get(ctx, policy, 0, 0))
             << "cannot read the policy file: " << buffer.getError().message();
    quant::PolicyError error;
    std::optional<quant::BitwidthPolicy> parsed =
        quant::parsePolicy((*buffer)->getBuffer().str(), error);
    if (!parsed)
      return emitError(at(error.line, error.column), error.message);

    llvm::StringMap<SmallVector<unsigned, 1>> byName;
    for (auto [index, layer] : llvm::enumerate(layers))
      if (!layer.getLayerName().empty())
        byName[layer.getLayerName()].push_back(index);

    for (auto [entryIndex, entry] : llvm::enumerate(parsed->layers)) {
      Location loc = at(entry.line, entry.column);
      std::string where = "layers[" + std::to_string(entryIndex) + "]: ";
      unsigned index;
      if (entry.name) {
        auto it = byName.find(*entry.name);
        if (it == byName.end())
          return emitError(loc) << where << "no weight-bearing layer is named '"
                                << *entry.name << "'";
        if (it->second.size() > 1)
          return emitError(loc)
                 << where << "layer name '" << *entry.name
                 << "' is ambiguous (indices "
                 << llvm::make_range(it->second.begin(), it->second.end())
                 << "); use an index";
        index = it->second.front();
      } else {
        if (*entry.index >= int64_t(layers.size()))
          return emitError(loc) << where << "index " << *entry.index
                                << " is out of range: the module has "
                                << layers.size() << " weight-bearing layers";
        index = unsigned(*entry.index);
      }
      Choice &choice = choices[index];
      if (choice.entry >= 0)
        return emitError(loc)
               << where << describe(layers[index], index)
               << " was already set by layers[" << choice.entry << "]";
      choice.entry = int(entryIndex);
      if (entry.wbits)
        choice.wbits = *entry.wbits;
      if (entry.abits)
        choice.abits = *entry.abits;
    }
    return success();
  }

  /// Reports layers that violate the hardware constraints: warnings, or
  /// errors under `enforce` (then fails after reporting all of them).
  LogicalResult checkConstraints(MutableArrayRef<LayerOpInterface> layers) {
    bool violated = false;
    auto report = [&](LayerOpInterface layer) {
      violated = true;
      return enforce ? layer->emitError() : layer->emitWarning();
    };
    unsigned cell = cellBits;
    for (auto [index, layer] : llvm::enumerate(layers)) {
      QuantAttr quant = layer.getLayerQuant();
      if (cell > 0 && quant.getWbits() % cell != 0)
        report(layer) << describe(layer, index) << " has " << quant.getWbits()
                      << " weight bits, not a multiple of the " << cell
                      << "-bit cells (its last slice uses "
                      << quant.getWbits() % cell << " of " << cell << " bits)";
      bool first = index == 0, last = index + 1 == layers.size();
      if (ioW8A8 && (first || last) &&
          (quant.getWbits() != 8 || quant.getAbits() != 8))
        report(layer) << (first && last ? "first and last "
                          : first       ? "first "
                                        : "last ")
                      << describe(layer, index) << " is W" << quant.getWbits()
                      << "A" << quant.getAbits()
                      << "; the I/O constraint wants W8A8";
    }
    return success(!(violated && enforce));
  }
};
} // namespace
} // namespace cim
} // namespace mlir
