//===- cim-bench-import.cpp - Import time vs bare protobuf parse ----------===//
//
//   cim-bench-import MODEL.onnx [--runs N]
//
// Reads the model into memory once, then times N times each (median, min,
// max), after one untimed round: the bare protobuf parse of the bytes into an
// onnx::ModelProto, and the full import of the same bytes (parse, conversion to
// cim IR, type inference, verification) into a fresh MLIRContext. File reading
// and context creation are outside both timings.
//
//===----------------------------------------------------------------------===//

#include "BenchUtil.h"

#include "cim/Importer/Importer.h"
#include "cim/Pipeline/Pipeline.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"

#include "onnx/onnx_pb.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("cim-bench-import options");
static cl::opt<std::string> modelFile(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::Required, cl::cat(category));
static cl::opt<unsigned> runs("runs", cl::desc("Timed runs of each"),
                              cl::init(7), cl::cat(category));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "cim-bench-import: import vs protobuf parse\n");
  auto file = llvm::MemoryBuffer::getFile(modelFile, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file) {
    llvm::errs() << modelFile << ": error: " << file.getError().message()
                 << "\n";
    return 1;
  }
  llvm::StringRef bytes = (*file)->getBuffer();
  unsigned count = std::max(1u, unsigned(runs));

  // One untimed round first (page-ins, allocator growth), then the two
  // alternate so that load changes on the machine hit both alike.
  std::vector<double> parse, import;
  for (unsigned i = 0; i <= count; ++i) {
    double parseTime = 0, importTime = 0;
    {
      onnx::ModelProto model;
      bool ok = true;
      parseTime = cim_bench::timeSeconds(
          [&] { ok = model.ParseFromArray(bytes.data(), int(bytes.size())); });
      if (!ok) {
        llvm::errs() << modelFile << ": error: protobuf parse failed\n";
        return 1;
      }
    }
    {
      DialectRegistry registry;
      cim::registerCIMDialects(registry);
      MLIRContext context(registry);
      OwningOpRef<ModuleOp> module;
      importTime = cim_bench::timeSeconds([&] {
        module =
            cim::importOnnxBuffer(bytes, modelFile, /*isText=*/false, &context);
      });
      if (!module)
        return 1;
    }
    if (i == 0)
      continue;
    parse.push_back(parseTime);
    import.push_back(importTime);
  }

  llvm::outs() << llvm::format("%s: %.1f MB, %u runs each\n", modelFile.c_str(),
                               bytes.size() / 1e6, count);
  cim_bench::printStats(llvm::outs(), "protobuf parse (ParseFromArray)", parse);
  cim_bench::printStats(llvm::outs(), "full import (importOnnxBuffer)", import);
  llvm::outs() << llvm::format("import / parse (medians)           %.2f\n",
                               cim_bench::median(import) /
                                   cim_bench::median(parse));
  return 0;
}
