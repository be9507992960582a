//===- PostTraining.h - Post-training quantization --------------*- C++ -*-===//
//
// Library CIMTune. Post-training quantization of a Network without
// training (`cim-tune ptq`, docs/quantization.md): layer by layer in graph
// order, on inputs that come through the already quantized layers before
// it,
//   - the input activation's clipping range chosen among candidates by the
//     mean squared error of the layer's output;
//   - the weights rounded by GPTQ (Frantar et al., ICLR 2023): column by
//     column, each rounding error fed back into the columns not yet
//     rounded through the Cholesky factor of the inverse Hessian
//     H = 2 X X^T of the layer's inputs, on per-channel scales of the
//     compiler's grid with a clipping ratio chosen by the weight's error;
//   - the bias corrected by the mean output error against the float
//     network (Nagel et al., ICCV 2019, the empirical variant).
// The weights become their fake-quantized values and their scales fixed
// (LayerQuant::wscale), so the QDQ export carries exactly these integers.
//
// The header shows no LibTorch types, like Network.h.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TUNE_POSTTRAINING_H
#define CIM_TUNE_POSTTRAINING_H

#include "cim/Quant/Quantizer.h"
#include "cim/Tune/Dataset.h"
#include "cim/Tune/Network.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace tune {

struct PostTrainingOptions {
  /// Round the weights with GPTQ (else to nearest).
  bool gptq = true;
  /// GPTQ's column order: by decreasing Hessian diagonal (the reference
  /// implementation's `act_order`), else in storage order.
  bool actOrder = true;
  /// GPTQ's dampening: this fraction of the mean Hessian diagonal is added
  /// to the diagonal.
  double dampening = 0.01;
  /// Per-channel weight scales with the clipping ratio of least weight
  /// error (else the compiler's max-based scales).
  bool weightClipping = true;
  /// Correct each layer's bias by its mean output error.
  bool biasCorrection = true;
  /// Choose each layer's input range by the layer's output error (else the
  /// calibration method's range).
  bool rangeSearch = true;
  /// The calibration images (the first `calibration.images` of the data)
  /// and the ranges where the range search is off (and one of its
  /// candidates).
  CalibrationOptions calibration;
  /// Images the range search scores its candidates on (the first ones of
  /// the calibration images).
  int64_t rangeImages = 128;
  Transform transform;
  /// Called with one line per layer.
  std::function<void(const std::string &)> progress;
};

/// What post-training quantization did to one layer.
struct PostTrainingLayer {
  std::string name;
  /// The input range chosen, the ratio of the observed min/max it is (0
  /// when another candidate won) and the layer's output MSE with it and
  /// with the calibration method's range.
  quant::Range range;
  double rangeRatio = 0, rangeError = 0, calibratedRangeError = 0;
  bool rangeSearched = false;
  /// The layer's output error from its weights, tr(E H E^T) / tr(W H W^T)
  /// with E the weight error: rounded to nearest and as chosen.
  double nearestError = 0, weightError = 0;
  bool gptq = false;
  /// The mean |bias shift| (0 when not corrected) and whether the bias was
  /// added (a layer without one).
  double biasShift = 0;
  bool biasCorrected = false, biasAdded = false;
  /// Why a step was skipped (empty: none was).
  std::string note;
};

/// Quantizes every quantized layer of `net` after training (the widths and
/// schemes its graph holds; activation schemes as set on the network),
/// calibrating on `data` as described above. Leaves the network quantized.
/// On failure sets `error` to one line.
bool quantizePostTraining(Network &net, const Dataset &data,
                          const PostTrainingOptions &options,
                          std::vector<PostTrainingLayer> &layers,
                          std::string &error);

/// GPTQ on one weight matrix (torch-free, for tests): `weights` is rows x
/// cols row-major (one output channel per row), `hessian` cols x cols
/// row-major (2 X X^T over the inputs), `params` one per row. Returns the
/// fake-quantized weights (each row on its own grid: rounding them with
/// `params` gives back their integers).
std::vector<float> quantizeGptq(const std::vector<float> &weights, int64_t rows,
                                int64_t cols,
                                const std::vector<double> &hessian,
                                const std::vector<quant::QuantParams> &params,
                                double dampening, bool actOrder);

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_TUNE_POSTTRAINING_H
