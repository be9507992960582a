//===- Simulator.cpp - Running compiled programs --------------------------===//

#include "cim/Sim/Simulator.h"
#include "cim/Analysis/ModuleCost.h"
#include "cim/Backend/Backend.h"
#include "cim/Quant/LayerQuant.h"
#include "cim/Quant/Quantizer.h"
#include "cim/Reference/Executor.h"
#include "cim/Sim/CrossbarModel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <cmath>
#include <functional>
#include <limits>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::sim;

namespace {
/// Runs the crossbars on `n` input vectors of codes.
using MvmFn = llvm::function_ref<llvm::Error(const uint16_t *inputs, int64_t n,
                                             int32_t inputOffset, int64_t *out,
                                             AdcCounters *counters)>;
using Range = std::pair<int64_t, int64_t>;
} // namespace

/// Bits that hold every code of an integer range shifted to start at 0.
static unsigned codeBits(const quant::IntRange &range) {
  uint64_t span = uint64_t(range.max - range.min);
  unsigned bits = 1;
  while (bits < 16 && (uint64_t(1) << bits) <= span)
    ++bits;
  return bits;
}

/// The activation quantization of a layer's input: the layer's own scale,
/// or one computed from this input's range (dynamic quantization) when the
/// layer was not calibrated.
static quant::QuantParams activationParams(QuantAttr quant,
                                           const HostTensor &input) {
  if (std::optional<quant::QuantParams> params = getActivationParams(quant))
    return *params;
  return getRunTimeActivationParams(quant, input.data<float>());
}

