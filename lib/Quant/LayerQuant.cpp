//===- LayerQuant.cpp - The quantizer applied to cim layers ---------------===//

#include "cim/Quant/LayerQuant.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::cim;

quant::ChannelLayout cim::getWeightChannelLayout(LayerOpInterface layer) {
  auto shape =
      layer.getLayerWeight().getType().cast<RankedTensorType>().getShape();
  auto product = [](ArrayRef<int64_t> dims) {
    int64_t n = 1;
    for (int64_t d : dims)
      n *= d;
    return n;
  };
  quant::ChannelLayout layout;
  llvm::TypeSwitch<Operation *>(layer.getOperation())
      .Case([&](Conv2dOp) { // OIHW
        layout.channels = shape[0];
        layout.inner = product(shape.drop_front());
      })
      .Case([&](GemmOp gemm) { // KxN, or NxK with transB
        layout.channels = shape[gemm.getTransB() ? 0 : 1];
        (gemm.getTransB() ? layout.inner : layout.outer) =
            shape[gemm.getTransB() ? 1 : 0];
      })
      .Case([&](MatMulOp) { // [batch...] x K x N, or a K vector
        if (shape.size() == 1) {
          layout.inner = shape[0];
          return;
        }
        layout.groups = product(shape.drop_back(2));
        layout.outer = shape[shape.size() - 2];
        layout.channels = shape.back();
      });
  return layout;
}

std::vector<quant::QuantParams> cim::getWeightParams(QuantAttr quant) {
  std::vector<quant::QuantParams> params;
  if (!quant.getWscale())
    return params;
  ArrayRef<float> scales = quant.getWscale().asArrayRef();
  for (auto [i, scale] : llvm::enumerate(scales)) {
    int32_t zp = quant.getWzp() ? quant.getWzp()[i] : 0;
    params.push_back(
        quant::makeParams(quant.getWscheme(), quant.getWbits(), scale, zp));
  }
  return params;
}

std::optional<quant::QuantParams> cim::getActivationParams(QuantAttr quant) {
  if (!quant.getAscale())
    return std::nullopt;
  return quant::makeParams(quant.getAscheme(), quant.getAbits(),
                           float(quant.getAscale().getValueAsDouble()),
                           quant.getAzp());
}

quant::QuantParams cim::getRunTimeActivationParams(QuantAttr quant,
                                                   ArrayRef<float> input) {
  quant::Range range{0.0f, 0.0f};
  for (float v : input)
    if (std::isfinite(v)) {
      range.min = std::min(range.min, v);
      range.max = std::max(range.max, v);
    }
  // A non-negative input (after ReLU) uses every unsigned code rather than
  // half of a signed range.
  quant::Scheme scheme =
      range.min >= 0.0f ? quant::Scheme::Asymmetric : quant.getAscheme();
  return quant::paramsFromRange(range, scheme, quant.getAbits());
}

unsigned cim::countRunTimeActivationLayers(ModuleOp module) {
  unsigned count = 0;
  module.walk([&](LayerOpInterface layer) {
    QuantAttr quant = layer.getLayerQuant();
    count += quant && !quant.getAscale() && hasConstantWeight(layer);
  });
  return count;
}

FailureOr<HostTensor> cim::getConstantWeight(LayerOpInterface layer) {
  Attribute value;
  if (!matchPattern(layer.getLayerWeight(), m_Constant(&value)))
    return layer->emitOpError() << "has no constant weight to quantize";
  auto elements = value.dyn_cast<ElementsAttr>();
  std::string error;
  FailureOr<HostTensor> weight =
      elements ? toHostTensor(elements, &error) : FailureOr<HostTensor>();
  if (failed(weight))
    return layer->emitOpError() << "weight cannot be read: " << error;
  if (weight->getKind() != ElementKind::F32)
    return layer->emitOpError()
           << "weight is " << getElementKindName(weight->getKind())
           << "; only f32 weights can be quantized";
  return weight;
}

