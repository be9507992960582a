//===- CIMPDialect.cpp - The cimp (chip program) dialect ------------------===//
//
// Types, the instruction syntax (one parser and printer for every opcode,
// driven by prog::getOpcodeFields) and the verifiers. The program op's
// verifier decodes the program and runs prog::findProgramProblem, so the
// IR and prog.cim are held to the same rules, reported at the op they are
// about.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIMP/CIMPDialect.h"
#include "CIMPFields.h"
#include "cim/Dialect/CIMP/CIMPProgram.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cstring>

using namespace mlir;
using namespace mlir::cimp;
namespace prog = mlir::cim::prog;

#include "cim/Dialect/CIMP/CIMPOpsDialect.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "cim/Dialect/CIMP/CIMPOpsTypes.cpp.inc"

void CIMPDialect::initialize() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "cim/Dialect/CIMP/CIMPOpsTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "cim/Dialect/CIMP/CIMPOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Instruction syntax
//===----------------------------------------------------------------------===//

static StringRef getSegmentsAttrName() {
  return OpTrait::AttrSizedOperandSegments<void>::getOperandSegmentSizeAttr();
}

/// The keyword of the copy field: a write names its round.
static StringRef getCopyKeyword(prog::Opcode opcode) {
  return opcode == prog::Opcode::Write ? "round" : "copy";
}

/// The keyword of the peer field: where a send goes, where a receive comes
/// from.
static StringRef getPeerKeyword(prog::Opcode opcode) {
  return opcode == prog::Opcode::Send ? "to" : "from";
}

static ParseResult parseInstruction(OpAsmParser &parser, OperationState &result,
                                    prog::Opcode opcode) {
  prog::OpcodeFields fields = prog::getOpcodeFields(opcode);
  Builder &b = parser.getBuilder();
  SmallVector<int64_t> values(getInstructionFields().size(), 0);
  auto number = [&](StringRef keyword, StringRef name) -> ParseResult {
    if (!keyword.empty() && parser.parseKeyword(keyword))
      return failure();
    return parser.parseInteger(values[findInstructionField(name)]);
  };
  OpAsmParser::UnresolvedOperand node;
  SmallVector<OpAsmParser::UnresolvedOperand> units, deps;
  SmallVector<int64_t> busy;
  if ((fields.pe && number("pe", "pe")) ||
      (fields.peer && number(getPeerKeyword(opcode), "peer")) ||
      parser.parseKeyword("node") || parser.parseOperand(node))
    return failure();
  if (fields.set &&
      (number("set", "set") || parser.parseLSquare() || number("", "begin") ||
       parser.parseColon() || number("", "end") || parser.parseRSquare()))
    return failure();
  if (fields.copy && number(getCopyKeyword(opcode), "copy"))
    return failure();
  if (fields.timed) {
    if (number("lat", "latency_ps"))
      return failure();
    if (succeeded(parser.parseOptionalKeyword("uses")) &&
        parser.parseCommaSeparatedList(
            OpAsmParser::Delimiter::Paren, [&]() -> ParseResult {
              int64_t time = 0;
              if (parser.parseOperand(units.emplace_back()) ||
                  parser.parseColon() || parser.parseInteger(time))
                return failure();
              busy.push_back(time);
              return success();
            }))
      return failure();
  }
  if (succeeded(parser.parseOptionalKeyword("after")) &&
      parser.parseCommaSeparatedList(OpAsmParser::Delimiter::Paren, [&]() {
        return parser.parseOperand(deps.emplace_back());
      }))
    return failure();
  if (fields.timed && succeeded(parser.parseOptionalKeyword("events")) &&
      parser.parseCommaSeparatedList(
          OpAsmParser::Delimiter::Paren, [&]() -> ParseResult {
            SMLoc at = parser.getCurrentLocation();
            StringRef name;
            if (parser.parseKeyword(&name))
              return failure();
            if (findInstructionField(name) < 7)
              return parser.emitError(at)
                     << "unknown event count '" << name << "'";
            return failure(parser.parseEqual() || number("", name));
          }))
    return failure();

  MLIRContext *context = b.getContext();
  if (parser.resolveOperand(node, NodeType::get(context), result.operands) ||
      parser.resolveOperands(units, UnitType::get(context), result.operands) ||
      parser.resolveOperands(deps, TokenType::get(context), result.operands))
    return failure();
  result.addAttribute(
      getSegmentsAttrName(),
      b.getDenseI32ArrayAttr({1, int32_t(units.size()), int32_t(deps.size())}));
  result.addAttribute("fields", b.getDenseI64ArrayAttr(values));
  if (!busy.empty())
    result.addAttribute("busy_ps", b.getDenseI64ArrayAttr(busy));
  result.addTypes(TokenType::get(context));
  return success();
}