/// Computes a crossbar layer op on integer `weights` for the invocation
/// `ranges` (the rest of the output stays NaN).
static LogicalResult
computeLayer(LayerOpInterface layer, ArrayRef<const HostTensor *> operands,
             ArrayRef<float> weightScales, MvmFn mvm, ArrayRef<Range> ranges,
             SmallVectorImpl<HostTensor> &results, FunctionalStats &stats) {
  Operation *op = layer.getOperation();
  const HostTensor &input = *operands[0];
  if (input.getKind() != ElementKind::F32)
    return op->emitOpError() << "input must be f32 to run on crossbars";
  QuantAttr quant = layer.getLayerQuant();
  if (weightScales.empty())
    return op->emitOpError() << "has no weight scales";
  quant::QuantParams aparams = activationParams(quant, input);
  int64_t qmin = aparams.range.min;
  int32_t offset = int32_t(aparams.zeroPoint - qmin);
  LayerMatrix m = layer.getLayerMatrix();
  int64_t vectorSize = m.groups * m.rows, outSize = m.groups * m.cols;

  // Codes of the whole input, and of a zero (padding).
  std::vector<uint16_t> codes(input.getNumElements());
  ArrayRef<float> x = input.data<float>();
  for (size_t i = 0; i < codes.size(); ++i)
    codes[i] = uint16_t(quant::quantize(x[i], aparams) - qmin);
  uint16_t zeroCode = uint16_t(quant::quantize(0.0f, aparams) - qmin);

  auto type = op->getResult(0).getType().cast<RankedTensorType>();
  HostTensor result(ElementKind::F32, type.getShape());
  llvm::MutableArrayRef<float> y = result.data<float>();
  std::fill(y.begin(), y.end(), std::numeric_limits<float>::quiet_NaN());
  double ascale = double(aparams.scale);
  auto scaleOf = [&](int64_t channel) {
    return ascale * double(weightScales[std::min<size_t>(
                        channel, weightScales.size() - 1)]);
  };

  // How to gather invocation p's input vector and where its outputs go.
  std::function<void(int64_t, uint16_t *)> gather;
  std::function<void(int64_t, const int64_t *)> scatter;
  if (auto conv = dyn_cast<Conv2dOp>(op)) {
    ArrayRef<int64_t> in = input.getShape();
    auto wType = conv.getWeight().getType().cast<RankedTensorType>();
    int64_t cg = wType.getDimSize(1), kh = wType.getDimSize(2),
            kw = wType.getDimSize(3);
    ArrayRef<int64_t> out = type.getShape();
    int64_t ho = out[2], wo = out[3], h = in[2], w = in[3], c = in[1];
    SmallVector<int64_t, 2> s = conv.getStrideValues();
    SmallVector<int64_t, 4> pad = conv.getPadValues();
    SmallVector<int64_t, 2> d = conv.getDilationValues();
    const float *bias = operands.size() > 2 && operands[2]
                            ? operands[2]->data<float>().data()
                            : nullptr;
    int64_t groups = m.groups;
    gather = [=, &codes](int64_t p, uint16_t *v) {
      int64_t n = p / (ho * wo), oh = (p / wo) % ho, ow = p % wo;
      for (int64_t g = 0; g < groups; ++g)
        for (int64_t ci = 0; ci < cg; ++ci) {
          const uint16_t *plane = codes.data() + (n * c + g * cg + ci) * h * w;
          for (int64_t ky = 0; ky < kh; ++ky) {
            int64_t ih = oh * s[0] - pad[0] + ky * d[0];
            for (int64_t kx = 0; kx < kw; ++kx) {
              int64_t iw = ow * s[1] - pad[1] + kx * d[1];
              *v++ = ih >= 0 && ih < h && iw >= 0 && iw < w ? plane[ih * w + iw]
                                                            : zeroCode;
            }
          }
        }
    };
    int64_t o = out[1];
    scatter = [=, &y, &scaleOf](int64_t p, const int64_t *acc) {
      int64_t n = p / (ho * wo), pix = p % (ho * wo);
      for (int64_t oc = 0; oc < o; ++oc) {
        float v = float(double(acc[oc]) * scaleOf(oc));
        y[(n * o + oc) * ho * wo + pix] = bias ? v + bias[oc] : v;
      }
    };
  } else if (auto gemm = dyn_cast<GemmOp>(op)) {
    ArrayRef<int64_t> a = input.getShape();
    bool transA = gemm.getTransA();
    int64_t k = m.rows, cols = m.cols, a1 = a[1];
    gather = [=, &codes](int64_t p, uint16_t *v) {
      for (int64_t i = 0; i < k; ++i)
        v[i] = transA ? codes[i * a1 + p] : codes[p * a1 + i];
    };
    const HostTensor *c = operands.size() > 2 ? operands[2] : nullptr;
    double alpha = gemm.getAlpha().convertToDouble();
    float beta = gemm.getBeta().convertToFloat();
    scatter = [=, &y, &scaleOf](int64_t p, const int64_t *acc) {
      for (int64_t n = 0; n < cols; ++n) {
        float v = float(double(acc[n]) * alpha * scaleOf(n));
        if (c) {
          ArrayRef<int64_t> cs = c->getShape();
          int64_t index = 0;
          if (cs.size() == 2)
            index = (cs[0] == 1 ? 0 : p) * cs[1] + (cs[1] == 1 ? 0 : n);
          else if (cs.size() == 1)
            index = cs[0] == 1 ? 0 : n;
          v += beta * float(c->getAsDouble(index));
        }
        y[p * cols + n] = v;
      }
    };
  } else {
    auto mm = cast<MatMulOp>(op);
    if (mm.getRhs().getType().cast<RankedTensorType>().getRank() > 2)
      return op->emitOpError()
             << "batched constant weights are not supported on crossbars";
    int64_t k = m.rows, cols = m.cols;
    gather = [=, &codes](int64_t p, uint16_t *v) {
      std::copy_n(codes.data() + p * k, k, v);
    };
    scatter = [=, &y, &scaleOf](int64_t p, const int64_t *acc) {
      for (int64_t n = 0; n < cols; ++n)
        y[p * cols + n] = float(double(acc[n]) * scaleOf(n));
    };
  }

  AdcCounters counters;
  constexpr int64_t kChunk = 1024;
  std::vector<uint16_t> vectors;
  std::vector<int64_t> acc;
  for (auto [begin, end] : ranges) {
    for (int64_t p0 = begin; p0 < end; p0 += kChunk) {
      int64_t n = std::min(kChunk, end - p0);
      vectors.resize(n * vectorSize);
      acc.assign(n * outSize, 0);
      for (int64_t i = 0; i < n; ++i)
        gather(p0 + i, vectors.data() + i * vectorSize);
      if (llvm::Error error =
              mvm(vectors.data(), n, offset, acc.data(), &counters))
        return op->emitOpError() << llvm::toString(std::move(error));
      for (int64_t i = 0; i < n; ++i)
        scatter(p0 + i, acc.data() + i * outSize);
      stats.macs += n * m.groups * m.rows * m.cols;
    }
  }
  stats.adcConversions += counters.conversions;
  stats.adcSaturated += counters.saturated;
  results.push_back(std::move(result));
  return success();
}

