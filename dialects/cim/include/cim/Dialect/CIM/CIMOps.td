//===- CIMOps.td - Operations of the cim dialect -----------*- tablegen -*-===//
//
// Graph-level ops follow ONNX semantics on ranked tensors in NCHW layout.
// Shapes are inferred (InferTypeOpInterface), so builders need no result
// type and the verifier reports a located error when the declared result
// type disagrees with the operands.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMOPS_TD
#define CIM_DIALECT_CIM_CIMOPS_TD

include "cim/Dialect/CIM/CIMAttrs.td"
include "cim/Dialect/CIM/CIMInterfaces.td"
include "cim/Dialect/CIM/CIMTypes.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def CIM_FloatTensor : RankedTensorOf<[AnyFloat]>;
def CIM_IndexTensor : RankedTensorOf<[AnySignlessInteger]>;
// Elementwise arithmetic also runs on integers (shape arithmetic, ONNX
// integer tests); crossbar layers are float until quantized.
def CIM_NumericTensor : RankedTensorOf<[AnyFloat, AnyInteger]>;

class CIM_InferredOp<string mnemonic, list<Trait> traits = []>
    : CIM_Op<mnemonic, !listconcat(traits,
        [Pure, DeclareOpInterfaceMethods<InferTypeOpInterface>])>;

