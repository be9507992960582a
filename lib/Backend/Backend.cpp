//===- Backend.cpp - From a mapped module to a crossbar program -----------===//

#include "cim/Backend/Backend.h"
#include "cim/Analysis/ModuleCost.h"
#include "cim/Quant/LayerQuant.h"
#include "cim/Quant/Quantizer.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
using namespace mlir::cim;

FailureOr<prog::Program>
mlir::cim::buildProgram(ModuleOp module, const hw::HardwareDescription &hw,
                        prog::Program scheduled, StringRef model) {
  // scheduleModule checked that every layer was mapped for this chip.
  prog::Program program = std::move(scheduled);
  program.producer = "cimc";
  program.model = model.str();

  // Integer weights, and a copy of the module whose crossbar weights are
  // dataless resource handles (the values travel in the weight section).
  OwningOpRef<ModuleOp> copy(cast<ModuleOp>(module->clone()));
  SmallVector<LayerOpInterface> layers = getCrossbarLayers(module);
  SmallVector<LayerOpInterface> copies = getCrossbarLayers(*copy);
  if (layers.size() != program.layers.size() || copies.size() != layers.size())
    return module.emitError()
           << "internal error: " << layers.size() << " crossbar layers but "
           << program.layers.size() << " scheduled";
  auto &blobs =
      DenseResourceElementsHandle::getManagerInterface(module.getContext());
  for (auto [index, layer] : llvm::enumerate(layers)) {
    FailureOr<std::vector<int32_t>> values = getIntegerWeightMatrix(layer);
    if (failed(values))
      return failure();
    program.layers[index].values = std::move(*values);
    for (const quant::QuantParams &params :
         getWeightParams(layer.getLayerQuant()))
      program.layers[index].scales.push_back(params.scale);

    LayerOpInterface target = copies[index];
    Value weight = target.getLayerWeight();
    auto type = weight.getType().cast<ShapedType>();
    OpBuilder builder(target);
    DenseResourceElementsHandle handle =
        blobs.insert("cim_weights_" + std::to_string(index));
    auto attr = DenseResourceElementsAttr::get(type, handle);
    Operation *def = weight.getDefiningOp();
    Value placeholder =
        builder.create<ConstantOp>(def ? def->getLoc() : target.getLoc(), attr);
    target->replaceUsesOfWith(weight, placeholder);
    if (def && def->use_empty())
      def->erase();
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  copy->print(os, OpPrintingFlags().enableDebugInfo(true, /*pretty=*/false));
  program.graph = std::move(os.str());
  std::string problem = prog::verifyProgram(program);
  if (!problem.empty())
    return module.emitError()
           << "internal error: the program is invalid: " << problem;
  return program;
}

OwningOpRef<ModuleOp> mlir::cim::parseProgramGraph(const prog::Program &program,
                                                   MLIRContext *context,
                                                   StringRef sourceName) {
  ParserConfig config(context);
  llvm::SourceMgr sources;
  // The buffer keeps its own copy of the name.
  sources.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBuffer(
                                 program.graph, (sourceName + ":graph").str(),
                                 /*RequiresNullTerminator=*/false),
                             llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sources, config);
}
