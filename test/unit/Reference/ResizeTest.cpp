//===- ResizeTest.cpp - cim.resize on hand-computed cases -----------------===//

#include "ReferenceTestUtils.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::testing;

namespace {

using ResizeTest = ReferenceTest;

TEST_F(ResizeTest, NearestRepeatsPixels) {
  HostTensor y = runOne(R"mlir(
    func.func @main(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x6xf32> {
      %0 = cim.resize %x {scales = array<f64: 1.0, 1.0, 2.0, 3.0>}
         : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x6xf32>
      return %0 : tensor<1x1x4x6xf32>
    })mlir",
                        {floats({1, 1, 2, 2}, {1, 2, 3, 4})});
  EXPECT_TRUE(matches(y, {1, 1, 4, 6}, {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2,
                                        3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}));
}

// half_pixel maps outputs 0..3 of a 2 -> 4 resize to -0.25, 0.25, 0.75,
// 1.25; each nearest mode rounds them its own way (then clamps).
TEST_F(ResizeTest, NearestModes) {
  auto results = run(R"mlir(
    func.func @main(%x: tensor<2xf32>)
        -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
      %0 = cim.resize %x {scales = array<f64: 2.0>}
         : (tensor<2xf32>) -> tensor<4xf32>
      %1 = cim.resize %x {nearest_mode = #cim.resize_nearest_mode<round_prefer_ceil>,
                          scales = array<f64: 2.0>} : (tensor<2xf32>) -> tensor<4xf32>
      %2 = cim.resize %x {nearest_mode = #cim.resize_nearest_mode<floor>,
                          scales = array<f64: 2.0>} : (tensor<2xf32>) -> tensor<4xf32>
      %3 = cim.resize %x {nearest_mode = #cim.resize_nearest_mode<ceil>,
                          scales = array<f64: 2.0>} : (tensor<2xf32>) -> tensor<4xf32>
      return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
    })mlir",
                     {floats({2}, {10, 20})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[0], {4}, {10, 10, 20, 20}));
  EXPECT_TRUE(matches((*results)[1], {4}, {10, 10, 20, 20}));
  EXPECT_TRUE(matches((*results)[2], {4}, {10, 10, 10, 20}));
  EXPECT_TRUE(matches((*results)[3], {4}, {10, 20, 20, 20}));
}

// Ties: asymmetric 2 -> 4 gives 0, 0.5, 1, 1.5.
TEST_F(ResizeTest, NearestTies) {
  auto results = run(R"mlir(
    func.func @main(%x: tensor<2xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
      %0 = cim.resize %x {coordinate_transformation_mode = #cim.resize_coordinate_mode<asymmetric>,
                          scales = array<f64: 2.0>} : (tensor<2xf32>) -> tensor<4xf32>
      %1 = cim.resize %x {coordinate_transformation_mode = #cim.resize_coordinate_mode<asymmetric>,
                          nearest_mode = #cim.resize_nearest_mode<round_prefer_ceil>,
                          scales = array<f64: 2.0>} : (tensor<2xf32>) -> tensor<4xf32>
      return %0, %1 : tensor<4xf32>, tensor<4xf32>
    })mlir",
                     {floats({2}, {10, 20})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[0], {4}, {10, 10, 20, 20}));
  EXPECT_TRUE(matches((*results)[1], {4}, {10, 20, 20, 20}));
}

