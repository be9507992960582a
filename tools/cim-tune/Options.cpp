//===- Options.cpp - cim-tune's subcommands and options -------------------===//
//
// llvm::cl parses; this file adds the tool's one-line errors. A bad value is
// recorded by its parser, an unknown option lands in a sink and a stray
// argument in a positional list, so that cl reports nothing itself, and the
// first problem (arguments before values, in command-line order) becomes the
// line.
//
//===----------------------------------------------------------------------===//

#include "Options.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>

using namespace mlir::cim;
using namespace mlir::cim::tune;
namespace cl = llvm::cl;

void tune::fail(const std::string &line) {
  std::cerr << line << "\n";
  std::exit(1);
}

namespace {
/// The first bad value, reported when cl has seen every argument.
std::string &firstBadValue() {
  static std::string line;
  return line;
}

bool badValue(const cl::Option &option, const std::string &what,
              llvm::StringRef text) {
  if (firstBadValue().empty())
    firstBadValue() = "cim-tune: error: --" + option.ArgStr.str() +
                      " expects " + what + ", got '" + text.str() + "'";
  return true;
}
} // namespace

//===----------------------------------------------------------------------===//
// Value parsers
//===----------------------------------------------------------------------===//

bool CountParser::parse(cl::Option &option, llvm::StringRef,
                        llvm::StringRef text, long long &value) {
  std::string copy = text.str();
  char *end = nullptr;
  long long parsed = std::strtoll(copy.c_str(), &end, 10);
  if (copy.empty() || *end || parsed < min)
    return badValue(option,
                    min == 0 ? std::string("a non-negative integer")
                             : "an integer >= " + std::to_string(min),
                    text);
  value = parsed;
  return false;
}

bool NumberParser::parse(cl::Option &option, llvm::StringRef,
                         llvm::StringRef typed, double &value) {
  text = typed.str();
  char *end = nullptr;
  double parsed = std::strtod(text.c_str(), &end);
  if (text.empty() || *end || !std::isfinite(parsed) ||
      (ranged && (parsed < min || parsed > max))) {
    char range[64] = "";
    if (ranged)
      std::snprintf(range, sizeof range, " in [%g, %g]", min, max);
    return badValue(option, std::string("a number") + range, typed);
  }
  value = parsed;
  return false;
}

bool ListParser::parse(cl::Option &option, llvm::StringRef,
                       llvm::StringRef typed, std::vector<float> &value) {
  text = typed.str();
  value.clear();
  llvm::SmallVector<llvm::StringRef> items;
  typed.split(items, ',');
  if (typed.empty())
    items.clear();
  for (llvm::StringRef item : items) {
    std::string copy = item.str();
    char *end = nullptr;
    float parsed = std::strtof(copy.c_str(), &end);
    if (copy.empty() || *end || (positive && !(parsed > 0)))
      return badValue(option,
                      positive ? "comma-separated numbers > 0"
                               : "comma-separated numbers",
                      typed);
    value.push_back(parsed);
  }
  return false;
}

bool FlagParser::parse(cl::Option &option, llvm::StringRef,
                       llvm::StringRef text, bool &value) {
  if (text.data()) {
    if (firstBadValue().empty())
      firstBadValue() = "cim-tune: error: option '--" + option.ArgStr.str() +
                        "' takes no value";
    return true;
  }
  value = true;
  return false;
}

bool tune::reportBadName(const cl::Option &option, llvm::StringRef text,
                         const cl::generic_parser_base &names) {
  std::string list;
  unsigned count = names.getNumOptions();
  for (unsigned i = 0; i < count; ++i)
    list += (i == 0           ? ""
             : i + 1 == count ? " or "
                              : ", ") +
            names.getOption(i).str();
  return badValue(option, list, text);
}

bool tune::parseAugmentation(const std::string &list, Transform &t,
                             std::string &error) {
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item == "flip") {
      t.horizontalFlip = true;
    } else if (item.rfind("crop:", 0) == 0) {
      char *end = nullptr;
      long v = std::strtol(item.c_str() + 5, &end, 10);
      if (*end || v < 0 || item.size() == 5) {
        error = "cim-tune: error: --augment crop:N expects a pixel count, "
                "got '" +
                item + "'";
        return false;
      }
      t.cropPadding = v;
    } else if (item == "random-resized-crop") {
      t.randomResizedCrop = true;
    } else {
      error = "cim-tune: error: unknown augmentation '" + item +
              "' (expected crop:N, flip or random-resized-crop)";
      return false;
    }
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Enum names
//===----------------------------------------------------------------------===//

