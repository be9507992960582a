//===- CIMPProgram.h - cimp.program <-> prog::Program -----------*- C++ -*-===//
//
// The two directions between a `cimp.program` and its decoded form
// prog::Program (everything but the functional graph, which lives beside
// the program op in the module). prog.cim is written and read from the
// decoded form (cim/Program/Program.h), so IR, prog::Program and bytes are
// one path.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIMP_CIMPPROGRAM_H
#define CIM_DIALECT_CIMP_CIMPPROGRAM_H

#include "cim/Dialect/CIMP/CIMPDialect.h"

#include "mlir/IR/Builders.h"

namespace mlir {
namespace cimp {

/// The ops of a program by what they define: the position of an op in its
/// list is its index in the prog::Program.
struct ProgramOps {
  SmallVector<Operation *> nodes, layers, units, instructions;
};

/// Decodes `program` (all but prog::Program::graph). With `withWeights`
/// false the layers' weight values stay empty. Fails with a located error
/// when a field does not decode (a weight resource without data, a
/// hardware description that does not parse); the program verifier is not
/// run. `ops`, when given, receives the ops in program order.
FailureOr<cim::prog::Program> decodeProgram(ProgramOp program,
                                            bool withWeights = true,
                                            ProgramOps *ops = nullptr);

/// The weights of crossbar layer `index` as a cimp.layer holds them: a
/// resource blob named cimp_weights_<index> of `groups x rows x cols`
/// integers, i8 up to 8 bits, else i16.
ElementsAttr buildWeightsAttr(MLIRContext *context, size_t index,
                              const cim::prog::LayerWeights &layer,
                              ArrayRef<int32_t> values);

/// Builds the `cimp.program` of `program` (all but its graph) at the
/// builder's insertion point, every op at `loc`. The weights are
/// `weights[i]` when given, else buildWeightsAttr of the layers' values.
/// `program` must be verified (prog::findProgramProblem); fails with an
/// error at `loc` when its schedule kind is unknown.
FailureOr<ProgramOp> buildProgramOp(OpBuilder &builder, Location loc,
                                    const cim::prog::Program &program,
                                    ArrayRef<ElementsAttr> weights = {});

} // namespace cimp
} // namespace mlir

#endif // CIM_DIALECT_CIMP_CIMPPROGRAM_H
