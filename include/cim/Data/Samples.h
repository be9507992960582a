//===- Samples.h - Folders of samples ---------------------------*- C++ -*-===//
//
// Library CIMData. What a data path stands for, as a list of samples, each
// naming the files of its inputs (and targets), with the labels when there
// are any (docs/tune.md, "Data"):
//
//   FILE.pb | FILE.npy               one sample of one input
//   DIR/input_0.pb, input_1.pb, ...  one sample of several inputs, with
//                                    optional output_N.pb targets (.npy too)
//   DIR/test_data_set_N/input_0.pb   many samples (the ONNX test layout; any
//   DIR/NAME/input_0.npy ...         folder of such sample folders)
//   DIR/*.pb | DIR/*.npy             one single-input sample per file
//   DIR/CLASS/**.jpg|.jpeg|.png      an image folder (ImageNet layout): the
//                                    label is the class folder's index in
//                                    sorted order (torchvision's ImageFolder)
//
// Files and folders are taken in name order (bytes), test_data_set_N by N.
// A folder of several samples may hold `labels.txt`: one integer label per
// line, in sample order. Nothing is read but the listing and the labels:
// tensors and images are read per sample (readTensorFile, readImageFile).
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DATA_SAMPLES_H
#define CIM_DATA_SAMPLES_H

#include "cim/Tensor/HostTensor.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace data {

/// The name of the labels file of a folder of samples.
constexpr llvm::StringLiteral kLabelsFileName = "labels.txt";

/// How a data path was read.
enum class Layout {
  /// A single tensor file.
  TensorFile,
  /// A folder of input_N files: one sample.
  SampleFolder,
  /// A folder of sample folders (test_data_set_N or any names).
  SampleFolders,
  /// A flat folder of tensor files, one sample each.
  TensorFiles,
  /// One subfolder of images per class.
  ImageFolder,
};

/// The files of one sample.
struct SampleFiles {
  /// One file per model input, in input order.
  std::vector<std::string> inputs;
  /// The expected outputs (output_N), in output order; may be empty.
  std::vector<std::string> outputs;
};

/// The samples a data path stands for.
struct SampleList {
  std::string path;
  Layout layout = Layout::TensorFile;
  std::vector<SampleFiles> samples;
  /// One label per sample, or none.
  std::vector<int64_t> labels;
  /// Where the labels came from (the labels file or the image folder).
  std::string labelsSource;
  /// Image folders: the class names, in label order.
  std::vector<std::string> classes;

  size_t size() const { return samples.size(); }
  bool hasLabels() const { return !labels.empty(); }
  bool isImageFolder() const { return layout == Layout::ImageFolder; }
  /// The number of inputs of the first sample (0 when empty).
  size_t getNumInputs() const {
    return samples.empty() ? 0 : samples.front().inputs.size();
  }
};

/// Whether a file name ends in .pb or .npy.
bool isTensorFileName(llvm::StringRef name);

/// Lists the samples of `path` (file or folder, see above). A folder that
/// holds no samples, mixes layouts, a sample folder whose inputs or
/// outputs do not count up from 0 or have unequal counts across samples,
/// a labels file with a bad line or another count than the samples, and an
/// empty class folder are DataErrors naming the file.
llvm::Expected<SampleList> listSamples(llvm::StringRef path);

/// Reads the labels file `path` (one integer per line; blank lines and
/// lines starting with '#' are skipped).
llvm::Expected<std::vector<int64_t>> readLabelsFile(llvm::StringRef path);

/// Reads TensorProto files for readTensorFile: the importer's
/// cim::readTensorFile, or a tool's registered TensorFileReaderInterface
/// (this library links no protobuf). Sets `error` to one line without the
/// file name.
using ProtoReader = llvm::function_ref<FailureOr<HostTensor>(
    llvm::StringRef path, std::string &error)>;

/// Reads a tensor file: .npy here, anything else through `readProto`.
llvm::Expected<HostTensor> readTensorFile(llvm::StringRef path,
                                          ProtoReader readProto);

/// The element kind and shape of a tensor file: from the header for .npy,
/// by reading the file through `readProto` for the others.
struct TensorInfo {
  ElementKind kind = ElementKind::F32;
  std::vector<int64_t> shape;
};
llvm::Expected<TensorInfo> readTensorInfo(llvm::StringRef path,
                                          ProtoReader readProto);

/// "1x3x8x8" ("scalar" for rank 0).
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Whether a sample tensor of shape `shape` fits a model input of shape
/// `inputShape` (batch dimension first, < 0 for a dynamic one): equal, or
/// equal to the input without its batch dimension when that is 1 or
/// dynamic.
bool fitsInputShape(llvm::ArrayRef<int64_t> shape,
                    llvm::ArrayRef<int64_t> inputShape);

/// A model input or output, as the sample tensors for it must fit it.
struct TensorSpec {
  /// What it is, for messages ("the model input 'x'").
  std::string what;
  ElementKind kind = ElementKind::F32;
  /// Batch dimension first; < 0 for a dynamic dimension.
  std::vector<int64_t> shape;
};

/// Checks that a tensor read from `file` for sample `sample` fits `spec`:
/// its shape (fitsInputShape) and its element kind (equal, or any float
/// kind for a float spec). A DataError naming the file and the sample.
llvm::Error checkFits(const TensorInfo &info, llvm::StringRef file,
                      size_t sample, const TensorSpec &spec);

/// A tensor that fits `spec` in the spec's element kind and with its batch
/// dimension (1 where the tensor has none).
HostTensor fitToSpec(HostTensor tensor, const TensorSpec &spec);

} // namespace data
} // namespace cim
} // namespace mlir

#endif // CIM_DATA_SAMPLES_H
