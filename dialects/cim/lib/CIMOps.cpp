//===- CIMOps.cpp - Operations of the cim dialect -------------------------===//
//
// The verifiers, result-type inference, folders and layer-interface methods
// of every graph op, one section per op. The file is long because the
// dialect has about forty ops; their shared rules live in CIMShapes.h, and
// what is left here is each op's own (the ODS-generated code compiles
// beside it through CIMOps.cpp.inc).
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/CIMShapes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"

#include <cmath>

using namespace mlir;
using namespace mlir::cim;

#include "cim/Dialect/CIM/CIMInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "cim/Dialect/CIM/CIMOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

StringRef cim::getNameFromLoc(Location loc) {
  if (auto name = loc.dyn_cast<NameLoc>())
    return name.getName().getValue();
  if (auto fused = loc.dyn_cast<FusedLoc>())
    for (Location inner : fused.getLocations())
      if (StringRef name = getNameFromLoc(inner); !name.empty())
        return name;
  if (auto callSite = loc.dyn_cast<CallSiteLoc>())
    return getNameFromLoc(callSite.getCallee());
  return {};
}

bool cim::hasConstantWeight(LayerOpInterface layer) {
  return matchPattern(layer.getLayerWeight(), m_Constant());
}

bool cim::hasDynamicWeight(LayerOpInterface layer) {
  return isa<MatMulOp>(layer.getOperation()) && !hasConstantWeight(layer);
}

bool cim::isQuantizedLayer(LayerOpInterface layer) {
  return hasConstantWeight(layer) || hasDynamicWeight(layer);
}

static RankedTensorType rankedType(Value value) {
  return value.getType().cast<RankedTensorType>();
}

static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleave(
      shape, os,
      [&](int64_t dim) {
        if (ShapedType::isDynamic(dim))
          os << "?";
        else
          os << dim;
      },
      "x");
  return os.str();
}

/// Reads an optional array attribute, checking its length, with a default.
template <typename VectorT>
static LogicalResult
readArray(std::optional<Location> loc, std::optional<ArrayRef<int64_t>> attr,
          StringRef name, size_t size, int64_t fill, VectorT &out) {
  if (!attr) {
    out.assign(size, fill);
    return success();
  }
  if (attr->size() != size)
    return emitOptionalError(loc, "'", name, "' must have ", size,
                             " entries, got ", attr->size());
  out.assign(attr->begin(), attr->end());
  return success();
}

/// Computes the spatial output of a window (conv or pool) over the k
/// trailing dimensions of N x C x D1 x ... x Dk, k = kernel.size().
static LogicalResult
inferWindow(std::optional<Location> loc, ArrayRef<int64_t> inShape,
            ArrayRef<int64_t> kernel, std::optional<ArrayRef<int64_t>> strides,
            std::optional<ArrayRef<int64_t>> pads,
            std::optional<ArrayRef<int64_t>> dilations, bool ceilMode,
            SmallVectorImpl<int64_t> &spatial) {
  size_t k = kernel.size();
  SmallVector<int64_t, 3> s, d;
  SmallVector<int64_t, 6> p;
  if (failed(readArray(loc, strides, "strides", k, 1, s)) ||
      failed(readArray(loc, pads, "pads", 2 * k, 0, p)) ||
      failed(readArray(loc, dilations, "dilations", k, 1, d)))
    return failure();
  for (size_t i = 0; i < k; ++i) {
    std::string error;
    std::optional<int64_t> out = windowOutputSize(
        inShape[2 + i], kernel[i], s[i], p[i], p[k + i], d[i], ceilMode, error);
    if (!out)
      return emitOptionalError(loc, "spatial dimension ", i, ": ", error);
    spatial.push_back(*out);
  }
  return success();
}

template <typename OpT> static SmallVector<int64_t, 2> strideValues(OpT op) {
  if (auto v = op.getStrides())
    return SmallVector<int64_t, 2>(v->begin(), v->end());
  return {1, 1};
}
template <typename OpT> static SmallVector<int64_t, 4> padValues(OpT op) {
  if (auto v = op.getPads())
    return SmallVector<int64_t, 4>(v->begin(), v->end());
  return {0, 0, 0, 0};
}
template <typename OpT> static SmallVector<int64_t, 2> dilationValues(OpT op) {
  if (auto v = op.getDilations())
    return SmallVector<int64_t, 2>(v->begin(), v->end());
  return {1, 1};
}

