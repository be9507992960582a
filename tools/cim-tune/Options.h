//===- Options.h - cim-tune's subcommands and options -----------*- C++ -*-===//
//
// The command line of cim-tune on llvm::cl: one cl::SubCommand per command
// (train, qat, eval, export, search, check, ptq) and their options. Values are
// read the way the commands document them (integers and numbers in base 10,
// lists of comma-separated numbers, names from one table per enum), and every
// bad argument is reported as one line "cim-tune: error: ..." with exit status
// 1, as every other error of the tool.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TOOLS_CIM_TUNE_OPTIONS_H
#define CIM_TOOLS_CIM_TUNE_OPTIONS_H

#include "cim/Analysis/CostModel.h"
#include "cim/Quant/Observer.h"
#include "cim/Quant/Quantizer.h"
#include "cim/Tune/Metrics.h"
#include "cim/Tune/Network.h"
#include "cim/Tune/SearchEval.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/CommandLine.h"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace tune {

/// Prints `line` to stderr and exits with status 1.
[[noreturn]] void fail(const std::string &line);

//===----------------------------------------------------------------------===//
// Value parsers
//===----------------------------------------------------------------------===//

/// An integer in base 10, at least `min` (modifier AtLeast).
class CountParser : public llvm::cl::parser<long long> {
public:
  using parser::parser;
  bool parse(llvm::cl::Option &option, llvm::StringRef name,
             llvm::StringRef text, long long &value);
  llvm::StringRef getValueName() const override { return "n"; }
  int64_t min = 0;
};

/// A finite number, within [min, max] when given (modifier InRange). The
/// text as typed stays available (the search's checkpoint fingerprint holds
/// some numbers as typed).
class NumberParser : public llvm::cl::parser<double> {
public:
  using parser::parser;
  bool parse(llvm::cl::Option &option, llvm::StringRef name,
             llvm::StringRef text, double &value);
  const std::string &getText() const { return text; }
  bool ranged = false;
  double min = 0, max = 0;

private:
  std::string text;
};

/// Comma-separated numbers, each > 0 with the modifier Positive.
class ListParser : public llvm::cl::basic_parser<std::vector<float>> {
public:
  using basic_parser::basic_parser;
  bool parse(llvm::cl::Option &option, llvm::StringRef name,
             llvm::StringRef text, std::vector<float> &value);
  llvm::StringRef getValueName() const override { return "x[,y,z]"; }
  const std::string &getText() const { return text; }
  bool positive = false;

private:
  std::string text;
};

/// An option without a value ("--quiet"; "--quiet=..." is an error).
class FlagParser : public llvm::cl::parser<bool> {
public:
  using parser::parser;
  bool parse(llvm::cl::Option &option, llvm::StringRef name,
             llvm::StringRef text, bool &value);
};

/// One of the names of an enum's table (modifier Names); a bad one is
/// reported with every name.
template <typename Enum> class EnumParser : public llvm::cl::parser<Enum> {
public:
  using llvm::cl::parser<Enum>::parser;
  bool parse(llvm::cl::Option &option, llvm::StringRef name,
             llvm::StringRef text, Enum &value) {
    for (unsigned i = 0, e = this->getNumOptions(); i != e; ++i)
      if (this->getOption(i) == text) {
        value = this->Values[i].V.getValue();
        return false;
      }
    return reportBadName(option, text, *this);
  }
  /// The name of `value` in the table.
  llvm::StringRef getName(Enum value) const {
    for (unsigned i = 0, e = this->getNumOptions(); i != e; ++i)
      if (this->Values[i].V.getValue() == value)
        return this->getOption(i);
    return "";
  }
};

/// Records "--NAME expects A, B or C, got 'TEXT'".
bool reportBadName(const llvm::cl::Option &option, llvm::StringRef text,
                   const llvm::cl::generic_parser_base &names);

using CountOption = llvm::cl::opt<int64_t, false, CountParser>;
using NumberOption = llvm::cl::opt<double, false, NumberParser>;
using ListOption = llvm::cl::opt<std::vector<float>, false, ListParser>;
using FlagOption = llvm::cl::opt<bool, false, FlagParser>;
using TextOption = llvm::cl::opt<std::string>;
template <typename Enum>
using EnumOption = llvm::cl::opt<Enum, false, EnumParser<Enum>>;

