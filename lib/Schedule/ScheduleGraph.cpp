//===- ScheduleGraph.cpp - The scheduler's view of a mapped module --------===//

#include "cim/Analysis/ModuleCost.h"
#include "cim/Schedule/Schedule.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::cim;

/// Ops whose output row r needs input row r only (when the input has the
/// output's batch and rows).
static bool isRowWise(StringRef name) {
  static const llvm::StringSet<> ops = {"add",
                                        "sub",
                                        "mul",
                                        "div",
                                        "pow",
                                        "max",
                                        "min",
                                        "prelu",
                                        "equal",
                                        "less",
                                        "less_equal",
                                        "greater",
                                        "greater_equal",
                                        "and",
                                        "or",
                                        "xor",
                                        "not",
                                        "where",
                                        "cast",
                                        "relu",
                                        "leaky_relu",
                                        "clip",
                                        "sigmoid",
                                        "hard_sigmoid",
                                        "hard_swish",
                                        "tanh",
                                        "erf",
                                        "gelu",
                                        "sqrt",
                                        "exp",
                                        "neg",
                                        "abs",
                                        "log",
                                        "reciprocal",
                                        "floor",
                                        "ceil",
                                        "round",
                                        "softplus",
                                        "softsign",
                                        "mish",
                                        "swish",
                                        "elu",
                                        "selu",
                                        "thresholded_relu",
                                        "batch_norm",
                                        "lrn",
                                        "quantize_linear",
                                        "dequantize_linear"};
  return ops.contains(name);
}

/// Digital operations per output element (first-order: one per add or
/// compare, four for a transcendental function).
static double opsPerElement(Operation *op, StringRef name) {
  static const llvm::StringSet<> transcendental = {
      "sigmoid", "tanh",       "erf",      "gelu",         "sqrt",      "exp",
      "log",     "reciprocal", "softplus", "softsign",     "mish",      "swish",
      "elu",     "selu",       "pow",      "hard_sigmoid", "hard_swish"};
  if (transcendental.contains(name))
    return 4;
  auto inType = op->getNumOperands()
                    ? op->getOperand(0).getType().dyn_cast<RankedTensorType>()
                    : RankedTensorType();
  auto outType = op->getResult(0).getType().dyn_cast<RankedTensorType>();
  double ratio = 1;
  if (inType && outType && inType.hasStaticShape() &&
      outType.hasStaticShape() && outType.getNumElements() > 0)
    ratio = double(inType.getNumElements()) / double(outType.getNumElements());
  if (isa<MaxPoolOp, AvgPoolOp>(op)) {
    double area = 1;
    for (int64_t k :
         op->getAttrOfType<DenseI64ArrayAttr>("kernel_shape").asArrayRef())
      area *= double(k);
    // An average also divides once.
    return isa<AvgPoolOp>(op) ? area + 1 : area;
  }
  if (name.startswith("reduce_") || name.startswith("global_"))
    return std::max(1.0, ratio);
  if (name == "softmax" || name == "log_softmax")
    return 6;
  if (name == "batch_norm")
    return 2;
  if (name == "instance_norm" || name == "layer_norm")
    return 6;
  if (name == "lrn")
    return 8;
  if (auto mm = dyn_cast<MatMulOp>(op)) {
    auto l = mm.getLhs().getType().cast<RankedTensorType>();
    return double(std::max<int64_t>(1, l.getShape().back()));
  }
  if (isa<GemmOp, Conv2dOp>(op)) {
    auto w = op->getOperand(1).getType().cast<RankedTensorType>();
    int64_t k = 1;
    for (int64_t d : w.getShape().drop_front())
      k *= d;
    return double(std::max<int64_t>(1, k));
  }
  return 1;
}

/// A pooling window along the rows (the first spatial dimension).
template <typename PoolOp>
static void setPoolWindow(PoolOp pool, ScheduleInput &in) {
  in.kind = DependenceKind::Window;
  in.kernel = pool.getKernelShape()[0];
  in.stride = pool.getStrideValues()[0];
  in.padBegin = pool.getPadValues()[0];
  in.dilation = pool.getDilationValues()[0];
}