// Attributes every weight-bearing layer carries.
defvar CIM_LayerAttrs = (ins
  OptionalAttr<CIM_QuantAttr>:$quant,
  OptionalAttr<CIM_MappingAttr>:$mapping,
  OptionalAttr<StrAttr>:$name
);

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def CIM_ConstantOp : CIM_Op<"constant",
    [ConstantLike, Pure,
     DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "a constant tensor (weights, biases, shapes)";
  let description = [{
    Holds a constant tensor. Large weight tensors use dense resource
    attributes (`dense_resource<blob>`) so that the IR text stays small and
    the bytes are shared, not copied.

    ```mlir
    %w = cim.constant dense<0.5> : tensor<8x3x3x3xf32>
    %b = cim.constant dense_resource<conv1_bias> : tensor<8xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Weight-bearing layers
//===----------------------------------------------------------------------===//

def CIM_Conv2dOp : CIM_InferredOp<"conv2d",
    [DeclareOpInterfaceMethods<CIM_LayerOpInterface, ["getLayerInput",
       "getLayerWeight", "getLayerMatrix"]>]> {
  let summary = "2-D convolution (ONNX Conv), NCHW input, OIHW weights";
  let description = [{
    `input` is N x C x H x W, `weight` is M x C/group x kH x kW, the
    optional `bias` has M elements. `pads` is
    [top, left, bottom, right] (ONNX order); `strides` and `dilations` have
    two entries. Absent attributes mean strides 1, pads 0, dilations 1.

    ```mlir
    %y = cim.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>,
                                strides = array<i64: 2, 2>}
       : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>)
       -> tensor<1x16x16x16xf32>
    ```
  }];
  let arguments = !con((ins CIM_FloatTensor:$input, CIM_FloatTensor:$weight,
                            Optional<CIM_FloatTensor>:$bias,
                            OptionalAttr<DenseI64ArrayAttr>:$strides,
                            OptionalAttr<DenseI64ArrayAttr>:$pads,
                            OptionalAttr<DenseI64ArrayAttr>:$dilations,
                            DefaultValuedAttr<I64Attr, "1">:$group),
                       CIM_LayerAttrs);
  let results = (outs CIM_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// Strides, pads and dilations with the ONNX defaults filled in.
    ::llvm::SmallVector<int64_t, 2> getStrideValues();
    ::llvm::SmallVector<int64_t, 4> getPadValues();
    ::llvm::SmallVector<int64_t, 2> getDilationValues();
  }];
}

def CIM_GemmOp : CIM_InferredOp<"gemm",
    [DeclareOpInterfaceMethods<CIM_LayerOpInterface, ["getLayerInput",
       "getLayerWeight", "getLayerMatrix"]>]> {
  let summary = "general matrix multiply (ONNX Gemm)";
  let description = [{
    `result = alpha * A' * B' + beta * C` with A' = transpose(A) when
    `transA` and B' = transpose(B) when `transB`. A' is M x K, B' is K x N
    (B holds the weights), C is broadcastable to M x N.

    ```mlir
    %y = cim.gemm %x, %w, %b {transB = true}
       : (tensor<1x256xf32>, tensor<10x256xf32>, tensor<10xf32>)
       -> tensor<1x10xf32>
    ```
  }];
  let arguments = !con((ins CIM_FloatTensor:$a, CIM_FloatTensor:$b,
                            Optional<CIM_FloatTensor>:$c,
                            DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                            DefaultValuedAttr<F32Attr, "1.0">:$beta,
                            DefaultValuedAttr<BoolAttr, "false">:$transA,
                            DefaultValuedAttr<BoolAttr, "false">:$transB),
                       CIM_LayerAttrs);
  let results = (outs CIM_FloatTensor:$result);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
  }

def CIM_MatMulOp : CIM_InferredOp<"matmul",
    [DeclareOpInterfaceMethods<CIM_LayerOpInterface, ["getLayerInput",
       "getLayerWeight", "getLayerMatrix"]>]> {
  let summary = "matrix product with batch broadcasting (ONNX MatMul)";
  let description = [{
    numpy.matmul semantics: the last two dimensions multiply, leading
    dimensions broadcast; a rank-1 operand is promoted and the added
    dimension removed from the result. When `rhs` is a constant it is the
    layer's weight (K x N per batch); otherwise the op is a product of two
    activations (for example attention scores) that runs in the digital
    unit. Either way it is a quantized layer: the rhs takes the weight
    width `wbits` (for a product of two activations one per-tensor
    symmetric scale observed at calibration), the lhs the activation width
    `abits`.

    ```mlir
    %y = cim.matmul %x, %w : (tensor<1x16x64xf32>, tensor<64x128xf32>)
                           -> tensor<1x16x128xf32>
    ```
  }];
  let arguments = !con((ins CIM_FloatTensor:$lhs, CIM_FloatTensor:$rhs),
                       CIM_LayerAttrs);
  let results = (outs CIM_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  }

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

class CIM_BinaryOp<string mnemonic, string what>
    : CIM_InferredOp<mnemonic> {
  let summary = "elementwise " # what # " with numpy broadcasting";
  let description = [{
    Elementwise with multidirectional (numpy) broadcasting; both operands
    have the same element type, float or integer (integer division
    truncates toward zero, as in ONNX).

    ```mlir
    %z = cim.}] # mnemonic # [{ %x, %y : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>)
                           -> tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins CIM_NumericTensor:$lhs, CIM_NumericTensor:$rhs);
  let results = (outs CIM_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def CIM_AddOp : CIM_BinaryOp<"add", "addition">;
def CIM_SubOp : CIM_BinaryOp<"sub", "subtraction">;
def CIM_MulOp : CIM_BinaryOp<"mul", "multiplication">;
def CIM_DivOp : CIM_BinaryOp<"div", "division">;
def CIM_PowOp : CIM_BinaryOp<"pow", "power">;
def CIM_MaxOp : CIM_BinaryOp<"max", "maximum">;
def CIM_MinOp : CIM_BinaryOp<"min", "minimum">;
def CIM_PReluOp : CIM_BinaryOp<"prelu",
    "parametric ReLU: x if x >= 0 else slope * x (float only)">;

def CIM_BoolTensor : RankedTensorOf<[I1]>;

class CIM_CompareOp<string mnemonic, string what>
    : CIM_InferredOp<mnemonic> {
  let summary = "elementwise " # what # " with numpy broadcasting";
  let description = [{
    Compares two tensors of the same element type (float or integer)
    elementwise with numpy broadcasting; the result is `i1`. Comparisons
    with NaN are false (except `cim.not` of them).
  }];
  let arguments = (ins CIM_NumericTensor:$lhs, CIM_NumericTensor:$rhs);
  let results = (outs CIM_BoolTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def CIM_EqualOp : CIM_CompareOp<"equal", "x == y">;
def CIM_LessOp : CIM_CompareOp<"less", "x < y">;
def CIM_LessEqualOp : CIM_CompareOp<"less_equal", "x <= y">;
def CIM_GreaterOp : CIM_CompareOp<"greater", "x > y">;
def CIM_GreaterEqualOp : CIM_CompareOp<"greater_equal", "x >= y">;

class CIM_LogicalOp<string mnemonic, string what>
    : CIM_InferredOp<mnemonic> {
  let summary = "elementwise logical " # what # " of `i1` tensors";
  let description = [{
    Elementwise on `i1` tensors with numpy broadcasting.
  }];
  let arguments = (ins CIM_BoolTensor:$lhs, CIM_BoolTensor:$rhs);
  let results = (outs CIM_BoolTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def CIM_AndOp : CIM_LogicalOp<"and", "and">;
def CIM_OrOp : CIM_LogicalOp<"or", "or">;
def CIM_XorOp : CIM_LogicalOp<"xor", "exclusive or">;

def CIM_NotOp : CIM_Op<"not", [Pure, SameOperandsAndResultType]> {
  let summary = "elementwise logical negation of an `i1` tensor";
  let arguments = (ins CIM_BoolTensor:$input);
  let results = (outs CIM_BoolTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def CIM_WhereOp : CIM_InferredOp<"where"> {
  let summary = "select x where the condition holds, else y (ONNX Where)";
  let description = [{
    The three operands broadcast together (numpy rules); `x` and `y` have
    the same element type, which is the result's.

    ```mlir
    %z = cim.where %c, %x, %y : (tensor<4xi1>, tensor<4xf32>, tensor<f32>)
                              -> tensor<4xf32>
    ```
  }];
  let arguments = (ins CIM_BoolTensor:$condition, AnyRankedTensor:$x,
                       AnyRankedTensor:$y);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $condition `,` $x `,` $y attr-dict `:` functional-type(operands, results)
  }];
}

def CIM_CastOp : CIM_Op<"cast", [Pure, SameOperandsAndResultShape]> {
  let summary = "convert the element type (ONNX Cast, CastLike)";
  let description = [{
    Converts every element to the result's element type as ONNX Cast does:
    float to integer truncates toward zero (out-of-range values are
    undefined in ONNX and wrap here), float to narrower float rounds to
    nearest even; with `saturate` (the default), values beyond the range of
    an 8-bit float target (`!cim.float<f8...>`) clamp to its largest finite
    value, without it they become infinity or NaN as the ONNX Cast table
    says. Float4 targets always saturate. A `!cim.float<f8E8M0FNU>` target
    keeps the exponent of the f32 value, rounded as `round_mode` says
    (`up`, `down` or `nearest`). Booleans are 0 / 1; any nonzero value
    casts to true.

    ```mlir
    %h = cim.cast %x : (tensor<3x4xf32>) -> tensor<3x4xf16>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input,
                       DefaultValuedAttr<BoolAttr, "true">:$saturate,
                       DefaultValuedStrAttr<StrAttr, "up">:$round_mode);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

class CIM_UnaryOp<string mnemonic, string what, dag attrs = (ins)>
    : CIM_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = what;
  let arguments = !con((ins CIM_FloatTensor:$input), attrs);
  let results = (outs CIM_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def CIM_ReluOp : CIM_UnaryOp<"relu", "max(x, 0)">;
def CIM_LeakyReluOp : CIM_UnaryOp<"leaky_relu", "x if x >= 0 else alpha * x",
    (ins DefaultValuedAttr<F32Attr, "0.01">:$alpha)>;
def CIM_ClipOp : CIM_Op<"clip", [Pure, SameOperandsAndResultType]> {
  let summary = "min(max(x, min), max)";
  let description = [{
    `min(max(x, min), max)`; an absent bound is unbounded. As in ONNX, a
    `min` above `max` is allowed and yields `max` everywhere. ReLU6 is
    `cim.clip %x {min = 0.0 : f64, max = 6.0 : f64}`. Integer tensors are
    clipped too; their bounds must be whole numbers.
  }];
  let arguments = (ins CIM_NumericTensor:$input, OptionalAttr<F64Attr>:$min,
                       OptionalAttr<F64Attr>:$max);
  let results = (outs CIM_NumericTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}
def CIM_SigmoidOp : CIM_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def CIM_HardSigmoidOp : CIM_UnaryOp<"hard_sigmoid",
    "max(0, min(1, alpha * x + beta))",
    (ins DefaultValuedAttr<F32Attr, "0.2">:$alpha,
         DefaultValuedAttr<F32Attr, "0.5">:$beta)>;
def CIM_HardSwishOp : CIM_UnaryOp<"hard_swish",
    "x * max(0, min(1, x / 6 + 1 / 2))">;
def CIM_TanhOp : CIM_UnaryOp<"tanh", "hyperbolic tangent">;
def CIM_ErfOp : CIM_UnaryOp<"erf", "Gauss error function">;
def CIM_GeluOp : CIM_UnaryOp<"gelu", "x * Phi(x), exact or tanh-approximated",
    (ins DefaultValuedAttr<CIM_GeluApproximationAttr,
                           "::mlir::cim::GeluApproximation::None">:$approximate)>;
def CIM_SqrtOp : CIM_UnaryOp<"sqrt", "square root">;
def CIM_ExpOp : CIM_UnaryOp<"exp", "natural exponential">;
def CIM_NegOp : CIM_UnaryOp<"neg", "negation">;
def CIM_AbsOp : CIM_UnaryOp<"abs", "absolute value">;
def CIM_LogOp : CIM_UnaryOp<"log", "natural logarithm">;
def CIM_ReciprocalOp : CIM_UnaryOp<"reciprocal", "1 / x">;
def CIM_FloorOp : CIM_UnaryOp<"floor", "round toward negative infinity">;
def CIM_CeilOp : CIM_UnaryOp<"ceil", "round toward positive infinity">;
def CIM_RoundOp : CIM_UnaryOp<"round", "round half to even">;
def CIM_SoftplusOp : CIM_UnaryOp<"softplus", "log(1 + exp(x))">;
def CIM_SoftsignOp : CIM_UnaryOp<"softsign", "x / (1 + |x|)">;
def CIM_MishOp : CIM_UnaryOp<"mish", "x * tanh(softplus(x))">;
def CIM_SwishOp : CIM_UnaryOp<"swish", "x * sigmoid(alpha * x) (SiLU for alpha = 1)",
    (ins DefaultValuedAttr<F32Attr, "1.0">:$alpha)>;
def CIM_EluOp : CIM_UnaryOp<"elu", "x if x > 0 else alpha * (exp(x) - 1)",
    (ins DefaultValuedAttr<F32Attr, "1.0">:$alpha)>;
def CIM_SeluOp : CIM_UnaryOp<"selu",
    "gamma * (x if x > 0 else alpha * (exp(x) - 1))",
    (ins DefaultValuedAttr<F32Attr, "1.67326319217681884765625">:$alpha,
         DefaultValuedAttr<F32Attr, "1.05070102214813232421875">:$gamma)>;
def CIM_ThresholdedReluOp : CIM_UnaryOp<"thresholded_relu",
    "x if x > alpha else 0", (ins DefaultValuedAttr<F32Attr, "1.0">:$alpha)>;

//===----------------------------------------------------------------------===//
// Pooling and reductions
//===----------------------------------------------------------------------===//

class CIM_PoolOp<string mnemonic, string what, Type element, dag extra = (ins)>
    : CIM_InferredOp<mnemonic> {
  let summary = what # " (ONNX semantics, N x C x spatial...)";
  let description = [{
    Pools over the k = 1, 2 or 3 trailing (spatial) dimensions of an
    N x C x D1 x ... x Dk input. `kernel_shape` has k entries; `strides`
    (default 1), `pads` (k begin amounts then k end amounts, default 0)
    and `dilations` (default 1) as for `cim.conv2d`. With `ceil_mode` the
    output size rounds up, but a window never starts inside the end
    padding.

    `cim.max_pool` also runs on integers; with `with_indices` it has a
    second result holding, for every output element, the flat index of the
    chosen element in the unpadded input (row-major, or column-major over
    the spatial dimensions with `storage_order = 1`), as ONNX MaxPool's
    `Indices` output.

    ```mlir
    %y = cim.max_pool %x {kernel_shape = array<i64: 2, 2>,
                          strides = array<i64: 2, 2>}
       : (tensor<1x8x8x8xf32>) -> tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = !con((ins RankedTensorOf<[element]>:$input,
                            DenseI64ArrayAttr:$kernel_shape,
                            OptionalAttr<DenseI64ArrayAttr>:$strides,
                            OptionalAttr<DenseI64ArrayAttr>:$pads,
                            OptionalAttr<DenseI64ArrayAttr>:$dilations,
                            DefaultValuedAttr<BoolAttr, "false">:$ceil_mode),
                       extra);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let extraClassDeclaration = [{
    int64_t getSpatialRank() { return getKernelShape().size(); }
    ::llvm::SmallVector<int64_t, 3> getStrideValues();
    ::llvm::SmallVector<int64_t, 6> getPadValues();
    ::llvm::SmallVector<int64_t, 3> getDilationValues();
  }];
}

def CIM_MaxPoolOp : CIM_PoolOp<"max_pool", "max pooling", AnyTypeOf<[AnyFloat, AnyInteger]>,
    (ins UnitAttr:$with_indices,
         DefaultValuedAttr<I64Attr, "0">:$storage_order)> {
  let results = (outs RankedTensorOf<[AnyFloat, AnyInteger]>:$result,
                      Optional<RankedTensorOf<[I64]>>:$indices);
}
def CIM_AvgPoolOp : CIM_PoolOp<"avg_pool", "average pooling", AnyFloat,
    (ins DefaultValuedAttr<BoolAttr, "false">:$count_include_pad)> {
  let results = (outs CIM_FloatTensor:$result);
}

class CIM_GlobalPoolOp<string mnemonic, string what>
    : CIM_InferredOp<mnemonic> {
  let summary = what # " over all spatial dimensions";
  let description = [{
    Input N x C x D1 x ... x Dk, output N x C x 1 x ... x 1.
  }];
  let arguments = (ins CIM_FloatTensor:$input);
  let results = (outs CIM_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def CIM_GlobalAvgPoolOp : CIM_GlobalPoolOp<"global_avg_pool", "average">;
def CIM_GlobalMaxPoolOp : CIM_GlobalPoolOp<"global_max_pool", "maximum">;

class CIM_ReduceOp<string mnemonic, string what, Type element = AnyFloat>
    : CIM_InferredOp<mnemonic> {
  let summary = what # " over the given axes (ONNX " # what # ")";
  let description = [{
    Reduces over `axes` (negative values count from the back); with
    `keepdims` the reduced dimensions stay as size 1. An empty `axes`
    reduces every dimension. Sums accumulate in double precision.
  }];
  let arguments = (ins RankedTensorOf<[element]>:$input,
                       DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs RankedTensorOf<[element]>:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def CIM_ReduceMeanOp : CIM_ReduceOp<"reduce_mean", "ReduceMean">;
def CIM_ReduceSumOp : CIM_ReduceOp<"reduce_sum", "ReduceSum">;
def CIM_ReduceProdOp : CIM_ReduceOp<"reduce_prod", "ReduceProd">;
def CIM_ReduceL1Op : CIM_ReduceOp<"reduce_l1", "ReduceL1">;
def CIM_ReduceL2Op : CIM_ReduceOp<"reduce_l2", "ReduceL2">;
def CIM_ReduceSumSquareOp : CIM_ReduceOp<"reduce_sum_square", "ReduceSumSquare">;
def CIM_ReduceLogSumOp : CIM_ReduceOp<"reduce_log_sum", "ReduceLogSum">;
def CIM_ReduceLogSumExpOp : CIM_ReduceOp<"reduce_log_sum_exp", "ReduceLogSumExp">;
def CIM_ReduceMaxOp : CIM_ReduceOp<"reduce_max", "ReduceMax",
                                   AnyTypeOf<[AnyFloat, AnyInteger]>>;
def CIM_ReduceMinOp : CIM_ReduceOp<"reduce_min", "ReduceMin",
                                   AnyTypeOf<[AnyFloat, AnyInteger]>>;

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

def CIM_SoftmaxOp : CIM_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "softmax along one axis (ONNX opset 13 semantics)";
  let arguments = (ins CIM_FloatTensor:$input,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs CIM_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def CIM_LogSoftmaxOp : CIM_Op<"log_softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "log of softmax along one axis (ONNX LogSoftmax, opset 13)";
  let arguments = (ins CIM_FloatTensor:$input,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs CIM_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def CIM_InstanceNormOp : CIM_Op<"instance_norm", [Pure,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "instance normalization (ONNX InstanceNormalization)";
  let description = [{
    Normalizes every (n, c) plane of an N x C x spatial... input over its
    spatial elements, then applies the per-channel `scale` and `bias`.
  }];
  let arguments = (ins CIM_FloatTensor:$input, CIM_FloatTensor:$scale,
                       CIM_FloatTensor:$bias,
                       DefaultValuedAttr<F32Attr, "1e-5">:$epsilon);
  let results = (outs CIM_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def CIM_LrnOp : CIM_Op<"lrn", [Pure, SameOperandsAndResultType]> {
  let summary = "local response normalization across channels (ONNX LRN)";
  let description = [{
    `y = x / (bias + alpha / size * sum(x^2 over a window of size
    channels))^beta`; the window around channel c spans
    c - floor((size - 1) / 2) ... c + ceil((size - 1) / 2).
  }];
  let arguments = (ins CIM_FloatTensor:$input, I64Attr:$size,
                       DefaultValuedAttr<F32Attr, "0.0001">:$alpha,
                       DefaultValuedAttr<F32Attr, "0.75">:$beta,
                       DefaultValuedAttr<F32Attr, "1.0">:$bias);
  let results = (outs CIM_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def CIM_LayerNormOp : CIM_Op<"layer_norm", [Pure,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "layer normalization (ONNX LayerNormalization)";
  let description = [{
    Normalizes over the dimensions from `axis` to the last, then applies
    `scale` and the optional `bias`, whose shape is those dimensions.
  }];
  let arguments = (ins CIM_FloatTensor:$input, CIM_FloatTensor:$scale,
                       Optional<CIM_FloatTensor>:$bias,
                       DefaultValuedAttr<I64Attr, "-1">:$axis,
                       DefaultValuedAttr<F32Attr, "1e-5">:$epsilon);
  let results = (outs CIM_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def CIM_BatchNormOp : CIM_Op<"batch_norm", [Pure,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "inference-mode batch normalization over dimension 1";
  let description = [{
    `(x - mean) / sqrt(var + epsilon) * scale + bias` per channel. Present
    only before `cim-fold-batchnorm` folds it into the preceding layer.
  }];
  let arguments = (ins CIM_FloatTensor:$input, CIM_FloatTensor:$scale,
                       CIM_FloatTensor:$bias, CIM_FloatTensor:$mean,
                       CIM_FloatTensor:$var,
                       DefaultValuedAttr<F32Attr, "1e-5">:$epsilon);
  let results = (outs CIM_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $var attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def CIM_ReshapeOp : CIM_Op<"reshape", [Pure,
    AllElementTypesMatch<["input", "result"]>]> {
  let summary = "reinterpret the shape (ONNX Reshape, Squeeze, Unsqueeze)";
  let description = [{
    The result type gives the new shape; element counts must agree.
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def CIM_FlattenOp : CIM_InferredOp<"flatten"> {
  let summary = "collapse to 2-D at `axis` (ONNX Flatten)";
  let arguments = (ins AnyRankedTensor:$input,
                       DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def CIM_TransposeOp : CIM_InferredOp<"transpose"> {
  let summary = "permute dimensions (ONNX Transpose)";
  let description = [{
    Result dimension i is input dimension `perm[i]`; without `perm` the
    dimensions are reversed.
  }];
  let arguments = (ins AnyRankedTensor:$input,
                       OptionalAttr<DenseI64ArrayAttr>:$perm);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let extraClassDeclaration = [{
    ::llvm::SmallVector<int64_t, 4> getPermValues();
  }];
}

def CIM_ConcatOp : CIM_InferredOp<"concat"> {
  let summary = "concatenate along `axis` (ONNX Concat)";
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
}

def CIM_SplitOp : CIM_InferredOp<"split"> {
  let summary = "split along `axis` into pieces of the given sizes";
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis,
                       DenseI64ArrayAttr:$sizes);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def CIM_SliceOp : CIM_InferredOp<"slice"> {
  let summary = "strided slice (ONNX Slice with constant parameters)";
  let description = [{
    For each listed axis, takes `starts[i]` up to `ends[i]` with step
    `steps[i]` (default 1). Negative values count from the end; values
    past the end are clamped, as in ONNX.
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$ends, DenseI64ArrayAttr:$axes,
                       OptionalAttr<DenseI64ArrayAttr>:$steps);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def CIM_PadOp : CIM_InferredOp<"pad"> {
  let summary = "pad the borders (ONNX Pad with constant pads)";
  let description = [{
    `pads` holds the begin amounts of every dimension followed by the end
    amounts (ONNX order); negative amounts crop.
  }];
  let arguments = (ins CIM_NumericTensor:$input, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<CIM_PadModeAttr,
                                         "::mlir::cim::PadMode::Constant">:$mode,
                       DefaultValuedAttr<F32Attr, "0.0">:$value);
  let results = (outs CIM_NumericTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def CIM_GatherOp : CIM_InferredOp<"gather"> {
  let summary = "gather slices along `axis` (ONNX Gather)";
  let description = [{
    The result shape is data.shape[:axis] + indices.shape +
    data.shape[axis+1:]; negative indices count from the end.
  }];
  let arguments = (ins AnyRankedTensor:$data, CIM_IndexTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $data `,` $indices attr-dict `:` functional-type(operands, results)
  }];
}

def CIM_ExpandOp : CIM_InferredOp<"expand"> {
  let summary = "broadcast to a shape (ONNX Expand with a constant shape)";
  let description = [{
    The result shape is the numpy broadcast of the input shape and `shape`.
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def CIM_TileOp : CIM_InferredOp<"tile"> {
  let summary = "repeat the tensor along every dimension (ONNX Tile)";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$repeats);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Resampling
//===----------------------------------------------------------------------===//

def CIM_ResizeOp : CIM_InferredOp<"resize"> {
  let summary = "resize by interpolation (ONNX Resize and Upsample)";
  let description = [{
    Resamples every dimension `d` by the factor `scales[d]` as ONNX Resize
    (opset 19) does in the ONNX reference implementation. The output size of `d` is `sizes[d]` when `sizes`
    is given, else `floor(in[d] * scales[d])`; `scales` is the factor the
    coordinate transformation uses either way (the importer derives it from
    ONNX `sizes`, `axes` and `keep_aspect_ratio_policy`). Dimensions with
    factor 1 and unchanged size are copied.

    For output index `x` of a dimension with input length `in`, output
    length `out` and factor `s`, `coordinate_transformation_mode` gives the
    input coordinate `x'`:

    | mode | x' |
    | --- | --- |
    | `half_pixel` (default) | (x + 0.5) / s - 0.5 |
    | `half_pixel_symmetric` | in / 2 * (1 - out / (s * in)) + (x + 0.5) / s - 0.5 |
    | `pytorch_half_pixel` | (x + 0.5) / s - 0.5, or -0.5 when s * in = 1 |
    | `align_corners` | x * (in - 1) / (s * in - 1), or 0 when s * in = 1 |
    | `asymmetric` | x / s |
    | `tf_half_pixel_for_nn` | (x + 0.5) / s |
    | `tf_crop_and_resize` | start * (in - 1) + x * (end - start) * (in - 1) / (s * in - 1), or (start + end) / 2 * (in - 1) when s * in = 1 |

    With `tf_crop_and_resize`, `roi` holds the start of every dimension
    followed by the end (normalized coordinates, default 0 and 1), and
    outputs whose `x'` falls outside `[0, in - 1]` are
    `extrapolation_value`.

    `mode` picks the interpolation: `nearest` rounds `x'` as `nearest_mode`
    says; `linear` weighs the two neighbours; `cubic` the four neighbours
    with the cubic convolution kernel of parameter `cubic_coeff_a`. Indices
    outside the input read the edge element; with `exclude_outside` they
    get weight 0 and the weights are renormalized. With `antialias`, a
    downsampling `linear` or `cubic` resize stretches its kernel by `1 / s`
    (a low-pass filter) and normalizes the weights. Dimensions are
    interpolated one after the other, which is separable interpolation.

    ```mlir
    %y = cim.resize %x {mode = #cim.resize_mode<linear>,
                        coordinate_transformation_mode =
                            #cim.resize_coordinate_mode<align_corners>,
                        scales = array<f64: 1.0, 1.0, 2.0, 2.0>}
       : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
    ```
  }];
  let arguments = (ins CIM_FloatTensor:$input,
      DenseF64ArrayAttr:$scales,
      OptionalAttr<DenseI64ArrayAttr>:$sizes,
      OptionalAttr<DenseF64ArrayAttr>:$roi,
      DefaultValuedAttr<CIM_ResizeModeAttr,
                        "::mlir::cim::ResizeMode::Nearest">:$mode,
      DefaultValuedAttr<CIM_ResizeCoordinateModeAttr,
          "::mlir::cim::ResizeCoordinateMode::HalfPixel">:
          $coordinate_transformation_mode,
      DefaultValuedAttr<CIM_ResizeNearestModeAttr,
          "::mlir::cim::ResizeNearestMode::RoundPreferFloor">:$nearest_mode,
      DefaultValuedAttr<F32Attr, "-0.75">:$cubic_coeff_a,
      DefaultValuedAttr<BoolAttr, "false">:$exclude_outside,
      DefaultValuedAttr<BoolAttr, "false">:$antialias,
      DefaultValuedAttr<F32Attr, "0.0">:$extrapolation_value);
  let results = (outs CIM_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Quantization (QDQ)
//===----------------------------------------------------------------------===//

// Element types of quantized tensors (ONNX QuantizeLinear /
// DequantizeLinear): int2, uint2 (ONNX INT2 / UINT2, opset 25), int4, uint4
// (INT4 / UINT4, opset 21), int8, uint8, int16, uint16, int32, and the
// small floats (FLOAT8*, opset 19; FLOAT4E2M1, opset 23).
def CIM_QuantizedInteger
    : AnyTypeOf<[I<2>, UI<2>, I<4>, UI<4>, I8, UI8, I16, UI16, I32,
                 CIM_SmallFloatType]>;
def CIM_QuantizedTensor : RankedTensorOf<[CIM_QuantizedInteger]>;

def CIM_QuantizeLinearOp : CIM_InferredOp<"quantize_linear"> {
  let summary = "float to integer: saturate(round(x / scale) + zero_point)";
  let description = [{
    ONNX QuantizeLinear, per tensor, per axis or blocked. `scale` and
    `zero_point` hold one element (per tensor) or one per slice of `input`
    along `axis` (per axis); with a nonzero `block_size` they have the
    input's rank and shape except along `axis`, where each element covers
    `block_size` consecutive slices (blocked, opset 21). Division in the
    input's float type, rounding half to even, saturation to the range of
    the result type; NaN quantizes to the zero point. A small float result
    (`!cim.float<...>`) is `x / scale + zero_point` cast as `cim.cast` does
    with `saturate`. The result has the element type of `zero_point` (the
    importer supplies a zero `zero_point` when the model leaves it out).

    Present until `cim-fold-qdq` absorbs a QuantizeLinear/DequantizeLinear
    pair into the `#cim.quant` of the layer it feeds; pairs that cannot be
    absorbed stay and run in the reference executor.

    ```mlir
    %q = cim.quantize_linear %x, %s, %zp
       : (tensor<1x8x4x4xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x8x4x4xui8>
    ```
  }];
  let arguments = (ins CIM_FloatTensor:$input, CIM_FloatTensor:$scale,
                       CIM_QuantizedTensor:$zero_point,
                       DefaultValuedAttr<I64Attr, "1">:$axis,
                       DefaultValuedAttr<I64Attr, "0">:$block_size,
                       DefaultValuedAttr<BoolAttr, "true">:$saturate);
  let results = (outs CIM_QuantizedTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $zero_point attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// True when `scale` holds a single element (one scale for the tensor).
    bool isPerTensor();
    /// True for block quantization (a nonzero `block_size`).
    bool isBlocked() { return getBlockSize() != 0; }
    /// `axis` counted from the front (valid once verified).
    int64_t getNormalizedAxis();
  }];
}

def CIM_DequantizeLinearOp : CIM_InferredOp<"dequantize_linear"> {
  let summary = "integer to float: (x - zero_point) * scale";
  let description = [{
    ONNX DequantizeLinear, per tensor, per axis or blocked, with the same
    `scale`, `zero_point`, `axis` and `block_size` conventions as
    `cim.quantize_linear`; an absent `zero_point` is 0. The result has the
    element type of `scale`.

    ```mlir
    %w = cim.dequantize_linear %q, %s {axis = 0 : i64}
       : (tensor<8x3x3x3xi8>, tensor<8xf32>) -> tensor<8x3x3x3xf32>
    ```
  }];
  let arguments = (ins CIM_QuantizedTensor:$input, CIM_FloatTensor:$scale,
                       Optional<CIM_QuantizedTensor>:$zero_point,
                       DefaultValuedAttr<I64Attr, "1">:$axis,
                       DefaultValuedAttr<I64Attr, "0">:$block_size);
  let results = (outs CIM_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale (`,` $zero_point^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// True when `scale` holds a single element (one scale for the tensor).
    bool isPerTensor();
    /// True for block quantization (a nonzero `block_size`).
    bool isBlocked() { return getBlockSize() != 0; }
    /// `axis` counted from the front (valid once verified).
    int64_t getNormalizedAxis();
  }];
}

#endif // CIM_DIALECT_CIM_CIMOPS_TD
