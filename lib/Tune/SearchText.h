//===- SearchText.h - Numbers and widths as the search prints them -*- C++
//-*-===//
//
// Private to CIMTune: the number and width formats shared by the search's
// progress lines and its report files.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_TUNE_SEARCHTEXT_H
#define CIM_LIB_TUNE_SEARCHTEXT_H

#include <string>
#include <vector>

namespace mlir {
namespace cim {
namespace tune {

/// `v` with `digits` decimals ("%.*f").
std::string formatFixed(double v, int digits = 6);

/// The widths joined by `separator` ("8,4,3").
std::string joinBits(const std::vector<unsigned> &bits, const char *separator);

} // namespace tune
} // namespace cim
} // namespace mlir

#endif // CIM_LIB_TUNE_SEARCHTEXT_H
