//===- PoolingOps.cpp - Pooling, Resize, Upsample -------------------------===//

#include "OpImporters.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/CIMShapes.h"

#include "llvm/ADT/SmallBitVector.h"

#include <cmath>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::importer;

LogicalResult importer::windowAttrs(GraphImporter &gi,
                                    ArrayRef<int64_t> inShape,
                                    ArrayRef<int64_t> kernel,
                                    SmallVectorImpl<NamedAttribute> &attrs,
                                    bool withDilations, bool unitHeight) {
  size_t spatial = kernel.size();
  // A list attribute, or `fill` for each dimension when absent. A 1-D
  // node's lists gain the unit height's entry (pads: one per side).
  auto list = [&](StringRef name, int64_t fill, bool isPads) {
    std::optional<SmallVector<int64_t>> v = gi.intsAttr(name);
    if (!v)
      return SmallVector<int64_t>((isPads ? 2 : 1) * spatial, fill);
    if (!unitHeight || v->empty())
      return *v;
    if (isPads)
      return SmallVector<int64_t>{0, (*v)[0], 0, v->size() > 1 ? (*v)[1] : 0};
    return SmallVector<int64_t>{fill, (*v)[0]};
  };
  SmallVector<int64_t> strides = list("strides", 1, false);
  SmallVector<int64_t> dilations = list("dilations", 1, false);
  SmallVector<int64_t> pads = list("pads", 0, true);
  if (strides.size() != spatial || dilations.size() != spatial ||
      pads.size() != 2 * spatial)
    return gi.fail("strides, dilations and pads must match the " +
                   Twine(spatial) + " spatial dimensions");
  std::string autoPad = gi.stringAttr("auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    pads.assign(2 * spatial, 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < spatial; ++i) {
      int64_t in = inShape[2 + i];
      int64_t out = (in + strides[i] - 1) / strides[i];
      int64_t total = std::max<int64_t>(
          0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in);
      int64_t small = total / 2;
      pads[i] = autoPad == "SAME_UPPER" ? small : total - small;
      pads[spatial + i] = total - pads[i];
    }
  } else if (autoPad != "NOTSET") {
    return gi.fail("unsupported auto_pad '" + autoPad + "'");
  }
  // Defaults (stride 1, pad 0, dilation 1) stay implicit in the IR.
  auto all = [](ArrayRef<int64_t> v, int64_t x) {
    return llvm::all_of(v, [&](int64_t e) { return e == x; });
  };
  OpBuilder &b = gi.getBuilder();
  if (!all(strides, 1))
    attrs.push_back(gi.named("strides", b.getDenseI64ArrayAttr(strides)));
  if (!all(pads, 0))
    attrs.push_back(gi.named("pads", b.getDenseI64ArrayAttr(pads)));
  if (withDilations && !all(dilations, 1))
    attrs.push_back(gi.named("dilations", b.getDenseI64ArrayAttr(dilations)));
  else if (!withDilations && !all(dilations, 1))
    return gi.fail("dilations are not supported for this pooling");
  return success();
}

/// MaxPool (with its optional indices output) and AveragePool, 1-D to 3-D.
template <bool IsMax> static LogicalResult importPool(GraphImporter &gi) {
  bool withIndices = IsMax && gi.hasOutput(1);
  if (!IsMax && failed(gi.onlyFirstOutputUsed()))
    return failure();
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  RankedTensorType xt = gi.typeOf(*x);
  auto kernel = gi.intsAttr("kernel_shape");
  if (!kernel)
    return gi.fail("kernel_shape is required");
  if (kernel->empty() || kernel->size() > 3 ||
      xt.getRank() != int64_t(kernel->size()) + 2)
    return gi.fail("only 1-D, 2-D and 3-D pooling over N x C x spatial "
                   "inputs is supported, got input tensor<" +
                   shapeText(xt.getShape()) + "> and " + Twine(kernel->size()) +
                   " kernel sizes");
  OpBuilder &b = gi.getBuilder();
  SmallVector<NamedAttribute> attrs;
  attrs.push_back(gi.named("kernel_shape", b.getDenseI64ArrayAttr(*kernel)));
  if (failed(windowAttrs(gi, xt.getShape(), *kernel, attrs, true)))
    return failure();
  attrs.push_back(
      gi.named("ceil_mode", b.getBoolAttr(gi.intAttr("ceil_mode", 0) != 0)));
  if (!IsMax)
    attrs.push_back(
        gi.named("count_include_pad",
                 b.getBoolAttr(gi.intAttr("count_include_pad", 0))));
  if (withIndices) {
    attrs.push_back(gi.named("with_indices", b.getUnitAttr()));
    attrs.push_back(gi.named(
        "storage_order", b.getI64IntegerAttr(gi.intAttr("storage_order", 0))));
  }
  FailureOr<Operation *> pool = gi.build(IsMax ? MaxPoolOp::getOperationName()
                                               : AvgPoolOp::getOperationName(),
                                         {*x}, attrs);
  if (failed(pool))
    return failure();
  if (withIndices && failed(gi.define(gi.output(1), (*pool)->getResult(1))))
    return failure();
  return gi.defineOutput(pool);
}

