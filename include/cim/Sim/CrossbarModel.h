//===- CrossbarModel.h - Bit-exact model of a crossbar layer ----*- C++ -*-===//
//
// What the crossbars, ADCs and shift-and-add units of one weight-bearing
// layer compute, bit for bit: weight bit slicing, input bit slicing, row
// tiles, the signed mapping and ADC saturation of docs/hardware.md
// ("Functional crossbar model"). Plain C++ on LLVM Support; no MLIR.
//
// Semantics, for hw (cell bits cb, DAC bits d, ADC bits A, weight rows per
// crossbar R) and a layer of `groups` integer matrices q (rows x cols) with
// wbits w and abits a:
//
//   - Weights lie in the symmetric range [-(2^(w-1)-1), 2^(w-1)-1]
//     ([-1, 1] for w = 1): m = max(w-1, 1) magnitude bits. Under `of` the
//     stored value is v = q + 2^m (m + 1 bits, S = ceil((m+1) / cb) slices);
//     under `dc` and `dr` the stored magnitudes are p = max(q, 0) and
//     n = max(-q, 0) (S = ceil(w / cb) slices). Slice j holds bits
//     [j*cb, (j+1)*cb) of the stored value.
//   - Inputs are unsigned codes u in [0, 2^a-1] with an offset (zero point)
//     o; K = ceil(a / d) steps, step k applies chunk_k(u) = bits
//     [k*d, (k+1)*d) of u.
//   - Rows [t*R, (t+1)*R) of a group form row tile t. For every tile t,
//     step k, slice j and column c one analog column read:
//       of: psum = sum_r chunk_k(u_r) * slice_j(v_rc), ADC clamps to
//           [0, 2^A-1], acc_c += 2^(j*cb + k*d) * ADC(psum); the tile's
//           reference column (cells holding 1) reads ref_k =
//           sum_r chunk_k(u_r) once per step and
//           acc_c -= 2^m * 2^(k*d) * ADC(ref_k).
//       dc: psum+ over slice_j(p), psum- over slice_j(n), both clamped to
//           [0, 2^A-1], acc_c += 2^(j*cb + k*d) * (ADC(psum+) - ADC(psum-)).
//       dr: psum = sum_r chunk_k(u_r) * (slice_j(p_rc) - slice_j(n_rc)),
//           the signed ADC clamps to [-2^(A-1), 2^(A-1)-1],
//           acc_c += 2^(j*cb + k*d) * ADC(psum).
//   - Finally acc_c -= o * sum_r q_rc over all rows of the group.
//
// When no read saturates, acc_c = sum_r (u_r - o) * q_rc exactly.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_SIM_CROSSBARMODEL_H
#define CIM_SIM_CROSSBARMODEL_H

#include "cim/Hardware/Hardware.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace mlir {
namespace cim {
namespace sim {

/// One weight-bearing layer as the crossbars see it: `groups` matrices of
/// rows x cols (im2col for a conv), wbits-bit weights, abits-bit inputs.
struct CrossbarLayerSpec {
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t groups = 1;
  /// 1 .. 16 each.
  unsigned wbits = 8;
  unsigned abits = 8;
};

/// ADC activity: one conversion per physical column read and input step
/// (`of`: the weight columns of every slice plus the tile's reference
/// column; `dc`: two per weight column and slice; `dr`: one), and how many
/// of them clamped. Accumulates over calls.
struct AdcCounters {
  int64_t conversions = 0;
  int64_t saturated = 0;

  AdcCounters &operator+=(const AdcCounters &other) {
    conversions += other.conversions;
    saturated += other.saturated;
    return *this;
  }
  bool operator==(const AdcCounters &other) const {
    return conversions == other.conversions && saturated == other.saturated;
  }
};

/// Checks the layer against the hardware and the weights against the
/// layer: positive sizes, bit widths in 1..16, groups * rows * cols weights
/// in the symmetric wbits range.
llvm::Error verifyCrossbarLayer(const hw::HardwareDescription &hw,
                                const CrossbarLayerSpec &spec,
                                llvm::ArrayRef<int32_t> weights);

/// Checks that `n` input vectors of groups * rows codes are below 2^abits
/// (the precondition of CrossbarLayer::run; the first bad code is named).
llvm::Error verifyInputCodes(const CrossbarLayerSpec &spec,
                             const uint16_t *inputs, int64_t n);

/// A layer's weights as the crossbars hold them, ready to multiply. Built
/// once; immutable afterwards, so `run` may be called from several threads.
class CrossbarLayer {
public:
  /// Validates with verifyCrossbarLayer and lays the weights out. `weights`
  /// holds groups * rows * cols integers, [g][r][c].
  static llvm::Expected<CrossbarLayer> build(const hw::HardwareDescription &hw,
                                             const CrossbarLayerSpec &spec,
                                             llvm::ArrayRef<int32_t> weights);

