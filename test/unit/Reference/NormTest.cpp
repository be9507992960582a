//===- NormTest.cpp - Pooling, reductions, normalization ------------------===//

#include "ReferenceTestUtils.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::testing;

namespace {

using NormTest = ReferenceTest;

TEST_F(NormTest, CeilModePooling) {
  // 3x3 windows at stride 2 over 4x4: ceil mode adds a second, partial
  // window per dimension (ONNX test_maxpool_2d_ceil / averagepool_2d_ceil).
  auto results = run(R"mlir(
    func.func @main(%x: tensor<1x1x4x4xf32>)
        -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) {
      %0 = cim.max_pool %x {kernel_shape = array<i64: 3, 3>,
                              strides = array<i64: 2, 2>, ceil_mode = true}
         : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
      %1 = cim.avg_pool %x {kernel_shape = array<i64: 3, 3>,
                              strides = array<i64: 2, 2>, ceil_mode = true}
         : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
      %2 = cim.avg_pool %x {kernel_shape = array<i64: 3, 3>,
                              strides = array<i64: 2, 2>, ceil_mode = true,
                              count_include_pad = true}
         : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
      return %0, %1, %2 : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>
    })mlir",
                     {iota({1, 1, 4, 4})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[0], {1, 1, 2, 2}, {10, 11, 14, 15}));
  EXPECT_TRUE(matches((*results)[1], {1, 1, 2, 2}, {5, 6.5, 11, 12.5}));
  // Without explicit pads the ceil-mode overhang is never counted.
  EXPECT_TRUE(matches((*results)[2], {1, 1, 2, 2}, {5, 6.5, 11, 12.5}));
}

TEST_F(NormTest, CeilModeAvgPoolCountIncludePadBothWays) {
  // Padded by 1 on each side; windows start at -1, 1, 3. count_include_pad
  // counts the explicit padding but not the ceil-mode overhang past it.
  auto results = run(R"mlir(
    func.func @main(%x: tensor<1x1x4x4xf32>)
        -> (tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>) {
      %0 = cim.avg_pool %x {kernel_shape = array<i64: 3, 3>,
                              strides = array<i64: 2, 2>, ceil_mode = true,
                              pads = array<i64: 1, 1, 1, 1>}
         : (tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xf32>
      %1 = cim.avg_pool %x {kernel_shape = array<i64: 3, 3>,
                              strides = array<i64: 2, 2>, ceil_mode = true,
                              pads = array<i64: 1, 1, 1, 1>,
                              count_include_pad = true}
         : (tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xf32>
      return %0, %1 : tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>
    })mlir",
                     {iota({1, 1, 4, 4})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[0], {1, 1, 3, 3},
                      {2.5, 4, 5, 8.5, 10, 11, 12.5, 14, 15}));
  EXPECT_TRUE(matches(
      (*results)[1], {1, 1, 3, 3},
      {10.0 / 9, 24.0 / 9, 10.0 / 6, 51.0 / 9, 10, 5.5, 25.0 / 6, 7, 3.75}));
}

TEST_F(NormTest, MaxPoolIgnoresPaddingAndDilates) {
  auto results =
      run(R"mlir(
    func.func @main(%x: tensor<1x1x2x2xf32>, %y: tensor<1x1x4x4xf32>)
        -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) {
      %0 = cim.max_pool %x {kernel_shape = array<i64: 2, 2>,
                              pads = array<i64: 1, 1, 0, 0>}
         : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
      %1 = cim.max_pool %y {kernel_shape = array<i64: 2, 2>,
                              dilations = array<i64: 2, 2>}
         : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
      return %0, %1 : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>
    })mlir",
          {floats({1, 1, 2, 2}, {-4, -3, -2, -1}), iota({1, 1, 4, 4})});
  ASSERT_TRUE(succeeded(results)) << errors;
  // Zero padding would win every window if it took part.
  EXPECT_TRUE(matches((*results)[0], {1, 1, 2, 2}, {-4, -3, -2, -1}));
  EXPECT_TRUE(matches((*results)[1], {1, 1, 2, 2}, {10, 11, 14, 15}));
}

TEST_F(NormTest, GlobalPools) {
  auto results = run(R"mlir(
    func.func @main(%x: tensor<1x2x2x2xf32>, %y: tensor<1x2x3xf32>)
        -> (tensor<1x2x1x1xf32>, tensor<1x2x1x1xf32>, tensor<1x2x1xf32>) {
      %0 = cim.global_avg_pool %x : (tensor<1x2x2x2xf32>) -> tensor<1x2x1x1xf32>
      %1 = cim.global_max_pool %x : (tensor<1x2x2x2xf32>) -> tensor<1x2x1x1xf32>
      %2 = cim.global_avg_pool %y : (tensor<1x2x3xf32>) -> tensor<1x2x1xf32>
      return %0, %1, %2 : tensor<1x2x1x1xf32>, tensor<1x2x1x1xf32>, tensor<1x2x1xf32>
    })mlir",
                     {iota({1, 2, 2, 2}), iota({1, 2, 3})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[0], {1, 2, 1, 1}, {1.5, 5.5}));
  EXPECT_TRUE(matches((*results)[1], {1, 2, 1, 1}, {3, 7}));
  EXPECT_TRUE(matches((*results)[2], {1, 2, 1}, {1, 4}));
}

