//===- Export.cpp - Trained graphs to ONNX --------------------------------===//

#include "cim/Tune/Export.h"

#include "cim/Importer/OnnxWriter.h"
#include "cim/Tensor/HostTensor.h"

#include <algorithm>
#include <map>
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
  std::string addActivationQDQ(const std::string &prefix, std::string input,
                               float scale, int32_t zeroPoint, unsigned bits,
                               quant::Scheme scheme);
  bool addNode(const Node &node, std::vector<std::string> inputs,
               std::string &error);
  /// An int64 shape input for value `id`'s shape: a constant, or computed
  /// from the first graph input's batch where dimensions follow it.
  bool addShapeInput(const Node &node, int id, std::string &input,
                     std::string &error);
  std::string batchName;
};
} // namespace

static HostTensor toHost(const FloatTensor &t) {
  if (t.type == ElementType::F32)
    return HostTensor::fromFloats(t.shape, t.data);
  HostTensor host(t.type == ElementType::Bool ? ElementKind::Bool
                                              : ElementKind::I64,
                  t.shape);
  for (size_t i = 0; i < t.ints.size(); ++i)
    host.setFromInt64(int64_t(i), t.ints[i]);
  return host;
}

/// The width of the QDQ integer type of a `bits`-wide layer: ONNX INT4 /
/// UINT4 (opset 21) up to 4 bits, INT8 / UINT8 above.
static unsigned containerBits(unsigned bits) { return bits <= 4 ? 4 : 8; }

static ElementKind containerKind(unsigned bits, bool isSigned) {
  if (containerBits(bits) == 4)
    return isSigned ? ElementKind::I4 : ElementKind::U4;
  return isSigned ? ElementKind::I8 : ElementKind::U8;
}