/// The quant attribute with every field given.
static QuantAttr rebuild(QuantAttr quant, unsigned wbits, unsigned abits,
                         DenseF32ArrayAttr wscale, DenseI32ArrayAttr wzp,
                         FloatAttr ascale, int32_t azp) {
  return QuantAttr::get(quant.getContext(), wbits, abits, quant.getWscheme(),
                        quant.getAscheme(), quant.getGranularity(), wscale, wzp,
                        ascale, azp);
}

/// wscale (and, for asymmetric weights, wzp) holding `params`.
static std::pair<DenseF32ArrayAttr, DenseI32ArrayAttr>
weightAttrs(MLIRContext *ctx, QuantScheme scheme,
            ArrayRef<quant::QuantParams> params) {
  SmallVector<float> scales;
  SmallVector<int32_t> zps;
  for (const quant::QuantParams &p : params) {
    scales.push_back(p.scale);
    zps.push_back(p.zeroPoint);
  }
  DenseI32ArrayAttr wzp;
  if (scheme == QuantScheme::Asymmetric)
    wzp = DenseI32ArrayAttr::get(ctx, zps);
  return {DenseF32ArrayAttr::get(ctx, scales), wzp};
}

FailureOr<QuantAttr> cim::computeWeightScales(LayerOpInterface layer,
                                              QuantAttr quant) {
  FailureOr<HostTensor> weight = getConstantWeight(layer);
  if (failed(weight))
    return failure();
  quant::ChannelLayout layout = getWeightChannelLayout(layer);
  if (layout.getNumElements() != weight->getNumElements())
    return layer->emitOpError() << "weight has " << weight->getNumElements()
                                << " elements but its channel layout covers "
                                << layout.getNumElements();
  ArrayRef<float> values = weight->data<float>();
  std::vector<quant::Range> ranges =
      quant::getChannelRanges(values.data(), layout);
  for (auto [channel, range] : llvm::enumerate(ranges))
    if (!std::isfinite(range.min) || !std::isfinite(range.max))
      return layer->emitOpError() << "weight of output channel " << channel
                                  << " is not finite; it cannot be quantized";
  bool perChannel = quant.getGranularity() == QuantGranularity::PerChannel;
  std::vector<quant::QuantParams> params = quant::computeWeightParams(
      values.data(), layout, quant.getWscheme(), quant.getWbits(), perChannel);
  auto [wscale, wzp] =
      weightAttrs(quant.getContext(), quant.getWscheme(), params);
  return rebuild(quant, quant.getWbits(), quant.getAbits(), wscale, wzp,
                 quant.getAscale(), quant.getAzp());
}

QuantAttr cim::withActivationRange(QuantAttr quant, quant::Range range) {
  quant::QuantParams params =
      quant::paramsFromRange(range, quant.getAscheme(), quant.getAbits());
  MLIRContext *ctx = quant.getContext();
  return rebuild(quant, quant.getWbits(), quant.getAbits(), quant.getWscale(),
                 quant.getWzp(),
                 FloatAttr::get(Float32Type::get(ctx), params.scale),
                 params.zeroPoint);
}

QuantAttr cim::getDefaultQuant(LayerOpInterface layer, unsigned wbits,
                               unsigned abits, QuantScheme ascheme) {
  return QuantAttr::get(
      layer->getContext(), wbits, abits, QuantScheme::Symmetric, ascheme,
      hasDynamicWeight(layer) ? QuantGranularity::PerTensor
                              : QuantGranularity::PerChannel,
      DenseF32ArrayAttr(), DenseI32ArrayAttr(), FloatAttr(), 0);
}

QuantAttr cim::withDynamicWeightRange(QuantAttr quant, quant::Range range) {
  quant::QuantParams params =
      quant::paramsFromRange(range, QuantScheme::Symmetric, quant.getWbits());
  MLIRContext *ctx = quant.getContext();
  return QuantAttr::get(ctx, quant.getWbits(), quant.getAbits(),
                        QuantScheme::Symmetric, quant.getAscheme(),
                        QuantGranularity::PerTensor,
                        DenseF32ArrayAttr::get(ctx, {params.scale}),
                        DenseI32ArrayAttr(), quant.getAscale(), quant.getAzp());
}