LogicalResult cim::verifyLayerOp(Operation *op) {
  auto layer = cast<LayerOpInterface>(op);
  LayerMatrix matrix = layer.getLayerMatrix();
  if (QuantAttr quant = layer.getLayerQuant()) {
    if (quant.getGranularity() == QuantGranularity::PerChannel &&
        quant.getWscale()) {
      int64_t channels = matrix.cols * matrix.groups;
      if (int64_t(quant.getWscale().size()) != channels)
        return op->emitOpError()
               << "per_channel quantization needs " << channels
               << " weight scales (one per output channel), got "
               << quant.getWscale().size();
    }
  }
  if (MappingAttr mapping = layer.getLayerMapping()) {
    if (mapping.getRows() != matrix.rows || mapping.getCols() != matrix.cols ||
        mapping.getGroups() != matrix.groups)
      return op->emitOpError()
             << "mapping is for a " << mapping.getGroups() << "x"
             << mapping.getRows() << "x" << mapping.getCols()
             << " (groups x rows x cols) matrix but the layer is "
             << matrix.groups << "x" << matrix.rows << "x" << matrix.cols;
    if (QuantAttr quant = layer.getLayerQuant())
      if (mapping.getSlices() > int64_t(quant.getWbits()))
        return op->emitOpError() << "mapping has " << mapping.getSlices()
                                 << " bit slices but the weights have only "
                                 << quant.getWbits() << " bits";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           ValueRange operands,
                                           DictionaryAttr attributes,
                                           RegionRange regions,
                                           SmallVectorImpl<Type> &inferred) {
  ConstantOpAdaptor adaptor(operands, attributes, regions);
  auto value = adaptor.getValueAttr();
  if (!value)
    return emitOptionalError(loc, "requires a 'value' attribute");
  auto type = value.getType().dyn_cast<RankedTensorType>();
  if (!type)
    return emitOptionalError(loc, "value must be a ranked tensor");
  inferred.push_back(type);
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValueAttr(); }

//===----------------------------------------------------------------------===//
// Conv2dOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2dOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         ValueRange operands,
                                         DictionaryAttr attributes,
                                         RegionRange regions,
                                         SmallVectorImpl<Type> &inferred) {
  Conv2dOpAdaptor adaptor(operands, attributes, regions);
  auto inType = rankedType(adaptor.getInput());
  auto wType = rankedType(adaptor.getWeight());
  if (inType.getRank() != 4)
    return emitOptionalError(loc, "input must be 4-D (NCHW), got rank ",
                             inType.getRank());
  if (wType.getRank() != 4)
    return emitOptionalError(loc, "weight must be 4-D (OIHW), got rank ",
                             wType.getRank());
  int64_t group = adaptor.getGroup();
  if (group < 1)
    return emitOptionalError(loc, "group must be positive, got ", group);
  ArrayRef<int64_t> in = inType.getShape(), w = wType.getShape();
  if (!ShapedType::isDynamic(in[1]) && !ShapedType::isDynamic(w[1]) &&
      in[1] != w[1] * group)
    return emitOptionalError(loc, "input has ", in[1],
                             " channels but weight expects ", w[1], " x ",
                             group, " groups = ", w[1] * group);
  if (!ShapedType::isDynamic(w[0]) && w[0] % group != 0)
    return emitOptionalError(loc, "output channels (", w[0],
                             ") must be divisible by group (", group, ")");
  if (ShapedType::isDynamic(w[2]) || ShapedType::isDynamic(w[3]))
    return emitOptionalError(loc, "kernel size must be static");
  SmallVector<int64_t> shape = {in[0], w[0]};
  if (failed(inferWindow(loc, in, {w[2], w[3]}, adaptor.getStrides(),
                         adaptor.getPads(), adaptor.getDilations(),
                         /*ceilMode=*/false, shape)))
    return failure();
  if (Value bias = adaptor.getBias()) {
    auto bType = rankedType(bias);
    if (bType.getRank() != 1 ||
        (!ShapedType::isDynamic(bType.getDimSize(0)) &&
         !ShapedType::isDynamic(w[0]) && bType.getDimSize(0) != w[0]))
      return emitOptionalError(loc, "bias must be 1-D with ", w[0],
                               " elements, got tensor<",
                               shapeString(bType.getShape()), ">");
  }
  inferred.push_back(RankedTensorType::get(shape, inType.getElementType()));
  return success();
}

SmallVector<int64_t, 2> Conv2dOp::getStrideValues() {
  return strideValues(*this);
}
SmallVector<int64_t, 4> Conv2dOp::getPadValues() { return padValues(*this); }
SmallVector<int64_t, 2> Conv2dOp::getDilationValues() {
  return dilationValues(*this);
}

Value Conv2dOp::getLayerInput() { return getInput(); }
Value Conv2dOp::getLayerWeight() { return getWeight(); }

LayerMatrix Conv2dOp::getLayerMatrix() {
  ArrayRef<int64_t> w = rankedType(getWeight()).getShape();
  ArrayRef<int64_t> out = getType().getShape();
  LayerMatrix matrix;
  matrix.groups = getGroup();
  matrix.rows = w[1] * w[2] * w[3];
  matrix.cols = w[0] / matrix.groups;
  matrix.invocations = shapeProduct({out[0], out[2], out[3]});
  return matrix;
}

//===----------------------------------------------------------------------===//
// GemmOp
//===----------------------------------------------------------------------===//

LogicalResult
GemmOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                         ValueRange operands, DictionaryAttr attributes,
                         RegionRange regions, SmallVectorImpl<Type> &inferred) {
  GemmOpAdaptor adaptor(operands, attributes, regions);
  auto aType = rankedType(adaptor.getA());
  auto bType = rankedType(adaptor.getB());
  if (aType.getRank() != 2 || bType.getRank() != 2)
    return emitOptionalError(loc, "A and B must be 2-D, got tensor<",
                             shapeString(aType.getShape()), "> and tensor<",
                             shapeString(bType.getShape()), ">");
  int64_t m = aType.getDimSize(adaptor.getTransA() ? 1 : 0);
  int64_t ka = aType.getDimSize(adaptor.getTransA() ? 0 : 1);
  int64_t kb = bType.getDimSize(adaptor.getTransB() ? 1 : 0);
  int64_t n = bType.getDimSize(adaptor.getTransB() ? 0 : 1);
  if (!ShapedType::isDynamic(ka) && !ShapedType::isDynamic(kb) && ka != kb)
    return emitOptionalError(loc, "inner dimensions differ: A' is ",
                             shapeString({m, ka}), " and B' is ",
                             shapeString({kb, n}));
  if (Value c = adaptor.getC()) {
    auto cShape = rankedType(c).getShape();
    auto joined = broadcastShapes(cShape, {m, n});
    if (cShape.size() > 2 || !joined || (*joined)[0] != m || (*joined)[1] != n)
      return emitOptionalError(loc, "C of shape ", shapeString(cShape),
                               " does not broadcast to ", shapeString({m, n}));
  }
  inferred.push_back(RankedTensorType::get({m, n}, aType.getElementType()));
  return success();
}

Value GemmOp::getLayerInput() { return getA(); }
Value GemmOp::getLayerWeight() { return getB(); }

LayerMatrix GemmOp::getLayerMatrix() {
  ArrayRef<int64_t> b = rankedType(getB()).getShape();
  LayerMatrix matrix;
  matrix.rows = b[getTransB() ? 1 : 0];
  matrix.cols = b[getTransB() ? 0 : 1];
  matrix.invocations = getType().getDimSize(0);
  return matrix;
}

