//===- TensorIO.h - ONNX TensorProto files <-> host tensors -----*- C++ -*-===//
//
// The .pb files of the ONNX test data (input_0.pb, output_0.pb) and of
// cim-sim's --input / --output-dir. Lives beside the importer because it is
// the only library allowed to see protobuf.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_IMPORTER_TENSORIO_H
#define CIM_IMPORTER_TENSORIO_H

#include "cim/Tensor/HostTensor.h"

#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir {
class DialectRegistry;

namespace cim {

/// The HostTensor kind of an ONNX TensorProto data type (the
/// onnx::TensorProto::DataType number); std::nullopt when unsupported.
std::optional<ElementKind> getOnnxElementKind(int32_t onnxType);

/// Bits of one element of a kind that ONNX packs (INT4, UINT4, INT2, UINT2,
/// FLOAT4E2M1), 0 for the others.
unsigned getPackedBits(ElementKind kind);

/// Stores the packed field `field` (getPackedBits bits) as element `index`
/// of `tensor`: an integer, sign-extended as its kind says, or a float4 bit
/// pattern.
void setPackedField(HostTensor &tensor, int64_t index, uint8_t field);

/// Reads a serialized onnx.TensorProto. On failure returns failure and sets
/// `error` to a one-line message (without the file name).
FailureOr<HostTensor> readTensorFile(llvm::StringRef path, std::string &name,
                                     std::string &error);

/// The same from the bytes of such a file.
FailureOr<HostTensor> readTensorBuffer(llvm::StringRef bytes, std::string &name,
                                       std::string &error);

/// `tensor` as a serialized onnx.TensorProto named `name`, for a set of
/// outputs written together (cim::OutputFiles).
FailureOr<std::string> serializeTensor(const HostTensor &tensor,
                                       llvm::StringRef name,
                                       std::string &error);

/// Writes `tensor` as a serialized onnx.TensorProto named `name`, through a
/// temporary file renamed into place.
LogicalResult writeTensorFile(llvm::StringRef path, const HostTensor &tensor,
                              llvm::StringRef name, std::string &error);

/// Attaches a reader of TensorProto files (readTensorFile) to the cim
/// dialect of every context made from `registry` (cim/Tensor/TensorReader.h):
/// how cim-calibrate reads its inputs in the tools.
void registerTensorProtoReader(DialectRegistry &registry);

} // namespace cim
} // namespace mlir

#endif // CIM_IMPORTER_TENSORIO_H
