//===- Program.cpp - prog.cim serialization and text dump ----------------===//
//
// The binary layout is documented in docs/program-format.md: an 8-byte
// magic, the format version, then tagged sections in a fixed order. One
// function template (visitProgram) walks the fields in file order for the
// writer and for the reader alike. All integers are little-endian; every
// count is checked against the bytes that remain before anything is
// allocated, so a truncated or random file gives one error naming the
// offset.
//
//===----------------------------------------------------------------------===//

#include "cim/Program/Program.h"
#include "cim/Support/OutputFiles.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <cstring>
#include <map>

using namespace mlir::cim;
using namespace mlir::cim::prog;

static constexpr char kMagic[8] = {'C', 'I', 'M', 'P', 'R', 'O', 'G', '\0'};

llvm::StringRef prog::stringify(Opcode opcode) {
  switch (opcode) {
  case Opcode::Write:
    return "write";
  case Opcode::Mvm:
    return "mvm";
  case Opcode::Vec:
    return "vec";
  case Opcode::Send:
    return "send";
  case Opcode::Recv:
    return "recv";
  case Opcode::Barrier:
    return "barrier";
  }
  return "?";
}

llvm::StringRef prog::stringify(UnitKind kind) {
  switch (kind) {
  case UnitKind::Crossbars:
    return "xbars";
  case UnitKind::Digital:
    return "digital";
  case UnitKind::Link:
    return "link";
  case UnitKind::Buffer:
    return "buffer";
  }
  return "?";
}

int64_t prog::getWeightLimit(unsigned wbits) {
  return wbits <= 1 ? 1 : (int64_t(1) << (wbits - 1)) - 1;
}

OpcodeFields prog::getOpcodeFields(Opcode opcode) {
  OpcodeFields f;
  switch (opcode) {
  case Opcode::Write:
    f.set = false;
    f.copy = true;
    break;
  case Opcode::Mvm:
    f.copy = true;
    break;
  case Opcode::Vec:
    break;
  case Opcode::Send:
  case Opcode::Recv:
    f.peer = true;
    break;
  case Opcode::Barrier:
    f.pe = f.set = f.timed = false;
    break;
  }
  return f;
}

//===----------------------------------------------------------------------===//
// The layout, once for both directions
//===----------------------------------------------------------------------===//

namespace {
/// Writes the fields visitProgram hands it, little-endian; while
/// `counting`, only counts the bytes (to reserve them first).
class Writer {
public:
  static constexpr bool kReading = false;

  bool ok() const { return true; }
  /// A writer gets a verified program: the reader's checks hold.
  template <typename MessageFn> void check(bool, MessageFn &&) {}

  void header() {
    append(kMagic, 8);
    put(kFormatVersion, 4);
    put(0, 4); // flags
  }
  template <typename T> void u8(const T &v, llvm::StringRef) {
    put(uint64_t(v), 1);
  }
  template <typename T> void u32(const T &v, llvm::StringRef) {
    put(uint32_t(v), 4);
  }
  template <typename T> void u64(const T &v, llvm::StringRef) {
    put(uint64_t(v), 8);
  }
  void f32(const float &v, llvm::StringRef) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    put(bits, 4);
  }
  void str(const std::string &s, llvm::StringRef) {
    put(s.size(), 8);
    append(s.data(), s.size());
  }
  /// A count of `countBytes` bytes, then every item through `each`.
  template <typename Vector, typename Fn>
  void list(const Vector &items, unsigned countBytes, size_t, llvm::StringRef,
            Fn &&each) {
    put(items.size(), countBytes);
    for (const auto &item : items)
      each(item);
  }
  /// A u64 count of `values`; returns it.
  uint64_t count(const std::vector<int32_t> &values, llvm::StringRef,
                 unsigned) {
    put(values.size(), 8);
    return values.size();
  }
  /// `values`, `width` bytes each.
  void packed(const std::vector<int32_t> &values, uint64_t, unsigned width) {
    if (counting) {
      size += values.size() * width;
      return;
    }
    size_t at = out.size();
    out.resize(at + values.size() * width);
    char *data = &out[at];
    for (int32_t v : values) {
      *data++ = char(v & 0xff);
      if (width == 2)
        *data++ = char((v >> 8) & 0xff);
    }
  }
  /// A tagged section whose length follows its body.
  template <typename Fn> void section(const char tag[4], Fn &&body) {
    append(tag, 4);
    size_t at = out.size();
    put(0, 8);
    body();
    if (counting)
      return;
    uint64_t length = out.size() - at - 8;
    for (int i = 0; i < 8; ++i)
      out[at + i] = char((length >> (8 * i)) & 0xff);
  }
  void end() {}

