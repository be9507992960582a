//===- Program.cpp - prog.cim serialization and text dump ----------------===//
//
// The binary layout is documented in docs/program-format.md: an 8-byte
// magic, the format version, then tagged sections in a fixed order. All
// integers are little-endian; every count is checked against the bytes that
// remain before anything is allocated, so a truncated or random file gives
// one error naming the offset.
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

//===----------------------------------------------------------------------===//
// Writer
//===----------------------------------------------------------------------===//

namespace {
class Writer {
public:
  void u8(uint8_t v) { out.push_back(char(v)); }
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i)
      out.push_back(char((v >> (8 * i)) & 0xff));
  }
  void u64(uint64_t v) {
    for (int i = 0; i < 8; ++i)
      out.push_back(char((v >> (8 * i)) & 0xff));
  }
  void i64(int64_t v) { u64(uint64_t(v)); }
  void str(llvm::StringRef s) {
    u64(s.size());
    out.append(s.data(), s.size());
  }
  /// Starts a section; `end` patches its length.
  size_t begin(const char tag[4]) {
    out.append(tag, 4);
    size_t at = out.size();
    u64(0);
    return at;
  }
  void end(size_t at) {
    uint64_t length = out.size() - at - 8;
    for (int i = 0; i < 8; ++i)
      out[at + i] = char((length >> (8 * i)) & 0xff);
  }
  std::string out;
};
} // namespace

std::string prog::writeProgram(const Program &p) {
  Writer w;
  w.out.append(kMagic, 8);
  w.u32(kFormatVersion);
  w.u32(0); // flags

  size_t at = w.begin("META");
  w.str(p.producer);
  w.str(p.model);
  w.str(p.schedule);
  w.end(at);

  at = w.begin("HWDS");
  w.str(p.hardwareYaml);
  w.end(at);

  at = w.begin("GRPH");
  w.str(p.graph);
  w.end(at);

  at = w.begin("NODE");
  w.u64(p.nodes.size());
  for (const Node &n : p.nodes) {
    w.str(n.name);
    w.str(n.op);
    w.u32(uint32_t(n.layer));
    w.i64(n.sets);
    w.i64(n.size);
  }
  w.end(at);

  at = w.begin("WGHT");
  w.u64(p.layers.size());
  for (const LayerWeights &l : p.layers) {
    w.u32(l.node);
    w.i64(l.rows);
    w.i64(l.cols);
    w.i64(l.groups);
    w.u32(l.wbits);
    w.u32(l.abits);
    w.i64(l.copies);
    w.i64(l.crossbars);
    // One byte per weight up to 8 bits, else two.
    unsigned bytes = l.wbits <= 8 ? 1 : 2;
    w.u64(l.values.size());
    for (int32_t v : l.values) {
      w.u8(uint8_t(v & 0xff));
      if (bytes == 2)
        w.u8(uint8_t((v >> 8) & 0xff));
    }
    w.u64(l.scales.size());
    for (float f : l.scales) {
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      w.u32(bits);
    }
  }
  w.end(at);

  at = w.begin("UNIT");
  w.u64(p.units.size());
  for (const Unit &u : p.units) {
    w.u8(uint8_t(u.kind));
    w.u32(u.pe);
    w.u32(u.node);
    w.u32(u.copy);
  }
  w.end(at);

  at = w.begin("INST");
  w.u64(p.instructions.size());
  for (const Instruction &in : p.instructions) {
    w.u8(uint8_t(in.opcode));
    w.u32(in.pe);
    w.u32(in.node);
    w.u32(in.set);
    w.u32(in.copy);
    w.i64(in.begin);
    w.i64(in.end);
    w.u32(in.peer);
    w.u64(in.latencyPs);
    w.u32(in.reservations.size());
    for (const Reservation &r : in.reservations) {
      w.u32(r.unit);
      w.u64(r.busyPs);
    }
    w.u32(in.deps.size());
    for (uint32_t d : in.deps)
      w.u32(d);
    w.i64(in.mvmSteps);
    w.i64(in.adcConversions);
    w.i64(in.digitalOps);
    w.i64(in.bufferBytes);
    w.i64(in.interconnectBytes);
    w.i64(in.crossbarWrites);
  }
  w.end(at);

  at = w.begin("END ");
  w.end(at);
  return std::move(w.out);
}

