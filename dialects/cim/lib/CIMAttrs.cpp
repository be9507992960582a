//===- CIMAttrs.cpp - Attributes of the cim dialect -----------------------===//

#include "cim/Dialect/CIM/CIMAttrs.h"
#include "cim/Dialect/CIM/CIMDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cmath>
#include <map>

using namespace mlir;
using namespace mlir::cim;

std::string mlir::cim::stringifyScheduleOption(ScheduleKind kind) {
  std::string text = stringifyScheduleKind(kind).str();
  std::replace(text.begin(), text.end(), '_', '-');
  return text;
}

std::optional<ScheduleKind> mlir::cim::parseScheduleOption(StringRef text) {
  for (uint32_t value = 0; value <= getMaxEnumValForScheduleKind(); ++value)
    if (std::optional<ScheduleKind> kind = symbolizeScheduleKind(value))
      if (stringifyScheduleOption(*kind) == text)
        return kind;
  return std::nullopt;
}

std::string mlir::cim::getScheduleOptionList() {
  std::string list;
  for (uint32_t value = 0; value <= getMaxEnumValForScheduleKind(); ++value)
    if (std::optional<ScheduleKind> kind = symbolizeScheduleKind(value))
      list += (list.empty() ? "" : " or ") + stringifyScheduleOption(*kind);
  return list;
}

#define GET_ATTRDEF_CLASSES
#include "cim/Dialect/CIM/CIMAttrs.cpp.inc"

void CIMDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "cim/Dialect/CIM/CIMAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// QuantAttr
//===----------------------------------------------------------------------===//

static constexpr unsigned kMaxBits = 16;

LogicalResult QuantAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                unsigned wbits, unsigned abits,
                                QuantScheme wscheme, QuantScheme ascheme,
                                QuantGranularity granularity,
                                DenseF32ArrayAttr wscale, DenseI32ArrayAttr wzp,
                                FloatAttr ascale, int32_t azp) {
  if (wbits < 1 || wbits > kMaxBits)
    return emitError() << "weight bits must be in [1, " << kMaxBits << "], got "
                       << wbits;
  if (abits < 1 || abits > kMaxBits)
    return emitError() << "activation bits must be in [1, " << kMaxBits
                       << "], got " << abits;
  if (wscale) {
    if (wscale.empty())
      return emitError() << "wscale must not be empty";
    if (granularity == QuantGranularity::PerTensor && wscale.size() != 1)
      return emitError() << "per_tensor quantization takes one weight scale, "
                            "got "
                         << wscale.size();
    for (float scale : wscale.asArrayRef())
      if (!(scale > 0.0f) || !std::isfinite(scale))
        return emitError() << "weight scales must be positive and finite, got "
                           << scale;
  }
  if (wzp) {
    if (!wscale || wzp.size() != wscale.size())
      return emitError() << "wzp needs one zero point per weight scale";
    if (wscheme == QuantScheme::Symmetric)
      for (int32_t zp : wzp.asArrayRef())
        if (zp != 0)
          return emitError()
                 << "symmetric weights have zero points of 0, got " << zp;
  }
  if (ascale) {
    double value = ascale.getValueAsDouble();
    if (!(value > 0.0) || !std::isfinite(value))
      return emitError() << "activation scale must be positive and finite, got "
                         << value;
  }
  if (ascheme == QuantScheme::Symmetric && azp != 0)
    return emitError() << "symmetric activations have a zero point of 0, got "
                       << azp;
  if (ascheme == QuantScheme::Asymmetric &&
      (azp < 0 || int64_t(azp) >= (int64_t(1) << abits)))
    return emitError() << "activation zero point " << azp
                       << " is outside the unsigned " << abits << "-bit range";
  return success();
}

QuantAttr QuantAttr::withBits(unsigned newWbits, unsigned newAbits) const {
  return QuantAttr::get(getContext(), newWbits, newAbits, getWscheme(),
                        getAscheme(), getGranularity(), getWscale(), getWzp(),
                        getAscale(), getAzp());
}

static int64_t rangeMin(QuantScheme scheme, unsigned bits) {
  // Symmetric ranges are narrow ([-(2^(b-1)-1), 2^(b-1)-1]) so that
  // negation is exact, which differential crossbar columns rely on.
  if (scheme == QuantScheme::Asymmetric)
    return 0;
  return bits == 1 ? -1 : -((int64_t(1) << (bits - 1)) - 1);
}