llvm::ArrayRef<std::pair<Optimizer, const char *>> tune::getOptimizerNames() {
  static const std::pair<Optimizer, const char *> names[] = {
      {Optimizer::Sgd, "sgd"}, {Optimizer::Adam, "adam"}};
  return names;
}

llvm::ArrayRef<std::pair<ProgressMode, const char *>> tune::getProgressNames() {
  static const std::pair<ProgressMode, const char *> names[] = {
      {ProgressMode::Auto, "auto"},
      {ProgressMode::Bar, "bar"},
      {ProgressMode::Plain, "plain"},
      {ProgressMode::None, "none"}};
  return names;
}

llvm::ArrayRef<std::pair<quant::Scheme, const char *>> tune::getSchemeNames() {
  // The dialect's spellings (CIMEnums.td), asymmetric first as the default.
  static const std::pair<quant::Scheme, const char *> names[] = {
      {quant::Scheme::Asymmetric,
       mlir::cim::stringifyQuantScheme(quant::Scheme::Asymmetric).data()},
      {quant::Scheme::Symmetric,
       mlir::cim::stringifyQuantScheme(quant::Scheme::Symmetric).data()}};
  return names;
}

llvm::ArrayRef<std::pair<quant::CalibrationMethod, const char *>>
tune::getCalibrationNames() {
  // The quantizer's names (quant::stringify), in its order.
  static const auto names = [] {
    std::vector<std::pair<quant::CalibrationMethod, const char *>> table;
    for (quant::CalibrationMethod method : quant::kCalibrationMethods)
      table.push_back({method, quant::stringify(method)});
    return table;
  }();
  return names;
}

llvm::ArrayRef<std::pair<Placement, const char *>> tune::getPlacementNames() {
  // The names are the cost model's own (stringify).
  static const std::pair<Placement, const char *> names[] = {
      {Placement::Packed, stringify(Placement::Packed).data()},
      {Placement::Spread, stringify(Placement::Spread).data()}};
  return names;
}

llvm::ArrayRef<std::pair<DistillLoss, const char *>>
tune::getDistillLossNames() {
  static const std::pair<DistillLoss, const char *> names[] = {
      {DistillLoss::Auto, stringify(DistillLoss::Auto)},
      {DistillLoss::Kl, stringify(DistillLoss::Kl)},
      {DistillLoss::Mse, stringify(DistillLoss::Mse)},
      {DistillLoss::Cosine, stringify(DistillLoss::Cosine)}};
  return names;
}

llvm::ArrayRef<std::pair<Metric, const char *>> tune::getMetricNames() {
  static const std::pair<Metric, const char *> names[] = {
      {Metric::Accuracy, stringify(Metric::Accuracy)},
      {Metric::Agreement, stringify(Metric::Agreement)},
      {Metric::Cosine, stringify(Metric::Cosine)}};
  return names;
}

llvm::ArrayRef<std::pair<FinetuneMode, const char *>>
tune::getFinetuneModeNames() {
  static const std::pair<FinetuneMode, const char *> names[] = {
      {FinetuneMode::Labels, stringify(FinetuneMode::Labels)},
      {FinetuneMode::Distill, stringify(FinetuneMode::Distill)},
      {FinetuneMode::None, stringify(FinetuneMode::None)},
      {FinetuneMode::Ptq, stringify(FinetuneMode::Ptq)}};
  return names;
}

//===----------------------------------------------------------------------===//
// The subcommands and the options of several
//===----------------------------------------------------------------------===//