//===----------------------------------------------------------------------===//
// Reader
//===----------------------------------------------------------------------===//

namespace {
/// A bounds-checked cursor. After the first failure every read returns 0
/// and `error` keeps the first message.
class Reader {
public:
  explicit Reader(llvm::StringRef bytes) : bytes(bytes) {}

  bool ok() const { return error.empty(); }
  size_t offset() const { return pos; }
  size_t remaining() const { return bytes.size() - pos; }

  void fail(const llvm::Twine &message) {
    if (error.empty())
      error = ("offset " + llvm::Twine(pos) + ": " + message).str();
  }
  bool need(size_t n, llvm::StringRef what) {
    if (!ok())
      return false;
    if (remaining() < n) {
      fail("truncated " + what + " (needs " + llvm::Twine(n) + " bytes, " +
           llvm::Twine(remaining()) + " left)");
      return false;
    }
    return true;
  }
  uint8_t u8(llvm::StringRef what) {
    if (!need(1, what))
      return 0;
    return uint8_t(bytes[pos++]);
  }
  uint32_t u32(llvm::StringRef what) {
    if (!need(4, what))
      return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v |= uint32_t(uint8_t(bytes[pos + i])) << (8 * i);
    pos += 4;
    return v;
  }
  uint64_t u64(llvm::StringRef what) {
    if (!need(8, what))
      return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
      v |= uint64_t(uint8_t(bytes[pos + i])) << (8 * i);
    pos += 8;
    return v;
  }
  int64_t i64(llvm::StringRef what) { return int64_t(u64(what)); }
  /// A non-negative count of items of at least `itemBytes` bytes each.
  uint64_t count(llvm::StringRef what, size_t itemBytes) {
    uint64_t n = u64(what);
    if (ok() && itemBytes && n > remaining() / itemBytes) {
      fail(what + " count " + llvm::Twine(n) + " exceeds the file");
      return 0;
    }
    return n;
  }
  std::string str(llvm::StringRef what) {
    uint64_t n = count(what, 1);
    if (!need(n, what))
      return {};
    std::string s = bytes.substr(pos, n).str();
    pos += n;
    return s;
  }
  /// Reads a section header with tag `tag`; returns its end offset.
  size_t section(const char tag[4]) {
    llvm::StringRef expected(tag, 4);
    if (!need(12, ("section " + expected).str()))
      return 0;
    llvm::StringRef got = bytes.substr(pos, 4);
    if (got != expected) {
      fail("expected section '" + expected + "', found '" +
           llvm::Twine(llvm::isPrint(got[0]) ? got : "<binary>") + "'");
      return 0;
    }
    pos += 4;
    uint64_t length = u64("section length");
    if (ok() && length > remaining()) {
      fail("section '" + expected + "' of " + llvm::Twine(length) +
           " bytes is truncated");
      return 0;
    }
    return pos + length;
  }
  void endSection(size_t end, const char tag[4]) {
    if (ok() && pos != end)
      fail("section '" + llvm::StringRef(tag, 4) + "' has " +
           llvm::Twine(int64_t(end) - int64_t(pos)) + " unexpected bytes");
  }

  llvm::StringRef bytes;
  size_t pos = 0;
  std::string error;
};
} // namespace