//===----------------------------------------------------------------------===//
// MatMulOp
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         ValueRange operands,
                                         DictionaryAttr attributes,
                                         RegionRange regions,
                                         SmallVectorImpl<Type> &inferred) {
  MatMulOpAdaptor adaptor(operands, attributes, regions);
  auto lType = rankedType(adaptor.getLhs());
  auto rType = rankedType(adaptor.getRhs());
  if (lType.getRank() < 1 || rType.getRank() < 1)
    return emitOptionalError(loc, "matmul operands must have rank >= 1");
  SmallVector<int64_t> l(lType.getShape()), r(rType.getShape());
  bool lhsVector = l.size() == 1, rhsVector = r.size() == 1;
  if (lhsVector)
    l.insert(l.begin(), 1);
  if (rhsVector)
    r.push_back(1);
  int64_t kl = l.back(), kr = r[r.size() - 2];
  if (!ShapedType::isDynamic(kl) && !ShapedType::isDynamic(kr) && kl != kr)
    return emitOptionalError(
        loc, "inner dimensions differ: ", shapeString(lType.getShape()), " x ",
        shapeString(rType.getShape()));
  auto batch = broadcastShapes(ArrayRef<int64_t>(l).drop_back(2),
                               ArrayRef<int64_t>(r).drop_back(2));
  if (!batch)
    return emitOptionalError(loc, "batch dimensions do not broadcast: ",
                             shapeString(lType.getShape()), " x ",
                             shapeString(rType.getShape()));
  SmallVector<int64_t> shape = *batch;
  if (!lhsVector)
    shape.push_back(l[l.size() - 2]);
  if (!rhsVector)
    shape.push_back(r.back());
  inferred.push_back(RankedTensorType::get(shape, lType.getElementType()));
  return success();
}

Value MatMulOp::getLayerInput() { return getLhs(); }
Value MatMulOp::getLayerWeight() { return getRhs(); }

LayerMatrix MatMulOp::getLayerMatrix() {
  ArrayRef<int64_t> r = rankedType(getRhs()).getShape();
  LayerMatrix matrix;
  if (r.size() == 1) {
    matrix.rows = r[0];
    matrix.cols = 1;
  } else {
    matrix.rows = r[r.size() - 2];
    matrix.cols = r.back();
    matrix.groups = shapeProduct(r.drop_back(2));
  }
  // Every output vector (result without its last dimension) is one MVM.
  ArrayRef<int64_t> out = getType().getShape();
  int64_t vectors =
      r.size() == 1 ? shapeProduct(out) : shapeProduct(out.drop_back());
  matrix.invocations = ShapedType::isDynamic(vectors) || matrix.groups < 1
                           ? vectors
                           : vectors / matrix.groups;
  return matrix;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

static LogicalResult inferBroadcast(std::optional<Location> loc,
                                    ValueRange operands,
                                    SmallVectorImpl<Type> &inferred) {
  auto lType = rankedType(operands[0]);
  auto rType = rankedType(operands[1]);
  if (lType.getElementType() != rType.getElementType())
    return emitOptionalError(
        loc, "operands have different element types: ", lType.getElementType(),
        " and ", rType.getElementType());
  auto shape = broadcastShapes(lType.getShape(), rType.getShape());
  if (!shape)
    return emitOptionalError(loc, "shapes ", shapeString(lType.getShape()),
                             " and ", shapeString(rType.getShape()),
                             " do not broadcast");
  inferred.push_back(RankedTensorType::get(*shape, lType.getElementType()));
  return success();
}

#define CIM_BROADCAST_INFER(OP)                                                \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, ValueRange operands,         \
      DictionaryAttr, RegionRange, SmallVectorImpl<Type> &inferred) {          \
    return inferBroadcast(loc, operands, inferred);                            \
  }
CIM_BROADCAST_INFER(AddOp)
CIM_BROADCAST_INFER(SubOp)
CIM_BROADCAST_INFER(MulOp)
CIM_BROADCAST_INFER(DivOp)
CIM_BROADCAST_INFER(PowOp)
CIM_BROADCAST_INFER(MaxOp)
CIM_BROADCAST_INFER(MinOp)
CIM_BROADCAST_INFER(PReluOp)
#undef CIM_BROADCAST_INFER

/// Broadcast of same-typed operands with an i1 result.
static LogicalResult inferPredicate(std::optional<Location> loc,
                                    ValueRange operands,
                                    SmallVectorImpl<Type> &inferred) {
  if (failed(inferBroadcast(loc, operands, inferred)))
    return failure();
  auto type = inferred.back().cast<RankedTensorType>();
  inferred.back() = RankedTensorType::get(
      type.getShape(), IntegerType::get(type.getContext(), 1));
  return success();
}

#define CIM_PREDICATE_INFER(OP)                                                \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, ValueRange operands,         \
      DictionaryAttr, RegionRange, SmallVectorImpl<Type> &inferred) {          \
    return inferPredicate(loc, operands, inferred);                            \
  }
CIM_PREDICATE_INFER(EqualOp)
CIM_PREDICATE_INFER(LessOp)
CIM_PREDICATE_INFER(LessEqualOp)
CIM_PREDICATE_INFER(GreaterOp)
CIM_PREDICATE_INFER(GreaterEqualOp)
CIM_PREDICATE_INFER(AndOp)
CIM_PREDICATE_INFER(OrOp)
CIM_PREDICATE_INFER(XorOp)
#undef CIM_PREDICATE_INFER

