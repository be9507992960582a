//===- CIMPProgram.cpp - cimp.program <-> prog::Program -------------------===//

#include "cim/Dialect/CIMP/CIMPProgram.h"
#include "CIMPFields.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cstring>
#include <map>

using namespace mlir;
using namespace mlir::cimp;
namespace prog = mlir::cim::prog;

/// The opcode of an instruction op, or none.
static std::optional<prog::Opcode> getOpcode(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<prog::Opcode>>(op)
      .Case<WriteOp, MvmOp, VecOp, SendOp, RecvOp, BarrierOp>(
          [](auto inst) { return decltype(inst)::kOpcode; })
      .Default([](Operation *) { return std::nullopt; });
}

/// The values of an elements attribute of T (dense, or a resource blob) as
/// U.
template <typename T, typename U>
static LogicalResult readElements(ElementsAttr attr, std::vector<U> &values) {
  size_t n = attr.getNumElements();
  if (auto dense = attr.dyn_cast<DenseElementsAttr>()) {
    auto range = dense.tryGetValues<T>();
    if (failed(range))
      return failure();
    values.assign(range->begin(), range->end());
    return success();
  }
  auto resource = attr.dyn_cast<DenseResourceElementsAttr>();
  AsmResourceBlob *blob =
      resource ? resource.getRawHandle().getBlob() : nullptr;
  // A blob is aligned for its elements (the verifier of the layer op
  // checked its size).
  if (!blob || blob->getData().size() != n * sizeof(T) ||
      reinterpret_cast<uintptr_t>(blob->getData().data()) % alignof(T))
    return failure();
  const T *data = reinterpret_cast<const T *>(blob->getData().data());
  values.assign(data, data + n);
  return success();
}