void cim::attachExactRhsScales(ModuleOp module) {
  module.walk([&](LayerOpInterface layer) {
    QuantAttr quant = layer.getLayerQuant();
    if (!quant || !hasDynamicWeight(layer) || !quant.getWscale() ||
        quant.getWscale().size() != 1)
      return;
    MLIRContext *ctx = module.getContext();
    layer->setAttr(kExactRhsScaleAttrName,
                   FloatAttr::get(Float32Type::get(ctx),
                                  quant.getWscale().asArrayRef().front()));
  });
}

void cim::restoreExactRhsScales(ModuleOp module) {
  module.walk([&](LayerOpInterface layer) {
    QuantAttr quant = layer.getLayerQuant();
    auto exact = layer->getAttrOfType<FloatAttr>(kExactRhsScaleAttrName);
    if (!quant || !exact || !hasDynamicWeight(layer) || !quant.getWscale() ||
        quant.getWscale().size() != 1)
      return;
    MLIRContext *ctx = module.getContext();
    layer.setLayerQuant(QuantAttr::get(
        ctx, quant.getWbits(), quant.getAbits(), quant.getWscheme(),
        quant.getAscheme(), quant.getGranularity(),
        DenseF32ArrayAttr::get(ctx, {float(exact.getValueAsDouble())}),
        quant.getWzp(), quant.getAscale(), quant.getAzp()));
  });
}

QuantAttr cim::withBitsKeepingRanges(QuantAttr quant, unsigned wbits,
                                     unsigned abits) {
  MLIRContext *ctx = quant.getContext();
  DenseF32ArrayAttr wscale = quant.getWscale();
  DenseI32ArrayAttr wzp = quant.getWzp();
  if (wscale && wbits != quant.getWbits()) {
    std::vector<quant::QuantParams> params;
    for (const quant::QuantParams &p : getWeightParams(quant))
      params.push_back(quant::rescaleForBits(p, quant.getWscheme(), wbits));
    std::tie(wscale, wzp) = weightAttrs(ctx, quant.getWscheme(), params);
    // Keep the attribute's own choice of writing zero points.
    if (!quant.getWzp())
      wzp = DenseI32ArrayAttr();
  }
  FloatAttr ascale = quant.getAscale();
  int32_t azp = quant.getAzp();
  if (ascale && abits != quant.getAbits()) {
    quant::QuantParams p = quant::rescaleForBits(*getActivationParams(quant),
                                                 quant.getAscheme(), abits);
    ascale = FloatAttr::get(ascale.getType(), p.scale);
    azp = p.zeroPoint;
  }
  return rebuild(quant, wbits, abits, wscale, wzp, ascale, azp);
}

/// The index of the layer's input among the op's operands.
static unsigned getInputOperandIndex(LayerOpInterface layer) {
  Value input = layer.getLayerInput();
  for (OpOperand &operand : layer->getOpOperands())
    if (operand.get() == input)
      return operand.getOperandNumber();
  llvm_unreachable("the layer input is an operand");
}

/// The index of the layer's weight among the op's operands (another one
/// than the input's when both are the same value, as in x x x^T).
static unsigned getWeightOperandIndex(LayerOpInterface layer) {
  Value weight = layer.getLayerWeight();
  unsigned input = getInputOperandIndex(layer);
  for (OpOperand &operand : layer->getOpOperands())
    if (operand.get() == weight && operand.getOperandNumber() != input)
      return operand.getOperandNumber();
  llvm_unreachable("the layer weight is an operand");
}

namespace {
/// The observers of one layer: its input activation and, for a product of
/// two activations, its rhs; null where the scale is kept.
struct LayerObservers {
  LayerOpInterface layer;
  std::unique_ptr<quant::Observer> input, weight;
};
} // namespace

