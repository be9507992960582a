//===- ExecutorTest.cpp - Inputs, errors, dynamic shapes, determinism -----===//

#include "ReferenceTestUtils.h"

#include "cim/Dialect/CIM/CIMOps.h"

#include <cstdint>

// From OpenBLAS (cblas.h is not on the test's include path).
extern "C" void openblas_set_num_threads(int threads);
extern "C" int openblas_get_num_threads(void);

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::testing;

namespace {

using ExecutorTest = ReferenceTest;

const char *kRelu = R"mlir(
  func.func @main(%x: tensor<1x3x9x9xf32>) -> tensor<1x3x9x9xf32> {
    %0 = cim.relu %x : tensor<1x3x9x9xf32>
    return %0 : tensor<1x3x9x9xf32>
  })mlir";

TEST_F(ExecutorTest, WrongInputShapeIsAnError) {
  EXPECT_TRUE(failed(run(kRelu, {HostTensor(ElementKind::F32, {1, 3, 8, 8})})));
  EXPECT_EQ(errors, "input 0 has shape 1x3x8x8 but the function expects "
                    "1x3x9x9");
}

TEST_F(ExecutorTest, WrongInputKindOrCountIsAnError) {
  EXPECT_TRUE(failed(run(kRelu, {HostTensor(ElementKind::I64, {1, 3, 9, 9})})));
  EXPECT_EQ(errors, "input 0 has element type i64 but the function expects "
                    "f32");
  errors.clear();
  EXPECT_TRUE(failed(run(kRelu, {})));
  EXPECT_EQ(errors, "the function takes 1 inputs but 0 were given");
}

TEST_F(ExecutorTest, UnknownOpIsAnError) {
  context.allowUnregisteredDialects();
  auto results = run(R"mlir(
    func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
      %0 = cim.relu %x : tensor<2xf32>
      %1 = "test.mystery"(%0) : (tensor<2xf32>) -> tensor<2xf32>
      return %1 : tensor<2xf32>
    })mlir",
                     {iota({2})});
  EXPECT_TRUE(failed(results));
  EXPECT_EQ(errors, "the reference executor does not support 'test.mystery'");
}

TEST_F(ExecutorTest, DynamicDimensionsTakeTheInputSize) {
  const char *source = R"mlir(
    func.func @main(%x: tensor<?x4xf32>, %y: tensor<?x4xf32>)
        -> (tensor<?x4xf32>, tensor<?x1xf32>) {
      %0 = cim.add %x, %y : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
      %1 = cim.reduce_mean %0 {axes = array<i64: 1>}
         : (tensor<?x4xf32>) -> tensor<?x1xf32>
      return %0, %1 : tensor<?x4xf32>, tensor<?x1xf32>
    })mlir";
  auto results = run(source, {iota({2, 4}), iota({2, 4})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[1], {2, 1}, {3, 11}));
  results = run(source, {iota({3, 4}), iota({1, 4})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[1], {3, 1}, {3, 7, 11}));

  // Sizes that only clash at run time.
  EXPECT_TRUE(failed(run(source, {iota({3, 4}), iota({2, 4})})));
  EXPECT_EQ(errors, "'cim.add' op shapes 3x4 and 2x4 do not broadcast");
}

TEST_F(ExecutorTest, RunTimeShapeMismatchInsideTheGraph) {
  // The verifier cannot see that 3x4 does not fit 2x4.
  auto results = run(R"mlir(
    func.func @main(%x: tensor<?x4xf32>) -> tensor<2x4xf32> {
      %0 = cim.reshape %x : (tensor<?x4xf32>) -> tensor<2x4xf32>
      return %0 : tensor<2x4xf32>
    })mlir",
                     {iota({3, 4})});
  EXPECT_TRUE(failed(results));
  EXPECT_EQ(errors,
            "'cim.reshape' op cannot reshape 12 elements (3x4) into 2x4");
}

