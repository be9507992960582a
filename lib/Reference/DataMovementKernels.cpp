//===- DataMovementKernels.cpp - Reshape, transpose, slice, pad, ...
//-------===//
//
// These kernels move whole elements as bytes, so they work on every element
// kind (integer shape tensors and indices included).
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include "cim/Dialect/CIM/CIMShapes.h"

#include "llvm/ADT/SmallBitVector.h"

#include <cstring>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::reference;

FailureOr<HostTensor> reference::runReshape(ReshapeOp op, Operands operands) {
  const HostTensor &input = *operands[0];
  SmallVector<int64_t> shape(op.getType().getShape());
  // At most one dynamic result dimension can be inferred from the count.
  int64_t known = 1, dynamicIndex = -1;
  for (auto [i, dim] : llvm::enumerate(shape)) {
    if (!ShapedType::isDynamic(dim)) {
      known *= dim;
      continue;
    }
    if (dynamicIndex >= 0)
      return op.emitOpError()
             << "cannot infer more than one dynamic dimension of "
             << shapeString(shape);
    dynamicIndex = i;
  }
  int64_t count = input.getNumElements();
  if (dynamicIndex >= 0) {
    if (known == 0 || count % known != 0)
      return op.emitOpError() << "cannot reshape " << count << " elements into "
                              << shapeString(shape);
    shape[dynamicIndex] = count / known;
  } else if (known != count) {
    return op.emitOpError()
           << "cannot reshape " << count << " elements ("
           << shapeString(input.getShape()) << ") into " << shapeString(shape);
  }
  HostTensor output = input;
  output.reshape(shape);
  return output;
}

FailureOr<HostTensor> reference::runFlatten(FlattenOp op, Operands operands) {
  const HostTensor &input = *operands[0];
  int64_t rank = input.getRank(), axis = op.getAxis();
  if (axis < -rank || axis > rank)
    return op.emitOpError() << "axis " << axis << " is out of range for shape "
                            << shapeString(input.getShape());
  if (axis < 0)
    axis += rank;
  ArrayRef<int64_t> shape = input.getShape();
  HostTensor output = input;
  output.reshape(
      {product(shape.take_front(axis)), product(shape.drop_front(axis))});
  return output;
}

FailureOr<HostTensor> reference::runTranspose(TransposeOp op,
                                              Operands operands) {
  const HostTensor &input = *operands[0];
  SmallVector<int64_t, 4> perm = op.getPermValues();
  int64_t rank = input.getRank();
  llvm::SmallBitVector seen(rank);
  bool valid = int64_t(perm.size()) == rank;
  for (int64_t p : perm) {
    if (!valid || p < 0 || p >= rank || seen.test(p)) {
      valid = false;
      break;
    }
    seen.set(p);
  }
  if (!valid)
    return op.emitOpError()
           << "perm is not a permutation of the " << rank << " dimensions";
  SmallVector<int64_t> inStrides = rowMajorStrides(input.getShape());
  SmallVector<int64_t> shape, strides;
  for (int64_t p : perm) {
    shape.push_back(input.getDimSize(p));
    strides.push_back(inStrides[p]);
  }
  HostTensor output(input.getKind(), shape);
  stridedCopy(input.getBytes().data(), 0, strides, shape,
              output.getMutableBytes().data(), input.getElementSize());
  return output;
}

FailureOr<HostTensor> reference::runConcat(ConcatOp op, Operands operands) {
  const HostTensor &first = *operands[0];
  FailureOr<int64_t> axis = requireAxis(op, op.getAxis(), first);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(first.getShape());
  shape[*axis] = 0;
  for (auto [index, operand] : llvm::enumerate(operands)) {
    bool compatible = operand->getKind() == first.getKind() &&
                      operand->getRank() == first.getRank();
    for (int64_t d = 0; compatible && d < first.getRank(); ++d)
      compatible = d == *axis || operand->getDimSize(d) == first.getDimSize(d);
    if (!compatible)
      return op.emitOpError()
             << "input " << index << " of shape "
             << shapeString(operand->getShape()) << " and "
             << getElementKindName(operand->getKind())
             << " does not concatenate with input 0 of shape "
             << shapeString(first.getShape()) << " and "
             << getElementKindName(first.getKind()) << " along axis " << *axis;
    shape[*axis] += operand->getDimSize(*axis);
  }
  HostTensor output(first.getKind(), shape);
  int64_t outer = product(ArrayRef<int64_t>(shape).take_front(*axis));
  size_t innerBytes = product(ArrayRef<int64_t>(shape).drop_front(*axis + 1)) *
                      first.getElementSize();
  uint8_t *dst = output.getMutableBytes().data();
  for (int64_t o = 0; o < outer; ++o) {
    for (const HostTensor *operand : operands) {
      size_t chunk = operand->getDimSize(*axis) * innerBytes;
      if (chunk == 0)
        continue;
      std::memcpy(dst, operand->getBytes().data() + o * chunk, chunk);
      dst += chunk;
    }
  }
  return output;
}

