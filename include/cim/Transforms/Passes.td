//===- Passes.td - cim transformation passes ---------------*- tablegen -*-===//

#ifndef CIM_TRANSFORMS_PASSES_TD
#define CIM_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def AssignBitwidths : Pass<"cim-assign-bitwidths", "mlir::ModuleOp"> {
  let summary = "Assign weight and activation bit widths to every layer";
  let description = [{
    Gives every weight-bearing layer (`cim.conv2d`, `cim.gemm` and
    `cim.matmul`) a `#cim.quant` attribute with its weight and
    input-activation bit widths. A `cim.matmul` of two activations
    (attention scores QK^T, attention x V) is a layer too: its rhs, the
    operand a crossbar would hold, takes the weight width (per_tensor), its
    lhs the activation width. Schemes already present (from a
    QDQ import or calibration) are kept; scales and zero points already
    present are rescaled to the new widths so that each keeps its real
    clipping range.

    With `wbits`/`abits` every layer gets the same widths. Layers that
    already carry a quantization keep it unless `overwrite` is set.
    `ascheme` is the input-activation scheme of the layers that get a new
    `#cim.quant` (asymmetric by default: after a ReLU the symmetric range
    wastes its sign bit); a quantization already present keeps its own.

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
    %y = cim.conv2d %x, %w
           {quant = #cim.quant<wbits = 4, abits = 8, ascheme = asymmetric>}
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
    Option<"ascheme", "ascheme", "std::string", /*default=*/"\"asymmetric\"",
           "Input-activation scheme of layers without a #cim.quant: "
           "asymmetric or symmetric">,
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
    number of weights and bit widths. A product of two activations has no
    stored weights (`-`, not counted in the total). The IR is not changed.

    ```
    layer        op      groups x rows x cols   MVMs  weights  W  A
    conv1        conv2d     1 x    25 x     6    784      150  4  8
    ```
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
      observed range (`method=minmax`; `method=percentile` clipping both
      tails at `percentile`; or `method=mse`, the clipping range with the
      least mean squared quantization error at the layer's `abits`) gives
      the scale and zero point.
    * For a `cim.matmul` of two activations, with calibration `inputs`,
      both operands are observed: the lhs gives `ascale`/`azp` as above,
      the rhs one symmetric per-tensor `wscale` at the layer's `wbits`
      (zero point 0).

    `inputs` is a comma-separated list of data paths, each read as
    cim-tune's `--data` reads folders (docs/tune.md, "Data"): a tensor file
    (ONNX TensorProto `.pb` or NumPy `.npy`; one sample of a one-input
    function), a folder holding `input_0.pb`, `input_1.pb`, ... (one
    sample), a folder of such sample folders (`test_data_set_*` in numeric
    order, as in the ONNX test data, or any names in name order), a flat
    folder of tensor files (one sample each), or an image folder (one
    subfolder of JPEG or PNG images per class) for a function with one NCHW
    f32 input of 1 or 3 channels: each image is resized (shorter side to
    `resize`, by default the input's larger side), center-cropped to the
    input's height and width, scaled to [0, 1] and normalized with `mean`
    and `std`. A tensor must have the input's shape (or that shape without
    a batch dimension of 1) and element type (any float type for a float
    input). `samples=N` keeps the first N samples (0: all). Every sample is
    held in memory during calibration. Scales a layer already carries (e.g. from a QDQ
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
           "Range of the observed activations: minmax, percentile or mse">,
    Option<"percentile", "percentile", "double", /*default=*/"99.99",
           "Percentile (50..100) for method=percentile">,
    Option<"maxSamples", "samples", "unsigned", /*default=*/"0",
           "Calibrate on the first N samples of the inputs (0: all)">,
    Option<"overwrite", "overwrite", "bool", /*default=*/"false",
           "Replace scales a layer already carries">,
    Option<"function", "function", "std::string", /*default=*/"\"\"",
           "Function to run on the inputs (default: the only one)">,
    Option<"resize", "resize", "int64_t", /*default=*/"0",
           "Image folders: the shorter side before the center crop (0: the "
           "input's larger side)">,
    ListOption<"mean", "mean", "float",
               "Image folders: per-channel mean, subtracted after /255">,
    ListOption<"stdDev", "std", "float",
               "Image folders: per-channel standard deviation">
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

    `placement=spread` (stationary weights only) uses the PEs that packing
    leaves idle. The copies are those above; then every copy starts on a PE
    of its own (no two copies share a PE's digital unit, buffer or link),
    and while PEs are spare the slowest layer has its copies spread over
    more PEs (down to one crossbar per PE) as long as that lowers the
    network's energy-delay product (a layer that cannot drops out). A
    copy on P PEs holds floor or ceil(crossbars / P) crossbars on each, and
    each PE receives the inputs of its own row tiles. The module gets
    `cim.placement = "spread"`. When the copies do not fit on PEs of their
    own, the layout stays packed.

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
           "Copy the slowest layers into spare crossbars">,
    Option<"placement", "placement", "std::string", /*default=*/"\"packed\"",
           "Stationary layout: packed (crossbar after crossbar) or spread "
           "(every copy on PEs of its own, over the idle PEs)">
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


//===----------------------------------------------------------------------===//
// Graph clean-up before quantization (issue 3)
//===----------------------------------------------------------------------===//

def Canonicalize : Pass<"cim-canonicalize", "mlir::ModuleOp"> {
  let summary = "Fold constant subgraphs, remove dead ops, canonicalize";
  let description = [{
    Graph canonicalization of the cim level:

    * **Constant folding.** An op whose operands are all `cim.constant`s is
      evaluated with the float reference executor's kernels (one definition
      of every op's arithmetic) and replaced by a `cim.constant`, unless its
      results hold more than `max-elements` elements. Results above 256
      elements become `dense_resource` blobs, like imported weights.
      `cim.quantize_linear` and `cim.dequantize_linear` are never folded:
      they carry the quantization that `cim-fold-qdq` reads.
    * **Dead code.** Ops whose results are unused are removed.
    * **Patterns.** The folders and canonicalization patterns of the cim
      ops (`cim.reshape` of a reshape, identity transposes, ...) run through
      MLIR's greedy rewriter, which also unifies equal constants.

    ONNX Identity and Dropout (inference) never reach the IR: the importer
    forwards their input.

    Before:
    ```mlir
    %w = cim.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
    %t = cim.transpose %w : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %y = cim.matmul %x, %t : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
    %dead = cim.relu %x : tensor<1x2xf32>
    ```
    After:
    ```mlir
    %t = cim.constant dense<[[1.0, 3.0], [2.0, 4.0]]> : tensor<2x2xf32>
    %y = cim.matmul %x, %t : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
    ```
  }];
  let options = [
    Option<"maxElements", "max-elements", "int64_t", /*default=*/"1048576",
           "Fold an op only when its results hold at most this many "
           "elements">
  ];
  let dependentDialects = ["::mlir::cim::CIMDialect"];
}

def FoldBatchNorm : Pass<"cim-fold-batchnorm", "mlir::ModuleOp"> {
  let summary = "Fold inference batch normalization into the preceding layer";
  let description = [{
    Folds `cim.batch_norm` into the `cim.conv2d` or `cim.gemm` that feeds
    it, when the layer's result has no other user and the layer's weight,
    bias and the normalization parameters are constants:

    ```
    a[c]  = scale[c] / sqrt(var[c] + epsilon)
    W'[c] = W[c] * a[c]                    (output channel c)
    b'[c] = (b[c] - mean[c]) * a[c] + bias[c]
    ```

    computed in double precision and stored in the weight's element type;
    a layer without bias gets one. For `cim.gemm`, output channel c is
    column c of the result (weight row c with `transB`, else column c);
    `alpha` stays, and `beta * C` is folded into the new `C` (`beta`
    becomes 1). Layers that already carry weight scales (`#cim.quant` with
    `wscale`) are left alone.

    Before:
    ```mlir
    %y = cim.conv2d %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
    %z = cim.batch_norm %y, %scale, %bias, %mean, %var
       : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
    ```
    After:
    ```mlir
    %w2 = cim.constant dense<...> : tensor<2x1x1x1xf32>
    %b2 = cim.constant dense<...> : tensor<2xf32>
    %z = cim.conv2d %x, %w2, %b2 : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
    ```
  }];
  let dependentDialects = ["::mlir::cim::CIMDialect"];
}

def FoldQDQ : Pass<"cim-fold-qdq", "mlir::ModuleOp"> {
  let summary = "Absorb QuantizeLinear/DequantizeLinear into #cim.quant";
  let description = [{
    Turns the QDQ form of a pre-quantized network into the `#cim.quant` of
    its layers (`cim.conv2d`, `cim.gemm`, `cim.matmul` with a constant
    weight), so that the network keeps its bits and scales:

    * **Weights.** `cim.dequantize_linear` of a constant integer weight
      becomes a float constant (the dequantized values, computed by the
      reference executor) plus `wbits` (the integer's width), `wscale`,
      `wzp` and the granularity: one scale is `per_tensor`, one scale per
      output channel is `per_channel`. Signed weights with zero points 0
      that fit the narrow range are `symmetric`; other signed weights and
      unsigned ones are `asymmetric`, with zero points shifted to the
      unsigned range (a signed b-bit value q is stored as q + 2^(b-1)).
    * **Input activations.** A per-tensor pair
      `cim.dequantize_linear(cim.quantize_linear(x))` with equal constant
      scale and zero point on the layer's input is removed from the
      layer's path (the layer reads `x`), giving `abits`, `ascale` and
      `azp`: `symmetric` for signed types with zero point 0, `asymmetric`
      otherwise (unsigned, or signed with a shifted zero point).
    * **Bias.** A `cim.dequantize_linear` of a constant bias becomes a
      float constant.

    A layer with a quantized weight but no absorbable input pair gets
    `abits = wbits` and no `ascale`; a layer with a float constant weight
    and an absorbed input pair gets `wbits = abits` and no `wscale`. What
    cannot be absorbed stays as executable ops: pairs on non-layer ops (and
    for other users of a pair the layer absorbed), per-axis or mismatched
    activation pairs, weights quantized along another axis (the layer then
    has no constant weight and is left alone) and 32-bit integers. Layers
    that already carry scales are left alone.

    Before:
    ```mlir
    %wq = cim.constant dense<[[[[1]]], [[[-2]]]]> : tensor<2x1x1x1xi8>
    %ws = cim.constant dense<[0.5, 0.25]> : tensor<2xf32>
    %w = cim.dequantize_linear %wq, %ws {axis = 0 : i64}
       : (tensor<2x1x1x1xi8>, tensor<2xf32>) -> tensor<2x1x1x1xf32>
    %q = cim.quantize_linear %x, %s, %zp
       : (tensor<1x1x4x4xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x1x4x4xui8>
    %a = cim.dequantize_linear %q, %s, %zp
       : (tensor<1x1x4x4xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x1x4x4xf32>
    %y = cim.conv2d %a, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
    ```
    After (with `%s` = 0.1 and `%zp` = 128):
    ```mlir
    %w = cim.constant dense<[[[[5.0e-01]]], [[[-5.0e-01]]]]> : tensor<2x1x1x1xf32>
    %y = cim.conv2d %x, %w {quant = #cim.quant<wbits = 8, abits = 8,
           ascheme = asymmetric, wscale = [0.5, 0.25], ascale = 0.1 : f32,
           azp = 128>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
    ```
  }];
  let dependentDialects = ["::mlir::cim::CIMDialect"];
}


def Schedule : Pass<"cim-schedule", "mlir::ModuleOp"> {
  let summary = "Schedule a mapped network layer by layer or across layers";
  let description = [{
    Splits every op's output into sets (rows of output pixels, finer when a
    layer has more copies than rows), derives which producer sets each set
    needs (through kernels, strides, padding, pooling, residual adds and
    concats) and list-schedules them on the chip (docs/architecture.md,
    "Scheduling"):

    * `schedule=cross-layer` (default, after CLSA-CIM): a set starts as soon
      as its inputs exist and a copy of its layer is free;
    * `schedule=layer`: an op starts when the previous one has finished.

    Every compute op gets `cim.schedule = #cim.schedule<order, start, end,
    sets>` (cycles of the chip's clock); the module gets
    `cim.schedule_kind`, `cim.latency_cycles` and `cim.lower_bound_cycles`.
    The module must have been mapped by `cim-map-crossbars` for the same
    hardware.

    With `chip=1` the pass also lowers the module to the chip level
    (docs/chip-dialect.md) from the same schedule: a `cimp.program` beside
    the function holds the nodes, the crossbar layers with their integer
    weights and scales, the units and the instructions in issue order; the
    function's crossbar weights become dataless
    `dense_resource<cim_weights_N>` handles (their values are the layers').
    `cim-translate --export-prog` turns that module into prog.cim.

    ```
    cim-opt m.mlir --cim-map-crossbars=hw=rram-tiled \
                   --cim-schedule="hw=rram-tiled schedule=layer"
    cim-opt m.mlir --cim-map-crossbars --cim-schedule="chip=1 model=m.onnx"
    ```
  }];
  let options = [
    Option<"hw", "hw", "std::string", /*default=*/"\"\"",
           "Hardware preset name or YAML file (default: the module's "
           "cim.hardware, else rram-tiled)">,
    Option<"schedule", "schedule", "std::string",
           /*default=*/"\"cross-layer\"",
           "layer or cross-layer">,
    Option<"chip", "chip", "bool", /*default=*/"false",
           "Also lower to a cimp.program (the chip level)">,
    Option<"model", "model", "std::string", /*default=*/"\"\"",
           "The model name in the program header (default: the file name "
           "of the module's location)">
  ];
  let dependentDialects = ["::mlir::cimp::CIMPDialect"];
}

#endif // CIM_TRANSFORMS_PASSES_TD
