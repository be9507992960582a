//===- DataMovementOps.cpp - Reshapes, slices, gathers, ... ---------------===//
//
// Operators that move data without arithmetic. Their shape parameters
// (Reshape's shape, Slice's bounds, Expand's shape, ...) must be constants
// at import time; nodes whose inputs are all constants are folded.
//
//===----------------------------------------------------------------------===//

#include "OpImporters.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/CIMShapes.h"

#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::importer;

FailureOr<SmallVector<int64_t>> importer::getIntList(GraphImporter &gi,
                                                     ListFrom from,
                                                     StringRef name,
                                                     int index) {
  if (from == ListFrom::Attribute)
    return gi.intsAttr(name).value_or(SmallVector<int64_t>());
  if (!gi.hasInput(index))
    return SmallVector<int64_t>();
  return gi.constInts(gi.input(index), name);
}

FailureOr<std::pair<Value, SmallVector<int64_t>>>
importer::getInputAndIntList(GraphImporter &gi, ListFrom from, StringRef name,
                             int index) {
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  FailureOr<SmallVector<int64_t>> list = getIntList(gi, from, name, index);
  if (failed(list))
    return failure();
  return std::make_pair(*x, std::move(*list));
}

/// Reshape of `x` to ONNX shape `target` (0 copies a dimension unless
/// `allowzero`, -1 is inferred).
static LogicalResult reshapeTo(GraphImporter &gi, Value x,
                               ArrayRef<int64_t> target) {
  ArrayRef<int64_t> in = gi.typeOf(x).getShape();
  bool allowZero = gi.intAttr("allowzero", 0) != 0;
  int64_t inferred = -1, known = 1;
  SmallVector<int64_t> shape;
  for (auto [i, d] : llvm::enumerate(target)) {
    int64_t dim = d;
    if (dim == 0 && !allowZero) {
      if (i >= in.size())
        return gi.fail("shape entry " + Twine(i) +
                       " is 0 (copy) but the input "
                       "has only " +
                       Twine(in.size()) + " dimensions");
      dim = in[i];
    }
    if (dim == -1) {
      if (inferred >= 0)
        return gi.fail("shape has more than one -1");
      inferred = i;
      dim = 1;
    } else if (dim < 0) {
      return gi.fail("shape entry " + Twine(d) + " is invalid");
    }
    shape.push_back(dim);
    known *= dim;
  }
  int64_t total = shapeProduct(in);
  if (inferred >= 0) {
    if (known == 0 || total % known)
      return gi.fail("cannot infer the -1 in shape [" + shapeText(target) +
                     "] for " + Twine(total) + " elements");
    shape[inferred] = total / known;
  }
  return gi.defineOutput(gi.reshape(x, shape));
}

/// Reshape-1: the shape is an attribute.
static LogicalResult importReshapeWithAttr(GraphImporter &gi) {
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  return reshapeTo(gi, *x,
                   gi.intsAttr("shape").value_or(SmallVector<int64_t>()));
}

/// Reshape-5 and later: the shape is a constant input.
static LogicalResult importReshapeWithInput(GraphImporter &gi) {
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  FailureOr<SmallVector<int64_t>> target = gi.constInts(gi.input(1), "shape");
  return failed(target) ? failure() : reshapeTo(gi, *x, *target);
}

/// Squeeze and Unsqueeze as reshapes.
template <bool Unsqueeze, ListFrom AxesFrom>
static LogicalResult importSqueeze(GraphImporter &gi) {
  auto inputAndAxes = getInputAndIntList(gi, AxesFrom, "axes", 1);
  if (failed(inputAndAxes))
    return failure();
  auto &[x, axes] = *inputAndAxes;
  SmallVector<int64_t> shape(gi.typeOf(x).getShape());
  int64_t rank = shape.size();
  if (Unsqueeze) {
    int64_t outRank = rank + axes.size();
    SmallVector<int64_t> norm;
    for (int64_t a : axes) {
      auto n = normalizeAxis(a, outRank);
      if (!n)
        return gi.fail("axis " + Twine(a) + " is out of range");
      norm.push_back(*n);
    }
    llvm::sort(norm);
    for (int64_t a : norm)
      shape.insert(shape.begin() + a, 1);
  } else {
    SmallVector<int64_t> kept;
    llvm::SmallBitVector drop(rank);
    for (int64_t a : axes) {
      auto n = normalizeAxis(a, rank);
      if (!n || shape[*n] != 1)
        return gi.fail("cannot squeeze axis " + Twine(a) + " of tensor<" +
                       shapeText(shape) + ">");
      drop.set(*n);
    }
    for (int64_t i = 0; i < rank; ++i)
      if (!(axes.empty() ? shape[i] == 1 : drop.test(i)))
        kept.push_back(shape[i]);
    shape = kept;
  }
  return gi.defineOutput(gi.reshape(x, shape));
}