LogicalResult reference::runSplit(SplitOp op, Operands operands,
                                  SmallVectorImpl<HostTensor> &results) {
  const HostTensor &input = *operands[0];
  FailureOr<int64_t> axis = requireAxis(op, op.getAxis(), input);
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> sizes = op.getSizes();
  int64_t total = 0;
  for (int64_t size : sizes) {
    if (size < 0)
      return op.emitOpError() << "split sizes must be non-negative";
    total += size;
  }
  if (total != input.getDimSize(*axis))
    return op.emitOpError()
           << "split sizes add up to " << total << " but the input has shape "
           << shapeString(input.getShape());
  ArrayRef<int64_t> shape = input.getShape();
  int64_t outer = product(shape.take_front(*axis));
  size_t innerBytes =
      product(shape.drop_front(*axis + 1)) * input.getElementSize();
  size_t rowBytes = shape[*axis] * innerBytes;
  size_t offset = 0;
  for (int64_t size : sizes) {
    SmallVector<int64_t> pieceShape(shape);
    pieceShape[*axis] = size;
    HostTensor piece(input.getKind(), pieceShape);
    size_t chunk = size * innerBytes;
    if (chunk != 0)
      for (int64_t o = 0; o < outer; ++o)
        std::memcpy(piece.getMutableBytes().data() + o * chunk,
                    input.getBytes().data() + o * rowBytes + offset, chunk);
    offset += chunk;
    results.push_back(std::move(piece));
  }
  return success();
}

FailureOr<HostTensor> reference::runSlice(SliceOp op, Operands operands) {
  const HostTensor &input = *operands[0];
  ArrayRef<int64_t> starts = op.getStarts(), ends = op.getEnds(),
                    axes = op.getAxes();
  SmallVector<int64_t> steps(axes.size(), 1);
  if (auto given = op.getSteps())
    steps.assign(given->begin(), given->end());
  if (starts.size() != axes.size() || ends.size() != axes.size() ||
      steps.size() != axes.size())
    return op.emitOpError()
           << "starts, ends, axes and steps must have the same length";
  int64_t rank = input.getRank();
  SmallVector<int64_t> shape(input.getShape());
  SmallVector<int64_t> strides = rowMajorStrides(shape);
  int64_t base = 0;
  llvm::SmallBitVector seen(rank);
  for (size_t i = 0; i < axes.size(); ++i) {
    std::optional<int64_t> axis = normalizeAxis(axes[i], rank);
    if (!axis || seen.test(*axis) || steps[i] == 0)
      return op.emitOpError()
             << "invalid slice of axis " << axes[i] << " with step " << steps[i]
             << " on shape " << shapeString(input.getShape());
    seen.set(*axis);
    SliceRange range =
        computeSliceRange(shape[*axis], starts[i], ends[i], steps[i]);
    shape[*axis] = range.size;
    if (range.size > 0)
      base += range.start * strides[*axis];
    strides[*axis] *= range.step;
  }
  HostTensor output(input.getKind(), shape);
  stridedCopy(input.getBytes().data(), base, strides, shape,
              output.getMutableBytes().data(), input.getElementSize());
  return output;
}

