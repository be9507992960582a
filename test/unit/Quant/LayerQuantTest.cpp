//===- LayerQuantTest.cpp - The quantizer on cim layers -------------------===//

#include "cim/Quant/LayerQuant.h"

#include "cim/Dialect/CIM/CIMDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::cim;

namespace {

class LayerQuantTest : public ::testing::Test {
protected:
  LayerQuantTest()
      : handler(&context, [this](Diagnostic &diag) {
          if (!errors.empty())
            errors += "\n";
          errors += diag.str();
          return success();
        }) {
    context.loadDialect<CIMDialect, func::FuncDialect>();
  }

  func::FuncOp parse(StringRef source) {
    module = parseSourceString<ModuleOp>(source, &context);
    if (!module) {
      ADD_FAILURE() << "cannot parse:\n" << errors;
      return {};
    }
    return *module->getOps<func::FuncOp>().begin();
  }

  /// The layers of the module in order.
  SmallVector<LayerOpInterface> layers() {
    SmallVector<LayerOpInterface> result;
    module->walk([&](LayerOpInterface layer) { result.push_back(layer); });
    return result;
  }

  MLIRContext context;
  std::string errors;
  ScopedDiagnosticHandler handler;
  OwningOpRef<ModuleOp> module;
};

void expectLayout(const quant::ChannelLayout &layout, int64_t groups,
                  int64_t outer, int64_t channels, int64_t inner) {
  EXPECT_EQ(layout.groups, groups);
  EXPECT_EQ(layout.outer, outer);
  EXPECT_EQ(layout.channels, channels);
  EXPECT_EQ(layout.inner, inner);
}

TEST_F(LayerQuantTest, DialectRangesAreTheQuantizerRanges) {
  for (unsigned bits = quant::kMinBits; bits <= quant::kMaxBits; ++bits)
    for (QuantScheme scheme :
         {QuantScheme::Symmetric, QuantScheme::Asymmetric}) {
      auto attr = QuantAttr::get(
          &context, bits, bits, scheme, scheme, QuantGranularity::PerChannel,
          DenseF32ArrayAttr(), DenseI32ArrayAttr(), FloatAttr(), 0);
      quant::IntRange range = quant::getIntRange(scheme, bits);
      EXPECT_EQ(attr.getWeightMin(), range.min) << bits;
      EXPECT_EQ(attr.getWeightMax(), range.max) << bits;
      EXPECT_EQ(attr.getActMin(), range.min) << bits;
      EXPECT_EQ(attr.getActMax(), range.max) << bits;
    }
}

TEST_F(LayerQuantTest, ChannelLayoutOfEveryLayerKind) {
  parse(R"mlir(
    func.func @main(%x: tensor<1x4x8x8xf32>, %t: tensor<1x16xf32>,
                    %s: tensor<2x3x8xf32>) {
      %cw = cim.constant dense<0.5> : tensor<6x2x3x3xf32>
      %0 = cim.conv2d %x, %cw {group = 2 : i64}
         : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
      %gw = cim.constant dense<0.5> : tensor<16x10xf32>
      %1 = cim.gemm %t, %gw : (tensor<1x16xf32>, tensor<16x10xf32>) -> tensor<1x10xf32>
      %tw = cim.constant dense<0.5> : tensor<10x16xf32>
      %2 = cim.gemm %t, %tw {transB = true}
         : (tensor<1x16xf32>, tensor<10x16xf32>) -> tensor<1x10xf32>
      %mw = cim.constant dense<0.5> : tensor<2x8x4xf32>
      %3 = cim.matmul %s, %mw : (tensor<2x3x8xf32>, tensor<2x8x4xf32>) -> tensor<2x3x4xf32>
      %vw = cim.constant dense<0.5> : tensor<8xf32>
      %4 = cim.matmul %s, %vw : (tensor<2x3x8xf32>, tensor<8xf32>) -> tensor<2x3xf32>
      return
    })mlir");
  SmallVector<LayerOpInterface> all = layers();
  ASSERT_EQ(all.size(), 5u) << errors;
  expectLayout(getWeightChannelLayout(all[0]), 1, 1, 6, 18);
  expectLayout(getWeightChannelLayout(all[1]), 1, 16, 10, 1);
  expectLayout(getWeightChannelLayout(all[2]), 1, 1, 10, 16);
  expectLayout(getWeightChannelLayout(all[3]), 2, 8, 4, 1);
  expectLayout(getWeightChannelLayout(all[4]), 1, 1, 1, 8);
  // One channel per output channel as the verifier counts them.
  for (LayerOpInterface layer : all) {
    LayerMatrix matrix = layer.getLayerMatrix();
    EXPECT_EQ(getWeightChannelLayout(layer).getNumChannels(),
              matrix.cols * matrix.groups);
  }
}

const char *kGemm = R"mlir(
  func.func @main(%t: tensor<1x2xf32>) -> tensor<1x3xf32> {
    %w = cim.constant dense<[[1.0, 2.0, 3.0], [-4.0, 5.0, -6.0]]> : tensor<2x3xf32>
    %0 = cim.gemm %t, %w {quant = QUANT}
       : (tensor<1x2xf32>, tensor<2x3xf32>) -> tensor<1x3xf32>
    return %0 : tensor<1x3xf32>
  })mlir";

