//===- SearchLatency.cpp - The compiler's latency of a bit-width policy ---===//
//
// The only translation unit of the search that includes MLIR: the model is
// imported once; every policy compiles a clone of it through cimc's
// pipeline (CIM::Compiler, up to cim-schedule) with the policy file cimc
// would read, and the schedule's cim.latency_cycles is the latency.
//
//===----------------------------------------------------------------------===//

#include "cim/Tune/SearchLatency.h"
#include "cim/Analysis/ModuleCost.h"
#include "cim/Compiler/Compiler.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <mutex>
#include <set>
#include <unistd.h>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::tune;

/// A context with the compiler's dialects, without pass threads (each
/// compilation has its own context).
static void setUpContext(MLIRContext &context) {
  DialectRegistry registry;
  registerCompilerDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  context.disableMultithreading();
}

struct LatencyModel::Impl {
  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  std::string path, modelName, hardware;
  Placement placement = Placement::Packed;
  hw::HardwareDescription hw;
  std::vector<LayerShape> shapes;
  /// Whether each layer is a product of two activations (no crossbars).
  std::vector<bool> products;
  std::vector<SearchLayer> layers;
  std::string policyPath;
  mutable std::mutex mutex;
  std::map<std::string, uint64_t> cache;
  std::string diagnostics;

  Impl() { setUpContext(context); }
  ~Impl() {
    if (!policyPath.empty())
      llvm::sys::fs::remove(policyPath);
  }
};

LatencyModel::LatencyModel() : impl(std::make_unique<Impl>()) {}
LatencyModel::~LatencyModel() = default;

std::unique_ptr<LatencyModel> LatencyModel::create(const std::string &path,
                                                   const std::string &hardware,
                                                   std::string &error,
                                                   Placement placement) {
  std::unique_ptr<LatencyModel> model(new LatencyModel());
  Impl &impl = *model->impl;
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&impl.context, [&](Diagnostic &diag) {
    if (diag.getSeverity() != DiagnosticSeverity::Error)
      return success();
    std::string where = path;
    if (auto file = diag.getLocation().dyn_cast<FileLineColLoc>())
      if (!file.getFilename().getValue().empty())
        where = file.getFilename().str();
    diagnostics +=
        (diagnostics.empty() ? "" : "\n") + where + ": error: " + diag.str();
    return success();
  });
  auto failWith = [&](const std::string &fallback) {
    error = diagnostics.empty() ? fallback : diagnostics;
    return nullptr;
  };
  impl.module = importOnnxFile(path, &impl.context);
  if (!impl.module)
    return failWith(path + ": error: cannot load the model");
  impl.path = path;
  impl.modelName = llvm::sys::path::filename(path).str();
  impl.hardware = hardware;
  impl.placement = placement;

  // The layers as the compiler quantizes them (W8A8).
  CompileOptions options;
  options.hardware = hardware;
  options.stopAfter = CompileStage::Quant;
  FailureOr<CompileResult> quantized =
      compileModule(impl.module->clone(), impl.modelName, options);
  if (failed(quantized))
    return failWith(path + ": error: cannot compile the model");
  ModuleOp module = *quantized->module;
  FailureOr<hw::HardwareDescription> desc = loadHardwareFor(module, hardware);
  if (failed(desc))
    return failWith(hardware + ": error: cannot load the hardware");
  impl.hw = *desc;
  // Every layer with its own widths, in graph order (the policy's index):
  // the crossbar layers and the products of two activations, which run on
  // the digital units and take no crossbars.
  SmallVector<LayerOpInterface> ops;
  module.walk([&](LayerOpInterface layer) {
    if (isQuantizedLayer(layer))
      ops.push_back(layer);
  });
  for (LayerOpInterface op : ops)
    impl.products.push_back(!hasConstantWeight(op));
  FailureOr<std::vector<LayerShape>> shapes = getLayerShapes(ops);
  if (failed(shapes))
    return failWith(path + ": error: cannot read the layers");
  if (shapes->empty()) {
    error = path + ": error: the model has no weight-bearing layer to search";
    return nullptr;
  }
  impl.shapes = *shapes;
  for (auto [op, shape] : llvm::zip(ops, impl.shapes)) {
    SearchLayer layer;
    layer.name = op.getLayerName().str();
    layer.rows = shape.rows;
    layer.cols = shape.cols;
    layer.groups = shape.groups;
    layer.invocations = shape.invocations;
    impl.layers.push_back(layer);
  }
  for (size_t i = 0; i < impl.layers.size(); ++i)
    impl.layers[i].crossbarsAtW8 = model->layerCrossbars(i, 8);

  // One policy file, rewritten for every compilation (under the mutex).
  SmallString<128> temp;
  int fd;
  if (llvm::sys::fs::createTemporaryFile("cim-tune-search", "json", fd, temp)) {
    error = "cim-tune: error: cannot create a temporary policy file";
    return nullptr;
  }
  ::close(fd);
  impl.policyPath = temp.str().str();
  return model;
}

std::string LatencyModel::getCostFingerprint() const {
  uint64_t hash = llvm::xxHash64(hw::printHardwareDescription(impl->hw));
  return "cost=" + std::to_string(kCostModelVersion) + "," +
         llvm::utohexstr(hash, /*LowerCase=*/true);
}

