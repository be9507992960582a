//===- Space.h - A design space for cim-dse ---------------------*- C++ -*-===//
//
// Library CIMExplore (docs/dse.md): the design space a co-design search
// explores, read from YAML with located errors. A point of the space is one
// network (a model at its bit widths, with the accuracy its user measured)
// on one chip (the base hardware description with one value chosen for
// every hardware axis). Plain C++ on LLVM Support.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_EXPLORE_SPACE_H
#define CIM_EXPLORE_SPACE_H

#include "cim/Hardware/Hardware.h"
#include "cim/Support/YamlDocument.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace dse {

/// A network of the space: an ONNX model compiled at uniform widths or with
/// a policy file.
struct Network {
  /// Unique within the space; when not given, the model's name and its
  /// widths or policy ("resnet20-fmnist w8a8").
  std::string name;
  /// Paths as given, resolved against the space file's directory.
  std::string model, policy;
  unsigned wbits = 8, abits = 8;
  /// Whether wbits or abits were given; without them and without a policy
  /// a QDQ model compiles at its own widths (as cimc does).
  bool givenWidths = false;
  /// The accuracy the user measured (0..1), when given.
  std::optional<double> accuracy;
};

/// A hardware field and the values (as YAML text) it may take.
struct Axis {
  std::string field;
  std::vector<std::string> values;
};

enum class Objective { Latency, Energy, Area, Accuracy };
llvm::StringRef stringify(Objective objective);

struct Space {
  /// The base hardware description (a preset or a file), loaded.
  std::string hardwareName;
  hw::HardwareDescription base;
  std::vector<Network> networks;
  std::vector<Axis> axes;
  std::vector<Objective> objectives;
  /// Constraints: at most this area, at least this accuracy (0: none).
  double maxAreaMm2 = 0, minAccuracy = 0;
  /// Only chips whose ADCs read column sums exactly
  /// (HardwareDescription::getExactAdcBits), so that the networks'
  /// accuracies hold on them (`constraints.exact_adc`; default: true when
  /// accuracy is an objective or a constraint).
  bool exactAdc = false;
  /// "nsga2" or "grid" (every point).
  std::string algorithm = "nsga2";
  unsigned population = 32, generations = 10;
  uint64_t seed = 1;

  /// Points in the space: networks times the product of the axes' sizes
  /// (saturates at UINT64_MAX).
  uint64_t getNumPoints() const;
};

/// A point: the network's index and one value index per axis.
struct Point {
  size_t network = 0;
  std::vector<size_t> values;
  bool operator<(const Point &other) const {
    return network != other.network ? network < other.network
                                    : values < other.values;
  }
  bool operator==(const Point &other) const {
    return network == other.network && values == other.values;
  }
};

/// Parses a design space; `fileName` names it in errors and its directory
/// resolves the relative paths in it. Every problem gets one located
/// line: an unknown key, an empty list, a field the hardware description
/// does not have, a value it cannot take, a network without a model.
std::optional<Space> parseSpace(llvm::StringRef text, llvm::StringRef fileName,
                                std::vector<LocatedError> &errors);
std::optional<Space> loadSpace(llvm::StringRef path,
                               std::vector<LocatedError> &errors);

/// The point's chip: the base description with the point's values; a
/// converter whose resolution changes scales its area by 2 per bit (unless
/// the space sets its area too). Returns the validation problems as
/// "path: message" lines (empty: the chip is valid).
std::vector<std::string> buildHardware(const Space &space, const Point &point,
                                       hw::HardwareDescription &out);

} // namespace dse
} // namespace cim
} // namespace mlir

#endif // CIM_EXPLORE_SPACE_H
