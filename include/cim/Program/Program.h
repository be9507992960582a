//===- Program.h - Compiled crossbar programs (prog.cim) --------*- C++ -*-===//
//
// The program a chip runs: the hardware description it was compiled for,
// the functional graph (cim IR as MLIR bytecode, with the quantization
// parameters and the crossbar mapping of every layer), the integer weights
// of every crossbar layer, and per-PE instruction streams. This is the
// decoded form of both the binary format of docs/program-format.md and the
// `cimp` dialect (dialects/cimp), with a readable text dump. Plain C++ on
// LLVM Support: no MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_PROGRAM_PROGRAM_H
#define CIM_PROGRAM_PROGRAM_H

#include "cim/Hardware/Hardware.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace prog {

/// The format version this library writes; it reads exactly this version.
constexpr uint32_t kFormatVersion = 2;

/// What an instruction does (docs/program-format.md, "Instructions").
enum class Opcode : uint8_t {
  /// Write the weights of a set of crossbars (rewrite rounds).
  Write = 0,
  /// Run `invocations` crossbar invocations of one layer on one copy: every
  /// input step of every crossbar of the copy, the ADC reads of the columns,
  /// the shift-and-add of the conversions and the row-tile reduction.
  Mvm = 1,
  /// Digital vector work of a graph op on one PE's digital unit.
  Vec = 2,
  /// Move `bytes` from this PE to `peer` over the interconnect.
  Send = 3,
  /// Receive `bytes` from `peer`.
  Recv = 4,
  /// Wait for every instruction listed in `deps` (layer-by-layer order).
  Barrier = 5,
};
llvm::StringRef stringify(Opcode opcode);

/// The fields an instruction of an opcode carries besides its node and
/// dependencies; the verifier requires the others to be 0 (and the `cimp`
/// dialect's instruction ops have no syntax for them).
struct OpcodeFields {
  /// Runs on a PE (`pe`).
  bool pe = true;
  /// Produces part of an output set: `set` and the range [begin, end).
  bool set = true;
  /// Names a copy (mvm) or a write round (write).
  bool copy = false;
  /// Names a partner PE (send, recv).
  bool peer = false;
  /// Takes time: latency, reservations and event counts.
  bool timed = true;
};
OpcodeFields getOpcodeFields(Opcode opcode);

/// A hardware resource that instructions occupy.
enum class UnitKind : uint8_t {
  /// The crossbars of one copy of one layer (stationary weights), or all
  /// crossbars of the chip (rewrite mode). Includes their DACs and ADCs.
  Crossbars = 0,
  /// A PE's digital unit (shift-and-add, vector ops).
  Digital = 1,
  /// A PE's port to the interconnect.
  Link = 2,
  /// A PE's port to its buffers.
  Buffer = 3,
};
llvm::StringRef stringify(UnitKind kind);

struct Unit {
  UnitKind kind = UnitKind::Digital;
  /// The PE the unit belongs to (the first PE of a crossbar group).
  uint32_t pe = 0;
  /// For crossbar groups: the node and copy (or round) they serve.
  uint32_t node = 0;
  uint32_t copy = 0;
};

/// A unit an instruction keeps busy and for how long.
struct Reservation {
  uint32_t unit = 0;
  uint64_t busyPs = 0;
};

struct Instruction {
  Opcode opcode = Opcode::Vec;
  /// The PE whose stream holds the instruction.
  uint32_t pe = 0;
  /// The graph node it works for (index into Program::nodes).
  uint32_t node = 0;
  /// The output set of the node, and the copy (Mvm) or write round
  /// (Write, and Mvm under rewriting).
  uint32_t set = 0;
  uint32_t copy = 0;
  /// The half-open range of output elements it produces: invocations for
  /// Mvm (output pixels, or rows of a dense layer), elements for Vec.
  int64_t begin = 0, end = 0;
  /// Send/Recv partner PE.
  uint32_t peer = 0;
  /// From start until its results can be used.
  uint64_t latencyPs = 0;
  /// Units held from start, each for its own time.
  llvm::SmallVector<Reservation, 4> reservations;
  /// Earlier instructions (indices) that must have finished.
  llvm::SmallVector<uint32_t, 4> deps;
  /// Events, for energy and statistics.
  int64_t mvmSteps = 0, adcConversions = 0, digitalOps = 0, bufferBytes = 0,
          interconnectBytes = 0, crossbarWrites = 0;
};

/// A node of the functional graph the instructions refer to.
struct Node {
  std::string name;
  /// The cim op name ("cim.conv2d", "cim.relu", ...).
  std::string op;
  /// Index of the crossbar layer (into Program::layers), or -1.
  int32_t layer = -1;
  /// Output sets the node was split into.
  int64_t sets = 1;
  /// Output elements (Vec) or invocations (Mvm) in total.
  int64_t size = 0;
};

/// Integer weights of one crossbar layer, [group][row][col] of the im2col
/// matrix, in the symmetric range of `wbits`.
struct LayerWeights {
  /// The graph node of the layer.
  uint32_t node = 0;
  int64_t rows = 0, cols = 0, groups = 1;
  unsigned wbits = 8, abits = 8;
  /// Copies (duplication) and crossbars occupied (all copies).
  int64_t copies = 1, crossbars = 0;
  std::vector<int32_t> values;
  /// Weight scales, one per output channel (groups * cols) or one for the
  /// tensor, exactly as the compiler quantized with them.
  std::vector<float> scales;
};

/// The largest magnitude of a `wbits`-bit weight: the symmetric range is
/// [-limit, limit] (1 bit: -1, 0, 1).
int64_t getWeightLimit(unsigned wbits);