  bool counting = false;
  size_t size = 0;
  std::string out;

private:
  void put(uint64_t v, unsigned bytes) {
    if (counting) {
      size += bytes;
      return;
    }
    for (unsigned i = 0; i < bytes; ++i)
      out.push_back(char((v >> (8 * i)) & 0xff));
  }
  void append(const char *data, size_t n) {
    if (counting)
      size += n;
    else
      out.append(data, n);
  }
};

/// Reads the fields visitProgram hands it with every bound checked. After
/// the first failure every read yields 0, lists end, and `error` keeps the
/// first message.
class Reader {
public:
  static constexpr bool kReading = true;

  explicit Reader(llvm::StringRef bytes) : bytes(bytes) {}

  bool ok() const { return error.empty(); }
  size_t remaining() const { return bytes.size() - pos; }
  void fail(const llvm::Twine &message) {
    if (error.empty())
      error = ("offset " + llvm::Twine(pos) + ": " + message).str();
  }
  template <typename MessageFn> void check(bool holds, MessageFn &&message) {
    if (ok() && !holds)
      fail(message());
  }

  void header() {
    if (bytes.size() < 16 || std::memcmp(bytes.data(), kMagic, 8) != 0) {
      error = "offset 0: not a cim program (bad magic)";
      return;
    }
    pos = 8;
    uint32_t version = uint32_t(get(4, "version"));
    if (version != kFormatVersion) {
      error = "format version " + std::to_string(version) +
              ", this reader reads version " + std::to_string(kFormatVersion) +
              "; recompile the model with cimc";
      return;
    }
    check(get(4, "flags") == 0, [] { return "unknown flags"; });
  }
  template <typename T> void u8(T &v, llvm::StringRef what) {
    v = T(uint8_t(get(1, what)));
  }
  template <typename T> void u32(T &v, llvm::StringRef what) {
    v = T(uint32_t(get(4, what)));
  }
  template <typename T> void u64(T &v, llvm::StringRef what) {
    v = T(get(8, what));
  }
  void f32(float &v, llvm::StringRef what) {
    uint32_t bits = uint32_t(get(4, what));
    std::memcpy(&v, &bits, 4);
  }
  void str(std::string &s, llvm::StringRef what) {
    uint64_t n = countOf(8, 1, what);
    if (!need(n, what))
      return;
    s = bytes.substr(pos, n).str();
    pos += n;
  }
  template <typename Vector, typename Fn>
  void list(Vector &items, unsigned countBytes, size_t itemBytes,
            llvm::StringRef what, Fn &&each) {
    uint64_t n = countOf(countBytes, itemBytes, what);
    items.reserve(n);
    for (uint64_t i = 0; i < n && ok(); ++i) {
      items.emplace_back();
      each(items.back());
    }
  }
  uint64_t count(std::vector<int32_t> &, llvm::StringRef what, unsigned width) {
    return countOf(8, width, what);
  }
  void packed(std::vector<int32_t> &values, uint64_t n, unsigned width) {
    if (!need(n * width, "weights"))
      return;
    values.resize(n);
    const char *data = bytes.data() + pos;
    for (uint64_t k = 0; k < n; ++k)
      values[k] = width == 1 ? int32_t(int8_t(data[k]))
                             : int32_t(int16_t(uint16_t(
                                   uint8_t(data[2 * k]) |
                                   (uint16_t(uint8_t(data[2 * k + 1])) << 8))));
    pos += n * width;
  }
  template <typename Fn> void section(const char tag[4], Fn &&body) {
    llvm::StringRef expected(tag, 4);
    if (!need(12, ("section " + expected).str()))
      return;
    llvm::StringRef got = bytes.substr(pos, 4);
    if (got != expected) {
      fail("expected section '" + expected + "', found '" +
           llvm::Twine(llvm::isPrint(got[0]) ? got : "<binary>") + "'");
      return;
    }
    pos += 4;
    uint64_t length = get(8, "section length");
    if (ok() && length > remaining()) {
      fail("section '" + expected + "' of " + llvm::Twine(length) +
           " bytes is truncated");
      return;
    }
    size_t end = pos + length;
    body();
    if (ok() && pos != end)
      fail("section '" + expected + "' has " +
           llvm::Twine(int64_t(end) - int64_t(pos)) + " unexpected bytes");
  }
  void end() {
    if (ok() && remaining())
      fail(llvm::Twine(remaining()) + " bytes after the last section");
  }

