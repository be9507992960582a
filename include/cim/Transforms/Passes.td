//===- Passes.td - cim transformation passes ---------------*- tablegen -*-===//

#ifndef CIM_TRANSFORMS_PASSES_TD
#define CIM_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def AssignBitwidths : Pass<"cim-assign-bitwidths", "mlir::ModuleOp"> {
  let summary = "Assign weight and activation bit widths to every layer";
  let description = [{
    Gives every weight-bearing layer (`cim.conv2d`, `cim.gemm`, and
    `cim.matmul` with a constant weight) a `#cim.quant` attribute. Scales
    and schemes already present (from a QDQ import or calibration) are kept;
    only the bit widths change.

    With `--wbits`/`--abits` every layer gets the same widths. Layers that
    already carry a quantization keep it unless `overwrite` is set.

    Before:
    ```mlir
    %y = cim.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>)
                           -> tensor<1x4x6x6xf32>
    ```
    After `--cim-assign-bitwidths="wbits=4 abits=8"`:
    ```mlir
    %y = cim.conv2d %x, %w {quant = #cim.quant<wbits = 4, abits = 8>}
       : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
    ```
  }];
  let options = [
    Option<"wbits", "wbits", "unsigned", /*default=*/"8",
           "Weight bit width for every layer (1..16)">,
    Option<"abits", "abits", "unsigned", /*default=*/"8",
           "Input-activation bit width for every layer (1..16)">,
    Option<"overwrite", "overwrite", "bool", /*default=*/"true",
           "Replace bit widths that a layer already carries">
  ];
  let dependentDialects = ["::mlir::cim::CIMDialect"];
}

def LayerSummary : Pass<"cim-layer-summary", "mlir::ModuleOp"> {
  let summary = "Print a table of the weight-bearing layers";
  let description = [{
    Prints one line per weight-bearing layer to standard output: its name,
    op, im2col matrix (groups x rows x cols), MVM invocations per inference,
    number of weights and bit widths. The IR is not changed.

    ```
    layer        op      groups x rows x cols   MVMs  weights  W  A
    conv1        conv2d     1 x    25 x     6    784      150  4  8
    ```
  }];
}

def TestLayerInfo : Pass<"cim-test-layer-info", "mlir::ModuleOp"> {
  let summary = "Test pass: annotate layers with their im2col matrix";
  let description = [{
    For testing the layer interface: attaches
    `test.layer = [rows, cols, groups, invocations]` and
    `test.name = "<layer name>"` to every weight-bearing layer.
  }];
}

#endif // CIM_TRANSFORMS_PASSES_TD