FailureOr<HostTensor> reference::runPad(PadOp op, Operands operands) {
  const HostTensor &input = *operands[0];
  int64_t rank = input.getRank();
  ArrayRef<int64_t> pads = op.getPads();
  if (int64_t(pads.size()) != 2 * rank)
    return op.emitOpError()
           << "needs " << 2 * rank << " pads for shape "
           << shapeString(input.getShape()) << ", got " << pads.size();
  PadMode mode = op.getMode();
  ArrayRef<int64_t> in = input.getShape();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = in[d] + pads[d] + pads[rank + d];
    if (size < 0)
      return op.emitOpError() << "pads crop dimension " << d << " of shape "
                              << shapeString(in) << " below zero";
    if (mode != PadMode::Constant && in[d] == 0 && size > 0)
      return op.emitOpError() << "cannot pad an empty dimension " << d << " in "
                              << stringifyPadMode(mode) << " mode";
    shape.push_back(size);
  }
  HostTensor output(input.getKind(), shape);
  if (output.getNumElements() == 0)
    return output;

  // The fill value converted to the element kind, as bytes.
  HostTensor fill(input.getKind(), {});
  fill.setFromDouble(0, op.getValue().convertToDouble());
  size_t elementSize = input.getElementSize();
  const uint8_t *fillBytes = fill.getBytes().data();

  SmallVector<SmallVector<int64_t>> sources(rank);
  for (int64_t d = 0; d < rank; ++d)
    for (int64_t o = 0; o < shape[d]; ++o)
      sources[d].push_back(getPadSource(o, pads[d], in[d], mode));

  SmallVector<int64_t> inStrides = rowMajorStrides(in);
  const uint8_t *src = input.getBytes().data();
  uint8_t *dst = output.getMutableBytes().data();
  auto copyElement = [&](int64_t outIndex, int64_t inIndex) {
    std::memcpy(dst + outIndex * elementSize,
                inIndex < 0 ? fillBytes : src + inIndex * elementSize,
                elementSize);
  };
  if (rank == 0) {
    copyElement(0, 0);
    return output;
  }
  // Walk the outer dimensions with a counter; the last one is the row.
  SmallVector<int64_t> index(rank - 1, 0);
  int64_t inner = shape[rank - 1];
  ArrayRef<int64_t> innerSources = sources[rank - 1];
  for (int64_t row = 0, rows = output.getNumElements() / inner; row < rows;
       ++row) {
    int64_t base = 0;
    bool filled = false;
    for (int64_t d = 0; d < rank - 1; ++d) {
      int64_t s = sources[d][index[d]];
      if (s < 0)
        filled = true;
      base += s * inStrides[d];
    }
    for (int64_t j = 0; j < inner; ++j)
      copyElement(row * inner + j,
                  filled || innerSources[j] < 0 ? -1 : base + innerSources[j]);
    for (int64_t d = rank - 2; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return output;
}

FailureOr<HostTensor> reference::runGather(GatherOp op, Operands operands) {
  const HostTensor &data = *operands[0], &indices = *operands[1];
  if (indices.isFloat() || indices.getKind() == ElementKind::Bool)
    return op.emitOpError() << "indices must be integers, got "
                            << getElementKindName(indices.getKind());
  FailureOr<int64_t> axis = requireAxis(op, op.getAxis(), data);
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> in = data.getShape();
  int64_t dim = in[*axis];
  SmallVector<int64_t> resolved;
  for (int64_t i = 0, e = indices.getNumElements(); i < e; ++i) {
    int64_t index = indices.getAsInt64(i);
    // Unsigned indices above INT64_MAX come back negative; they are out of
    // range either way.
    bool isUnsigned = indices.getKind() == ElementKind::U64;
    if (index < 0 && !isUnsigned)
      index += dim;
    if (index < 0 || index >= dim)
      return op.emitOpError() << "index " << indices.getAsInt64(i)
                              << " is out of range for axis " << *axis
                              << " of shape " << shapeString(in);
    resolved.push_back(index);
  }
  SmallVector<int64_t> shape(in.take_front(*axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, in.drop_front(*axis + 1));
  HostTensor output(data.getKind(), shape);
  int64_t outer = product(in.take_front(*axis));
  size_t innerBytes = product(in.drop_front(*axis + 1)) * data.getElementSize();
  if (innerBytes == 0)
    return output;
  const uint8_t *src = data.getBytes().data();
  uint8_t *dst = output.getMutableBytes().data();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t index : resolved) {
      std::memcpy(dst, src + (o * dim + index) * innerBytes, innerBytes);
      dst += innerBytes;
    }
  return output;
}