FailureOr<prog::Program>
mlir::cimp::decodeProgram(ProgramOp op, bool withWeights, ProgramOps *ops) {
  prog::Program p;
  p.producer = op.getProducer().str();
  p.model = op.getModel().str();
  p.schedule = cim::stringifyScheduleOption(op.getSchedule());
  p.hardwareYaml = op.getHardware().str();
  std::vector<cim::hw::HardwareDiagnostic> diags;
  std::optional<cim::hw::HardwareDescription> hw =
      cim::hw::parseHardwareDescription(p.hardwareYaml, "<program>", diags);
  if (!hw)
    return op.emitOpError()
           << "invalid hardware description: "
           << (diags.empty() ? std::string("?") : diags.front().message);
  p.hardware = *hw;

  // The attributes of an instruction (compared as uniqued StringAttrs).
  MLIRContext *context = op.getContext();
  StringAttr fieldsName = StringAttr::get(context, "fields");
  StringAttr segmentsName = StringAttr::get(
      context,
      OpTrait::AttrSizedOperandSegments<void>::getOperandSegmentSizeAttr());
  StringAttr busyName = StringAttr::get(context, "busy_ps");

  ProgramOps local;
  ProgramOps &list = ops ? *ops : local;
  size_t size = op.getBody().front().getOperations().size();
  list.instructions.reserve(size);
  p.instructions.reserve(size);
  DenseMap<Value, uint32_t> nodes, units, tokens;
  tokens.reserve(size);
  // An operand of one of the kinds defined earlier in the body (the types
  // and dominance guarantee it for verified IR).
  auto indexOf = [&](DenseMap<Value, uint32_t> &map, Value value,
                     Operation *user) -> FailureOr<uint32_t> {
    auto it = map.find(value);
    if (it == map.end())
      return user->emitOpError()
             << "uses a value defined outside its cimp.program";
    return it->second;
  };
  for (Operation &inner : op.getBody().front()) {
    if (auto node = dyn_cast<NodeOp>(inner)) {
      nodes[node.getNode()] = p.nodes.size();
      list.nodes.push_back(node);
      prog::Node &n = p.nodes.emplace_back();
      n.name = node.getLabel().str();
      n.op = node.getKind().str();
      n.sets = int64_t(node.getSets());
      n.size = int64_t(node.getSize());
      continue;
    }
    if (auto layer = dyn_cast<LayerOp>(inner)) {
      FailureOr<uint32_t> node = indexOf(nodes, layer.getNode(), layer);
      if (failed(node))
        return failure();
      list.layers.push_back(layer);
      prog::LayerWeights &l = p.layers.emplace_back();
      l.node = *node;
      ArrayRef<int64_t> shape =
          layer.getWeights().getType().cast<ShapedType>().getShape();
      l.groups = shape[0];
      l.rows = shape[1];
      l.cols = shape[2];
      l.wbits = unsigned(layer.getWbits());
      l.abits = unsigned(layer.getAbits());
      l.copies = int64_t(layer.getCopies());
      l.crossbars = int64_t(layer.getCrossbars());
      if (withWeights &&
          failed(l.wbits <= 8
                     ? readElements<int8_t>(layer.getWeights(), l.values)
                     : readElements<int16_t>(layer.getWeights(), l.values)))
        return layer.emitOpError() << "weights do not decode";
      if (failed(readElements<float>(layer.getScales(), l.scales)))
        return layer.emitOpError() << "scales do not decode";
      if (p.nodes[*node].layer == -1)
        p.nodes[*node].layer = int32_t(p.layers.size() - 1);
      continue;
    }
    std::optional<prog::UnitKind> kind =
        llvm::TypeSwitch<Operation *, std::optional<prog::UnitKind>>(&inner)
            .Case<XbarsOp, DigitalOp, LinkOp, BufferOp>(
                [](auto unit) { return decltype(unit)::kKind; })
            .Default([](Operation *) { return std::nullopt; });
    if (kind) {
      units[inner.getResult(0)] = p.units.size();
      list.units.push_back(&inner);
      prog::Unit &u = p.units.emplace_back();
      u.kind = *kind;
      u.pe = uint32_t(inner.getAttrOfType<IntegerAttr>("pe").getInt());
      if (auto xbars = dyn_cast<XbarsOp>(inner)) {
        FailureOr<uint32_t> node = indexOf(nodes, xbars.getNode(), xbars);
        if (failed(node))
          return failure();
        u.node = *node;
        u.copy = uint32_t(xbars.getCopy());
      }
      continue;
    }
    std::optional<prog::Opcode> opcode = getOpcode(&inner);
    if (!opcode)
      return inner.emitOpError() << "cannot be part of a cimp.program";
    tokens[inner.getResult(0)] = p.instructions.size();
    list.instructions.push_back(&inner);
    prog::Instruction &in = p.instructions.emplace_back();
    in.opcode = *opcode;
    DenseI32ArrayAttr segmentsAttr;
    DenseI64ArrayAttr busy, values;
    for (NamedAttribute attr : inner.getAttrs()) {
      if (attr.getName() == segmentsName)
        segmentsAttr = attr.getValue().dyn_cast<DenseI32ArrayAttr>();
      else if (attr.getName() == busyName)
        busy = attr.getValue().dyn_cast<DenseI64ArrayAttr>();
      else if (attr.getName() == fieldsName)
        values = attr.getValue().dyn_cast<DenseI64ArrayAttr>();
    }
    ArrayRef<InstructionField> table = getInstructionFields();
    if (!values || values.size() != int64_t(table.size()))
      return inner.emitOpError() << "needs its fields";
    for (auto [field, value] : llvm::zip(table, values.asArrayRef()))
      field.set(in, value);
    if (!segmentsAttr || segmentsAttr.size() != 3)
      return inner.emitOpError() << "needs its operand segment sizes";
    ArrayRef<int32_t> segments = segmentsAttr.asArrayRef();
    FailureOr<uint32_t> node = indexOf(nodes, inner.getOperand(0), &inner);
    if (failed(node))
      return failure();
    in.node = *node;
    if (segments[1] && (!busy || busy.size() != segments[1]))
      return inner.emitOpError() << "needs one busy time per unit";
    for (auto [index, unit] :
         llvm::enumerate(inner.getOperands().slice(1, segments[1]))) {
      FailureOr<uint32_t> id = indexOf(units, unit, &inner);
      if (failed(id))
        return failure();
      in.reservations.push_back({*id, uint64_t(busy[index])});
    }
    for (Value dep : inner.getOperands().drop_front(1 + segments[1])) {
      FailureOr<uint32_t> id = indexOf(tokens, dep, &inner);
      if (failed(id))
        return failure();
      in.deps.push_back(*id);
    }
  }
  return p;
}

ElementsAttr mlir::cimp::buildWeightsAttr(MLIRContext *context, size_t index,
                                          const prog::LayerWeights &l,
                                          ArrayRef<int32_t> values) {
  unsigned width = l.wbits <= 8 ? 1 : 2;
  auto type = RankedTensorType::get({l.groups, l.rows, l.cols},
                                    IntegerType::get(context, 8 * width));
  AsmResourceBlob blob =
      HeapAsmResourceBlob::allocate(values.size() * width, width);
  char *data = blob.getMutableData().data();
  for (size_t k = 0; k < values.size(); ++k) {
    if (width == 1) {
      data[k] = char(int8_t(values[k]));
    } else {
      int16_t v = int16_t(values[k]);
      std::memcpy(&data[2 * k], &v, 2);
    }
  }
  std::string name = "cimp_weights_" + std::to_string(index);
  if (width == 1)
    return DenseI8ResourceElementsAttr::get(type, name, std::move(blob));
  return DenseI16ResourceElementsAttr::get(type, name, std::move(blob));
}

