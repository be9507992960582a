//===- Npy.cpp - NumPy .npy tensor files ----------------------------------===//
//
// The format (numpy/lib/format.py): the magic "\x93NUMPY", a major and a
// minor version byte, the header length (2 bytes little-endian in version
// 1, 4 bytes in versions 2 and 3), then the header, a Python dict literal
// such as {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), },
// padded with spaces and ended by a newline, then the data.
//
//===----------------------------------------------------------------------===//

#include "cim/Data/Npy.h"

#include "cim/Data/DataError.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstring>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::data;
using llvm::StringRef;

static constexpr StringRef kMagic("\x93NUMPY", 6);

int64_t NpyHeader::getNumElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

namespace {
/// The dtype strings of the kinds a .npy file may hold here (the byte-order
/// character aside).
struct DtypeName {
  StringRef code;
  ElementKind kind;
};
constexpr DtypeName kDtypes[] = {
    {"f2", ElementKind::F16}, {"f4", ElementKind::F32},
    {"f8", ElementKind::F64}, {"i1", ElementKind::I8},
    {"i2", ElementKind::I16}, {"i4", ElementKind::I32},
    {"i8", ElementKind::I64}, {"u1", ElementKind::U8},
    {"u2", ElementKind::U16}, {"u4", ElementKind::U32},
    {"u8", ElementKind::U64}, {"b1", ElementKind::Bool},
};

/// The value text after `'key':` in the header dict, up to the end of the
/// header; empty when the key is absent.
StringRef findValue(StringRef header, StringRef key) {
  for (char quote : {'\'', '"'}) {
    std::string quoted = std::string(1, quote) + key.str() + quote;
    size_t at = header.find(quoted);
    if (at == StringRef::npos)
      continue;
    StringRef rest = header.drop_front(at + quoted.size()).ltrim();
    if (!rest.consume_front(":"))
      return {};
    return rest.ltrim();
  }
  return {};
}
} // namespace

llvm::Expected<NpyHeader> data::parseNpyHeader(StringRef bytes,
                                               StringRef name) {
  auto fail = [&](const llvm::Twine &message) {
    return makeDataError(name, message);
  };
  if (!bytes.startswith(kMagic) || bytes.size() < 10)
    return fail("not a .npy file (no \\x93NUMPY magic)");
  unsigned major = uint8_t(bytes[6]);
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength = llvm::support::endian::read16le(bytes.data() + 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fail("truncated .npy header");
    headerLength = llvm::support::endian::read32le(bytes.data() + 8);
    headerStart = 12;
  } else {
    return fail("unsupported .npy version " + llvm::Twine(major) +
                " (1.0, 2.0 and 3.0 are read)");
  }
  if (bytes.size() < headerStart + headerLength)
    return fail("truncated .npy header (it declares " +
                llvm::Twine(headerLength) + " bytes)");
  StringRef header = bytes.substr(headerStart, headerLength).trim();
  if (!header.startswith("{") || !header.endswith("}"))
    return fail("the .npy header is not a dict: '" + header.take_front(60) +
                "'");

  NpyHeader result;
  result.dataOffset = headerStart + headerLength;
  StringRef descr = findValue(header, "descr");
  if (descr.empty())
    return fail("the .npy header has no 'descr'");
  if (descr.startswith("["))
    return fail("structured arrays are not supported (descr " +
                descr.take_until([](char c) { return c == ']'; }) + "])");
  char quote = descr.front();
  if (quote != '\'' && quote != '"')
    return fail("the .npy header's 'descr' is not a string");
  StringRef dtype =
      descr.drop_front().take_until([quote](char c) { return c == quote; });
  if (dtype.contains('O'))
    return fail("object arrays are not supported (descr '" + dtype + "')");
  if (dtype.size() != 3 || !StringRef("<>|=").contains(dtype[0]))
    return fail("unsupported element type '" + dtype +
                "' (f2, f4, f8, i1-i8, u1-u8 or b1)");
  StringRef code = dtype.drop_front();
  const DtypeName *found = nullptr;
  for (const DtypeName &entry : kDtypes)
    if (entry.code == code)
      found = &entry;
  if (!found)
    return fail("unsupported element type '" + dtype +
                "' (f2, f4, f8, i1-i8, u1-u8 or b1)");
  if (dtype[0] == '>' && code.back() != '1')
    return fail("big-endian data ('" + dtype +
                "') is not supported; save it little-endian");
  result.kind = found->kind;

  StringRef order = findValue(header, "fortran_order");
  if (order.startswith("True"))
    return fail("Fortran-order arrays are not supported; save the array in C "
                "order (numpy.ascontiguousarray)");
  if (!order.startswith("False"))
    return fail("the .npy header has no 'fortran_order'");

  StringRef shape = findValue(header, "shape");
  if (!shape.consume_front("("))
    return fail("the .npy header has no 'shape' tuple");
  shape = shape.take_until([](char c) { return c == ')'; });
  llvm::SmallVector<StringRef, 4> dims;
  shape.split(dims, ',');
  for (StringRef dim : dims) {
    dim = dim.trim();
    if (dim.empty())
      continue; // "(3,)" and "()"
    uint64_t value;
    if (dim.consumeInteger(10, value) || !dim.trim().rtrim('L').empty() ||
        value > (uint64_t(1) << 40))
      return fail("bad dimension in the .npy shape (" + shape + ")");
    result.shape.push_back(int64_t(value));
  }
  return result;
}