  size_t pos = 0;
  std::string error;

private:
  bool need(uint64_t n, llvm::StringRef what) {
    if (!ok())
      return false;
    if (remaining() < n) {
      fail("truncated " + what + " (needs " + llvm::Twine(n) + " bytes, " +
           llvm::Twine(remaining()) + " left)");
      return false;
    }
    return true;
  }
  uint64_t get(unsigned n, llvm::StringRef what) {
    if (!need(n, what))
      return 0;
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i)
      v |= uint64_t(uint8_t(bytes[pos + i])) << (8 * i);
    pos += n;
    return v;
  }
  /// A count of items of at least `itemBytes` bytes each, checked against
  /// the bytes that remain.
  uint64_t countOf(unsigned countBytes, size_t itemBytes,
                   llvm::StringRef what) {
    uint64_t n = get(countBytes, what);
    if (ok() && itemBytes && n > remaining() / itemBytes) {
      fail(what + " count " + llvm::Twine(n) + " exceeds the file");
      return 0;
    }
    return n;
  }

  llvm::StringRef bytes;
};

/// Every field of a program in file order (docs/program-format.md), for a
/// Writer (P is const Program) or a Reader (P is Program): the one
/// description of the layout. The checks are the reader's; a verified
/// program passes them.
template <typename Archive, typename P> void visitProgram(Archive &a, P &p) {
  a.header();
  a.section("META", [&] {
    a.str(p.producer, "producer");
    a.str(p.model, "model");
    a.str(p.schedule, "schedule");
  });
  a.section("HWDS", [&] {
    a.str(p.hardwareYaml, "hardware description");
    if constexpr (Archive::kReading) {
      if (!a.ok())
        return;
      std::vector<hw::HardwareDiagnostic> diags;
      std::optional<hw::HardwareDescription> hw =
          hw::parseHardwareDescription(p.hardwareYaml, "<program>", diags);
      if (hw)
        p.hardware = *hw;
      a.check(hw.has_value(), [&] {
        return "invalid hardware description: " +
               (diags.empty() ? std::string("?") : diags.front().message);
      });
    }
  });
  a.section("GRPH", [&] { a.str(p.graph, "graph"); });
  a.section("NODE", [&] {
    a.list(p.nodes, 8, 36, "nodes", [&](auto &n) {
      a.str(n.name, "node name");
      a.str(n.op, "node op");
      a.u32(n.layer, "node layer");
      a.u64(n.sets, "node sets");
      a.u64(n.size, "node size");
    });
  });
  a.section("WGHT", [&] {
    size_t index = 0;
    a.list(p.layers, 8, 64, "layers", [&](auto &l) {
      a.u32(l.node, "layer node");
      a.u64(l.rows, "layer rows");
      a.u64(l.cols, "layer cols");
      a.u64(l.groups, "layer groups");
      a.u32(l.wbits, "layer wbits");
      a.u32(l.abits, "layer abits");
      a.u64(l.copies, "layer copies");
      a.u64(l.crossbars, "layer crossbars");
      a.check(l.wbits >= 1 && l.wbits <= 16 && l.abits >= 1 && l.abits <= 16,
              [&] {
                return "layer " + std::to_string(index) +
                       ": bit widths out of range";
              });
      // One byte per weight up to 8 bits, else two.
      unsigned width = l.wbits <= 8 ? 1 : 2;
      uint64_t n = a.count(l.values, "weights", width);
      a.check(l.rows > 0 && l.cols > 0 && l.groups > 0 &&
                  uint64_t(l.rows) * uint64_t(l.cols) * uint64_t(l.groups) == n,
              [&] {
                return ("layer " + llvm::Twine(index) + ": " + llvm::Twine(n) +
                        " weights for a " + llvm::Twine(l.groups) + "x" +
                        llvm::Twine(l.rows) + "x" + llvm::Twine(l.cols) +
                        " matrix")
                    .str();
              });
      if (!a.ok())
        return;
      a.packed(l.values, n, width);
      a.list(l.scales, 8, 4, "weight scales",
             [&](auto &scale) { a.f32(scale, "weight scale"); });
      ++index;
    });
  });
  a.section("UNIT", [&] {
    a.list(p.units, 8, 13, "units", [&](auto &u) {
      a.u8(u.kind, "unit kind");
      a.check(uint8_t(u.kind) <= uint8_t(UnitKind::Buffer), [&] {
        return "unknown unit kind " + std::to_string(unsigned(u.kind));
      });
      a.u32(u.pe, "unit pe");
      a.u32(u.node, "unit node");
      a.u32(u.copy, "unit copy");
    });
  });
  a.section("INST", [&] {
    size_t index = 0;
    a.list(p.instructions, 8, 101, "instructions", [&](auto &in) {
      a.u8(in.opcode, "opcode");
      a.check(uint8_t(in.opcode) <= uint8_t(Opcode::Barrier), [&] {
        return "instruction " + std::to_string(index) + ": unknown opcode " +
               std::to_string(unsigned(in.opcode));
      });
      a.u32(in.pe, "pe");
      a.u32(in.node, "node");
      a.u32(in.set, "set");
      a.u32(in.copy, "copy");
      a.u64(in.begin, "begin");
      a.u64(in.end, "end");
      a.u32(in.peer, "peer");
      a.u64(in.latencyPs, "latency");
      a.list(in.reservations, 4, 12, "reservation", [&](auto &r) {
        a.u32(r.unit, "unit");
        a.u64(r.busyPs, "busy time");
      });
      a.list(in.deps, 4, 4, "dependency",
             [&](auto &d) { a.u32(d, "dependency"); });
      a.u64(in.mvmSteps, "counters");
      a.u64(in.adcConversions, "counters");
      a.u64(in.digitalOps, "counters");
      a.u64(in.bufferBytes, "counters");
      a.u64(in.interconnectBytes, "counters");
      a.u64(in.crossbarWrites, "counters");
      ++index;
    });
  });
  a.section("END ", [] {});
  a.end();
}
} // namespace