TEST_F(ExecutorTest, ErrorsPointAtTheOp) {
  std::string location;
  ScopedDiagnosticHandler where(&context, [&](Diagnostic &diag) {
    if (auto file = diag.getLocation().dyn_cast<FileLineColLoc>())
      location =
          file.getFilename().str() + ":" + std::to_string(file.getLine());
    return failure(); // let the fixture's handler record the message too
  });
  auto results = run(R"mlir(
    func.func @main(%x: tensor<?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
      %0 = cim.relu %x : tensor<?xf32>
      %1 = cim.mul %0, %y : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
          loc("model.onnx":7:0)
      return %1 : tensor<?xf32>
    })mlir",
                     {iota({2}), iota({3})});
  EXPECT_TRUE(failed(results));
  EXPECT_EQ(location, "model.onnx:7");
}

TEST_F(ExecutorTest, ConstantsSharedValuesAndPassThrough) {
  auto results = run(R"mlir(
    func.func @main(%x: tensor<2xf32>)
        -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
      %c = cim.constant dense_resource<two> : tensor<2xf32>
      %s = cim.constant dense<3.0> : tensor<2xf32>
      %0 = cim.mul %x, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
      %1 = cim.add %0, %0 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
      %2 = cim.add %1, %s : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
      return %x, %1, %2, %1 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
    }
    {-#
      dialect_resources: {
        builtin: {
          two: "0x040000000000803F00000040"
        }
      }
    #-})mlir",
                     {floats({2}, {5, 6})});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[0], {2}, {5, 6}));
  EXPECT_TRUE(matches((*results)[1], {2}, {10, 24}));
  EXPECT_TRUE(matches((*results)[2], {2}, {13, 27}));
  EXPECT_TRUE(matches((*results)[3], {2}, {10, 24}));
}

TEST_F(ExecutorTest, ConstantWithoutDataIsAnError) {
  auto results = run(R"mlir(
    func.func @main() -> tensor<2xf32> {
      %c = cim.constant dense_resource<nowhere> : tensor<2xf32>
      return %c : tensor<2xf32>
    })mlir",
                     {});
  EXPECT_TRUE(failed(results));
  EXPECT_EQ(errors, "'cim.constant' op value cannot be read: resource "
                    "'nowhere' has no data");
}

/// Deterministic pseudo-random values in [-1, 1).
HostTensor noise(ArrayRef<int64_t> shape, uint32_t seed) {
  HostTensor tensor(ElementKind::F32, shape);
  uint32_t state = seed;
  for (float &v : tensor.data<float>()) {
    state = state * 1664525u + 1013904223u;
    v = float(state >> 8) / float(1u << 23) - 1.0f;
  }
  return tensor;
}

