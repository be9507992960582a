//===- FuzzOnnx.cpp - Fuzz the ONNX importer ------------------------------===//
//
// The bytes are an ONNX model, binary protobuf or (with CIM_FUZZ_ONNX_TEXT)
// the ONNX textual syntax, imported exactly as cimc and cim-sim import a
// file: importOnnxBuffer with the default options. A refused model is fine;
// an imported one must verify (the importer checks) and print.
//
//===----------------------------------------------------------------------===//

#include "cim/Importer/Importer.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

#ifndef CIM_FUZZ_ONNX_TEXT
#define CIM_FUZZ_ONNX_TEXT 0
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  bool reported = false;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &) {
    reported = true;
    return mlir::success();
  });
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  // External data resolves against a directory that does not exist: the
  // fuzzer must not read the files around it.
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::cim::importOnnxBuffer(bytes, "fuzz.onnx", CIM_FUZZ_ONNX_TEXT,
                                  &context, {}, "/nonexistent/cim-fuzz");
  if (!module) {
    // A refusal must say why.
    if (!reported)
      std::abort();
    return 0;
  }
  module->print(llvm::nulls());
  return 0;
}