static int64_t rangeMax(QuantScheme scheme, unsigned bits) {
  if (scheme == QuantScheme::Asymmetric)
    return (int64_t(1) << bits) - 1;
  return bits == 1 ? 1 : (int64_t(1) << (bits - 1)) - 1;
}

int64_t QuantAttr::getWeightMin() const {
  return rangeMin(getWscheme(), getWbits());
}
int64_t QuantAttr::getWeightMax() const {
  return rangeMax(getWscheme(), getWbits());
}
int64_t QuantAttr::getActMin() const {
  return rangeMin(getAscheme(), getAbits());
}
int64_t QuantAttr::getActMax() const {
  return rangeMax(getAscheme(), getAbits());
}

//===----------------------------------------------------------------------===//
// TileAttr
//===----------------------------------------------------------------------===//

namespace {
/// The fields of a tile by their keyword, in printing order.
struct TileFields {
  int64_t pe = -1, xbar = -1, rowBegin = -1, rowEnd = -1, colBegin = -1,
          colEnd = -1, slice = -1, copy = 0, group = 0, atRow = 0, atCol = 0;
};
} // namespace

/// Parses `[a:b]` (a half-open range, as a Python slice) or `[a, b]`.
static ParseResult parseIntPair(AsmParser &parser, int64_t &a, int64_t &b,
                                bool range) {
  if (parser.parseLSquare() || parser.parseInteger(a) ||
      (range ? parser.parseColon() : parser.parseComma()) ||
      parser.parseInteger(b))
    return failure();
  return parser.parseRSquare();
}

Attribute TileAttr::parse(AsmParser &parser, Type) {
  TileFields f;
  llvm::StringSet<> seen;
  if (parser.parseLess())
    return {};
  do {
    SMLoc keyLoc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key) || parser.parseEqual())
      return {};
    if (!seen.insert(key).second) {
      parser.emitError(keyLoc) << "duplicate tile field '" << key << "'";
      return {};
    }
    ParseResult result = failure();
    if (key == "pe")
      result = parser.parseInteger(f.pe);
    else if (key == "xbar")
      result = parser.parseInteger(f.xbar);
    else if (key == "rows")
      result = parseIntPair(parser, f.rowBegin, f.rowEnd, /*range=*/true);
    else if (key == "cols")
      result = parseIntPair(parser, f.colBegin, f.colEnd, /*range=*/true);
    else if (key == "slice")
      result = parser.parseInteger(f.slice);
    else if (key == "copy")
      result = parser.parseInteger(f.copy);
    else if (key == "group")
      result = parser.parseInteger(f.group);
    else if (key == "at")
      result = parseIntPair(parser, f.atRow, f.atCol, /*range=*/false);
    else {
      parser.emitError(keyLoc)
          << "unknown tile field '" << key
          << "' (expected pe, xbar, rows, cols, slice, copy, group or at)";
      return {};
    }
    if (failed(result))
      return {};
  } while (succeeded(parser.parseOptionalComma()));
  if (parser.parseGreater())
    return {};
  for (StringRef required : {"pe", "xbar", "rows", "cols", "slice"})
    if (!seen.contains(required)) {
      parser.emitError(parser.getCurrentLocation())
          << "tile is missing the '" << required << "' field";
      return {};
    }
  return parser.getChecked<TileAttr>(
      parser.getContext(), f.pe, f.xbar, f.rowBegin, f.rowEnd, f.colBegin,
      f.colEnd, f.slice, f.copy, f.group, f.atRow, f.atCol);
}

void TileAttr::print(AsmPrinter &printer) const {
  printer << "<pe = " << getPe() << ", xbar = " << getXbar() << ", rows = ["
          << getRowBegin() << ":" << getRowEnd() << "], cols = ["
          << getColBegin() << ":" << getColEnd() << "], slice = " << getSlice();
  if (getCopy())
    printer << ", copy = " << getCopy();
  if (getGroup())
    printer << ", group = " << getGroup();
  if (getAtRow() || getAtCol())
    printer << ", at = [" << getAtRow() << ", " << getAtCol() << "]";
  printer << ">";
}

