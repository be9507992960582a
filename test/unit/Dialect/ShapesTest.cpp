//===- ShapesTest.cpp - ONNX shape rules ----------------------------------===//

#include "cim/Dialect/CIM/CIMShapes.h"

#include "mlir/IR/BuiltinTypes.h"
#include "gtest/gtest.h"

#include <limits>

using namespace mlir;
using namespace mlir::cim;

namespace {

int64_t window(int64_t in, int64_t k, int64_t s, int64_t pb, int64_t pe,
               int64_t d = 1, bool ceil = false) {
  std::string error;
  std::optional<int64_t> out =
      windowOutputSize(in, k, s, pb, pe, d, ceil, error);
  EXPECT_TRUE(out.has_value()) << error;
  return out.value_or(-1);
}

TEST(WindowOutputSize, FloorMode) {
  EXPECT_EQ(window(32, 3, 1, 1, 1), 32);    // "same" 3x3
  EXPECT_EQ(window(32, 3, 2, 1, 1), 16);    // ResNet downsampling
  EXPECT_EQ(window(224, 7, 2, 3, 3), 112);  // ResNet stem
  EXPECT_EQ(window(7, 2, 2, 0, 0), 3);      // floor drops the partial window
  EXPECT_EQ(window(16, 3, 1, 0, 0, 2), 12); // dilation 2: effective 5
  EXPECT_EQ(window(5, 3, 1, 0, 2), 5);      // asymmetric pads
}

TEST(WindowOutputSize, CeilMode) {
  EXPECT_EQ(window(7, 2, 2, 0, 0, 1, true), 4);
  EXPECT_EQ(window(4, 2, 2, 1, 1, 1, true), 3);
  // The last window would start past the input and the begin padding
  // (PyTorch and ONNX opset 19 drop it): 6 -> 3, not 4.
  EXPECT_EQ(window(6, 1, 2, 0, 0, 1, true), 3);
  EXPECT_EQ(window(112, 3, 2, 1, 1, 1, true), 57);
  EXPECT_EQ(window(112, 3, 2, 1, 1, 1, false), 56);
}

TEST(WindowOutputSize, Errors) {
  std::string error;
  EXPECT_FALSE(windowOutputSize(2, 3, 1, 0, 0, 1, false, error));
  EXPECT_EQ(error, "window of 3 exceeds the padded input of 2");
  EXPECT_FALSE(windowOutputSize(8, 3, 0, 0, 0, 1, false, error));
  EXPECT_EQ(error, "kernel, stride and dilation must be positive");
  EXPECT_FALSE(windowOutputSize(8, 3, 1, -1, 0, 1, false, error));
  EXPECT_EQ(error, "pads must be non-negative");
}

TEST(WindowOutputSize, DynamicInput) {
  EXPECT_EQ(window(ShapedType::kDynamic, 3, 1, 1, 1), ShapedType::kDynamic);
}

TEST(BroadcastShapes, Numpy) {
  using V = llvm::SmallVector<int64_t>;
  EXPECT_EQ(*broadcastShapes({1, 8, 4, 4}, {8, 1, 1}), (V{1, 8, 4, 4}));
  EXPECT_EQ(*broadcastShapes({3, 1}, {1, 5}), (V{3, 5}));
  EXPECT_EQ(*broadcastShapes({}, {2, 2}), (V{2, 2}));
  EXPECT_FALSE(broadcastShapes({2, 3}, {4}).has_value());
  const int64_t dyn = ShapedType::kDynamic;
  EXPECT_EQ(*broadcastShapes({dyn, 4}, {3, 1}), (V{3, 4}));
  EXPECT_EQ(*broadcastShapes({dyn}, {1}), (V{dyn}));
}

TEST(NormalizeAxis, Range) {
  EXPECT_EQ(normalizeAxis(-1, 4), 3);
  EXPECT_EQ(normalizeAxis(0, 4), 0);
  EXPECT_FALSE(normalizeAxis(4, 4).has_value());
  EXPECT_FALSE(normalizeAxis(-5, 4).has_value());
}

TEST(ShapeProduct, StaticAndDynamic) {
  EXPECT_EQ(shapeProduct({2, 3, 4}), 24);
  EXPECT_EQ(shapeProduct({}), 1);
  EXPECT_EQ(shapeProduct({2, ShapedType::kDynamic}), ShapedType::kDynamic);
}

TEST(SliceRange, OnnxSemantics) {
  const int64_t big = std::numeric_limits<int64_t>::max();
  const int64_t small = std::numeric_limits<int64_t>::min();
  SliceRange r = computeSliceRange(6, 1, big, 2); // 1, 3, 5
  EXPECT_EQ(r.start, 1);
  EXPECT_EQ(r.size, 3);
  r = computeSliceRange(6, -1, -3, -1); // 5, 4
  EXPECT_EQ(r.start, 5);
  EXPECT_EQ(r.size, 2);
  r = computeSliceRange(6, big, small, -1); // full reverse
  EXPECT_EQ(r.start, 5);
  EXPECT_EQ(r.size, 6);
  r = computeSliceRange(6, 4, 2, 1); // empty
  EXPECT_EQ(r.size, 0);
  r = computeSliceRange(6, -100, 100, 1); // clamped to the whole axis
  EXPECT_EQ(r.start, 0);
  EXPECT_EQ(r.size, 6);
}

} // namespace
