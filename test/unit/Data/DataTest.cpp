//===- DataTest.cpp - Tests of the data readers and transforms ------------===//
//
// Fixtures are made in a temporary folder at test time: .npy bytes by
// serializeNpy, TensorProto files stand-ins by a fake reader, PNG and JPEG
// files by encoding with the libraries the readers decode with.
//
//===----------------------------------------------------------------------===//

#include "cim/Data/DataError.h"
#include "cim/Data/Image.h"
#include "cim/Data/Npy.h"
#include "cim/Data/Samples.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>
#include <png.h>
#include <turbojpeg.h>

#include <cstring>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::data;

namespace {

/// A temporary folder removed at the end of the test.
struct TempDir {
  llvm::SmallString<128> root;
  TempDir() {
    EXPECT_FALSE(llvm::sys::fs::createUniqueDirectory("cim-data", root));
  }
  ~TempDir() { llvm::sys::fs::remove_directories(root); }
  std::string path(llvm::StringRef relative) const {
    llvm::SmallString<128> p(root);
    llvm::sys::path::append(p, relative);
    llvm::sys::fs::create_directories(llvm::sys::path::parent_path(p));
    return std::string(p);
  }
  std::string write(llvm::StringRef relative, llvm::StringRef bytes) const {
    std::string p = path(relative);
    std::error_code ec;
    llvm::raw_fd_ostream os(p, ec);
    EXPECT_FALSE(ec);
    os << bytes;
    return p;
  }
};

std::string errorOf(llvm::Error error) { return toErrorLine(std::move(error)); }

/// The stand-in TensorProto reader: a .pb file holds one float as text.
FailureOr<HostTensor> readFakeProto(llvm::StringRef path, std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  double v;
  if (!buffer || (*buffer)->getBuffer().trim().getAsDouble(v)) {
    error = "not a tensor";
    return failure();
  }
  return HostTensor::fromFloats({1}, {float(v)});
}

TEST(DataNpy, RoundTripsEveryKind) {
  HostTensor f = HostTensor::fromFloats({2, 3}, {1, 2, 3, 4, 5, 6});
  llvm::Expected<HostTensor> back = parseNpy(serializeNpy(f), "f.npy");
  ASSERT_TRUE(bool(back)) << errorOf(back.takeError());
  EXPECT_TRUE(back->isBitwiseEqual(f));
  HostTensor ints = HostTensor::fromValues<int64_t>({4}, {-1, 0, 7, 1 << 20});
  back = parseNpy(serializeNpy(ints), "i.npy");
  ASSERT_TRUE(bool(back));
  EXPECT_TRUE(back->isBitwiseEqual(ints));
  HostTensor scalar = HostTensor::fromValues<uint8_t>({}, {200});
  back = parseNpy(serializeNpy(scalar), "s.npy");
  ASSERT_TRUE(bool(back));
  EXPECT_EQ(back->getRank(), 0);
  EXPECT_EQ(back->data<uint8_t>()[0], 200);
}

/// A version `major` file with `dict` as header.
std::string npyWith(llvm::StringRef dict, llvm::StringRef data,
                    unsigned major = 1) {
  std::string out("\x93NUMPY", 6);
  out += char(major);
  out += char(0);
  std::string header = dict.str() + "\n";
  if (major == 1) {
    out += char(header.size() & 0xff);
    out += char(header.size() >> 8);
  } else {
    for (int i = 0; i < 4; ++i)
      out += char((header.size() >> (8 * i)) & 0xff);
  }
  return out + header + data.str();
}

TEST(DataNpy, ReadsVersionsTwoAndThreeAndNumpySpellings) {
  float values[2] = {1.5f, -2.0f};
  std::string data(reinterpret_cast<const char *>(values), 8);
  for (unsigned major : {1u, 2u, 3u}) {
    llvm::Expected<HostTensor> t =
        parseNpy(npyWith("{\"descr\": \"<f4\", \"fortran_order\": False, "
                         "\"shape\": (2,)}",
                         data, major),
                 "v.npy");
    ASSERT_TRUE(bool(t)) << errorOf(t.takeError());
    EXPECT_EQ(t->data<float>()[1], -2.0f);
  }
  llvm::Expected<HostTensor> b = parseNpy(
      npyWith("{'descr': '|b1', 'fortran_order': False, 'shape': (1, 2), }",
              llvm::StringRef("\x00\x05", 2)),
      "b.npy");
  ASSERT_TRUE(bool(b));
  EXPECT_EQ(b->getKind(), ElementKind::Bool);
  EXPECT_EQ(b->getBytes()[1], 1);
}

TEST(DataNpy, RefusesWhatItCannotRead) {
  auto error = [](llvm::StringRef bytes) {
    llvm::Expected<HostTensor> t = parseNpy(bytes, "x.npy");
    return t ? std::string("no error") : errorOf(t.takeError());
  };
  std::string four(16, '\0');
  EXPECT_EQ(error(npyWith("{'descr': '<f4', 'fortran_order': True, "
                          "'shape': (2, 2), }",
                          four)),
            "x.npy: error: Fortran-order arrays are not supported; save the "
            "array in C order (numpy.ascontiguousarray)");
  EXPECT_EQ(error(npyWith("{'descr': '|O', 'fortran_order': False, "
                          "'shape': (2,), }",
                          four)),
            "x.npy: error: object arrays are not supported (descr '|O')");
  EXPECT_NE(error(npyWith("{'descr': [('a', '<f4')], 'fortran_order': False, "
                          "'shape': (1,), }",
                          "1234"))
                .find("structured arrays are not supported"),
            std::string::npos);
  EXPECT_NE(error(npyWith("{'descr': '>f4', 'fortran_order': False, "
                          "'shape': (1,), }",
                          "1234"))
                .find("big-endian"),
            std::string::npos);
  EXPECT_EQ(error(npyWith("{'descr': '<f4', 'fortran_order': False, "
                          "'shape': (3,), }",
                          "12345678")),
            "x.npy: error: the .npy header declares 3 elements (12 bytes) but "
            "the file holds 8 bytes of data");
  EXPECT_NE(error("PK\x03\x04 a zip").find("not a .npy file"),
            std::string::npos);
  EXPECT_NE(error(std::string("\x93NUMPY\x01\x00\xff\x00{", 11))
                .find("truncated .npy header"),
            std::string::npos);
}

TEST(DataSamples, ListsEveryTensorLayout) {
  TempDir dir;
  std::string one = dir.write("one.npy", serializeNpy(HostTensor()));
  llvm::Expected<SampleList> list = listSamples(one);
  ASSERT_TRUE(bool(list)) << errorOf(list.takeError());
  EXPECT_EQ(list->layout, Layout::TensorFile);
  EXPECT_EQ(list->size(), 1u);

  // One sample of two inputs and a target.
  dir.write("multi/input_0.npy", "");
  dir.write("multi/input_1.pb", "");
  dir.write("multi/output_0.npy", "");
  list = listSamples(dir.path("multi"));
  ASSERT_TRUE(bool(list)) << errorOf(list.takeError());
  EXPECT_EQ(list->layout, Layout::SampleFolder);
  ASSERT_EQ(list->samples[0].inputs.size(), 2u);
  EXPECT_EQ(llvm::sys::path::filename(list->samples[0].inputs[1]),
            "input_1.pb");
  EXPECT_EQ(list->samples[0].outputs.size(), 1u);

  // The ONNX layout: test_data_set_N by N, with labels.
  for (int n : {0, 2, 10}) {
    std::string set = "onnx/test_data_set_" + std::to_string(n);
    dir.write(set + "/input_0.pb", "");
    dir.write(set + "/output_0.pb", "");
  }
  dir.write("onnx/labels.txt", "# one per sample\n3\n1\n\n4\n");
  list = listSamples(dir.path("onnx"));
  ASSERT_TRUE(bool(list)) << errorOf(list.takeError());
  EXPECT_EQ(list->layout, Layout::SampleFolders);
  ASSERT_EQ(list->size(), 3u);
  EXPECT_NE(list->samples[2].inputs[0].find("test_data_set_10"),
            std::string::npos);
  EXPECT_EQ(list->labels, (std::vector<int64_t>{3, 1, 4}));

  // A flat folder, by name.
  dir.write("flat/b.npy", "");
  dir.write("flat/a.pb", "");
  dir.write("flat/notes.md", "");
  list = listSamples(dir.path("flat"));
  ASSERT_TRUE(bool(list)) << errorOf(list.takeError());
  EXPECT_EQ(list->layout, Layout::TensorFiles);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ(llvm::sys::path::filename(list->samples[0].inputs[0]), "a.pb");
  EXPECT_FALSE(list->hasLabels());
}

TEST(DataSamples, LocatesBadFolders) {
  TempDir dir;
  llvm::sys::fs::create_directories(dir.path("empty"));
  llvm::Expected<SampleList> list = listSamples(dir.path("empty"));
  ASSERT_FALSE(bool(list));
  EXPECT_EQ(errorOf(list.takeError()),
            dir.path("empty") +
                ": error: holds no samples: expected .pb or .npy files, "
                "input_0.pb (or .npy), sample folders such as "
                "test_data_set_0, or one folder of images per class");

  dir.write("count/a.npy", "");
  dir.write("count/b.npy", "");
  dir.write("count/labels.txt", "1\n");
  list = listSamples(dir.path("count"));
  ASSERT_FALSE(bool(list));
  EXPECT_EQ(errorOf(list.takeError()),
            dir.path("count/labels.txt") + ": error: 1 labels for 2 samples");

  dir.write("word/a.npy", "");
  dir.write("word/labels.txt", "cat\n");
  list = listSamples(dir.path("word"));
  ASSERT_FALSE(bool(list));
  EXPECT_EQ(errorOf(list.takeError()),
            dir.path("word/labels.txt") +
                ":1: error: expected a non-negative integer label, got 'cat'");

  dir.write("gap/input_0.pb", "");
  dir.write("gap/input_2.pb", "");
  list = listSamples(dir.path("gap"));
  ASSERT_FALSE(bool(list));
  EXPECT_EQ(errorOf(list.takeError()),
            dir.path("gap/input_2.pb") +
                ": error: input_1 is missing: numbered files must count up "
                "from 0");

  dir.write("uneven/s0/input_0.pb", "");
  dir.write("uneven/s1/input_0.pb", "");
  dir.write("uneven/s1/input_1.pb", "");
  list = listSamples(dir.path("uneven"));
  ASSERT_FALSE(bool(list));
  EXPECT_EQ(errorOf(list.takeError()),
            dir.path("uneven/s1") + ": error: holds 2 inputs and 0 outputs "
                                    "where the first sample has 1 and 0");

  list = listSamples(dir.path("missing"));
  ASSERT_FALSE(bool(list));
  EXPECT_NE(errorOf(list.takeError()).find("missing: error: cannot read"),
            std::string::npos);
}

TEST(DataSamples, ReadsTensorsThroughTheGivenReader) {
  TempDir dir;
  std::string pb = dir.write("x.pb", "2.5");
  llvm::Expected<HostTensor> t = readTensorFile(pb, readFakeProto);
  ASSERT_TRUE(bool(t));
  EXPECT_EQ(t->data<float>()[0], 2.5f);
  std::string bad = dir.write("bad.pb", "?");
  t = readTensorFile(bad, readFakeProto);
  ASSERT_FALSE(bool(t));
  EXPECT_EQ(errorOf(t.takeError()), bad + ": error: not a tensor");
  std::string npy =
      dir.write("x.npy", serializeNpy(HostTensor::fromFloats({1, 2}, {1, 2})));
  llvm::Expected<TensorInfo> info = readTensorInfo(npy, readFakeProto);
  ASSERT_TRUE(bool(info));
  EXPECT_EQ(info->shape, (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(fitsInputShape({1, 2}, {-1, 1, 2}));
  EXPECT_TRUE(fitsInputShape({1, 2}, {1, 2}));
  EXPECT_TRUE(fitsInputShape({4, 1, 2}, {-1, 1, 2}));
  EXPECT_FALSE(fitsInputShape({1, 2}, {2, 1, 2}));
  EXPECT_FALSE(fitsInputShape({2, 1}, {1, 1, 2}));
}

//===----------------------------------------------------------------------===//
// Images
//===----------------------------------------------------------------------===//

/// A height x width RGB test pattern.
Image pattern(int64_t height, int64_t width) {
  Image image{height, width, 3, {}};
  for (int64_t y = 0; y < height; ++y)
    for (int64_t x = 0; x < width; ++x)
      for (int64_t c = 0; c < 3; ++c)
        image.pixels.push_back(
            uint8_t((17 * y * 7 + 31 * x * 3 + 5 * c * 11) % 256));
  return image;
}

std::string encodePng(const Image &image) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  png.width = uint32_t(image.width);
  png.height = uint32_t(image.height);
  png.format = PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  EXPECT_TRUE(png_image_write_to_memory(&png, nullptr, &size, 0,
                                        image.pixels.data(), 0, nullptr));
  std::string out(size, '\0');
  EXPECT_TRUE(png_image_write_to_memory(&png, out.data(), &size, 0,
                                        image.pixels.data(), 0, nullptr));
  out.resize(size);
  return out;
}

std::string encodeJpeg(const Image &image) {
  tjhandle handle = tjInitCompress();
  unsigned char *jpeg = nullptr;
  unsigned long size = 0;
  EXPECT_EQ(tjCompress2(handle, image.pixels.data(), int(image.width), 0,
                        int(image.height), TJPF_RGB, &jpeg, &size, TJSAMP_444,
                        95, 0),
            0);
  std::string out(reinterpret_cast<char *>(jpeg), size);
  tjFree(jpeg);
  tjDestroy(handle);
  return out;
}

TEST(DataImage, DecodesPngExactlyAndJpegClosely) {
  Image image = pattern(6, 9);
  llvm::Expected<Image> png = decodeImage(encodePng(image), "p.png", 3);
  ASSERT_TRUE(bool(png)) << errorOf(png.takeError());
  EXPECT_EQ(png->pixels, image.pixels);
  llvm::Expected<Image> gray = decodeImage(encodePng(image), "p.png", 1);
  ASSERT_TRUE(bool(gray));
  EXPECT_EQ(gray->channels, 1);
  EXPECT_EQ(gray->pixels.size(), 54u);
  llvm::Expected<Image> jpeg = decodeImage(encodeJpeg(image), "j.jpg", 3);
  ASSERT_TRUE(bool(jpeg)) << errorOf(jpeg.takeError());
  ASSERT_EQ(jpeg->pixels.size(), image.pixels.size());
  EXPECT_EQ(jpeg->height, 6);
  EXPECT_EQ(jpeg->width, 9);
}

TEST(DataImage, LocatesCorruptAndTruncatedFiles) {
  Image image = pattern(64, 64);
  std::string jpeg = encodeJpeg(image), png = encodePng(image);
  for (auto [bytes, prefix] :
       {std::make_pair(jpeg.substr(0, jpeg.size() * 3 / 4),
                       "t.jpg: error: corrupt or truncated JPEG image"),
        std::make_pair(png.substr(0, png.size() - 30),
                       "t.jpg: error: corrupt or truncated PNG image"),
        std::make_pair(png.substr(0, 20), "t.jpg: error: not a valid PNG"),
        std::make_pair(std::string("GIF89a"),
                       "t.jpg: error: neither a JPEG nor a PNG image"),
        std::make_pair(std::string(), "t.jpg: error: empty image file")}) {
    llvm::Expected<Image> decoded = decodeImage(bytes, "t.jpg", 3);
    ASSERT_FALSE(bool(decoded)) << prefix;
    std::string line = errorOf(decoded.takeError());
    EXPECT_EQ(line.rfind(prefix, 0), 0u) << line;
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  }
}

TEST(DataImage, ResizesAsPil) {
  // PIL 9.4: Image.fromarray(pattern(6, 9)).resize((4, 3), Image.BILINEAR).
  Image small = resizeBilinear(pattern(6, 9), 3, 4);
  EXPECT_EQ(small.pixels,
            (std::vector<uint8_t>{
                117, 111, 137, 113, 134, 148, 130, 115, 126, 116, 116, 149,
                141, 134, 123, 114, 126, 136, 122, 141, 109, 135, 113, 131,
                123, 137, 108, 134, 136, 124, 112, 145, 121, 135, 127, 134}));
  // ... and .resize((13, 8)): the first 40 values and the sum.
  Image large = resizeBilinear(pattern(6, 9), 8, 13);
  std::vector<uint8_t> head(large.pixels.begin(), large.pixels.begin() + 40);
  EXPECT_EQ(head, (std::vector<uint8_t>{
                      0,   55,  110, 50,  105, 160, 114, 169, 165, 179,
                      234, 53,  86,  141, 97,  52,  107, 162, 116, 171,
                      226, 180, 58,  113, 146, 44,  99,  53,  108, 163,
                      118, 173, 228, 182, 119, 174, 232, 31,  86,  74}));
  int64_t sum = 0;
  for (uint8_t v : large.pixels)
    sum += v;
  EXPECT_EQ(sum, 39665);
}

TEST(DataImage, ResizeAndCenterCropAsTorchvision) {
  // torchvision 0.14: Compose([Resize(4), CenterCrop(3)]) of the pattern.
  ImageTransform t;
  t.height = t.width = 3;
  t.resize = 4;
  std::mt19937_64 rng(1);
  std::vector<float> out(27);
  transformImage(pattern(6, 9), t, rng, out.data());
  std::vector<uint8_t> hwc = {106, 129, 166, 151, 85,  130, 97,  134, 136,
                              100, 117, 157, 138, 155, 118, 95,  140, 117,
                              146, 106, 148, 123, 130, 107, 122, 129, 92};
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t i = 0; i < 9; ++i)
      EXPECT_FLOAT_EQ(out[size_t(c * 9 + i)],
                      float(hwc[size_t(i * 3 + c)]) / 255.0f);
  // Normalization, per channel.
  t.mean = {0.5f, 0.25f, 0.0f};
  t.std = {0.5f};
  transformImage(pattern(6, 9), t, rng, out.data());
  EXPECT_FLOAT_EQ(out[9], (float(hwc[1]) / 255.0f - 0.25f) / 0.5f);
}

TEST(DataImage, CenterCropPadsSmallImages) {
  Image image = pattern(2, 2);
  Image crop = cropImage(image, -1, -1, 4, 4);
  EXPECT_EQ(crop.at(0, 0, 0), 0);
  EXPECT_EQ(crop.at(1, 1, 2), image.at(0, 0, 2));
  EXPECT_EQ(crop.at(2, 2, 1), image.at(1, 1, 1));
  EXPECT_EQ(crop.at(3, 3, 0), 0);
}

TEST(DataImage, RandomResizedCropIsSeededAndInBounds) {
  ImageTransform t;
  t.height = t.width = 8;
  t.randomResizedCrop = true;
  t.horizontalFlip = true;
  Image image = pattern(40, 30);
  for (uint64_t seed = 0; seed < 50; ++seed) {
    std::mt19937_64 a(seed), b(seed);
    CropWindow w = drawResizedCrop(40, 30, t, a);
    EXPECT_GE(w.top, 0);
    EXPECT_GE(w.left, 0);
    EXPECT_LE(w.top + w.height, 40);
    EXPECT_LE(w.left + w.width, 30);
    double area = double(w.height * w.width) / (40.0 * 30.0);
    EXPECT_GE(area, 0.07);
    std::vector<float> x(192), y(192);
    std::mt19937_64 c(seed);
    transformImage(image, t, b, x.data());
    transformImage(image, t, c, y.data());
    EXPECT_EQ(x, y);
  }
  // An extreme aspect ratio falls back to the central crop of the
  // clamped ratio.
  t.minScale = t.maxScale = 1.0;
  std::mt19937_64 rng(3);
  CropWindow w = drawResizedCrop(10, 100, t, rng);
  EXPECT_EQ(w.height, 10);
  EXPECT_EQ(w.width, 13);
  EXPECT_EQ(w.left, 43);
}

TEST(DataSamples, ListsImageFoldersAsImageFolder) {
  TempDir dir;
  std::string png = encodePng(pattern(4, 4));
  dir.write("img/dog/b.png", png);
  dir.write("img/dog/a.JPG", encodeJpeg(pattern(4, 4)));
  dir.write("img/dog/readme.txt", "");
  dir.write("img/cat/x/deep.png", png);
  llvm::Expected<SampleList> list = listSamples(dir.path("img"));
  ASSERT_TRUE(bool(list)) << errorOf(list.takeError());
  EXPECT_TRUE(list->isImageFolder());
  EXPECT_EQ(list->classes, (std::vector<std::string>{"cat", "dog"}));
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ(list->labels, (std::vector<int64_t>{0, 1, 1}));
  EXPECT_EQ(llvm::sys::path::filename(list->samples[1].inputs[0]), "a.JPG");

  llvm::sys::fs::create_directories(dir.path("img/empty"));
  list = listSamples(dir.path("img"));
  ASSERT_FALSE(bool(list));
  EXPECT_EQ(errorOf(list.takeError()),
            dir.path("img/empty") +
                ": error: the class folder holds no .jpg, .jpeg or .png file");
}

} // namespace