LogicalResult WhereOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        ValueRange operands, DictionaryAttr,
                                        RegionRange,
                                        SmallVectorImpl<Type> &inferred) {
  auto cType = rankedType(operands[0]);
  auto xType = rankedType(operands[1]);
  auto yType = rankedType(operands[2]);
  if (xType.getElementType() != yType.getElementType())
    return emitOptionalError(
        loc, "x and y have different element types: ", xType.getElementType(),
        " and ", yType.getElementType());
  auto shape = broadcastShapes(cType.getShape(), xType.getShape());
  if (shape)
    shape = broadcastShapes(*shape, yType.getShape());
  if (!shape)
    return emitOptionalError(loc, "shapes ", shapeString(cType.getShape()),
                             ", ", shapeString(xType.getShape()), " and ",
                             shapeString(yType.getShape()),
                             " do not broadcast");
  inferred.push_back(RankedTensorType::get(*shape, xType.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling and reductions
//===----------------------------------------------------------------------===//

template <typename AdaptorT>
static LogicalResult inferPool(std::optional<Location> loc, AdaptorT adaptor,
                               SmallVectorImpl<Type> &inferred) {
  auto inType = rankedType(adaptor.getInput());
  ArrayRef<int64_t> kernel = adaptor.getKernelShape();
  int64_t k = kernel.size();
  if (k < 1 || k > 3)
    return emitOptionalError(loc,
                             "'kernel_shape' must have 1 to 3 entries, "
                             "got ",
                             k);
  if (inType.getRank() != k + 2)
    return emitOptionalError(loc, "input must have rank ", k + 2, " (N x C x ",
                             k, " spatial dimensions), got ", inType.getRank());
  ArrayRef<int64_t> in = inType.getShape();
  SmallVector<int64_t> shape = {in[0], in[1]};
  if (failed(inferWindow(loc, in, kernel, adaptor.getStrides(),
                         adaptor.getPads(), adaptor.getDilations(),
                         adaptor.getCeilMode(), shape)))
    return failure();
  // A window must see at least one real element.
  SmallVector<int64_t, 6> pads;
  (void)readArray(loc, adaptor.getPads(), "pads", 2 * k, 0, pads);
  for (int64_t i = 0; i < k; ++i)
    if (pads[i] >= kernel[i] || pads[k + i] >= kernel[i])
      return emitOptionalError(loc, "pads must be smaller than the kernel");
  inferred.push_back(RankedTensorType::get(shape, inType.getElementType()));
  return success();
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> loc,
                                          ValueRange operands,
                                          DictionaryAttr attributes,
                                          RegionRange regions,
                                          SmallVectorImpl<Type> &inferred) {
  MaxPoolOpAdaptor adaptor(operands, attributes, regions);
  if (failed(inferPool(loc, adaptor, inferred)))
    return failure();
  if (adaptor.getWithIndices()) {
    if (adaptor.getStorageOrder() != 0 && adaptor.getStorageOrder() != 1)
      return emitOptionalError(loc, "storage_order must be 0 or 1, got ",
                               adaptor.getStorageOrder());
    inferred.push_back(RankedTensorType::get(
        inferred.back().cast<RankedTensorType>().getShape(),
        IntegerType::get(context, 64)));
  }
  return success();
}

LogicalResult AvgPoolOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          ValueRange operands,
                                          DictionaryAttr attributes,
                                          RegionRange regions,
                                          SmallVectorImpl<Type> &inferred) {
  return inferPool(loc, AvgPoolOpAdaptor(operands, attributes, regions),
                   inferred);
}

template <typename OpT>
static SmallVector<int64_t, 3> poolVector(std::optional<ArrayRef<int64_t>> v,
                                          size_t size, int64_t fill) {
  if (v)
    return SmallVector<int64_t, 3>(v->begin(), v->end());
  return SmallVector<int64_t, 3>(size, fill);
}

#define CIM_POOL_ACCESSORS(OP)                                                 \
  SmallVector<int64_t, 3> OP::getStrideValues() {                              \
    return poolVector<OP>(getStrides(), getSpatialRank(), 1);                  \
  }                                                                            \
  SmallVector<int64_t, 6> OP::getPadValues() {                                 \
    SmallVector<int64_t, 3> v =                                                \
        poolVector<OP>(getPads(), 2 * getSpatialRank(), 0);                    \
    return SmallVector<int64_t, 6>(v.begin(), v.end());                        \
  }                                                                            \
  SmallVector<int64_t, 3> OP::getDilationValues() {                            \
    return poolVector<OP>(getDilations(), getSpatialRank(), 1);                \
  }
CIM_POOL_ACCESSORS(MaxPoolOp)
CIM_POOL_ACCESSORS(AvgPoolOp)
#undef CIM_POOL_ACCESSORS

static LogicalResult inferGlobalPool(std::optional<Location> loc,
                                     ValueRange operands,
                                     SmallVectorImpl<Type> &inferred) {
  auto inType = rankedType(operands[0]);
  if (inType.getRank() < 3)
    return emitOptionalError(loc, "input must be N x C x spatial..., got rank ",
                             inType.getRank());
  SmallVector<int64_t> shape(inType.getShape());
  std::fill(shape.begin() + 2, shape.end(), 1);
  inferred.push_back(RankedTensorType::get(shape, inType.getElementType()));
  return success();
}

LogicalResult GlobalAvgPoolOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, ValueRange operands,
    DictionaryAttr, RegionRange, SmallVectorImpl<Type> &inferred) {
  return inferGlobalPool(loc, operands, inferred);
}

LogicalResult GlobalMaxPoolOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, ValueRange operands,
    DictionaryAttr, RegionRange, SmallVectorImpl<Type> &inferred) {
  return inferGlobalPool(loc, operands, inferred);
}

/// Result type of a reduction over `axes` (every axis when empty).
static LogicalResult inferReduce(std::optional<Location> loc, Value input,
                                 ArrayRef<int64_t> axes, bool keepdims,
                                 SmallVectorImpl<Type> &inferred) {
  auto inType = rankedType(input);
  int64_t rank = inType.getRank();
  llvm::SmallBitVector reduced(rank, axes.empty());
  for (int64_t axis : axes) {
    auto norm = normalizeAxis(axis, rank);
    if (!norm)
      return emitOptionalError(loc, "axis ", axis, " is out of range for rank ",
                               rank);
    if (reduced.test(*norm))
      return emitOptionalError(loc, "axis ", axis, " is listed twice");
    reduced.set(*norm);
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced.test(i))
      shape.push_back(inType.getDimSize(i));
    else if (keepdims)
      shape.push_back(1);
  }
  inferred.push_back(RankedTensorType::get(shape, inType.getElementType()));
  return success();
}

#define CIM_REDUCE_INFER(OP)                                                   \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, ValueRange operands,         \
      DictionaryAttr attributes, RegionRange regions,                          \
      SmallVectorImpl<Type> &inferred) {                                       \
    OP##Adaptor adaptor(operands, attributes, regions);                        \
    return inferReduce(loc, adaptor.getInput(), adaptor.getAxes(),             \
                       adaptor.getKeepdims(), inferred);                       \
  }