/// [Clip ->] QuantizeLinear -> DequantizeLinear of an activation; returns
/// the dequantized value's name. Names start with `prefix`.
std::string Exporter::addActivationQDQ(const std::string &prefix,
                                       std::string input, float scale,
                                       int32_t zeroPoint, unsigned bits,
                                       quant::Scheme scheme) {
  // Activations always travel in 8-bit types, narrower widths by a Clip:
  // ONNX Runtime's graph optimizations reject 4-bit activation types (its
  // Clip/QuantizeLinear fusion and the pooling ops take 8 and 16 bits), and
  // cim-fold-qdq reads the width from the Clip all the same.
  bool actSigned = scheme == quant::Scheme::Symmetric;
  ElementKind actKind = containerKind(8, actSigned);
  std::string s =
      addInitializer(prefix + "_scale", HostTensor::fromFloats({}, {scale}));
  HostTensor zp(actKind, {});
  zp.setFromInt64(0, zeroPoint);
  std::string z = addInitializer(prefix + "_zero_point", std::move(zp));
  quant::IntRange range = quant::getIntRange(scheme, bits);
  int64_t half = 128;
  quant::IntRange saturation = actSigned ? quant::IntRange{-half, half - 1}
                                         : quant::IntRange{0, 2 * half - 1};
  if (!(range == saturation)) {
    // The layer's range is narrower than the container's (widths other
    // than 4 and 8, and the symmetric narrow range): a Clip to the reals of
    // its ends makes QuantizeLinear saturate where the quantizer does.
    float lo = float(range.min - zeroPoint) * scale;
    float hi = float(range.max - zeroPoint) * scale;
    std::string clipped = prefix + "_clipped";
    model.nodes.push_back(
        {"Clip",
         prefix + "_clip",
         {input,
          addInitializer(prefix + "_min", HostTensor::fromFloats({}, {lo})),
          addInitializer(prefix + "_max", HostTensor::fromFloats({}, {hi}))},
         {clipped},
         {}});
    input = clipped;
  }
  std::string quantized = prefix + "_q", dequantized = prefix + "_dq";
  model.nodes.push_back(
      {"QuantizeLinear", prefix + "_quantize", {input, s, z}, {quantized}, {}});
  model.nodes.push_back({"DequantizeLinear",
                         prefix + "_dequantize",
                         {quantized, s, z},
                         {dequantized},
                         {}});
  return dequantized;
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
  inputs[0] = addActivationQDQ(name + ".input", inputs[0], *q.ascale, q.azp,
                               q.abits, q.ascheme);
  if (!graph.hasConstantWeight(node)) {
    // The second activation of a product: per tensor at the weight width.
    if (q.wscale.size() != 1) {
      error = "cim-tune: error: layer '" + node.name +
              "' has no scale for its second operand; calibrate or train it "
              "(qat) first";
      return false;
    }
    inputs[1] = addActivationQDQ(name + ".operand", inputs[1], q.wscale[0], 0,
                                 q.wbits, q.wscheme);
    return true;
  }

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
    int64_t axis = node.op == "conv2d"                               ? 0
                   : node.op == "gemm" && node.getInt("transB") != 0 ? 0
                                                                     : 1;
    if (node.op == "matmul" && w.shape.size() != 2) {
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

/// The ONNX operator of each graph op whose attributes carry over by name
/// (the cim dialect keeps ONNX's attribute names).
static const std::map<std::string, const char *> &getOnnxNames() {
  static const std::map<std::string, const char *> names = {
#define CIM_GRAPH_OP(Class, Mnemonic, OnnxOp) {Mnemonic, OnnxOp},
#include "cim/Reference/GraphOps.def"
#undef CIM_GRAPH_OP
  };
  return names;
}

static HostTensor int64Vector(const std::vector<int64_t> &values) {
  HostTensor t(ElementKind::I64, {int64_t(values.size())});
  for (size_t i = 0; i < values.size(); ++i)
    t.setFromInt64(int64_t(i), values[i]);
  return t;
}

bool Exporter::addShapeInput(const Node &node, int id, std::string &input,
                             std::string &error) {
  const std::vector<int64_t> &shape = graph.shapes[size_t(id)];
  std::vector<int64_t> slope(shape.size(), 0);
  if (size_t(id) < graph.batchSlope.size())
    slope = graph.batchSlope[size_t(id)];
  std::string name = node.name + ".shape";
  if (std::all_of(slope.begin(), slope.end(),
                  [](int64_t s) { return s == 0; })) {
    input = addInitializer(name, int64Vector(shape));
    return true;
  }
  // Dimensions that follow the batch: slope x N, with N read from the first
  // input's shape.
  if (batchName.empty()) {
    batchName = "batch";
    model.nodes.push_back({"Shape",
                           "batch_shape",
                           {names.at(graph.inputs[0])},
                           {"batch_all"},
                           {}});
    model.nodes.push_back(
        {"Gather",
         "batch_gather",
         {"batch_all", addInitializer("batch_index", int64Vector({0}))},
         {batchName},
         {OnnxAttribute::getInt("axis", 0)}});
  }
  std::vector<std::string> pieces;
  for (size_t d = 0; d < shape.size(); ++d) {
    std::string piece = name + std::to_string(d);
    if (slope[d] == 0) {
      pieces.push_back(addInitializer(piece, int64Vector({shape[d]})));
      continue;
    }
    if (shape[d] != slope[d] * graph.batch) {
      error = node.location + ": error: '" + node.op +
              "': its shape depends on the batch in a way the ONNX export "
              "cannot write";
      return false;
    }
    if (slope[d] == 1) {
      pieces.push_back(batchName);
      continue;
    }
    model.nodes.push_back(
        {"Mul",
         piece + "_mul",
         {batchName, addInitializer(piece, int64Vector({slope[d]}))},
         {piece + "_n"},
         {}});
    pieces.push_back(piece + "_n");
  }
  model.nodes.push_back({"Concat",
                         name + "_concat",
                         pieces,
                         {name},
                         {OnnxAttribute::getInt("axis", 0)}});
  input = name;
  return true;
}

bool Exporter::addNode(const Node &node, std::vector<std::string> inputs,
                       std::string &error) {
  if (node.op == "swish") {
    // ONNX has Swish from opset 24 only: x * Sigmoid(alpha x) everywhere.
    double alpha = node.has("alpha") ? node.getFloat("alpha") : 1.0;
    std::string x = inputs[0], scaled = x;
    if (alpha != 1.0) {
      scaled = node.name + "_scaled";
      model.nodes.push_back(
          {"Mul",
           node.name + "_alpha",
           {x, addInitializer(node.name + ".alpha",
                              HostTensor::fromFloats({}, {float(alpha)}))},
           {scaled},
           {}});
    }
    model.nodes.push_back({"Sigmoid",
                           node.name + "_sigmoid",
                           {scaled},
                           {node.name + "_gate"},
                           {}});
    model.nodes.push_back({"Mul",
                           node.name,
                           {x, node.name + "_gate"},
                           {nameOf(node.output())},
                           {}});
    return true;
  }
  auto found = getOnnxNames().find(node.op);
  if (found == getOnnxNames().end()) {
    error = node.location + ": error: '" + node.op +
            "' has no ONNX form in cim-tune's export";
    return false;
  }
  OnnxNodeSpec spec;
  spec.opType = found->second;
  spec.name = node.name;
  for (int id : node.outputs)
    spec.outputs.push_back(nameOf(id));
  auto constantInput = [&](const std::string &suffix, HostTensor tensor) {
    return addInitializer(node.name + "." + suffix, std::move(tensor));
  };
  // Attributes that ONNX takes as inputs at the written opset, and the
  // ones derived for the trainable kernels, are not copied.
  std::set<std::string> skip = {"name", "quant", "mapping"};
  bool axesInput = model.opset >= 18 || node.op == "reduce_sum";
  const std::string &op = node.op;
  if (op == "clip") {
    skip = {"min", "max"};
    inputs.resize(3);
    if (node.has("min"))
      inputs[1] = constantInput(
          "min", HostTensor::fromFloats({}, {float(node.getFloat("min"))}));
    if (node.has("max"))
      inputs[2] = constantInput(
          "max", HostTensor::fromFloats({}, {float(node.getFloat("max"))}));
  } else if (op == "conv2d") {
    const std::vector<int64_t> &w = graph.shapes[size_t(node.inputs[1])];
    spec.attributes.push_back(OnnxAttribute::getInts(
        "kernel_shape", std::vector<int64_t>(w.begin() + 2, w.end())));
  } else if (op.rfind("reduce_", 0) == 0 && axesInput) {
    skip.insert("axes");
    if (!node.getInts("axes").empty())
      inputs.push_back(
          constantInput("axes", int64Vector(node.getInts("axes"))));
  } else if (op == "reshape" || op == "expand") {
    std::string shape;
    if (!addShapeInput(node, node.output(), shape, error))
      return false;
    inputs.push_back(shape);
    skip.insert("shape");
  } else if (op == "split") {
    skip.insert("sizes");
    inputs.push_back(
        constantInput("split", int64Vector(node.getInts("sizes"))));
  } else if (op == "slice") {
    for (const char *key : {"starts", "ends", "axes", "steps"}) {
      skip.insert(key);
      if (node.has(key) && !node.getInts(key).empty())
        inputs.push_back(constantInput(key, int64Vector(node.getInts(key))));
    }
  } else if (op == "pad") {
    skip = {"pads", "value"};
    inputs.push_back(constantInput("pads", int64Vector(node.getInts("pads"))));
    inputs.push_back(constantInput(
        "value", HostTensor::fromFloats({}, {float(node.getFloat("value"))})));
  } else if (op == "tile") {
    skip.insert("repeats");
    inputs.push_back(
        constantInput("repeats", int64Vector(node.getInts("repeats"))));
  } else if (op == "resize") {
    skip = {"scales", "sizes", "roi"};
    std::vector<double> roi = node.getFloats("roi");
    inputs.push_back(
        roi.empty() ? std::string()
                    : constantInput("roi", HostTensor::fromFloats(
                                               {int64_t(roi.size())},
                                               std::vector<float>(roi.begin(),
                                                                  roi.end()))));
    if (node.has("sizes") && !node.getInts("sizes").empty()) {
      inputs.push_back("");
      inputs.push_back(
          constantInput("sizes", int64Vector(node.getInts("sizes"))));
    } else {
      std::vector<double> scales = node.getFloats("scales");
      inputs.push_back(constantInput(
          "scales", HostTensor::fromFloats(
                        {int64_t(scales.size())},
                        std::vector<float>(scales.begin(), scales.end()))));
    }
  } else if (op == "cast") {
    ElementType type = graph.types[size_t(node.output())];
    spec.attributes.push_back(
        OnnxAttribute::getInt("to", type == ElementType::F32   ? 1
                                    : type == ElementType::I64 ? 7
                                                               : 9));
    skip.insert("saturate");
  } else if (op == "max_pool") {
    skip.insert("with_indices");
  } else if (op == "avg_pool") {
    skip.insert("dilations");
  }
  spec.inputs = inputs;
  for (const auto &[key, attr] : node.attrs) {
    if (skip.count(key))
      continue;
    switch (attr.kind) {
    case NodeAttr::Kind::Int:
      spec.attributes.push_back(OnnxAttribute::getInt(key, attr.ints[0]));
      break;
    case NodeAttr::Kind::Float:
      spec.attributes.push_back(
          OnnxAttribute::getFloat(key, float(attr.floats[0])));
      break;
    case NodeAttr::Kind::Ints:
      spec.attributes.push_back(OnnxAttribute::getInts(key, attr.ints));
      break;
    case NodeAttr::Kind::Text:
      spec.attributes.push_back(OnnxAttribute::getString(key, attr.text));
      break;
    case NodeAttr::Kind::Floats:
      error = node.location + ": error: '" + node.op + "': attribute '" + key +
              "' has no ONNX form in cim-tune's export";
      return false;
    }
  }
  model.nodes.push_back(std::move(spec));
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
  // Ops whose ONNX form needs a newer opset than 13.
  for (const Node &node : graph.nodes) {
    int64_t needs = node.op == "gelu"         ? 20
                    : node.op == "mish"       ? 18
                    : node.op == "layer_norm" ? 17
                                              : 13;
    model.opset = std::max(model.opset, needs);
  }
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
    bool quantized = qdq && node.quant && graph.hasConstantWeight(node);
    if (graph.hasConstantWeight(node)) {
      if (node.inputs[1] >= 0 && !names.count(node.inputs[1]))
        names[node.inputs[1]] = node.name + ".weight";
      if (node.inputs.size() > 2 && node.inputs[2] >= 0 &&
          !names.count(node.inputs[2]))
        names[node.inputs[2]] = node.name + ".bias";
      if (quantized)
        quantizedWeights.insert(node.inputs[1]);
    } else if (node.op == "batch_norm") {
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
        if (node.inputs[k] == id && !(k == 1 && graph.hasConstantWeight(node) &&
                                      quantizedWeights.count(id)))
          usedFloat = true;
    if (!usedFloat && quantizedWeights.count(id))
      continue;
    const std::vector<int64_t> &slope = graph.batchSlope.size() > size_t(id)
                                            ? graph.batchSlope[size_t(id)]
                                            : std::vector<int64_t>();
    if (std::any_of(slope.begin(), slope.end(),
                    [](int64_t v) { return v != 0; })) {
      // A constant that follows the batch (a class token): its one slice,
      // expanded to the batch of the run.
      Node expand;
      expand.op = "expand";
      expand.name = nameOf(id) + ".expand";
      expand.location = "cim-tune";
      expand.outputs = {id};
      std::string base = addInitializer(nameOf(id) + ".slice", toHost(tensor));
      if (!addNode(expand, {base}, error))
        return false;
      continue;
    }
    addInitializer(nameOf(id), toHost(tensor));
  }

  for (const Node &node : graph.nodes) {
    std::vector<std::string> inputs;
    for (int id : node.inputs)
      inputs.push_back(id < 0 ? "" : nameOf(id));
    while (!inputs.empty() && inputs.back().empty())
      inputs.pop_back();
    if (qdq && node.quant && graph.isLayer(node) &&
        !addQuantizedLayer(node, inputs, error))
      return false;
    if (!addNode(node, inputs, error))
      return false;
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
