//===- OnnxImporter.cpp - ONNX models to cim graph IR ---------------------===//
//
// The entry points: reading and parsing a model (binary protobuf or the
// ONNX textual syntax), then GraphImporter for the graph.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMDialect.h"
#include "cim/Importer/Importer.h"
#include "cim/Support/Text.h"

#include "GraphImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/defs/parser.h"
#include "onnx/onnx_pb.h"

using namespace mlir;
using namespace mlir::cim;

/// onnx::OnnxParser's message is three lines, "[ParseError at position
/// (line: L column: C)]", "Error context: TEXT" and what was expected; this
/// emits them as one error located at L:C.
static void reportTextParseError(StringRef bufferName, StringRef message,
                                 MLIRContext *context) {
  unsigned line = 0, column = 0;
  std::string what, near;
  SmallVector<StringRef> lines;
  message.split(lines, '\n', -1, /*KeepEmpty=*/false);
  for (StringRef l : lines) {
    l = l.trim();
    if (l.consume_front("[ParseError at position (line: ")) {
      auto [lineText, rest] = l.split(" column: ");
      (void)lineText.getAsInteger(10, line);
      (void)rest.take_while(llvm::isDigit).getAsInteger(10, column);
    } else if (l.consume_front("Error context:")) {
      near = l.trim().str();
    } else {
      what += (what.empty() ? "" : " ") + l.str();
    }
  }
  InFlightDiagnostic diag =
      emitError(FileLineColLoc::get(context, bufferName, line, column))
      << "cannot parse ONNX text: "
      << toOneLine(what.empty() ? "syntax error" : what);
  if (!near.empty())
    diag << " (near '" << toOneLine(near, 80) << "')";
}

void cim::registerImporterDialects(MLIRContext &context) {
  context.loadDialect<CIMDialect, func::FuncDialect>();
}

OwningOpRef<ModuleOp> cim::importOnnxBuffer(StringRef buffer,
                                            StringRef bufferName, bool isText,
                                            MLIRContext *context,
                                            const ImportOptions &options,
                                            StringRef baseDir) {
  registerImporterDialects(*context);
  Location loc = FileLineColLoc::get(context, bufferName, 0, 0);
  if (buffer.empty()) {
    emitError(loc) << "file is empty, not an ONNX model";
    return {};
  }
  onnx::ModelProto model;
  if (isText) {
    std::string text = buffer.str();
    onnx::Status status;
    // The ONNX parser throws on some malformed numbers (std::stoi, stof)
    // instead of returning a status.
    try {
      status = onnx::OnnxParser::Parse(model, text.c_str());
    } catch (const std::exception &e) {
      emitError(loc) << "cannot parse ONNX text: malformed number (" << e.what()
                     << ")";
      return {};
    }
    if (!status.IsOK()) {
      reportTextParseError(bufferName, status.ErrorMessage(), context);
      return {};
    }
  } else if (buffer.size() > size_t(INT32_MAX) ||
             !model.ParseFromArray(buffer.data(), int(buffer.size()))) {
    emitError(loc) << "not a valid ONNX model (protobuf parse failed; the "
                      "file may be truncated or of another type)";
    return {};
  }
  importer::GraphImporter graph(context, options, bufferName, baseDir);
  return graph.importModel(model);
}

OwningOpRef<ModuleOp> cim::importOnnxFile(StringRef path, MLIRContext *context,
                                          const ImportOptions &options) {
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file) {
    emitError(FileLineColLoc::get(context, path, 0, 0))
        << "cannot read file: " << file.getError().message();
    return {};
  }
  StringRef ext = llvm::sys::path::extension(path);
  bool isText = ext == ".onnxtxt" || ext == ".onnxtext" || ext == ".txt";
  SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  return importOnnxBuffer((*file)->getBuffer(), path, isText, context, options,
                          dir);
}

LogicalResult cim::parseInputShape(StringRef text, ImportOptions &options,
                                   std::string &error) {
  auto [name, dims] = text.rsplit('=');
  if (dims.empty()) {
    dims = name;
    name = "";
  }
  SmallVector<StringRef> parts;
  dims.split(parts, 'x');
  std::vector<int64_t> shape;
  for (StringRef p : parts) {
    int64_t d;
    if (p.getAsInteger(10, d) || d < 0) {
      error = "bad --input-shape '" + text.str() +
              "': expected NAME=D1xD2x... with non-negative integers";
      return failure();
    }
    shape.push_back(d);
  }
  options.inputShapes[name] = shape;
  return success();
}
