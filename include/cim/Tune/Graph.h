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

/// Element type of a graph value. Training computes in f32; integer and
/// boolean values (gather indices, masks, comparisons) pass through ops
/// that have no gradient.
enum class ElementType { F32, I64, Bool };

/// A dense constant: f32 data, or integer data (I64 and Bool) in `ints`.
struct FloatTensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
  ElementType type = ElementType::F32;
  std::vector<int64_t> ints;
  int64_t getNumElements() const;
};

/// An attribute of a graph op, converted from the cim op's attribute with
/// its default filled in: integers and booleans (and integer arrays) in
/// `ints`, floats (and float arrays) in `floats`, strings and enum cases
/// in `text`.
struct NodeAttr {
  /// What the attribute was: a scalar or an array, of which kind.
  enum class Kind { Int, Float, Ints, Floats, Text };
  Kind kind = Kind::Ints;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::string text;
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
  /// The cim op's mnemonic ("conv2d", "softmax", ...).
  std::string op;
  /// The layer's `name` (the ONNX node name), or a generated one.
  std::string name;
  /// Where the op came from ("model.onnx:12:3" or "model.onnx"), for
  /// diagnostics.
  std::string location;
  /// Operand value ids, in the cim op's operand order; -1 for an absent
  /// optional operand.
  std::vector<int> inputs;
  /// Result value ids, in order.
  std::vector<int> outputs;
  /// The op's attributes by their ODS names (defaults filled in).
  std::map<std::string, NodeAttr> attrs;
  /// What the graph builder derives with the compiler's rules for the
  /// trainable kernels (slice and pad source indices, the resize's
  /// interpolation matrices); not attributes of the op. The accessors
  /// below look here after `attrs`.
  std::map<std::string, NodeAttr> derived;
  /// Quantization of a layer (a Conv, Gemm or MatMul with a constant
  /// weight, or a MatMul of two activations); absent for float layers and
  /// other ops.
  std::optional<LayerQuant> quant;

  int output() const { return outputs.empty() ? -1 : outputs[0]; }
  bool has(const std::string &attr) const;
  int64_t getInt(const std::string &attr, int64_t otherwise = 0) const;
  double getFloat(const std::string &attr, double otherwise = 0) const;
  /// The attribute or derived value `name`, or null.
  const NodeAttr *find(const std::string &name) const;
  /// The integer array (empty when absent).
  const std::vector<int64_t> &getInts(const std::string &attr) const;
  const std::vector<double> &getFloats(const std::string &attr) const;
  std::string getText(const std::string &attr) const;

  /// Conv, Gemm or MatMul: the ops that can be layers.
  bool isProduct() const;
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
  /// Static result shape of every value id (inputs, constants, nodes) at
  /// a batch of `batch`.
  std::vector<std::vector<int64_t>> shapes;
  /// How each dimension of each value grows with the batch: at a batch of
  /// n it is shapes[id][d] + batchSlope[id][d] * (n - batch). Zero for
  /// dimensions that do not depend on the batch (and for every dimension
  /// of a graph loaded at one batch size only).
  std::vector<std::vector<int64_t>> batchSlope;
  /// Element type of every value id.
  std::vector<ElementType> types;
  /// The batch size `shapes` were taken at.
  int64_t batch = 1;
  /// Ops in execution order.
  std::vector<Node> nodes;

  /// The shape of value `id` at a batch of `n`.
  std::vector<int64_t> getShape(int id, int64_t n) const;
  /// The shape of input `k` for `n` samples: dimension 0 becomes `n` when it
  /// follows the batch (or when the graph was loaded at one batch size);
  /// a static batch keeps its size, the whole tensor being one sample.
  std::vector<int64_t> getInputShape(size_t k, int64_t n) const;

  /// Whether `node` is a layer with its own widths: a product with a
  /// constant weight, or a MatMul of two activations.
  bool isLayer(const Node &node) const;
  /// Whether a layer's weight operand is a constant (a MatMul of two
  /// activations has none).
  bool hasConstantWeight(const Node &node) const;

  /// The layers in graph order: the order of a policy file's `index`.
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
