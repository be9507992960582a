//===- DataMovementTest.cpp - Reshape, transpose, slice, pad, gather, ... -===//

#include "ReferenceTestUtils.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::testing;

namespace {

using DataMovementTest = ReferenceTest;

TEST_F(DataMovementTest, ReshapeAndFlatten) {
  auto results =
      run(R"mlir(
    func.func @main(%x: tensor<2x3x4xf32>, %i: tensor<2x3xi64>)
        -> (tensor<4x6xf32>, tensor<?x2xi64>, tensor<6x4xf32>, tensor<1x24xf32>,
            tensor<6x4xf32>) {
      %0 = cim.reshape %x : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
      %1 = cim.reshape %i : (tensor<2x3xi64>) -> tensor<?x2xi64>
      %2 = cim.flatten %x {axis = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
      %3 = cim.flatten %x {axis = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<1x24xf32>
      %4 = cim.flatten %x {axis = -1 : i64} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
      return %0, %1, %2, %3, %4 : tensor<4x6xf32>, tensor<?x2xi64>,
          tensor<6x4xf32>, tensor<1x24xf32>, tensor<6x4xf32>
    })mlir",
          {iota({2, 3, 4}),
           HostTensor::fromValues<int64_t>({2, 3}, {1, 2, 3, 4, 5, 6})});
  ASSERT_TRUE(succeeded(results)) << errors;
  std::vector<double> all;
  for (int i = 0; i < 24; ++i)
    all.push_back(i);
  EXPECT_TRUE(matches((*results)[0], {4, 6}, all));
  EXPECT_EQ((*results)[1].getKind(), ElementKind::I64);
  EXPECT_TRUE(matches((*results)[1], {3, 2}, {1, 2, 3, 4, 5, 6}));
  EXPECT_TRUE(matches((*results)[2], {6, 4}, all));
  EXPECT_TRUE(matches((*results)[3], {1, 24}, all));
  EXPECT_TRUE(matches((*results)[4], {6, 4}, all));
}

TEST_F(DataMovementTest, Transpose) {
  auto results = run(R"mlir(
    func.func @main(%x: tensor<2x3xf32>, %y: tensor<2x3x4xf32>, %i: tensor<2x2xi32>)
        -> (tensor<3x2xf32>, tensor<4x2x3xf32>, tensor<2x2xi32>) {
      %0 = cim.transpose %x : (tensor<2x3xf32>) -> tensor<3x2xf32>
      %1 = cim.transpose %y {perm = array<i64: 2, 0, 1>}
         : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
      %2 = cim.transpose %i {perm = array<i64: 1, 0>}
         : (tensor<2x2xi32>) -> tensor<2x2xi32>
      return %0, %1, %2 : tensor<3x2xf32>, tensor<4x2x3xf32>, tensor<2x2xi32>
    })mlir",
                     {iota({2, 3}), iota({2, 3, 4}),
                      HostTensor::fromValues<int32_t>({2, 2}, {1, 2, 3, 4})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[0], {3, 2}, {0, 3, 1, 4, 2, 5}));
  EXPECT_TRUE(matches((*results)[1], {4, 2, 3},
                      {0, 4, 8,  12, 16, 20, 1, 5, 9,  13, 17, 21,
                       2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23}));
  EXPECT_TRUE(matches((*results)[2], {2, 2}, {1, 3, 2, 4}));
}

TEST_F(DataMovementTest, ConcatAndSplit) {
  auto results = run(R"mlir(
    func.func @main(%a: tensor<2x1xf32>, %b: tensor<2x2xf32>, %c: tensor<2x5xf32>,
                    %i: tensor<1xi64>, %j: tensor<2xi64>)
        -> (tensor<2x3xf32>, tensor<2x2xf32>, tensor<2x3xf32>, tensor<3xi64>) {
      %0 = cim.concat %a, %b {axis = -1 : i64}
         : (tensor<2x1xf32>, tensor<2x2xf32>) -> tensor<2x3xf32>
      %1:2 = cim.split %c {axis = 1 : i64, sizes = array<i64: 2, 3>}
         : (tensor<2x5xf32>) -> (tensor<2x2xf32>, tensor<2x3xf32>)
      %2 = cim.concat %i, %j {axis = 0 : i64}
         : (tensor<1xi64>, tensor<2xi64>) -> tensor<3xi64>
      return %0, %1#0, %1#1, %2 : tensor<2x3xf32>, tensor<2x2xf32>,
          tensor<2x3xf32>, tensor<3xi64>
    })mlir",
                     {floats({2, 1}, {1, 2}), floats({2, 2}, {3, 4, 5, 6}),
                      iota({2, 5}), HostTensor::fromValues<int64_t>({1}, {-1}),
                      HostTensor::fromValues<int64_t>({2}, {7, 8})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[0], {2, 3}, {1, 3, 4, 2, 5, 6}));
  EXPECT_TRUE(matches((*results)[1], {2, 2}, {0, 1, 5, 6}));
  EXPECT_TRUE(matches((*results)[2], {2, 3}, {2, 3, 4, 7, 8, 9}));
  EXPECT_TRUE(matches((*results)[3], {3}, {-1, 7, 8}));
}