LogicalResult TileAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               int64_t pe, int64_t xbar, int64_t rowBegin,
                               int64_t rowEnd, int64_t colBegin, int64_t colEnd,
                               int64_t slice, int64_t copy, int64_t group,
                               int64_t atRow, int64_t atCol) {
  if (pe < 0 || xbar < 0)
    return emitError() << "tile pe and xbar must be non-negative";
  if (rowBegin < 0 || rowEnd <= rowBegin)
    return emitError() << "tile rows [" << rowBegin << ":" << rowEnd
                       << "] must be a non-empty range from 0 up";
  if (colBegin < 0 || colEnd <= colBegin)
    return emitError() << "tile cols [" << colBegin << ":" << colEnd
                       << "] must be a non-empty range from 0 up";
  if (slice < 0 || copy < 0 || group < 0)
    return emitError() << "tile slice, copy and group must be non-negative";
  if (atRow < 0 || atCol < 0)
    return emitError() << "tile position must be non-negative";
  return success();
}

//===----------------------------------------------------------------------===//
// MappingAttr
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<TileAttr>> cim::parseTileList(AsmParser &parser) {
  SmallVector<TileAttr> tiles;
  if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&]() {
        FailureOr<TileAttr> tile = FieldParser<TileAttr>::parse(parser);
        if (failed(tile))
          return failure();
        tiles.push_back(*tile);
        return success();
      }))
    return failure();
  return tiles;
}

void cim::printTileList(AsmPrinter &printer, ArrayRef<TileAttr> tiles) {
  printer << "[";
  llvm::interleaveComma(tiles, printer, [&](TileAttr tile) {
    printer.printStrippedAttrOrType(tile);
  });
  printer << "]";
}

static int64_t physicalRows(SignedMapping mapping, int64_t rows) {
  return mapping == SignedMapping::DifferentialRow ? 2 * rows : rows;
}

static int64_t physicalCols(SignedMapping mapping, int64_t cols) {
  return mapping == SignedMapping::DifferentialColumn ? 2 * cols : cols;
}

int64_t MappingAttr::getPhysicalRows(TileAttr tile) const {
  return physicalRows(getSignedMapping(), tile.getNumRows());
}

int64_t MappingAttr::getPhysicalCols(TileAttr tile) const {
  return physicalCols(getSignedMapping(), tile.getNumCols());
}

int64_t MappingAttr::getNumCrossbars() const {
  llvm::DenseSet<std::pair<int64_t, int64_t>> xbars;
  for (TileAttr tile : getTiles())
    xbars.insert({tile.getPe(), tile.getXbar()});
  return xbars.size();
}