TEST_F(NormTest, ReduceMeanAxesAndKeepdims) {
  auto results = run(R"mlir(
    func.func @main(%x: tensor<2x3xf32>)
        -> (tensor<2x1xf32>, tensor<3xf32>, tensor<1x1xf32>) {
      %0 = cim.reduce_mean %x {axes = array<i64: 1>}
         : (tensor<2x3xf32>) -> tensor<2x1xf32>
      %1 = cim.reduce_mean %x {axes = array<i64: -2>, keepdims = false}
         : (tensor<2x3xf32>) -> tensor<3xf32>
      %2 = cim.reduce_mean %x {axes = array<i64: 0, 1>}
         : (tensor<2x3xf32>) -> tensor<1x1xf32>
      return %0, %1, %2 : tensor<2x1xf32>, tensor<3xf32>, tensor<1x1xf32>
    })mlir",
                     {iota({2, 3})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[0], {2, 1}, {1, 4}));
  EXPECT_TRUE(matches((*results)[1], {3}, {1.5, 2.5, 3.5}));
  EXPECT_TRUE(matches((*results)[2], {1, 1}, {2.5}));
}

TEST_F(NormTest, SoftmaxOverOneAxis) {
  auto results = run(R"mlir(
    func.func @main(%x: tensor<2x3xf32>, %y: tensor<1x2x2xf32>)
        -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<1x2x2xf32>) {
      %0 = cim.softmax %x : tensor<2x3xf32>
      %1 = cim.softmax %x {axis = 0 : i64} : tensor<2x3xf32>
      %2 = cim.softmax %y {axis = 1 : i64} : tensor<1x2x2xf32>
      return %0, %1, %2 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<1x2x2xf32>
    })mlir",
                     {floats({2, 3}, {0, 1, 2, 0, 0, 0}), iota({1, 2, 2})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(
      matches((*results)[0], {2, 3},
              {0.09003057, 0.24472847, 0.66524096, 1.0 / 3, 1.0 / 3, 1.0 / 3}));
  EXPECT_TRUE(
      matches((*results)[1], {2, 3},
              {0.5, 0.73105858, 0.88079708, 0.5, 0.26894142, 0.11920292}));
  // Opset 13: only axis 1 is normalized, not everything from axis 1 on.
  EXPECT_TRUE(matches((*results)[2], {1, 2, 2},
                      {0.11920292, 0.11920292, 0.88079708, 0.88079708}));
}

TEST_F(NormTest, LayerNorm) {
  auto results = run(R"mlir(
    func.func @main(%x: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
      %scale = cim.constant dense<[1.0, 2.0, 1.0, 2.0]> : tensor<4xf32>
      %bias = cim.constant dense<[0.0, 0.0, 1.0, 1.0]> : tensor<4xf32>
      %0 = cim.layer_norm %x, %scale, %bias
         : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
      %1 = cim.layer_norm %x, %scale {axis = 0 : i64}
         : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
      return %0, %1 : tensor<2x4xf32>, tensor<2x4xf32>
    })mlir",
                     {floats({2, 4}, {1, 2, 3, 4, 2, 2, 2, 2})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(
      matches((*results)[0], {2, 4},
              {-1.34163542, -0.89442361, 1.44721181, 3.68327084, 0, 0, 1, 1}));
  // Over both dimensions, the scale broadcast to 2x4.
  EXPECT_TRUE(matches((*results)[1], {2, 4},
                      {-1.50754576, -0.6030183, 0.90452746, 4.22112813,
                       -0.30150915, -0.6030183, -0.30150915, -0.6030183}));
}

TEST_F(NormTest, BatchNorm) {
  HostTensor y = runOne(R"mlir(
    func.func @main(%x: tensor<1x2x1x2xf32>) -> tensor<1x2x1x2xf32> {
      %scale = cim.constant dense<[1.0, 2.0]> : tensor<2xf32>
      %bias = cim.constant dense<[0.0, 1.0]> : tensor<2xf32>
      %mean = cim.constant dense<[1.0, 3.0]> : tensor<2xf32>
      %var = cim.constant dense<[4.0, 1.0]> : tensor<2xf32>
      %y = cim.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 0.0 : f32}
         : (tensor<1x2x1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>,
            tensor<2xf32>) -> tensor<1x2x1x2xf32>
      return %y : tensor<1x2x1x2xf32>
    })mlir",
                        {iota({1, 2, 1, 2}, 1)});
  EXPECT_TRUE(matches(y, {1, 2, 1, 2}, {0, 0.5, 1, 3}));
}

} // namespace