LogicalResult
cim::calibrateActivations(func::FuncOp func,
                          ArrayRef<SmallVector<HostTensor>> samples,
                          const CalibrationOptions &options) {
  // The observers, in graph order so that results do not depend on pointer
  // values.
  SmallVector<LayerObservers> layers;
  llvm::DenseMap<Operation *, unsigned> slot;
  func.walk([&](LayerOpInterface layer) {
    QuantAttr quant = layer.getLayerQuant();
    if (!quant || !isQuantizedLayer(layer))
      return;
    LayerObservers observers{layer, nullptr, nullptr};
    if (!quant.getAscale() || options.overwrite)
      observers.input =
          quant::createObserver(options.method, options.percentile,
                                quant.getAscheme(), quant.getAbits());
    if (hasDynamicWeight(layer) && (!quant.getWscale() || options.overwrite))
      observers.weight =
          quant::createObserver(options.method, options.percentile,
                                QuantScheme::Symmetric, quant.getWbits());
    if (!observers.input && !observers.weight)
      return;
    slot[layer.getOperation()] = layers.size();
    layers.push_back(std::move(observers));
  });
  if (layers.empty())
    return success();

  auto observe =
      [&](Operation *op,
          MutableArrayRef<const HostTensor *> operands) -> LogicalResult {
    auto it = slot.find(op);
    if (it == slot.end())
      return success();
    LayerObservers &observers = layers[it->second];
    LayerOpInterface layer = observers.layer;
    for (auto [observer, index, what] :
         {std::make_tuple(observers.input.get(), getInputOperandIndex(layer),
                          "input"),
          std::make_tuple(observers.weight.get(), getWeightOperandIndex(layer),
                          "rhs")}) {
      if (!observer)
        continue;
      const HostTensor &tensor = *operands[index];
      if (tensor.getKind() != ElementKind::F32)
        return layer->emitOpError()
               << what << " is " << getElementKindName(tensor.getKind())
               << "; only f32 activations can be calibrated";
      ArrayRef<float> values = tensor.data<float>();
      observer->observe(values.data(), values.size());
    }
    return success();
  };
  for (ArrayRef<HostTensor> sample : samples)
    if (failed(runReference(func, sample, observe)))
      return failure();

  for (LayerObservers &observers : layers) {
    LayerOpInterface layer = observers.layer;
    if (quant::Observer *observer = observers.input.get()) {
      if (observer->getCount() == 0)
        layer->emitWarning() << "input saw no finite value during "
                                "calibration; no activation scale";
      else
        layer.setLayerQuant(
            withActivationRange(layer.getLayerQuant(), observer->getRange()));
    }
    if (quant::Observer *observer = observers.weight.get()) {
      if (observer->getCount() == 0)
        layer->emitWarning() << "rhs saw no finite value during "
                                "calibration; no weight scale";
      else
        layer.setLayerQuant(withDynamicWeightRange(layer.getLayerQuant(),
                                                   observer->getRange()));
    }
  }
  return success();
}

LogicalResult
FakeQuantizer::operator()(Operation *op,
                          MutableArrayRef<const HostTensor *> operands) {
  auto layer = dyn_cast<LayerOpInterface>(op);
  QuantAttr quant = layer ? layer.getLayerQuant() : QuantAttr();
  if (!quant)
    return success();
  bool dynamic = hasDynamicWeight(layer);
  if (productsOnly && !dynamic)
    return success();

  if (quant.getWscale() && dynamic) {
    // An activation: quantized anew at every run, with one scale for the
    // tensor as cim-calibrate and cim-fold-qdq give it (per column when a
    // #cim.quant written by hand has more).
    unsigned index = getWeightOperandIndex(layer);
    if (operands[index]->getKind() != ElementKind::F32)
      return op->emitOpError()
             << "rhs is " << getElementKindName(operands[index]->getKind())
             << "; only f32 activations can be quantized";
    std::vector<quant::QuantParams> params = getWeightParams(quant);
    dynamicWeight = *operands[index];
    MutableArrayRef<float> values = dynamicWeight.data<float>();
    if (params.size() == 1) {
      quant::fakeQuantize(values.data(), values.size(), params.front());
    } else {
      quant::ChannelLayout layout = getWeightChannelLayout(layer);
      if (layout.getNumElements() != int64_t(values.size()) ||
          layout.getNumChannels() != int64_t(params.size()))
        return op->emitOpError()
               << "rhs has " << values.size() << " elements but "
               << params.size() << " weight scales do not divide it into "
               << "output channels";
      quant::fakeQuantizeWeights(values.data(), layout, params);
    }
    operands[index] = &dynamicWeight;
  } else if (quant.getWscale()) {
    unsigned index = getWeightOperandIndex(layer);
    auto it = weights.find(op);
    if (it == weights.end()) {
      const HostTensor &weight = *operands[index];
      if (weight.getKind() != ElementKind::F32)
        return op->emitOpError()
               << "weight is " << getElementKindName(weight.getKind())
               << "; only f32 weights can be quantized";
      HostTensor copy = weight;
      quant::fakeQuantizeWeights(copy.data<float>().data(),
                                 getWeightChannelLayout(layer),
                                 getWeightParams(quant));
      it = weights.try_emplace(op, std::move(copy)).first;
    }
    operands[index] = &it->second;
  }

  // A crossbar layer without ascale quantizes its input with the input's
  // own range, as the compiled program does; a product's lhs stays float.
  std::optional<quant::QuantParams> params = getActivationParams(quant);
  if (!params && dynamic)
    return success();
  unsigned index = getInputOperandIndex(layer);
  if (operands[index]->getKind() != ElementKind::F32)
    return op->emitOpError()
           << "input is " << getElementKindName(operands[index]->getKind())
           << "; only f32 activations can be quantized";
  activation = *operands[index];
  MutableArrayRef<float> values = activation.data<float>();
  if (!params)
    params = getRunTimeActivationParams(quant, values);
  quant::fakeQuantize(values.data(), values.size(), *params);
  operands[index] = &activation;
  return success();
}

