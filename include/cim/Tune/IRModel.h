//===- IRModel.h - A model as the compiler sees it --------------*- C++ -*-===//
//
// Library CIMTune. Imports an ONNX model through the compiler's importer and
// pass pipeline, exposes it as a plain tune::Graph, writes trained weights and
// scales back into the IR and runs the compiler's reference executors on it.
// The header shows no MLIR or LibTorch types, so that the cim-tune driver
// and the tests stay cheap to compile.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TUNE_IRMODEL_H
#define CIM_TUNE_IRMODEL_H

#include "cim/Tune/Graph.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace tune {
struct CalibrationOptions;

struct LoadOptions {
  /// Run the compiler's quantization front end (cim-canonicalize,
  /// cim-fold-batchnorm, cim-fold-qdq, cim-assign-bitwidths): the graph cimc
  /// compiles. Otherwise only cim-canonicalize runs (batch norms stay
  /// trainable).
  bool quantize = false;
  unsigned wbits = 8;
  unsigned abits = 8;
  /// Per-layer widths (a cim-assign-bitwidths policy file); empty for none.
  std::string policy;
  /// Layers quantized by the model's QDQ keep their widths (as cimc without
  /// --wbits/--abits does); otherwise wbits/abits replace them.
  bool keepQuantWidths = false;
  /// The input-activation scheme of layers without a quantization of their
  /// own (cim-assign-bitwidths ascheme=, cimc --ascheme).
  quant::Scheme activationScheme = quant::Scheme::Asymmetric;
  /// Batch size given to the model's dynamic batch dimension.
  int64_t batch = 1;
  /// Also load the model at the next batch size to find the dimensions
  /// that grow with the batch (Graph::batchSlope), so that the network
  /// runs any batch size.
  bool followBatch = true;
  /// Shapes for graph inputs by name (`?` dimensions as -1 take `batch`).
  std::map<std::string, std::vector<int64_t>> inputShapes;
};

class IRModel {
public:
  ~IRModel();

  /// Imports and lowers `path`. On failure returns null and sets `error` to
  /// the compiler's diagnostics, one located line each.
  static std::unique_ptr<IRModel>
  load(const std::string &path, const LoadOptions &options, std::string &error);

  /// The graph as loaded (the starting point of training).
  const Graph &getGraph() const;

  /// Replaces the IR's constants by the graph's (same ids and shapes) and
  /// sets every quantized layer's `#cim.quant` from the graph: bits and
  /// schemes, wscale computed by the compiler (computeWeightScales) from the
  /// new weight, ascale/azp as the graph holds them.
  bool update(const Graph &graph, std::string &error);

  /// Calibrates the activation scales of the quantized layers that have none
  /// (every layer with options.overwrite) with the compiler's own
  /// calibration (cim::calibrateActivations on the reference executor, as
  /// cimc --calibrate does) over the first `options.images` of `samples`
  /// (all when 0; each the model's first input, `input.size()` elements),
  /// and sets them in the graph: the network cimc compiles from the same
  /// samples, scale for scale.
  bool calibrate(const std::vector<std::vector<float>> &samples,
                 const CalibrationOptions &options, std::string &error);
  /// The same for a model of any number of inputs: each sample holds one
  /// vector per input.
  bool calibrate(const std::vector<std::vector<std::vector<float>>> &samples,
                 const CalibrationOptions &options, std::string &error);

  /// The same on tensor files and folders, read as cimc --calibrate reads
  /// them (the cim-calibrate pass).
  bool calibrate(const std::vector<std::string> &paths,
                 const CalibrationOptions &options, std::string &error);

  /// `input` (the model's first input) as a serialized TensorProto named as
  /// that input: a calibration sample for cimc --calibrate.
  bool serializeInput(const std::vector<float> &input, std::string &bytes,
                      std::string &error) const;
  /// The same for input `index`.
  bool serializeInput(size_t index, const std::vector<float> &input,
                      std::string &bytes, std::string &error) const;

  /// Runs the compiler's reference executor on one input tensor (the model's
  /// first argument, `input.size()` elements): the fake-quantized reference
  /// (runFakeQuantized) when `quantized`, else the float one. Writes the
  /// first result to `output`.
  bool run(const std::vector<float> &input, bool quantized,
           std::vector<float> &output, std::string &error);
  /// The same for a model of any number of inputs: one vector per input.
  bool run(const std::vector<std::vector<float>> &inputs, bool quantized,
           std::vector<float> &output, std::string &error);

  /// Runs the float reference executor on one sample (one vector per model
  /// input) and records the value of every graph value id that an op uses or
  /// the function returns (f32 data, or integers in FloatTensor::ints), for
  /// per-op comparisons.
  bool trace(const std::vector<std::vector<float>> &inputs,
             std::map<int, FloatTensor> &values, std::string &error);

  /// The module as text (after update(), the quantized IR cimc would see).
  std::string print() const;

private:
  IRModel();
  struct Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_TUNE_IRMODEL_H