CIM_REDUCE_INFER(ReduceMeanOp)
CIM_REDUCE_INFER(ReduceSumOp)
CIM_REDUCE_INFER(ReduceProdOp)
CIM_REDUCE_INFER(ReduceL1Op)
CIM_REDUCE_INFER(ReduceL2Op)
CIM_REDUCE_INFER(ReduceSumSquareOp)
CIM_REDUCE_INFER(ReduceLogSumOp)
CIM_REDUCE_INFER(ReduceLogSumExpOp)
CIM_REDUCE_INFER(ReduceMaxOp)
CIM_REDUCE_INFER(ReduceMinOp)
#undef CIM_REDUCE_INFER

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::verify() {
  if (!normalizeAxis(getAxis(), getType().getRank()))
    return emitOpError() << "axis " << getAxis() << " is out of range for rank "
                         << getType().getRank();
  return success();
}

LogicalResult LogSoftmaxOp::verify() {
  if (!normalizeAxis(getAxis(), getType().getRank()))
    return emitOpError() << "axis " << getAxis() << " is out of range for rank "
                         << getType().getRank();
  return success();
}

LogicalResult InstanceNormOp::verify() {
  auto type = getType();
  if (type.getRank() < 3)
    return emitOpError() << "input must be N x C x spatial..., got rank "
                         << type.getRank();
  int64_t channels = type.getDimSize(1);
  for (Value param : {getScale(), getBias()}) {
    auto paramType = rankedType(param);
    if (paramType.getRank() != 1 ||
        (!ShapedType::isDynamic(channels) && !paramType.isDynamicDim(0) &&
         paramType.getDimSize(0) != channels))
      return emitOpError() << "scale and bias must have shape [" << channels
                           << "], got " << paramType;
  }
  return success();
}

LogicalResult LrnOp::verify() {
  if (getType().getRank() < 3)
    return emitOpError() << "input must be N x C x spatial..., got rank "
                         << getType().getRank();
  if (getSize() < 1)
    return emitOpError() << "size must be positive, got " << getSize();
  return success();
}

LogicalResult LayerNormOp::verify() {
  int64_t rank = getType().getRank();
  auto axis = normalizeAxis(getAxis(), rank);
  if (!axis)
    return emitOpError() << "axis " << getAxis() << " is out of range for rank "
                         << rank;
  ArrayRef<int64_t> normalized = getType().getShape().drop_front(*axis);
  auto check = [&](Value v, StringRef what) -> LogicalResult {
    ArrayRef<int64_t> shape = rankedType(v).getShape();
    auto joined = broadcastShapes(shape, normalized);
    if (shape.size() > normalized.size() || !joined ||
        ArrayRef<int64_t>(*joined) != normalized)
      return emitOpError() << what << " of shape " << shapeString(shape)
                           << " does not broadcast to the normalized shape "
                           << shapeString(normalized);
    return success();
  };
  if (failed(check(getScale(), "scale")))
    return failure();
  if (getBias() && failed(check(getBias(), "bias")))
    return failure();
  return success();
}

LogicalResult BatchNormOp::verify() {
  if (getType().getRank() < 2)
    return emitOpError() << "input must have a channel dimension";
  int64_t channels = getType().getDimSize(1);
  // Named arrays: the backing arrays of braced temporaries inside the
  // range expression would be gone before the loop body reads them.
  Value operands[] = {getScale(), getBias(), getMean(), getVar()};
  StringRef names[] = {"scale", "bias", "mean", "var"};
  for (auto [value, what] : llvm::zip(operands, names)) {
    auto type = rankedType(value);
    if (type.getRank() != 1 ||
        (!ShapedType::isDynamic(channels) && !type.isDynamicDim(0) &&
         type.getDimSize(0) != channels))
      return emitOpError() << what << " must be 1-D with " << channels
                           << " elements, got tensor<"
                           << shapeString(type.getShape()) << ">";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  int64_t in = shapeProduct(rankedType(getInput()).getShape());
  int64_t out = shapeProduct(getType().getShape());
  if (!ShapedType::isDynamic(in) && !ShapedType::isDynamic(out) && in != out)
    return emitOpError() << "cannot reshape " << in << " elements into "
                         << shapeString(getType().getShape()) << " (" << out
                         << " elements)";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto dense = adaptor.getInput().dyn_cast_or_null<DenseElementsAttr>())
    if (getType().hasStaticShape())
      return dense.reshape(getType());
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          ValueRange operands,
                                          DictionaryAttr attributes,
                                          RegionRange regions,
                                          SmallVectorImpl<Type> &inferred) {
  FlattenOpAdaptor adaptor(operands, attributes, regions);
  auto inType = rankedType(adaptor.getInput());
  int64_t rank = inType.getRank();
  int64_t axis = adaptor.getAxis();
  // Flatten accepts axis == rank (everything in the outer dimension).
  if (axis < -rank || axis > rank)
    return emitOptionalError(loc, "axis ", axis, " is out of range for rank ",
                             rank);
  if (axis < 0)
    axis += rank;
  ArrayRef<int64_t> shape = inType.getShape();
  inferred.push_back(
      RankedTensorType::get({shapeProduct(shape.take_front(axis)),
                             shapeProduct(shape.drop_front(axis))},
                            inType.getElementType()));
  return success();
}

