//===- TensorConversion.h - ONNX tensors and types to MLIR ------*- C++ -*-===//
//
// Private to lib/Importer. ONNX data types to MLIR element types, and
// TensorProtos (raw data, typed fields, external data beside the model,
// packed sub-byte integers) to elements attributes; also the attributes of
// constants computed at import time (folded results, Constant nodes).
// Failures are returned as one-line messages for the caller to locate.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_IMPORTER_TENSORCONVERSION_H
#define CIM_LIB_IMPORTER_TENSORCONVERSION_H

#include "cim/Tensor/HostTensor.h"

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Types.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include "onnx/onnx_pb.h"

#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace importer {

/// The most elements any tensor of a model may have (8 GiB of f32, far
/// beyond the networks a chip runs). A larger declared shape is refused with
/// a message before anything is allocated for it.
constexpr int64_t kMaxTensorElements = int64_t(1) << 31;

/// Why a tensor of `shape` is refused (negative or too many elements), or
/// an empty string. Dynamic dimensions are skipped.
std::string checkTensorShape(llvm::ArrayRef<int64_t> shape);

/// "1x3x?x8"; "scalar" for rank 0.
std::string shapeText(llvm::ArrayRef<int64_t> shape);

/// A dense_resource key that the MLIR parser accepts (a bare identifier:
/// letters, digits, '_', '.', '$', '-', not starting with a digit) for a
/// tensor name such as "onnx::Conv_193". The resource manager makes
/// colliding keys unique.
std::string resourceKey(llvm::StringRef name);

/// Converts ONNX tensors of one model into elements attributes.
class TensorConverter {
public:
  /// External data is read relative to `baseDir`; tensors of more than
  /// `resourceThreshold` elements become dense_resource blobs.
  TensorConverter(MLIRContext *context, llvm::StringRef baseDir,
                  int64_t resourceThreshold)
      : context(context), baseDir(baseDir.str()),
        resourceThreshold(resourceThreshold) {}

  /// The MLIR element type of an ONNX data type; `what` names the tensor,
  /// input or attribute in the message.
  FailureOr<Type> getElementType(int32_t onnxType, llvm::StringRef what,
                                 std::string &error) const;

  /// Converts `tensor`. Large float and signless integer tensors become
  /// blobs when `allowResource`; `ownedTensor`, when given, is `tensor`
  /// itself, whose raw data then moves into the blob instead of being
  /// copied.
  FailureOr<ElementsAttr> convert(const onnx::TensorProto &tensor,
                                  bool allowResource, std::string &error,
                                  onnx::TensorProto *ownedTensor = {}) const;

  /// The attribute of a constant computed at import time and named `name`:
  /// f32 tensors above the resource threshold stay blobs (a reshaped or
  /// transposed weight), everything else is a dense attribute.
  ElementsAttr getFoldedAttr(llvm::StringRef name,
                             const HostTensor &tensor) const;

private:
  /// INT2 / UINT2 / INT4 / UINT4 / FLOAT4E2M1 tensors of `count` elements,
  /// packed `bits` to an element, and the 8-bit floats (`bits` = 8).
  FailureOr<ElementsAttr> convertPacked(const onnx::TensorProto &tensor,
                                        RankedTensorType type, int64_t count,
                                        unsigned bits,
                                        std::string &error) const;
  FailureOr<std::vector<char>> readExternal(const onnx::TensorProto &tensor,
                                            size_t bytes,
                                            std::string &error) const;

  MLIRContext *context;
  std::string baseDir;
  int64_t resourceThreshold;
};

} // namespace importer
} // namespace cim
} // namespace mlir

#endif // CIM_LIB_IMPORTER_TENSORCONVERSION_H