const std::vector<SearchLayer> &LatencyModel::getLayers() const {
  return impl->layers;
}
const std::string &LatencyModel::getHardwareName() const {
  return impl->hw.name;
}
Placement LatencyModel::getPlacement() const { return impl->placement; }
unsigned LatencyModel::getCellBits() const { return impl->hw.cellBits; }
int64_t LatencyModel::getChipCrossbars() const {
  return impl->hw.getNumCrossbars();
}

int64_t LatencyModel::layerCrossbars(size_t i, unsigned wbits) const {
  if (impl->products[i])
    return 0;
  LayerShape shape = impl->shapes[i];
  shape.wbits = wbits;
  return computeFootprint(shape, impl->hw).crossbarsPerCopy;
}

int64_t
LatencyModel::crossbarsNeeded(const std::vector<unsigned> &wbits) const {
  int64_t total = 0;
  for (size_t i = 0; i < impl->shapes.size(); ++i)
    total += layerCrossbars(i, wbits[i]);
  return total;
}

bool LatencyModel::fits(const std::vector<unsigned> &wbits) const {
  return chooseExecutionMode(impl->hw, crossbarsNeeded(wbits)).has_value();
}

/// Compiles `policy` through `policyPath` (a file of the caller's own):
/// the latency, or nothing with `error` set.
static std::optional<uint64_t>
compileLatency(const std::string &modelPath, const std::string &modelName,
               const std::string &hardware, Placement placement,
               const std::vector<SearchLayer> &layers, const BitPolicy &policy,
               const std::string &policyPath, std::string &error) {
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(policyPath, ec);
    if (ec) {
      error = policyPath + ": error: " + ec.message();
      return std::nullopt;
    }
    os << formatPolicyJson(layers, policy);
  }
  // A fresh context per compilation: the attributes a compilation creates
  // (tiles, placements, schedules) stay in their context for its lifetime,
  // and in one shared context a ResNet-20 search on rram-tiled grew by
  // about 2 GB a minute. Importing the model again costs milliseconds.
  MLIRContext context;
  setUpContext(context);
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error)
      diagnostics += (diagnostics.empty() ? "" : "; ") + diag.str();
    return success();
  });
  CompileOptions options;
  options.hardware = hardware;
  options.placement = placement;
  options.policy = policyPath;
  options.stopAfter = CompileStage::Schedule;
  OwningOpRef<ModuleOp> module = importOnnxFile(modelPath, &context);
  FailureOr<CompileResult> result = failure();
  if (module)
    result = compileModule(std::move(module), modelName, options);
  IntegerAttr cycles;
  if (succeeded(result))
    cycles =
        (*result->module)->getAttrOfType<IntegerAttr>("cim.latency_cycles");
  if (!cycles) {
    error = "cim-tune: error: the compiler rejects the policy " + policy.key() +
            (diagnostics.empty() ? "" : ": " + diagnostics);
    return std::nullopt;
  }
  return cycles.getValue().getZExtValue();
}

std::optional<uint64_t> LatencyModel::getLatency(const BitPolicy &policy,
                                                 std::string &error) {
  std::lock_guard<std::mutex> lock(impl->mutex);
  std::string key = policy.key();
  auto cached = impl->cache.find(key);
  if (cached != impl->cache.end())
    return cached->second;
  std::optional<uint64_t> latency = compileLatency(
      impl->path, impl->modelName, impl->hardware, impl->placement,
      impl->layers, policy, impl->policyPath, error);
  if (latency)
    impl->cache[key] = *latency;
  return latency;
}

void LatencyModel::prefetch(const std::vector<BitPolicy> &policies,
                            int threads) {
  std::vector<const BitPolicy *> missing;
  {
    std::lock_guard<std::mutex> lock(impl->mutex);
    std::set<std::string> seen;
    for (const BitPolicy &p : policies) {
      std::string key = p.key();
      if (!impl->cache.count(key) && seen.insert(key).second)
        missing.push_back(&p);
    }
  }
  int workers = std::min<int>(threads, int(missing.size()));
  if (workers <= 1)
    return; // getLatency compiles them one by one anyway
  // One task per policy, each with its own policy file and context.
  auto work = [&](const BitPolicy *policy) {
    SmallString<128> file;
    int fd;
    if (llvm::sys::fs::createTemporaryFile("cim-tune-search", "json", fd, file))
      return;
    ::close(fd);
    std::string error;
    std::optional<uint64_t> latency = compileLatency(
        impl->path, impl->modelName, impl->hardware, impl->placement,
        impl->layers, *policy, file.str().str(), error);
    llvm::sys::fs::remove(file);
    if (!latency)
      return;
    std::lock_guard<std::mutex> lock(impl->mutex);
    impl->cache[policy->key()] = *latency;
  };
  llvm::ThreadPool pool(llvm::hardware_concurrency(unsigned(workers)));
  for (const BitPolicy *policy : missing)
    pool.async(work, policy);
  pool.wait();
}

std::map<std::string, uint64_t> LatencyModel::getCache() const {
  std::lock_guard<std::mutex> lock(impl->mutex);
  return impl->cache;
}

void LatencyModel::setCache(const std::map<std::string, uint64_t> &cache) {
  std::lock_guard<std::mutex> lock(impl->mutex);
  impl->cache = cache;
}