cl::SubCommand &tune::getCommand(Command command) {
  // In the order of Command.
  static cl::SubCommand commands[] = {
      {"train",
       "train a float model: --model M.onnx --data D --epochs N -o OUT.onnx"},
      {"qat", "quantization-aware fine-tuning: --model M.onnx --data D "
              "(--wbits W --abits A | --bits POLICY) --epochs N -o OUT.onnx "
              "(QDQ)"},
      {"eval", "accuracy: --model M.onnx --data D [--wbits/--abits | --bits] "
               "[--reference] [--program PROG.cim] [--limit N] [--json F]"},
      {"export",
       "--model M.onnx -o OUT.onnx [--qdq (--wbits/--abits | --bits)]"},
      {"search", "mixed-precision search (DDPG) and baselines: --model "
                 "M.onnx --data D --hw HW --max-drop PCT --episodes N "
                 "--seed S -o POLICY.json [--json SUMMARY.json] "
                 "(docs/search.md)"},
      {"check", "whether cim-tune can train a model: --model M.onnx "
                "[--input-shape NAME=DIMS] (float forward against the "
                "reference executor, one backward pass, the layers)"},
      {"ptq", "post-training quantization (GPTQ, bias correction, range "
              "search): --model M.onnx --data D (--wbits W --abits A | "
              "--bits POLICY) -o OUT.onnx (QDQ) [--policy-out P.json]"}};
  return commands[size_t(command)];
}

static const Command kCommands[] = {
    Command::Train,  Command::Qat,   Command::Eval, Command::Export,
    Command::Search, Command::Check, Command::Ptq};

std::optional<Command> tune::getChosenCommand() {
  for (Command command : kCommands)
    if (getCommand(command))
      return command;
  return std::nullopt;
}

cl::OptionCategory &tune::getToolCategory() {
  static cl::OptionCategory category("cim-tune options");
  return category;
}

namespace {
const Of everyCommand = {Command::Train,  Command::Qat,    Command::Eval,
                         Command::Export, Command::Search, Command::Check,
                         Command::Ptq};

/// Where the arguments that are no option of the command go.
cl::list<std::string> unknownOptions(cl::Sink, everyCommand, cl::ReallyHidden);
cl::list<std::string> strayArguments(cl::Positional, everyCommand,
                                     cl::ReallyHidden);
} // namespace

TextOption tune::modelPath("model", cl::desc("the ONNX model"),
                           cl::value_desc("M.onnx"), everyCommand);
TextOption tune::dataName(
    "data",
    cl::desc("fashion-mnist (default), mnist, cifar10, a directory of idx "
             "files, or a data folder or tensor file (.pb, .npy, input_N "
             "folders, image folders; docs/tune.md)"),
    cl::value_desc("NAME"), cl::init("fashion-mnist"), everyCommand);
TextOption tune::dataDir("data-dir", cl::desc("where the data set lies"),
                         cl::value_desc("DIR"), everyCommand);
ListOption tune::meanOption("mean",
                            cl::desc("input normalization after /255: the "
                                     "mean (per channel)"),
                            everyCommand);
ListOption tune::stdOption("std",
                           cl::desc("input normalization after /255: the "
                                    "standard deviation (per channel)"),
                           Positive(), everyCommand);
CountOption tune::resizeOption(
    "resize",
    cl::desc("image folders: the shorter side before the center crop to the "
             "model input's size (default: the larger of its height and "
             "width)"),
    cl::init(0), everyCommand);
CountOption tune::limitOption(
    "limit",
    cl::desc("the first N test images (eval, search, ptq) or training "
             "images (train, qat); 0: all"),
    cl::init(0),
    Of{Command::Train, Command::Qat, Command::Eval, Command::Search,
       Command::Ptq});
CountOption tune::seedOption("seed",
                             cl::desc("shuffling, augmentation and search "
                                      "seed"),
                             cl::init(1),
                             Of{Command::Train, Command::Qat, Command::Search,
                                Command::Check});
CountOption tune::threadsOption(
    "threads",
    cl::desc("LibTorch and OpenBLAS threads, and the threads reading a "
             "data folder's samples (default 0: one per core)"),
    cl::init(0),
    Of{Command::Train, Command::Qat, Command::Eval, Command::Export,
       Command::Check, Command::Ptq});
TextOption tune::outputPath("o", cl::desc("the output file"),
                            cl::value_desc("OUT"),
                            Of{Command::Train, Command::Qat, Command::Export,
                               Command::Search, Command::Ptq});
TextOption tune::jsonPath("json",
                          cl::desc("a JSON file of the results (eval: "
                                   "accuracy and agreements; search: the "
                                   "summary)"),
                          cl::value_desc("FILE"),
                          Of{Command::Eval, Command::Search});
TextOption tune::checkpointPath(
    "checkpoint",
    cl::desc("resumed when present (default: the output's name + .ckpt)"),
    cl::value_desc("FILE"), Of{Command::Train, Command::Qat, Command::Search});

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

