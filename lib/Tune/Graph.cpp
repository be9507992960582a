//===- Graph.cpp - The trainable form of a cim graph ----------------------===//

#include "cim/Tune/Graph.h"

using namespace mlir::cim;
using namespace mlir::cim::tune;

int64_t FloatTensor::getNumElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

bool Node::has(const std::string &attr) const { return attrs.count(attr) != 0; }

const NodeAttr *Node::find(const std::string &name) const {
  for (const std::map<std::string, NodeAttr> *map : {&attrs, &derived}) {
    auto it = map->find(name);
    if (it != map->end())
      return &it->second;
  }
  return nullptr;
}

int64_t Node::getInt(const std::string &attr, int64_t otherwise) const {
  const NodeAttr *value = find(attr);
  return value && !value->ints.empty() ? value->ints[0] : otherwise;
}

double Node::getFloat(const std::string &attr, double otherwise) const {
  const NodeAttr *value = find(attr);
  return value && !value->floats.empty() ? value->floats[0] : otherwise;
}

const std::vector<int64_t> &Node::getInts(const std::string &attr) const {
  static const std::vector<int64_t> none;
  const NodeAttr *value = find(attr);
  return value ? value->ints : none;
}

const std::vector<double> &Node::getFloats(const std::string &attr) const {
  static const std::vector<double> none;
  const NodeAttr *value = find(attr);
  return value ? value->floats : none;
}

std::string Node::getText(const std::string &attr) const {
  const NodeAttr *value = find(attr);
  return value ? value->text : std::string();
}

bool Node::isProduct() const {
  return op == "conv2d" || op == "gemm" || op == "matmul";
}

std::vector<int64_t> Graph::getShape(int id, int64_t n) const {
  std::vector<int64_t> shape = shapes[size_t(id)];
  if (size_t(id) < batchSlope.size())
    for (size_t d = 0; d < shape.size() && d < batchSlope[id].size(); ++d)
      shape[d] += batchSlope[id][d] * (n - batch);
  return shape;
}

std::vector<int64_t> Graph::getInputShape(size_t k, int64_t n) const {
  std::vector<int64_t> shape = inputShapes[k];
  size_t id = size_t(inputs[k]);
  bool follows = id >= batchSlope.size() || batchSlope[id].empty() ||
                 batchSlope[id][0] != 0;
  if (!shape.empty() && follows)
    shape[0] = n;
  return shape;
}

bool Graph::hasConstantWeight(const Node &node) const {
  return node.inputs.size() > 1 && constants.count(node.inputs[1]);
}

bool Graph::isLayer(const Node &node) const {
  if (!node.isProduct())
    return false;
  return hasConstantWeight(node) || node.op == "matmul";
}

std::vector<const Node *> Graph::getLayers() const {
  std::vector<const Node *> layers;
  for (const Node &node : nodes)
    if (isLayer(node))
      layers.push_back(&node);
  return layers;
}

std::vector<Node *> Graph::getLayers() {
  std::vector<Node *> layers;
  for (Node &node : nodes)
    if (isLayer(node))
      layers.push_back(&node);
  return layers;
}

quant::ChannelLayout tune::getWeightLayout(const Graph &graph,
                                           const Node &layer) {
  const std::vector<int64_t> &shape = graph.shapes[layer.inputs[1]];
  quant::ChannelLayout layout;
  auto product = [&](size_t from, size_t to) {
    int64_t n = 1;
    for (size_t i = from; i < to; ++i)
      n *= shape[i];
    return n;
  };
  if (!graph.hasConstantWeight(layer)) {
    // An activation operand: one scale for the whole tensor.
    layout.inner = product(0, shape.size());
    return layout;
  }
  if (layer.op == "conv2d") {
    layout.channels = shape[0];
    layout.inner = product(1, shape.size());
  } else if (layer.op == "gemm") {
    if (layer.getInt("transB")) {
      layout.channels = shape[0];
      layout.inner = shape[1];
    } else {
      layout.outer = shape[0];
      layout.channels = shape[1];
    }
  } else if (shape.size() == 1) { // MatMul: [B...] x K x N, or a vector K.
    layout.inner = shape[0];
  } else {
    layout.groups = product(0, shape.size() - 2);
    layout.outer = shape[shape.size() - 2];
    layout.channels = shape.back();
  }
  return layout;
}