LogicalResult MappingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  int64_t rows, int64_t cols, int64_t groups,
                                  int64_t slices, int64_t copies,
                                  SignedMapping mapping, int64_t xbarRows,
                                  int64_t xbarCols, ArrayRef<TileAttr> tiles) {
  if (rows < 1 || cols < 1 || groups < 1 || slices < 1 || copies < 1)
    return emitError() << "mapping rows, cols, groups, slices and copies must "
                          "be positive";
  if (xbarRows < 1 || xbarCols < 1)
    return emitError() << "crossbar geometry must be positive";
  // Under the offset mapping every crossbar keeps one reference column.
  int64_t usableCols =
      mapping == SignedMapping::Offset ? xbarCols - 1 : xbarCols;

  // Tiles of one (group, slice, copy) must partition the matrix; tiles on
  // one crossbar must not overlap.
  using Key = std::tuple<int64_t, int64_t, int64_t>;
  std::map<Key, SmallVector<TileAttr>> parts;
  std::map<std::pair<int64_t, int64_t>, SmallVector<TileAttr>> byXbar;
  for (auto [index, tile] : llvm::enumerate(tiles)) {
    if (tile.getRowEnd() > rows || tile.getColEnd() > cols)
      return emitError() << "tile " << index << " (rows [" << tile.getRowBegin()
                         << ":" << tile.getRowEnd() << "], cols ["
                         << tile.getColBegin() << ":" << tile.getColEnd()
                         << "]) exceeds the " << rows << "x" << cols
                         << " weight matrix";
    if (tile.getSlice() >= slices || tile.getCopy() >= copies ||
        tile.getGroup() >= groups)
      return emitError() << "tile " << index << " has slice/copy/group ("
                         << tile.getSlice() << "/" << tile.getCopy() << "/"
                         << tile.getGroup() << ") beyond the mapping's ("
                         << slices << "/" << copies << "/" << groups << ")";
    int64_t pr = physicalRows(mapping, tile.getNumRows());
    int64_t pc = physicalCols(mapping, tile.getNumCols());
    if (tile.getAtRow() + pr > xbarRows || tile.getAtCol() + pc > usableCols)
      return emitError() << "tile " << index << " needs " << pr << "x" << pc
                         << " cells at [" << tile.getAtRow() << ", "
                         << tile.getAtCol() << "] but the crossbar has "
                         << xbarRows << "x" << usableCols << " usable cells";
    parts[Key{tile.getGroup(), tile.getSlice(), tile.getCopy()}].push_back(
        tile);
    byXbar[{tile.getPe(), tile.getXbar()}].push_back(tile);
  }

  auto overlaps = [](int64_t a0, int64_t a1, int64_t b0, int64_t b1) {
    return a0 < b1 && b0 < a1;
  };
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t s = 0; s < slices; ++s)
      for (int64_t c = 0; c < copies; ++c) {
        auto it = parts.find(Key{g, s, c});
        int64_t area = 0;
        if (it != parts.end()) {
          ArrayRef<TileAttr> list = it->second;
          for (size_t i = 0; i < list.size(); ++i) {
            area += list[i].getNumRows() * list[i].getNumCols();
            for (size_t j = i + 1; j < list.size(); ++j)
              if (overlaps(list[i].getRowBegin(), list[i].getRowEnd(),
                           list[j].getRowBegin(), list[j].getRowEnd()) &&
                  overlaps(list[i].getColBegin(), list[i].getColEnd(),
                           list[j].getColBegin(), list[j].getColEnd()))
                return emitError()
                       << "tiles overlap in the weight matrix of group " << g
                       << ", slice " << s << ", copy " << c;
          }
        }
        if (area != rows * cols)
          return emitError()
                 << "tiles of group " << g << ", slice " << s << ", copy " << c
                 << " cover " << area << " of " << rows * cols << " weights";
      }

  // Under `of` a crossbar keeps one reference column per row block (the
  // tiles' distinct first rows), at its last columns: weights stay left of
  // them.
  if (mapping == SignedMapping::Offset)
    for (auto &[xbar, list] : byXbar) {
      llvm::SmallDenseSet<int64_t, 4> blocks;
      int64_t right = 0;
      for (TileAttr tile : list) {
        blocks.insert(tile.getAtRow());
        right = std::max(right, tile.getAtCol() +
                                    physicalCols(mapping, tile.getNumCols()));
      }
      if (right + int64_t(blocks.size()) > xbarCols)
        return emitError() << "crossbar " << xbar.second << " of PE "
                           << xbar.first << " holds " << blocks.size()
                           << " row blocks, whose reference columns need "
                           << blocks.size() << " of its " << xbarCols
                           << " columns, but its weights reach column "
                           << right;
    }
  for (auto &[xbar, list] : byXbar)
    for (size_t i = 0; i < list.size(); ++i)
      for (size_t j = i + 1; j < list.size(); ++j) {
        TileAttr a = list[i], b = list[j];
        if (overlaps(a.getAtRow(),
                     a.getAtRow() + physicalRows(mapping, a.getNumRows()),
                     b.getAtRow(),
                     b.getAtRow() + physicalRows(mapping, b.getNumRows())) &&
            overlaps(a.getAtCol(),
                     a.getAtCol() + physicalCols(mapping, a.getNumCols()),
                     b.getAtCol(),
                     b.getAtCol() + physicalCols(mapping, b.getNumCols())))
          return emitError() << "tiles overlap on crossbar " << xbar.second
                             << " of PE " << xbar.first;
      }
  return success();
}

//===----------------------------------------------------------------------===//
// ScheduleAttr
//===----------------------------------------------------------------------===//

LogicalResult ScheduleAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                   int64_t order, int64_t start, int64_t end,
                                   int64_t sets) {
  if (order < 0)
    return emitError() << "schedule order must be non-negative";
  if (start < 0 || end < start)
    return emitError() << "schedule needs 0 <= start <= end, got start "
                       << start << " and end " << end;
  if (sets < 1)
    return emitError() << "schedule sets must be positive, got " << sets;
  return success();
}
