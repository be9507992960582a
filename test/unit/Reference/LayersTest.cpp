//===- LayersTest.cpp - conv2d, gemm, matmul ------------------------------===//

#include "ReferenceTestUtils.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::testing;

namespace {

using LayersTest = ReferenceTest;

TEST_F(LayersTest, ConvSumsWindows) {
  HostTensor y = runOne(R"mlir(
    func.func @main(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32> {
      %w = cim.constant dense<1.0> : tensor<1x1x2x2xf32>
      %y = cim.conv2d %x, %w : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>)
         -> tensor<1x1x2x2xf32>
      return %y : tensor<1x1x2x2xf32>
    })mlir",
                        {iota({1, 1, 3, 3})});
  EXPECT_TRUE(matches(y, {1, 1, 2, 2}, {8, 12, 20, 24}));
}

TEST_F(LayersTest, ConvWithBiasStridesAndPads) {
  // Padded to 5x5, 3x3 windows at stride 2 see the four 2x2 corners.
  HostTensor y = runOne(R"mlir(
    func.func @main(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32> {
      %w = cim.constant dense<1.0> : tensor<1x1x3x3xf32>
      %b = cim.constant dense<10.0> : tensor<1xf32>
      %y = cim.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>,
                                  strides = array<i64: 2, 2>}
         : (tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>, tensor<1xf32>)
         -> tensor<1x1x2x2xf32>
      return %y : tensor<1x1x2x2xf32>
    })mlir",
                        {iota({1, 1, 3, 3})});
  EXPECT_TRUE(matches(y, {1, 1, 2, 2}, {18, 22, 30, 34}));
}

TEST_F(LayersTest, ConvGroupsDilationAsymmetricPads) {
  // Two groups of one channel; pads [top=1, left=0, bottom=0, right=1];
  // dilation 2 makes the 2x2 kernels span 3x3. Group 0 takes the main
  // diagonal of the kernel, group 1 the anti-diagonal.
  HostTensor y = runOne(R"mlir(
    func.func @main(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x2x2xf32> {
      %w = cim.constant dense<[[[[1.0, 0.0], [0.0, 1.0]]],
                               [[[0.0, 1.0], [1.0, 0.0]]]]> : tensor<2x1x2x2xf32>
      %y = cim.conv2d %x, %w {group = 2 : i64, dilations = array<i64: 2, 2>,
                              pads = array<i64: 1, 0, 0, 1>}
         : (tensor<1x2x3x3xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x2x2xf32>
      return %y : tensor<1x2x2x2xf32>
    })mlir",
                        {iota({1, 2, 3, 3})});
  EXPECT_TRUE(matches(y, {1, 2, 2, 2}, {5, 0, 8, 1, 12, 13, 26, 16}));
}

TEST_F(LayersTest, PointwiseConvOverBatch) {
  // A 1x1 conv reads the input directly (no im2col); two images.
  HostTensor y = runOne(R"mlir(
    func.func @main(%x: tensor<2x2x1x2xf32>) -> tensor<2x3x1x2xf32> {
      %w = cim.constant dense<[[[[1.0]], [[0.0]]], [[[0.0]], [[1.0]]],
                               [[[1.0]], [[1.0]]]]> : tensor<3x2x1x1xf32>
      %y = cim.conv2d %x, %w : (tensor<2x2x1x2xf32>, tensor<3x2x1x1xf32>)
         -> tensor<2x3x1x2xf32>
      return %y : tensor<2x3x1x2xf32>
    })mlir",
                        {iota({2, 2, 1, 2}, 1)});
  EXPECT_TRUE(matches(y, {2, 3, 1, 2}, {1, 2, 3, 4, 4, 6, 5, 6, 7, 8, 12, 14}));
}

TEST_F(LayersTest, ConvInFloat64) {
  HostTensor x(ElementKind::F64, {1, 1, 2, 2});
  for (int i = 0; i < 4; ++i)
    x.setFromDouble(i, i + 0.5);
  HostTensor y = runOne(R"mlir(
    func.func @main(%x: tensor<1x1x2x2xf64>) -> tensor<1x1x1x1xf64> {
      %w = cim.constant dense<2.0> : tensor<1x1x2x2xf64>
      %y = cim.conv2d %x, %w : (tensor<1x1x2x2xf64>, tensor<1x1x2x2xf64>)
         -> tensor<1x1x1x1xf64>
      return %y : tensor<1x1x1x1xf64>
    })mlir",
                        {x});
  EXPECT_EQ(y.getKind(), ElementKind::F64);
  EXPECT_TRUE(matches(y, {1, 1, 1, 1}, {16}));
}