FailureOr<SmallVector<HostTensor>>
cim::runFakeQuantized(func::FuncOp func, ArrayRef<HostTensor> inputs) {
  FakeQuantizer quantizer;
  return runReference(func, inputs, quantizer);
}

FailureOr<std::vector<int32_t>>
cim::getIntegerWeightMatrix(LayerOpInterface layer) {
  QuantAttr quant = layer.getLayerQuant();
  if (!quant || !quant.getWscale())
    return layer->emitOpError()
           << "has no weight scales; run cim-calibrate (or cim-compile) "
              "first";
  if (quant.getWscheme() != QuantScheme::Symmetric)
    return layer->emitOpError()
           << "has asymmetric weights; crossbars store symmetric signed "
              "weights";
  FailureOr<HostTensor> weight = getConstantWeight(layer);
  if (failed(weight))
    return failure();
  std::vector<quant::QuantParams> params = getWeightParams(quant);
  LayerMatrix m = layer.getLayerMatrix();
  ArrayRef<int64_t> shape = weight->getShape();
  const float *w = weight->data<float>().data();
  std::vector<int32_t> out(size_t(m.groups * m.rows * m.cols), 0);
  auto q = [&](float value, int64_t channel) {
    const quant::QuantParams &p =
        params[std::min<size_t>(channel, params.size() - 1)];
    return int32_t(quant::quantize(value, p));
  };
  if (isa<Conv2dOp>(layer.getOperation())) {
    int64_t o = shape[0], ci = shape[1], kh = shape[2], kw = shape[3];
    int64_t perGroup = o / m.groups;
    for (int64_t oc = 0; oc < o; ++oc) {
      int64_t g = oc / perGroup, c = oc % perGroup;
      for (int64_t i = 0; i < ci; ++i)
        for (int64_t y = 0; y < kh; ++y)
          for (int64_t x = 0; x < kw; ++x) {
            int64_t r = (i * kh + y) * kw + x;
            out[(g * m.rows + r) * m.cols + c] =
                q(w[((oc * ci + i) * kh + y) * kw + x], oc);
          }
    }
  } else if (auto gemm = dyn_cast<GemmOp>(layer.getOperation())) {
    bool trans = gemm.getTransB();
    for (int64_t k = 0; k < m.rows; ++k)
      for (int64_t n = 0; n < m.cols; ++n)
        out[k * m.cols + n] =
            q(trans ? w[n * m.rows + k] : w[k * m.cols + n], n);
  } else { // MatMulOp: [groups] x K x N, or a K vector
    for (int64_t g = 0; g < m.groups; ++g)
      for (int64_t k = 0; k < m.rows; ++k)
        for (int64_t n = 0; n < m.cols; ++n)
          out[(g * m.rows + k) * m.cols + n] =
              q(w[(g * m.rows + k) * m.cols + n], g * m.cols + n);
  }
  return out;
}
