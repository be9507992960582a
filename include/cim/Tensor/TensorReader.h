//===- TensorReader.h - Tensor files read through the context --*- C++ -*-===//
//
// Passes that read tensor files (cim-calibrate's calibration inputs) have no
// file format of their own: TensorProto files need protobuf, which only the
// importer may see. A tool attaches a reader to the cim dialect through its
// DialectRegistry (the importer's registerTensorProtoReader), and the pass
// asks the context for it:
//
//   if (auto *reader = getTensorFileReader(&getContext()))
//     FailureOr<HostTensor> t = reader->readTensorFile(path, error);
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TENSOR_TENSORREADER_H
#define CIM_TENSOR_TENSORREADER_H

#include "cim/Tensor/HostTensor.h"

#include "mlir/IR/DialectInterface.h"
#include "mlir/Support/TypeID.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir {
class MLIRContext;

namespace cim {

/// Reads one tensor file into a HostTensor. Registered on the cim dialect.
class TensorFileReaderInterface
    : public DialectInterface::Base<TensorFileReaderInterface> {
public:
  explicit TensorFileReaderInterface(Dialect *dialect) : Base(dialect) {}

  /// The tensor in `path`; on failure sets `error` to one line without the
  /// file name.
  virtual FailureOr<HostTensor> readTensorFile(llvm::StringRef path,
                                               std::string &error) const = 0;
};

/// The reader registered with the cim dialect of `context`, or null when the
/// tool registered none (or the dialect is not loaded).
const TensorFileReaderInterface *getTensorFileReader(MLIRContext *context);

} // namespace cim
} // namespace mlir

MLIR_DECLARE_EXPLICIT_TYPE_ID(mlir::cim::TensorFileReaderInterface)

#endif // CIM_TENSOR_TENSORREADER_H