std::string withQuant(StringRef quant) {
  std::string source = kGemm;
  source.replace(source.find("QUANT"), 5, quant.str());
  return source;
}

TEST_F(LayerQuantTest, PerChannelWeightScalesFromTheConstant) {
  parse(withQuant("#cim.quant<wbits = 4, abits = 8>"));
  LayerOpInterface layer = layers()[0];
  FailureOr<QuantAttr> quant =
      computeWeightScales(layer, layer.getLayerQuant());
  ASSERT_TRUE(succeeded(quant)) << errors;
  ArrayRef<float> scales = quant->getWscale().asArrayRef();
  ASSERT_EQ(scales.size(), 3u);
  EXPECT_FLOAT_EQ(scales[0], 4.0f / 7);
  EXPECT_FLOAT_EQ(scales[1], 5.0f / 7);
  EXPECT_FLOAT_EQ(scales[2], 6.0f / 7);
  EXPECT_FALSE(quant->getWzp());
  EXPECT_EQ(quant->getWbits(), 4u);
}

TEST_F(LayerQuantTest, PerTensorAndAsymmetricWeightScales) {
  parse(
      withQuant("#cim.quant<wbits = 8, abits = 8, granularity = per_tensor>"));
  LayerOpInterface layer = layers()[0];
  FailureOr<QuantAttr> quant =
      computeWeightScales(layer, layer.getLayerQuant());
  ASSERT_TRUE(succeeded(quant)) << errors;
  ASSERT_EQ(quant->getWscale().size(), 1u);
  EXPECT_FLOAT_EQ(quant->getWscale()[0], 6.0f / 127);

  parse(withQuant("#cim.quant<wbits = 8, abits = 8, wscheme = asymmetric>"));
  layer = layers()[0];
  quant = computeWeightScales(layer, layer.getLayerQuant());
  ASSERT_TRUE(succeeded(quant)) << errors;
  ASSERT_TRUE(quant->getWzp());
  // Column 1 is [2, 5] -> widened to [0, 5]: zero point 0.
  EXPECT_FLOAT_EQ(quant->getWscale()[1], 5.0f / 255);
  EXPECT_EQ(quant->getWzp()[1], 0);
  // Column 2 is [-6, 3]: zero point round(6 / (9 / 255)) = 170.
  EXPECT_EQ(quant->getWzp()[2], 170);
}