static CrossbarLayerSpec specOf(LayerOpInterface layer, unsigned wbits,
                                QuantAttr quant) {
  LayerMatrix m = layer.getLayerMatrix();
  CrossbarLayerSpec spec;
  spec.rows = m.rows;
  spec.cols = m.cols;
  spec.groups = m.groups;
  spec.wbits = wbits;
  spec.abits =
      codeBits(quant::getIntRange(quant.getAscheme(), quant.getAbits()));
  return spec;
}

/// A constant whose value is a dense_resource handle without data: the
/// placeholder of a crossbar weight (the values are in the program).
static bool isWeightPlaceholder(Operation *op) {
  auto constant = dyn_cast<ConstantOp>(op);
  if (!constant)
    return false;
  auto attr = constant.getValue().dyn_cast<DenseResourceElementsAttr>();
  return attr && !attr.getRawHandle().getBlob();
}

//===----------------------------------------------------------------------===//
// ProgramRunner
//===----------------------------------------------------------------------===//

struct ProgramRunner::Impl {
  const prog::Program *program = nullptr;
  OwningOpRef<ModuleOp> graph;
  DenseMap<Operation *, int64_t> layerOf;
  std::vector<CrossbarLayer> crossbars;
  std::vector<std::vector<Range>> ranges;
};

ProgramRunner::ProgramRunner(std::unique_ptr<Impl> impl)
    : impl(std::move(impl)) {}
ProgramRunner::ProgramRunner(ProgramRunner &&) = default;
ProgramRunner::~ProgramRunner() = default;
ModuleOp ProgramRunner::getGraph() { return *impl->graph; }

FailureOr<ProgramRunner> ProgramRunner::create(const prog::Program &program,
                                               MLIRContext *context,
                                               StringRef sourceName) {
  auto impl = std::make_unique<Impl>();
  impl->program = &program;
  impl->graph = parseProgramGraph(program, context, sourceName);
  if (!impl->graph)
    return failure();
  // A graph that does not match the rest of the program is a problem of the
  // program file: located there, not at the model the graph came from.
  auto error = [&] {
    return emitError(FileLineColLoc::get(context, sourceName, 0, 0));
  };
  ModuleOp graph = *impl->graph;
  restoreExactRhsScales(graph);
  SmallVector<LayerOpInterface> layers = getCrossbarLayers(graph);
  if (layers.size() != program.layers.size())
    return error() << "the program graph has " << layers.size()
                   << " crossbar layers but " << program.layers.size()
                   << " weight matrices";
  impl->ranges.resize(layers.size());
  for (auto [index, layer] : llvm::enumerate(layers)) {
    const prog::LayerWeights &w = program.layers[index];
    QuantAttr quant = layer.getLayerQuant();
    LayerMatrix m = layer.getLayerMatrix();
    if (!quant || m.rows != w.rows || m.cols != w.cols ||
        m.groups != w.groups || quant.getWbits() != w.wbits)
      return error() << "the program's weights for layer " << index << " ("
                     << w.groups << "x" << w.rows << "x" << w.cols << ", "
                     << w.wbits << " bits) do not match the graph";
    impl->layerOf[layer] = index;
    llvm::Expected<CrossbarLayer> xbar = CrossbarLayer::build(
        program.hardware, specOf(layer, w.wbits, quant), w.values);
    if (!xbar)
      return error() << "layer " << index << ": "
                     << llvm::toString(xbar.takeError());
    impl->crossbars.push_back(std::move(*xbar));
  }
  // The invocations each layer computes: its Mvm ranges (one write round
  // under rewriting, where every round covers all of them).
  std::vector<std::optional<uint32_t>> firstRound(layers.size());
  bool rewrite = llvm::any_of(program.instructions, [](auto &in) {
    return in.opcode == prog::Opcode::Write;
  });
  for (const prog::Instruction &in : program.instructions) {
    if (in.opcode != prog::Opcode::Mvm || in.begin == in.end)
      continue;
    int32_t layer = program.nodes[in.node].layer;
    if (rewrite) {
      if (!firstRound[layer])
        firstRound[layer] = in.copy;
      if (*firstRound[layer] != in.copy)
        continue;
    }
    impl->ranges[layer].push_back({in.begin, in.end});
  }
  return ProgramRunner(std::move(impl));
}