/// The header of `bytes`, checked to declare exactly the data that follows.
static llvm::Expected<NpyHeader> parseWholeHeader(StringRef bytes,
                                                  StringRef name) {
  llvm::Expected<NpyHeader> header = parseNpyHeader(bytes, name);
  if (!header)
    return header.takeError();
  size_t size = size_t(header->getNumElements()) * getElementSize(header->kind);
  size_t available = bytes.size() - header->dataOffset;
  if (available != size)
    return makeDataError(name, "the .npy header declares " +
                                   llvm::Twine(header->getNumElements()) +
                                   " elements (" + llvm::Twine(size) +
                                   " bytes) but the file holds " +
                                   llvm::Twine(available) + " bytes of data");
  return header;
}

llvm::Expected<HostTensor> data::parseNpy(StringRef bytes, StringRef name) {
  llvm::Expected<NpyHeader> header = parseWholeHeader(bytes, name);
  if (!header)
    return header.takeError();
  HostTensor tensor(header->kind, header->shape);
  llvm::MutableArrayRef<uint8_t> out = tensor.getMutableBytes();
  std::memcpy(out.data(), bytes.data() + header->dataOffset, out.size());
  if (header->kind == ElementKind::Bool)
    for (uint8_t &b : out)
      b = b != 0;
  return tensor;
}

static llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
openFile(StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeDataError(path, "cannot read the file: " +
                                   buffer.getError().message());
  return std::move(*buffer);
}

llvm::Expected<HostTensor> data::readNpyFile(StringRef path) {
  auto buffer = openFile(path);
  if (!buffer)
    return buffer.takeError();
  return parseNpy((*buffer)->getBuffer(), path);
}

llvm::Expected<NpyHeader> data::readNpyFileHeader(StringRef path) {
  auto buffer = openFile(path);
  if (!buffer)
    return buffer.takeError();
  return parseWholeHeader((*buffer)->getBuffer(), path);
}

std::string data::serializeNpy(const HostTensor &tensor) {
  StringRef code;
  for (const DtypeName &entry : kDtypes)
    if (entry.kind == tensor.getKind())
      code = entry.code;
  assert(!code.empty() && "no .npy dtype for this element kind");
  std::string shape;
  for (int64_t d : tensor.getShape())
    shape += std::to_string(d) + ", ";
  if (tensor.getRank() > 1)
    shape.resize(shape.size() - 2);
  else if (tensor.getRank() == 1)
    shape.pop_back();
  std::string dict = "{'descr': '" +
                     std::string(code.back() == '1' ? "|" : "<") + code.str() +
                     "', 'fortran_order': False, 'shape': (" + shape + "), }";
  // The data starts at a multiple of 64 bytes (numpy's alignment).
  bool wide = dict.size() + 11 > 65535;
  size_t prefix = wide ? 12 : 10;
  size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - prefix - dict.size() - 1, ' ');
  dict += '\n';
  std::string out(kMagic);
  out += char(wide ? 2 : 1);
  out += char(0);
  // The header length, little-endian: 2 bytes in version 1, 4 in 2.
  for (unsigned byte = 0; byte < (wide ? 4u : 2u); ++byte)
    out += char((dict.size() >> (8 * byte)) & 0xff);
  out += dict;
  llvm::ArrayRef<uint8_t> bytes = tensor.getBytes();
  out.append(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  return out;
}
