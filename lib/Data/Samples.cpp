//===- Samples.cpp - Folders of samples -----------------------------------===//

#include "cim/Data/Samples.h"

#include "cim/Data/DataError.h"
#include "cim/Data/Image.h"
#include "cim/Data/Npy.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <map>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::data;
using llvm::StringRef;
namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

bool data::isTensorFileName(StringRef name) {
  return name.endswith(".pb") || name.endswith(".npy");
}

std::string data::formatShape(llvm::ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  std::string text;
  for (int64_t d : shape)
    text += (text.empty() ? "" : "x") + (d < 0 ? "?" : std::to_string(d));
  return text;
}

bool data::fitsInputShape(llvm::ArrayRef<int64_t> shape,
                          llvm::ArrayRef<int64_t> inputShape) {
  auto matches = [](llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b) {
    if (a.size() != b.size())
      return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (b[i] >= 0 && a[i] != b[i])
        return false;
    return true;
  };
  if (matches(shape, inputShape))
    return true;
  return !inputShape.empty() && inputShape[0] <= 1 &&
         matches(shape, inputShape.drop_front());
}

namespace {
/// The entries of a folder, sorted by name: plain files and folders.
struct FolderEntries {
  std::vector<std::string> files, folders;
};

llvm::Expected<FolderEntries> readFolder(StringRef dir) {
  FolderEntries entries;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    StringRef name = path::filename(it->path());
    if (name.startswith("."))
      continue; // hidden files, editors' and file managers' droppings
    // Follows symbolic links (a folder of links to the data is common).
    llvm::ErrorOr<fs::basic_file_status> status = it->status();
    if (!status)
      return makeDataError(it->path(),
                           "cannot read: " + status.getError().message());
    if (status->type() == fs::file_type::directory_file)
      entries.folders.push_back(it->path());
    else
      entries.files.push_back(it->path());
  }
  if (ec)
    return makeDataError(dir, "cannot list the folder: " + ec.message());
  llvm::sort(entries.files);
  llvm::sort(entries.folders);
  return entries;
}

/// The number N of a folder named test_data_set_N, or -1.
int64_t testDataSetNumber(StringRef name) {
  int64_t number;
  if (!name.consume_front("test_data_set_") || name.getAsInteger(10, number))
    return -1;
  return number;
}

/// `dir/<stem>_<index>.pb` or `.npy`, whichever exists ("" when neither;
/// a DataError when both do).
llvm::Expected<std::string> findNumbered(StringRef dir, StringRef stem,
                                         unsigned index) {
  std::string found;
  for (StringRef ext : {".pb", ".npy"}) {
    llvm::SmallString<256> file(dir);
    path::append(file, stem + "_" + llvm::Twine(index) + ext);
    if (!fs::exists(file))
      continue;
    if (!found.empty())
      return makeDataError(file, "both " + path::filename(found) + " and " +
                                     path::filename(file) + " exist; keep one");
    found = std::string(file);
  }
  return found;
}

bool hasNumberedInput(StringRef dir) {
  llvm::Expected<std::string> first = findNumbered(dir, "input", 0);
  if (!first) {
    llvm::consumeError(first.takeError());
    return true; // reported when the sample is read
  }
  return !first->empty();
}

/// A folder of input_N (and output_N) files: one sample.
llvm::Expected<SampleFiles> readSampleFolder(StringRef dir) {
  SampleFiles sample;
  for (auto [stem, files] : {std::make_pair("input", &sample.inputs),
                             std::make_pair("output", &sample.outputs)}) {
    for (unsigned i = 0;; ++i) {
      llvm::Expected<std::string> file = findNumbered(dir, stem, i);
      if (!file)
        return file.takeError();
      if (file->empty())
        break;
      files->push_back(std::move(*file));
    }
  }
  if (sample.inputs.empty())
    return makeDataError(dir, "holds no input_0.pb or input_0.npy");
  // A gap (input_0, input_2) would silently drop an input.
  FolderEntries entries = llvm::cantFail(readFolder(dir));
  for (const std::string &file : entries.files) {
    StringRef name = path::filename(file);
    for (auto [stem, count] :
         {std::make_pair(StringRef("input_"), sample.inputs.size()),
          std::make_pair(StringRef("output_"), sample.outputs.size())}) {
      unsigned index;
      StringRef rest = name;
      if (!isTensorFileName(rest) || !rest.consume_front(stem) ||
          rest.take_until([](char c) { return c == '.'; })
              .getAsInteger(10, index))
        continue;
      if (index >= count)
        return makeDataError(file, stem + llvm::Twine(count) +
                                       " is missing: numbered files must "
                                       "count up from 0");
    }
  }
  return sample;
}

