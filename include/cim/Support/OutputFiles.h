//===- OutputFiles.h - Outputs written whole or not at all ------*- C++ -*-===//
//
// Every file a tool writes goes through here: the bytes go to a temporary
// file beside the destination that is renamed into place, so an interrupted
// or failed run never leaves a truncated file, and a run that writes several
// files (a program and its reports, a directory of outputs) either writes
// all of them or none (docs/reliability.md). Plain C++ on LLVM Support.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_SUPPORT_OUTPUTFILES_H
#define CIM_SUPPORT_OUTPUTFILES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace mlir {
namespace cim {

/// Writes `bytes` to `path` through a temporary file in the same directory
/// that is renamed into place; "-" writes to stdout, and an existing special
/// file such as /dev/null is written in place. Returns false and sets
/// `error` ("cannot write: REASON") on failure, leaving nothing behind.
bool writeFileAtomically(llvm::StringRef path, llvm::StringRef bytes,
                         std::string &error);

/// A set of outputs committed together: every file is first written to a
/// temporary beside it, and only when all of them are written are they
/// renamed into place. On failure every temporary, every file already
/// renamed and every directory created for the set is removed. Standard
/// output ("-") and existing special files (/dev/null, a FIFO) are written
/// in place, last: a rename would replace the device.
class OutputFiles {
public:
  /// Adds a file ("-": stdout, written last).
  void add(llvm::StringRef path, std::string bytes);
  /// Adds a directory that is created (with its parents) when missing.
  void addDirectory(llvm::StringRef path);

  /// Writes everything. On failure returns false, names the path at fault
  /// in `failedPath` and the reason in `error`.
  bool commit(std::string &failedPath, std::string &error);

private:
  std::vector<std::string> directories;
  std::vector<std::pair<std::string, std::string>> files;
};

/// The files of a tool built on one of MLIR's drivers (MlirOptMain,
/// mlirTranslateMain), which open their input and `-o FILE` themselves.
/// `prepare` checks the command line's input file before the driver runs
/// (so that a missing one is an error naming it) and points `-o FILE` at a
/// temporary file beside FILE; `finish` renames it into place when the run
/// succeeded and removes it otherwise (and on a signal or exit()), so a
/// failed run leaves neither a truncated FILE nor a removed one.
class DriverFiles {
public:
  /// Rewrites `args` (argv). The input is the first argument that is
  /// neither an option nor the value after one (an option in `flags`
  /// takes none). Returns false with the path at fault and the reason set
  /// when the input cannot be read or the output not written.
  bool prepare(std::vector<std::string> &args, std::string &failedPath,
               std::string &error,
               llvm::ArrayRef<llvm::StringRef> flags = std::nullopt);
  /// After the driver: keeps the output when `succeeded`. Returns false
  /// with the path and reason set when it cannot be renamed into place.
  bool finish(bool succeeded, std::string &failedPath, std::string &error);

private:
  std::string output;
};

/// main() of a tool built on one of MLIR's drivers: runs `driver` on the
/// command line through a DriverFiles, printing a failure to read the input
/// or write the output as one "path: error: reason" line. Returns the exit
/// status.
int runDriver(int argc, char **argv,
              llvm::function_ref<bool(int argc, char **argv)> driver,
              llvm::ArrayRef<llvm::StringRef> flags = std::nullopt);

} // namespace cim
} // namespace mlir

#endif // CIM_SUPPORT_OUTPUTFILES_H