TEST_F(DataMovementTest, SliceWithNegativeSteps) {
  auto results = run(R"mlir(
    func.func @main(%x: tensor<10xf32>, %y: tensor<2x3xf32>)
        -> (tensor<4xf32>, tensor<10xf32>, tensor<2xf32>, tensor<1x2xf32>,
            tensor<0xf32>) {
      %0 = cim.slice %x {starts = array<i64: 8>, ends = array<i64: 1>,
                         axes = array<i64: 0>, steps = array<i64: -2>}
         : (tensor<10xf32>) -> tensor<4xf32>
      %1 = cim.slice %x {starts = array<i64: -1>,
                         ends = array<i64: -9223372036854775808>,
                         axes = array<i64: 0>, steps = array<i64: -1>}
         : (tensor<10xf32>) -> tensor<10xf32>
      %2 = cim.slice %x {starts = array<i64: -3>, ends = array<i64: -1>,
                         axes = array<i64: 0>}
         : (tensor<10xf32>) -> tensor<2xf32>
      %3 = cim.slice %y {starts = array<i64: 2, 1>, ends = array<i64: 0, 100>,
                         axes = array<i64: -1, 0>, steps = array<i64: -1, 1>}
         : (tensor<2x3xf32>) -> tensor<1x2xf32>
      %4 = cim.slice %x {starts = array<i64: 5>, ends = array<i64: 5>,
                         axes = array<i64: 0>}
         : (tensor<10xf32>) -> tensor<0xf32>
      return %0, %1, %2, %3, %4 : tensor<4xf32>, tensor<10xf32>, tensor<2xf32>,
          tensor<1x2xf32>, tensor<0xf32>
    })mlir",
                     {iota({10}), iota({2, 3})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[0], {4}, {8, 6, 4, 2}));
  EXPECT_TRUE(matches((*results)[1], {10}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}));
  EXPECT_TRUE(matches((*results)[2], {2}, {7, 8}));
  // Rows from 1 on (clamped end), columns 2 down to 1.
  EXPECT_TRUE(matches((*results)[3], {1, 2}, {5, 4}));
  EXPECT_TRUE(matches((*results)[4], {0}, {}));
}

