//===- IRModel.cpp - cim IR to and from the trainable graph ---------------===//
//
// The MLIR side of the training library: import through the compiler's
// front end, conversion of the cim function into a tune::Graph, writing
// trained weights and scales back as `#cim.quant`, and the reference runs.
// No LibTorch here.
//
//===----------------------------------------------------------------------===//

#include "cim/Tune/IRModel.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Importer/Importer.h"
#include "cim/Pipeline/Pipeline.h"
#include "cim/Quant/LayerQuant.h"
#include "cim/Reference/Executor.h"
#include "cim/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::tune;

struct IRModel::Impl {
  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  func::FuncOp func;
  Graph graph;
  /// The cim.constant behind each constant value id.
  llvm::DenseMap<int, ConstantOp> constantOps;
  /// The layer op behind each node index that is a layer.
  llvm::DenseMap<int, LayerOpInterface> layerOps;
  std::string diagnostics;

  Impl() {
    DialectRegistry registry;
    registerCIMDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  LogicalResult convert(std::string &error);
};

IRModel::IRModel() : impl(std::make_unique<Impl>()) {}
IRModel::~IRModel() = default;

const Graph &IRModel::getGraph() const { return impl->graph; }

/// "file[:line:col]" of a location, as cimc prints it.
static std::string whereOf(Location loc) {
  std::string where = "cim-tune";
  loc->walk([&](Location inner) {
    if (auto file = inner.dyn_cast<FileLineColLoc>()) {
      where = file.getFilename().str();
      if (file.getLine() > 0)
        where += ":" + std::to_string(file.getLine()) + ":" +
                 std::to_string(file.getColumn());
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return where;
}

/// One "where: error: message" line per diagnostic.
static std::string formatDiagnostic(Diagnostic &diag) {
  const char *kind =
      diag.getSeverity() == DiagnosticSeverity::Error ? "error" : "warning";
  return whereOf(diag.getLocation()) + ": " + kind + ": " + diag.str();
}

static std::vector<int64_t> toVector(ArrayRef<int64_t> values) {
  return std::vector<int64_t>(values.begin(), values.end());
}

static LayerQuant toLayerQuant(QuantAttr attr) {
  LayerQuant quant;
  quant.wbits = attr.getWbits();
  quant.abits = attr.getAbits();
  quant.wscheme = attr.getWscheme();
  quant.ascheme = attr.getAscheme();
  quant.perChannel = attr.getGranularity() == QuantGranularity::PerChannel;
  if (std::optional<quant::QuantParams> act = getActivationParams(attr)) {
    quant.ascale = act->scale;
    quant.azp = act->zeroPoint;
  }
  for (const quant::QuantParams &p : getWeightParams(attr)) {
    quant.wscale.push_back(p.scale);
    quant.wzp.push_back(p.zeroPoint);
  }
  return quant;
}

LogicalResult IRModel::Impl::convert(std::string &error) {
  llvm::DenseMap<Value, int> ids;
  auto idOf = [&](Value value) -> int {
    if (!value)
      return -1;
    auto it = ids.find(value);
    if (it != ids.end())
      return it->second;
    int id = graph.numValues++;
    ids[value] = id;
    auto type = value.getType().cast<RankedTensorType>();
    graph.shapes.push_back(toVector(type.getShape()));
    return id;
  };
  auto fail = [&](Operation *op, const std::string &message) {
    std::string name = getNameFromLoc(op->getLoc()).str();
    error = whereOf(op->getLoc()) +
            ": error: " + (name.empty() ? "" : "node '" + name + "': ") +
            message;
    return failure();
  };

  for (BlockArgument arg : func.getArguments()) {
    auto type = arg.getType().dyn_cast<RankedTensorType>();
    if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
      return fail(func, "cim-tune trains functions of static f32 tensors");
    graph.inputs.push_back(idOf(arg));
    graph.inputShapes.push_back(toVector(type.getShape()));
    auto name =
        func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "cim.name");
    graph.inputNames.push_back(
        name ? name.str() : "input_" + std::to_string(arg.getArgNumber()));
  }

  unsigned counter = 0;
  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (Value v : ret.getOperands())
        graph.outputs.push_back(idOf(v));
      continue;
    }
    for (Type type : op.getResultTypes()) {
      auto tensor = type.dyn_cast<RankedTensorType>();
      if (!tensor || !tensor.hasStaticShape() ||
          !tensor.getElementType().isF32())
        return fail(&op, "'" + op.getName().getStringRef().str() +
                             "' does not produce a static f32 tensor; "
                             "cim-tune trains f32 networks");
    }
    if (auto constant = dyn_cast<ConstantOp>(op)) {
      FailureOr<HostTensor> host = toHostTensor(constant.getValue());
      if (failed(host))
        return fail(&op, "unreadable constant");
      FloatTensor tensor;
      tensor.shape = toVector(host->getShape());
      ArrayRef<float> values = host->data<float>();
      tensor.data.assign(values.begin(), values.end());
      int id = idOf(constant.getResult());
      graph.constants[id] = std::move(tensor);
      constantOps[id] = constant;
      continue;
    }

    Node node;
    node.name = std::string(op.getName().stripDialect()) + "_" +
                std::to_string(counter++);
    bool supported = true;
    // The window attributes max and average pooling share.
    auto readPool = [&](NodeKind kind, auto pool) {
      node.kind = kind;
      node.inputs = {idOf(pool.getInput())};
      node.kernel = toVector(pool.getKernelShape());
      node.strides = toVector(pool.getStrideValues());
      node.pads = toVector(pool.getPadValues());
      node.dilations = toVector(pool.getDilationValues());
      node.ceilMode = pool.getCeilMode();
    };
    llvm::TypeSwitch<Operation *>(&op)
        .Case([&](Conv2dOp conv) {
          node.kind = NodeKind::Conv;
          node.inputs = {idOf(conv.getInput()), idOf(conv.getWeight()),
                         idOf(conv.getBias())};
          node.strides = toVector(conv.getStrideValues());
          node.pads = toVector(conv.getPadValues());
          node.dilations = toVector(conv.getDilationValues());
          node.group = conv.getGroup();
        })
        .Case([&](GemmOp gemm) {
          node.kind = NodeKind::Gemm;
          node.inputs = {idOf(gemm.getA()), idOf(gemm.getB()),
                         idOf(gemm.getC())};
          node.alpha = gemm.getAlpha().convertToFloat();
          node.beta = gemm.getBeta().convertToFloat();
          node.transA = gemm.getTransA();
          node.transB = gemm.getTransB();
        })
        .Case([&](MatMulOp matmul) {
          node.kind = NodeKind::MatMul;
          node.inputs = {idOf(matmul.getLhs()), idOf(matmul.getRhs())};
        })
        .Case([&](ReluOp relu) {
          node.kind = NodeKind::Relu;
          node.inputs = {idOf(relu.getInput())};
        })
        .Case([&](ClipOp clip) {
          node.kind = NodeKind::Clip;
          node.inputs = {idOf(clip.getInput())};
          if (std::optional<APFloat> lo = clip.getMin())
            node.clipMin = float(lo->convertToDouble());
          if (std::optional<APFloat> hi = clip.getMax())
            node.clipMax = float(hi->convertToDouble());
        })
        .Case([&](MaxPoolOp pool) {
          readPool(NodeKind::MaxPool, pool);
          supported = !pool.getWithIndices() && node.kernel.size() == 2;
        })
        .Case([&](AvgPoolOp pool) {
          readPool(NodeKind::AvgPool, pool);
          node.countIncludePad = pool.getCountIncludePad();
          supported =
              node.kernel.size() == 2 &&
              llvm::all_of(node.dilations, [](int64_t d) { return d == 1; });
        })
        .Case([&](GlobalAvgPoolOp pool) {
          node.kind = NodeKind::GlobalAvgPool;
          node.inputs = {idOf(pool.getInput())};
        })
        .Case([&](AddOp add) {
          node.kind = NodeKind::Add;
          node.inputs = {idOf(add.getLhs()), idOf(add.getRhs())};
        })
        .Case([&](FlattenOp flatten) {
          node.kind = NodeKind::Flatten;
          node.inputs = {idOf(flatten.getInput())};
          node.axis = flatten.getAxis();
        })
        .Case([&](ReshapeOp reshape) {
          node.kind = NodeKind::Reshape;
          node.inputs = {idOf(reshape.getInput())};
        })
        .Case([&](BatchNormOp bn) {
          node.kind = NodeKind::BatchNorm;
          node.inputs = {idOf(bn.getInput()), idOf(bn.getScale()),
                         idOf(bn.getBias()), idOf(bn.getMean()),
                         idOf(bn.getVar())};
          node.epsilon = bn.getEpsilon().convertToFloat();
        })
        .Case([&](SoftmaxOp softmax) {
          node.kind = NodeKind::Softmax;
          node.inputs = {idOf(softmax.getInput())};
          node.axis = softmax.getAxis();
        })
        .Default([&](Operation *) { supported = false; });
    if (!supported)
      return fail(&op, "'" + op.getName().getStringRef().str() +
                           "' (as used here) is not supported by cim-tune");
    node.output = idOf(op.getResult(0));
    node.shape = graph.shapes[node.output];
    if (auto layer = dyn_cast<LayerOpInterface>(op)) {
      if (!layer.getLayerName().empty())
        node.name = layer.getLayerName().str();
      if (hasConstantWeight(layer)) {
        layerOps[int(graph.nodes.size())] = layer;
        if (QuantAttr quant = layer.getLayerQuant())
          node.quant = toLayerQuant(quant);
      }
    }
    graph.nodes.push_back(std::move(node));
  }
  // A layer's weight and bias must be plain constants to be trained.
  for (const Node *layer : graph.getLayers())
    if (!graph.constants.count(layer->inputs[1]))
      return failure();
  return success();
}

std::unique_ptr<IRModel> IRModel::load(const std::string &path,
                                       const LoadOptions &options,
                                       std::string &error) {
  std::unique_ptr<IRModel> model(new IRModel());
  Impl &impl = *model->impl;
  ScopedDiagnosticHandler handler(&impl.context, [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error) {
      if (!impl.diagnostics.empty())
        impl.diagnostics += "\n";
      impl.diagnostics += formatDiagnostic(diag);
    }
    return success();
  });
  ImportOptions importOptions;
  importOptions.defaultDynamicDim = options.batch;
  impl.module = importOnnxFile(path, &impl.context, importOptions);
  auto failWith = [&]() -> std::unique_ptr<IRModel> {
    error = impl.diagnostics.empty() ? path + ": error: cannot load the model"
                                     : impl.diagnostics;
    return nullptr;
  };
  if (!impl.module)
    return failWith();