static void printInstruction(OpAsmPrinter &printer, Operation *op,
                             prog::Opcode opcode) {
  prog::OpcodeFields fields = prog::getOpcodeFields(opcode);
  auto values = op->getAttrOfType<DenseI64ArrayAttr>("fields");
  auto get = [&](StringRef name) -> int64_t {
    int index = findInstructionField(name);
    return values && index < int(values.size()) ? values[index] : 0;
  };
  ArrayRef<int32_t> segments =
      op->getAttrOfType<DenseI32ArrayAttr>(getSegmentsAttrName()).asArrayRef();
  OperandRange units = op->getOperands().slice(1, segments[1]);
  OperandRange deps = op->getOperands().drop_front(1 + segments[1]);
  if (fields.pe)
    printer << " pe " << get("pe");
  if (fields.peer)
    printer << " " << getPeerKeyword(opcode) << " " << get("peer");
  printer << " node " << op->getOperand(0);
  if (fields.set)
    printer << " set " << get("set") << " [" << get("begin") << ":"
            << get("end") << "]";
  if (fields.copy)
    printer << " " << getCopyKeyword(opcode) << " " << get("copy");
  if (fields.timed) {
    printer << " lat " << get("latency_ps");
    if (!units.empty()) {
      auto busy = op->getAttrOfType<DenseI64ArrayAttr>("busy_ps");
      printer << " uses(";
      for (auto [index, unit] : llvm::enumerate(units)) {
        printer << (index ? ", " : "") << unit << " : ";
        if (busy && index < size_t(busy.size()))
          printer << busy[index];
      }
      printer << ")";
    }
  }
  if (!deps.empty())
    printer << " after(" << deps << ")";
  if (fields.timed) {
    bool any = false;
    for (const EventField &event : getEventFields()) {
      int64_t value = get(event.name);
      if (!value)
        continue;
      printer << (any ? ", " : " events(") << event.name << " = " << value;
      any = true;
    }
    if (any)
      printer << ")";
  }
}

static LogicalResult verifyInstruction(Operation *op, prog::Opcode) {
  ArrayRef<InstructionField> table = getInstructionFields();
  ArrayRef<int64_t> values =
      op->getAttrOfType<DenseI64ArrayAttr>("fields").asArrayRef();
  if (values.size() != table.size())
    return op->emitOpError()
           << "needs " << table.size() << " fields, got " << values.size();
  for (auto [field, value] : llvm::zip(table, values))
    if (field.index && (value < 0 || value > int64_t(UINT32_MAX)))
      return op->emitOpError()
             << field.name << " " << value << " is not a 32-bit index";
  ArrayRef<int32_t> segments =
      op->getAttrOfType<DenseI32ArrayAttr>(getSegmentsAttrName()).asArrayRef();
  auto busy = op->getAttrOfType<DenseI64ArrayAttr>("busy_ps");
  int64_t times = busy ? busy.size() : 0;
  if (times != segments[1])
    return op->emitOpError() << "reserves " << segments[1] << " units with "
                             << times << " busy times";
  return success();
}

/// Names a unit `%<kind>_pe<N>`.
template <typename UnitOpT>
static void nameUnit(UnitOpT op, OpAsmSetValueNameFn setNameFn) {
  setNameFn(
      op.getUnit(),
      (prog::stringify(UnitOpT::kKind) + "_pe" + Twine(op.getPe())).str());
}

#define GET_OP_CLASSES
#include "cim/Dialect/CIMP/CIMPOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Result names
//===----------------------------------------------------------------------===//

/// A node's label with '_' for what cannot be part of a value name.
static std::string getNameOf(NodeOp node) {
  std::string name = node ? node.getLabel().str() : "";
  for (char &c : name)
    if (!llvm::isAlnum(c))
      c = '_';
  return name;
}

/// `%conv1`.
void NodeOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  setNameFn(getNode(), getNameOf(*this));
}