SmallVector<int64_t, 4> TransposeOp::getPermValues() {
  if (auto perm = getPerm())
    return SmallVector<int64_t, 4>(perm->begin(), perm->end());
  int64_t rank = rankedType(getInput()).getRank();
  SmallVector<int64_t, 4> perm;
  for (int64_t i = rank - 1; i >= 0; --i)
    perm.push_back(i);
  return perm;
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            ValueRange operands,
                                            DictionaryAttr attributes,
                                            RegionRange regions,
                                            SmallVectorImpl<Type> &inferred) {
  TransposeOpAdaptor adaptor(operands, attributes, regions);
  auto inType = rankedType(adaptor.getInput());
  int64_t rank = inType.getRank();
  SmallVector<int64_t> perm;
  if (auto attr = adaptor.getPerm())
    perm.assign(attr->begin(), attr->end());
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  if (int64_t(perm.size()) != rank)
    return emitOptionalError(loc, "perm has ", perm.size(),
                             " entries for a tensor of rank ", rank);
  llvm::SmallBitVector seen(rank);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen.test(p))
      return emitOptionalError(loc, "perm is not a permutation of 0..",
                               rank - 1);
    seen.set(p);
    shape.push_back(inType.getDimSize(p));
  }
  inferred.push_back(RankedTensorType::get(shape, inType.getElementType()));
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  SmallVector<int64_t, 4> perm = getPermValues();
  for (auto [i, p] : llvm::enumerate(perm))
    if (int64_t(i) != p)
      return {};
  return getInput();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         ValueRange operands,
                                         DictionaryAttr attributes,
                                         RegionRange regions,
                                         SmallVectorImpl<Type> &inferred) {
  ConcatOpAdaptor adaptor(operands, attributes, regions);
  if (operands.empty())
    return emitOptionalError(loc, "concat needs at least one input");
  auto first = rankedType(operands[0]);
  int64_t rank = first.getRank();
  auto axis = normalizeAxis(adaptor.getAxis(), rank);
  if (!axis)
    return emitOptionalError(loc, "axis ", adaptor.getAxis(),
                             " is out of range for rank ", rank);
  SmallVector<int64_t> shape(first.getShape());
  for (auto [index, value] : llvm::enumerate(operands.drop_front())) {
    auto type = rankedType(value);
    if (type.getRank() != rank ||
        type.getElementType() != first.getElementType())
      return emitOptionalError(loc, "input ", index + 1,
                               " differs in rank or element type");
    for (int64_t d = 0; d < rank; ++d) {
      int64_t dim = type.getDimSize(d);
      if (d == *axis) {
        shape[d] = ShapedType::isDynamic(shape[d]) || ShapedType::isDynamic(dim)
                       ? ShapedType::kDynamic
                       : shape[d] + dim;
      } else if (!ShapedType::isDynamic(dim) &&
                 !ShapedType::isDynamic(shape[d]) && dim != shape[d]) {
        return emitOptionalError(
            loc, "input ", index + 1, " has shape ",
            shapeString(type.getShape()), ", which differs from ",
            shapeString(first.getShape()), " outside the concat axis");
      }
    }
  }
  inferred.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

LogicalResult SplitOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        ValueRange operands,
                                        DictionaryAttr attributes,
                                        RegionRange regions,
                                        SmallVectorImpl<Type> &inferred) {
  SplitOpAdaptor adaptor(operands, attributes, regions);
  auto inType = rankedType(adaptor.getInput());
  auto axis = normalizeAxis(adaptor.getAxis(), inType.getRank());
  if (!axis)
    return emitOptionalError(loc, "axis ", adaptor.getAxis(),
                             " is out of range for rank ", inType.getRank());
  int64_t total = 0;
  for (int64_t size : adaptor.getSizes()) {
    if (size < 0)
      return emitOptionalError(loc, "split sizes must be non-negative");
    total += size;
  }
  int64_t dim = inType.getDimSize(*axis);
  if (!ShapedType::isDynamic(dim) && total != dim)
    return emitOptionalError(loc, "split sizes add up to ", total,
                             " but the axis has ", dim);
  for (int64_t size : adaptor.getSizes()) {
    SmallVector<int64_t> shape(inType.getShape());
    shape[*axis] = size;
    inferred.push_back(RankedTensorType::get(shape, inType.getElementType()));
  }
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        ValueRange operands,
                                        DictionaryAttr attributes,
                                        RegionRange regions,
                                        SmallVectorImpl<Type> &inferred) {
  SliceOpAdaptor adaptor(operands, attributes, regions);
  auto inType = rankedType(adaptor.getInput());
  ArrayRef<int64_t> starts = adaptor.getStarts(), ends = adaptor.getEnds(),
                    axes = adaptor.getAxes();
  SmallVector<int64_t> steps;
  if (failed(
          readArray(loc, adaptor.getSteps(), "steps", axes.size(), 1, steps)))
    return failure();
  if (starts.size() != axes.size() || ends.size() != axes.size())
    return emitOptionalError(loc, "starts, ends and axes must have the same "
                                  "length");
  SmallVector<int64_t> shape(inType.getShape());
  llvm::SmallBitVector seen(inType.getRank());
  for (size_t i = 0; i < axes.size(); ++i) {
    auto axis = normalizeAxis(axes[i], inType.getRank());
    if (!axis)
      return emitOptionalError(loc, "axis ", axes[i],
                               " is out of range for rank ", inType.getRank());
    if (seen.test(*axis))
      return emitOptionalError(loc, "axis ", axes[i], " is listed twice");
    seen.set(*axis);
    if (steps[i] == 0)
      return emitOptionalError(loc, "slice steps must be non-zero");
    if (!ShapedType::isDynamic(shape[*axis]))
      shape[*axis] =
          computeSliceRange(shape[*axis], starts[i], ends[i], steps[i]).size;
  }
  inferred.push_back(RankedTensorType::get(shape, inType.getElementType()));
  return success();
}