static const char *const kCommandList =
    "train, qat, eval, export, search, check or ptq";

void tune::parseCommandLine(int argc, char **argv) {
  std::vector<cl::SubCommand *> commands;
  for (Command command : kCommands)
    commands.push_back(&getCommand(command));
  if (argc < 2)
    fail(std::string("cim-tune: error: missing command (") + kCommandList +
         "); see cim-tune --help");
  llvm::StringRef first = argv[1];
  bool help = first == "--help" || first == "-h" || first == "--help-hidden" ||
              first == "--help-list";
  if (!help && llvm::none_of(commands, [&](cl::SubCommand *command) {
        return command->getName() == first;
      }))
    fail("cim-tune: error: unknown command '" + first.str() + "' (expected " +
         kCommandList + ")");
  cl::HideUnrelatedOptions(getToolCategory());
  for (cl::SubCommand *command : commands)
    cl::HideUnrelatedOptions(getToolCategory(), *command);

  // What cl is given: long options take two dashes (so that "--hw" is no
  // "-h" and "w"), "-o" is the one that takes one, and any other single
  // dash goes to the sink whole (cl would read "-hx" as "-h -x"). cl
  // reports a missing value itself (to stderr, in its own words): the same
  // walk finds an option that takes a value and has none.
  cl::SubCommand *chosen = nullptr;
  for (cl::SubCommand *command : commands)
    if (command->getName() == first)
      chosen = command;
  std::vector<std::string> spelled(argv, argv + argc);
  if (first == "-h")
    spelled[1] = "--help";
  for (int i = 2; chosen && i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    if (!arg.startswith("-") || arg == "-")
      continue; // a stray argument
    bool output = arg == "-o" || arg.startswith("-o=");
    if (output)
      spelled[size_t(i)].insert(0, "-");
    else if (!arg.startswith("--") && arg.size() > 2)
      spelled[size_t(i)].insert(0, "--?"); // no option's name
    if (arg.contains('=') || (!output && !arg.startswith("--")))
      continue;
    llvm::StringMap<cl::Option *> &options = cl::getRegisteredOptions(*chosen);
    auto it = options.find(arg.ltrim('-'));
    if (it == options.end() ||
        it->second->getValueExpectedFlag() != cl::ValueRequired)
      continue;
    if (i + 1 == argc)
      fail("cim-tune: error: option '" + arg.str() + "' needs a value");
    ++i; // its value, as typed
  }
  std::vector<const char *> args;
  for (const std::string &arg : spelled)
    args.push_back(arg.c_str());
  std::string messages;
  llvm::raw_string_ostream errors(messages);
  bool parsed = cl::ParseCommandLineOptions(
      argc, args.data(),
      "cim-tune: training, quantization-aware training and the bit-width "
      "search with the compiler's quantizer (docs/tune.md, docs/search.md)\n",
      &errors, /*EnvVar=*/nullptr, /*LongOptionsUseDoubleDash=*/true);

  // Arguments that are no option of the command, in command-line order.
  std::map<unsigned, std::string> misplaced;
  for (unsigned i = 0; i < unknownOptions.size(); ++i) {
    // As typed.
    llvm::StringRef arg = argv[unknownOptions.getPosition(i)];
    llvm::StringRef name = arg.ltrim('-').split('=').first;
    bool elsewhere = llvm::any_of(commands, [&](cl::SubCommand *command) {
      return command != chosen &&
             cl::getRegisteredOptions(*command).count(name);
    });
    misplaced[unknownOptions.getPosition(i)] =
        elsewhere && arg.startswith("--")
            ? "cim-tune: error: option '--" + name.str() +
                  "' does not apply to '" + first.str() + "'"
            : "cim-tune: error: unknown option '" + arg.str() + "'";
  }
  for (unsigned i = 0; i < strayArguments.size(); ++i)
    misplaced[strayArguments.getPosition(i)] =
        "cim-tune: error: unexpected argument '" + strayArguments[i] + "'";
  if (!misplaced.empty())
    fail(misplaced.begin()->second);
  if (!firstBadValue().empty())
    fail(firstBadValue());
  if (!parsed) {
    // Anything else cl found (a response file it cannot read): its first
    // line.
    llvm::StringRef line = llvm::StringRef(errors.str()).split('\n').first;
    line.consume_front("cim-tune: ");
    fail("cim-tune: error: " + line.str());
  }
}