/// A sample folder holds the same number of inputs and outputs as the
/// first one.
llvm::Error checkLikeFirst(const SampleList &list, StringRef dir) {
  const SampleFiles &first = list.samples.front(), &last = list.samples.back();
  if (first.inputs.size() != last.inputs.size() ||
      first.outputs.size() != last.outputs.size())
    return makeDataError(dir, "holds " + llvm::Twine(last.inputs.size()) +
                                  " inputs and " +
                                  llvm::Twine(last.outputs.size()) +
                                  " outputs where the first sample has " +
                                  llvm::Twine(first.inputs.size()) + " and " +
                                  llvm::Twine(first.outputs.size()));
  return llvm::Error::success();
}

/// Image files under `dir`, at any depth, in name order.
llvm::Error collectImages(StringRef dir, std::vector<std::string> &images) {
  llvm::Expected<FolderEntries> entries = readFolder(dir);
  if (!entries)
    return entries.takeError();
  for (const std::string &file : entries->files)
    if (isImageFileName(file))
      images.push_back(file);
  for (const std::string &folder : entries->folders)
    if (llvm::Error error = collectImages(folder, images))
      return error;
  return llvm::Error::success();
}

llvm::Error readImageFolder(const FolderEntries &entries, SampleList &list) {
  list.layout = Layout::ImageFolder;
  list.labelsSource = list.path;
  for (const std::string &folder : entries.folders) {
    std::vector<std::string> images;
    if (llvm::Error error = collectImages(folder, images))
      return error;
    if (images.empty())
      return makeDataError(folder, "the class folder holds no .jpg, .jpeg or "
                                   ".png file");
    int64_t label = int64_t(list.classes.size());
    list.classes.push_back(std::string(path::filename(folder)));
    for (std::string &image : images) {
      list.samples.push_back({{std::move(image)}, {}});
      list.labels.push_back(label);
    }
  }
  return llvm::Error::success();
}
} // namespace

llvm::Expected<std::vector<int64_t>> data::readLabelsFile(StringRef file) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(file, /*IsText=*/true);
  if (!buffer)
    return makeDataError(file, "cannot read the file: " +
                                   buffer.getError().message());
  std::vector<int64_t> labels;
  llvm::SmallVector<StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    StringRef line = lines[i].trim();
    if (line.empty() || line.startswith("#"))
      continue;
    int64_t label;
    if (line.getAsInteger(10, label) || label < 0)
      return makeDataError(file + ":" + llvm::Twine(i + 1),
                           "expected a non-negative integer label, got '" +
                               line.take_front(40) + "'");
    labels.push_back(label);
  }
  return labels;
}

