//===- GraphImporter.cpp - One ONNX graph to a cim function ---------------===//
//
// The import driver: opset, initializers, graph inputs, the nodes in order
// through the operator table, outputs, and a last verification.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"
#include "OpRegistry.h"

#include "cim/Dialect/CIM/CIMOps.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::importer;

namespace {
constexpr int64_t kMaxOpset = 25;
} // namespace

LogicalResult
importer::catchDiagnostics(MLIRContext *context,
                           function_ref<LogicalResult()> fn,
                           SmallVectorImpl<std::string> &messages) {
  ScopedDiagnosticHandler capture(context, [&](Diagnostic &diag) {
    messages.push_back(diag.str());
    return success();
  });
  return fn();
}

GraphImporter::GraphImporter(MLIRContext *context, const ImportOptions &options,
                             StringRef fileName, StringRef baseDir)
    : context(context), builder(context), options(options),
      converter(context, baseDir, options.resourceThreshold),
      fileName(fileName.str()) {}

Location GraphImporter::getFileLoc() {
  return FileLineColLoc::get(context, fileName, 0, 0);
}

LogicalResult GraphImporter::fail(const Twine &message) {
  if (node)
    emitError(getFileLoc()) << "node '" << nodeName << "' (" << node->op_type()
                            << ", opset " << opset << "): " << message;
  else
    emitError(getFileLoc()) << message;
  return failure();
}

OwningOpRef<ModuleOp> GraphImporter::importModel(onnx::ModelProto &model) {
  if (!model.has_graph()) {
    (void)fail("not an ONNX model: it has no graph");
    return {};
  }
  for (const auto &imp : model.opset_import())
    if (imp.domain().empty() || imp.domain() == "ai.onnx")
      opset = imp.version();
  if (opset == 0 && model.opset_import_size() == 0)
    opset = 1;
  if (opset < 1 || opset > kMaxOpset) {
    (void)fail("model uses opset " + Twine(opset) +
               "; cimc supports the default domain up to opset " +
               Twine(kMaxOpset));
    return {};
  }
  onnx::GraphProto &graph = *model.mutable_graph();
  OwningOpRef<ModuleOp> module = ModuleOp::create(getFileLoc());
  builder.setInsertionPointToEnd(module->getBody());

  // Initializers (including graph inputs that carry data).
  for (auto &init : *graph.mutable_initializer()) {
    std::string error;
    FailureOr<ElementsAttr> attr =
        converter.convert(init, /*allowResource=*/true, error, &init);
    if (failed(attr)) {
      (void)fail(error);
      return {};
    }
    if (failed(defineConstant(init.name(), *attr)))
      return {};
  }
  if (graph.sparse_initializer_size()) {
    (void)fail("sparse initializers are not supported");
    return {};
  }

  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  if (failed(importInputs(graph, argTypes, argNames)))
    return {};
  func = builder.create<func::FuncOp>(getFileLoc(), options.functionName,
                                      builder.getFunctionType(argTypes, {}));
  entry = func.addEntryBlock();
  for (auto [index, name] : llvm::enumerate(argNames)) {
    values[name] = entry->getArgument(index);
    // The ONNX input name, for tools that feed inputs by name.
    func.setArgAttr(index, "cim.name", builder.getStringAttr(name));
  }
  builder.setInsertionPointToEnd(entry);

  for (auto [index, n] : llvm::enumerate(graph.node()))
    if (failed(importNode(n, index)))
      return {};
  node = nullptr;

  SmallVector<Value> results;
  for (const auto &out : graph.output()) {
    Value v = lookup(out.name());
    if (!v) {
      (void)fail("graph output '" + out.name() + "' is never computed");
      return {};
    }
    results.push_back(v);
  }
  builder.setInsertionPointToEnd(entry);
  builder.create<func::ReturnOp>(getFileLoc(), results);
  func.setType(
      builder.getFunctionType(argTypes, ValueRange(results).getTypes()));

  // A last check of everything the node importers built.
  SmallVector<std::string> messages;
  if (failed(catchDiagnostics(
          context, [&] { return verify(*module); }, messages))) {
    (void)fail("the imported graph is invalid: " +
               (messages.empty() ? std::string() : messages.front()));
    return {};
  }
  return module;
}

