//===- Export.cpp - Trained graphs to ONNX --------------------------------===//

#include "cim/Tune/Export.h"

#include "cim/Importer/OnnxWriter.h"
#include "cim/Tensor/HostTensor.h"

#include <algorithm>
#include <set>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::tune;

namespace {
class Exporter {
public:
  Exporter(const Graph &graph, bool qdq) : graph(graph), qdq(qdq) {}
  bool run(const std::string &path, std::string &error);

private:
  const Graph &graph;
  bool qdq;
  OnnxModelSpec model;
  std::map<int, std::string> names;

  std::string nameOf(int id) {
    auto it = names.find(id);
    if (it != names.end())
      return it->second;
    return names[id] = "v" + std::to_string(id);
  }
  std::string addInitializer(const std::string &name, HostTensor tensor) {
    model.initializers.push_back({name, std::move(tensor)});
    return name;
  }
  bool addQuantizedLayer(const Node &node, std::vector<std::string> &inputs,
                         std::string &error);
};
} // namespace

static HostTensor toHost(const FloatTensor &t) {
  return HostTensor::fromFloats(t.shape, t.data);
}

/// The width of the QDQ integer type of a `bits`-wide layer: ONNX INT4 /
/// UINT4 (opset 21) up to 4 bits, INT8 / UINT8 above.
static unsigned containerBits(unsigned bits) { return bits <= 4 ? 4 : 8; }

static ElementKind containerKind(unsigned bits, bool isSigned) {
  if (containerBits(bits) == 4)
    return isSigned ? ElementKind::I4 : ElementKind::U4;
  return isSigned ? ElementKind::I8 : ElementKind::U8;
}

bool Exporter::addQuantizedLayer(const Node &node,
                                 std::vector<std::string> &inputs,
                                 std::string &error) {
  const LayerQuant &q = *node.quant;
  if (!q.ascale) {
    error = "cim-tune: error: layer '" + node.name +
            "' has no activation scale; calibrate or train it (qat) first";
    return false;
  }
  if (q.wbits > 8 || q.abits > 8) {
    error = "cim-tune: error: layer '" + node.name + "' is W" +
            std::to_string(q.wbits) + "A" + std::to_string(q.abits) +
            "; the QDQ export holds at most 8 bits";
    return false;
  }
  const std::string &name = node.name;
  // Input activation: [Clip ->] QuantizeLinear -> DequantizeLinear.
  bool actSigned = q.ascheme == quant::Scheme::Symmetric;
  ElementKind actKind = containerKind(q.abits, actSigned);
  std::string s = addInitializer(name + ".input_scale",
                                 HostTensor::fromFloats({}, {*q.ascale}));
  HostTensor zp(actKind, {});
  zp.setFromInt64(0, q.azp);
  std::string z = addInitializer(name + ".input_zero_point", std::move(zp));
  std::string input = inputs[0];
  quant::IntRange range = quant::getIntRange(q.ascheme, q.abits);
  int64_t half = int64_t(1) << (containerBits(q.abits) - 1);
  quant::IntRange saturation = actSigned ? quant::IntRange{-half, half - 1}
                                         : quant::IntRange{0, 2 * half - 1};
  if (!(range == saturation)) {
    // The layer's range is narrower than the container's (widths other
    // than 4 and 8, and the symmetric narrow range): a Clip to the reals of
    // its ends makes QuantizeLinear saturate where the quantizer does.
    float lo = float(range.min - q.azp) * *q.ascale;
    float hi = float(range.max - q.azp) * *q.ascale;
    std::string clipped = name + ".input_clipped";
    model.nodes.push_back(
        {"Clip",
         name + ".input_clip",
         {input,
          addInitializer(name + ".input_min", HostTensor::fromFloats({}, {lo})),
          addInitializer(name + ".input_max",
                         HostTensor::fromFloats({}, {hi}))},
         {clipped},
         {}});
    input = clipped;
  }
  std::string quantized = name + ".input_q", dequantized = name + ".input_dq";
  model.nodes.push_back({"QuantizeLinear",
                         name + ".input_quantize",
                         {input, s, z},
                         {quantized},
                         {}});
  model.nodes.push_back({"DequantizeLinear",
                         name + ".input_dequantize",
                         {quantized, s, z},
                         {dequantized},
                         {}});
  inputs[0] = dequantized;

  // Weight: integers with the compiler's per-channel parameters.
  const FloatTensor &w = graph.constants.at(node.inputs[1]);
  quant::ChannelLayout layout = getWeightLayout(graph, node);
  std::vector<quant::QuantParams> params;
  if (!q.wscale.empty()) {
    for (size_t i = 0; i < q.wscale.size(); ++i)
      params.push_back(quant::makeParams(q.wscheme, q.wbits, q.wscale[i],
                                         i < q.wzp.size() ? q.wzp[i] : 0));
  } else {
    params = quant::computeWeightParams(w.data.data(), layout, q.wscheme,
                                        q.wbits, q.perChannel);
  }
  ElementKind kind =
      containerKind(q.wbits, q.wscheme == quant::Scheme::Symmetric);
  HostTensor ints(kind, w.shape);
  for (int64_t g = 0, i = 0; g < layout.groups; ++g)
    for (int64_t o = 0; o < layout.outer; ++o)
      for (int64_t c = 0; c < layout.channels; ++c)
        for (int64_t k = 0; k < layout.inner; ++k, ++i) {
          const quant::QuantParams &p =
              params.size() == 1 ? params[0]
                                 : params[size_t(g * layout.channels + c)];
          ints.setFromInt64(i, quant::quantize(w.data[size_t(i)], p));
        }
  std::vector<float> scales;
  std::vector<int64_t> zps;
  for (const quant::QuantParams &p : params) {
    scales.push_back(p.scale);
    zps.push_back(p.zeroPoint);
  }
  int64_t count = int64_t(scales.size());
  std::vector<int64_t> paramShape;
  if (count > 1)
    paramShape = {count};
  HostTensor wzp(kind, paramShape);
  for (int64_t i = 0; i < count; ++i)
    wzp.setFromInt64(i, zps[size_t(i)]);
  std::string wq = addInitializer(name + ".weight_q", std::move(ints));
  std::string ws = addInitializer(name + ".weight_scale",
                                  HostTensor::fromFloats(paramShape, scales));
  std::string wz = addInitializer(name + ".weight_zero_point", std::move(wzp));
  std::vector<OnnxAttribute> attrs;
  if (count > 1) {
    // The output-channel axis (cim-fold-qdq's table).
    int64_t axis = node.kind == NodeKind::Conv                  ? 0
                   : node.kind == NodeKind::Gemm && node.transB ? 0
                                                                : 1;
    if (node.kind == NodeKind::MatMul && w.shape.size() != 2) {
      error = "cim-tune: error: layer '" + node.name +
              "': per-channel QDQ export supports 2-D matmul weights only";
      return false;
    }
    attrs.push_back(OnnxAttribute::getInt("axis", axis));
  }
  std::string wdq = name + ".weight_dq";
  model.nodes.push_back({"DequantizeLinear",
                         name + ".weight_dequantize",
                         {wq, ws, wz},
                         {wdq},
                         attrs});
  inputs[1] = wdq;
  return true;
}

