//===- Npy.h - NumPy .npy tensor files --------------------------*- C++ -*-===//
//
// Library CIMData. Reads and writes NumPy's .npy format (versions 1.0, 2.0
// and 3.0): little-endian or single-byte f16/f32/f64, i8-i64, u8-u64 and
// bool, in C order. Fortran order, big-endian data, object and structured
// arrays are refused. No NumPy and no Debian C++ library for it: the
// header is a short Python dict literal, parsed here.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DATA_NPY_H
#define CIM_DATA_NPY_H

#include "cim/Tensor/HostTensor.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace mlir {
namespace cim {
namespace data {

/// What a .npy header declares.
struct NpyHeader {
  ElementKind kind = ElementKind::F32;
  llvm::SmallVector<int64_t, 4> shape;
  /// Offset of the data in the file.
  size_t dataOffset = 0;
  int64_t getNumElements() const;
};

/// Parses the header of a .npy file's bytes (at least its header); errors
/// are DataErrors naming `name`.
llvm::Expected<NpyHeader> parseNpyHeader(llvm::StringRef bytes,
                                         llvm::StringRef name);

/// The array of a .npy file's bytes; the data must fill the file exactly.
llvm::Expected<HostTensor> parseNpy(llvm::StringRef bytes,
                                    llvm::StringRef name);

/// Reads a .npy file.
llvm::Expected<HostTensor> readNpyFile(llvm::StringRef path);

/// Reads only the header of a .npy file (shape and element kind), and checks
/// that the file holds the data it declares.
llvm::Expected<NpyHeader> readNpyFileHeader(llvm::StringRef path);

/// `tensor` as the bytes of a version 1.0 .npy file (version 2.0 when the
/// header needs it). Not for the storage kinds bf16, i4, u4, i2 and u2.
std::string serializeNpy(const HostTensor &tensor);

} // namespace data
} // namespace cim
} // namespace mlir

#endif // CIM_DATA_NPY_H