LogicalResult
GraphImporter::importInputs(onnx::GraphProto &graph,
                            SmallVectorImpl<Type> &argTypes,
                            SmallVectorImpl<std::string> &argNames) {
  // Graph inputs that only feed operator parameters (Resize's scales and
  // roi) may be bound whatever their type.
  llvm::StringSet<> parameterUse, dataUse;
  for (const auto &n : graph.node())
    for (int i = 0; i < n.input_size(); ++i)
      (i > 0 && (n.op_type() == "Resize" || n.op_type() == "Upsample")
           ? parameterUse
           : dataUse)
          .insert(n.input(i));

  // Graph inputs become function arguments with static shapes.
  bool first = true;
  unsigned position = 0;
  for (const auto &in : graph.input()) {
    if (constants.count(in.name()))
      continue;
    unsigned index = position++;
    ElementsAttr bound;
    if (options.bindInput)
      bound = options.bindInput(index, in.name());
    if (!bound && options.bindParameter && parameterUse.contains(in.name()) &&
        !dataUse.contains(in.name()))
      bound = options.bindParameter(index, in.name());
    if (bound) {
      if (failed(defineConstant(in.name(), bound)))
        return failure();
      continue;
    }
    if (!in.type().has_tensor_type())
      return fail("graph input '" + in.name() + "' is not a tensor");
    const auto &tt = in.type().tensor_type();
    FailureOr<Type> elt =
        elementType(tt.elem_type(), "graph input '" + in.name() + "'");
    if (failed(elt))
      return failure();
    SmallVector<int64_t> shape;
    for (const auto &d : tt.shape().dim())
      shape.push_back(d.has_dim_value() ? d.dim_value() : ShapedType::kDynamic);
    std::optional<ArrayRef<int64_t>> given;
    auto byName = options.inputShapes.find(in.name());
    if (byName == options.inputShapes.end() && first)
      byName = options.inputShapes.find("");
    if (byName != options.inputShapes.end())
      given = ArrayRef<int64_t>(byName->second);
    else if (index < options.inputShapesByPosition.size() &&
             !options.inputShapesByPosition[index].empty())
      given = ArrayRef<int64_t>(options.inputShapesByPosition[index]);
    if (given) {
      ArrayRef<int64_t> want = *given;
      if (tt.has_shape() && want.size() != shape.size())
        return fail("--input-shape for '" + in.name() + "' has rank " +
                    Twine(want.size()) + " but the model declares tensor<" +
                    shapeText(shape) + ">");
      for (size_t i = 0; i < shape.size(); ++i)
        if (!ShapedType::isDynamic(shape[i]) && shape[i] != want[i])
          return fail("--input-shape " + shapeText(want) + " for '" +
                      in.name() + "' contradicts the declared tensor<" +
                      shapeText(shape) + ">");
      shape.assign(want.begin(), want.end());
    } else if (!tt.has_shape()) {
      return fail("graph input '" + in.name() +
                  "' has no shape; give one with --input-shape");
    }
    for (int64_t &d : shape)
      if (ShapedType::isDynamic(d))
        d = options.defaultDynamicDim;
    std::string problem = checkTensorShape(shape);
    if (!problem.empty())
      return fail("graph input '" + in.name() + "' is tensor<" +
                  shapeText(shape) + ">: " + problem);
    argTypes.push_back(RankedTensorType::get(shape, *elt));
    argNames.push_back(in.name());
    first = false;
  }
  return success();
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &n, int index) {
  node = &n;
  nodeName =
      subgraphPrefix +
      (n.name().empty() ? n.op_type() + "_" + std::to_string(index) : n.name());
  if (!n.domain().empty() && n.domain() != "ai.onnx")
    return fail("operator domain '" + n.domain() + "' is not supported");
  // Every operator importer defines output 0.
  if (n.output_size() == 0)
    return fail("the node has no outputs");
  const OpImporter *opImporter =
      getOpRegistry().lookup(n.domain(), n.op_type(), opset);
  if (!opImporter)
    return fail("unsupported operator");
  if (opImporter->folding == Folding::WhenConstant && hasFoldableInputs())
    return importFolded(*opImporter);
  return opImporter->import(*this);
}

FailureOr<SmallVector<Value>>
GraphImporter::importSubgraph(const onnx::GraphProto &graph, StringRef prefix) {
  const onnx::NodeProto *outerNode = node;
  std::string outerName = nodeName, outerPrefix = subgraphPrefix;
  auto restore = llvm::make_scope_exit([&] {
    node = outerNode;
    nodeName = outerName;
    subgraphPrefix = outerPrefix;
  });
  if (graph.sparse_initializer_size())
    return fail("sparse initializers are not supported");
  for (const auto &init : graph.initializer()) {
    std::string error;
    FailureOr<ElementsAttr> attr =
        converter.convert(init, /*allowResource=*/false, error);
    if (failed(attr))
      return fail(error);
    if (failed(defineConstant(init.name(), *attr)))
      return failure();
  }
  subgraphPrefix = (prefix + "/").str();
  for (auto [index, n] : llvm::enumerate(graph.node()))
    if (failed(importNode(n, int(index))))
      return failure();
  node = outerNode;
  nodeName = outerName;
  SmallVector<Value> results;
  for (const auto &out : graph.output()) {
    Value v = lookup(out.name());
    if (!v)
      return fail(prefix + " output '" + out.name() + "' is never computed");
    results.push_back(v);
  }
  return results;
}
