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
#include <stdexcept>
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

struct KernelContext;
/// A trainable kernel: the results of one node from its operands (an
/// undefined tensor for an absent optional operand).
using TrainKernel = std::vector<torch::Tensor> (*)(
    KernelContext &, std::vector<torch::Tensor> &inputs);

//===----------------------------------------------------------------------===//
// The network's state
//===----------------------------------------------------------------------===//

struct Network::Impl {
  Graph graph;
  /// Every constant's tensor, by value id.
  std::map<int, torch::Tensor> constants;
  /// Constants whose shape follows the batch: held as their one slice and
  /// broadcast to the batch at run time.
  std::vector<int> batchConstants;
  /// Learned activation scale ([1], f32) of each quantized layer, by node
  /// index; undefined until calibrated.
  std::map<size_t, torch::Tensor> actScales;
  /// Learned scale ([1], f32) of the second operand of each quantized
  /// MatMul of two activations, by node index; undefined until calibrated.
  std::map<size_t, torch::Tensor> operandScales;
  /// Learned weight scales of symmetric layers (shaped to broadcast against
  /// the weight viewed as [groups, outer, channels, inner]), by node index;
  /// empty unless training with learnWeightScales.
  std::map<size_t, torch::Tensor> weightScales;
  bool quantized = false;
  bool training = false;
  /// When set, called with (node index, operand, tensor) for each operand
  /// that a layer quantizes (0: the input; 1: the second operand of a
  /// MatMul of two activations).
  std::function<void(size_t, int, const torch::Tensor &)> observer;

  /// The kernel of every node, in node order.
  std::vector<TrainKernel> kernels;

  /// The trained constants.
  std::vector<torch::Tensor> parameters();
  /// The batch size a run takes when `wanted` is asked for: `wanted`
  /// where the model's batch is dynamic, else its static batch.
  int64_t runBatch(int64_t wanted) const;
  /// The batch an inference run (no gradient) takes when `wanted` is asked
  /// for: runBatch(wanted), made smaller where a value of the graph would
  /// otherwise exceed kInferenceValueBytes (large buffers are mapped and
  /// zeroed afresh by the allocator at every run, which costs more than the
  /// arithmetic; results do not depend on the batch).
  int64_t inferenceBatch(int64_t wanted) const;
  static constexpr int64_t kInferenceValueBytes = 16 << 20;
  /// Whether the model's first input has a batch dimension that does not
  /// follow the run's (an export with a fixed batch).
  bool hasStaticBatch() const;
  /// The batch, in the graph's terms, of a network input.
  int64_t batchOf(const torch::Tensor &input) const;
  /// The graph, node by node, on a batch of every input (Network.cpp): its
  /// first output, or all of them.
  torch::Tensor run(const std::vector<torch::Tensor> &inputs);
  std::vector<torch::Tensor> runAll(const std::vector<torch::Tensor> &inputs);
  torch::Tensor run(const torch::Tensor &input) {
    return run(std::vector<torch::Tensor>{input});
  }
  std::vector<torch::Tensor> runAll(const torch::Tensor &input) {
    return runAll(std::vector<torch::Tensor>{input});
  }
  /// The batch's inputs as tensors of the graph's input shapes (views of
  /// the batch's data).
  std::vector<torch::Tensor> inputsOf(Batch &batch) const;
  torch::Tensor layerInput(size_t index, const Node &node,
                           const torch::Tensor &x);
  /// The second operand of a MatMul of two activations, fake-quantized at
  /// the layer's weight width with its learned per-tensor scale.
  torch::Tensor layerOperand(size_t index, const Node &node,
                             const torch::Tensor &x);
  torch::Tensor layerWeight(size_t index, const Node &node,
                            const torch::Tensor &w);
  /// Starts every symmetric quantized layer's learned weight scales at the
  /// compiler's (max-based) ones for the current weights.
  void initWeightScales();
};

//===----------------------------------------------------------------------===//
// Trainable kernels (TrainKernels.cpp)
//===----------------------------------------------------------------------===//

/// A kernel's failure on its operands (shapes it cannot follow, an
/// attribute it does not support); the interpreter adds the node's
/// location.
struct KernelError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// What a kernel sees besides its operands.
struct KernelContext {
  Network::Impl &impl;
  size_t index;
  const Node &node;
  /// The batch of this run.
  int64_t batch;

  /// Result `k`'s shape at this batch.
  std::vector<int64_t> resultShape(size_t k = 0) const {
    return impl.graph.getShape(node.outputs[k], batch);
  }
  ElementType resultType(size_t k = 0) const {
    return impl.graph.types[size_t(node.outputs[k])];
  }
  /// Fake-quantizes a layer's two operands as its #cim.quant says (when
  /// the network is quantized): the input at the activation width, a
  /// constant weight per channel or the second activation per tensor at
  /// the weight width.
  void quantizeOperands(torch::Tensor &input, torch::Tensor &weight);
};

/// The kernel of graph op `mnemonic`, or null.
TrainKernel lookupTrainKernel(const std::string &mnemonic);

/// The loss of the network's output: a trailing softmax is skipped
/// (cross-entropy of its input); argmax is the same either way. One value
/// per sample (a binary classifier's score) takes labels 0 and 1 and the
/// binary cross-entropy: of the probability where `decisionThreshold` is
/// 0.5 (a sigmoid's output), of the logit otherwise.
torch::Tensor lossOf(const torch::Tensor &output, const torch::Tensor &labels,
                     bool outputIsSoftmax, double decisionThreshold = 0);

/// Log-probabilities of the outputs (logits, or a softmax's probabilities).
torch::Tensor logProbabilities(const torch::Tensor &output,
                               bool outputIsSoftmax);

/// Whether the graph's first output is a softmax's.
bool endsInSoftmax(const Graph &graph);

/// The distillation loss of a student's outputs against its teacher's
/// (`kinds` from Network::getDistillLosses, one per output; `softmax[k]`
/// when output k is a softmax's probabilities, `thresholds[k]` its
/// getDecisionThreshold): the mean over the outputs. KL on one value per
/// sample is the KL of the two decisions' Bernoulli distributions (the
/// value as the probability at threshold 0.5, else its sigmoid).
torch::Tensor distillationLoss(const std::vector<torch::Tensor> &student,
                               const std::vector<torch::Tensor> &teacher,
                               const std::vector<DistillLoss> &kinds,
                               const std::vector<bool> &softmax,
                               const std::vector<double> &thresholds);

/// Whether each output of the graph is a softmax's.
std::vector<bool> getSoftmaxOutputs(const Graph &graph);

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_LIB_TUNE_NETWORKIMPL_H
