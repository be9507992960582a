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
  std::vector<std::string> args(argv, argv + argc);
  mlir::cim::DriverFiles files;
  std::string path, error;
  if (!files.prepare(args, path, error)) {
    llvm::errs() << path << ": error: " << error << "\n";
    return 1;
  }
  std::vector<char *> cargs;
  for (std::string &arg : args)
    cargs.push_back(arg.data());
  cargs.push_back(nullptr);

  mlir::DialectRegistry registry;
  mlir::cim::registerCIMDialects(registry);
  // cim-calibrate's inputs are TensorProto files.
  mlir::cim::registerTensorProtoReader(registry);
  mlir::cim::registerCIMPassesAndPipelines();
#ifdef CIM_INCLUDE_TESTS
  mlir::cim::test::registerCIMTestPasses();
#endif
  bool ok = mlir::succeeded(mlir::MlirOptMain(
      int(args.size()), cargs.data(), "cimc optimizer driver\n", registry));
  if (!files.finish(ok, path, error)) {
    llvm::errs() << path << ": error: " << error << "\n";
    return 1;
  }
  return ok ? 0 : 1;
}
