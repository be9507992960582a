//===- Pipeline.h - The cimc compilation pipeline ---------------*- C++ -*-===//
//
// The pipeline as a library: an options struct, a function that populates a
// pass manager, and the registration used by cim-opt. Tools only parse
// flags; the order of passes lives here.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_PIPELINE_PIPELINE_H
#define CIM_PIPELINE_PIPELINE_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;

namespace cim {

/// Options of the whole compilation pipeline, settable from one string:
///   cim-opt --cim-compile="wbits=4 abits=8" model.mlir
struct CompilePipelineOptions
    : public PassPipelineOptions<CompilePipelineOptions> {
  Option<unsigned> wbits{*this, "wbits",
                         llvm::cl::desc("Weight bits for every layer"),
                         llvm::cl::init(8)};
  Option<unsigned> abits{*this, "abits",
                         llvm::cl::desc("Activation bits for every layer"),
                         llvm::cl::init(8)};
  Option<std::string> policy{
      *this, "policy",
      llvm::cl::desc("JSON file with per-layer bit widths "
                     "(docs/quantization.md)"),
      llvm::cl::init("")};
  Option<bool> keepQuantWidths{
      *this, "keep-quant-widths",
      llvm::cl::desc("Layers that already carry a quantization (a QDQ "
                     "model's) keep their widths; wbits/abits apply to the "
                     "others"),
      llvm::cl::init(false)};
};

/// Options of the quantization stage on its own: bit widths, then weight
/// scales and (with calibration inputs) activation scales. Used where the
/// quantized graph is run rather than compiled (cim-sim's fake-quantized
/// reference).
struct QuantizeOptions {
  unsigned wbits = 8;
  unsigned abits = 8;
  /// Per-layer widths (cim-assign-bitwidths policy=); empty for none.
  std::string policy;
  /// Calibration inputs (cim-calibrate inputs=); none: weights only.
  std::vector<std::string> calibrationInputs;
  /// "minmax" or "percentile".
  std::string method = "minmax";
  double percentile = 99.99;
};

/// Appends canonicalization (which folds weight reshapes into constants, so
/// that every crossbar layer sees a constant weight), cim-assign-bitwidths
/// and cim-calibrate.
void buildQuantizePipeline(OpPassManager &pm, const QuantizeOptions &options);

/// Appends the compilation pipeline to `pm` (which runs on a module).
void buildCompilePipeline(OpPassManager &pm,
                          const CompilePipelineOptions &options);

/// Registers the dialects a cim module may contain (cim, func).
void registerCIMDialects(DialectRegistry &registry);

/// Registers every cim pass and the named pipeline `cim-compile`, plus the
/// generic passes the pipeline uses (canonicalize, cse).
void registerCIMPassesAndPipelines();

} // namespace cim
} // namespace mlir

#endif // CIM_PIPELINE_PIPELINE_H