FailureOr<ProgramOp>
mlir::cimp::buildProgramOp(OpBuilder &builder, Location loc,
                           const prog::Program &p,
                           ArrayRef<ElementsAttr> weights) {
  std::optional<cim::ScheduleKind> schedule =
      cim::parseScheduleOption(p.schedule);
  if (!schedule)
    return emitError(loc) << "unknown schedule '" << p.schedule
                          << "' (expected " << cim::getScheduleOptionList()
                          << ")";
  MLIRContext *context = builder.getContext();
  auto program = builder.create<ProgramOp>(
      loc, builder.getStringAttr(p.model), builder.getStringAttr(p.producer),
      cim::ScheduleKindAttr::get(context, *schedule),
      builder.getStringAttr(p.hardwareYaml));
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&program.getBody().emplaceBlock());

  auto nodeType = NodeType::get(context);
  auto unitType = UnitType::get(context);
  auto tokenType = TokenType::get(context);
  std::vector<Value> nodes, units, tokens;
  nodes.reserve(p.nodes.size());
  for (const prog::Node &n : p.nodes)
    nodes.push_back(builder.create<NodeOp>(loc, nodeType, n.name, n.op,
                                           uint64_t(n.sets), uint64_t(n.size)));
  for (auto [index, l] : llvm::enumerate(p.layers)) {
    ElementsAttr values = index < weights.size()
                              ? weights[index]
                              : buildWeightsAttr(context, index, l, l.values);
    auto scales = DenseElementsAttr::get(
        RankedTensorType::get({int64_t(l.scales.size())}, builder.getF32Type()),
        ArrayRef<float>(l.scales));
    builder.create<LayerOp>(loc, nodes[l.node], uint64_t(l.wbits),
                            uint64_t(l.abits), uint64_t(l.copies),
                            uint64_t(l.crossbars), values, scales);
  }
  units.reserve(p.units.size());
  for (const prog::Unit &u : p.units) {
    Value unit;
    switch (u.kind) {
    case prog::UnitKind::Crossbars:
      unit =
          builder.create<XbarsOp>(loc, unitType, u.pe, nodes[u.node], u.copy);
      break;
    case prog::UnitKind::Digital:
      unit = builder.create<DigitalOp>(loc, unitType, u.pe);
      break;
    case prog::UnitKind::Link:
      unit = builder.create<LinkOp>(loc, unitType, u.pe);
      break;
    case prog::UnitKind::Buffer:
      unit = builder.create<BufferOp>(loc, unitType, u.pe);
      break;
    }
    units.push_back(unit);
  }

  // Instructions through OperationState: one shape for every opcode.
  // The registered names, looked up once (by opcode).
  OperationName opNames[] = {
      OperationName(WriteOp::getOperationName(), context),
      OperationName(MvmOp::getOperationName(), context),
      OperationName(VecOp::getOperationName(), context),
      OperationName(SendOp::getOperationName(), context),
      OperationName(RecvOp::getOperationName(), context),
      OperationName(BarrierOp::getOperationName(), context)};
  static_assert(int(prog::Opcode::Write) == 0 &&
                    int(prog::Opcode::Barrier) == 5,
                "opNames is indexed by opcode");
  StringAttr segmentsName = builder.getStringAttr(
      OpTrait::AttrSizedOperandSegments<void>::getOperandSegmentSizeAttr());
  StringAttr busyName = builder.getStringAttr("busy_ps");
  StringAttr fieldsName = builder.getStringAttr("fields");
  std::map<std::pair<size_t, size_t>, DenseI32ArrayAttr> segmentAttrs;
  tokens.reserve(p.instructions.size());
  SmallVector<int64_t> busy, values;
  for (const prog::Instruction &in : p.instructions) {
    OperationState state(loc, opNames[int(in.opcode)]);
    state.operands.reserve(1 + in.reservations.size() + in.deps.size());
    state.addOperands(nodes[in.node]);
    busy.clear();
    for (const prog::Reservation &r : in.reservations) {
      state.addOperands(units[r.unit]);
      busy.push_back(int64_t(r.busyPs));
    }
    for (uint32_t d : in.deps)
      state.addOperands(tokens[d]);
    DenseI32ArrayAttr &segments =
        segmentAttrs[{in.reservations.size(), in.deps.size()}];
    if (!segments)
      segments = builder.getDenseI32ArrayAttr(
          {1, int32_t(in.reservations.size()), int32_t(in.deps.size())});
    values.clear();
    for (const InstructionField &field : getInstructionFields())
      values.push_back(field.get(in));
    // In the dictionary's (sorted) order, so that it is never re-sorted.
    if (!busy.empty())
      state.addAttribute(busyName, builder.getDenseI64ArrayAttr(busy));
    state.addAttribute(fieldsName, builder.getDenseI64ArrayAttr(values));
    state.addAttribute(segmentsName, segments);
    state.addTypes(tokenType);
    tokens.push_back(builder.create(state)->getResult(0));
  }
  return program;
}
