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
#include "cim/Dialect/CIM/CIMShapes.h"
#include "cim/Importer/Importer.h"
#include "cim/Importer/TensorIO.h"
#include "cim/Pipeline/Pipeline.h"
#include "cim/Quant/LayerQuant.h"
#include "cim/Reference/Executor.h"
#include "cim/Transforms/Passes.h"
#include "cim/Tune/Network.h"

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
  /// The graph value id of each SSA value.
  llvm::DenseMap<Value, int> valueIds;
  /// The layer op behind each node index that is a layer.
  llvm::DenseMap<int, LayerOpInterface> layerOps;
  std::string diagnostics;

  Impl() {
    DialectRegistry registry;
    registerCIMDialects(registry);
    // Calibration files are read as cimc reads them (cim-calibrate).
    registerTensorProtoReader(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  LogicalResult convert(std::string &error);
  /// Copies the calibrated activation scales (and the observed rhs scales
  /// of products of two activations) from the IR into the graph.
  void takeCalibratedScales();
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

/// The element type of a value cim-tune can hold, if any.
static std::optional<ElementType> elementTypeOf(Type type) {
  auto tensor = type.dyn_cast<RankedTensorType>();
  if (!tensor || !tensor.hasStaticShape())
    return std::nullopt;
  Type element = tensor.getElementType();
  if (element.isF32())
    return ElementType::F32;
  if (element.isSignlessInteger(1))
    return ElementType::Bool;
  if (element.isa<IntegerType>())
    return ElementType::I64;
  return std::nullopt;
}

/// An op attribute as plain data; false for kinds the network never reads
/// (the layer's #cim.quant and #cim.mapping).
static bool convertAttr(Attribute attr, NodeAttr &out) {
  using Kind = NodeAttr::Kind;
  auto text = [&](StringRef value) {
    out.kind = Kind::Text;
    out.text = value.str();
  };
  if (auto b = attr.dyn_cast<BoolAttr>()) {
    out.kind = Kind::Int;
    out.ints = {b.getValue()};
  } else if (auto i = attr.dyn_cast<IntegerAttr>()) {
    out.kind = Kind::Int;
    out.ints = {i.getInt()};
  } else if (auto f = attr.dyn_cast<FloatAttr>()) {
    out.kind = Kind::Float;
    out.floats = {f.getValueAsDouble()};
  } else if (auto ints = attr.dyn_cast<DenseI64ArrayAttr>()) {
    out.kind = Kind::Ints;
    out.ints.assign(ints.asArrayRef().begin(), ints.asArrayRef().end());
  } else if (auto floats = attr.dyn_cast<DenseF64ArrayAttr>()) {
    out.kind = Kind::Floats;
    out.floats.assign(floats.asArrayRef().begin(), floats.asArrayRef().end());
  } else if (auto floats = attr.dyn_cast<DenseF32ArrayAttr>()) {
    out.kind = Kind::Floats;
    out.floats.assign(floats.asArrayRef().begin(), floats.asArrayRef().end());
  } else if (auto str = attr.dyn_cast<StringAttr>()) {
    text(str.getValue());
  } else if (auto e = attr.dyn_cast<GeluApproximationAttr>()) {
    text(stringifyGeluApproximation(e.getValue()));
  } else if (auto e = attr.dyn_cast<PadModeAttr>()) {
    text(stringifyPadMode(e.getValue()));
  } else if (auto e = attr.dyn_cast<ResizeModeAttr>()) {
    text(stringifyResizeMode(e.getValue()));
  } else if (auto e = attr.dyn_cast<ResizeCoordinateModeAttr>()) {
    text(stringifyResizeCoordinateMode(e.getValue()));
  } else if (auto e = attr.dyn_cast<ResizeNearestModeAttr>()) {
    text(stringifyResizeNearestMode(e.getValue()));
  } else if (attr.isa<UnitAttr>()) {
    out.kind = Kind::Int;
    out.ints = {1};
  } else {
    return false;
  }
  return true;
}

LogicalResult IRModel::Impl::convert(std::string &error) {
  llvm::DenseMap<Value, int> &ids = valueIds;
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
    graph.types.push_back(elementTypeOf(type).value_or(ElementType::F32));
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
    std::string opName = op.getName().getStringRef().str();
    for (Type type : op.getResultTypes())
      if (!elementTypeOf(type))
        return fail(&op, "'" + opName +
                             "' does not produce a static f32, integer or "
                             "boolean tensor; cim-tune trains f32 networks");
    if (auto constant = dyn_cast<ConstantOp>(op)) {
      FailureOr<HostTensor> host = toHostTensor(constant.getValue());
      if (failed(host))
        return fail(&op, "unreadable constant");
      FloatTensor tensor;
      tensor.shape = toVector(host->getShape());
      int id = idOf(constant.getResult());
      tensor.type = graph.types[id];
      if (tensor.type == ElementType::F32) {
        ArrayRef<float> values = host->data<float>();
        tensor.data.assign(values.begin(), values.end());
      } else {
        for (int64_t i = 0, e = host->getNumElements(); i < e; ++i)
          tensor.ints.push_back(host->getAsInt64(i));
      }
      graph.constants[id] = std::move(tensor);
      constantOps[id] = constant;
      continue;
    }
    if (op.getDialect() != op.getContext()->getLoadedDialect<CIMDialect>())
      return fail(&op, "'" + opName + "' is not a cim graph op");

    Node node;
    node.op = op.getName().stripDialect().str();
    node.name = node.op + "_" + std::to_string(counter++);
    node.location = whereOf(op.getLoc());
    std::string onnxName = getNameFromLoc(op.getLoc()).str();
    if (!onnxName.empty())
      node.location += ": node '" + onnxName + "'";
    for (Value operand : op.getOperands())
      node.inputs.push_back(idOf(operand));
    // Absent optional operands keep their position (-1) so that kernels
    // read operands by index.
    if (auto conv = dyn_cast<Conv2dOp>(op); conv && !conv.getBias())
      node.inputs.push_back(-1);
    if (auto gemm = dyn_cast<GemmOp>(op); gemm && !gemm.getC())
      node.inputs.push_back(-1);
    if (auto norm = dyn_cast<LayerNormOp>(op); norm && !norm.getBias())
      node.inputs.push_back(-1);
    NamedAttrList attrs(op.getAttrDictionary());
    op.getName().populateDefaultAttrs(attrs);
    for (const NamedAttribute &attr : attrs) {
      NodeAttr value;
      if (convertAttr(attr.getValue(), value))
        node.attrs[attr.getName().str()] = std::move(value);
    }
    if (auto resize = dyn_cast<ResizeOp>(op)) {
      // The reference's interpolation, one matrix per changed dimension.
      auto inputType = resize.getInput().getType().cast<RankedTensorType>();
      FailureOr<SmallVector<ResizeAxis>> axes =
          planResize(resize, inputType.getShape());
      if (failed(axes))
        return fail(&op, "the resize cannot be planned");
      for (const ResizeAxis &axis : *axes) {
        std::string key = "axis" + std::to_string(axis.dim);
        node.derived[key + ".weights"].floats = axis.weights;
        NodeAttr &outside = node.derived[key + ".outside"];
        outside.ints.assign(axis.outside.begin(), axis.outside.end());
        node.derived["resize.dims"].ints.push_back(axis.dim);
      }
    }
    // Slices and pads as source indices per dimension (-1: the pad value),
    // computed with the reference's own rules.
    auto setIndices = [&](int64_t d, const std::vector<int64_t> &index) {
      node.derived["index" + std::to_string(d)].ints = index;
      node.derived["index.dims"].ints.push_back(d);
    };
    if (auto slice = dyn_cast<SliceOp>(op)) {
      ArrayRef<int64_t> shape =
          slice.getInput().getType().cast<RankedTensorType>().getShape();
      ArrayRef<int64_t> axes = slice.getAxes();
      for (size_t i = 0; i < axes.size(); ++i) {
        int64_t d = axes[i] < 0 ? axes[i] + int64_t(shape.size()) : axes[i];
        int64_t step = slice.getSteps() ? (*slice.getSteps())[i] : 1;
        SliceRange range = computeSliceRange(shape[d], slice.getStarts()[i],
                                             slice.getEnds()[i], step);
        std::vector<int64_t> index;
        for (int64_t k = 0; k < range.size; ++k)
          index.push_back(range.start + k * range.step);
        setIndices(d, index);
      }
    }
    if (auto pad = dyn_cast<PadOp>(op)) {
      ArrayRef<int64_t> shape =
          pad.getInput().getType().cast<RankedTensorType>().getShape();
      ArrayRef<int64_t> pads = pad.getPads();
      int64_t rank = shape.size();
      for (int64_t d = 0; d < rank; ++d) {
        if (pads[d] == 0 && pads[rank + d] == 0)
          continue;
        std::vector<int64_t> index;
        for (int64_t o = 0, e = shape[d] + pads[d] + pads[rank + d]; o < e; ++o)
          index.push_back(getPadSource(o, pads[d], shape[d], pad.getMode()));
        setIndices(d, index);
      }
    }
    for (Value result : op.getResults())
      node.outputs.push_back(idOf(result));
    if (auto layer = dyn_cast<LayerOpInterface>(op)) {
      if (!layer.getLayerName().empty())
        node.name = layer.getLayerName().str();
      if (graph.isLayer(node)) {
        layerOps[int(graph.nodes.size())] = layer;
        if (QuantAttr quant = layer.getLayerQuant())
          node.quant = toLayerQuant(quant);
      }
    }
    graph.nodes.push_back(std::move(node));
  }
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
  for (const auto &[name, dims] : options.inputShapes) {
    std::vector<int64_t> shape = dims;
    for (int64_t &d : shape)
      if (d < 0)
        d = options.batch;
    importOptions.inputShapes[name] = shape;
  }
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
    pipeline.activationScheme =
        stringifyQuantScheme(options.activationScheme).str();
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
  impl.graph.batch = options.batch;
  impl.graph.batchSlope.assign(impl.graph.shapes.size(), {});
  for (size_t id = 0; id < impl.graph.shapes.size(); ++id)
    impl.graph.batchSlope[id].assign(impl.graph.shapes[id].size(), 0);
  if (!options.followBatch)
    return model;

  // Which dimensions grow with the batch: the same model loaded at the next
  // batch size, compared value by value (shapes are linear in the batch).
  LoadOptions next = options;
  next.batch = options.batch + 1;
  next.followBatch = false;
  std::unique_ptr<IRModel> other = load(path, next, error);
  if (!other)
    return nullptr;
  const Graph &g1 = impl.graph, &g2 = other->impl->graph;
  bool same =
      g1.numValues == g2.numValues && g1.nodes.size() == g2.nodes.size();
  for (size_t i = 0; same && i < g1.nodes.size(); ++i)
    same = g1.nodes[i].op == g2.nodes[i].op &&
           g1.nodes[i].inputs == g2.nodes[i].inputs;
  if (!same) {
    error = path + ": error: the model's graph changes with the batch size; "
                   "cim-tune trains graphs whose ops do not depend on it";
    return nullptr;
  }
  Graph &graph = impl.graph;
  for (size_t id = 0; id < graph.shapes.size(); ++id) {
    if (g2.shapes[id].size() != graph.shapes[id].size()) {
      error = path + ": error: a value's rank changes with the batch size";
      return nullptr;
    }
    for (size_t d = 0; d < graph.shapes[id].size(); ++d)
      graph.batchSlope[id][d] = g2.shapes[id][d] - graph.shapes[id][d];
  }
  // A product's matrices must not grow with the batch: their last two
  // dimensions are the crossbar's rows and columns (and the contraction).
  for (const Node &node : graph.nodes) {
    if (!graph.isLayer(node))
      continue;
    if (node.op == "conv2d")
      continue;
    for (int k = 0; k < 2; ++k) {
      const std::vector<int64_t> &slope = graph.batchSlope[node.inputs[k]];
      size_t rank = slope.size();
      // The streamed operand's rows are samples; its contraction dimension
      // and the whole second operand are not.
      bool transA = node.getInt("transA") != 0;
      size_t from = rank >= 2 && (k == 1 || transA) ? rank - 2 : rank - 1;
      size_t to = k == 0 && transA ? rank - 1 : rank;
      for (size_t d = from; rank > 0 && d < to; ++d)
        if (slope[d] != 0) {
          error = node.location + ": error: '" + node.op + "': its operand " +
                  std::to_string(k) +
                  " changes shape with the batch (dimension " +
                  std::to_string(d) +
                  "), so samples would mix; cim-tune trains products whose "
                  "matrices do not depend on the batch";
          return nullptr;
        }
    }
  }
  // A constant that grows with the batch (a class token that the importer
  // expanded to the batch) must be one slice broadcast along those
  // dimensions: it is kept as that slice and broadcast at run time.
  for (auto &[id, constant] : impl.constantOps) {
    const std::vector<int64_t> &slope = graph.batchSlope[id];
    if (std::all_of(slope.begin(), slope.end(),
                    [](int64_t v) { return v == 0; }))
      continue;
    const FloatTensor &one = graph.constants.at(id);
    const FloatTensor &two = g2.constants.at(id);
    bool broadcast = one.type == ElementType::F32 && options.batch == 1;
    for (size_t d = 0; broadcast && d < slope.size(); ++d)
      broadcast = slope[d] == 0 || (one.shape[d] == 1 && slope[d] == 1);
    if (broadcast) {
      // Batch-dependent dimensions are outermost in the check below only
      // when they lead; compare element by element through the strides.
      std::vector<int64_t> strides(one.shape.size(), 1);
      for (size_t d = one.shape.size(); d-- > 1;)
        strides[d - 1] = strides[d] * one.shape[d];
      std::vector<int64_t> index(two.shape.size(), 0);
      for (size_t i = 0; broadcast && i < two.data.size(); ++i) {
        int64_t at = 0;
        for (size_t d = 0; d < index.size(); ++d)
          at += (slope[d] ? 0 : index[d]) * strides[d];
        broadcast = two.data[i] == one.data[size_t(at)];
        for (size_t d = index.size(); d-- > 0;)
          if (++index[d] < two.shape[d])
            break;
          else
            index[d] = 0;
      }
    }
    if (!broadcast) {
      error = whereOf(constant.getLoc()) +
              ": error: a constant's shape depends on the batch size and it "
              "is not one slice broadcast to it; cim-tune cannot train it";
      return nullptr;
    }
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
    if (it != graph.constants.end() && it->second.type != ElementType::F32)
      continue;
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
    FailureOr<QuantAttr> withWeights = wscale || !graph.hasConstantWeight(node)
                                           ? FailureOr<QuantAttr>(attr)
                                           : computeWeightScales(layer, attr);
    if (failed(withWeights)) {
      error = diagnostics;
      return false;
    }
    layer.setLayerQuant(*withWeights);
  }
  own = graph;
  return true;
}

void IRModel::Impl::takeCalibratedScales() {
  for (auto &[index, layer] : layerOps) {
    Node &node = graph.nodes[size_t(index)];
    QuantAttr attr = layer.getLayerQuant();
    if (!node.quant || !attr)
      continue;
    LayerQuant calibrated = toLayerQuant(attr);
    node.quant->ascale = calibrated.ascale;
    node.quant->azp = calibrated.azp;
    // Weight scales of constant weights stay cim-tune's (computed from the
    // weights at every step); a product's rhs scale is observed.
    if (!graph.hasConstantWeight(node)) {
      node.quant->wscale = calibrated.wscale;
      node.quant->wzp = calibrated.wzp;
    }
  }
}

/// The compiler's calibration options of cim-tune's.
static mlir::cim::CalibrationOptions
toCompilerOptions(const tune::CalibrationOptions &options) {
  mlir::cim::CalibrationOptions out;
  out.method = options.method;
  out.percentile = options.percentile;
  out.overwrite = options.overwrite;
  return out;
}

/// Whether `values` fill the model's first input; else sets `error`.
static bool checkInputSize(const Graph &graph, size_t input,
                           const std::vector<float> &values,
                           std::string &error) {
  int64_t elements = 1;
  for (int64_t dim : graph.inputShapes[input])
    elements *= dim;
  if (int64_t(values.size()) == elements)
    return true;
  error = "cim-tune: error: a sample of " + std::to_string(values.size()) +
          " values for the input " + graph.inputNames[input] + " of " +
          std::to_string(elements);
  return false;
}

bool IRModel::calibrate(const std::vector<std::vector<float>> &samples,
                        const CalibrationOptions &options, std::string &error) {
  if (impl->graph.inputs.size() != 1) {
    error = "cim-tune: error: calibration needs a model with one input";
    return false;
  }
  std::vector<std::vector<std::vector<float>>> wrapped;
  wrapped.reserve(samples.size());
  for (const std::vector<float> &sample : samples)
    wrapped.push_back({sample});
  return calibrate(wrapped, options, error);
}

bool IRModel::calibrate(
    const std::vector<std::vector<std::vector<float>>> &samples,
    const CalibrationOptions &options, std::string &error) {
  const Graph &graph = impl->graph;
  size_t count = samples.size();
  if (options.images > 0)
    count = std::min(count, size_t(options.images));
  SmallVector<SmallVector<HostTensor>> tensors;
  for (size_t i = 0; i < count; ++i) {
    if (samples[i].size() != graph.inputs.size()) {
      error = "cim-tune: error: a sample of " +
              std::to_string(samples[i].size()) + " inputs for a model of " +
              std::to_string(graph.inputs.size());
      return false;
    }
    SmallVector<HostTensor> inputs;
    for (size_t k = 0; k < samples[i].size(); ++k) {
      if (!checkInputSize(graph, k, samples[i][k], error))
        return false;
      inputs.push_back(
          HostTensor::fromFloats(graph.inputShapes[k], samples[i][k]));
    }
    tensors.push_back(std::move(inputs));
  }
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&impl->context, [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error)
      diagnostics += formatDiagnostic(diag) + "\n";
    return success();
  });
  if (failed(calibrateActivations(impl->func, tensors,
                                  toCompilerOptions(options)))) {
    error = diagnostics.empty() ? "cim-tune: error: calibration failed"
                                : StringRef(diagnostics).rtrim().str();
    return false;
  }
  impl->takeCalibratedScales();
  return true;
}