  /// Multiplies `n` input vectors, [v][g][r] (groups * rows codes each),
  /// into `out`, [v][g][c] (n * groups * cols values), exactly as
  /// referenceCrossbarMvm does. `counters`, when given, is incremented.
  /// Precondition: every code is below 2^abits (verifyInputCodes).
  void run(const uint16_t *inputs, int64_t n, int32_t inputOffset, int64_t *out,
           AdcCounters *counters = nullptr) const;

  /// Whether no input can saturate any ADC read (a static bound); `run` is
  /// then a plain integer matrix product.
  bool isLossless() const { return lossless; }

  const CrossbarLayerSpec &getSpec() const { return spec; }
  /// Weight rows per row tile (R) and row tiles per group.
  int64_t getRowsPerTile() const { return tileRows; }
  int64_t getNumTiles() const { return numTiles; }
  /// Weight bit slices (S) and input steps (K).
  int64_t getNumSlices() const { return numSlices; }
  int64_t getNumSteps() const { return numSteps; }
  /// ADC conversions of one input vector.
  int64_t getConversionsPerVector() const;

  /// What run needs to know of one row tile of one group.
  struct TileBounds {
    /// Weight rows in the tile (R, fewer in the last tile).
    int64_t rows = 0;
    /// The largest sum of chunk levels L of one step for which no read of
    /// the step can saturate: every psum lies in [L * min level,
    /// L * max level] (and the `of` reference column reads L).
    int64_t exactLimit = 0;
    /// rows * (2^d - 1) <= exactLimit: no input saturates this tile.
    bool lossless = false;
  };

private:
  CrossbarLayer() = default;

  /// Adds the reads of the steps in `steps` (bit k: step k) of one
  /// (vector, group, tile) to `acc` (cols values), one ADC read at a time;
  /// returns how many saturated.
  int64_t runInexactSteps(const uint16_t *codes, int64_t group, int64_t tile,
                          uint32_t steps, int64_t *acc) const;

  CrossbarLayerSpec spec;
  hw::SignedWeightMapping mapping = hw::SignedWeightMapping::Offset;
  unsigned cellBits = 0, dacBits = 0;
  int64_t tileRows = 0, numTiles = 0, numSlices = 0, numSteps = 0;
  /// Magnitude bits m: the `of` offset is 2^m.
  unsigned magnitudeBits = 0;
  /// The ADC's output range.
  int64_t adcMin = 0, adcMax = 0;
  bool lossless = false;
  /// Whether the inexact-step psums fit in 32 bits.
  bool narrowPsums = false;
  /// Row pairs per group (rows rounded up to even) and 16-column blocks.
  int64_t rowPairs = 0, colBlocks = 0;
  /// Row pairs an int32 accumulator may take before it is flushed.
  int64_t pairsPerFlush = 0;

  /// [g][colBlock][rowPair][16 columns][2 rows]: the layout of the integer
  /// kernel (pairs of rows feed one multiply-add).
  std::vector<int16_t> packed;
  /// [g][r][c]: the weights as given, for the inexact steps.
  std::vector<int16_t> plain;
  /// [g][r][c][word]: every slice level in its own 16-bit field (`of`: the
  /// S slices of v; `dc`, `dr`: those of p, then those of n), so that one
  /// 64-bit add reads four slices at once. Only for layers that may
  /// saturate, whose psums fit 16 bits, in at most 2 words per weight.
  std::vector<uint64_t> fields;
  int64_t fieldWords = 0;
  /// [g][c]: sum_r q_rc (the zero-point correction).
  std::vector<int64_t> colSums;
  /// [g][t]: per-tile bounds of the cell levels.
  std::vector<TileBounds> bounds;
};

/// The same semantics straight from the definition: loops over vectors,
/// groups, tiles, steps, slices, columns and rows, one ADC read at a time.
/// Slow; the oracle of CrossbarLayer::run. Validates everything
/// (verifyCrossbarLayer and verifyInputCodes) before computing.
llvm::Error referenceCrossbarMvm(const hw::HardwareDescription &hw,
                                 const CrossbarLayerSpec &spec,
                                 llvm::ArrayRef<int32_t> weights,
                                 const uint16_t *inputs, int64_t n,
                                 int32_t inputOffset, int64_t *out,
                                 AdcCounters *counters = nullptr);

} // namespace sim
} // namespace cim
} // namespace mlir

#endif // CIM_SIM_CROSSBARMODEL_H
