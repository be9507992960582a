//===- Calibrate.cpp - Weight scales and activation calibration -----------===//

#include "cim/Data/DataError.h"
#include "cim/Data/Image.h"
#include "cim/Data/Samples.h"
#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Quant/LayerQuant.h"
#include "cim/Tensor/TensorReader.h"
#include "cim/Transforms/Passes.h"

#include "llvm/ADT/STLExtras.h"

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
      if (failed(readSamples(path, func, samples)))
        return signalPassFailure();
    if (maxSamples > 0 && samples.size() > maxSamples)
      samples.resize(maxSamples);
    SmallVector<SmallVector<HostTensor>> tensors;
    for (Sample &sample : samples)
      tensors.push_back(std::move(sample.tensors));
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

  /// Reports a data error at its file.
  LogicalResult emitDataError(llvm::Error error) {
    std::string file, message;
    llvm::handleAllErrors(
        std::move(error),
        [&](const data::DataError &e) {
          file = e.getFile();
          message = e.getMessage();
        },
        [&](const llvm::ErrorInfoBase &e) { message = e.message(); });
    Location loc =
        file.empty() ? Location(getOperation().getLoc())
                     : Location(FileLineColLoc::get(&getContext(), file, 0, 0));
    return emitError(loc) << "cim-calibrate: " << message;
  }

  /// What `func`'s arguments take.
  std::vector<data::TensorSpec> getInputs(func::FuncOp func) {
    std::vector<data::TensorSpec> inputs;
    for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
      data::TensorSpec input;
      input.what =
          "input " + std::to_string(i) + " of @" + func.getSymName().str();
      auto tensor = type.dyn_cast<RankedTensorType>();
      std::optional<ElementKind> kind =
          tensor ? getElementKind(tensor.getElementType()) : std::nullopt;
      if (kind) {
        input.kind = *kind;
        input.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
      }
      inputs.push_back(std::move(input));
    }
    return inputs;
  }

  /// Appends the samples `path` stands for (see the pass description).
  LogicalResult readSamples(StringRef path, func::FuncOp func,
                            std::vector<Sample> &samples) {
    llvm::Expected<data::SampleList> list = data::listSamples(path);
    if (!list)
      return emitDataError(list.takeError());
    std::vector<data::TensorSpec> inputs = getInputs(func);
    if (list->isImageFolder())
      return readImages(*list, inputs, samples);
    const TensorFileReaderInterface *reader =
        getTensorFileReader(&getContext());
    auto readProto = [&](StringRef file,
                         std::string &error) -> FailureOr<HostTensor> {
      if (!reader) {
        error = "this tool registered no reader for TensorProto files "
                "(registerTensorProtoReader)";
        return failure();
      }
      return reader->readTensorFile(file, error);
    };
    for (const data::SampleFiles &files : list->samples) {
      Sample sample;
      sample.source = files.inputs.front();
      if (files.inputs.size() != inputs.size())
        return emitError(
                   FileLineColLoc::get(&getContext(), sample.source, 0, 0))
               << "cim-calibrate: the calibration sample has "
               << files.inputs.size() << " input(s) but @" << func.getSymName()
               << " takes " << inputs.size();
      for (auto [file, input] : llvm::zip(files.inputs, inputs)) {
        llvm::Expected<HostTensor> tensor =
            data::readTensorFile(file, readProto);
        if (!tensor)
          return emitDataError(tensor.takeError());
        data::TensorInfo info{tensor->getKind(),
                              std::vector<int64_t>(tensor->getShape().begin(),
                                                   tensor->getShape().end())};
        if (llvm::Error error =
                data::checkFits(info, file, samples.size(), input))
          return emitDataError(std::move(error));
        sample.tensors.push_back(data::fitToSpec(std::move(*tensor), input));
      }
      samples.push_back(std::move(sample));
    }
    return success();
  }

  /// An image folder: each image decoded, resized to the input's height and
  /// width and normalized (`resize`, `mean`, `std`).
  LogicalResult readImages(const data::SampleList &list,
                           const std::vector<data::TensorSpec> &inputs,
                           std::vector<Sample> &samples) {
    const data::TensorSpec *input = inputs.size() == 1 ? &inputs[0] : nullptr;
    if (!input || input->shape.size() != 4 || input->shape[0] > 1 ||
        (input->shape[1] != 1 && input->shape[1] != 3) ||
        input->shape[2] <= 0 || input->shape[3] <= 0 ||
        input->kind != ElementKind::F32)
      return emitError(FileLineColLoc::get(&getContext(), list.path, 0, 0))
             << "cim-calibrate: an image folder calibrates a function with "
                "one f32 input of 1x1xHxW or 1x3xHxW (NCHW)";
    data::ImageTransform transform;
    transform.height = input->shape[2];
    transform.width = input->shape[3];
    transform.resize = resize;
    transform.mean.assign(mean.begin(), mean.end());
    transform.std.assign(stdDev.begin(), stdDev.end());
    int64_t channels = input->shape[1];
    if (llvm::Error error =
            data::checkImageTransform(transform, channels, "mean", "std"))
      return emitError(getOperation().getLoc())
             << "cim-calibrate: " << llvm::toString(std::move(error));
    std::mt19937_64 unused;
    for (const data::SampleFiles &files : list.samples) {
      llvm::Expected<data::Image> image =
          data::readImageFile(files.inputs.front(), channels);
      if (!image)
        return emitDataError(image.takeError());
      HostTensor tensor(ElementKind::F32,
                        {1, channels, transform.height, transform.width});
      data::transformImage(*image, transform, unused,
                           tensor.data<float>().data());
      Sample sample;
      sample.source = files.inputs.front();
      sample.tensors.push_back(std::move(tensor));
      samples.push_back(std::move(sample));
    }
    return success();
  }
};
} // namespace
} // namespace cim
} // namespace mlir
