// Parses a cim module, runs the cimc pipeline through the library API and
// prints the result, a per-layer summary and the latency on the installed
// CIM-AQ reference preset.
#include "cim/Analysis/ModuleCost.h"
#include "cim/Compiler/Compiler.h"
#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Pipeline/Pipeline.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

static const char *kModel = R"mlir(
func.func @net(%x: tensor<1x16xf32>) -> tensor<1x4xf32> {
  %w = cim.constant dense<0.25> : tensor<16x4xf32>
  %y = cim.matmul %x, %w {name = "fc"} : (tensor<1x16xf32>, tensor<16x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}
)mlir";

int main() {
  mlir::DialectRegistry registry;
  mlir::cim::registerCIMDialects(registry);
  mlir::MLIRContext context(registry);
  auto module = mlir::parseSourceString<mlir::ModuleOp>(kModel, &context);
  if (!module)
    return 1;
  mlir::PassManager pm(&context);
  mlir::cim::PipelineOptions options;
  options.wbits = 3;
  options.abits = 5;
  options.stopAfter = mlir::cim::CompileStage::Bits;
  mlir::cim::buildCompilePipeline(pm, options);
  if (mlir::failed(pm.run(*module)))
    return 1;
  module->print(llvm::outs());
  module->walk([](mlir::cim::LayerOpInterface layer) {
    mlir::cim::LayerMatrix m = layer.getLayerMatrix();
    llvm::outs() << "layer " << layer.getLayerName() << ": " << m.rows << "x"
                 << m.cols << " matrix\n";
  });

  std::vector<mlir::cim::hw::HardwareDiagnostic> diagnostics;
  std::optional<mlir::cim::hw::HardwareDescription> hw =
      mlir::cim::hw::loadHardwareDescription(
          CIM_HW_PRESET_DIR "/cimaq-reference.yaml", diagnostics);
  if (!hw) {
    for (const auto &diag : diagnostics)
      llvm::errs() << diag.str() << "\n";
    return 1;
  }
  auto shapes =
      mlir::cim::getLayerShapes(mlir::cim::getCrossbarLayers(*module));
  if (mlir::failed(shapes))
    return 1;
  std::string error;
  auto plan = mlir::cim::planNetwork(*shapes, *hw, true, error);
  if (!plan)
    return 1;
  mlir::cim::NetworkCost cost =
      mlir::cim::estimateNetworkCost(*shapes, *hw, *plan);
  llvm::outs() << "cimaq latency: " << std::to_string(cost.latencyPs)
               << " ps\n";

  // The compiler facade: the same network to a program on the same chip;
  // its cycle model reproduces the analytic latency.
  auto fresh = mlir::parseSourceString<mlir::ModuleOp>(kModel, &context);
  mlir::cim::CompileOptions compile;
  compile.hardware = CIM_HW_PRESET_DIR "/cimaq-reference.yaml";
  compile.wbits = 3;
  compile.abits = 5;
  auto result = mlir::cim::compileModule(std::move(fresh), "net", compile);
  if (mlir::failed(result))
    return 1;
  std::string bytes = mlir::cim::prog::writeProgram(result->program);
  std::optional<mlir::cim::prog::Program> back =
      mlir::cim::prog::readProgram(bytes, error);
  if (!back)
    return 1;
  llvm::outs() << "program latency: "
               << std::to_string(
                      mlir::cim::prog::simulateTiming(*back).latencyPs)
               << " ps\n";
  return 0;
}