namespace {
/// The versions of Resize and Upsample: Upsample before opset 9 (scales as
/// an attribute), Upsample and Resize-10 (scales as input 1, Upsample's
/// semantics), Resize-11 and later (roi, scales, sizes).
enum class ResizeKind { UpsampleWithAttr, Legacy, Modern };
} // namespace

template <ResizeKind Kind>
static LogicalResult importResize(GraphImporter &gi) {
  FailureOr<Value> x = gi.operand(0);
  if (failed(x))
    return failure();
  RankedTensorType inType = gi.typeOf(*x);
  ArrayRef<int64_t> inShape = inType.getShape();
  int64_t rank = inType.getRank();
  // Upsample and Resize-10 have only a mode and scales, with the semantics
  // of Upsample: out[x] = in[floor(x / scale)] or linear interpolation.
  bool legacy = Kind != ResizeKind::Modern;
  std::string modeName = gi.stringAttr("mode", "nearest");
  std::optional<ResizeMode> mode = symbolizeResizeMode(modeName);
  if (!mode || (legacy && *mode == ResizeMode::Cubic))
    return gi.fail("mode '" + modeName + "' is not supported");
  std::string coordName = gi.stringAttr("coordinate_transformation_mode",
                                        legacy ? "asymmetric" : "half_pixel");
  std::optional<ResizeCoordinateMode> coord =
      symbolizeResizeCoordinateMode(coordName);
  if (!coord)
    return gi.fail("coordinate_transformation_mode '" + coordName +
                   "' is not supported");
  std::string nearestName =
      gi.stringAttr("nearest_mode", legacy ? "floor" : "round_prefer_floor");
  std::optional<ResizeNearestMode> nearest =
      symbolizeResizeNearestMode(nearestName);
  if (!nearest)
    return gi.fail("nearest_mode '" + nearestName + "' is not supported");
  std::string policy = gi.stringAttr("keep_aspect_ratio_policy", "stretch");
  if (policy != "stretch" && policy != "not_larger" && policy != "not_smaller")
    return gi.fail("keep_aspect_ratio_policy '" + policy +
                   "' is not supported");

  // Scales, sizes and roi must be constants; an absent or empty one is
  // not given.
  auto constValues = [&](int i, StringRef what,
                         SmallVectorImpl<double> &out) -> LogicalResult {
    if (!gi.hasInput(i))
      return success();
    FailureOr<HostTensor> t = gi.constantTensor(gi.input(i));
    if (failed(t) || (t->getNumElements() && !isFloatKind(t->getKind()) &&
                      !isFloat16Kind(t->getKind())))
      return gi.fail(what + " ('" + gi.input(i) +
                     "') must be a constant float tensor");
    for (int64_t k = 0, e = t->getNumElements(); k < e; ++k)
      out.push_back(t->getAsDouble(k));
    return success();
  };
  SmallVector<double> scales, roi;
  SmallVector<int64_t> sizes;
  if (Kind == ResizeKind::UpsampleWithAttr) {
    if (const onnx::AttributeProto *a = gi.attr("scales"))
      scales.assign(a->floats().begin(), a->floats().end());
  } else if (failed(constValues(legacy ? 1 : 2, "scales", scales))) {
    return failure();
  }
  if (!legacy && gi.hasInput(3)) {
    FailureOr<SmallVector<int64_t>> z = gi.constInts(gi.input(3), "sizes");
    if (failed(z))
      return failure();
    sizes = *z;
  }
  if (!legacy && *coord == ResizeCoordinateMode::TfCropAndResize &&
      failed(constValues(1, "roi", roi)))
    return failure();
  if (scales.empty() == sizes.empty())
    return gi.fail("exactly one of scales and sizes must be given");

  SmallVector<int64_t> axes;
  if (std::optional<SmallVector<int64_t>> given = gi.intsAttr("axes")) {
    llvm::SmallBitVector seen(rank);
    for (int64_t a : *given) {
      std::optional<int64_t> axis = normalizeAxis(a, rank);
      if (!axis || seen.test(*axis))
        return gi.fail("axis " + Twine(a) + " is out of range or repeated");
      seen.set(*axis);
      axes.push_back(*axis);
    }
  } else {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  size_t count = scales.empty() ? sizes.size() : scales.size();
  if (count != axes.size())
    return gi.fail((scales.empty() ? "sizes" : "scales") + Twine(" has ") +
                   Twine(count) + " entries for " + Twine(axes.size()) +
                   " resized axes");
  if (!roi.empty() && roi.size() != 2 * axes.size())
    return gi.fail("roi has " + Twine(roi.size()) + " entries, expected " +
                   Twine(2 * axes.size()));

  // One scale (and size) per dimension: untouched dimensions keep 1.
  SmallVector<double> fullScales(rank, 1.0);
  SmallVector<int64_t> fullSizes(inShape);
  if (!scales.empty()) {
    for (auto [i, a] : llvm::enumerate(axes))
      fullScales[a] = scales[i];
  } else {
    double keep = policy == "not_larger" ? INFINITY : 0.0;
    for (auto [i, a] : llvm::enumerate(axes)) {
      if (inShape[a] <= 0)
        return gi.fail("cannot resize dimension " + Twine(a) + " of size " +
                       Twine(inShape[a]) + " to a given size");
      fullScales[a] = double(sizes[i]) / double(inShape[a]);
      fullSizes[a] = sizes[i];
      keep = policy == "not_larger" ? std::min(keep, fullScales[a])
                                    : std::max(keep, fullScales[a]);
    }
    // Keeping the aspect ratio uses one scale, rounded half up per axis.
    if (policy != "stretch")
      for (int64_t a : axes) {
        fullScales[a] = keep;
        fullSizes[a] = int64_t(keep * double(inShape[a]) + 0.5);
      }
  }
  OpBuilder &b = gi.getBuilder();
  SmallVector<NamedAttribute> attrs = {
      gi.named("scales", b.getDenseF64ArrayAttr(fullScales)),
      gi.named("mode", ResizeModeAttr::get(gi.getContext(), *mode)),
      gi.named("coordinate_transformation_mode",
               ResizeCoordinateModeAttr::get(gi.getContext(), *coord)),
      gi.named("nearest_mode",
               ResizeNearestModeAttr::get(gi.getContext(), *nearest)),
      gi.named("cubic_coeff_a",
               b.getF32FloatAttr(gi.floatAttr("cubic_coeff_a", -0.75f))),
      gi.named("exclude_outside",
               b.getBoolAttr(gi.intAttr("exclude_outside", 0) != 0)),
      gi.named("antialias", b.getBoolAttr(gi.intAttr("antialias", 0) != 0)),
      gi.named("extrapolation_value",
               b.getF32FloatAttr(gi.floatAttr("extrapolation_value", 0.0f)))};
  if (!sizes.empty())
    attrs.push_back(gi.named("sizes", b.getDenseI64ArrayAttr(fullSizes)));
  if (*coord == ResizeCoordinateMode::TfCropAndResize) {
    SmallVector<double> fullRoi(rank, 0.0);
    fullRoi.append(rank, 1.0);
    for (size_t i = 0; i < roi.size() / 2; ++i) {
      fullRoi[axes[i]] = roi[i];
      fullRoi[rank + axes[i]] = roi[axes.size() + i];
    }
    attrs.push_back(gi.named("roi", b.getDenseF64ArrayAttr(fullRoi)));
  }
  return gi.defineOutput(gi.build1(ResizeOp::getOperationName(), {*x}, attrs));
}

void importer::registerPoolingOps(OpRegistry &registry) {
  registry.add("MaxPool", importPool<true>);
  registry.add("AveragePool", importPool<false>);
  registry.add("GlobalAveragePool", unaryImporter<GlobalAvgPoolOp>());
  registry.add("GlobalMaxPool", unaryImporter<GlobalMaxPoolOp>());
  registry.add("Resize", importResize<ResizeKind::Legacy>);
  registry.add("Resize", 11, importResize<ResizeKind::Modern>);
  registry.add("Upsample", importResize<ResizeKind::UpsampleWithAttr>);
  registry.add("Upsample", 9, importResize<ResizeKind::Legacy>);
}
