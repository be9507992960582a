//===- SimProgramPredictor.cpp - Compiled programs on the simulator -------===//
//
// `cim-tune eval --program PROG.cim`: each image runs through the compiled
// program on the simulator library (bit-exact crossbar arithmetic), the way
// cim-sim runs it.
//
//===----------------------------------------------------------------------===//

#include "Agreement.h"

#include "cim/Compiler/Compiler.h"
#include "cim/Program/Program.h"
#include "cim/Quant/LayerQuant.h"
#include "cim/Sim/Simulator.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"

#include <memory>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::tune;

namespace {
/// Everything a predictor keeps alive between images.
struct ProgramState {
  std::unique_ptr<MLIRContext> context;
  std::unique_ptr<ScopedDiagnosticHandler> handler;
  std::string lastError;
  prog::Program program;
  std::unique_ptr<sim::ProgramRunner> runner;
  /// One static shape per program input.
  std::vector<std::vector<int64_t>> inputShapes;
  std::string path;
};
} // namespace

bool tune::makeProgramPredictor(const std::string &path, PredictFn &predict,
                                std::vector<ProgramLayer> &layers,
                                std::string &error) {
  auto state = std::make_shared<ProgramState>();
  std::string message;
  std::optional<prog::Program> program = prog::loadProgram(path, message);
  if (!program) {
    error = path + ": error: " + message;
    return false;
  }
  state->program = std::move(*program);
  state->path = path;
  DialectRegistry registry;
  registerCompilerDialects(registry);
  state->context = std::make_unique<MLIRContext>(registry);
  // Diagnostics become the predictor's one-line error.
  ProgramState *raw = state.get();
  state->handler = std::make_unique<ScopedDiagnosticHandler>(
      state->context.get(), [raw, path](Diagnostic &diag) {
        if (diag.getSeverity() == DiagnosticSeverity::Error &&
            raw->lastError.empty())
          raw->lastError = path + ": error: " + diag.str();
        return success();
      });
  FailureOr<sim::ProgramRunner> runner =
      sim::ProgramRunner::create(state->program, state->context.get());
  if (failed(runner)) {
    error = state->lastError.empty() ? path + ": error: cannot load the program"
                                     : state->lastError;
    return false;
  }
  state->runner = std::make_unique<sim::ProgramRunner>(std::move(*runner));
  auto funcs = state->runner->getGraph().getOps<func::FuncOp>();
  func::FuncOp func = *funcs.begin();
  layers.clear();
  func.walk([&](LayerOpInterface layer) {
    QuantAttr quant = layer.getLayerQuant();
    if (!quant || !isQuantizedLayer(layer))
      return;
    ProgramLayer &out = layers.emplace_back();
    out.name = layer.getLayerName().str();
    out.wbits = quant.getWbits();
    out.abits = quant.getAbits();
    out.ascheme = quant.getAscheme();
    if (std::optional<quant::QuantParams> params = getActivationParams(quant)) {
      out.ascale = params->scale;
      out.azp = params->zeroPoint;
    }
  });
  for (BlockArgument argument : func.getArguments()) {
    auto type = argument.getType().dyn_cast<RankedTensorType>();
    if (!type || !type.hasStaticShape()) {
      error = path + ": error: the program's input " +
              std::to_string(argument.getArgNumber()) + " has no static shape";
      return false;
    }
    state->inputShapes.emplace_back(type.getShape().begin(),
                                    type.getShape().end());
  }
  predict = [state](const std::vector<std::vector<float>> &sample,
                    std::vector<float> &output, std::string &error) {
    if (sample.size() != state->inputShapes.size()) {
      error = state->path + ": error: the program takes " +
              std::to_string(state->inputShapes.size()) +
              " input(s), the sample has " + std::to_string(sample.size());
      return false;
    }
    SmallVector<HostTensor> inputs;
    for (size_t k = 0; k < sample.size(); ++k) {
      HostTensor input(ElementKind::F32, state->inputShapes[k]);
      if (int64_t(sample[k].size()) != input.getNumElements()) {
        error = state->path + ": error: the program expects " +
                std::to_string(input.getNumElements()) + " values for input " +
                std::to_string(k) + ", the sample has " +
                std::to_string(sample[k].size());
        return false;
      }
      std::copy(sample[k].begin(), sample[k].end(),
                input.data<float>().begin());
      inputs.push_back(std::move(input));
    }
    sim::FunctionalStats stats;
    state->lastError.clear();
    FailureOr<SmallVector<HostTensor>> outputs =
        state->runner->run(inputs, stats);
    if (failed(outputs) || outputs->empty()) {
      error = state->lastError.empty() ? "the program failed to run"
                                       : state->lastError;
      return false;
    }
    const HostTensor &out = outputs->front();
    output.resize(out.getNumElements());
    for (int64_t i = 0; i < out.getNumElements(); ++i)
      output[i] = float(out.getAsDouble(i));
    return true;
  };
  return true;
}