std::string prog::writeProgram(const Program &p) {
  Writer w;
  w.counting = true;
  visitProgram(w, p);
  w.out.reserve(w.size);
  w.counting = false;
  visitProgram(w, p);
  return std::move(w.out);
}

std::optional<Program> prog::readProgram(llvm::StringRef bytes,
                                         std::string &error) {
  Reader r(bytes);
  Program p;
  visitProgram(r, p);
  if (!r.ok()) {
    error = r.error;
    return std::nullopt;
  }
  std::string problem = verifyProgram(p);
  if (!problem.empty()) {
    error = problem;
    return std::nullopt;
  }
  return p;
}

std::optional<Program> prog::loadProgram(llvm::StringRef path,
                                         std::string &error) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!buffer) {
    error = buffer.getError().message();
    return std::nullopt;
  }
  return readProgram((*buffer)->getBuffer(), error);
}

//===----------------------------------------------------------------------===//
// Verifier
//===----------------------------------------------------------------------===//

/// Bounds that keep the cycle model's sums (event totals over all
/// instructions, times along a dependency chain) within 64 bits: far above
/// what a compiled network holds.
static constexpr int64_t kMaxEvents = int64_t(1) << 40;
static constexpr uint64_t kMaxInstructionPs = uint64_t(1) << 40;
static constexpr size_t kMaxInstructions = size_t(1) << 22;

