//===- cim-opt.cpp - mlir-opt for the cim dialect -------------------------===//
//
// Runs cim passes and pipelines on textual IR, e.g.
//   cim-opt --cim-assign-bitwidths="wbits=4 abits=4" model.mlir
//   cim-opt --cim-compile model.mlir
//
// MlirOptMain writes `-o FILE` in place; here it writes a temporary file
// beside FILE that is renamed into place when the run succeeds and removed
// when it fails, so a failed or interrupted run leaves neither a truncated
// FILE nor a removed one (docs/reliability.md).
//
//===----------------------------------------------------------------------===//

#include "cim/Importer/TensorIO.h"
#include "cim/Pipeline/Pipeline.h"
#ifdef CIM_INCLUDE_TESTS
#include "TestPasses.h"
#endif

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <string>
#include <vector>

/// The temporary output file while it is not renamed into place.
static std::string temporary;
static void removeTemporary() {
  if (!temporary.empty())
    llvm::sys::fs::remove(temporary);
}

static int fail(llvm::StringRef where, const llvm::Twine &message) {
  llvm::errs() << where << ": error: " << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  std::vector<std::string> args(argv, argv + argc);
  // The output file (-o F, -o=F, --o F, --o=F) and a missing input file,
  // named by the first argument that is neither an option nor its value.
  size_t outputIndex = 0;
  for (size_t i = 1; i < args.size(); ++i) {
    llvm::StringRef arg = args[i];
    if (arg == "--")
      break;
    if ((arg == "-o" || arg == "--o") && i + 1 < args.size()) {
      outputIndex = ++i;
    } else if (arg.startswith("-o=") || arg.startswith("--o=")) {
      outputIndex = i;
    } else if (!arg.startswith("-") && arg != "" &&
               (i == 1 || !llvm::StringRef(args[i - 1]).startswith("-")) &&
               !llvm::sys::fs::exists(arg)) {
      return fail(arg, "cannot read: No such file or directory");
    }
  }
  std::string output;
  if (outputIndex) {
    llvm::StringRef arg = args[outputIndex];
    output = (arg.startswith("-") ? arg.split('=').second : arg).str();
  }
  // Special files (/dev/null, a FIFO) are written in place: renaming over
  // one would replace it.
  llvm::sys::fs::file_status status;
  bool special = !output.empty() && !llvm::sys::fs::status(output, status) &&
                 status.type() != llvm::sys::fs::file_type::regular_file &&
                 status.type() != llvm::sys::fs::file_type::directory_file;
  if (!output.empty() && output != "-" && !special) {
    llvm::SmallString<256> path;
    int fd = -1;
    if (std::error_code ec =
            llvm::sys::fs::createUniqueFile(output + ".tmp-%%%%%%", fd, path))
      return fail(output, "cannot write: " + ec.message());
    llvm::sys::fs::closeFile(fd);
    // Removed on a signal, and on exit() from the option parser (a bad
    // option, --help) before MlirOptMain returns.
    llvm::sys::RemoveFileOnSignal(path);
    temporary = std::string(path);
    std::atexit(removeTemporary);
    llvm::StringRef arg = args[outputIndex];
    args[outputIndex] = arg.startswith("-")
                            ? arg.split('=').first.str() + "=" + temporary
                            : temporary;
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
      argc, cargs.data(), "cimc optimizer driver\n", registry));
  if (temporary.empty())
    return ok ? 0 : 1;
  if (ok) {
    if (std::error_code ec = llvm::sys::fs::rename(temporary, output))
      return fail(output, "cannot write: " + ec.message());
    temporary.clear();
    return 0;
  }
  return 1;
}
