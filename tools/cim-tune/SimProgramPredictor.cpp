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
  std::vector<int64_t> inputShape;
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
  if (func.getNumArguments() != 1) {
    error = path + ": error: the program takes " +
            std::to_string(func.getNumArguments()) +
            " inputs; eval feeds one image";
    return false;
  }
  auto type = func.getArgument(0).getType().dyn_cast<RankedTensorType>();
  if (!type || !type.hasStaticShape()) {
    error = path + ": error: the program's input has no static shape";
    return false;
  }
  state->inputShape.assign(type.getShape().begin(), type.getShape().end());
  predict = [state](const std::vector<float> &image, std::vector<float> &output,
                    std::string &error) {
    HostTensor input(ElementKind::F32, state->inputShape);
    if (int64_t(image.size()) != input.getNumElements()) {
      error = "the program expects " + std::to_string(input.getNumElements()) +
              " input values, the image has " + std::to_string(image.size());
      return false;
    }
    std::copy(image.begin(), image.end(), input.data<float>().begin());
    sim::FunctionalStats stats;
    state->lastError.clear();
    FailureOr<SmallVector<HostTensor>> outputs =
        state->runner->run({input}, stats);
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