TEST_F(ExecutorTest, ResultsAreBitwiseDeterministic) {
  // The 7x513 by 513x3001 product rounds differently in OpenBLAS's single-
  // and multithreaded drivers (seen with 0.3.21 on SkylakeX), so it checks
  // that the executor does not depend on the caller's thread setting.
  const char *source = R"mlir(
    func.func @main(%x: tensor<2x3x32x32xf32>, %w: tensor<16x3x3x3xf32>,
                    %b: tensor<16xf32>, %fc: tensor<10x4096xf32>,
                    %fb: tensor<10xf32>, %l: tensor<7x513xf32>,
                    %r: tensor<513x3001xf32>)
        -> (tensor<2x10xf32>, tensor<7x3001xf32>) {
      %0 = cim.conv2d %x, %w, %b {pads = array<i64: 1, 1, 1, 1>}
         : (tensor<2x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>)
         -> tensor<2x16x32x32xf32>
      %1 = cim.relu %0 : tensor<2x16x32x32xf32>
      %2 = cim.max_pool %1 {kernel_shape = array<i64: 2, 2>,
                              strides = array<i64: 2, 2>}
         : (tensor<2x16x32x32xf32>) -> tensor<2x16x16x16xf32>
      %3 = cim.flatten %2 : (tensor<2x16x16x16xf32>) -> tensor<2x4096xf32>
      %4 = cim.gemm %3, %fc, %fb {transB = true}
         : (tensor<2x4096xf32>, tensor<10x4096xf32>, tensor<10xf32>)
         -> tensor<2x10xf32>
      %5 = cim.matmul %l, %r : (tensor<7x513xf32>, tensor<513x3001xf32>)
         -> tensor<7x3001xf32>
      return %4, %5 : tensor<2x10xf32>, tensor<7x3001xf32>
    })mlir";
  SmallVector<HostTensor> inputs = {
      noise({2, 3, 32, 32}, 1), noise({16, 3, 3, 3}, 2), noise({16}, 3),
      noise({10, 4096}, 4),     noise({10}, 5),          noise({7, 513}, 6),
      noise({513, 3001}, 7)};
  int threads = openblas_get_num_threads();
  SmallVector<SmallVector<HostTensor>> runs;
  for (int setting : {2, 2, 1}) {
    openblas_set_num_threads(setting);
    auto results = run(source, inputs);
    // The caller's setting survives the call.
    EXPECT_EQ(openblas_get_num_threads(), setting);
    ASSERT_TRUE(succeeded(results)) << errors;
    runs.push_back(std::move(*results));
  }
  openblas_set_num_threads(threads);
  for (size_t r = 1; r < runs.size(); ++r)
    for (size_t i = 0; i < runs[0].size(); ++i)
      EXPECT_TRUE(runs[0][i].isBitwiseEqual(runs[r][i]))
          << "run " << r << ", result " << i;
}

const char *kHooked = R"mlir(
  func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
    %c = cim.constant dense<[1.0, 2.0]> : tensor<2xf32>
    %0 = cim.add %x, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %1 = cim.relu %0 : tensor<2xf32>
    return %1 : tensor<2xf32>
  })mlir";

TEST_F(ExecutorTest, HookSeesEveryOpWithItsOperands) {
  func::FuncOp func = parse(kHooked);
  ASSERT_TRUE(func);
  std::string trace;
  auto hook = [&](Operation *op, MutableArrayRef<const HostTensor *> operands) {
    trace += op->getName().getStringRef().str() + "(";
    for (const HostTensor *operand : operands)
      trace += std::to_string(operand->getAsDouble(0)) + ",";
    trace += ") ";
    return success();
  };
  auto results = runReference(func, {floats({2}, {-5.0f, 3.0f})}, hook);
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_EQ(trace, "cim.constant() cim.add(-5.000000,1.000000,) "
                   "cim.relu(-4.000000,) ");
  EXPECT_TRUE(matches((*results)[0], {2}, {0, 5}));
}

TEST_F(ExecutorTest, HookCanReplaceOperands) {
  func::FuncOp func = parse(kHooked);
  ASSERT_TRUE(func);
  HostTensor replacement = floats({2}, {10.0f, -10.0f});
  auto hook = [&](Operation *op, MutableArrayRef<const HostTensor *> operands) {
    if (isa<AddOp>(op))
      operands[1] = &replacement;
    return success();
  };
  HostTensor x = floats({2}, {1.0f, 1.0f});
  auto results = runReference(func, {x}, hook);
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[0], {2}, {11, 0}));
  // The constant and the input are untouched: a plain run is unchanged.
  results = runReference(func, {x});
  ASSERT_TRUE(succeeded(results)) << errors;
  EXPECT_TRUE(matches((*results)[0], {2}, {2, 3}));
}

TEST_F(ExecutorTest, HookFailureStopsTheRun) {
  func::FuncOp func = parse(kHooked);
  ASSERT_TRUE(func);
  int calls = 0;
  auto hook = [&](Operation *op, MutableArrayRef<const HostTensor *>) {
    ++calls;
    if (isa<AddOp>(op))
      return LogicalResult(op->emitError("stopped by the hook"));
    return success();
  };
  EXPECT_TRUE(failed(runReference(func, {floats({2}, {1.0f, 1.0f})}, hook)));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(errors, "stopped by the hook");
}

} // namespace
