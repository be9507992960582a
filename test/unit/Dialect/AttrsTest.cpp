//===- AttrsTest.cpp - Quantization and mapping attributes ----------------===//

#include "cim/Dialect/CIM/CIMOps.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::cim;

namespace {

class AttrsTest : public ::testing::Test {
protected:
  AttrsTest() { context.loadDialect<CIMDialect>(); }

  /// Runs `build` and returns the last diagnostic it emitted.
  template <typename Fn> std::string diagnosticOf(Fn build) {
    std::string message;
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      message = diag.str();
      return success();
    });
    build();
    return message;
  }

  TileAttr tile(int64_t pe, int64_t xbar, int64_t r0, int64_t r1, int64_t c0,
                int64_t c1, int64_t slice = 0, int64_t copy = 0,
                int64_t atRow = 0, int64_t atCol = 0) {
    return TileAttr::get(&context, pe, xbar, r0, r1, c0, c1, slice, copy,
                         /*group=*/int64_t(0), atRow, atCol);
  }

  MappingAttr mapping(int64_t rows, int64_t cols, int64_t slices,
                      SignedMapping mode, ArrayRef<TileAttr> tiles) {
    auto emit = [&] { return emitError(UnknownLoc::get(&context)); };
    const int64_t one = 1, size = 16;
    return MappingAttr::getChecked(emit, &context, rows, cols, /*groups=*/one,
                                   slices, /*copies=*/one, mode, size, size,
                                   tiles);
  }

  MLIRContext context;
};

TEST_F(AttrsTest, QuantRanges) {
  QuantAttr w4a8 = QuantAttr::get(&context, 4u, 8u);
  // Symmetric ranges are narrow so that negation is exact.
  EXPECT_EQ(w4a8.getWeightMin(), -7);
  EXPECT_EQ(w4a8.getWeightMax(), 7);
  EXPECT_EQ(w4a8.getActMin(), -127);
  EXPECT_EQ(w4a8.getActMax(), 127);
  QuantAttr unsignedActs = QuantAttr::get(
      &context, 2u, 4u, QuantScheme::Symmetric, QuantScheme::Asymmetric,
      QuantGranularity::PerChannel, DenseF32ArrayAttr(), DenseI32ArrayAttr(),
      FloatAttr(), int32_t(0));
  EXPECT_EQ(unsignedActs.getActMin(), 0);
  EXPECT_EQ(unsignedActs.getActMax(), 15);
  EXPECT_EQ(unsignedActs.getWeightMin(), -1);
  EXPECT_EQ(unsignedActs.getWeightMax(), 1);
}

TEST_F(AttrsTest, WithBitsKeepsScales) {
  auto scales = DenseF32ArrayAttr::get(&context, {0.5f, 0.25f});
  QuantAttr q = QuantAttr::get(
      &context, 8u, 8u, QuantScheme::Symmetric, QuantScheme::Asymmetric,
      QuantGranularity::PerChannel, scales, DenseI32ArrayAttr(),
      FloatAttr::get(Float32Type::get(&context), 0.1), int32_t(7));
  QuantAttr lower = q.withBits(3, 5);
  EXPECT_EQ(lower.getWbits(), 3u);
  EXPECT_EQ(lower.getAbits(), 5u);
  EXPECT_EQ(lower.getWscale(), scales);
  EXPECT_EQ(lower.getAscheme(), QuantScheme::Asymmetric);
  EXPECT_EQ(lower.getAzp(), 7);
}

TEST_F(AttrsTest, QuantVerifier) {
  auto emit = [&] { return emitError(UnknownLoc::get(&context)); };
  std::string message = diagnosticOf([&] {
    EXPECT_FALSE(QuantAttr::getChecked(
        emit, &context, 4u, 17u, QuantScheme::Symmetric, QuantScheme::Symmetric,
        QuantGranularity::PerChannel, DenseF32ArrayAttr(), DenseI32ArrayAttr(),
        FloatAttr(), int32_t(0)));
  });
  EXPECT_EQ(message, "activation bits must be in [1, 16], got 17");
  message = diagnosticOf([&] {
    EXPECT_FALSE(QuantAttr::getChecked(
        emit, &context, 4u, 8u, QuantScheme::Symmetric, QuantScheme::Symmetric,
        QuantGranularity::PerChannel, DenseF32ArrayAttr::get(&context, {0.0f}),
        DenseI32ArrayAttr(), FloatAttr(), int32_t(0)));
  });
  EXPECT_EQ(message,
            "weight scales must be positive and finite, got 0.000000e+00");
}

TEST_F(AttrsTest, MappingCountsCrossbars) {
  // 20 x 6 on 16 x 16 differential crossbars: two row tiles, two slices side
  // by side (6 columns -> 12 physical columns; the second slice needs its
  // own crossbar).
  SmallVector<TileAttr> tiles = {
      tile(0, 0, 0, 16, 0, 6, 0), tile(0, 1, 0, 16, 0, 6, 1),
      tile(0, 2, 16, 20, 0, 6, 0), tile(0, 2, 16, 20, 0, 6, 1, 0, 4, 0)};
  MappingAttr m = mapping(20, 6, 2, SignedMapping::DifferentialColumn, tiles);
  ASSERT_TRUE(m);
  EXPECT_EQ(m.getNumCrossbars(), 3);
  EXPECT_EQ(m.getPhysicalCols(tiles[0]), 12);
  EXPECT_EQ(m.getPhysicalRows(tiles[0]), 16);
}

TEST_F(AttrsTest, DifferentialRowDoublesRows) {
  SmallVector<TileAttr> tiles = {tile(0, 0, 0, 8, 0, 16)};
  MappingAttr m = mapping(8, 16, 1, SignedMapping::DifferentialRow, tiles);
  ASSERT_TRUE(m);
  EXPECT_EQ(m.getPhysicalRows(tiles[0]), 16);
  EXPECT_EQ(m.getPhysicalCols(tiles[0]), 16);
  // 9 rows would need 18 physical rows.
  std::string message = diagnosticOf([&] {
    EXPECT_FALSE(mapping(9, 16, 1, SignedMapping::DifferentialRow,
                         {tile(0, 0, 0, 9, 0, 16)}));
  });
  EXPECT_EQ(message, "tile 0 needs 18x16 cells at [0, 0] but the crossbar has "
                     "16x16 usable cells");
}

TEST_F(AttrsTest, MappingRejectsGapsAndOverlaps) {
  std::string message = diagnosticOf([&] {
    EXPECT_FALSE(
        mapping(8, 8, 1, SignedMapping::Offset, {tile(0, 0, 0, 4, 0, 8)}));
  });
  EXPECT_EQ(message,
            "tiles of group 0, slice 0, copy 0 cover 32 of 64 weights");
  message = diagnosticOf([&] {
    EXPECT_FALSE(mapping(8, 8, 1, SignedMapping::Offset,
                         {tile(0, 0, 0, 8, 0, 4), tile(0, 1, 0, 8, 2, 8)}));
  });
  EXPECT_EQ(message, "tiles overlap in the weight matrix of group 0, slice 0, "
                     "copy 0");
}

} // namespace