FailureOr<ScheduleGraph> mlir::cim::buildScheduleGraph(ModuleOp module) {
  bool spread = getModulePlacement(module) == Placement::Spread;
  SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
  if (funcs.size() != 1)
    return module.emitError()
           << "expected one function to schedule, found " << funcs.size();
  func::FuncOp func = funcs.front();
  ScheduleGraph graph;
  DenseMap<Value, int32_t> producer;
  SmallVector<LayerOpInterface> crossbarLayers = getCrossbarLayers(module);
  DenseMap<Operation *, int64_t> layerIndex;
  for (auto [i, layer] : llvm::enumerate(crossbarLayers))
    layerIndex[layer] = i;

  for (Operation &op : func.getBody().front()) {
    if (isa<ConstantOp, func::ReturnOp>(op))
      continue;
    if (op.getNumResults() == 0)
      continue;
    auto type = op.getResult(0).getType().dyn_cast<RankedTensorType>();
    if (!type || !type.hasStaticShape())
      return op.emitError() << "scheduling needs static shapes, got "
                            << op.getResult(0).getType();
    ScheduleNode node;
    node.op = op.getName().getStringRef().str();
    StringRef mnemonic = op.getName().stripDialect();
    node.name = getNameFromLoc(op.getLoc()).str();
    if (node.name.empty())
      node.name = (mnemonic + "#" + Twine(graph.nodes.size())).str();
    ArrayRef<int64_t> shape = type.getShape();
    int64_t size = type.getNumElements();

    auto it = layerIndex.find(&op);
    if (it != layerIndex.end()) {
      auto layer = cast<LayerOpInterface>(op);
      FailureOr<LayerShape> shapeOr = getLayerShape(layer, it->second);
      if (failed(shapeOr))
        return failure();
      MappingAttr mapping = layer.getLayerMapping();
      if (!mapping)
        return op.emitError() << "layer '" << shapeOr->name
                              << "' has no crossbar mapping; run "
                                 "cim-map-crossbars first";
      ScheduleLayer sl;
      sl.shape = *shapeOr;
      sl.copyPes = getCopyPes(mapping);
      for (size_t c = 0; c < sl.copyPes.size(); ++c)
        if (sl.copyPes[c].empty())
          return op.emitError() << "layer '" << shapeOr->name << "': copy " << c
                                << " has no tiles";
      if (spread)
        sl.spreadPes = sl.copyPes[0].size();
      node.layer = graph.layers.size();
      graph.layers.push_back(std::move(sl));
      int64_t invocations = shapeOr->invocations;
      if (isa<Conv2dOp>(op) && shape.size() == 4) {
        node.batch = shape[0];
        node.rows = shape[0] * shape[2];
        node.rowSize = shape[3];
      } else {
        node.rows = std::max<int64_t>(1, invocations);
        node.rowSize = invocations ? 1 : 0;
      }
      if (node.getSize() > 0)
        node.elementsPerUnit = std::max<int64_t>(1, size / node.getSize());
    } else {
      if (shape.size() >= 3) {
        node.batch = shape[0];
        node.rows = shape[0] * shape[2];
      } else if (shape.size() == 2) {
        node.rows = shape[0];
      }
      node.rows = std::max<int64_t>(1, node.rows);
      node.rowSize = node.rows ? size / node.rows : 0;
      if (node.rows * node.rowSize != size) {
        node.rows = 1;
        node.rowSize = size;
      }
      node.alias = isa<ReshapeOp, FlattenOp, ConcatOp>(op);
      node.opsPerElement = opsPerElement(&op, mnemonic);
    }

    for (auto [index, operand] : llvm::enumerate(op.getOperands())) {
      ScheduleInput in;
      auto found = producer.find(operand);
      if (found == producer.end())
        continue;
      in.node = found->second;
      auto inType = operand.getType().dyn_cast<RankedTensorType>();
      bool sameRows = inType && inType.getRank() == type.getRank() &&
                      type.getRank() >= 3 && inType.getDimSize(0) == shape[0] &&
                      inType.getDimSize(2) == shape[2];
      if (auto conv = dyn_cast<Conv2dOp>(op); conv && index == 0) {
        auto w = conv.getWeight().getType().cast<RankedTensorType>();
        in.kind = DependenceKind::Window;
        in.kernel = w.getDimSize(2);
        in.stride = conv.getStrideValues()[0];
        in.padBegin = conv.getPadValues()[0];
        in.dilation = conv.getDilationValues()[0];
      } else if (auto pool = dyn_cast<MaxPoolOp>(op)) {
        setPoolWindow(pool, in);
      } else if (auto pool = dyn_cast<AvgPoolOp>(op)) {
        setPoolWindow(pool, in);
      } else if (isa<ResizeOp>(op) && index == 0) {
        in.kind = DependenceKind::Scaled;
      } else if (sameRows &&
                 (isRowWise(mnemonic) ||
                  (isa<ConcatOp>(op) && cast<ConcatOp>(op).getAxis() != 0 &&
                   cast<ConcatOp>(op).getAxis() != 2) ||
                  ((isa<SoftmaxOp, LogSoftmaxOp>(op)) &&
                   op.getAttrOfType<IntegerAttr>("axis") &&
                   op.getAttrOfType<IntegerAttr>("axis").getInt() == 1))) {
        in.kind = DependenceKind::SameRow;
      }
      node.inputs.push_back(in);
    }
    int32_t id = graph.nodes.size();
    for (Value result : op.getResults())
      producer[result] = id;
    graph.nodes.push_back(std::move(node));
    graph.ops.push_back(&op);
  }
  return graph;
}

