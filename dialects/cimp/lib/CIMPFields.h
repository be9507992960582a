//===- CIMPFields.h - Instruction attributes and prog fields ----*- C++ -*-===//
//
// The one mapping between the integer attributes of the cimp instruction
// ops and the fields of prog::Instruction, used by the syntax, the decoder
// and the builder. Absent attributes are 0.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIMP_LIB_CIMPFIELDS_H
#define CIM_DIALECT_CIMP_LIB_CIMPFIELDS_H

#include "cim/Program/Program.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace mlir {
namespace cimp {

struct InstructionField {
  llvm::StringLiteral name;
  int64_t (*get)(const cim::prog::Instruction &);
  void (*set)(cim::prog::Instruction &, int64_t);
};

#define CIMP_FIELD(NAME, MEMBER, TYPE)                                         \
  InstructionField {                                                           \
    llvm::StringLiteral(NAME),                                                 \
        [](const cim::prog::Instruction &in) { return int64_t(in.MEMBER); },   \
        [](cim::prog::Instruction &in, int64_t v) { in.MEMBER = TYPE(v); }     \
  }

/// Where an instruction runs and what it produces and its latency (the
/// first seven), then the event counts in the order `events(...)` prints
/// them.
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

inline const EventField *findEventField(llvm::StringRef name) {
  for (const EventField &field : getEventFields())
    if (field.name == name)
      return &field;
  return nullptr;
}

} // namespace cimp
} // namespace mlir

#endif // CIM_DIALECT_CIMP_LIB_CIMPFIELDS_H