  // A QDQ model always goes through the quantization front end: its
  // QuantizeLinear/DequantizeLinear pairs become the layers' #cim.quant.
  bool hasQDQ = false;
  impl.module->walk([&](Operation *op) {
    hasQDQ |= isa<QuantizeLinearOp, DequantizeLinearOp>(op);
  });
  PassManager pm(&impl.context);
  if (options.quantize || hasQDQ) {
    // The compiler's own stages up to the bit widths; the scales are
    // cim-tune's (trained or observed), not cim-calibrate's.
    PipelineOptions pipeline;
    pipeline.wbits = options.wbits;
    pipeline.abits = options.abits;
    pipeline.policy = options.policy;
    pipeline.keepQuantWidths = options.keepQuantWidths;
    pipeline.stopAfter = CompileStage::Bits;
    buildCompilePipeline(pm, pipeline);
  } else {
    pm.addPass(createCanonicalize());
  }
  if (failed(pm.run(*impl.module)))
    return failWith();

  auto funcs = impl.module->getOps<func::FuncOp>();
  if (std::distance(funcs.begin(), funcs.end()) != 1) {
    error = path + ": error: expected one function";
    return nullptr;
  }
  impl.func = *funcs.begin();
  // Equal constants may have been merged (a batch norm's zero bias and zero
  // mean): every use gets its own copy, so that each trains on its own.
  SmallVector<ConstantOp> constants(impl.func.getOps<ConstantOp>());
  for (ConstantOp constant : constants) {
    SmallVector<OpOperand *> uses;
    for (OpOperand &use : constant.getResult().getUses())
      uses.push_back(&use);
    OpBuilder builder(constant);
    for (size_t i = 1; i < uses.size(); ++i)
      uses[i]->set(builder.clone(*constant)->getResult(0));
  }
  if (failed(impl.convert(error))) {
    if (error.empty())
      error = path + ": error: a layer's weight is not a constant";
    return nullptr;
  }
  return model;
}

