//===- Graph.h - The trainable form of a cim graph --------------*- C++ -*-===//
//
// Library CIMTune. A plain-data copy of a cim graph function (no MLIR, no
// LibTorch types): the bridge between the compiler's IR, the LibTorch
// network that trains it, and the ONNX writer that exports it. Values are
// numbered; constants (weights, biases, batch-norm parameters) carry their
// data; weight-bearing layers carry the bits and schemes of their
// `#cim.quant` and, once trained or calibrated, their activation scale.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TUNE_GRAPH_H
#define CIM_TUNE_GRAPH_H

#include "cim/Quant/Quantizer.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace tune {

/// The graph ops cim-tune trains (the ops of CNN classifiers).
enum class NodeKind {
  Conv,
  Gemm,
  MatMul,
  Relu,
  Clip,
  MaxPool,
  AvgPool,
  GlobalAvgPool,
  Add,
  Flatten,
  Reshape,
  BatchNorm,
  Softmax,
};

/// The op name as the cim dialect spells it ("conv2d", "gemm", ...).
const char *getNodeKindName(NodeKind kind);

/// A dense f32 tensor.
struct FloatTensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
  int64_t getNumElements() const;
};

/// Quantization of one weight-bearing layer, from its `#cim.quant`.
struct LayerQuant {
  unsigned wbits = 8;
  unsigned abits = 8;
  quant::Scheme wscheme = quant::Scheme::Symmetric;
  quant::Scheme ascheme = quant::Scheme::Symmetric;
  bool perChannel = true;
  /// Input-activation scale and zero point (from a QDQ import, calibration
  /// or training); absent until one of them sets it.
  std::optional<float> ascale;
  int32_t azp = 0;
  /// Fixed weight scales and zero points (from a QDQ import): used instead
  /// of scales computed from the weight until training changes it.
  std::vector<float> wscale;
  std::vector<int32_t> wzp;
};

struct Node {
  NodeKind kind = NodeKind::Relu;
  /// The layer's `name` (the ONNX node name), or a generated one.
  std::string name;
  /// Operand value ids, in the cim op's operand order; -1 for an absent
  /// optional operand.
  std::vector<int> inputs;
  int output = -1;

  // Convolution and pooling (2-D): kernel (pools), strides, pads (begin
  // then end), dilations, groups.
  std::vector<int64_t> kernel, strides, pads, dilations;
  int64_t group = 1;
  bool ceilMode = false;
  bool countIncludePad = false;
  // Gemm.
  float alpha = 1.0f, beta = 1.0f;
  bool transA = false, transB = false;
  // Flatten and Softmax axis; Reshape's static result shape.
  int64_t axis = 1;
  std::vector<int64_t> shape;
  // BatchNorm.
  float epsilon = 1e-5f;
  // Clip bounds.
  std::optional<float> clipMin, clipMax;
  /// Quantization of a weight-bearing layer (Conv, Gemm, MatMul with a
  /// constant weight); absent for float layers and other ops.
  std::optional<LayerQuant> quant;

  bool isLayer() const {
    return kind == NodeKind::Conv || kind == NodeKind::Gemm ||
           kind == NodeKind::MatMul;
  }
};

struct Graph {
  /// Number of value ids (0 .. numValues-1).
  int numValues = 0;
  /// Function arguments: value id, name and static shape.
  std::vector<int> inputs;
  std::vector<std::string> inputNames;
  std::vector<std::vector<int64_t>> inputShapes;
  std::vector<int> outputs;
  /// Constant values by id.
  std::map<int, FloatTensor> constants;
  /// Static result shape of every value id (inputs, constants, nodes).
  std::vector<std::vector<int64_t>> shapes;
  /// Ops in execution order.
  std::vector<Node> nodes;

  /// Weight-bearing layers (nodes with a constant weight) in graph order:
  /// the order of a policy file's `index`.
  std::vector<const Node *> getLayers() const;
  std::vector<Node *> getLayers();
};

/// Where the output channels of a layer's weight lie (one scale each), as
/// the compiler counts them (getWeightChannelLayout).
quant::ChannelLayout getWeightLayout(const Graph &graph, const Node &layer);

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_TUNE_GRAPH_H