LogicalResult
PadOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                        ValueRange operands, DictionaryAttr attributes,
                        RegionRange regions, SmallVectorImpl<Type> &inferred) {
  PadOpAdaptor adaptor(operands, attributes, regions);
  auto inType = rankedType(adaptor.getInput());
  int64_t rank = inType.getRank();
  ArrayRef<int64_t> pads = adaptor.getPads();
  if (int64_t(pads.size()) != 2 * rank)
    return emitOptionalError(loc, "'pads' must have ", 2 * rank,
                             " entries (begins then ends), got ", pads.size());
  SmallVector<int64_t> shape(inType.getShape());
  for (int64_t d = 0; d < rank; ++d) {
    if (ShapedType::isDynamic(shape[d]))
      continue;
    shape[d] += pads[d] + pads[rank + d];
    if (shape[d] < 0)
      return emitOptionalError(loc, "pads crop dimension ", d, " below zero");
  }
  inferred.push_back(RankedTensorType::get(shape, inType.getElementType()));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         ValueRange operands,
                                         DictionaryAttr attributes,
                                         RegionRange regions,
                                         SmallVectorImpl<Type> &inferred) {
  GatherOpAdaptor adaptor(operands, attributes, regions);
  auto dType = rankedType(adaptor.getData());
  auto iType = rankedType(adaptor.getIndices());
  auto axis = normalizeAxis(adaptor.getAxis(), dType.getRank());
  if (!axis)
    return emitOptionalError(loc, "axis ", adaptor.getAxis(),
                             " is out of range for rank ", dType.getRank());
  SmallVector<int64_t> shape(dType.getShape().take_front(*axis));
  llvm::append_range(shape, iType.getShape());
  llvm::append_range(shape, dType.getShape().drop_front(*axis + 1));
  inferred.push_back(RankedTensorType::get(shape, dType.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// ExpandOp, TileOp
//===----------------------------------------------------------------------===//

LogicalResult ExpandOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         ValueRange operands,
                                         DictionaryAttr attributes,
                                         RegionRange regions,
                                         SmallVectorImpl<Type> &inferred) {
  ExpandOpAdaptor adaptor(operands, attributes, regions);
  auto inType = rankedType(adaptor.getInput());
  for (int64_t dim : adaptor.getShape())
    if (dim < 0)
      return emitOptionalError(loc, "shape entries must be non-negative, got ",
                               dim);
  auto shape = broadcastShapes(inType.getShape(), adaptor.getShape());
  if (!shape)
    return emitOptionalError(
        loc, "input shape ", shapeString(inType.getShape()),
        " does not broadcast to ", shapeString(adaptor.getShape()));
  inferred.push_back(RankedTensorType::get(*shape, inType.getElementType()));
  return success();
}

LogicalResult
TileOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                         ValueRange operands, DictionaryAttr attributes,
                         RegionRange regions, SmallVectorImpl<Type> &inferred) {
  TileOpAdaptor adaptor(operands, attributes, regions);
  auto inType = rankedType(adaptor.getInput());
  ArrayRef<int64_t> repeats = adaptor.getRepeats();
  if (int64_t(repeats.size()) != inType.getRank())
    return emitOptionalError(loc, "'repeats' must have ", inType.getRank(),
                             " entries, got ", repeats.size());
  SmallVector<int64_t> shape;
  for (auto [dim, repeat] : llvm::zip(inType.getShape(), repeats)) {
    if (repeat < 0)
      return emitOptionalError(loc, "repeats must be non-negative, got ",
                               repeat);
    shape.push_back(ShapedType::isDynamic(dim) ? dim : dim * repeat);
  }
  inferred.push_back(RankedTensorType::get(shape, inType.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// ResizeOp
//===----------------------------------------------------------------------===//

LogicalResult ResizeOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         ValueRange operands,
                                         DictionaryAttr attributes,
                                         RegionRange regions,
                                         SmallVectorImpl<Type> &inferred) {
  ResizeOpAdaptor adaptor(operands, attributes, regions);
  auto inType = rankedType(adaptor.getInput());
  int64_t rank = inType.getRank();
  ArrayRef<double> scales = adaptor.getScales();
  if (int64_t(scales.size()) != rank)
    return emitOptionalError(loc, "'scales' must have ", rank,
                             " entries (one per dimension), got ",
                             scales.size());
  for (auto [d, scale] : llvm::enumerate(scales))
    if (!(scale > 0) || !std::isfinite(scale))
      return emitOptionalError(loc, "scale of dimension ", d,
                               " must be positive and finite, got ", scale);
  std::optional<ArrayRef<int64_t>> sizes = adaptor.getSizes();
  if (sizes) {
    if (int64_t(sizes->size()) != rank)
      return emitOptionalError(loc, "'sizes' must have ", rank,
                               " entries (one per dimension), got ",
                               sizes->size());
    for (auto [d, size] : llvm::enumerate(*sizes))
      if (size < 0)
        return emitOptionalError(loc, "size of dimension ", d,
                                 " must be non-negative, got ", size);
  }
  bool crop = adaptor.getCoordinateTransformationMode() ==
              ResizeCoordinateMode::TfCropAndResize;
  if (std::optional<ArrayRef<double>> roi = adaptor.getRoi()) {
    if (!crop)
      return emitOptionalError(loc, "'roi' is only used by the "
                                    "tf_crop_and_resize coordinate mode");
    if (int64_t(roi->size()) != 2 * rank)
      return emitOptionalError(loc, "'roi' must have ", 2 * rank,
                               " entries (starts then ends), got ",
                               roi->size());
  }
  if (adaptor.getAntialias() && adaptor.getMode() == ResizeMode::Nearest)
    return emitOptionalError(loc, "antialias needs linear or cubic mode");
  SmallVector<int64_t> shape(inType.getShape());
  for (int64_t d = 0; d < rank; ++d) {
    if (sizes)
      shape[d] = (*sizes)[d];
    else if (!ShapedType::isDynamic(shape[d])) {
      // Converted only when it fits: a huge scale must not overflow.
      double size = std::floor(double(shape[d]) * scales[d]);
      if (!(size >= 0 && size < 0x1p62))
        return emitOptionalError(loc, "scale ", scales[d], " of dimension ", d,
                                 " gives a size out of range");
      shape[d] = int64_t(size);
    }
  }
  inferred.push_back(RankedTensorType::get(shape, inType.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Cast
//===----------------------------------------------------------------------===//

LogicalResult CastOp::verify() {
  StringRef mode = getRoundMode();
  if (mode != "up" && mode != "down" && mode != "nearest")
    return emitOpError() << "round_mode must be \"up\", \"down\" or "
                            "\"nearest\", got \""
                         << mode << "\"";
  return success();
}

//===----------------------------------------------------------------------===//
// Quantization (QDQ)
//===----------------------------------------------------------------------===//

/// Checks a blocked scale (and zero point) against the data: the data's
/// rank and shape, except ceil(dim / blockSize) along `axis`.
static LogicalResult verifyBlockedParams(Operation *op, Value data, Value scale,
                                         Value zeroPoint, int64_t axis,
                                         int64_t blockSize) {
  auto dataType = rankedType(data);
  auto scaleType = rankedType(scale);
  if (blockSize < 0)
    return op->emitOpError()
           << "block_size must be positive, got " << blockSize;
  auto norm = normalizeAxis(axis, dataType.getRank());
  if (!norm)
    return op->emitOpError() << "axis " << axis << " is out of range for rank "
                             << dataType.getRank();
  if (scaleType.getRank() != dataType.getRank())
    return op->emitOpError()
           << "blocked scale must have the data's rank " << dataType.getRank()
           << ", got tensor<" << shapeString(scaleType.getShape()) << ">";
  for (int64_t d = 0; d < dataType.getRank(); ++d) {
    int64_t dim = dataType.getDimSize(d), got = scaleType.getDimSize(d);
    if (ShapedType::isDynamic(dim) || ShapedType::isDynamic(got))
      continue;
    int64_t want = d == *norm ? (dim + blockSize - 1) / blockSize : dim;
    if (got != want)
      return op->emitOpError()
             << "blocked scale has " << got << " elements along dimension " << d
             << ", expected " << want << " (data tensor<"
             << shapeString(dataType.getShape()) << ">, block_size "
             << blockSize << ")";
  }
  if (zeroPoint && rankedType(zeroPoint).getShape() != scaleType.getShape())
    return op->emitOpError()
           << "zero_point must have the scale's shape tensor<"
           << shapeString(scaleType.getShape()) << ">, got tensor<"
           << shapeString(rankedType(zeroPoint).getShape()) << ">";
  return success();
}

/// Checks the scale and zero point of a quantize/dequantize op against its
/// (float or integer) data operand: one element each (per tensor), 1-D
/// with one element per slice along `axis` (per axis), or blocked.
static LogicalResult verifyQuantParams(Operation *op, Value data, Value scale,
                                       Value zeroPoint, int64_t axis,
                                       int64_t blockSize) {
  if (blockSize != 0)
    return verifyBlockedParams(op, data, scale, zeroPoint, axis, blockSize);
  auto dataType = rankedType(data);
  auto scaleType = rankedType(scale);
  int64_t scaleCount = shapeProduct(scaleType.getShape());
  if (scaleType.getRank() > 1)
    return op->emitOpError()
           << "scale must be a scalar or 1-D (or blocked, with a "
              "block_size), got tensor<"
           << shapeString(scaleType.getShape()) << ">";
  bool perTensor = scaleCount == 1;
  if (!perTensor) {
    auto norm = normalizeAxis(axis, dataType.getRank());
    if (!norm)
      return op->emitOpError()
             << "axis " << axis << " is out of range for rank "
             << dataType.getRank();
    int64_t dim = dataType.getDimSize(*norm);
    if (!ShapedType::isDynamic(dim) && !ShapedType::isDynamic(scaleCount) &&
        dim != scaleCount)
      return op->emitOpError()
             << "per-axis scale has " << scaleCount << " elements but axis "
             << axis << " of the data has " << dim;
  }
  if (zeroPoint) {
    auto zpType = rankedType(zeroPoint);
    int64_t zpCount = shapeProduct(zpType.getShape());
    if (zpType.getRank() > 1 ||
        (!ShapedType::isDynamic(zpCount) &&
         !ShapedType::isDynamic(scaleCount) && zpCount != scaleCount))
      return op->emitOpError()
             << "zero_point must have as many elements as scale (" << scaleCount
             << "), got tensor<" << shapeString(zpType.getShape()) << ">";
  }
  return success();
}

static int64_t normalizedQuantAxis(Value data, int64_t axis) {
  return normalizeAxis(axis, rankedType(data).getRank()).value_or(0);
}

static bool hasOneElement(Value scale) {
  return shapeProduct(rankedType(scale).getShape()) == 1;
}

LogicalResult QuantizeLinearOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, ValueRange operands,
    DictionaryAttr attributes, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  QuantizeLinearOpAdaptor adaptor(operands, attributes, regions);
  // The zero point fixes the integer type of the result.
  auto zpType = rankedType(adaptor.getZeroPoint());
  inferred.push_back(RankedTensorType::get(
      rankedType(adaptor.getInput()).getShape(), zpType.getElementType()));
  return success();
}

LogicalResult QuantizeLinearOp::verify() {
  if (rankedType(getScale()).getElementType() !=
      rankedType(getInput()).getElementType())
    return emitOpError() << "scale must have the input's element type "
                         << rankedType(getInput()).getElementType();
  return verifyQuantParams(*this, getInput(), getScale(), getZeroPoint(),
                           getAxis(), getBlockSize());
}

bool QuantizeLinearOp::isPerTensor() { return hasOneElement(getScale()); }

int64_t QuantizeLinearOp::getNormalizedAxis() {
  return normalizedQuantAxis(getInput(), getAxis());
}

LogicalResult DequantizeLinearOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, ValueRange operands,
    DictionaryAttr attributes, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  DequantizeLinearOpAdaptor adaptor(operands, attributes, regions);
  // The scale fixes the float type of the result.
  inferred.push_back(
      RankedTensorType::get(rankedType(adaptor.getInput()).getShape(),
                            rankedType(adaptor.getScale()).getElementType()));
  return success();
}

LogicalResult DequantizeLinearOp::verify() {
  if (Value zp = getZeroPoint())
    if (rankedType(zp).getElementType() !=
        rankedType(getInput()).getElementType())
      return emitOpError() << "zero_point must have the input's element type "
                           << rankedType(getInput()).getElementType();
  return verifyQuantParams(*this, getInput(), getScale(), getZeroPoint(),
                           getAxis(), getBlockSize());
}

bool DequantizeLinearOp::isPerTensor() { return hasOneElement(getScale()); }

int64_t DequantizeLinearOp::getNormalizedAxis() {
  return normalizedQuantAxis(getInput(), getAxis());
}