static LogicalResult importTranspose(GraphImporter &gi) {
  SmallVector<NamedAttribute> attrs;
  if (auto perm = gi.intsAttr("perm"))
    attrs.push_back(
        gi.named("perm", gi.getBuilder().getDenseI64ArrayAttr(*perm)));
  return importUnary(gi, TransposeOp::getOperationName(), attrs);
}

static LogicalResult importFlatten(GraphImporter &gi) {
  return importUnary(gi, FlattenOp::getOperationName(),
                     {gi.named("axis", gi.getBuilder().getI64IntegerAttr(
                                           gi.intAttr("axis", 1)))});
}

static LogicalResult importConcat(GraphImporter &gi) {
  SmallVector<Value> operands;
  for (int i = 0; i < gi.getNumInputs(); ++i) {
    FailureOr<Value> v = gi.operand(i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  if (!gi.attr("axis"))
    return gi.fail("axis is required");
  return gi.defineOutput(gi.build1(
      ConcatOp::getOperationName(), operands,
      {gi.named("axis",
                gi.getBuilder().getI64IntegerAttr(gi.intAttr("axis", 0)))}));
}

/// Split into given sizes, or into num_outputs (or as many as there are
/// outputs) nearly equal pieces.
template <ListFrom SizesFrom>
static LogicalResult importSplit(GraphImporter &gi) {
  int64_t axisAttr = gi.intAttr("axis", 0);
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  RankedTensorType t = gi.typeOf(*x);
  auto axis = normalizeAxis(axisAttr, t.getRank());
  if (!axis)
    return gi.fail("axis " + Twine(axisAttr) + " is out of range");
  FailureOr<SmallVector<int64_t>> sizes = getIntList(gi, SizesFrom, "split", 1);
  if (failed(sizes))
    return failure();
  int64_t dim = t.getDimSize(*axis);
  int64_t outputs = gi.getNumOutputs();
  if (sizes->empty()) {
    int64_t n = gi.attr("num_outputs") ? gi.intAttr("num_outputs", 1) : outputs;
    if (n < 1)
      return gi.fail("num_outputs must be positive");
    int64_t chunk = (dim + n - 1) / n;
    for (int64_t i = 0; i < n; ++i)
      sizes->push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
  }
  if (int64_t(sizes->size()) != outputs)
    return gi.fail("split has " + Twine(sizes->size()) + " sizes for " +
                   Twine(outputs) + " outputs");
  OpBuilder &b = gi.getBuilder();
  FailureOr<Operation *> op =
      gi.build(SplitOp::getOperationName(), {*x},
               {gi.named("axis", b.getI64IntegerAttr(*axis)),
                gi.named("sizes", b.getDenseI64ArrayAttr(*sizes))});
  if (failed(op))
    return failure();
  for (int i = 0; i < outputs; ++i)
    if (failed(gi.define(gi.output(i), (*op)->getResult(i))))
      return failure();
  return success();
}

/// Slice-1 takes starts, ends and axes as attributes; Slice-10 and later
/// take them and steps as constant inputs.
template <ListFrom BoundsFrom>
static LogicalResult importSlice(GraphImporter &gi) {
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  FailureOr<SmallVector<int64_t>> starts =
      getIntList(gi, BoundsFrom, "starts", 1);
  if (failed(starts))
    return failure();
  FailureOr<SmallVector<int64_t>> ends = getIntList(gi, BoundsFrom, "ends", 2);
  if (failed(ends))
    return failure();
  FailureOr<SmallVector<int64_t>> axes = getIntList(gi, BoundsFrom, "axes", 3);
  if (failed(axes))
    return failure();
  SmallVector<int64_t> steps;
  if (BoundsFrom == ListFrom::Input) {
    FailureOr<SmallVector<int64_t>> given =
        getIntList(gi, ListFrom::Input, "steps", 4);
    if (failed(given))
      return failure();
    steps = *given;
  }
  if (axes->empty())
    for (size_t i = 0; i < starts->size(); ++i)
      axes->push_back(i);
  if (steps.empty())
    steps.assign(starts->size(), 1);
  OpBuilder &b = gi.getBuilder();
  return gi.defineOutput(
      gi.build1(SliceOp::getOperationName(), {*x},
                {gi.named("starts", b.getDenseI64ArrayAttr(*starts)),
                 gi.named("ends", b.getDenseI64ArrayAttr(*ends)),
                 gi.named("axes", b.getDenseI64ArrayAttr(*axes)),
                 gi.named("steps", b.getDenseI64ArrayAttr(steps))}));
}

/// Pad's mode attribute; fails with the node's error when unsupported.
static FailureOr<PadMode> getPadMode(GraphImporter &gi) {
  std::string mode = gi.stringAttr("mode", "constant");
  if (std::optional<PadMode> padMode = symbolizePadMode(mode))
    return *padMode;
  (void)gi.fail("pad mode '" + mode + "' is not supported");
  return failure();
}

static LogicalResult buildPad(GraphImporter &gi, Value x, PadMode mode,
                              ArrayRef<int64_t> pads, float value) {
  OpBuilder &b = gi.getBuilder();
  return gi.defineOutput(
      gi.build1(PadOp::getOperationName(), {x},
                {gi.named("pads", b.getDenseI64ArrayAttr(pads)),
                 gi.named("mode", PadModeAttr::get(gi.getContext(), mode)),
                 gi.named("value", b.getF32FloatAttr(value))}));
}

/// Pad-1 and Pad-2: pads and value are attributes.
static LogicalResult importPadWithAttrs(GraphImporter &gi) {
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  FailureOr<PadMode> mode = getPadMode(gi);
  if (failed(mode))
    return failure();
  return buildPad(gi, *x, *mode,
                  gi.intsAttr("pads").value_or(SmallVector<int64_t>()),
                  gi.floatAttr("value", 0.0f));
}

/// Pad-11 and later: pads, the constant value and (18) the axes are
/// constant inputs.
static LogicalResult importPadWithInputs(GraphImporter &gi) {
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  int64_t rank = gi.typeOf(*x).getRank();
  FailureOr<PadMode> mode = getPadMode(gi);
  if (failed(mode))
    return failure();
  FailureOr<SmallVector<int64_t>> pads = gi.constInts(gi.input(1), "pads");
  if (failed(pads))
    return failure();
  float value = 0.0f;
  if (gi.hasInput(2)) {
    FailureOr<float> v = gi.constFloat(gi.input(2), "constant_value");
    if (failed(v))
      return failure();
    value = *v;
  }
  if (gi.hasInput(3)) {
    FailureOr<SmallVector<int64_t>> axes = gi.constInts(gi.input(3), "axes");
    if (failed(axes))
      return failure();
    if (pads->size() != 2 * axes->size())
      return gi.fail("pads must have two entries per axis");
    SmallVector<int64_t> full(2 * rank, 0);
    for (auto [i, a] : llvm::enumerate(*axes)) {
      auto n = normalizeAxis(a, rank);
      if (!n)
        return gi.fail("axis " + Twine(a) + " is out of range");
      full[*n] = (*pads)[i];
      full[rank + *n] = (*pads)[axes->size() + i];
    }
    *pads = full;
  }
  return buildPad(gi, *x, *mode, *pads, value);
}

static LogicalResult importGather(GraphImporter &gi) {
  FailureOr<Value> data = gi.operand(0), indices = gi.operand(1);
  if (failed(data) || failed(indices))
    return failure();
  return gi.defineOutput(gi.build1(
      GatherOp::getOperationName(), {*data, *indices},
      {gi.named("axis",
                gi.getBuilder().getI64IntegerAttr(gi.intAttr("axis", 0)))}));
}

/// Expand and Tile: input 1 is a constant integer list that becomes the
/// attribute `attrName`.
static ImportFn withConstListImporter(StringRef opName, StringRef attrName) {
  return [opName, attrName](GraphImporter &gi) -> LogicalResult {
    FailureOr<Value> x = gi.operand(0);
    if (failed(x))
      return failure();
    FailureOr<SmallVector<int64_t>> list = gi.constInts(gi.input(1), attrName);
    if (failed(list))
      return failure();
    return gi.defineOutput(gi.build1(
        opName, {*x},
        {gi.named(attrName, gi.getBuilder().getDenseI64ArrayAttr(*list))}));
  };
}

/// SpaceToDepth and DepthToSpace as reshape, transpose, reshape.
template <bool ToDepth>
static LogicalResult importSpaceDepth(GraphImporter &gi) {
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> s = gi.typeOf(*x).getShape();
  int64_t b = gi.intAttr("blocksize", 0);
  if (s.size() != 4 || llvm::any_of(s, ShapedType::isDynamic))
    return gi.fail("the input must be a static N x C x H x W tensor");
  if (b < 1)
    return gi.fail("blocksize must be positive, got " + Twine(b));
  int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  SmallVector<int64_t> split, perm, result;
  if (ToDepth) {
    if (h % b || w % b)
      return gi.fail("H and W must be multiples of blocksize " + Twine(b));
    split = {n, c, h / b, b, w / b, b};
    perm = {0, 3, 5, 1, 2, 4};
    result = {n, c * b * b, h / b, w / b};
  } else {
    if (c % (b * b))
      return gi.fail("C must be a multiple of blocksize^2 = " + Twine(b * b));
    std::string mode = gi.stringAttr("mode", "DCR");
    if (mode == "DCR") {
      split = {n, b, b, c / (b * b), h, w};
      perm = {0, 3, 4, 1, 5, 2};
    } else if (mode == "CRD") {
      split = {n, c / (b * b), b, b, h, w};
      perm = {0, 1, 4, 2, 5, 3};
    } else {
      return gi.fail("mode must be DCR or CRD, got '" + mode + "'");
    }
    result = {n, c / (b * b), h * b, w * b};
  }
  FailureOr<Value> v = gi.reshape(*x, split);
  if (succeeded(v))
    v = gi.transpose(*v, perm);
  if (succeeded(v))
    v = gi.reshape(*v, result);
  return gi.defineOutput(v);
}

void importer::registerDataMovementOps(OpRegistry &registry) {
  // Shape computations on constants are evaluated at import.
  constexpr Folding fold = Folding::WhenConstant;
  registry.add("Reshape", importReshapeWithAttr, fold);
  registry.add("Reshape", 5, importReshapeWithInput, fold);
  registry.add("Flatten", importFlatten, fold);
  registry.add("Squeeze", importSqueeze<false, ListFrom::Attribute>, fold);
  registry.add("Squeeze", 13, importSqueeze<false, ListFrom::Input>, fold);
  registry.add("Unsqueeze", importSqueeze<true, ListFrom::Attribute>, fold);
  registry.add("Unsqueeze", 13, importSqueeze<true, ListFrom::Input>, fold);
  registry.add("Transpose", importTranspose, fold);
  registry.add("Concat", importConcat, fold);
  registry.add("Slice", importSlice<ListFrom::Attribute>, fold);
  registry.add("Slice", 10, importSlice<ListFrom::Input>, fold);
  registry.add("Gather", importGather, fold);
  registry.add("Split", importSplit<ListFrom::Attribute>);
  registry.add("Split", 13, importSplit<ListFrom::Input>);
  registry.add("Pad", importPadWithAttrs);
  registry.add("Pad", 11, importPadWithInputs);
  registry.add("Expand",
               withConstListImporter(ExpandOp::getOperationName(), "shape"),
               fold);
  registry.add("Tile",
               withConstListImporter(TileOp::getOperationName(), "repeats"),
               fold);
  registry.add("SpaceToDepth", importSpaceDepth<true>);
  registry.add("DepthToSpace", importSpaceDepth<false>);
}
