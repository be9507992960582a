//===- ReplayMain.cpp - Run a fuzz target over files ----------------------===//
//
// The main of a fuzz target in the normal build: every file given (or found
// under a directory given) goes once through LLVMFuzzerTestOneInput, so the
// regular test suite runs the seed corpora and every regression input
// through the same entry points that libFuzzer drives (docs/reliability.md).
//
//===----------------------------------------------------------------------===//

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (!llvm::sys::fs::is_directory(argv[i])) {
      files.push_back(argv[i]);
      continue;
    }
    std::error_code ec;
    for (llvm::sys::fs::recursive_directory_iterator it(argv[i], ec), end;
         it != end && !ec; it.increment(ec))
      if (llvm::sys::fs::is_regular_file(it->path()))
        files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  for (const std::string &file : files) {
    auto buffer = llvm::MemoryBuffer::getFile(file, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    if (!buffer) {
      llvm::errs() << file << ": error: " << buffer.getError().message()
                   << "\n";
      return 1;
    }
    // Through a heap copy of the exact size, as libFuzzer passes it, so
    // that AddressSanitizer sees a read past the end.
    llvm::StringRef bytes = (*buffer)->getBuffer();
    std::vector<uint8_t> copy(bytes.begin(), bytes.end());
    LLVMFuzzerTestOneInput(copy.data(), copy.size());
  }
  llvm::outs() << "replayed " << files.size() << " inputs\n";
  return files.empty() ? 1 : 0;
}
