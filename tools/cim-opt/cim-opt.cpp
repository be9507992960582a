//===- cim-opt.cpp - mlir-opt for the cim dialect -------------------------===//
//
// Runs cim passes and pipelines on textual IR, e.g.
//   cim-opt --cim-assign-bitwidths="wbits=4 abits=4" model.mlir
//   cim-opt --cim-compile model.mlir
//
//===----------------------------------------------------------------------===//

#include "cim/Pipeline/Pipeline.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::cim::registerCIMDialects(registry);
  mlir::cim::registerCIMPassesAndPipelines();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "cimc optimizer driver\n", registry));
}