TEST_F(ResizeTest, LinearCoordinateModes) {
  auto results = run(R"mlir(
    func.func @main(%x: tensor<4xf32>, %y: tensor<2xf32>)
        -> (tensor<2xf32>, tensor<4xf32>, tensor<4xf32>) {
      // half_pixel: 0.5 and 2.5.
      %0 = cim.resize %x {mode = #cim.resize_mode<linear>, scales = array<f64: 0.5>}
         : (tensor<4xf32>) -> tensor<2xf32>
      // align_corners: 0, 1/3, 2/3, 1.
      %1 = cim.resize %y {mode = #cim.resize_mode<linear>,
                          coordinate_transformation_mode = #cim.resize_coordinate_mode<align_corners>,
                          scales = array<f64: 2.0>} : (tensor<2xf32>) -> tensor<4xf32>
      // half_pixel: -0.25 (edge), 0.25, 0.75, 1.25 (edge).
      %2 = cim.resize %y {mode = #cim.resize_mode<linear>, scales = array<f64: 2.0>}
         : (tensor<2xf32>) -> tensor<4xf32>
      return %0, %1, %2 : tensor<2xf32>, tensor<4xf32>, tensor<4xf32>
    })mlir",
                     {floats({4}, {1, 2, 3, 4}), floats({2}, {0, 3})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[0], {2}, {1.5, 3.5}));
  EXPECT_TRUE(matches((*results)[1], {4}, {0, 1, 2, 3}));
  EXPECT_TRUE(matches((*results)[2], {4}, {0, 0.75, 2.25, 3}));
}

// Cubic with a = -0.75 at ratio 0.5 weighs the four neighbours
// -0.09375, 0.59375, 0.59375, -0.09375; the edge repeats outside the input.
TEST_F(ResizeTest, CubicAndExcludeOutside) {
  auto results = run(R"mlir(
    func.func @main(%x: tensor<4xf64>) -> (tensor<8xf64>, tensor<8xf64>) {
      %0 = cim.resize %x {mode = #cim.resize_mode<cubic>,
                          coordinate_transformation_mode = #cim.resize_coordinate_mode<asymmetric>,
                          scales = array<f64: 2.0>} : (tensor<4xf64>) -> tensor<8xf64>
      %1 = cim.resize %x {mode = #cim.resize_mode<cubic>, exclude_outside = true,
                          coordinate_transformation_mode = #cim.resize_coordinate_mode<asymmetric>,
                          scales = array<f64: 2.0>} : (tensor<4xf64>) -> tensor<8xf64>
      return %0, %1 : tensor<8xf64>, tensor<8xf64>
    })mlir",
                     {HostTensor::fromValues<double>({4}, {0, 1, 2, 3})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_EQ((*results)[0].getKind(), ElementKind::F64);
  EXPECT_TRUE(matches((*results)[0], {8},
                      {0, 0.40625, 1, 1.5, 2, 2.59375, 3, 3.09375}, 1e-12));
  // Points outside the input get weight 0 and the rest are renormalized.
  EXPECT_TRUE(matches((*results)[1], {8},
                      {0, 0.40625 / 1.09375, 1, 1.5, 2,
                       (1 * -0.09375 + 2 * 0.59375 + 3 * 0.59375) / 1.09375, 3,
                       (2 * -0.09375 + 3 * 0.59375) / 0.5},
                      1e-12));
}

// Halving with antialias stretches the triangle filter to 4 taps with
// weights 1/8, 3/8, 3/8, 1/8.
TEST_F(ResizeTest, LinearAntialias) {
  HostTensor y = runOne(R"mlir(
    func.func @main(%x: tensor<8xf32>) -> tensor<4xf32> {
      %0 = cim.resize %x {mode = #cim.resize_mode<linear>, antialias = true,
                          scales = array<f64: 0.5>} : (tensor<8xf32>) -> tensor<4xf32>
      return %0 : tensor<4xf32>
    })mlir",
                        {iota({8})});
  EXPECT_TRUE(matches(y, {4}, {0.625, 2.5, 4.5, 6.375}));
}

// roi [0.5, 1.5] of 4 elements into 3 outputs: x' = 1.5, 3, 4.5 (outside).
TEST_F(ResizeTest, CropAndResizeExtrapolates) {
  HostTensor y = runOne(R"mlir(
    func.func @main(%x: tensor<4xf32>) -> tensor<3xf32> {
      %0 = cim.resize %x {mode = #cim.resize_mode<linear>,
                          coordinate_transformation_mode = #cim.resize_coordinate_mode<tf_crop_and_resize>,
                          roi = array<f64: 0.5, 1.5>, extrapolation_value = 10.0 : f32,
                          scales = array<f64: 0.75>, sizes = array<i64: 3>}
         : (tensor<4xf32>) -> tensor<3xf32>
      return %0 : tensor<3xf32>
    })mlir",
                        {iota({4})});
  EXPECT_TRUE(matches(y, {3}, {1.5, 3, 10}));
}

// Only the middle dimension changes; the others are copied.
TEST_F(ResizeTest, MiddleAxisAndDynamicBatch) {
  HostTensor y = runOne(R"mlir(
    func.func @main(%x: tensor<?x2x2xf32>) -> tensor<?x3x2xf32> {
      %0 = cim.resize %x {mode = #cim.resize_mode<linear>,
                          coordinate_transformation_mode = #cim.resize_coordinate_mode<align_corners>,
                          scales = array<f64: 1.0, 1.5, 1.0>}
         : (tensor<?x2x2xf32>) -> tensor<?x3x2xf32>
      return %0 : tensor<?x3x2xf32>
    })mlir",
                        {iota({2, 2, 2})});
  EXPECT_TRUE(matches(y, {2, 3, 2}, {0, 1, 1, 2, 2, 3, 4, 5, 5, 6, 6, 7}));
}

TEST_F(ResizeTest, EmptyDimensionCannotGrow) {
  auto results = run(R"mlir(
    func.func @main(%x: tensor<0xf32>) -> tensor<3xf32> {
      %0 = cim.resize %x {scales = array<f64: 1.0>, sizes = array<i64: 3>}
         : (tensor<0xf32>) -> tensor<3xf32>
      return %0 : tensor<3xf32>
    })mlir",
                     {HostTensor(ElementKind::F32, {0})});
  EXPECT_TRUE(failed(results));
  EXPECT_NE(errors.find("cannot resize dimension 0 from 0 to 3 elements"),
            std::string::npos)
      << errors;
}

} // namespace
