//===- TestPasses.td - Passes that expose analyses to FileCheck -----------===//
//
// Test-only passes: they attach what an analysis computes to the IR so that
// lit tests can check it. Registered by cim-opt when the tests are built;
// not part of the installed libraries.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TEST_PASSES_TD
#define CIM_TEST_PASSES_TD

include "mlir/Pass/PassBase.td"

def TestLayerInfo : Pass<"cim-test-layer-info", "mlir::ModuleOp"> {
  let summary = "Test pass: annotate layers with their im2col matrix";
  let description = [{
    For testing the layer interface: attaches
    `test.layer = [rows, cols, groups, invocations]` and
    `test.name = "<layer name>"` to every weight-bearing layer.
  }];
}

def TestCostModel : Pass<"cim-test-cost-model", "mlir::ModuleOp"> {
  let summary = "Test pass: attach the cost model's figures to every layer";
  let description = [{
    For testing the cost model without mapping: plans the network on `hw`
    (with duplication when `duplicate` is set) and attaches to every
    crossbar layer `test.cost = {crossbars_per_copy, copies, crossbars,
    rounds, slices, input_steps, row_tiles, col_chunks, mvm_steps,
    adc_conversions, crossbar_writes, digital_ops, latency_ps, cycles}` and
    to the module `test.network_cost = {crossbars_used, latency_ps, cycles,
    mode}`.
  }];
  let options = [
    Option<"hw", "hw", "std::string", /*default=*/"\"\"",
           "Hardware description: a preset name or a YAML file">,
    Option<"duplicate", "duplicate", "bool", /*default=*/"false",
           "Copy the slowest layers into spare crossbars">
  ];
}

#endif // CIM_TEST_PASSES_TD
