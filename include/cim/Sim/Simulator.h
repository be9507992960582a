//===- Simulator.h - Running compiled programs ------------------*- C++ -*-===//
//
// Functional execution of a prog::Program: the graph runs on the reference
// executor, except that every crossbar layer computes on the program's
// integer weights through the bit-exact crossbar model (CrossbarModel.h):
// inputs quantized to unsigned DAC codes, bit-sliced weights, ADC
// saturation, shift-and-add, then the dequantization and bias of the
// digital unit. Each layer is computed over the invocation ranges of its
// Mvm instructions. A product of two activations (a cim.matmul whose rhs
// is not a constant) runs on the digital unit with both operands
// fake-quantized by its #cim.quant (the graph carries it), bit for bit as
// runFakeQuantized computes it. The timing comes from
// prog::simulateTiming.
//
// runQuantizedReference computes the same arithmetic independently of any
// program: weights quantized from the float module, the naive crossbar
// oracle, all invocations at once. The two agree bit for bit.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_SIM_SIMULATOR_H
#define CIM_SIM_SIMULATOR_H

#include "cim/Program/Program.h"
#include "cim/Tensor/HostTensor.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir {
namespace cim {
namespace sim {

struct FunctionalStats {
  /// Multiply-accumulates of the crossbar layers (weights x invocations).
  int64_t macs = 0;
  /// ADC reads, and those that saturated.
  int64_t adcConversions = 0, adcSaturated = 0;
};

/// A loaded program ready to run: its graph parsed into `context` and the
/// crossbar images of every layer built once.
class ProgramRunner {
public:
  ~ProgramRunner();
  ProgramRunner(ProgramRunner &&);
  /// Fails with a diagnostic when the graph does not parse or does not
  /// match the weights, located at `sourceName` (the program file).
  static FailureOr<ProgramRunner>
  create(const prog::Program &program, MLIRContext *context,
         llvm::StringRef sourceName = "<program>");
  /// Runs one inference; `inputs` in graph-argument order.
  FailureOr<llvm::SmallVector<HostTensor>>
  run(llvm::ArrayRef<HostTensor> inputs, FunctionalStats &stats);
  ModuleOp getGraph();

private:
  struct Impl;
  explicit ProgramRunner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
};

/// The quantized reference of a mapped, quantized module (see above).
FailureOr<llvm::SmallVector<HostTensor>>
runQuantizedReference(ModuleOp module, const hw::HardwareDescription &hw,
                      llvm::ArrayRef<HostTensor> inputs,
                      FunctionalStats &stats);

} // namespace sim
} // namespace cim
} // namespace mlir

#endif // CIM_SIM_SIMULATOR_H