llvm::Expected<SampleList> data::listSamples(StringRef dataPath) {
  SampleList list;
  list.path = dataPath.str();
  fs::file_status status;
  if (std::error_code ec = fs::status(dataPath, status))
    return makeDataError(dataPath, "cannot read: " + ec.message());
  if (status.type() != fs::file_type::directory_file) {
    list.layout = Layout::TensorFile;
    list.samples.push_back({{list.path}, {}});
    return list;
  }
  if (hasNumberedInput(dataPath)) {
    list.layout = Layout::SampleFolder;
    llvm::Expected<SampleFiles> sample = readSampleFolder(dataPath);
    if (!sample)
      return sample.takeError();
    list.samples.push_back(std::move(*sample));
    return list;
  }

  llvm::Expected<FolderEntries> entries = readFolder(dataPath);
  if (!entries)
    return entries.takeError();
  llvm::SmallString<256> labelsFile(dataPath);
  path::append(labelsFile, kLabelsFileName);
  std::vector<std::string> tensorFiles;
  for (const std::string &file : entries->files)
    if (isTensorFileName(file))
      tensorFiles.push_back(file);
  std::vector<std::string> sampleFolders;
  for (const std::string &folder : entries->folders)
    if (hasNumberedInput(folder))
      sampleFolders.push_back(folder);

  if (!sampleFolders.empty()) {
    if (!tensorFiles.empty())
      return makeDataError(tensorFiles.front(),
                           "a folder of sample folders cannot also hold "
                           "tensor files");
    if (sampleFolders.size() != entries->folders.size())
      for (const std::string &folder : entries->folders)
        if (!hasNumberedInput(folder))
          return makeDataError(folder, "holds no input_0.pb or input_0.npy, "
                                       "unlike the other sample folders");
    // test_data_set_N by N, the others by name.
    llvm::stable_sort(sampleFolders,
                      [](const std::string &a, const std::string &b) {
                        int64_t na = testDataSetNumber(path::filename(a)),
                                nb = testDataSetNumber(path::filename(b));
                        if (na >= 0 && nb >= 0)
                          return na < nb;
                        return a < b;
                      });
    list.layout = Layout::SampleFolders;
    for (const std::string &folder : sampleFolders) {
      llvm::Expected<SampleFiles> sample = readSampleFolder(folder);
      if (!sample)
        return sample.takeError();
      list.samples.push_back(std::move(*sample));
      if (llvm::Error error = checkLikeFirst(list, folder))
        return std::move(error);
    }
  } else if (!tensorFiles.empty()) {
    if (!entries->folders.empty())
      return makeDataError(entries->folders.front(),
                           "a folder of tensor files cannot also hold "
                           "folders");
    list.layout = Layout::TensorFiles;
    for (std::string &file : tensorFiles)
      list.samples.push_back({{std::move(file)}, {}});
  } else if (!entries->folders.empty()) {
    if (llvm::Error error = readImageFolder(*entries, list))
      return std::move(error);
    if (fs::exists(labelsFile))
      return makeDataError(labelsFile,
                           "an image folder takes its labels from the class "
                           "folders; remove the labels file");
    return list;
  } else {
    return makeDataError(dataPath,
                         "holds no samples: expected .pb or .npy files, "
                         "input_0.pb (or .npy), sample folders such as "
                         "test_data_set_0, or one folder of images per class");
  }

  if (fs::exists(labelsFile)) {
    llvm::Expected<std::vector<int64_t>> labels = readLabelsFile(labelsFile);
    if (!labels)
      return labels.takeError();
    if (labels->size() != list.samples.size())
      return makeDataError(labelsFile,
                           llvm::Twine(labels->size()) + " labels for " +
                               llvm::Twine(list.samples.size()) + " samples");
    list.labels = std::move(*labels);
    list.labelsSource = std::string(labelsFile);
  }
  return list;
}

llvm::Expected<HostTensor> data::readTensorFile(StringRef file,
                                                ProtoReader readProto) {
  if (file.endswith(".npy"))
    return readNpyFile(file);
  std::string error;
  FailureOr<HostTensor> tensor = readProto(file, error);
  if (failed(tensor))
    return makeDataError(file, error);
  return std::move(*tensor);
}

llvm::Expected<TensorInfo> data::readTensorInfo(StringRef file,
                                                ProtoReader readProto) {
  TensorInfo info;
  if (file.endswith(".npy")) {
    llvm::Expected<NpyHeader> header = readNpyFileHeader(file);
    if (!header)
      return header.takeError();
    info.kind = header->kind;
    info.shape.assign(header->shape.begin(), header->shape.end());
    return info;
  }
  llvm::Expected<HostTensor> tensor = readTensorFile(file, readProto);
  if (!tensor)
    return tensor.takeError();
  info.kind = tensor->getKind();
  info.shape.assign(tensor->getShape().begin(), tensor->getShape().end());
  return info;
}

static bool isFloatingKind(ElementKind kind) {
  return isFloatKind(kind) || isFloat16Kind(kind);
}

llvm::Error data::checkFits(const TensorInfo &info, StringRef file,
                            size_t sample, const TensorSpec &spec) {
  bool kindFits = info.kind == spec.kind ||
                  (isFloatingKind(info.kind) && isFloatingKind(spec.kind));
  if (kindFits && fitsInputShape(info.shape, spec.shape))
    return llvm::Error::success();
  return makeDataError(
      file, "sample " + llvm::Twine(sample) + ": a " + formatShape(info.shape) +
                " " + getElementKindName(info.kind) + " tensor does not fit " +
                spec.what + " (" + formatShape(spec.shape) + " " +
                getElementKindName(spec.kind) + ")");
}

HostTensor data::fitToSpec(HostTensor tensor, const TensorSpec &spec) {
  if (tensor.getKind() != spec.kind)
    tensor = convertElements(tensor, spec.kind);
  if (tensor.getRank() + 1 == int64_t(spec.shape.size())) {
    llvm::SmallVector<int64_t, 4> shape{1};
    shape.append(tensor.getShape().begin(), tensor.getShape().end());
    tensor.reshape(shape);
  }
  return tensor;
}