std::optional<ProgramProblem> prog::findProgramProblem(const Program &p,
                                                       bool checkWeights) {
  using Entity = ProgramProblem::Entity;
  auto fail = [](Entity entity, size_t index, const llvm::Twine &message) {
    return ProgramProblem{entity, index, message.str()};
  };
  auto whole = [&](const llvm::Twine &message) {
    return fail(Entity::Program, 0, message);
  };
  if (p.instructions.size() > kMaxInstructions)
    return whole(llvm::Twine(p.instructions.size()) +
                 " instructions, more than 2^22");
  int64_t pes = p.hardware.pes;
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    const Node &node = p.nodes[i];
    auto where = [&](const llvm::Twine &message) {
      return fail(Entity::Node, i, "node " + llvm::Twine(i) + message);
    };
    if (node.layer != -1 &&
        (node.layer < 0 || size_t(node.layer) >= p.layers.size()))
      return where(" names layer " + llvm::Twine(node.layer) + " of " +
                   llvm::Twine(p.layers.size()));
    if (node.layer != -1 && p.layers[node.layer].node != i)
      return where(" names layer " + llvm::Twine(node.layer) +
                   ", which belongs to node " +
                   llvm::Twine(p.layers[node.layer].node));
    if (node.sets < 1 || node.size < 0)
      return where(": bad set count or size");
  }
  for (size_t i = 0; i < p.layers.size(); ++i) {
    const LayerWeights &l = p.layers[i];
    auto where = [&](const llvm::Twine &message) {
      return fail(Entity::Layer, i, "layer " + llvm::Twine(i) + message);
    };
    if (l.node >= p.nodes.size() || p.nodes[l.node].layer != int32_t(i))
      return where(" names node " + llvm::Twine(l.node) +
                   ", which does not name it back");
    if (l.wbits < 1 || l.wbits > 16 || l.abits < 1 || l.abits > 16)
      return where(": bit widths out of range");
    if (l.rows <= 0 || l.cols <= 0 || l.groups <= 0 ||
        (checkWeights &&
         uint64_t(l.rows) * uint64_t(l.cols) * uint64_t(l.groups) !=
             l.values.size()))
      return where(": " + llvm::Twine(l.values.size()) + " weights for a " +
                   llvm::Twine(l.groups) + "x" + llvm::Twine(l.rows) + "x" +
                   llvm::Twine(l.cols) + " matrix");
    int64_t limit = getWeightLimit(l.wbits);
    if (checkWeights)
      for (int32_t v : l.values)
        if (v < -limit || v > limit)
          return where(": weight " + llvm::Twine(v) + " outside the " +
                       llvm::Twine(l.wbits) + "-bit range");
    if (l.copies < 1)
      return where(": no copies");
    if (l.scales.size() != 1 && int64_t(l.scales.size()) != l.groups * l.cols)
      return where(": " + llvm::Twine(l.scales.size()) + " weight scales for " +
                   llvm::Twine(l.groups * l.cols) + " output channels");
    for (float f : l.scales)
      if (!(f > 0) || !std::isfinite(f))
        return where(": weight scales must be positive and finite");
  }
  for (size_t i = 0; i < p.units.size(); ++i) {
    const Unit &u = p.units[i];
    auto where = [&](const llvm::Twine &message) {
      return fail(Entity::Unit, i, "unit " + llvm::Twine(i) + message);
    };
    if (int64_t(u.pe) >= pes)
      return where(" on PE " + llvm::Twine(u.pe) + ", the chip has " +
                   llvm::Twine(pes));
    if (u.kind == UnitKind::Crossbars && u.node >= p.nodes.size())
      return where(" serves node " + llvm::Twine(u.node) + " of " +
                   llvm::Twine(p.nodes.size()));
    if (u.kind != UnitKind::Crossbars && (u.node != 0 || u.copy != 0))
      return where(" (" + stringify(u.kind) +
                   ") names a node or copy, which only crossbar groups have");
  }
  // Every crossbar layer's invocations must be covered exactly once per
  // round by its Mvm instructions: collect the ranges per (layer, round).
  std::map<std::pair<uint32_t, uint32_t>,
           std::vector<std::pair<int64_t, int64_t>>>
      covered;
  bool rewrite = false;
  for (size_t i = 0; i < p.instructions.size(); ++i) {
    const Instruction &in = p.instructions[i];
    auto where = [&](const llvm::Twine &message) {
      return fail(Entity::Instruction, i,
                  "instruction " + llvm::Twine(i) + " (" +
                      stringify(in.opcode) + "): " + message);
    };
    if (int64_t(in.pe) >= pes)
      return where("PE " + llvm::Twine(in.pe) + " does not exist");
    if (in.node >= p.nodes.size())
      return where("node " + llvm::Twine(in.node) + " does not exist");
    if ((in.opcode == Opcode::Send || in.opcode == Opcode::Recv) &&
        int64_t(in.peer) >= pes)
      return where("peer PE " + llvm::Twine(in.peer) + " does not exist");
    if (in.begin < 0 || in.end < in.begin || in.end > p.nodes[in.node].size)
      return where("range [" + llvm::Twine(in.begin) + ", " +
                   llvm::Twine(in.end) + ") outside the node's " +
                   llvm::Twine(p.nodes[in.node].size) + " elements");
    for (const Reservation &r : in.reservations)
      if (r.unit >= p.units.size())
        return where("unit " + llvm::Twine(r.unit) + " does not exist");
    for (uint32_t d : in.deps)
      if (d >= i)
        return where("depends on instruction " + llvm::Twine(d) +
                     ", which does not come before it");
    for (int64_t events :
         {in.mvmSteps, in.adcConversions, in.digitalOps, in.bufferBytes,
          in.interconnectBytes, in.crossbarWrites})
      if (events < 0 || events > kMaxEvents)
        return where("event count " + llvm::Twine(events) +
                     " outside [0, 2^40]");
    if (in.latencyPs > kMaxInstructionPs)
      return where("latency of " + llvm::Twine(in.latencyPs) +
                   " ps above 2^40");
    for (const Reservation &r : in.reservations)
      if (r.busyPs > kMaxInstructionPs)
        return where("busy time of " + llvm::Twine(r.busyPs) +
                     " ps above 2^40");
    // The fields the opcode does not have are 0.
    OpcodeFields fields = getOpcodeFields(in.opcode);
    if (!fields.pe && in.pe != 0)
      return where("runs on a PE");
    if (!fields.set && (in.set != 0 || in.begin != 0 || in.end != 0))
      return where("names an output set or range");
    if (!fields.copy && in.copy != 0)
      return where("names a copy");
    if (!fields.peer && in.peer != 0)
      return where("names a peer PE");
    if (!fields.timed &&
        (in.latencyPs != 0 || !in.reservations.empty() || in.mvmSteps != 0 ||
         in.adcConversions != 0 || in.digitalOps != 0 || in.bufferBytes != 0 ||
         in.interconnectBytes != 0 || in.crossbarWrites != 0))
      return where("takes time or counts events");
    if (in.opcode == Opcode::Mvm) {
      if (p.nodes[in.node].layer < 0)
        return where("runs node " + llvm::Twine(in.node) +
                     ", which is not a crossbar layer");
      if (in.begin != in.end)
        covered[{in.node, in.copy}].push_back({in.begin, in.end});
    }
    if (in.opcode == Opcode::Write)
      rewrite = true;
  }
  // Stationary: the copies of a layer share its invocations, so merge the
  // copies; under rewriting each round covers every invocation.
  std::map<uint32_t, std::vector<std::vector<std::pair<int64_t, int64_t>>>>
      byNode;
  for (auto &[key, ranges] : covered)
    byNode[key.first].push_back(ranges);
  for (size_t i = 0; i < p.layers.size(); ++i) {
    uint32_t node = p.layers[i].node;
    int64_t size = p.nodes[node].size;
    auto where = [&](const llvm::Twine &message) {
      return fail(Entity::Layer, i, message);
    };
    auto it = byNode.find(node);
    if (it == byNode.end()) {
      if (size == 0)
        continue;
      return where("layer " + llvm::Twine(i) + " ('" + p.nodes[node].name +
                   "') has no mvm instruction");
    }
    auto check = [&](std::vector<std::pair<int64_t, int64_t>> ranges) {
      std::sort(ranges.begin(), ranges.end());
      int64_t next = 0;
      for (auto [b, e] : ranges) {
        if (b != next)
          return false;
        next = e;
      }
      return next == size;
    };
    if (rewrite) {
      for (auto &ranges : it->second)
        if (!check(ranges))
          return where("a write round of layer '" + p.nodes[node].name +
                       "' does not cover its invocations exactly once");
    } else {
      std::vector<std::pair<int64_t, int64_t>> all;
      for (auto &ranges : it->second)
        all.insert(all.end(), ranges.begin(), ranges.end());
      if (!check(all))
        return where("the mvm instructions of layer '" + p.nodes[node].name +
                     "' do not cover its invocations exactly once");
    }
  }
  return std::nullopt;
}

