//===- HostTensorTest.cpp - HostTensor and attribute conversion -----------===//

#include "ReferenceTestUtils.h"

#include "cim/Dialect/CIM/CIMOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::testing;

namespace {

TEST(HostTensorTest, ZeroFilledWithShape) {
  HostTensor t(ElementKind::I32, {2, 3});
  EXPECT_EQ(t.getKind(), ElementKind::I32);
  EXPECT_EQ(t.getShape(), ArrayRef<int64_t>({2, 3}));
  EXPECT_EQ(t.getNumElements(), 6);
  EXPECT_EQ(t.getElementSize(), 4u);
  EXPECT_EQ(t.getBytes().size(), 24u);
  EXPECT_EQ(t.getShapeString(), "2x3");
  for (int32_t v : t.data<int32_t>())
    EXPECT_EQ(v, 0);

  HostTensor scalar(ElementKind::F64, {});
  EXPECT_EQ(scalar.getNumElements(), 1);
  EXPECT_EQ(scalar.getRank(), 0);
  HostTensor none;
  EXPECT_EQ(none.getRank(), 0);
  EXPECT_EQ(none.getNumElements(), 1);
  EXPECT_EQ(none.getAsDouble(0), 0.0);
  HostTensor empty(ElementKind::F32, {0, 4});
  EXPECT_EQ(empty.getNumElements(), 0);
}

TEST(HostTensorTest, ConversionsTruncateAndWrap) {
  HostTensor f = HostTensor::fromFloats({3}, {1.5f, -2.5f, 3.0f});
  EXPECT_EQ(f.getAsDouble(1), -2.5);
  EXPECT_EQ(f.getAsInt64(0), 1);
  EXPECT_EQ(f.getAsInt64(1), -2);
  f.setFromInt64(2, 7);
  EXPECT_EQ(f.data<float>()[2], 7.0f);

  HostTensor i8(ElementKind::I8, {2});
  i8.setFromDouble(0, 300.0); // wraps modulo 256
  i8.setFromInt64(1, -1);
  EXPECT_EQ(i8.getAsInt64(0), 44);
  EXPECT_EQ(i8.getAsInt64(1), -1);

  HostTensor u8(ElementKind::U8, {1});
  u8.setFromInt64(0, -1);
  EXPECT_EQ(u8.getAsInt64(0), 255);

  HostTensor b(ElementKind::Bool, {2});
  b.setFromDouble(0, 0.5);
  EXPECT_EQ(b.getAsInt64(0), 1);
  EXPECT_EQ(b.getAsInt64(1), 0);

  HostTensor u64(ElementKind::U64, {1});
  u64.setFromDouble(0, 1e19);
  EXPECT_EQ(u64.data<uint64_t>()[0], 10000000000000000000ull);
}

TEST(HostTensorTest, ReshapeAndBitwiseEquality) {
  HostTensor a = HostTensor::fromValues<int64_t>({2, 2}, {1, 2, 3, 4});
  HostTensor b = a;
  EXPECT_TRUE(a.isBitwiseEqual(b));
  b.reshape({4});
  EXPECT_EQ(b.getShape(), ArrayRef<int64_t>({4}));
  EXPECT_FALSE(a.isBitwiseEqual(b));
  b.reshape({2, 2});
  b.data<int64_t>()[3] = 5;
  EXPECT_FALSE(a.isBitwiseEqual(b));
}

TEST(HostTensorTest, ElementKindsOfMLIRTypes) {
  MLIRContext context;
  Builder builder(&context);
  EXPECT_EQ(getElementKind(builder.getF32Type()), ElementKind::F32);
  EXPECT_EQ(getElementKind(builder.getF64Type()), ElementKind::F64);
  EXPECT_EQ(getElementKind(builder.getI64Type()), ElementKind::I64);
  EXPECT_EQ(getElementKind(builder.getI1Type()), ElementKind::Bool);
  EXPECT_EQ(getElementKind(builder.getIntegerType(8, /*isSigned=*/false)),
            ElementKind::U8);
  EXPECT_EQ(getElementKind(builder.getIntegerType(16, /*isSigned=*/true)),
            ElementKind::I16);
  EXPECT_EQ(getElementKind(builder.getF16Type()), ElementKind::F16);
  EXPECT_EQ(getElementKind(builder.getBF16Type()), ElementKind::BF16);
  EXPECT_EQ(getElementKind(builder.getIntegerType(4)), ElementKind::I4);
  EXPECT_EQ(getElementKind(builder.getIntegerType(2, false)), ElementKind::U2);
  EXPECT_FALSE(getElementKind(builder.getIndexType()));
  EXPECT_FALSE(getElementKind(builder.getIntegerType(3)));
  EXPECT_FALSE(getElementKind(builder.getF80Type()));
  for (ElementKind kind :
       {ElementKind::F32, ElementKind::F64, ElementKind::I8, ElementKind::I16,
        ElementKind::I32, ElementKind::I64, ElementKind::U8, ElementKind::U16,
        ElementKind::U32, ElementKind::U64, ElementKind::Bool, ElementKind::F16,
        ElementKind::BF16, ElementKind::I4, ElementKind::U4, ElementKind::I2,
        ElementKind::U2})
    EXPECT_EQ(getElementKind(getElementType(&context, kind)), kind)
        << getElementKindName(kind).str();
}

TEST(HostTensorTest, DenseAttributes) {
  MLIRContext context;
  Builder builder(&context);
  auto f32 = RankedTensorType::get({2, 2}, builder.getF32Type());
  auto dense = DenseElementsAttr::get(f32, ArrayRef<float>{1, 2, 3, 4});
  FailureOr<HostTensor> t = toHostTensor(dense);
  ASSERT_TRUE(succeeded(t));
  EXPECT_TRUE(matches(*t, {2, 2}, {1, 2, 3, 4}));

  auto splat = DenseElementsAttr::get(f32, 0.25f);
  t = toHostTensor(splat);
  ASSERT_TRUE(succeeded(t));
  EXPECT_TRUE(matches(*t, {2, 2}, {0.25, 0.25, 0.25, 0.25}));

  auto i64 = RankedTensorType::get({3}, builder.getI64Type());
  t = toHostTensor(DenseElementsAttr::get(i64, ArrayRef<int64_t>{-1, 0, 7}));
  ASSERT_TRUE(succeeded(t));
  EXPECT_EQ(t->getKind(), ElementKind::I64);
  EXPECT_TRUE(matches(*t, {3}, {-1, 0, 7}));

  // i1 is bit-packed in MLIR but one byte per element in a HostTensor.
  auto i1 = RankedTensorType::get({3}, builder.getI1Type());
  t = toHostTensor(
      DenseElementsAttr::get(i1, ArrayRef<bool>{true, false, true}));
  ASSERT_TRUE(succeeded(t));
  EXPECT_EQ(t->getKind(), ElementKind::Bool);
  EXPECT_TRUE(matches(*t, {3}, {1, 0, 1}));

  // f16 keeps its bit pattern; reading rounds nothing.
  auto f16 = RankedTensorType::get({1}, builder.getF16Type());
  t = toHostTensor(DenseElementsAttr::get(f16, builder.getF16FloatAttr(1.5)));
  ASSERT_TRUE(succeeded(t));
  EXPECT_EQ(t->getKind(), ElementKind::F16);
  EXPECT_EQ(t->getAsDouble(0), 1.5);

  std::string error;
  auto f80 = RankedTensorType::get({1}, builder.getF80Type());
  EXPECT_TRUE(failed(
      toHostTensor(DenseElementsAttr::get(
                       f80, builder.getFloatAttr(builder.getF80Type(), 1.0)),
                   &error)));
  EXPECT_EQ(error, "element type f80 is not supported");
}

TEST(HostTensorTest, StorageOnlyKinds) {
  // f16 / bf16 round to nearest even; 2049 is a tie between 2048 and 2050.
  HostTensor half(ElementKind::F16, {3});
  half.setFromDouble(0, 2049.0);
  half.setFromDouble(1, 0.1);
  half.setFromDouble(2, 1e6); // beyond f16: infinity
  EXPECT_EQ(half.getAsDouble(0), 2048.0);
  EXPECT_EQ(half.getAsDouble(1), 0.0999755859375);
  EXPECT_TRUE(std::isinf(half.getAsDouble(2)));
  HostTensor brain(ElementKind::BF16, {1});
  brain.setFromDouble(0, 0.47892547);
  EXPECT_EQ(brain.getAsDouble(0), 0.478515625);

  // Sub-byte integers keep the low bits (ONNX Cast wraps) and sign-extend.
  HostTensor i4(ElementKind::I4, {4});
  const int64_t values[] = {-9, -8, 7, 8};
  for (auto [i, v] : llvm::enumerate(values))
    i4.setFromInt64(i, v);
  EXPECT_EQ(i4.getAsInt64(0), 7);
  EXPECT_EQ(i4.getAsInt64(1), -8);
  EXPECT_EQ(i4.getAsInt64(2), 7);
  EXPECT_EQ(i4.getAsInt64(3), -8);
  HostTensor u2(ElementKind::U2, {2});
  u2.setFromDouble(0, -1.0);
  u2.setFromDouble(1, 2.9); // truncates toward zero first
  EXPECT_EQ(u2.getAsInt64(0), 3);
  EXPECT_EQ(u2.getAsInt64(1), 2);

  EXPECT_EQ(getComputeKind(ElementKind::BF16), ElementKind::F32);
  EXPECT_EQ(getComputeKind(ElementKind::I2), ElementKind::I8);
  EXPECT_EQ(getComputeKind(ElementKind::U4), ElementKind::U8);
  EXPECT_EQ(getComputeKind(ElementKind::I64), ElementKind::I64);

  // convertElements is ONNX Cast.
  HostTensor f = HostTensor::fromFloats({3}, {-2.7f, 0.5f, 300.0f});
  HostTensor asI8 = convertElements(f, ElementKind::I8);
  EXPECT_EQ(asI8.getAsInt64(0), -2);
  EXPECT_EQ(asI8.getAsInt64(1), 0);
  EXPECT_EQ(asI8.getAsInt64(2), 300 - 256);
  HostTensor asBool = convertElements(f, ElementKind::Bool);
  EXPECT_EQ(asBool.getAsInt64(1), 1);
}

TEST_F(ReferenceTest, ResourceAttributes) {
  // 1.0f and 2.0f little-endian after the 4-byte alignment prefix.
  func::FuncOp func = parse(R"mlir(
    func.func @main() -> (tensor<2xf32>, tensor<2xf32>) {
      %0 = cim.constant dense_resource<blob> : tensor<2xf32>
      %1 = cim.constant dense_resource<missing> : tensor<2xf32>
      return %0, %1 : tensor<2xf32>, tensor<2xf32>
    }
    {-#
      dialect_resources: {
        builtin: {
          blob: "0x040000000000803F00000040"
        }
      }
    #-})mlir");
  ASSERT_TRUE(func);
  SmallVector<ConstantOp> constants;
  func.walk([&](ConstantOp op) { constants.push_back(op); });
  ASSERT_EQ(constants.size(), 2u);
  FailureOr<HostTensor> t = toHostTensor(constants[0].getValue());
  ASSERT_TRUE(succeeded(t));
  EXPECT_TRUE(matches(*t, {2}, {1, 2}));

  std::string error;
  EXPECT_TRUE(failed(toHostTensor(constants[1].getValue(), &error)));
  EXPECT_EQ(error, "resource 'missing' has no data");
}

} // namespace