TEST_F(LayerQuantTest, NonFiniteWeightsAreAnError) {
  parse(R"mlir(
    func.func @main(%t: tensor<1x2xf32>) -> tensor<1x2xf32> {
      %w = cim.constant dense<[[1.0, 0x7F800000], [2.0, 3.0]]> : tensor<2x2xf32>
      %0 = cim.gemm %t, %w {quant = #cim.quant<wbits = 4, abits = 8>}
         : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
      return %0 : tensor<1x2xf32>
    })mlir");
  LayerOpInterface layer = layers()[0];
  EXPECT_TRUE(failed(computeWeightScales(layer, layer.getLayerQuant())));
  EXPECT_EQ(errors, "'cim.gemm' op weight of output channel 1 is not finite; "
                    "it cannot be quantized");
}

TEST_F(LayerQuantTest, ActivationRangeAndRescaling) {
  QuantAttr quant = QuantAttr::get(&context, 8, 8);
  QuantAttr calibrated = withActivationRange(quant, {-1.0f, 2.54f});
  EXPECT_FLOAT_EQ(calibrated.getAscale().getValueAsDouble(), 0.02f);
  EXPECT_EQ(calibrated.getAzp(), 0);
  std::optional<quant::QuantParams> params = getActivationParams(calibrated);
  ASSERT_TRUE(params);
  EXPECT_EQ(params->range.max, 127);

  // 8 -> 4 bits keeps the clipping range 127 * 0.02 = 7 * scale.
  QuantAttr narrow = withBitsKeepingRanges(calibrated, 8, 4);
  EXPECT_EQ(narrow.getAbits(), 4u);
  EXPECT_FLOAT_EQ(narrow.getAscale().getValueAsDouble(), 0.02f * 127 / 7);
  // Unchanged widths keep the attribute as it is.
  EXPECT_EQ(withBitsKeepingRanges(calibrated, 8, 8), calibrated);
}

const char *kTwoLayers = R"mlir(
  func.func @main(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
    %w = cim.constant dense<[[1.0, 0.0], [0.0, 1.0], [0.0, 0.0], [0.0, 0.0]]> : tensor<4x2xf32>
    %0 = cim.gemm %x, %w {name = "fc1", quant = #cim.quant<wbits = 8, abits = 8>}
       : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
    %1 = cim.relu %0 : tensor<1x2xf32>
    %w2 = cim.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
    %2 = cim.gemm %1, %w2 {name = "fc2", quant = #cim.quant<wbits = 8, abits = 8, ascheme = asymmetric>}
       : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
    %w3 = cim.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
    %3 = cim.gemm %2, %w3 {name = "fc3", quant = #cim.quant<wbits = 8, abits = 8, ascale = 5.0 : f32>}
       : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
    return %3 : tensor<1x2xf32>
  })mlir";

TEST_F(LayerQuantTest, CalibrationObservesEveryLayerInput) {
  func::FuncOp func = parse(kTwoLayers);
  SmallVector<SmallVector<HostTensor>> samples;
  samples.push_back(
      {HostTensor::fromFloats({1, 4}, {-1.0f, 0.5f, 2.0f, 1.27f})});
  samples.push_back(
      {HostTensor::fromFloats({1, 4}, {0.3f, 2.54f, -0.2f, 0.0f})});
  CalibrationOptions options;
  ASSERT_TRUE(succeeded(calibrateActivations(func, samples, options)))
      << errors;
  SmallVector<LayerOpInterface> all = layers();
  // fc1 saw [-1, 2.54]: symmetric 2.54 / 127.
  EXPECT_FLOAT_EQ(all[0].getLayerQuant().getAscale().getValueAsDouble(), 0.02f);
  // fc2 saw relu of the first two inputs, [0, 2.54]: unsigned 2.54 / 255.
  QuantAttr fc2 = all[1].getLayerQuant();
  EXPECT_FLOAT_EQ(fc2.getAscale().getValueAsDouble(), 2.54f / 255);
  EXPECT_EQ(fc2.getAzp(), 0);
  // fc3 already had a scale (as from QDQ): kept.
  EXPECT_FLOAT_EQ(all[2].getLayerQuant().getAscale().getValueAsDouble(), 5.0f);

  options.overwrite = true;
  ASSERT_TRUE(succeeded(calibrateActivations(func, samples, options)))
      << errors;
  EXPECT_FLOAT_EQ(all[2].getLayerQuant().getAscale().getValueAsDouble(),
                  2.54f / 127);
}

TEST_F(LayerQuantTest, PercentileCalibrationClipsOutliers) {
  func::FuncOp func = parse(kTwoLayers);
  SmallVector<SmallVector<HostTensor>> samples;
  for (int i = 0; i < 50; ++i)
    samples.push_back({HostTensor::fromFloats(
        {1, 4}, {float(i) / 49, 0.0f, 0.0f, i == 7 ? 100.0f : 0.0f})});
  CalibrationOptions options;
  options.method = quant::CalibrationMethod::Percentile;
  options.percentile = 99.0;
  ASSERT_TRUE(succeeded(calibrateActivations(func, samples, options)))
      << errors;
  // 200 values: 150 zeros (..), 0..1 ramp and one 100. P(99) at rank
  // 197.01 falls on the ramp's top values, far from the outlier.
  double scale = layers()[0].getLayerQuant().getAscale().getValueAsDouble();
  EXPECT_LT(scale, 1.0 / 127 * 1.001);
  EXPECT_GT(scale, 0.9 / 127);
}

TEST_F(LayerQuantTest, FakeQuantizedRunUsesTheQuantizedOperands) {
  func::FuncOp func = parse(R"mlir(
    func.func @main(%x: tensor<1x2xf32>) -> tensor<1x1xf32> {
      %w = cim.constant dense<[[0.5], [0.25]]> : tensor<2x1xf32>
      %0 = cim.gemm %x, %w {quant = #cim.quant<wbits = 4, abits = 4,
                            wscale = [0.2], ascale = 0.1 : f32>}
         : (tensor<1x2xf32>, tensor<2x1xf32>) -> tensor<1x1xf32>
      return %0 : tensor<1x1xf32>
    })mlir");
  HostTensor x = HostTensor::fromFloats({1, 2}, {0.26f, -0.74f});
  auto exact = runReference(func, {x});
  ASSERT_TRUE(succeeded(exact)) << errors;
  EXPECT_NEAR((*exact)[0].data<float>()[0], 0.26 * 0.5 - 0.74 * 0.25, 1e-6);
  // x -> [3, -7] * 0.1, w -> [round(2.5) = 2, round(1.25) = 1] * 0.2.
  auto fake = runFakeQuantized(func, {x});
  ASSERT_TRUE(succeeded(fake)) << errors;
  EXPECT_NEAR((*fake)[0].data<float>()[0], 0.3 * 0.4 - 0.7 * 0.2, 1e-6);
  // The caller's input is untouched.
  EXPECT_EQ(x.data<float>()[0], 0.26f);
}

TEST_F(LayerQuantTest, FakeQuantizationTakesUncalibratedRangesFromTheInput) {
  // No wscale: the weight stays float. No ascale: the input is quantized
  // with its own range, as a program compiled without calibration does.
  func::FuncOp func = parse(R"mlir(
    func.func @main(%x: tensor<1x2xf32>) -> tensor<1x1xf32> {
      %w = cim.constant dense<[[0.5], [0.25]]> : tensor<2x1xf32>
      %0 = cim.gemm %x, %w {quant = #cim.quant<wbits = 2, abits = 2>}
         : (tensor<1x2xf32>, tensor<2x1xf32>) -> tensor<1x1xf32>
      return %0 : tensor<1x1xf32>
    })mlir");
  QuantAttr quant = layers()[0].getLayerQuant();
  // A signed range keeps the layer's scheme: symmetric 2 bits, scale 0.74,
  // so 0.26 -> 0 and -0.74 -> -1.
  HostTensor x = HostTensor::fromFloats({1, 2}, {0.26f, -0.74f});
  quant::QuantParams p = getRunTimeActivationParams(quant, x.data<float>());
  EXPECT_EQ(p.scale, 0.74f);
  EXPECT_EQ(p.zeroPoint, 0);
  auto fake = runFakeQuantized(func, {x});
  ASSERT_TRUE(succeeded(fake)) << errors;
  EXPECT_FLOAT_EQ((*fake)[0].data<float>()[0], -0.74f * 0.25f);
  // A non-negative range is unsigned whatever the scheme: [0, 3] steps of
  // 0.9 / 3, so 0.26 -> 0.3 and 0.9 -> 0.9.
  HostTensor y = HostTensor::fromFloats({1, 2}, {0.26f, 0.9f});
  p = getRunTimeActivationParams(quant, y.data<float>());
  EXPECT_EQ(p.range.min, 0);
  EXPECT_EQ(p.range.max, 3);
  fake = runFakeQuantized(func, {y});
  ASSERT_TRUE(succeeded(fake)) << errors;
  EXPECT_NEAR((*fake)[0].data<float>()[0], 0.3 * 0.5 + 0.9 * 0.25, 1e-6);
}

TEST_F(LayerQuantTest, ProductOfTwoActivationsQuantizesBothOperands) {
  // Q x K^T: the rhs (K^T) at wbits with its per-tensor wscale, the lhs
  // (Q) at abits with ascale, then the float product.
  func::FuncOp func = parse(R"mlir(
    func.func @main(%q: tensor<1x2xf32>, %k: tensor<2x1xf32>)
        -> tensor<1x1xf32> {
      %0 = cim.matmul %q, %k {quant = #cim.quant<wbits = 3, abits = 4,
                              granularity = per_tensor, wscale = [0.3],
                              ascale = 0.1 : f32>}
         : (tensor<1x2xf32>, tensor<2x1xf32>) -> tensor<1x1xf32>
      return %0 : tensor<1x1xf32>
    })mlir");
  SmallVector<LayerOpInterface> all = layers();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_FALSE(hasConstantWeight(all[0]));
  EXPECT_TRUE(hasDynamicWeight(all[0]));
  EXPECT_TRUE(isQuantizedLayer(all[0]));
  HostTensor q = HostTensor::fromFloats({1, 2}, {0.26f, -0.74f});
  HostTensor k = HostTensor::fromFloats({2, 1}, {0.5f, -2.0f});
  auto fake = runFakeQuantized(func, {q, k});
  ASSERT_TRUE(succeeded(fake)) << errors;
  // q -> [3, -7] * 0.1; k -> [round(1.67) = 2, clamp(-6.67) = -3] * 0.3.
  quant::QuantParams a = quant::makeParams(quant::Scheme::Symmetric, 4, 0.1f);
  quant::QuantParams w = quant::makeParams(quant::Scheme::Symmetric, 3, 0.3f);
  EXPECT_EQ(quant::quantize(-2.0f, w), -3);
  float expected = float(double(quant::fakeQuantize(0.26f, a)) *
                             double(quant::fakeQuantize(0.5f, w)) +
                         double(quant::fakeQuantize(-0.74f, a)) *
                             double(quant::fakeQuantize(-2.0f, w)));
  EXPECT_FLOAT_EQ((*fake)[0].data<float>()[0], expected);
  EXPECT_NEAR(expected, 0.3 * 0.6 + 0.7 * 0.9, 1e-6);
  // The caller's inputs are untouched.
  EXPECT_EQ(k.data<float>()[1], -2.0f);
}

TEST_F(LayerQuantTest, CalibrationObservesTheRhsOfAProduct) {
  func::FuncOp func = parse(R"mlir(
    func.func @main(%q: tensor<1x2xf32>, %k: tensor<2x1xf32>)
        -> tensor<1x1xf32> {
      %0 = cim.matmul %q, %k {quant = #cim.quant<wbits = 4, abits = 8,
                              granularity = per_tensor>}
         : (tensor<1x2xf32>, tensor<2x1xf32>) -> tensor<1x1xf32>
      return %0 : tensor<1x1xf32>
    })mlir");
  SmallVector<SmallVector<HostTensor>> samples = {
      {HostTensor::fromFloats({1, 2}, {1.27f, -0.5f}),
       HostTensor::fromFloats({2, 1}, {0.5f, -3.5f})}};
  ASSERT_TRUE(succeeded(calibrateActivations(func, samples, {}))) << errors;
  QuantAttr quant = layers()[0].getLayerQuant();
  EXPECT_FLOAT_EQ(quant.getAscale().getValueAsDouble(), 0.01f);
  ASSERT_TRUE(quant.getWscale());
  ASSERT_EQ(quant.getWscale().size(), 1u);
  EXPECT_FLOAT_EQ(quant.getWscale()[0], 0.5f);
  EXPECT_FALSE(quant.getWzp());
  EXPECT_EQ(quant.getGranularity(), QuantGranularity::PerTensor);
}

} // namespace

TEST_F(LayerQuantTest, CountsTheLayersQuantizedAtRunTime) {
  // A constant-weight layer without ascale counts; one with ascale, a
  // float layer and a product of two activations do not.
  parse(R"mlir(
    func.func @main(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
      %w = cim.constant dense<[[0.5, 1.0], [0.25, 2.0]]> : tensor<2x2xf32>
      %0 = cim.gemm %x, %w {quant = #cim.quant<wbits = 4, abits = 4>}
         : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
      %1 = cim.gemm %0, %w {quant = #cim.quant<wbits = 4, abits = 4, ascheme = asymmetric, ascale = 0.1 : f32>}
         : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
      %2 = cim.gemm %1, %w : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
      %3 = cim.gemm %2, %w {quant = #cim.quant<wbits = 8, abits = 8>}
         : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
      return %3 : tensor<1x2xf32>
    })mlir");
  ASSERT_TRUE(module) << errors;
  EXPECT_EQ(countRunTimeActivationLayers(*module), 2u);
}
