//===- cim-bench-crossbar.cpp - Functional crossbar model timing ----------===//
//
//   cim-bench-crossbar [--hw NAME|FILE] [--adc-bits N] [--rows R] [--cols C]
//                      [--groups G] [--wbits W] [--abits A]
//                      [--inputs relu|uniform|max] [--vectors N] [--runs K]
//                      [--check N]
//
// Builds one layer of random weights (fixed seed) on the hardware and times
// CrossbarLayer::run on N input vectors, K times after one warm-up run;
// prints the median and the effective rate (groups * rows * cols * N
// multiply-accumulates per run). `relu` inputs are 60 % zeros and uniform
// codes otherwise. --check compares the first N vectors with
// referenceCrossbarMvm.
//
//===----------------------------------------------------------------------===//

#include "BenchUtil.h"

#include "cim/Sim/CrossbarModel.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

#include <random>

using namespace mlir::cim;
namespace cl = llvm::cl;

static cl::OptionCategory category("cim-bench-crossbar options");
static cl::opt<std::string> hwName("hw", cl::desc("Preset name or YAML file"),
                                   cl::init("rram-tiled"), cl::cat(category));
static cl::opt<unsigned> adcBits("adc-bits",
                                 cl::desc("Override the ADC resolution"),
                                 cl::init(0), cl::cat(category));
static cl::opt<int64_t> rows("rows", cl::desc("Weight rows per group"),
                             cl::init(1152), cl::cat(category));
static cl::opt<int64_t> cols("cols", cl::desc("Weight columns per group"),
                             cl::init(256), cl::cat(category));
static cl::opt<int64_t> groups("groups", cl::desc("Groups"), cl::init(1),
                               cl::cat(category));
static cl::opt<unsigned> wbits("wbits", cl::desc("Weight bits"), cl::init(8),
                               cl::cat(category));
static cl::opt<unsigned> abits("abits", cl::desc("Input bits"), cl::init(8),
                               cl::cat(category));
static cl::opt<std::string>
    inputKind("inputs", cl::desc("relu (60% zeros), uniform or max"),
              cl::init("relu"), cl::cat(category));
static cl::opt<int64_t> vectors("vectors", cl::desc("Input vectors per run"),
                                cl::init(256), cl::cat(category));
static cl::opt<unsigned> runs("runs", cl::desc("Timed runs"), cl::init(11),
                              cl::cat(category));
static cl::opt<int64_t> check("check",
                              cl::desc("Vectors to compare with the reference"),
                              cl::init(4), cl::cat(category));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "cim-bench-crossbar: time the crossbar model\n");
  std::vector<hw::HardwareDiagnostic> diagnostics;
  std::optional<hw::HardwareDescription> hw =
      hw::loadHardwareDescription(hw::resolveHardwarePath(hwName), diagnostics);
  if (!hw) {
    for (const hw::HardwareDiagnostic &diag : diagnostics)
      llvm::errs() << diag.str() << "\n";
    return 1;
  }
  if (adcBits)
    hw->adcBits = adcBits;
  if (inputKind != "relu" && inputKind != "uniform" && inputKind != "max") {
    llvm::errs() << "error: --inputs must be relu, uniform or max\n";
    return 1;
  }

  sim::CrossbarLayerSpec spec{rows, cols, groups, wbits, abits};
  std::mt19937 rng(42);
  int32_t limit = (int32_t(1) << (std::max(unsigned(wbits), 2u) - 1)) - 1;
  std::uniform_int_distribution<int32_t> weight(-limit, limit);
  std::vector<int32_t> weights(groups * rows * cols);
  for (int32_t &q : weights)
    q = weight(rng);
  llvm::Expected<sim::CrossbarLayer> layer =
      sim::CrossbarLayer::build(*hw, spec, weights);
  if (!layer) {
    llvm::errs() << "error: " << llvm::toString(layer.takeError()) << "\n";
    return 1;
  }

  uint32_t maxCode = (uint32_t(1) << abits) - 1;
  std::uniform_int_distribution<uint32_t> code(0, maxCode);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<uint16_t> inputs(vectors * groups * rows);
  for (uint16_t &u : inputs) {
    if (inputKind == "max")
      u = maxCode;
    else if (inputKind == "relu" && unit(rng) < 0.6)
      u = 0;
    else
      u = code(rng);
  }
  int32_t offset = 0;

  std::vector<int64_t> out(vectors * groups * cols);
  sim::AdcCounters counters;
  layer->run(inputs.data(), vectors, offset, out.data(), &counters);
  std::vector<double> times;
  for (unsigned i = 0, e = std::max(1u, unsigned(runs)); i < e; ++i)
    times.push_back(cim_bench::timeSeconds(
        [&] { layer->run(inputs.data(), vectors, offset, out.data()); }));

  int64_t checked = std::min<int64_t>(check, vectors);
  if (checked > 0) {
    std::vector<int64_t> expected(checked * groups * cols);
    if (llvm::Error error =
            sim::referenceCrossbarMvm(*hw, spec, weights, inputs.data(),
                                      checked, offset, expected.data())) {
      llvm::errs() << "error: " << llvm::toString(std::move(error)) << "\n";
      return 1;
    }
    if (!std::equal(expected.begin(), expected.end(), out.begin())) {
      llvm::errs() << "error: the model differs from the reference\n";
      return 1;
    }
  }

  double macs = double(vectors) * groups * rows * cols;
  double seconds = cim_bench::median(times);
  llvm::outs() << llvm::format(
      "%s (adc %u bits, %s), %lldx%lld x %lld groups, W%uA%u, %s inputs, "
      "%lld vectors%s\n",
      hw->name.c_str(), hw->adcBits,
      layer->isLossless() ? "lossless" : "may saturate", (long long)rows,
      (long long)cols, (long long)groups, unsigned(wbits), unsigned(abits),
      inputKind.c_str(), (long long)vectors,
      checked > 0 ? ", matches the reference" : "");
  cim_bench::printStats(llvm::outs(), "CrossbarLayer::run", times);
  llvm::outs() << llvm::format(
      "effective %.2f GMAC/s; ADC conversions %lld, saturated %lld (%.4f %%)\n",
      macs / seconds * 1e-9, (long long)counters.conversions,
      (long long)counters.saturated,
      100.0 * double(counters.saturated) /
          double(std::max<int64_t>(1, counters.conversions)));
  return 0;
}
