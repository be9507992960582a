//===- NetworkImpl.h - The LibTorch side of a Network -----------*- C++ -*-===//
//
// Private to CIMTune, and included only by the units that include LibTorch
// anyway: the fake quantizer's autograd functions (FakeQuant.cpp), the
// interpreter (Network.cpp) and training with its checkpoints
// (NetworkTrain.cpp) share the network's state through this header.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_TUNE_NETWORKIMPL_H
#define CIM_LIB_TUNE_NETWORKIMPL_H

#include "cim/Tune/Network.h"

#include <torch/torch.h>

#include <functional>
#include <map>
#include <vector>

namespace mlir {
namespace cim {
namespace tune {

//===----------------------------------------------------------------------===//
// The fake quantizer (FakeQuant.cpp)
//===----------------------------------------------------------------------===//

/// A weight with fixed or computed parameters: the exact forward, the
/// straight-through gradient. `scale` and `zeroPoint` broadcast against
/// `w` (viewed as [groups, outer, channels, inner]).
torch::Tensor fakeQuantizeWeight(const torch::Tensor &w,
                                 const torch::Tensor &scale,
                                 const torch::Tensor &zeroPoint, double qmin,
                                 double qmax);

/// A symmetric weight with learned per-channel scales (LSQ).
torch::Tensor fakeQuantizeWeightLsq(const torch::Tensor &w,
                                    const torch::Tensor &scale, double qmin,
                                    double qmax);

/// An activation with a learned scale ([1]) and a fixed zero point (LSQ).
torch::Tensor fakeQuantizeActivation(const torch::Tensor &x,
                                     const torch::Tensor &scale,
                                     double zeroPoint, double qmin,
                                     double qmax);

/// The compiler's weight parameters (computeWeightParams) for a weight
/// tensor whose channels lie along `layout`, as tensors shaped to broadcast
/// against the weight viewed as [groups, outer, channels, inner].
void computeWeightParams(const torch::Tensor &w,
                         const quant::ChannelLayout &layout,
                         quant::Scheme scheme, unsigned bits, bool perChannel,
                         torch::Tensor &scale, torch::Tensor &zeroPoint);

//===----------------------------------------------------------------------===//
// The network's state
//===----------------------------------------------------------------------===//

struct Network::Impl {
  Graph graph;
  /// Every constant's tensor, by value id.
  std::map<int, torch::Tensor> constants;
  /// Learned activation scale ([1], f32) of each quantized layer, by node
  /// index; undefined until calibrated.
  std::map<size_t, torch::Tensor> actScales;
  /// Learned weight scales of symmetric layers (shaped to broadcast against
  /// the weight viewed as [groups, outer, channels, inner]), by node index;
  /// empty unless training with learnWeightScales.
  std::map<size_t, torch::Tensor> weightScales;
  bool quantized = false;
  bool training = false;
  /// When set, called with (node index, layer input) before each layer.
  std::function<void(size_t, const torch::Tensor &)> observer;

  /// The trained constants.
  std::vector<torch::Tensor> parameters();
  /// The graph, node by node, on a batch (Network.cpp).
  torch::Tensor run(const torch::Tensor &input);
  torch::Tensor layerInput(size_t index, const Node &node,
                           const torch::Tensor &x);
  torch::Tensor layerWeight(size_t index, const Node &node,
                            const torch::Tensor &w);
  /// Starts every symmetric quantized layer's learned weight scales at the
  /// compiler's (max-based) ones for the current weights.
  void initWeightScales();
};

/// The loss of the network's output: a trailing softmax is skipped
/// (cross-entropy of its input); argmax is the same either way.
torch::Tensor lossOf(const torch::Tensor &output, const torch::Tensor &labels,
                     bool outputIsSoftmax);

/// Log-probabilities of the outputs (logits, or a softmax's probabilities).
torch::Tensor logProbabilities(const torch::Tensor &output,
                               bool outputIsSoftmax);

/// Whether the graph's first output is a softmax's.
bool endsInSoftmax(const Graph &graph);

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_LIB_TUNE_NETWORKIMPL_H