/// `%xbars_conv1_c2`: the crossbars of copy (or round) 2 of conv1.
void XbarsOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  setNameFn(getUnit(), "xbars_" + getNameOf(getNode().getDefiningOp<NodeOp>()) +
                           "_c" + std::to_string(getCopy()));
}

//===----------------------------------------------------------------------===//
// Verifiers
//===----------------------------------------------------------------------===//

LogicalResult LayerOp::verify() {
  if (getWbits() < 1 || getWbits() > 16)
    return emitOpError() << "wbits must be in [1, 16], got " << getWbits();
  auto type = getWeights().getType().dyn_cast<RankedTensorType>();
  unsigned width = getWbits() <= 8 ? 8 : 16;
  if (!type || !type.hasStaticShape() || type.getRank() != 3 ||
      !type.getElementType().isSignlessInteger(width))
    return emitOpError() << "weights must be a static groups x rows x cols "
                            "tensor of i"
                         << width << " for " << getWbits()
                         << "-bit weights, got " << getWeights().getType();
  // The values, in the symmetric range of wbits (checked here rather than
  // by the program verifier, which the program op runs without weights).
  int64_t limit = prog::getWeightLimit(getWbits());
  auto outside = [&](int64_t value) {
    return emitOpError() << "weight " << value << " outside the " << getWbits()
                         << "-bit range";
  };
  if (auto resource = getWeights().dyn_cast<DenseResourceElementsAttr>()) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    size_t bytes = type.getNumElements() * (width / 8);
    if (!blob || blob->getData().size() != bytes)
      return emitOpError() << "weights resource '"
                           << resource.getRawHandle().getKey() << "' holds "
                           << (blob ? blob->getData().size() : 0)
                           << " bytes, expected " << bytes;
    // The smallest and largest value (a loop that vectorizes), then the
    // first value outside the range, if any.
    auto check = [&](auto *values, size_t n) -> LogicalResult {
      int64_t low = 0, high = 0;
      for (size_t k = 0; k < n; ++k) {
        low = std::min<int64_t>(low, values[k]);
        high = std::max<int64_t>(high, values[k]);
      }
      if (low >= -limit && high <= limit)
        return success();
      for (size_t k = 0; k < n; ++k)
        if (values[k] < -limit || values[k] > limit)
          return outside(values[k]);
      return success();
    };
    const char *data = blob->getData().data();
    if (reinterpret_cast<uintptr_t>(data) % (width / 8))
      return emitOpError() << "weights resource '"
                           << resource.getRawHandle().getKey()
                           << "' is not aligned to its " << width
                           << "-bit elements";
    if (failed(width == 8
                   ? check(reinterpret_cast<const int8_t *>(data), bytes)
                   : check(reinterpret_cast<const int16_t *>(data), bytes / 2)))
      return failure();
  } else if (auto dense = getWeights().dyn_cast<DenseIntElementsAttr>()) {
    for (const APInt &value : dense.getValues<APInt>())
      if (value.getSExtValue() < -limit || value.getSExtValue() > limit)
        return outside(value.getSExtValue());
  } else {
    return emitOpError() << "weights must be dense or dense_resource";
  }
  auto scales = getScales().getType().dyn_cast<RankedTensorType>();
  if (!scales || scales.getRank() != 1 || !scales.getElementType().isF32() ||
      !getScales().isa<DenseFPElementsAttr>())
    return emitOpError() << "scales must be a dense 1-d tensor of f32, got "
                         << getScales().getType();
  return success();
}

LogicalResult ProgramOp::verifyRegions() {
  // The layers have checked their weights.
  ProgramOps ops;
  FailureOr<prog::Program> program =
      decodeProgram(*this, /*withWeights=*/false, &ops);
  if (failed(program))
    return failure();
  std::optional<prog::ProgramProblem> problem =
      prog::findProgramProblem(*program, /*checkWeights=*/false);
  if (!problem)
    return success();
  using Entity = prog::ProgramProblem::Entity;
  Operation *at = getOperation();
  ArrayRef<Operation *> list;
  switch (problem->entity) {
  case Entity::Program:
    break;
  case Entity::Node:
    list = ops.nodes;
    break;
  case Entity::Layer:
    list = ops.layers;
    break;
  case Entity::Unit:
    list = ops.units;
    break;
  case Entity::Instruction:
    list = ops.instructions;
    break;
  }
  if (problem->index < list.size())
    at = list[problem->index];
  return at->emitError() << problem->message;
}
