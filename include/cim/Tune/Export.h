//===- Export.h - Trained graphs to ONNX ------------------------*- C++ -*-===//
//
// Library CIMTune. Writes a tune::Graph as ONNX (opset 13) through the
// importer's plain-data writer: a float model, or a QDQ model in which every
// quantized layer's weight is an integer initializer with its per-channel
// DequantizeLinear and its input passes through QuantizeLinear /
// DequantizeLinear with the layer's activation scale, the form cimc's
// cim-fold-qdq turns back into the same `#cim.quant`.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TUNE_EXPORT_H
#define CIM_TUNE_EXPORT_H

#include "cim/Tune/Graph.h"

#include <string>

namespace mlir {
namespace cim {
namespace tune {

/// Writes `graph` to `path`. With `qdq`, quantized layers (those with a
/// LayerQuant and an activation scale, at most 8 bits) are written in QDQ
/// form; layers without an activation scale are an error. On failure sets
/// `error` to one line.
bool exportOnnx(const Graph &graph, const std::string &path, bool qdq,
                std::string &error);

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_TUNE_EXPORT_H
