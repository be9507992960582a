//===- OpsTest.cpp - Building ops through the C++ API ---------------------===//

#include "cim/Dialect/CIM/CIMOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::cim;

namespace {

class OpsTest : public ::testing::Test {
protected:
  OpsTest() : builder(&context) {
    context.loadDialect<CIMDialect, func::FuncDialect>();
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
    func = builder.create<func::FuncOp>(builder.getUnknownLoc(), "f",
                                        builder.getFunctionType({}, {}));
    builder.setInsertionPointToStart(func.addEntryBlock());
  }

  Value argument(ArrayRef<int64_t> shape) {
    auto type = RankedTensorType::get(shape, builder.getF32Type());
    Value arg = func.getBody().addArgument(type, builder.getUnknownLoc());
    func.setType(
        builder.getFunctionType(func.getBody().getArgumentTypes(), {}));
    return arg;
  }

  /// Terminates the function and verifies the module.
  LogicalResult finishAndVerify() {
    builder.create<func::ReturnOp>(builder.getUnknownLoc());
    return verify(*module);
  }

  Value weight(ArrayRef<int64_t> shape) {
    auto type = RankedTensorType::get(shape, builder.getF32Type());
    return builder.create<ConstantOp>(builder.getUnknownLoc(),
                                      DenseElementsAttr::get(type, 0.5f));
  }

  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
  func::FuncOp func;
};

TEST_F(OpsTest, ConvInfersShapeAndMatrix) {
  Location loc = NameLoc::get(builder.getStringAttr("stem"));
  auto conv = builder.create<Conv2dOp>(
      loc, argument({1, 3, 224, 224}), weight({64, 3, 7, 7}), Value(),
      builder.getDenseI64ArrayAttr({2, 2}),
      builder.getDenseI64ArrayAttr({3, 3, 3, 3}), DenseI64ArrayAttr(),
      /*group=*/1, QuantAttr(), MappingAttr(), StringAttr());
  EXPECT_EQ(conv.getType().getShape(), ArrayRef<int64_t>({1, 64, 112, 112}));
  auto layer = cast<LayerOpInterface>(conv.getOperation());
  LayerMatrix m = layer.getLayerMatrix();
  EXPECT_EQ(m.rows, 147);
  EXPECT_EQ(m.cols, 64);
  EXPECT_EQ(m.groups, 1);
  EXPECT_EQ(m.invocations, 112 * 112);
  EXPECT_EQ(layer.getLayerName(), "stem");
  EXPECT_TRUE(hasConstantWeight(layer));
  EXPECT_EQ(conv.getPadValues(), (SmallVector<int64_t, 4>{3, 3, 3, 3}));
  EXPECT_EQ(conv.getDilationValues(), (SmallVector<int64_t, 2>{1, 1}));

  layer.setLayerQuant(QuantAttr::get(&context, 4u, 4u));
  EXPECT_EQ(conv.getQuantAttr().getWbits(), 4u);
  layer.setLayerQuant(nullptr);
  EXPECT_FALSE(conv.getQuantAttr());
  EXPECT_TRUE(succeeded(finishAndVerify()));
}

TEST_F(OpsTest, GemmAndMatMulInferShapes) {
  auto gemm = builder.create<GemmOp>(
      builder.getUnknownLoc(), argument({8, 256}), weight({10, 256}),
      weight({10}), builder.getF32FloatAttr(1.0f),
      builder.getF32FloatAttr(1.0f), builder.getBoolAttr(false),
      builder.getBoolAttr(true), QuantAttr(), MappingAttr(), StringAttr());
  EXPECT_EQ(gemm.getType().getShape(), ArrayRef<int64_t>({8, 10}));
  LayerMatrix gm = cast<LayerOpInterface>(gemm.getOperation()).getLayerMatrix();
  EXPECT_EQ(gm, (LayerMatrix{256, 10, 1, 8}));

  // Batched weights: each of the 4 heads is its own group.
  auto matmul = builder.create<MatMulOp>(
      builder.getUnknownLoc(), argument({4, 16, 32}), weight({4, 32, 8}),
      QuantAttr(), MappingAttr(), StringAttr());
  EXPECT_EQ(matmul.getType().getShape(), ArrayRef<int64_t>({4, 16, 8}));
  LayerMatrix mm =
      cast<LayerOpInterface>(matmul.getOperation()).getLayerMatrix();
  EXPECT_EQ(mm, (LayerMatrix{32, 8, 4, 16}));
  EXPECT_TRUE(succeeded(finishAndVerify()));
}

TEST_F(OpsTest, ShapeErrorsAreReported) {
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  SmallVector<Type> types;
  Value lhs = argument({2, 3});
  Value rhs = argument({4});
  EXPECT_TRUE(failed(AddOp::inferReturnTypes(
      &context, builder.getUnknownLoc(), ValueRange{lhs, rhs},
      builder.getDictionaryAttr({}), {}, types)));
  EXPECT_EQ(message, "shapes 2x3 and 4 do not broadcast");
}

TEST_F(OpsTest, ReshapeOfConstantFolds) {
  const char *text = R"mlir(
    func.func @f() -> tensor<2x2xf32> {
      %0 = cim.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
      %1 = cim.reshape %0 : (tensor<4xf32>) -> tensor<2x2xf32>
      return %1 : tensor<2x2xf32>
    })mlir";
  OwningOpRef<ModuleOp> parsed = parseSourceString<ModuleOp>(text, &context);
  ASSERT_TRUE(parsed);
  ReshapeOp reshape;
  parsed->walk([&](ReshapeOp op) { reshape = op; });
  ASSERT_TRUE(reshape);
  SmallVector<OpFoldResult> results;
  Attribute input = reshape.getInput().getDefiningOp<ConstantOp>().getValue();
  ASSERT_TRUE(succeeded(reshape->fold({input}, results)));
  ASSERT_EQ(results.size(), 1u);
  auto folded =
      results[0].dyn_cast<Attribute>().dyn_cast_or_null<DenseElementsAttr>();
  ASSERT_TRUE(folded);
  EXPECT_EQ(folded.getType().getShape(), ArrayRef<int64_t>({2, 2}));
  EXPECT_EQ(folded.getValues<float>()[3], 4.0f);
}

} // namespace
