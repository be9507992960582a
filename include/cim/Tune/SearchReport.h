//===- SearchReport.h - What a bit-width search reports ---------*- C++ -*-===//
//
// Library CIMTune, `cim-tune search` (docs/search.md): the summary JSON of
// a search result, every evaluated policy as a Pareto CSV, and the Pareto
// plot as a self-contained SVG. Plain C++; the same result gives the same
// bytes.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TUNE_SEARCHREPORT_H
#define CIM_TUNE_SEARCHREPORT_H

#include "cim/Tune/Search.h"

#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace tune {

/// The summary JSON, the Pareto CSV and SVG of a result.
std::string formatSummaryJson(const SearchResult &result,
                              const SearchOptions &options,
                              const std::string &model);
std::string formatParetoCsv(const SearchResult &result);
std::string formatParetoSvg(const SearchResult &result,
                            const std::string &title);
/// Indices into result.history on the Pareto front (lower latency, higher
/// accuracy), by latency.
std::vector<size_t> getParetoFront(const std::vector<EvaluatedPolicy> &all);

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_TUNE_SEARCHREPORT_H