bool IRModel::update(const Graph &graph, std::string &error) {
  Graph &own = impl->graph;
  if (graph.numValues != own.numValues ||
      graph.nodes.size() != own.nodes.size()) {
    error = "cim-tune: error: the graph does not match the model";
    return false;
  }
  MLIRContext *ctx = &impl->context;
  for (auto &[id, op] : impl->constantOps) {
    auto it = graph.constants.find(id);
    if (it == graph.constants.end() || it->second.shape != own.shapes[id]) {
      error = "cim-tune: error: constant " + std::to_string(id) +
              " is missing or has another shape";
      return false;
    }
    HostTensor host = HostTensor::fromFloats(it->second.shape, it->second.data);
    op.setValueAttr(toElementsAttr(ctx, host, 256, "trained"));
  }
  std::string diagnostics;
  ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &diag) {
    diagnostics += formatDiagnostic(diag) + "\n";
    return success();
  });
  for (auto &[index, layer] : impl->layerOps) {
    const Node &node = graph.nodes[index];
    if (!node.quant) {
      layer.setLayerQuant(QuantAttr());
      continue;
    }
    const LayerQuant &q = *node.quant;
    FloatAttr ascale;
    if (q.ascale)
      ascale = FloatAttr::get(Float32Type::get(ctx), *q.ascale);
    DenseF32ArrayAttr wscale;
    DenseI32ArrayAttr wzp;
    if (!q.wscale.empty()) {
      wscale = DenseF32ArrayAttr::get(ctx, q.wscale);
      if (q.wscheme == quant::Scheme::Asymmetric)
        wzp = DenseI32ArrayAttr::get(ctx, q.wzp);
    }
    QuantAttr attr = QuantAttr::get(ctx, q.wbits, q.abits, q.wscheme, q.ascheme,
                                    q.perChannel ? QuantGranularity::PerChannel
                                                 : QuantGranularity::PerTensor,
                                    wscale, wzp, ascale, q.ascale ? q.azp : 0);
    FailureOr<QuantAttr> withWeights =
        wscale ? FailureOr<QuantAttr>(attr) : computeWeightScales(layer, attr);
    if (failed(withWeights)) {
      error = diagnostics;
      return false;
    }
    layer.setLayerQuant(*withWeights);
  }
  own = graph;
  return true;
}

bool IRModel::run(const std::vector<float> &input, bool quantized,
                  std::vector<float> &output, std::string &error) {
  const Graph &graph = impl->graph;
  if (graph.inputs.size() != 1) {
    error = "cim-tune: error: the model must have one input";
    return false;
  }
  HostTensor tensor = HostTensor::fromFloats(graph.inputShapes[0], input);
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&impl->context, [&](Diagnostic &diag) {
    diagnostics += formatDiagnostic(diag) + "\n";
    return success();
  });
  FailureOr<SmallVector<HostTensor>> results =
      quantized ? runFakeQuantized(impl->func, tensor)
                : runReference(impl->func, tensor);
  if (failed(results) || results->empty()) {
    error = diagnostics.empty() ? "cim-tune: error: reference run failed"
                                : diagnostics;
    return false;
  }
  ArrayRef<float> values = results->front().data<float>();
  output.assign(values.begin(), values.end());
  return true;
}

std::string IRModel::print() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  impl->module->print(os);
  return os.str();
}
