//===- CIMPFields.h - Instruction attributes and prog fields ----*- C++ -*-===//
//
// The one mapping between the `fields` array of the cimp instruction ops
// (its positions, and the keywords the syntax names them by) and the
// fields of prog::Instruction, used by the syntax, the verifier, the
// decoder and the builder.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIMP_LIB_CIMPFIELDS_H
#define CIM_DIALECT_CIMP_LIB_CIMPFIELDS_H

#include "cim/Program/Program.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"

#include <type_traits>

namespace mlir {
namespace cimp {

struct InstructionField {
  llvm::StringLiteral name;
  int64_t (*get)(const cim::prog::Instruction &);
  void (*set)(cim::prog::Instruction &, int64_t);
  /// A 32-bit index (a PE, set or copy).
  bool index;
};

#define CIMP_FIELD(NAME, MEMBER, TYPE)                                         \
  InstructionField {                                                           \
    llvm::StringLiteral(NAME),                                                 \
        [](const cim::prog::Instruction &in) { return int64_t(in.MEMBER); },   \
        [](cim::prog::Instruction &in, int64_t v) { in.MEMBER = TYPE(v); },    \
        std::is_same_v<TYPE, uint32_t>                                         \
  }

/// The positions of `fields`: where an instruction runs, what it
/// produces and its latency (the first seven), then the event counts in
/// the order `events(...)` prints them.
inline llvm::ArrayRef<InstructionField> getInstructionFields() {
  static const InstructionField fields[] = {
      CIMP_FIELD("pe", pe, uint32_t),
      CIMP_FIELD("set", set, uint32_t),
      CIMP_FIELD("copy", copy, uint32_t),
      CIMP_FIELD("begin", begin, int64_t),
      CIMP_FIELD("end", end, int64_t),
      CIMP_FIELD("peer", peer, uint32_t),
      CIMP_FIELD("latency_ps", latencyPs, uint64_t),
      CIMP_FIELD("mvm_steps", mvmSteps, int64_t),
      CIMP_FIELD("adc_conversions", adcConversions, int64_t),
      CIMP_FIELD("digital_ops", digitalOps, int64_t),
      CIMP_FIELD("buffer_bytes", bufferBytes, int64_t),
      CIMP_FIELD("interconnect_bytes", interconnectBytes, int64_t),
      CIMP_FIELD("crossbar_writes", crossbarWrites, int64_t),
  };
  return fields;
}

using EventField = InstructionField;
inline llvm::ArrayRef<EventField> getEventFields() {
  return getInstructionFields().drop_front(7);
}
#undef CIMP_FIELD

/// The position of the field named `name` in `fields`, or -1.
inline int findInstructionField(llvm::StringRef name) {
  for (auto [index, field] : llvm::enumerate(getInstructionFields()))
    if (field.name == name)
      return int(index);
  return -1;
}

} // namespace cimp
} // namespace mlir

#endif // CIM_DIALECT_CIMP_LIB_CIMPFIELDS_H
