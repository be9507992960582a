//===- ProtoUtils.h - Protobuf helpers shared inside the importer -*- C++ -*-=//
//
// Private to lib/Importer: the only place that sees protobuf types.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_IMPORTER_PROTOUTILS_H
#define CIM_LIB_IMPORTER_PROTOUTILS_H

#include "cim/Tensor/HostTensor.h"

#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringRef.h"

#include "onnx/onnx_pb.h"

#include <string>

namespace mlir {
namespace cim {
namespace detail {

/// Fills `proto` with `tensor` (raw_data; sub-byte kinds packed).
void fillTensorProto(onnx::TensorProto &proto, const HostTensor &tensor,
                     llvm::StringRef name);

} // namespace detail
} // namespace cim
} // namespace mlir

#endif // CIM_LIB_IMPORTER_PROTOUTILS_H