bool IRModel::calibrate(const std::vector<std::string> &paths,
                        const CalibrationOptions &options, std::string &error) {
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&impl->context, [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error)
      diagnostics += formatDiagnostic(diag) + "\n";
    return success();
  });
  CalibrateOptions pass;
  pass.inputs = paths;
  pass.method = quant::stringify(options.method);
  pass.percentile = options.percentile;
  pass.maxSamples = unsigned(std::max<int64_t>(0, options.images));
  pass.overwrite = options.overwrite;
  PassManager pm(&impl->context);
  pm.addPass(createCalibrate(pass));
  if (failed(pm.run(*impl->module))) {
    error = diagnostics.empty() ? "cim-tune: error: calibration failed"
                                : StringRef(diagnostics).rtrim().str();
    return false;
  }
  impl->takeCalibratedScales();
  return true;
}

bool IRModel::serializeInput(const std::vector<float> &input,
                             std::string &bytes, std::string &error) const {
  return serializeInput(0, input, bytes, error);
}

bool IRModel::serializeInput(size_t index, const std::vector<float> &input,
                             std::string &bytes, std::string &error) const {
  const Graph &graph = impl->graph;
  if (index >= graph.inputs.size()) {
    error = "cim-tune: error: the model has " +
            std::to_string(graph.inputs.size()) + " inputs";
    return false;
  }
  if (!checkInputSize(graph, index, input, error))
    return false;
  HostTensor tensor = HostTensor::fromFloats(graph.inputShapes[index], input);
  FailureOr<std::string> serialized =
      serializeTensor(tensor, graph.inputNames[index], error);
  if (failed(serialized))
    return false;
  bytes = std::move(*serialized);
  return true;
}

