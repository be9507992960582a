//===- OnnxWriter.h - Plain-data ONNX models to files -----------*- C++ -*-===//
//
// Writes an ONNX model described with plain C++ data (nodes, attributes,
// initializers as HostTensors), so that other libraries (the training
// library's export) can produce ONNX files without seeing protobuf, which
// stays confined to the importer.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_IMPORTER_ONNXWRITER_H
#define CIM_IMPORTER_ONNXWRITER_H

#include "cim/Tensor/HostTensor.h"

#include "mlir/Support/LogicalResult.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir {
namespace cim {

/// One node attribute: an int, a float, or a list of ints.
struct OnnxAttribute {
  enum class Kind { Int, Float, Ints, String };
  std::string name;
  Kind kind = Kind::Int;
  int64_t intValue = 0;
  float floatValue = 0.0f;
  std::vector<int64_t> ints;
  std::string text;

  static OnnxAttribute getInt(std::string name, int64_t value);
  static OnnxAttribute getFloat(std::string name, float value);
  static OnnxAttribute getInts(std::string name, std::vector<int64_t> values);
  static OnnxAttribute getString(std::string name, std::string value);
};

struct OnnxNodeSpec {
  std::string opType;
  std::string name;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::vector<OnnxAttribute> attributes;
};

/// A graph input or output: f32 with this shape (-1: a dynamic dimension,
/// written as the symbolic "N").
struct OnnxValueSpec {
  std::string name;
  std::vector<int64_t> shape;
};

struct OnnxInitializerSpec {
  std::string name;
  HostTensor tensor;
};

struct OnnxModelSpec {
  /// The default-domain opset; 21 and above are written with IR version 10
  /// (INT4 / UINT4 initializers), older ones with IR version 7.
  int64_t opset = 13;
  std::string producer = "cimc";
  std::string graphName = "main";
  std::vector<OnnxValueSpec> inputs;
  std::vector<OnnxValueSpec> outputs;
  std::vector<OnnxNodeSpec> nodes;
  std::vector<OnnxInitializerSpec> initializers;
};

/// Writes `model` as a binary ONNX file (through a temporary file renamed
/// into place). On failure sets `error` to a one-line message.
LogicalResult writeOnnxModel(const OnnxModelSpec &model,
                             const std::string &path, std::string &error);

} // namespace cim
} // namespace mlir

#endif // CIM_IMPORTER_ONNXWRITER_H