bool Exporter::run(const std::string &path, std::string &error) {
  model.producer = "cim-tune";
  // INT4 / UINT4 QuantizeLinear and DequantizeLinear need opset 21.
  if (qdq)
    for (const Node &node : graph.nodes)
      if (node.quant && graph.constants.count(node.inputs[1]) &&
          std::min(node.quant->wbits, node.quant->abits) <= 4)
        model.opset = 21;
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    names[graph.inputs[i]] = graph.inputNames[i];
    std::vector<int64_t> shape = graph.inputShapes[i];
    if (!shape.empty())
      shape[0] = -1;
    model.inputs.push_back({graph.inputNames[i], shape});
  }
  // Name weights after their layer, other constants by id.
  std::set<int> quantizedWeights;
  for (const Node &node : graph.nodes) {
    bool quantized = qdq && node.quant && graph.constants.count(node.inputs[1]);
    if (node.isLayer()) {
      if (node.inputs[1] >= 0 && !names.count(node.inputs[1]))
        names[node.inputs[1]] = node.name + ".weight";
      if (node.inputs.size() > 2 && node.inputs[2] >= 0 &&
          !names.count(node.inputs[2]))
        names[node.inputs[2]] = node.name + ".bias";
      if (quantized)
        quantizedWeights.insert(node.inputs[1]);
    } else if (node.kind == NodeKind::BatchNorm) {
      const char *parts[] = {"scale", "bias", "mean", "var"};
      for (int k = 0; k < 4; ++k)
        if (!names.count(node.inputs[size_t(k + 1)]))
          names[node.inputs[size_t(k + 1)]] = node.name + "." + parts[k];
    }
  }
  for (const auto &[id, tensor] : graph.constants) {
    // A weight used only in quantized form is written as integers.
    bool usedFloat = false;
    for (const Node &node : graph.nodes)
      for (size_t k = 0; k < node.inputs.size(); ++k)
        if (node.inputs[k] == id &&
            !(k == 1 && node.isLayer() && quantizedWeights.count(id)))
          usedFloat = true;
    if (usedFloat || !quantizedWeights.count(id))
      addInitializer(nameOf(id), toHost(tensor));
  }

  for (const Node &node : graph.nodes) {
    std::vector<std::string> inputs;
    for (int id : node.inputs)
      inputs.push_back(id < 0 ? "" : nameOf(id));
    while (!inputs.empty() && inputs.back().empty())
      inputs.pop_back();
    if (qdq && node.quant && graph.constants.count(node.inputs[1]) &&
        !addQuantizedLayer(node, inputs, error))
      return false;
    OnnxNodeSpec spec;
    spec.name = node.name;
    spec.inputs = inputs;
    spec.outputs = {nameOf(node.output)};
    auto ints = [&](const char *name, const std::vector<int64_t> &v) {
      if (!v.empty())
        spec.attributes.push_back(OnnxAttribute::getInts(name, v));
    };
    switch (node.kind) {
    case NodeKind::Conv: {
      spec.opType = "Conv";
      const std::vector<int64_t> &w = graph.shapes[node.inputs[1]];
      ints("kernel_shape", {w[2], w[3]});
      ints("strides", node.strides);
      ints("pads", node.pads);
      ints("dilations", node.dilations);
      spec.attributes.push_back(OnnxAttribute::getInt("group", node.group));
      break;
    }
    case NodeKind::Gemm:
      spec.opType = "Gemm";
      spec.attributes.push_back(OnnxAttribute::getFloat("alpha", node.alpha));
      spec.attributes.push_back(OnnxAttribute::getFloat("beta", node.beta));
      spec.attributes.push_back(OnnxAttribute::getInt("transA", node.transA));
      spec.attributes.push_back(OnnxAttribute::getInt("transB", node.transB));
      break;
    case NodeKind::MatMul:
      spec.opType = "MatMul";
      break;
    case NodeKind::Relu:
      spec.opType = "Relu";
      break;
    case NodeKind::Clip: {
      spec.opType = "Clip";
      spec.inputs.resize(3);
      if (node.clipMin)
        spec.inputs[1] = addInitializer(
            node.name + ".min", HostTensor::fromFloats({}, {*node.clipMin}));
      if (node.clipMax)
        spec.inputs[2] = addInitializer(
            node.name + ".max", HostTensor::fromFloats({}, {*node.clipMax}));
      break;
    }
    case NodeKind::MaxPool:
    case NodeKind::AvgPool:
      spec.opType = node.kind == NodeKind::MaxPool ? "MaxPool" : "AveragePool";
      ints("kernel_shape", node.kernel);
      ints("strides", node.strides);
      ints("pads", node.pads);
      if (node.kind == NodeKind::MaxPool)
        ints("dilations", node.dilations);
      else
        spec.attributes.push_back(
            OnnxAttribute::getInt("count_include_pad", node.countIncludePad));
      spec.attributes.push_back(
          OnnxAttribute::getInt("ceil_mode", node.ceilMode));
      break;
    case NodeKind::GlobalAvgPool:
      spec.opType = "GlobalAveragePool";
      break;
    case NodeKind::Add:
      spec.opType = "Add";
      break;
    case NodeKind::Flatten:
      spec.opType = "Flatten";
      spec.attributes.push_back(OnnxAttribute::getInt("axis", node.axis));
      break;
    case NodeKind::Reshape: {
      spec.opType = "Reshape";
      // Dimension 0 (the batch) is copied from the input.
      std::vector<int64_t> shape = node.shape;
      if (!shape.empty())
        shape[0] = 0;
      HostTensor target(ElementKind::I64, {int64_t(shape.size())});
      for (size_t i = 0; i < shape.size(); ++i)
        target.setFromInt64(int64_t(i), shape[i]);
      spec.inputs.push_back(
          addInitializer(node.name + ".shape", std::move(target)));
      break;
    }
    case NodeKind::BatchNorm:
      spec.opType = "BatchNormalization";
      spec.attributes.push_back(
          OnnxAttribute::getFloat("epsilon", node.epsilon));
      break;
    case NodeKind::Softmax:
      spec.opType = "Softmax";
      spec.attributes.push_back(OnnxAttribute::getInt("axis", node.axis));
      break;
    }
    model.nodes.push_back(std::move(spec));
  }
  for (int id : graph.outputs) {
    std::vector<int64_t> shape = graph.shapes[id];
    if (!shape.empty())
      shape[0] = -1;
    model.outputs.push_back({nameOf(id), shape});
  }
  if (failed(writeOnnxModel(model, path, error))) {
    error = path + ": error: " + error;
    return false;
  }
  return true;
}

bool tune::exportOnnx(const Graph &graph, const std::string &path, bool qdq,
                      std::string &error) {
  return Exporter(graph, qdq).run(path, error);
}
