//===- ElementwiseTest.cpp - Binary and unary ops -------------------------===//

#include "ReferenceTestUtils.h"

#include <limits>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::testing;

namespace {

using ElementwiseTest = ReferenceTest;

const double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST_F(ElementwiseTest, AddBroadcasts) {
  auto results = run(R"mlir(
    func.func @main(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<2x1xf32>,
                    %d: tensor<1x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
      %0 = cim.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
      %1 = cim.add %c, %d : (tensor<2x1xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
      return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
    })mlir",
                     {iota({2, 3}), floats({3}, {10, 20, 30}),
                      floats({2, 1}, {1, 2}), floats({1, 3}, {10, 20, 30})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[0], {2, 3}, {10, 21, 32, 13, 24, 35}));
  EXPECT_TRUE(matches((*results)[1], {2, 3}, {11, 21, 31, 12, 22, 32}));
}

TEST_F(ElementwiseTest, FloatBinaryOpsPropagateNaN) {
  auto results =
      run(R"mlir(
    func.func @main(%a: tensor<4xf32>, %b: tensor<4xf32>)
        -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>,
            tensor<4xf32>, tensor<4xf32>) {
      %0 = cim.sub %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      %1 = cim.mul %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      %2 = cim.div %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      %3 = cim.pow %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      %4 = cim.max %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      %5 = cim.min %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      return %0, %1, %2, %3, %4, %5 : tensor<4xf32>, tensor<4xf32>,
          tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
    })mlir",
          {floats({4}, {1, 4, -2, 5}), floats({4}, {2, 2, 3, float(kNaN)})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[0], {4}, {-1, 2, -5, kNaN}));
  EXPECT_TRUE(matches((*results)[1], {4}, {2, 8, -6, kNaN}));
  EXPECT_TRUE(matches((*results)[2], {4}, {0.5, 2, -2.0 / 3.0, kNaN}));
  EXPECT_TRUE(matches((*results)[3], {4}, {1, 16, -8, kNaN}));
  EXPECT_TRUE(matches((*results)[4], {4}, {2, 4, 3, kNaN}));
  EXPECT_TRUE(matches((*results)[5], {4}, {1, 2, -2, kNaN}));
}

// Integers wrap around like numpy and division truncates toward zero.
TEST_F(ElementwiseTest, IntegerArithmeticWraps) {
  auto results = run(R"mlir(
    func.func @main(%a: tensor<3xi64>, %b: tensor<1xi64>, %c: tensor<4xi32>,
                    %d: tensor<4xi32>, %e: tensor<2xi8>)
        -> (tensor<3xi64>, tensor<4xi32>, tensor<2xi8>, tensor<4xi32>,
            tensor<4xi32>) {
      %0 = cim.add %a, %b : (tensor<3xi64>, tensor<1xi64>) -> tensor<3xi64>
      %1 = cim.div %c, %d : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
      %2 = cim.mul %e, %e : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
      %3 = cim.max %c, %d : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
      %4 = cim.sub %c, %d : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
      return %0, %1, %2, %3, %4 : tensor<3xi64>, tensor<4xi32>, tensor<2xi8>,
          tensor<4xi32>, tensor<4xi32>
    })mlir",
                     {HostTensor::fromValues<int64_t>(
                          {3}, {1, 2, std::numeric_limits<int64_t>::max()}),
                      HostTensor::fromValues<int64_t>({1}, {1}),
                      HostTensor::fromValues<int32_t>({4}, {7, -7, 7, -7}),
                      HostTensor::fromValues<int32_t>({4}, {2, 2, -2, -2}),
                      HostTensor::fromValues<int8_t>({2}, {16, -3})});
  ASSERT_TRUE(succeeded(results)) << errors;
  ASSERT_EQ((*results)[0].getKind(), ElementKind::I64);
  EXPECT_EQ((*results)[0].data<int64_t>()[0], 2);
  EXPECT_EQ((*results)[0].data<int64_t>()[1], 3);
  EXPECT_EQ((*results)[0].data<int64_t>()[2],
            std::numeric_limits<int64_t>::min());
  // Division truncates toward zero.
  EXPECT_TRUE(matches((*results)[1], {4}, {3, -3, -3, 3}));
  // 16 * 16 = 256 wraps to 0.
  EXPECT_TRUE(matches((*results)[2], {2}, {0, 9}));
  EXPECT_TRUE(matches((*results)[3], {4}, {7, 2, 7, -2}));
  EXPECT_TRUE(matches((*results)[4], {4}, {5, -9, 9, -5}));
}

TEST_F(ElementwiseTest, IntegerDivisionByZeroIsAnError) {
  auto results = run(R"mlir(
    func.func @main(%a: tensor<2xi32>, %b: tensor<2xi32>) -> tensor<2xi32> {
      %0 = cim.div %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
      return %0 : tensor<2xi32>
    })mlir",
                     {HostTensor::fromValues<int32_t>({2}, {1, 2}),
                      HostTensor::fromValues<int32_t>({2}, {1, 0})});
  EXPECT_TRUE(failed(results));
  EXPECT_EQ(errors, "'cim.div' op divides an integer by zero");
}

