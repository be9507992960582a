//===- Backend.cpp - The chip level <-> prog.cim --------------------------===//

#include "cim/Backend/Backend.h"
#include "cim/Analysis/ModuleCost.h"
#include "cim/Dialect/CIMP/CIMPProgram.h"

#include "mlir/Bytecode/BytecodeReader.h"
#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
using namespace mlir::cim;

FailureOr<prog::Program> mlir::cim::exportProgram(ModuleOp module) {
  cimp::ProgramOp programOp;
  for (cimp::ProgramOp op : module.getOps<cimp::ProgramOp>()) {
    if (programOp)
      return op.emitError() << "a module holds one cimp.program";
    programOp = op;
  }
  if (!programOp)
    return module.emitError()
           << "the module has no cimp.program (cim-schedule{chip=1} or "
              "cimc --emit=chip lowers a module to the chip level)";
  // The program op's verifier has run the program verifier.
  FailureOr<prog::Program> program = cimp::decodeProgram(programOp);
  if (failed(program))
    return failure();

  // The graph: the module without its program.
  OwningOpRef<ModuleOp> graph = ModuleOp::create(module.getLoc());
  graph->getOperation()->setAttrs(module->getAttrDictionary());
  OpBuilder builder = OpBuilder::atBlockEnd(graph->getBody());
  for (Operation &op : *module.getBody())
    if (!isa<cimp::ProgramOp>(op))
      builder.clone(op);
  size_t layers = getCrossbarLayers(*graph).size();
  if (layers != program->layers.size())
    return programOp.emitError() << "the program has " << program->layers.size()
                                 << " crossbar layers but its graph " << layers;
  llvm::raw_string_ostream os(program->graph);
  writeBytecodeToFile(*graph, os, BytecodeWriterConfig("cimc"));
  os.flush();
  return program;
}

OwningOpRef<ModuleOp> mlir::cim::importProgram(const prog::Program &program,
                                               MLIRContext *context,
                                               StringRef sourceName) {
  context->getOrLoadDialect<cimp::CIMPDialect>();
  OwningOpRef<ModuleOp> module =
      parseProgramGraph(program, context, sourceName);
  if (!module)
    return nullptr;
  Location loc = FileLineColLoc::get(context, sourceName, 0, 0);
  if (!module->getOps<cimp::ProgramOp>().empty()) {
    emitError(loc) << "the program's graph holds a cimp.program";
    return nullptr;
  }
  OpBuilder builder = OpBuilder::atBlockEnd(module->getBody());
  if (failed(cimp::buildProgramOp(builder, loc, program)))
    return nullptr;
  return module;
}

OwningOpRef<ModuleOp> mlir::cim::parseProgramGraph(const prog::Program &program,
                                                   MLIRContext *context,
                                                   StringRef sourceName) {
  std::string name = (sourceName + ":graph").str();
  if (!isBytecode(llvm::MemoryBufferRef(program.graph, name))) {
    emitError(FileLineColLoc::get(context, name, 0, 0))
        << "the graph is not MLIR bytecode";
    return nullptr;
  }
  ParserConfig config(context);
  llvm::SourceMgr sources;
  // The buffer keeps its own copy of the name.
  sources.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer(program.graph, name,
                                       /*RequiresNullTerminator=*/false),
      llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sources, config);
}
