//===- cim-bench-reference.cpp - Float reference executor timing ----------===//
//
//   cim-bench-reference MODEL.onnx [--input FILE.pb] [--input-shape SHAPE]
//                       [--runs N]
//
// Imports the model once, then times N runs of cim::runReference on it
// (median, min, max), after one untimed warm-up run. The input is read from
// --input, or else every function argument gets a deterministic pattern of
// its declared shape (--input-shape fixes dynamic dimensions).
//
//===----------------------------------------------------------------------===//

#include "BenchUtil.h"

#include "cim/Importer/Importer.h"
#include "cim/Importer/TensorIO.h"
#include "cim/Pipeline/Pipeline.h"
#include "cim/Reference/Executor.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

#include <cmath>

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("cim-bench-reference options");
static cl::opt<std::string> modelFile(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string> inputFile("input",
                                      cl::desc("Input tensor (TensorProto)"),
                                      cl::cat(category));
static cl::list<std::string>
    inputShapes("input-shape", cl::desc("NAME=1x3x224x224 or 1x3x224x224"),
                cl::cat(category));
static cl::opt<unsigned> runs("runs", cl::desc("Timed runs"), cl::init(5),
                              cl::cat(category));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "cim-bench-reference: time the executor\n");
  cim::ImportOptions options;
  std::string error;
  std::optional<cim::HostTensor> given;
  if (!inputFile.empty()) {
    std::string name;
    FailureOr<cim::HostTensor> tensor =
        cim::readTensorFile(inputFile, name, error);
    if (failed(tensor)) {
      llvm::errs() << inputFile << ": error: " << error << "\n";
      return 1;
    }
    options.inputShapesByPosition.emplace_back(tensor->getShape().begin(),
                                               tensor->getShape().end());
    given = std::move(*tensor);
  }
  for (const std::string &shape : inputShapes)
    if (failed(cim::parseInputShape(shape, options, error))) {
      llvm::errs() << "error: " << error << "\n";
      return 1;
    }

  DialectRegistry registry;
  cim::registerCIMDialects(registry);
  MLIRContext context(registry);
  OwningOpRef<ModuleOp> module =
      cim::importOnnxFile(modelFile, &context, options);
  if (!module)
    return 1;
  auto func = *module->getOps<func::FuncOp>().begin();

  SmallVector<cim::HostTensor> inputs;
  for (Type type : func.getArgumentTypes()) {
    auto ranked = type.cast<RankedTensorType>();
    std::optional<cim::ElementKind> kind =
        cim::getElementKind(ranked.getElementType());
    if (!kind) {
      llvm::errs() << "error: unsupported input type\n";
      return 1;
    }
    if (given && inputs.empty()) {
      inputs.push_back(*given);
      continue;
    }
    cim::HostTensor tensor(*kind, ranked.getShape());
    for (int64_t i = 0, e = tensor.getNumElements(); i < e; ++i)
      tensor.setFromDouble(i, std::sin(0.1 * double(i)));
    inputs.push_back(std::move(tensor));
  }

  auto runOnce = [&] {
    FailureOr<SmallVector<cim::HostTensor>> outputs =
        cim::runReference(func, inputs);
    return succeeded(outputs);
  };
  if (!runOnce()) // warm-up: page in the weights, size the allocator
    return 1;
  std::vector<double> times;
  for (unsigned i = 0, e = std::max(1u, unsigned(runs)); i < e; ++i)
    times.push_back(cim_bench::timeSeconds(runOnce));
  llvm::outs() << modelFile << ": " << times.size() << " runs\n";
  cim_bench::printStats(llvm::outs(), "runReference", times);
  return 0;
}
