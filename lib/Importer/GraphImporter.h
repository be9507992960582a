//===- GraphImporter.h - One ONNX graph to a cim function -------*- C++ -*-===//
//
// Private to lib/Importer. A GraphImporter makes one pass over the
// (topologically sorted) ONNX graph of a model. It owns the value table:
// every ONNX value is either an SSA value or a known constant (an elements
// attribute, materialized as a cim.constant at its first use). Each node is
// imported by the function the operator table (OpRegistry.h) holds for its
// type and opset; a node whose inputs are all constants and whose operator
// is foldable is evaluated at import time by the reference executor
// (ConstantFolding.cpp), so shape subgraphs never reach the IR.
//
// The operator importers see the node being imported through this class:
// its attributes, inputs and outputs, op building with result type
// inference, and one-line errors located at the node.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_IMPORTER_GRAPHIMPORTER_H
#define CIM_LIB_IMPORTER_GRAPHIMPORTER_H

#include "TensorConversion.h"

#include "cim/Importer/Importer.h"
#include "cim/Tensor/HostTensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringMap.h"

#include "onnx/onnx_pb.h"

#include <optional>
#include <string>

namespace mlir {
namespace cim {
namespace importer {

struct OpImporter;

/// Runs `fn` with the diagnostics of `context` caught instead of reported;
/// their messages are appended to `messages` in order.
LogicalResult catchDiagnostics(MLIRContext *context,
                               llvm::function_ref<LogicalResult()> fn,
                               llvm::SmallVectorImpl<std::string> &messages);

class GraphImporter {
public:
  GraphImporter(MLIRContext *context, const ImportOptions &options,
                llvm::StringRef fileName, llvm::StringRef baseDir);

  /// Imports `model`; the raw data of large initializers moves out of it
  /// into the IR's blobs.
  OwningOpRef<ModuleOp> importModel(onnx::ModelProto &model);

  //===--------------------------------------------------------------------===//
  // The node being imported, for the operator importers
  //===--------------------------------------------------------------------===//

  MLIRContext *getContext() const { return context; }
  OpBuilder &getBuilder() { return builder; }
  /// The default-domain opset of the model.
  int64_t getOpset() const { return opset; }
  llvm::StringRef getOpType() const { return node->op_type(); }
  /// The node's name, or "<op type>_<index>" for an unnamed node.
  llvm::StringRef getNodeName() const { return nodeName; }

  /// Emits `message` as one error line naming the node (name, op type,
  /// opset) and fails.
  LogicalResult fail(const llvm::Twine &message);

  // Attributes.
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  int64_t intAttr(llvm::StringRef name, int64_t fallback) const;
  float floatAttr(llvm::StringRef name, float fallback) const;
  std::string stringAttr(llvm::StringRef name, llvm::StringRef fallback) const;
  std::optional<llvm::SmallVector<int64_t>>
  intsAttr(llvm::StringRef name) const;

  // Inputs and outputs (an absent optional one is the empty name).
  int getNumInputs() const { return node->input_size(); }
  int getNumOutputs() const { return node->output_size(); }
  llvm::StringRef input(int i) const {
    return i < node->input_size() ? llvm::StringRef(node->input(i))
                                  : llvm::StringRef();
  }
  bool hasInput(int i) const { return !input(i).empty(); }
  llvm::StringRef output(int i) const {
    return i < node->output_size() ? llvm::StringRef(node->output(i))
                                   : llvm::StringRef();
  }
  bool hasOutput(int i) const { return !output(i).empty(); }
  /// The value of input `i`, which must be given and defined.
  FailureOr<Value> operand(int i);
  /// Inputs 0 .. count-1, each required.
  FailureOr<llvm::SmallVector<Value>> requiredOperands(int count);
  /// Fails unless every output but the first is absent.
  LogicalResult onlyFirstOutputUsed();

  // Constants.
  /// The constant named `name`, or null when it is not one.
  ElementsAttr constant(llvm::StringRef name) const;
  /// The constant `name` as a host tensor; fails (without a message) when
  /// it is not a constant or is too large to compute with at import time.
  FailureOr<HostTensor> constantTensor(llvm::StringRef name) const;
  /// A constant integer tensor's values; `what` names it in the error.
  FailureOr<llvm::SmallVector<int64_t>> constInts(llvm::StringRef name,
                                                  llvm::StringRef what);
  /// A constant scalar (one element) as a float.
  FailureOr<float> constFloat(llvm::StringRef name, llvm::StringRef what);
  /// A scalar constant of `elementType` holding `value`, named after the
  /// node and `tag`.
  FailureOr<Value> scalarConstant(double value, Type elementType,
                                  llvm::StringRef tag);
  /// The value of constant `name`, defined as `tensor` (defineFolded)
  /// unless it exists.
  FailureOr<Value> internConstant(llvm::StringRef name,
                                  const HostTensor &tensor);
  /// The element type of an ONNX data type (attributes such as Cast's `to`).
  FailureOr<Type> elementType(int32_t onnxType, llvm::StringRef what);
  /// Converts a tensor held by an attribute.
  FailureOr<ElementsAttr> convertTensor(const onnx::TensorProto &tensor,
                                        bool allowResource);