FailureOr<SmallVector<HostTensor>>
ProgramRunner::run(ArrayRef<HostTensor> inputs, FunctionalStats &stats) {
  auto funcs = impl->graph->getOps<func::FuncOp>();
  if (std::distance(funcs.begin(), funcs.end()) != 1)
    return impl->graph->emitError() << "the program graph needs one function";
  func::FuncOp func = *funcs.begin();
  auto kernel = [&](Operation *op, ArrayRef<const HostTensor *> operands,
                    SmallVectorImpl<HostTensor> &results) -> FailureOr<bool> {
    if (isWeightPlaceholder(op)) {
      results.push_back(HostTensor());
      return true;
    }
    auto it = impl->layerOf.find(op);
    if (it == impl->layerOf.end())
      return false;
    const CrossbarLayer &xbar = impl->crossbars[it->second];
    auto mvm = [&](const uint16_t *in, int64_t n, int32_t offset, int64_t *out,
                   AdcCounters *counters) {
      xbar.run(in, n, offset, out, counters);
      return llvm::Error::success();
    };
    if (failed(computeLayer(cast<LayerOpInterface>(op), operands,
                            impl->program->layers[it->second].scales, mvm,
                            impl->ranges[it->second], results, stats)))
      return failure();
    return true;
  };
  // Products of two activations run on the digital unit with their
  // quantized operands, as in the fake-quantized reference.
  FakeQuantizer products(/*productsOnly=*/true);
  return runReference(func, inputs, products, kernel);
}

//===----------------------------------------------------------------------===//
// Quantized reference
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<HostTensor>>
sim::runQuantizedReference(ModuleOp module, const hw::HardwareDescription &hw,
                           ArrayRef<HostTensor> inputs,
                           FunctionalStats &stats) {
  auto funcs = module.getOps<func::FuncOp>();
  if (std::distance(funcs.begin(), funcs.end()) != 1)
    return module.emitError() << "expected one function";
  func::FuncOp func = *funcs.begin();
  DenseMap<Operation *, std::vector<int32_t>> weights;
  for (LayerOpInterface layer : getCrossbarLayers(module)) {
    FailureOr<std::vector<int32_t>> w = getIntegerWeightMatrix(layer);
    if (failed(w))
      return failure();
    weights[layer] = std::move(*w);
  }
  auto kernel = [&](Operation *op, ArrayRef<const HostTensor *> operands,
                    SmallVectorImpl<HostTensor> &results) -> FailureOr<bool> {
    auto it = weights.find(op);
    if (it == weights.end())
      return false;
    auto layer = cast<LayerOpInterface>(op);
    QuantAttr quant = layer.getLayerQuant();
    CrossbarLayerSpec spec = specOf(layer, quant.getWbits(), quant);
    const std::vector<int32_t> &w = it->second;
    auto mvm = [&](const uint16_t *in, int64_t n, int32_t offset, int64_t *out,
                   AdcCounters *counters) {
      return referenceCrossbarMvm(hw, spec, w, in, n, offset, out, counters);
    };
    Range all{0, layer.getLayerMatrix().invocations};
    std::vector<float> scales;
    for (const quant::QuantParams &params : getWeightParams(quant))
      scales.push_back(params.scale);
    if (failed(computeLayer(layer, operands, scales, mvm, all, results, stats)))
      return failure();
    return true;
  };
  // Products of two activations run on the digital unit with their
  // quantized operands, as in the fake-quantized reference.
  FakeQuantizer products(/*productsOnly=*/true);
  return runReference(func, inputs, products, kernel);
}
