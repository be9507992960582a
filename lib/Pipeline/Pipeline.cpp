//===- Pipeline.cpp - The cimc compilation pipeline -----------------------===//

#include "cim/Pipeline/Pipeline.h"

#include "cim/Dialect/CIM/CIMDialect.h"
#include "cim/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void cim::buildCompilePipeline(OpPassManager &pm,
                               const CompilePipelineOptions &options) {
  // Graph clean-up, then the quantization a QDQ model carries, before any
  // bit widths are chosen.
  pm.addPass(createCanonicalize());
  pm.addPass(createFoldBatchNorm());
  pm.addPass(createFoldQDQ());
  AssignBitwidthsOptions bits;
  bits.wbits = options.wbits;
  bits.abits = options.abits;
  bits.policy = options.policy;
  bits.overwrite = !options.keepQuantWidths;
  pm.addPass(createAssignBitwidths(bits));
}

void cim::buildQuantizePipeline(OpPassManager &pm,
                                const QuantizeOptions &options) {
  pm.addPass(createCanonicalizerPass());
  AssignBitwidthsOptions bits;
  bits.wbits = options.wbits;
  bits.abits = options.abits;
  bits.policy = options.policy;
  pm.addPass(createAssignBitwidths(bits));
  CalibrateOptions calibrate;
  calibrate.inputs = options.calibrationInputs;
  calibrate.method = options.method;
  calibrate.percentile = options.percentile;
  pm.addPass(createCalibrate(calibrate));
}

void cim::registerCIMDialects(DialectRegistry &registry) {
  registry.insert<cim::CIMDialect, func::FuncDialect>();
}

void cim::registerCIMPassesAndPipelines() {
  registerCIMPasses();
  registerCanonicalizerPass();
  registerCSEPass();
  PassPipelineRegistration<CompilePipelineOptions>(
      "cim-compile",
      "The cimc pipeline: canonicalize, fold batch norms, absorb QDQ, then "
      "assign bit widths (mapping, scheduling and the backend join as they "
      "land)",
      buildCompilePipeline);
}
