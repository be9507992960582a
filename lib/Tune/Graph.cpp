//===- Graph.cpp - The trainable form of a cim graph ----------------------===//

#include "cim/Tune/Graph.h"

using namespace mlir::cim;
using namespace mlir::cim::tune;

const char *tune::getNodeKindName(NodeKind kind) {
  switch (kind) {
  case NodeKind::Conv:
    return "conv2d";
  case NodeKind::Gemm:
    return "gemm";
  case NodeKind::MatMul:
    return "matmul";
  case NodeKind::Relu:
    return "relu";
  case NodeKind::Clip:
    return "clip";
  case NodeKind::MaxPool:
    return "max_pool";
  case NodeKind::AvgPool:
    return "avg_pool";
  case NodeKind::GlobalAvgPool:
    return "global_avg_pool";
  case NodeKind::Add:
    return "add";
  case NodeKind::Flatten:
    return "flatten";
  case NodeKind::Reshape:
    return "reshape";
  case NodeKind::BatchNorm:
    return "batch_norm";
  case NodeKind::Softmax:
    return "softmax";
  }
  return "?";
}

int64_t FloatTensor::getNumElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::vector<const Node *> Graph::getLayers() const {
  std::vector<const Node *> layers;
  for (const Node &node : nodes)
    if (node.isLayer() && constants.count(node.inputs[1]))
      layers.push_back(&node);
  return layers;
}

std::vector<Node *> Graph::getLayers() {
  std::vector<Node *> layers;
  for (Node &node : nodes)
    if (node.isLayer() && constants.count(node.inputs[1]))
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
  switch (layer.kind) {
  case NodeKind::Conv:
    layout.channels = shape[0];
    layout.inner = product(1, shape.size());
    break;
  case NodeKind::Gemm:
    if (layer.transB) {
      layout.channels = shape[0];
      layout.inner = shape[1];
    } else {
      layout.outer = shape[0];
      layout.channels = shape[1];
    }
    break;
  default: // MatMul: [B...] x K x N, or a vector K.
    if (shape.size() == 1) {
      layout.inner = shape[0];
    } else {
      layout.groups = product(0, shape.size() - 2);
      layout.outer = shape[shape.size() - 2];
      layout.channels = shape.back();
    }
    break;
  }
  return layout;
}
