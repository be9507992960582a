//===- Importer.h - ONNX to the cim graph level -----------------*- C++ -*-===//
//
// Imports ONNX models (binary protobuf, with external data beside the model,
// or the ONNX textual syntax) into a module holding one func.func of cim
// graph ops. Shapes are made static: dynamic input dimensions come from
// ImportOptions (batch defaults to 1), and shape subgraphs
// (Shape/Gather/Concat/Reshape chains) are folded to constants.
//
// Errors are emitted as MLIR diagnostics whose message starts with the node
// (name, op type and opset), located at the model file; the import then
// returns null and never leaves a half-built module behind.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_IMPORTER_IMPORTER_H
#define CIM_IMPORTER_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mlir {
class MLIRContext;
namespace cim {

struct ImportOptions {
  /// Shapes for graph inputs by name; they replace the declared shape and
  /// must agree with its static dimensions.
  llvm::StringMap<std::vector<int64_t>> inputShapes;
  /// Shapes for graph inputs by position (non-initializer inputs in graph
  /// order); an empty entry leaves that input alone. Names win.
  std::vector<std::vector<int64_t>> inputShapesByPosition;
  /// Value given to dynamic dimensions that inputShapes does not set. ONNX
  /// exports leave the batch dimension dynamic; 1 is the useful default.
  int64_t defaultDynamicDim = 1;
  /// Called for every graph input (position among the non-initializer
  /// inputs, name); a non-null result turns that input into a constant, as
  /// when a tool knows shape-determining inputs ahead of time.
  std::function<ElementsAttr(unsigned, llvm::StringRef)> bindInput;
  /// Like bindInput, tried next for graph inputs that the model uses only
  /// as operator parameters (Resize's scales and roi), which must be
  /// constants whatever their element type.
  std::function<ElementsAttr(unsigned, llvm::StringRef)> bindParameter;
  /// Name of the generated function.
  std::string functionName = "main";
  /// Initializers with more elements than this become dense_resource blobs.
  int64_t resourceThreshold = 256;
};

/// Imports the binary ONNX model at `path`. External tensor data is read from
/// files relative to the model's directory.
OwningOpRef<ModuleOp> importOnnxFile(llvm::StringRef path, MLIRContext *context,
                                     const ImportOptions &options = {});

/// Imports an ONNX model from memory: binary protobuf, or the ONNX textual
/// syntax (onnx::OnnxParser) when `isText`. `bufferName` names the source in
/// diagnostics; external data is resolved relative to `baseDir`.
OwningOpRef<ModuleOp> importOnnxBuffer(llvm::StringRef buffer,
                                       llvm::StringRef bufferName, bool isText,
                                       MLIRContext *context,
                                       const ImportOptions &options = {},
                                       llvm::StringRef baseDir = ".");

/// Parses `--input-shape` values such as "input=1x3x224x224" (or
/// "1x3x224x224" for the first input, stored under the empty name).
LogicalResult parseInputShape(llvm::StringRef text, ImportOptions &options,
                              std::string &error);

/// Registers the dialects an imported module uses (cim, func).
void registerImporterDialects(MLIRContext &context);

} // namespace cim
} // namespace mlir

#endif // CIM_IMPORTER_IMPORTER_H