std::optional<Program> prog::readProgram(llvm::StringRef bytes,
                                         std::string &error) {
  Reader r(bytes);
  Program p;
  if (bytes.size() < 16 || std::memcmp(bytes.data(), kMagic, 8) != 0) {
    error = "offset 0: not a cim program (bad magic)";
    return std::nullopt;
  }
  r.pos = 8;
  uint32_t version = r.u32("version");
  if (version != kFormatVersion) {
    error = "offset 8: program format version " + std::to_string(version) +
            ", this build reads version " + std::to_string(kFormatVersion);
    return std::nullopt;
  }
  if (r.u32("flags") != 0)
    r.fail("unknown flags");

  size_t end = r.section("META");
  p.producer = r.str("producer");
  p.model = r.str("model");
  p.schedule = r.str("schedule");
  r.endSection(end, "META");

  end = r.section("HWDS");
  size_t hwAt = r.offset();
  p.hardwareYaml = r.str("hardware description");
  r.endSection(end, "HWDS");
  if (r.ok()) {
    std::vector<hw::HardwareDiagnostic> diags;
    std::optional<hw::HardwareDescription> hw =
        hw::parseHardwareDescription(p.hardwareYaml, "<program>", diags);
    if (!hw) {
      r.pos = hwAt;
      r.fail("invalid hardware description: " +
             (diags.empty() ? std::string("?") : diags.front().message));
    } else {
      p.hardware = *hw;
    }
  }

  end = r.section("GRPH");
  p.graph = r.str("graph");
  r.endSection(end, "GRPH");

  end = r.section("NODE");
  uint64_t n = r.count("nodes", 36);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    Node node;
    node.name = r.str("node name");
    node.op = r.str("node op");
    node.layer = int32_t(r.u32("node layer"));
    node.sets = r.i64("node sets");
    node.size = r.i64("node size");
    p.nodes.push_back(std::move(node));
  }
  r.endSection(end, "NODE");

  end = r.section("WGHT");
  n = r.count("layers", 64);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    LayerWeights l;
    l.node = r.u32("layer node");
    l.rows = r.i64("layer rows");
    l.cols = r.i64("layer cols");
    l.groups = r.i64("layer groups");
    l.wbits = r.u32("layer wbits");
    l.abits = r.u32("layer abits");
    l.copies = r.i64("layer copies");
    l.crossbars = r.i64("layer crossbars");
    if (r.ok() &&
        (l.wbits < 1 || l.wbits > 16 || l.abits < 1 || l.abits > 16)) {
      r.fail("layer " + llvm::Twine(i) + ": bit widths out of range");
      break;
    }
    unsigned bytes = l.wbits <= 8 ? 1 : 2;
    uint64_t values = r.count("weights", bytes);
    if (r.ok() &&
        (l.rows <= 0 || l.cols <= 0 || l.groups <= 0 ||
         uint64_t(l.rows) * uint64_t(l.cols) * uint64_t(l.groups) != values)) {
      r.fail("layer " + llvm::Twine(i) + ": " + llvm::Twine(values) +
             " weights for a " + llvm::Twine(l.groups) + "x" +
             llvm::Twine(l.rows) + "x" + llvm::Twine(l.cols) + " matrix");
      break;
    }
    if (!r.need(values * bytes, "weights"))
      break;
    l.values.resize(values);
    const char *data = bytes == 1 ? r.bytes.data() + r.pos : nullptr;
    for (uint64_t k = 0; k < values; ++k) {
      if (bytes == 1) {
        l.values[k] = int8_t(data[k]);
      } else {
        uint16_t lo = uint8_t(r.bytes[r.pos + 2 * k]);
        uint16_t hi = uint8_t(r.bytes[r.pos + 2 * k + 1]);
        l.values[k] = int16_t(uint16_t(lo | (hi << 8)));
      }
    }
    r.pos += values * bytes;
    uint64_t scales = r.count("weight scales", 4);
    for (uint64_t k = 0; k < scales && r.ok(); ++k) {
      uint32_t bits = r.u32("weight scale");
      float f;
      std::memcpy(&f, &bits, 4);
      l.scales.push_back(f);
    }
    p.layers.push_back(std::move(l));
  }
  r.endSection(end, "WGHT");

  end = r.section("UNIT");
  n = r.count("units", 13);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    Unit u;
    uint8_t kind = r.u8("unit kind");
    if (r.ok() && kind > uint8_t(UnitKind::Buffer))
      r.fail("unknown unit kind " + llvm::Twine(unsigned(kind)));
    u.kind = UnitKind(kind);
    u.pe = r.u32("unit pe");
    u.node = r.u32("unit node");
    u.copy = r.u32("unit copy");
    p.units.push_back(u);
  }
  r.endSection(end, "UNIT");

  end = r.section("INST");
  n = r.count("instructions", 101);
  p.instructions.reserve(n);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    Instruction in;
    uint8_t opcode = r.u8("opcode");
    if (r.ok() && opcode > uint8_t(Opcode::Barrier))
      r.fail("instruction " + llvm::Twine(i) + ": unknown opcode " +
             llvm::Twine(unsigned(opcode)));
    in.opcode = Opcode(opcode);
    in.pe = r.u32("pe");
    in.node = r.u32("node");
    in.set = r.u32("set");
    in.copy = r.u32("copy");
    in.begin = r.i64("begin");
    in.end = r.i64("end");
    in.peer = r.u32("peer");
    in.latencyPs = r.u64("latency");
    uint32_t reservations = r.u32("reservation count");
    if (r.ok() && reservations > r.remaining() / 12)
      r.fail("reservation count exceeds the file");
    for (uint32_t k = 0; k < reservations && r.ok(); ++k) {
      Reservation res;
      res.unit = r.u32("unit");
      res.busyPs = r.u64("busy time");
      in.reservations.push_back(res);
    }
    uint32_t deps = r.u32("dependency count");
    if (r.ok() && deps > r.remaining() / 4)
      r.fail("dependency count exceeds the file");
    for (uint32_t k = 0; k < deps && r.ok(); ++k)
      in.deps.push_back(r.u32("dependency"));
    in.mvmSteps = r.i64("counters");
    in.adcConversions = r.i64("counters");
    in.digitalOps = r.i64("counters");
    in.bufferBytes = r.i64("counters");
    in.interconnectBytes = r.i64("counters");
    in.crossbarWrites = r.i64("counters");
    p.instructions.push_back(std::move(in));
  }
  r.endSection(end, "INST");

  end = r.section("END ");
  r.endSection(end, "END ");
  if (r.ok() && r.remaining())
    r.fail(llvm::Twine(r.remaining()) + " bytes after the last section");
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