FailureOr<ExecutionMode>
mlir::cim::getExecutionMode(ModuleOp module, const ScheduleGraph &graph,
                            const hw::HardwareDescription &hw) {
  int64_t needed = 0;
  for (const ScheduleLayer &layer : graph.layers)
    needed += computeFootprint(layer.shape, hw).crossbarsPerCopy;
  std::optional<ExecutionMode> mode = chooseExecutionMode(hw, needed);
  if (!mode)
    return module.emitError()
           << "network needs " << needed << " crossbars, the chip '" << hw.name
           << "' has " << hw.getNumCrossbars();
  return *mode;
}

FailureOr<prog::Program>
mlir::cim::scheduleModule(ModuleOp module, const hw::HardwareDescription &hw,
                          ScheduleKind schedule, bool annotate) {
  // Every layer must have been mapped for this chip's crossbars.
  for (LayerOpInterface layer : getCrossbarLayers(module)) {
    MappingAttr mapping = layer.getLayerMapping();
    if (mapping &&
        (mapping.getXbarRows() != hw.rows || mapping.getXbarCols() != hw.cols))
      return layer->emitError()
             << "layer was mapped for " << mapping.getXbarRows() << "x"
             << mapping.getXbarCols() << " crossbars, the chip '" << hw.name
             << "' has " << hw.rows << "x" << hw.cols;
  }
  FailureOr<ScheduleGraph> graph = buildScheduleGraph(module);
  if (failed(graph))
    return failure();
  FailureOr<ExecutionMode> execution = getExecutionMode(module, *graph, hw);
  if (failed(execution))
    return failure();
  prog::Program program = scheduleGraph(*graph, hw, *execution, schedule);
  if (!annotate)
    return program;

  prog::Timing timing = prog::simulateTiming(program);
  MLIRContext *context = module.getContext();
  for (auto [index, op] : llvm::enumerate(graph->ops)) {
    const prog::NodeTiming &t = timing.nodes[index];
    op->setAttr("cim.schedule",
                ScheduleAttr::get(context, index, hw.toCycles(t.startPs),
                                  hw.toCycles(t.endPs),
                                  program.nodes[index].sets));
  }
  Builder b(context);
  module->setAttr("cim.schedule_kind",
                  ScheduleKindAttr::get(context, schedule));
  module->setAttr("cim.latency_cycles",
                  b.getI64IntegerAttr(hw.toCycles(timing.latencyPs)));
  module->setAttr("cim.lower_bound_cycles",
                  b.getI64IntegerAttr(hw.toCycles(timing.lowerBoundPs)));
  return program;
}