/// Modifiers of the parsers above.
struct AtLeast {
  int64_t min;
  void apply(CountOption &option) const { option.getParser().min = min; }
};
struct InRange {
  double min, max;
  void apply(NumberOption &option) const {
    option.getParser().ranged = true;
    option.getParser().min = min;
    option.getParser().max = max;
  }
};
struct Positive {
  void apply(ListOption &option) const { option.getParser().positive = true; }
};
/// An enum's names: cl::values built from its one table.
template <typename Enum> struct Names {
  llvm::ArrayRef<std::pair<Enum, const char *>> table;
  void apply(EnumOption<Enum> &option) const {
    for (const auto &[value, name] : table)
      option.getParser().addLiteralOption(name, value, "");
  }
};

/// `--augment crop:N,flip` into `t`; false with a one-line error.
bool parseAugmentation(const std::string &list, Transform &t,
                       std::string &error);

//===----------------------------------------------------------------------===//
// Enums named on the command line
//===----------------------------------------------------------------------===//

/// --progress.
enum class ProgressMode { Auto, Bar, Plain, None };

/// The one table of names of each enum an option takes.
llvm::ArrayRef<std::pair<Optimizer, const char *>> getOptimizerNames();
llvm::ArrayRef<std::pair<ProgressMode, const char *>> getProgressNames();
llvm::ArrayRef<std::pair<quant::Scheme, const char *>> getSchemeNames();
llvm::ArrayRef<std::pair<quant::CalibrationMethod, const char *>>
getCalibrationNames();
llvm::ArrayRef<std::pair<Placement, const char *>> getPlacementNames();
llvm::ArrayRef<std::pair<DistillLoss, const char *>> getDistillLossNames();
llvm::ArrayRef<std::pair<Metric, const char *>> getMetricNames();
llvm::ArrayRef<std::pair<FinetuneMode, const char *>> getFinetuneModeNames();

//===----------------------------------------------------------------------===//
// The subcommands
//===----------------------------------------------------------------------===//

/// The commands.
enum class Command { Train, Qat, Eval, Export, Search, Check, Ptq };

/// A command's cl::SubCommand.
llvm::cl::SubCommand &getCommand(Command command);

/// The command on the command line (after parseCommandLine).
std::optional<Command> getChosenCommand();

/// The options' category (--help shows no other).
llvm::cl::OptionCategory &getToolCategory();

/// The modifier that puts an option in the subcommands of `commands` and in
/// the tool's category.
struct Of {
  Of(std::initializer_list<Command> commands) : commands(commands) {}
  template <class Opt> void apply(Opt &option) const {
    for (Command command : commands)
      option.addSubCommand(getCommand(command));
    option.addCategory(getToolCategory());
  }
  std::vector<Command> commands;
};

/// Options of several commands (each command's own are defined beside it).
extern TextOption modelPath, dataName, dataDir, outputPath, jsonPath,
    checkpointPath;
extern ListOption meanOption, stdOption;
extern CountOption limitOption, seedOption, threadsOption, resizeOption;

/// Parses the command line into the options of the subcommands (each
/// defined beside the command that reads it). Exits with status 1 and one
/// line for a missing or unknown command, an option unknown or of another
/// command, an argument that is not an option, an option without its value
/// and a bad value; with status 0 after --help.
void parseCommandLine(int argc, char **argv);

} // namespace tune
} // namespace cim
} // namespace mlir

namespace llvm {
namespace cl {
/// --print-options for a list: its name (cl prints the values of its own
/// parsers only).
template <> struct OptionDiffPrinter<std::vector<float>, std::vector<float>> {
  void print(const Option &option,
             const basic_parser<std::vector<float>> &parser,
             const std::vector<float> &,
             const OptionValue<std::vector<float>> &, size_t width) {
    parser.printOptionNoValue(option, width);
  }
};
} // namespace cl
} // namespace llvm

#endif // CIM_TOOLS_CIM_TUNE_OPTIONS_H