std::string prog::verifyProgram(const Program &p) {
  auto fail = [](const llvm::Twine &message) { return message.str(); };
  if (p.instructions.size() > kMaxInstructions)
    return fail(llvm::Twine(p.instructions.size()) +
                " instructions, more than 2^22");
  int64_t pes = p.hardware.pes;
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    const Node &node = p.nodes[i];
    if (node.layer != -1 &&
        (node.layer < 0 || size_t(node.layer) >= p.layers.size()))
      return fail("node " + llvm::Twine(i) + " names layer " +
                  llvm::Twine(node.layer) + " of " +
                  llvm::Twine(p.layers.size()));
    if (node.sets < 1 || node.size < 0)
      return fail("node " + llvm::Twine(i) + ": bad set count or size");
  }
  for (size_t i = 0; i < p.layers.size(); ++i) {
    const LayerWeights &l = p.layers[i];
    if (l.node >= p.nodes.size() || p.nodes[l.node].layer != int32_t(i))
      return fail("layer " + llvm::Twine(i) + " names node " +
                  llvm::Twine(l.node) + ", which does not name it back");
    int64_t limit = l.wbits == 1 ? 1 : (int64_t(1) << (l.wbits - 1)) - 1;
    for (int32_t v : l.values)
      if (v < -limit || v > limit)
        return fail("layer " + llvm::Twine(i) + ": weight " + llvm::Twine(v) +
                    " outside the " + llvm::Twine(l.wbits) + "-bit range");
    if (l.copies < 1)
      return fail("layer " + llvm::Twine(i) + ": no copies");
    if (l.scales.size() != 1 && int64_t(l.scales.size()) != l.groups * l.cols)
      return fail("layer " + llvm::Twine(i) + ": " +
                  llvm::Twine(l.scales.size()) + " weight scales for " +
                  llvm::Twine(l.groups * l.cols) + " output channels");
    for (float f : l.scales)
      if (!(f > 0) || !std::isfinite(f))
        return fail("layer " + llvm::Twine(i) +
                    ": weight scales must be positive and finite");
  }
  for (size_t i = 0; i < p.units.size(); ++i) {
    const Unit &u = p.units[i];
    if (int64_t(u.pe) >= pes)
      return fail("unit " + llvm::Twine(i) + " on PE " + llvm::Twine(u.pe) +
                  ", the chip has " + llvm::Twine(pes));
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
      return fail("instruction " + llvm::Twine(i) + " (" +
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
    auto it = byNode.find(node);
    if (it == byNode.end()) {
      if (size == 0)
        continue;
      return fail("layer " + llvm::Twine(i) + " ('" + p.nodes[node].name +
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
          return fail("a write round of layer '" + p.nodes[node].name +
                      "' does not cover its invocations exactly once");
    } else {
      std::vector<std::pair<int64_t, int64_t>> all;
      for (auto &ranges : it->second)
        all.insert(all.end(), ranges.begin(), ranges.end());
      if (!check(all))
        return fail("the mvm instructions of layer '" + p.nodes[node].name +
                    "' do not cover its invocations exactly once");
    }
  }
  return {};
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