TEST_F(ElementwiseTest, IntegerPower) {
  const char *source = R"mlir(
    func.func @main(%a: tensor<4xi64>, %b: tensor<4xi64>) -> tensor<4xi64> {
      %0 = cim.pow %a, %b : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
      return %0 : tensor<4xi64>
    })mlir";
  HostTensor y =
      runOne(source, {HostTensor::fromValues<int64_t>({4}, {2, -3, 7, 2}),
                      HostTensor::fromValues<int64_t>({4}, {10, 3, 0, 64})});
  // 2^64 wraps to 0.
  EXPECT_TRUE(matches(y, {4}, {1024, -27, 1, 0}));

  auto results =
      run(source, {HostTensor::fromValues<int64_t>({4}, {1, 2, 3, 4}),
                   HostTensor::fromValues<int64_t>({4}, {1, -1, 1, 1})});
  EXPECT_TRUE(failed(results));
  EXPECT_EQ(errors, "'cim.pow' op raises an integer to a negative power");
}

TEST_F(ElementwiseTest, UnaryOps) {
  auto results = run(R"mlir(
    func.func @main(%x: tensor<5xf32>)
        -> (tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>,
            tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>,
            tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>,
            tensor<5xf32>) {
      %0 = cim.relu %x : tensor<5xf32>
      %1 = cim.leaky_relu %x {alpha = 0.1 : f32} : tensor<5xf32>
      %2 = cim.clip %x {min = -1.0 : f64, max = 1.0 : f64} : tensor<5xf32>
      %3 = cim.clip %x {max = 0.25 : f64} : tensor<5xf32>
      %4 = cim.sigmoid %x : tensor<5xf32>
      %5 = cim.hard_sigmoid %x : tensor<5xf32>
      %6 = cim.hard_swish %x : tensor<5xf32>
      %7 = cim.tanh %x : tensor<5xf32>
      %8 = cim.erf %x : tensor<5xf32>
      %9 = cim.gelu %x : tensor<5xf32>
      %10 = cim.gelu %x {approximate = #cim.gelu_approximation<tanh>} : tensor<5xf32>
      %11 = cim.neg %x : tensor<5xf32>
      %12 = cim.exp %x : tensor<5xf32>
      return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12
          : tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>,
            tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>,
            tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>,
            tensor<5xf32>
    })mlir",
                     {floats({5}, {-2, -0.5, 0, 0.5, 2})});
  ASSERT_TRUE(succeeded(results)) << errors;
  auto &r = *results;
  EXPECT_TRUE(matches(r[0], {5}, {0, 0, 0, 0.5, 2}));
  EXPECT_TRUE(matches(r[1], {5}, {-0.2, -0.05, 0, 0.5, 2}));
  EXPECT_TRUE(matches(r[2], {5}, {-1, -0.5, 0, 0.5, 1}));
  EXPECT_TRUE(matches(r[3], {5}, {-2, -0.5, 0, 0.25, 0.25}));
  EXPECT_TRUE(matches(r[4], {5},
                      {0.11920292, 0.37754067, 0.5, 0.62245933, 0.88079708}));
  EXPECT_TRUE(matches(r[5], {5}, {0.1, 0.4, 0.5, 0.6, 0.9}));
  EXPECT_TRUE(
      matches(r[6], {5}, {-1.0 / 3.0, -0.20833333, 0, 0.29166667, 5.0 / 3.0}));
  EXPECT_TRUE(matches(r[7], {5},
                      {-0.96402758, -0.46211716, 0, 0.46211716, 0.96402758}));
  EXPECT_TRUE(matches(r[8], {5},
                      {-0.99532227, -0.52049988, 0, 0.52049988, 0.99532227}));
  EXPECT_TRUE(matches(r[9], {5},
                      {-0.04550026, -0.15426877, 0, 0.34573123, 1.95449974}));
  EXPECT_TRUE(matches(r[10], {5},
                      {-0.04540235, -0.15428598, 0, 0.34571403, 1.9545977}));
  EXPECT_TRUE(matches(r[11], {5}, {2, 0.5, 0, -0.5, -2}));
  EXPECT_TRUE(
      matches(r[12], {5}, {0.13533528, 0.60653066, 1, 1.64872127, 7.3890561}));
}

TEST_F(ElementwiseTest, ClipWithMinAboveMaxGivesMax) {
  // ONNX allows min > max (every value becomes max) but the dialect's
  // verifier rejects it, so this runs unverified IR.
  HostTensor y = runOne(R"mlir(
    func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
      %0 = cim.clip %x {min = 2.0 : f64, max = 1.0 : f64} : tensor<3xf32>
      return %0 : tensor<3xf32>
    })mlir",
                        {floats({3}, {0, 1.5, 3})}, /*verify=*/false);
  EXPECT_TRUE(matches(y, {3}, {1, 1, 1}));
}

TEST_F(ElementwiseTest, SqrtAndExtremes) {
  auto results = run(R"mlir(
    func.func @main(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
      %0 = cim.sqrt %x : tensor<4xf32>
      %1 = cim.sigmoid %x : tensor<4xf32>
      return %0, %1 : tensor<4xf32>, tensor<4xf32>
    })mlir",
                     {floats({4}, {0, 2.25, -1, 1000})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[0], {4}, {0, 1.5, kNaN, 31.6227766}));
  // No overflow to NaN for large |x|.
  EXPECT_TRUE(matches((*results)[1], {4}, {0.5, 0.90465054, 0.26894142, 1}));
}

} // namespace