TEST_F(DataMovementTest, PadModes) {
  auto results = run(R"mlir(
    func.func @main(%x: tensor<3xf32>, %y: tensor<2x3xf32>)
        -> (tensor<7xf32>, tensor<6xf32>, tensor<4xf32>, tensor<3xf32>,
            tensor<7xf32>, tensor<4x5xf32>) {
      %0 = cim.pad %x {pads = array<i64: 2, 2>, mode = #cim.pad_mode<reflect>}
         : (tensor<3xf32>) -> tensor<7xf32>
      %1 = cim.pad %x {pads = array<i64: 2, 1>, mode = #cim.pad_mode<edge>}
         : (tensor<3xf32>) -> tensor<6xf32>
      %2 = cim.pad %x {pads = array<i64: 1, 0>, value = 9.5 : f32}
         : (tensor<3xf32>) -> tensor<4xf32>
      %3 = cim.pad %x {pads = array<i64: -1, 1>}
         : (tensor<3xf32>) -> tensor<3xf32>
      %4 = cim.pad %x {pads = array<i64: 4, 0>, mode = #cim.pad_mode<reflect>}
         : (tensor<3xf32>) -> tensor<7xf32>
      %5 = cim.pad %y {pads = array<i64: 1, 1, 1, 1>, mode = #cim.pad_mode<reflect>}
         : (tensor<2x3xf32>) -> tensor<4x5xf32>
      return %0, %1, %2, %3, %4, %5 : tensor<7xf32>, tensor<6xf32>,
          tensor<4xf32>, tensor<3xf32>, tensor<7xf32>, tensor<4x5xf32>
    })mlir",
                     {floats({3}, {1, 2, 3}), iota({2, 3}, 1)});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[0], {7}, {3, 2, 1, 2, 3, 2, 1}));
  EXPECT_TRUE(matches((*results)[1], {6}, {1, 1, 1, 2, 3, 3}));
  EXPECT_TRUE(matches((*results)[2], {4}, {9.5, 1, 2, 3}));
  // A negative pad crops.
  EXPECT_TRUE(matches((*results)[3], {3}, {2, 3, 0}));
  // Pads longer than the dimension keep reflecting (numpy 'reflect').
  EXPECT_TRUE(matches((*results)[4], {7}, {1, 2, 3, 2, 1, 2, 3}));
  EXPECT_TRUE(matches((*results)[5], {4, 5}, {5, 4, 5, 6, 5, 2, 1, 2, 3, 2,
                                              5, 4, 5, 6, 5, 2, 1, 2, 3, 2}));
}

TEST_F(DataMovementTest, PadConstantOnIntegers) {
  // The dialect types pad as float-only; ONNX pads integer tensors too.
  HostTensor y = runOne(R"mlir(
    func.func @main(%x: tensor<2xi64>) -> tensor<4xi64> {
      %0 = cim.pad %x {pads = array<i64: 1, 1>, value = 7.0 : f32}
         : (tensor<2xi64>) -> tensor<4xi64>
      return %0 : tensor<4xi64>
    })mlir",
                        {HostTensor::fromValues<int64_t>({2}, {-5, 5})},
                        /*verify=*/false);
  EXPECT_EQ(y.getKind(), ElementKind::I64);
  EXPECT_TRUE(matches(y, {4}, {7, -5, 5, 7}));
}

TEST_F(DataMovementTest, GatherWithNegativeIndices) {
  auto results =
      run(R"mlir(
    func.func @main(%d: tensor<3x2xf32>, %i: tensor<2xi64>, %j: tensor<2x1xi32>,
                    %n: tensor<3xi64>)
        -> (tensor<2x2xf32>, tensor<3x2x1xf32>, tensor<2xi64>) {
      %0 = cim.gather %d, %i : (tensor<3x2xf32>, tensor<2xi64>) -> tensor<2x2xf32>
      %1 = cim.gather %d, %j {axis = 1 : i64}
         : (tensor<3x2xf32>, tensor<2x1xi32>) -> tensor<3x2x1xf32>
      %2 = cim.gather %n, %i : (tensor<3xi64>, tensor<2xi64>) -> tensor<2xi64>
      return %0, %1, %2 : tensor<2x2xf32>, tensor<3x2x1xf32>, tensor<2xi64>
    })mlir",
          {iota({3, 2}), HostTensor::fromValues<int64_t>({2}, {-1, 0}),
           HostTensor::fromValues<int32_t>({2, 1}, {1, -2}),
           HostTensor::fromValues<int64_t>({3}, {10, 20, 30})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[0], {2, 2}, {4, 5, 0, 1}));
  EXPECT_TRUE(matches((*results)[1], {3, 2, 1}, {1, 0, 3, 2, 5, 4}));
  EXPECT_TRUE(matches((*results)[2], {2}, {30, 10}));
}

TEST_F(DataMovementTest, GatherOutOfRangeIsAnError) {
  auto results = run(R"mlir(
    func.func @main(%d: tensor<3xf32>, %i: tensor<1xi64>) -> tensor<1xf32> {
      %0 = cim.gather %d, %i : (tensor<3xf32>, tensor<1xi64>) -> tensor<1xf32>
      return %0 : tensor<1xf32>
    })mlir",
                     {iota({3}), HostTensor::fromValues<int64_t>({1}, {-4})});
  EXPECT_TRUE(failed(results));
  EXPECT_EQ(errors, "'cim.gather' op index -4 is out of range for axis 0 of "
                    "shape 3");
}

} // namespace