/// One host tensor per model input; false with `error` when `inputs` do
/// not fit the model.
static bool toHostInputs(const Graph &graph,
                         const std::vector<std::vector<float>> &inputs,
                         SmallVector<HostTensor> &tensors, std::string &error) {
  if (inputs.size() != graph.inputs.size()) {
    error = "cim-tune: error: " + std::to_string(inputs.size()) +
            " inputs for a model of " + std::to_string(graph.inputs.size());
    return false;
  }
  for (size_t k = 0; k < inputs.size(); ++k) {
    if (!checkInputSize(graph, k, inputs[k], error))
      return false;
    tensors.push_back(HostTensor::fromFloats(graph.inputShapes[k], inputs[k]));
  }
  return true;
}

bool IRModel::run(const std::vector<float> &input, bool quantized,
                  std::vector<float> &output, std::string &error) {
  if (impl->graph.inputs.size() != 1) {
    error = "cim-tune: error: the model must have one input";
    return false;
  }
  return run(std::vector<std::vector<float>>{input}, quantized, output, error);
}

bool IRModel::run(const std::vector<std::vector<float>> &inputs, bool quantized,
                  std::vector<float> &output, std::string &error) {
  SmallVector<HostTensor> tensors;
  if (!toHostInputs(impl->graph, inputs, tensors, error))
    return false;
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&impl->context, [&](Diagnostic &diag) {
    diagnostics += formatDiagnostic(diag) + "\n";
    return success();
  });
  FailureOr<SmallVector<HostTensor>> results =
      quantized ? runFakeQuantized(impl->func, tensors)
                : runReference(impl->func, tensors);
  if (failed(results) || results->empty()) {
    error = diagnostics.empty() ? "cim-tune: error: reference run failed"
                                : diagnostics;
    return false;
  }
  ArrayRef<float> values = results->front().data<float>();
  output.assign(values.begin(), values.end());
  return true;
}

