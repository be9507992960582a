//===- cim-opt.cpp - mlir-opt for the cim dialect -------------------------===//
//
// Runs cim passes and pipelines on textual IR, e.g.
//   cim-opt --cim-assign-bitwidths="wbits=4 abits=4" model.mlir
//   cim-opt --cim-compile model.mlir
//
// MlirOptMain writes `-o FILE` in place; here it writes a temporary file
// beside FILE that is renamed into place when the run succeeds and removed
// when it fails, so a failed or interrupted run leaves neither a truncated
// FILE nor a removed one (cim::DriverFiles, docs/reliability.md).
//
//===----------------------------------------------------------------------===//

#include "cim/Importer/TensorIO.h"
#include "cim/Pipeline/Pipeline.h"
#ifdef CIM_INCLUDE_TESTS
#include "TestPasses.h"
#endif

#include "cim/Support/OutputFiles.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::cim::registerCIMDialects(registry);
  // cim-calibrate's inputs are TensorProto files.
  mlir::cim::registerTensorProtoReader(registry);
  mlir::cim::registerCIMPassesAndPipelines();
#ifdef CIM_INCLUDE_TESTS
  mlir::cim::test::registerCIMTestPasses();
#endif
  return mlir::cim::runDriver(argc, argv, [&](int n, char **args) {
    return mlir::succeeded(
        mlir::MlirOptMain(n, args, "cimc optimizer driver\n", registry));
  });
}
