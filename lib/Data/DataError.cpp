//===- DataError.cpp - Located errors of the data readers -----------------===//

#include "cim/Data/DataError.h"

#include "llvm/Support/raw_ostream.h"

using namespace mlir::cim;
using namespace mlir::cim::data;

char DataError::ID = 0;

void DataError::log(llvm::raw_ostream &os) const {
  os << file << ": error: " << message;
}

llvm::Error data::makeDataError(const llvm::Twine &file,
                                const llvm::Twine &message) {
  return llvm::make_error<DataError>(file.str(), message.str());
}

std::string data::toErrorLine(llvm::Error error) {
  return llvm::toString(std::move(error));
}
