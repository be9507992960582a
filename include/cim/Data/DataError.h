//===- DataError.h - Located errors of the data readers ---------*- C++ -*-===//
//
// Library CIMData. Every failure of a data reader names the file (and the
// sample, where there is one) it is about, so that a tool prints one line
// `FILE: error: MESSAGE` and a pass can put the file in a location.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DATA_DATAERROR_H
#define CIM_DATA_DATAERROR_H

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <string>

namespace mlir {
namespace cim {
namespace data {

/// A data file that cannot be used: the file and a one-line message.
class DataError : public llvm::ErrorInfo<DataError> {
public:
  static char ID;
  DataError(std::string file, std::string message)
      : file(std::move(file)), message(std::move(message)) {}

  /// Prints `FILE: error: MESSAGE`.
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override {
    return llvm::inconvertibleErrorCode();
  }
  const std::string &getFile() const { return file; }
  const std::string &getMessage() const { return message; }

private:
  std::string file, message;
};

/// A DataError about `file`.
llvm::Error makeDataError(const llvm::Twine &file, const llvm::Twine &message);

/// The one line of `error` (`FILE: error: MESSAGE` for a DataError, the
/// message of any other error); consumes it.
std::string toErrorLine(llvm::Error error);

} // namespace data
} // namespace cim
} // namespace mlir

#endif // CIM_DATA_DATAERROR_H
