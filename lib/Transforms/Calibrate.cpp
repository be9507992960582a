//===- Calibrate.cpp - Weight scales and activation calibration -----------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Quant/LayerQuant.h"
#include "cim/Tensor/TensorReader.h"
#include "cim/Transforms/Passes.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <sstream>

namespace mlir {
namespace cim {
#define GEN_PASS_DEF_CALIBRATE
#include "cim/Transforms/Passes.h.inc"

namespace {
/// One calibration sample: a tensor per function argument, and where it
/// came from for messages.
struct Sample {
  std::string source;
  SmallVector<HostTensor> tensors;
};

/// The number N of a directory named test_data_set_N, or -1.
int64_t testDataSetNumber(StringRef name) {
  int64_t number;
  if (!name.consume_front("test_data_set_") || name.getAsInteger(10, number))
    return -1;
  return number;
}

struct CalibratePass : public impl::CalibrateBase<CalibratePass> {
  using CalibrateBase::CalibrateBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<quant::CalibrationMethod> parsedMethod =
        quant::parseCalibrationMethod(method);
    if (!parsedMethod) {
      emitError(module.getLoc()) << "cim-calibrate: method must be minmax, "
                                    "percentile or mse, got '"
                                 << method.getValue() << "'";
      return signalPassFailure();
    }
    if (!(percentile >= 50.0 && percentile <= 100.0)) {
      std::ostringstream value;
      value << percentile.getValue();
      emitError(module.getLoc())
          << "cim-calibrate: percentile must be in [50, 100], got "
          << value.str();
      return signalPassFailure();
    }

    // Weight scales need only the weights.
    bool ok = true;
    module.walk([&](LayerOpInterface layer) {
      if (!hasConstantWeight(layer))
        return;
      QuantAttr quant = layer.getLayerQuant();
      if (!quant) {
        layer->emitWarning()
            << "layer has no #cim.quant (run cim-assign-bitwidths "
               "first); it stays float";
        return;
      }
      if (quant.getWscale() && !overwrite)
        return;
      FailureOr<QuantAttr> scaled = computeWeightScales(layer, quant);
      if (failed(scaled)) {
        ok = false;
        return;
      }
      layer.setLayerQuant(*scaled);
    });
    if (!ok)
      return signalPassFailure();
    if (inputs.empty())
      return;

    func::FuncOp func = findFunction();
    if (!func)
      return signalPassFailure();
    std::vector<Sample> samples;
    for (const std::string &path : inputs)
      if (failed(readSamples(path, samples)))
        return signalPassFailure();
    if (maxSamples > 0 && samples.size() > maxSamples)
      samples.resize(maxSamples);
    SmallVector<SmallVector<HostTensor>> tensors;
    for (Sample &sample : samples) {
      if (sample.tensors.size() != func.getNumArguments()) {
        emitError(FileLineColLoc::get(&getContext(), sample.source, 0, 0))
            << "cim-calibrate: the calibration sample has "
            << sample.tensors.size() << " input(s) but @" << func.getSymName()
            << " takes " << func.getNumArguments();
        return signalPassFailure();
      }
      tensors.push_back(std::move(sample.tensors));
    }
    CalibrationOptions options;
    options.method = *parsedMethod;
    options.percentile = percentile;
    options.overwrite = overwrite;
    if (failed(calibrateActivations(func, tensors, options)))
      return signalPassFailure();
  }

  /// The function named by `function`, else the module's only function.
  func::FuncOp findFunction() {
    ModuleOp module = getOperation();
    if (!function.empty()) {
      auto func = module.lookupSymbol<func::FuncOp>(function);
      if (!func || func.isExternal())
        emitError(module.getLoc()) << "cim-calibrate: no function @"
                                   << function.getValue() << " with a body";
      return func && !func.isExternal() ? func : func::FuncOp();
    }
    SmallVector<func::FuncOp> funcs;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal())
        funcs.push_back(func);
    if (funcs.size() != 1) {
      emitError(module.getLoc())
          << "cim-calibrate: the module has " << funcs.size()
          << " functions; name the one to run with function=";
      return {};
    }
    return funcs.front();
  }

  /// Reads one tensor file.
  LogicalResult readTensor(StringRef path, SmallVectorImpl<HostTensor> &out) {
    const TensorFileReaderInterface *reader =
        getTensorFileReader(&getContext());
    if (!reader)
      return emitError(FileLineColLoc::get(&getContext(), path, 0, 0))
             << "cim-calibrate: this tool registered no reader for tensor "
                "files (registerTensorProtoReader)";
    std::string error;
    FailureOr<HostTensor> tensor = reader->readTensorFile(path, error);
    if (failed(tensor))
      return emitError(FileLineColLoc::get(&getContext(), path, 0, 0))
             << "cim-calibrate: cannot read the calibration input: " << error;
    out.push_back(std::move(*tensor));
    return success();
  }

  /// A directory with input_0.pb, input_1.pb, ...: one sample.
  LogicalResult readInputDir(StringRef dir, std::vector<Sample> &samples) {
    Sample sample;
    sample.source = dir.str();
    for (unsigned i = 0;; ++i) {
      SmallString<256> path(dir);
      llvm::sys::path::append(path, "input_" + Twine(i) + ".pb");
      if (!llvm::sys::fs::exists(path))
        break;
      if (failed(readTensor(path, sample.tensors)))
        return failure();
    }
    samples.push_back(std::move(sample));
    return success();
  }

  /// Appends the samples `path` stands for (see the pass description).
  LogicalResult readSamples(StringRef path, std::vector<Sample> &samples) {
    if (!llvm::sys::fs::is_directory(path)) {
      Sample sample;
      sample.source = path.str();
      if (failed(readTensor(path, sample.tensors)))
        return failure();
      samples.push_back(std::move(sample));
      return success();
    }
    SmallString<256> first(path);
    llvm::sys::path::append(first, "input_0.pb");
    if (llvm::sys::fs::exists(first))
      return readInputDir(path, samples);

    std::vector<std::pair<int64_t, std::string>> sets;
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(path, ec), end; it != end && !ec;
         it.increment(ec)) {
      int64_t number = testDataSetNumber(llvm::sys::path::filename(it->path()));
      if (number >= 0 && llvm::sys::fs::is_directory(it->path()))
        sets.emplace_back(number, it->path());
    }
    if (ec)
      return emitError(getOperation().getLoc())
             << "cim-calibrate: " << path << ": " << ec.message();
    if (sets.empty())
      return emitError(getOperation().getLoc())
             << "cim-calibrate: " << path
             << " holds neither input_0.pb nor test_data_set_* directories";
    std::sort(sets.begin(), sets.end());
    for (auto &[number, dir] : sets)
      if (failed(readInputDir(dir, samples)))
        return failure();
    return success();
  }
};
} // namespace
} // namespace cim
} // namespace mlir
