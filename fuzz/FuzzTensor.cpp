//===- FuzzTensor.cpp - Fuzz the TensorProto reader -----------------------===//
//
// The bytes are a tensor file (onnx.TensorProto), read as cim-sim --input and
// --calibrate read one. An accepted tensor must hold exactly the values its
// shape declares and write back as a file that reads to the same bytes.
//
//===----------------------------------------------------------------------===//

#include "cim/Importer/TensorIO.h"

#include <cstdlib>

using namespace mlir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  std::string name, error;
  FailureOr<cim::HostTensor> tensor = cim::readTensorBuffer(bytes, name, error);
  if (failed(tensor)) {
    if (error.empty())
      std::abort();
    return 0;
  }
  FailureOr<std::string> written = cim::serializeTensor(*tensor, name, error);
  if (failed(written))
    return 0;
  std::string again;
  FailureOr<cim::HostTensor> reread =
      cim::readTensorBuffer(*written, again, error);
  if (failed(reread) || again != name ||
      reread->getBytes() != tensor->getBytes() ||
      reread->getShape() != tensor->getShape())
    std::abort();
  return 0;
}