bool IRModel::trace(const std::vector<std::vector<float>> &inputs,
                    std::map<int, FloatTensor> &values, std::string &error) {
  const Graph &graph = impl->graph;
  SmallVector<HostTensor> tensors;
  if (!toHostInputs(graph, inputs, tensors, error))
    return false;
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&impl->context, [&](Diagnostic &diag) {
    diagnostics += formatDiagnostic(diag) + "\n";
    return success();
  });
  auto record = [&](Value value, const HostTensor &host) {
    auto it = impl->valueIds.find(value);
    if (it == impl->valueIds.end() || values.count(it->second))
      return;
    FloatTensor &out = values[it->second];
    out.shape.assign(host.getShape().begin(), host.getShape().end());
    out.type = graph.types[size_t(it->second)];
    if (host.getKind() == ElementKind::F32) {
      ArrayRef<float> data = host.data<float>();
      out.data.assign(data.begin(), data.end());
    } else {
      for (int64_t i = 0, e = host.getNumElements(); i < e; ++i)
        out.ints.push_back(host.getAsInt64(i));
    }
  };
  FailureOr<SmallVector<HostTensor>> results = runReference(
      impl->func, tensors,
      [&](Operation *op, MutableArrayRef<const HostTensor *> operands) {
        for (auto [operand, host] : llvm::zip(op->getOperands(), operands))
          record(operand, *host);
        return success();
      });
  if (failed(results)) {
    error = diagnostics.empty() ? "cim-tune: error: reference run failed"
                                : diagnostics;
    return false;
  }
  auto ret = cast<func::ReturnOp>(impl->func.getBody().front().getTerminator());
  for (auto [value, host] : llvm::zip(ret.getOperands(), *results))
    record(value, host);
  return true;
}

std::string IRModel::print() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  impl->module->print(os);
  return os.str();
}