std::string prog::verifyProgram(const Program &p) {
  std::optional<ProgramProblem> problem = findProgramProblem(p);
  return problem ? problem->message : std::string();
}

//===----------------------------------------------------------------------===//
// Text dump
//===----------------------------------------------------------------------===//

void prog::printProgram(const Program &p, llvm::raw_ostream &os) {
  os << "// cim program, format version " << kFormatVersion << "\n";
  os << "producer: " << p.producer << "\nmodel: " << p.model
     << "\nschedule: " << p.schedule << "\n";
  os << "hardware: |\n";
  llvm::SmallVector<llvm::StringRef> lines;
  llvm::StringRef(p.hardwareYaml).split(lines, '\n', -1, false);
  for (llvm::StringRef line : lines)
    os << "  " << line << "\n";
  os << "nodes: " << p.nodes.size() << "\n";
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    const Node &n = p.nodes[i];
    os << "  n" << i << " " << n.op << " '" << n.name << "' sets=" << n.sets
       << " size=" << n.size;
    if (n.layer >= 0)
      os << " layer=" << n.layer;
    os << "\n";
  }
  os << "layers: " << p.layers.size() << "\n";
  for (size_t i = 0; i < p.layers.size(); ++i) {
    const LayerWeights &l = p.layers[i];
    // Wraps around: unsigned, where overflow is defined.
    uint64_t checksum = 0;
    for (int32_t v : l.values)
      checksum = checksum * 31 + uint64_t(int64_t(v));
    os << "  l" << i << " n" << l.node << " " << l.groups << "x" << l.rows
       << "x" << l.cols << " w" << l.wbits << "a" << l.abits
       << " copies=" << l.copies << " crossbars=" << l.crossbars
       << " checksum=" << llvm::format_hex(checksum, 18) << "\n";
  }
  os << "units: " << p.units.size() << "\n";
  auto unitName = [&](uint32_t id) {
    const Unit &u = p.units[id];
    std::string s = (stringify(u.kind) + "@pe" + llvm::Twine(u.pe)).str();
    if (u.kind == UnitKind::Crossbars)
      s += "[n" + std::to_string(u.node) + ".c" + std::to_string(u.copy) + "]";
    return s;
  };
  // Streams per PE, in issue order within each.
  std::map<uint32_t, std::vector<size_t>> streams;
  for (size_t i = 0; i < p.instructions.size(); ++i)
    streams[p.instructions[i].pe].push_back(i);
  os << "streams: " << streams.size() << " PEs, " << p.instructions.size()
     << " instructions\n";
  for (auto &[pe, list] : streams) {
    os << "pe " << pe << ":\n";
    for (size_t i : list) {
      const Instruction &in = p.instructions[i];
      os << "  %" << i << " = " << stringify(in.opcode) << " n" << in.node;
      if (in.opcode == Opcode::Mvm || in.opcode == Opcode::Write)
        os << (in.opcode == Opcode::Write ? " round " : " copy ") << in.copy;
      if (in.opcode != Opcode::Barrier)
        os << " set " << in.set << " [" << in.begin << ":" << in.end << "]";
      if (in.opcode == Opcode::Send)
        os << " to pe" << in.peer;
      if (in.opcode == Opcode::Recv)
        os << " from pe" << in.peer;
      os << " lat=" << in.latencyPs << "ps";
      if (!in.reservations.empty()) {
        os << " uses(";
        for (size_t k = 0; k < in.reservations.size(); ++k)
          os << (k ? ", " : "") << unitName(in.reservations[k].unit) << ":"
             << in.reservations[k].busyPs;
        os << ")";
      }
      if (!in.deps.empty()) {
        os << " after(";
        for (size_t k = 0; k < in.deps.size(); ++k)
          os << (k ? ", " : "") << "%" << in.deps[k];
        os << ")";
      }
      if (in.mvmSteps)
        os << " steps=" << in.mvmSteps;
      if (in.adcConversions)
        os << " adc=" << in.adcConversions;
      if (in.digitalOps)
        os << " ops=" << in.digitalOps;
      if (in.interconnectBytes)
        os << " noc=" << in.interconnectBytes << "B";
      if (in.crossbarWrites)
        os << " writes=" << in.crossbarWrites;
      os << "\n";
    }
  }
}

bool prog::writeFileAtomically(llvm::StringRef path, llvm::StringRef bytes,
                               std::string &error) {
  return cim::writeFileAtomically(path, bytes, error);
}
