//===- Passes.td - cim transformation passes ---------------*- tablegen -*-===//

#ifndef CIM_TRANSFORMS_PASSES_TD
#define CIM_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def AssignBitwidths : Pass<"cim-assign-bitwidths", "mlir::ModuleOp"> {
  let summary = "Assign weight and activation bit widths to every layer";
  let description = [{
    Gives every weight-bearing layer (`cim.conv2d`, `cim.gemm`, and
    `cim.matmul` with a constant weight) a `#cim.quant` attribute with its
    weight and input-activation bit widths. Schemes already present (from a
    QDQ import or calibration) are kept; scales and zero points already
    present are rescaled to the new widths so that each keeps its real
    clipping range.

    With `wbits`/`abits` every layer gets the same widths. Layers that
    already carry a quantization keep it unless `overwrite` is set.

    `policy=FILE` reads per-layer widths from a JSON file
    (docs/quantization.md); a layer is named by its `name` (the ONNX node
    name) or by its `index` among the weight-bearing layers in graph order:
    ```json
    {"layers": [{"name": "conv1", "wbits": 8, "abits": 8},
                {"index": 2, "wbits": 4} ]}
    ```
    Layers the policy does not name, and widths an entry leaves out, get
    `wbits`/`abits` (or keep the layer's own under `overwrite=false`);
    policy entries apply even under `overwrite=false`. Every problem in the
    file is an error located at the file (line:column of the entry).

    Hardware constraints, reported as warnings at the layer (errors with
    `enforce`): `cell-bits=N` wants weight bits that are a multiple of the
    cell's bits (otherwise the last bit slice wastes cell levels);
    `io-w8a8` wants the first and the last layer at W8A8.

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
           "Replace bit widths that a layer already carries">,
    Option<"policy", "policy", "std::string", /*default=*/"\"\"",
           "JSON file with per-layer bit widths">,
    Option<"cellBits", "cell-bits", "unsigned", /*default=*/"0",
           "Bits per crossbar cell; weight bits should be a multiple "
           "(0: no check)">,
    Option<"ioW8A8", "io-w8a8", "bool", /*default=*/"false",
           "Check that the first and the last layer are W8A8">,
    Option<"enforce", "enforce", "bool", /*default=*/"false",
           "Make constraint violations errors instead of warnings">
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

//===----------------------------------------------------------------------===//
// Quantization (issue 4)
//===----------------------------------------------------------------------===//

def Calibrate : Pass<"cim-calibrate", "mlir::ModuleOp"> {
  let summary = "Fill weight scales and calibrate activation scales";
  let description = [{
    For every weight-bearing layer with a `#cim.quant`:

    * `wscale` (and `wzp` for asymmetric weights) from the layer's constant
      weight: per output channel, symmetric scale = max|w_c| / qmax with
      qmax = 2^(b-1) - 1 (docs/quantization.md).
    * With calibration `inputs`, `ascale`/`azp` of the layer's input
      activation: the function runs on each input through the float
      reference executor, an observer collects every layer's input, and the
      observed range (`method=minmax`, or `method=percentile` clipping both
      tails at `percentile`) gives the scale and zero point.

    `inputs` is a comma-separated list; each entry is an ONNX TensorProto
    file (one sample for a one-input function), a directory holding
    `input_0.pb`, `input_1.pb`, ... (one sample), or a directory of
    `test_data_set_*` directories (one sample each, in numeric order), as in
    the ONNX test data. Scales a layer already carries (e.g. from a QDQ
    import) are kept unless `overwrite` is set. Without inputs only weight
    scales are filled. Run after `cim-assign-bitwidths`: the scales depend
    on the bit widths.

    After `--cim-calibrate="inputs=calib/ method=percentile"`:
    ```mlir
    %y = cim.conv2d %x, %w {quant = #cim.quant<wbits = 4, abits = 8,
           wscale = [0.12, 0.031, 0.5, 0.2], ascale = 0.0157 : f32>} : ...
    ```
  }];
  let options = [
    ListOption<"inputs", "inputs", "std::string",
               "Calibration inputs: TensorProto files or directories">,
    Option<"method", "method", "std::string", /*default=*/"\"minmax\"",
           "Range of the observed activations: minmax or percentile">,
    Option<"percentile", "percentile", "double", /*default=*/"99.99",
           "Percentile (50..100) for method=percentile">,
    Option<"overwrite", "overwrite", "bool", /*default=*/"false",
           "Replace scales a layer already carries">,
    Option<"function", "function", "std::string", /*default=*/"\"\"",
           "Function to run on the inputs (default: the only one)">
  ];
  let dependentDialects = ["::mlir::cim::CIMDialect"];
}

//===----------------------------------------------------------------------===//
// Crossbar mapping and the cost model (issue 4)
//===----------------------------------------------------------------------===//

def MapCrossbars : Pass<"cim-map-crossbars", "mlir::ModuleOp"> {
  let summary = "Place every layer's weights on the crossbars of a chip";
  let description = [{
    For every weight-bearing layer with a constant weight: im2col (the
    layer's rows x cols matrix per group), weight bit slicing
    (ceil(wbits / cell_bits) columns per weight, slices side by side),
    signed mapping (`dc` doubles columns, `of` keeps one reference column
    per crossbar, `dr` doubles rows), tiling onto crossbars and placement
    onto PEs in program order. The result is a `#cim.mapping` on each layer
    and the module attribute `cim.hardware` naming the description.

    The hardware description (docs/hardware.md) is `hw`: a preset name from
    models/hw (`rram-tiled`, `cimaq-reference`, `sram-digital`) or a YAML
    file. Without `hw` the preset named by the module's `cim.hardware`, else
    `rram-tiled`, is used.

    When the weights are stationary and `duplicate` is set, spare crossbars
    hold copies of the slowest layers: greedily, the layer with the largest
    latency gets another copy while one fits and makes it faster; copies
    split the layer's MVM invocations. A network that does not fit is an
    error unless the hardware allows rewriting (`mapping.weight_rewrite`);
    then every layer is written before it runs, in rounds of at most the
    whole chip, and a tile's `xbar` is `round * crossbars_per_pe + crossbar`.
    Layers without `#cim.quant` are errors: run `cim-assign-bitwidths` first.

    Before (hw=`cimaq-reference`: 256x256 crossbars, 4-bit cells, `dc`):
    ```mlir
    %y = cim.gemm %x, %w {quant = #cim.quant<wbits = 8, abits = 8>}
       : (tensor<1x300xf32>, tensor<300x100xf32>) -> tensor<1x100xf32>
    ```
    After:
    ```mlir
    %y = cim.gemm %x, %w {mapping = #cim.mapping<rows = 300, cols = 100,
           groups = 1, slices = 2, copies = 1, signed_mapping = dc,
           xbar_rows = 256, xbar_cols = 256, tiles = [
             <pe = 0, xbar = 0, rows = [0:256], cols = [0:100], slice = 0>,
             <pe = 0, xbar = 0, rows = [0:256], cols = [0:28], slice = 1, at = [0, 200]>,
             ...]>, quant = #cim.quant<wbits = 8, abits = 8>} : ...
    ```
  }];
  let options = [
    Option<"hw", "hw", "std::string", /*default=*/"\"\"",
           "Hardware description: a preset name or a YAML file">,
    Option<"duplicate", "duplicate", "bool", /*default=*/"true",
           "Copy the slowest layers into spare crossbars">
  ];
  let dependentDialects = ["::mlir::cim::CIMDialect"];
}

def CostReport : Pass<"cim-cost-report", "mlir::ModuleOp"> {
  let summary = "Print the analytic cost of a mapped network";
  let description = [{
    Prints, for a module mapped by `cim-map-crossbars`, one line per layer:
    crossbars per copy, copies, crossbars, cell utilization, crossbar steps,
    ADC conversions, writes, latency and energy; then the network totals
    (crossbars used of the chip, latency in picoseconds and cycles, energy).
    The IR is not changed. `hw` as for `cim-map-crossbars`; by default the
    preset the module's `cim.hardware` names.

    ```
    hardware rram-tiled: 16128 crossbars of 128x128, stationary weights
    layer             xb/copy copies    xbars  util%    mvm-steps ...
    conv1                   6     12       72   75.5       ...
    ```
  }];
  let options = [
    Option<"hw", "hw", "std::string", /*default=*/"\"\"",
           "Hardware description: a preset name or a YAML file">
  ];
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

#endif // CIM_TRANSFORMS_PASSES_TD