struct Program {
  /// Free-text producer and model, for the dump.
  std::string producer, model;
  /// "layer" or "cross-layer".
  std::string schedule;
  /// The hardware description the program was compiled for, as YAML text
  /// (hw::printHardwareDescription) and parsed.
  std::string hardwareYaml;
  hw::HardwareDescription hardware;
  /// The functional graph: MLIR bytecode of a module with one func.func of
  /// cim ops. The weight constants of crossbar layers are
  /// `dense_resource<cim_weights_N>` handles without data; their values are
  /// in `layers`.
  std::string graph;
  std::vector<Node> nodes;
  std::vector<LayerWeights> layers;
  std::vector<Unit> units;
  /// In issue order; each PE's stream is the subsequence with its `pe`.
  std::vector<Instruction> instructions;
};

/// Serializes `program` (docs/program-format.md). The same program gives
/// the same bytes.
std::string writeProgram(const Program &program);

/// Parses and verifies a serialized program; on failure returns
/// std::nullopt and sets `error` to a message naming the byte offset (or,
/// for a file of another format version, naming both versions).
std::optional<Program> readProgram(llvm::StringRef bytes, std::string &error);

/// Reads a file and parses it; errors start with nothing (the caller adds
/// the file name).
std::optional<Program> loadProgram(llvm::StringRef path, std::string &error);

/// What a verifier message is about: the program as a whole, or one entry
/// of one of its lists (the `index`-th node, layer, unit or instruction).
struct ProgramProblem {
  enum class Entity { Program, Node, Layer, Unit, Instruction };
  Entity entity = Entity::Program;
  size_t index = 0;
  std::string message;
};

/// Checks indices, ranges, dependencies and the fields of each opcode
/// (readProgram and the `cimp` dialect's verifier run it): the first
/// problem, or std::nullopt when the program is well formed. Weight values
/// are checked unless `checkWeights` is false.
std::optional<ProgramProblem> findProgramProblem(const Program &program,
                                                 bool checkWeights = true);

/// findProgramProblem's message, or an empty string when the program is
/// well formed.
std::string verifyProgram(const Program &program);

/// cim::writeFileAtomically (cim/Support/OutputFiles.h), kept for the
/// callers that name it here.
bool writeFileAtomically(llvm::StringRef path, llvm::StringRef bytes,
                         std::string &error);

/// The readable text dump: header, hardware, nodes, layers (shapes, not
/// values) and every PE's instruction stream.
void printProgram(const Program &program, llvm::raw_ostream &os);

/// The timing of a program, from the resource-reservation replay of its
/// instructions.
struct UnitUsage {
  uint64_t busyPs = 0;
};
struct NodeTiming {
  uint64_t startPs = UINT64_MAX, endPs = 0;
  uint64_t busyPs = 0;
};
struct Timing {
  /// End of the last instruction, or when the last shared unit has worked
  /// off its queue, if later.
  uint64_t latencyPs = 0;
  /// The longest dependency chain of instruction latencies (no contention).
  uint64_t criticalPathPs = 0;
  /// The busiest unit's total busy time, and which unit.
  uint64_t busiestUnitPs = 0;
  uint32_t busiestUnit = 0;
  /// No schedule of these instructions on these units can be faster: the
  /// critical path, and for every unit the shortest chain before its first
  /// use plus its busy time plus the shortest chain after its last use.
  uint64_t lowerBoundPs = 0;
  std::vector<uint64_t> startPs, endPs; // per instruction
  std::vector<uint64_t> unitBusyPs;     // per unit
  std::vector<NodeTiming> nodes;        // per node
  /// Event totals and energy (picojoules).
  int64_t mvmSteps = 0, adcConversions = 0, digitalOps = 0, bufferBytes = 0,
          interconnectBytes = 0, crossbarWrites = 0;
  double energyPj = 0;
};

/// The cycle model, one instruction at a time. Crossbar groups are
/// exclusive: an instruction that reserves one starts only when it is free
/// and holds it for its busy time (a pipelined group is free again after its
/// initiation intervals). Digital units, links and buffer ports are shared
/// servers that divide their bandwidth between the work queued on them
/// (processor sharing, with the earlier backlog taken as one job): work w
/// arriving at a backlog b finishes after w + min(w, b), and the unit's
/// backlog grows by w. The scheduler and simulateTiming both issue
/// through this class, so the compiler's schedule and the simulator agree.
class TimingState {
public:
  /// Issues `in`, whose dependencies have all finished at `ready`; returns
  /// its start and end.
  std::pair<uint64_t, uint64_t> issue(const Instruction &in, uint64_t ready,
                                      llvm::ArrayRef<Unit> units);
  /// Busy time accumulated per unit.
  const std::vector<uint64_t> &getUnitBusy() const { return unitBusy; }
  /// When `unit` has worked off everything issued to it so far (0 for a
  /// unit nothing was issued to).
  uint64_t getUnitFree(uint32_t unit) const {
    return unit < unitFree.size() ? unitFree[unit] : 0;
  }
  /// When the last unit has worked off everything issued to it.
  uint64_t getDrainTime() const {
    uint64_t t = 0;
    for (uint64_t f : unitFree)
      t = std::max(t, f);
    return t;
  }

private:
  std::vector<uint64_t> unitFree, unitBusy;
};

/// Replays the instructions in issue order: each starts when its
/// dependencies have finished and every unit it reserves is free, holds
/// each unit for its reservation and finishes after its latency.
Timing simulateTiming(const Program &program);

} // namespace prog
} // namespace cim
} // namespace mlir

#endif // CIM_PROGRAM_PROGRAM_H