  // Definitions.
  /// Binds ONNX value `name` (nothing for the empty name) to `value`.
  LogicalResult define(llvm::StringRef name, Value value);
  LogicalResult defineConstant(llvm::StringRef name, ElementsAttr value);
  /// A constant computed at import time (TensorConverter::getFoldedAttr).
  LogicalResult defineFolded(llvm::StringRef name, const HostTensor &value);
  /// Output 0 is `value` (or the first result of `op`); fails when
  /// building it did.
  LogicalResult defineOutput(FailureOr<Value> value);
  LogicalResult defineOutput(FailureOr<Operation *> op);

  // Building.
  Location getNodeLoc();
  NamedAttribute named(llvm::StringRef name, Attribute value) {
    return builder.getNamedAttr(name, value);
  }
  /// Builds an op by name; its result types are `explicitTypes` or, when
  /// none are given, inferred (a failed inference is reported as the node's
  /// error, never asserted).
  FailureOr<Operation *> build(llvm::StringRef opName, ValueRange operands,
                               llvm::ArrayRef<NamedAttribute> attrs = {},
                               TypeRange explicitTypes = {});
  FailureOr<Value> build1(llvm::StringRef opName, ValueRange operands,
                          llvm::ArrayRef<NamedAttribute> attrs = {});
  /// `v` reshaped (itself when the shape is unchanged).
  FailureOr<Value> reshape(Value v, llvm::ArrayRef<int64_t> shape);
  FailureOr<Value> transpose(Value v, llvm::ArrayRef<int64_t> perm);
  /// `v` cast to `elementType` (cim.cast with ONNX Cast's defaults).
  FailureOr<Value> cast(Value v, Type elementType);
  static RankedTensorType typeOf(Value v) {
    return v.getType().cast<RankedTensorType>();
  }

  /// Imports the initializers and nodes of `graph` (a branch of an If)
  /// into the current function, its nodes named under `prefix`
  /// ("PREFIX/NAME"), and gives the values of its outputs. The branch sees
  /// the values defined before it; the current node is restored after.
  FailureOr<llvm::SmallVector<Value>>
  importSubgraph(const onnx::GraphProto &graph, llvm::StringRef prefix);

private:
  /// Constants computed with at import time are kept small: they are
  /// shapes and parameters, not data.
  static constexpr int64_t kMaxFoldElements = 1 << 16;

  /// While a node is folded: the scratch block its ops are built in and the
  /// values it sees and defines (ConstantFolding.cpp).
  struct FoldScope {
    Block *block;
    llvm::StringMap<Value> values;
  };

  Location getFileLoc();
  /// The module-level part of importModel: graph inputs to arguments.
  LogicalResult importInputs(onnx::GraphProto &graph,
                             llvm::SmallVectorImpl<Type> &argTypes,
                             llvm::SmallVectorImpl<std::string> &argNames);
  LogicalResult importNode(const onnx::NodeProto &n, int index);
  /// The value of `name`: an SSA value, or a constant materialized at the
  /// top of the function (in the scratch block while folding); null when
  /// it is neither.
  Value lookup(llvm::StringRef name);
  /// Fails when `name` is already defined.
  LogicalResult checkUndefined(llvm::StringRef name);

  // Constant folding (ConstantFolding.cpp).
  /// Whether the node's inputs are all constants small enough to fold.
  bool hasFoldableInputs() const;
  /// Imports the node with `opImporter` into a scratch function, runs that on
  /// the reference executor and defines the node's outputs as constants; a
  /// result above kMaxFoldElements leaves the node imported as ops.
  LogicalResult importFolded(const OpImporter &opImporter);

  MLIRContext *context;
  OpBuilder builder;
  const ImportOptions &options;
  TensorConverter converter;
  std::string fileName;
  int64_t opset = 0;
  func::FuncOp func;
  Block *entry = nullptr;
  Operation *lastConstant = nullptr;

  llvm::StringMap<Value> values;
  llvm::StringMap<ElementsAttr> constants;
  FoldScope *fold = nullptr;

  const onnx::NodeProto *node = nullptr;
  std::string nodeName;
  /// The name prefix of the nodes of the subgraph being imported ("" at the
  /// top level).
  std::string subgraphPrefix;
};

} // namespace importer
} // namespace cim
} // namespace mlir

#endif // CIM_LIB_IMPORTER_GRAPHIMPORTER_H