TEST_F(LayersTest, GemmTransposesAndBroadcastC) {
  // A' = [[1,2,3],[4,5,6]], B' = [[1,0],[0,1],[1,0]]: A'B' = [[4,2],[10,5]].
  auto results = run(
      R"mlir(
    func.func @main(%a: tensor<2x3xf32>, %at: tensor<3x2xf32>,
                    %bt: tensor<2x3xf32>, %b: tensor<3x2xf32>)
        -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) {
      %row = cim.constant dense<[[10.0, 20.0]]> : tensor<1x2xf32>
      %col = cim.constant dense<[[2.0], [4.0]]> : tensor<2x1xf32>
      %vec = cim.constant dense<[100.0, 200.0]> : tensor<2xf32>
      %s = cim.constant dense<1.0> : tensor<f32>
      %0 = cim.gemm %a, %bt, %row {alpha = 2.0 : f32, beta = 0.5 : f32,
                                   transB = true}
         : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<1x2xf32>) -> tensor<2x2xf32>
      %1 = cim.gemm %at, %b, %col {transA = true}
         : (tensor<3x2xf32>, tensor<3x2xf32>, tensor<2x1xf32>) -> tensor<2x2xf32>
      %2 = cim.gemm %at, %bt, %vec {transA = true, transB = true}
         : (tensor<3x2xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x2xf32>
      %3 = cim.gemm %a, %b, %s {beta = 0.0 : f32}
         : (tensor<2x3xf32>, tensor<3x2xf32>, tensor<f32>) -> tensor<2x2xf32>
      return %0, %1, %2, %3 : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>
    })mlir",
      {floats({2, 3}, {1, 2, 3, 4, 5, 6}), floats({3, 2}, {1, 4, 2, 5, 3, 6}),
       floats({2, 3}, {1, 0, 1, 0, 1, 0}), floats({3, 2}, {1, 0, 0, 1, 1, 0})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[0], {2, 2}, {13, 14, 25, 20}));
  EXPECT_TRUE(matches((*results)[1], {2, 2}, {6, 4, 14, 9}));
  EXPECT_TRUE(matches((*results)[2], {2, 2}, {104, 202, 110, 205}));
  EXPECT_TRUE(matches((*results)[3], {2, 2}, {4, 2, 10, 5}));
}

TEST_F(LayersTest, MatMulBroadcastsBatches) {
  // lhs[b] = [[b+1, 1]], rhs[j] = [[j], [10]]: out[b][j] = (b+1)*j + 10.
  HostTensor y = runOne(R"mlir(
    func.func @main(%l: tensor<2x1x1x2xf32>, %r: tensor<3x2x1xf32>)
        -> tensor<2x3x1x1xf32> {
      %y = cim.matmul %l, %r : (tensor<2x1x1x2xf32>, tensor<3x2x1xf32>)
         -> tensor<2x3x1x1xf32>
      return %y : tensor<2x3x1x1xf32>
    })mlir",
                        {floats({2, 1, 1, 2}, {1, 1, 2, 1}),
                         floats({3, 2, 1}, {0, 10, 1, 10, 2, 10})});
  EXPECT_TRUE(matches(y, {2, 3, 1, 1}, {10, 11, 12, 10, 12, 14}));
}

TEST_F(LayersTest, MatMulSharedRightMatrix) {
  HostTensor y = runOne(R"mlir(
    func.func @main(%l: tensor<2x2x2xf32>) -> tensor<2x2x2xf32> {
      %r = cim.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
      %y = cim.matmul %l, %r : (tensor<2x2x2xf32>, tensor<2x2xf32>)
         -> tensor<2x2x2xf32>
      return %y : tensor<2x2x2xf32>
    })mlir",
                        {iota({2, 2, 2})});
  EXPECT_TRUE(matches(y, {2, 2, 2}, {3, 4, 11, 16, 19, 28, 27, 40}));
}

TEST_F(LayersTest, MatMulRankOneOperands) {
  auto results =
      run(R"mlir(
    func.func @main(%v: tensor<3xf32>, %m: tensor<3x2xf32>, %n: tensor<2x3xf32>,
                    %b: tensor<2x2x3xf32>)
        -> (tensor<2xf32>, tensor<2xf32>, tensor<f32>, tensor<2x2xf32>) {
      %0 = cim.matmul %v, %m : (tensor<3xf32>, tensor<3x2xf32>) -> tensor<2xf32>
      %1 = cim.matmul %n, %v : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
      %2 = cim.matmul %v, %v : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
      %3 = cim.matmul %b, %v : (tensor<2x2x3xf32>, tensor<3xf32>) -> tensor<2x2xf32>
      return %0, %1, %2, %3 : tensor<2xf32>, tensor<2xf32>, tensor<f32>, tensor<2x2xf32>
    })mlir",
          {floats({3}, {1, 2, 3}), floats({3, 2}, {1, 0, 0, 1, 1, 1}),
           floats({2, 3}, {1, 0, 1, 0, 1, 0}), iota({2, 2, 3})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[0], {2}, {4, 5}));
  EXPECT_TRUE(matches((*results)[1], {2}, {4, 2}));
  EXPECT_TRUE(matches((*results)[2], {}, {14}));
  // Rows of iota(2x2x3) dotted with [1, 2, 3].
  EXPECT_TRUE(matches((*results)[3], {2, 2}, {8, 26, 44, 62}));
}

} // namespace
