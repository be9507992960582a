//===- LayerQuant.h - The quantizer applied to cim layers -------*- C++ -*-===//
//
// Library CIMQuantIR: connects the plain quantizer (Quantizer.h,
// Observer.h) to the IR: `#cim.quant` to and from quantization parameters,
// weight scales from a layer's constant weight, activation calibration over
// the float reference executor, and fake-quantized reference runs.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_QUANT_LAYERQUANT_H
#define CIM_QUANT_LAYERQUANT_H

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Quant/Observer.h"
#include "cim/Quant/Quantizer.h"
#include "cim/Reference/Executor.h"
#include "cim/Tensor/HostTensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"

#include <optional>
#include <vector>

namespace mlir {
namespace cim {

/// Where the output channels of the layer's weight tensor lie (one channel
/// per weight scale of a per_channel #cim.quant, as the verifier counts
/// them: cols x groups of the layer matrix).
quant::ChannelLayout getWeightChannelLayout(LayerOpInterface layer);

/// The weight parameters `quant` describes: one per wscale entry (with wzp
/// when present); empty without wscale.
std::vector<quant::QuantParams> getWeightParams(QuantAttr quant);

/// The input-activation parameters `quant` describes; std::nullopt without
/// ascale.
std::optional<quant::QuantParams> getActivationParams(QuantAttr quant);

/// The activation quantization of a layer without ascale (compiled without
/// calibration inputs): computed from this input's own finite range at run
/// time, widened to contain 0; unsigned (asymmetric) when the range has no
/// negative value, else the layer's ascheme. The compiled program and the
/// fake-quantized reference both quantize such inputs with it.
quant::QuantParams getRunTimeActivationParams(QuantAttr quant,
                                              llvm::ArrayRef<float> input);

/// The layers of `module` with a constant weight and a #cim.quant without
/// ascale: those that quantize their inputs with getRunTimeActivationParams.
unsigned countRunTimeActivationLayers(ModuleOp module);

/// The layer's constant weight as an f32 host tensor. Emits an error at the
/// layer and fails when the weight is not a readable f32 constant.
FailureOr<HostTensor> getConstantWeight(LayerOpInterface layer);

/// `quant` with wscale (and wzp for asymmetric weights) computed from the
/// layer's constant weight under its wbits, wscheme and granularity. Emits
/// an error at the layer and fails for non-f32 or non-finite weights.
FailureOr<QuantAttr> computeWeightScales(LayerOpInterface layer,
                                         QuantAttr quant);

/// `quant` with ascale and azp that cover `range` under its abits and
/// ascheme (the range must be finite).
QuantAttr withActivationRange(QuantAttr quant, quant::Range range);

/// The #cim.quant a layer gets with widths `wbits` and `abits`, activation
/// scheme `ascheme` and no scales: symmetric per-channel weights, except
/// that the rhs of a product of two activations (hasDynamicWeight) is
/// per_tensor.
QuantAttr getDefaultQuant(LayerOpInterface layer, unsigned wbits,
                          unsigned abits, QuantScheme ascheme);

/// `quant` of a product of two activations with the one symmetric
/// per-tensor weight scale (zero point 0) that covers `range`, the
/// observed range of its rhs, under its wbits (the range must be finite).
QuantAttr withDynamicWeightRange(QuantAttr quant, quant::Range range);

/// The attribute of a product of two activations at the chip level that
/// holds its rhs scale exactly: an f32 FloatAttr, which the textual and the
/// bytecode form of the graph keep to the bit (the wscale list of
/// #cim.quant prints rounded to 7 digits). Crossbar layers have their
/// scales in the program instead.
constexpr llvm::StringLiteral kExactRhsScaleAttrName = "cim.rhs_scale";

/// Sets kExactRhsScaleAttrName on every product of two activations of
/// `module` with a one-entry wscale (cim-schedule chip=1).
void attachExactRhsScales(ModuleOp module);

/// Replaces the wscale of every product of two activations that has
/// kExactRhsScaleAttrName by that exact value (a program graph loaded by
/// the simulator).
void restoreExactRhsScales(ModuleOp module);

/// `quant` with other bit widths; scales and zero points present are
/// rescaled so that each keeps its real clipping range
/// (quant::rescaleForBits).
QuantAttr withBitsKeepingRanges(QuantAttr quant, unsigned wbits,
                                unsigned abits);

/// The layer's weights quantized with its #cim.quant as the integer im2col
/// matrix the crossbars hold: [group][row][col], rows and cols as in
/// LayerMatrix (conv rows ordered (input channel, kernel row, kernel
/// column)). Fails with an error at the layer when the quant has no weight
/// scales or asymmetric weights (crossbars store signed weights), or the
/// weight is not a constant f32 tensor.
FailureOr<std::vector<int32_t>> getIntegerWeightMatrix(LayerOpInterface layer);

struct CalibrationOptions {
  quant::CalibrationMethod method = quant::CalibrationMethod::MinMax;
  /// For CalibrationMethod::Percentile, in [50, 100].
  double percentile = 99.99;
  /// Replace activation scales a layer already has (e.g. from QDQ).
  bool overwrite = false;
};

/// Runs `func` on every sample (one tensor per argument) through the
/// reference executor, observes the input activation of every layer that
/// has a #cim.quant (and no ascale, unless options.overwrite), and sets the
/// layer's ascale/azp from the observed range. The rhs of a product of two
/// activations is observed too (when it has no wscale, unless
/// options.overwrite) and gives its one symmetric wscale
/// (withDynamicWeightRange). Layers whose observed operands are not f32
/// are an error; an operand that saw no finite value gets a warning and no
/// scale.
LogicalResult
calibrateActivations(func::FuncOp func,
                     llvm::ArrayRef<llvm::SmallVector<HostTensor>> samples,
                     const CalibrationOptions &options);

/// An OperandHook (see runReference) that makes the reference executor
/// compute what a quantized accelerator computes: before each layer with a
/// #cim.quant it replaces the weight by its fake-quantized copy (when the
/// quant has wscale) and the input activation by its fake-quantized copy
/// (when it has ascale). Everything else, biases included, stays float.
/// Constant weights are fake-quantized once and cached per layer: use one
/// FakeQuantizer per unchanged module. The rhs of a product of two
/// activations is fake-quantized at every run with its per-tensor wscale.
/// With `productsOnly`, only the products of two activations are
/// quantized (the simulator's digital units; crossbar layers compute on
/// their integer weights).
class FakeQuantizer {
public:
  explicit FakeQuantizer(bool productsOnly = false)
      : productsOnly(productsOnly) {}
  LogicalResult operator()(Operation *op,
                           llvm::MutableArrayRef<const HostTensor *> operands);

private:
  bool productsOnly;
  llvm::DenseMap<Operation *, HostTensor> weights;
  HostTensor activation, dynamicWeight;
};

/// runReference with a FakeQuantizer.
FailureOr<llvm::SmallVector<HostTensor>>
runFakeQuantized(func::FuncOp func, llvm::ArrayRef<HostTensor> inputs);

} // namespace cim
} // namespace mlir

#endif // CIM_QUANT_LAYERQUANT_H
