//===- CrossbarModel.cpp - Bit-exact model of a crossbar layer ------------===//
//
// CrossbarLayer::run computes what referenceCrossbarMvm computes, faster,
// by never simulating a read whose result it already knows: when the sum L
// of the chunk levels of one step in one row tile, times the largest cell
// level of the tile, fits the ADC, no column read of that step saturates,
// and the slices and the reference column add up to sum_r chunk * q
// exactly. The bits of those steps go through one integer matrix product
// (int16 pairs, multiply-add); only the remaining steps are read slice by
// slice with the ADC clamp.
//
//===----------------------------------------------------------------------===//

#include "cim/Sim/CrossbarModel.h"

#include "llvm/ADT/Twine.h"

#include <algorithm>
#include <cassert>
#include <climits>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define CIM_HAVE_AVX2_KERNEL 1
// Debian's default -march is plain x86-64: the hot loops get an AVX2 clone
// chosen at load time.
#define CIM_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CIM_HAVE_AVX2_KERNEL 0
#define CIM_VECTOR_CLONES
#endif

using namespace mlir::cim;
using namespace mlir::cim::sim;
using hw::SignedWeightMapping;

namespace {

/// Columns of one block of the packed layout (two 8-lane multiply-adds).
constexpr int64_t kBlockCols = 16;
/// Input vectors one pass of the integer kernel multiplies.
constexpr int64_t kMaxVectorsPerPass = 4;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Magnitude bits of a wbits weight: [-1, 1] for one bit.
unsigned getMagnitudeBits(unsigned wbits) { return std::max(wbits, 2u) - 1; }

/// Bits of the stored value under the mapping (the offset needs one more).
unsigned getStoredBits(SignedWeightMapping mapping, unsigned wbits) {
  if (mapping == SignedWeightMapping::Offset)
    return getMagnitudeBits(wbits) + 1;
  return wbits;
}

/// The ADC's output range: unsigned, or signed under `dr`.
std::pair<int64_t, int64_t> getAdcRange(const hw::HardwareDescription &hw) {
  if (hw.signedMapping == SignedWeightMapping::DifferentialRow)
    return {-(int64_t(1) << (hw.adcBits - 1)),
            (int64_t(1) << (hw.adcBits - 1)) - 1};
  return {0, (int64_t(1) << hw.adcBits) - 1};
}

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

//===----------------------------------------------------------------------===//
// Vector kernels
//===----------------------------------------------------------------------===//

/// L[k] = sum_r chunk_k(codes[r]) for the `steps` input steps of d bits.
CIM_VECTOR_CLONES
void sumStepLevels(const uint16_t *codes, int64_t rows, unsigned dacBits,
                   unsigned steps, int64_t *levels) {
  uint32_t chunkMask = (1u << dacBits) - 1;
  for (unsigned k = 0; k < steps; ++k) {
    // At most 65536 rows of 8-bit chunks: fits 32 bits.
    uint32_t sum = 0;
    unsigned shift = k * dacBits;
    for (int64_t r = 0; r < rows; ++r)
      sum += (uint32_t(codes[r]) >> shift) & chunkMask;
    levels[k] = sum;
  }
}

CIM_VECTOR_CLONES
int64_t countNonZero(const uint16_t *codes, int64_t rows) {
  uint32_t count = 0;
  for (int64_t r = 0; r < rows; ++r)
    count += codes[r] != 0;
  return count;
}

/// psum[c] += sum_r chunk(codes[r]) * slice(q[r][c] + offset): the psums of
/// one slice of one step under `of`, for rows whose psums fit 32 bits.
CIM_VECTOR_CLONES
void addOffsetSlicePsums(const uint16_t *codes, int64_t rows, const int16_t *q,
                         int64_t cols, unsigned chunkShift, uint32_t chunkMask,
                         unsigned sliceShift, int32_t cellMask, int32_t offset,
                         int32_t *psum) {
  for (int64_t r = 0; r < rows; ++r) {
    int32_t chunk = int32_t((uint32_t(codes[r]) >> chunkShift) & chunkMask);
    if (!chunk)
      continue;
    const int16_t *row = q + r * cols;
    for (int64_t c = 0; c < cols; ++c)
      psum[c] +=
          chunk * (((int32_t(row[c]) + offset) >> sliceShift) & cellMask);
  }
}

/// pos[c] and neg[c] over the slices of max(q, 0) and max(-q, 0) (`dc`,
/// `dr`).
CIM_VECTOR_CLONES
void addSignedSlicePsums(const uint16_t *codes, int64_t rows, const int16_t *q,
                         int64_t cols, unsigned chunkShift, uint32_t chunkMask,
                         unsigned sliceShift, int32_t cellMask, int32_t *pos,
                         int32_t *neg) {
  for (int64_t r = 0; r < rows; ++r) {
    int32_t chunk = int32_t((uint32_t(codes[r]) >> chunkShift) & chunkMask);
    if (!chunk)
      continue;
    const int16_t *row = q + r * cols;
    for (int64_t c = 0; c < cols; ++c) {
      int32_t w = row[c];
      pos[c] += chunk * ((std::max(w, 0) >> sliceShift) & cellMask);
      neg[c] += chunk * ((std::max(-w, 0) >> sliceShift) & cellMask);
    }
  }
}

/// acc[s][i] += sum_r chunk_s(codes[r]) * fields[r][i] over `width` words
/// per row, for the steps whose chunks start at shifts[s]: the psums of
/// every slice at once, 16 bits each. One pass over the rows serves all
/// steps, so that each row is loaded once.
CIM_VECTOR_CLONES
void addFieldPsums(const uint16_t *codes, int64_t rows, const uint64_t *fields,
                   int64_t width, const unsigned *shifts, int64_t steps,
                   uint32_t chunkMask, uint64_t *acc) {
  for (int64_t r = 0; r < rows; ++r) {
    const uint64_t *row = fields + r * width;
    for (int64_t s = 0; s < steps; ++s) {
      uint64_t chunk = (uint32_t(codes[r]) >> shifts[s]) & chunkMask;
      uint64_t *sums = acc + s * width;
      if (chunk == 1) {
        for (int64_t i = 0; i < width; ++i)
          sums[i] += row[i];
      } else if (chunk) {
        for (int64_t i = 0; i < width; ++i)
          sums[i] += chunk * row[i];
      }
    }
  }
}

/// out[v][c] = sum_p lo(pairs[v][p]) * w[p][c][0] + hi(pairs[v][p]) *
/// w[p][c][1] over the packed layout of one group, in 64 bits; any codes.
void multiplyPortable(const int16_t *packed, int64_t rowPairs,
                      int64_t colBlocks, int64_t cols, int64_t vectors,
                      const uint32_t *const *pairs, int64_t *const *outs) {
  for (int64_t b = 0; b < colBlocks; ++b) {
    const int16_t *block = packed + b * rowPairs * 2 * kBlockCols;
    int64_t width = std::min(kBlockCols, cols - b * kBlockCols);
    for (int64_t v = 0; v < vectors; ++v) {
      int64_t sums[kBlockCols] = {};
      for (int64_t p = 0; p < rowPairs; ++p) {
        int64_t lo = pairs[v][p] & 0xffff, hi = pairs[v][p] >> 16;
        if (!lo && !hi)
          continue;
        const int16_t *w = block + p * 2 * kBlockCols;
        for (int64_t c = 0; c < kBlockCols; ++c)
          sums[c] += lo * w[2 * c] + hi * w[2 * c + 1];
      }
      std::copy(sums, sums + width, outs[v] + b * kBlockCols);
    }
  }
}

#if CIM_HAVE_AVX2_KERNEL
/// multiplyPortable for codes below 2^15 with AVX2 multiply-adds, NV vectors
/// per pass; the int32 accumulators are flushed every `pairsPerFlush` row
/// pairs so that they cannot overflow.
template <int NV>
__attribute__((target("avx2"))) void
multiplyAvx2(const int16_t *packed, int64_t rowPairs, int64_t colBlocks,
             int64_t cols, int64_t pairsPerFlush, const uint32_t *const *pairs,
             int64_t *const *outs) {
  for (int64_t b = 0; b < colBlocks; ++b) {
    const int16_t *block = packed + b * rowPairs * 2 * kBlockCols;
    int64_t width = std::min(kBlockCols, cols - b * kBlockCols);
    int64_t sums[NV][kBlockCols] = {};
    for (int64_t p0 = 0; p0 < rowPairs; p0 += pairsPerFlush) {
      int64_t p1 = std::min(rowPairs, p0 + pairsPerFlush);
      __m256i acc[NV][2];
      for (int v = 0; v < NV; ++v)
        acc[v][0] = acc[v][1] = _mm256_setzero_si256();
      for (int64_t p = p0; p < p1; ++p) {
        const int16_t *w = block + p * 2 * kBlockCols;
        __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(w));
        __m256i w1 =
            _mm256_loadu_si256(reinterpret_cast<const __m256i *>(w + 16));
        for (int v = 0; v < NV; ++v) {
          __m256i x = _mm256_set1_epi32(int32_t(pairs[v][p]));
          acc[v][0] = _mm256_add_epi32(acc[v][0], _mm256_madd_epi16(x, w0));
          acc[v][1] = _mm256_add_epi32(acc[v][1], _mm256_madd_epi16(x, w1));
        }
      }
      for (int v = 0; v < NV; ++v) {
        alignas(32) int32_t lanes[kBlockCols];
        _mm256_store_si256(reinterpret_cast<__m256i *>(lanes), acc[v][0]);
        _mm256_store_si256(reinterpret_cast<__m256i *>(lanes + 8), acc[v][1]);
        for (int64_t c = 0; c < kBlockCols; ++c)
          sums[v][c] += lanes[c];
      }
    }
    for (int v = 0; v < NV; ++v)
      std::copy(sums[v], sums[v] + width, outs[v] + b * kBlockCols);
  }
}

bool hasAvx2() {
  static const bool result = __builtin_cpu_supports("avx2");
  return result;
}
#endif

} // namespace

//===----------------------------------------------------------------------===//
// Validation
//===----------------------------------------------------------------------===//

llvm::Error sim::verifyCrossbarLayer(const hw::HardwareDescription &hw,
                                     const CrossbarLayerSpec &spec,
                                     llvm::ArrayRef<int32_t> weights) {
  if (hw.cellBits < 1 || hw.cellBits > 8 || hw.dacBits < 1 || hw.dacBits > 8 ||
      hw.adcBits < 1 || hw.adcBits > 32 || hw.getWeightRowsPerCrossbar() < 1 ||
      hw.getWeightRowsPerCrossbar() > 65536)
    return makeError("hardware '" + hw.name +
                     "': cell, DAC or ADC bits or crossbar rows out of range");
  if (spec.rows < 1 || spec.cols < 1 || spec.groups < 1)
    return makeError("layer sizes must be positive, got rows " +
                     llvm::Twine(spec.rows) + ", cols " +
                     llvm::Twine(spec.cols) + ", groups " +
                     llvm::Twine(spec.groups));
  if (spec.wbits < 1 || spec.wbits > 16 || spec.abits < 1 || spec.abits > 16)
    return makeError("bit widths must be 1..16, got wbits " +
                     llvm::Twine(spec.wbits) + ", abits " +
                     llvm::Twine(spec.abits));
  int64_t expected = spec.groups * spec.rows * spec.cols;
  if (int64_t(weights.size()) != expected)
    return makeError("expected " + llvm::Twine(expected) +
                     " weights (groups * rows * cols), got " +
                     llvm::Twine(weights.size()));
  int32_t limit = (int32_t(1) << getMagnitudeBits(spec.wbits)) - 1;
  for (size_t i = 0; i < weights.size(); ++i)
    if (weights[i] < -limit || weights[i] > limit)
      return makeError("weight " + llvm::Twine(i) + " is " +
                       llvm::Twine(weights[i]) + ", outside [" +
                       llvm::Twine(-limit) + ", " + llvm::Twine(limit) +
                       "] of " + llvm::Twine(spec.wbits) + "-bit weights");
  return llvm::Error::success();
}

llvm::Error sim::verifyInputCodes(const CrossbarLayerSpec &spec,
                                  const uint16_t *inputs, int64_t n) {
  int64_t count = n * spec.groups * spec.rows;
  uint32_t limit = uint32_t(1) << spec.abits;
  for (int64_t i = 0; i < count; ++i)
    if (inputs[i] >= limit)
      return makeError("input code " + llvm::Twine(i) + " is " +
                       llvm::Twine(inputs[i]) + ", not below 2^" +
                       llvm::Twine(spec.abits));
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// CrossbarLayer
//===----------------------------------------------------------------------===//

llvm::Expected<CrossbarLayer>
CrossbarLayer::build(const hw::HardwareDescription &hw,
                     const CrossbarLayerSpec &spec,
                     llvm::ArrayRef<int32_t> weights) {
  if (llvm::Error error = verifyCrossbarLayer(hw, spec, weights))
    return std::move(error);

  CrossbarLayer layer;
  layer.spec = spec;
  layer.mapping = hw.signedMapping;
  layer.cellBits = hw.cellBits;
  layer.dacBits = hw.dacBits;
  layer.tileRows = hw.getWeightRowsPerCrossbar();
  layer.numTiles = ceilDiv(spec.rows, layer.tileRows);
  layer.magnitudeBits = getMagnitudeBits(spec.wbits);
  layer.numSlices =
      ceilDiv(getStoredBits(hw.signedMapping, spec.wbits), hw.cellBits);
  layer.numSteps = ceilDiv(spec.abits, hw.dacBits);
  std::tie(layer.adcMin, layer.adcMax) = getAdcRange(hw);
  // Largest psum of one read: R rows of full chunks and full cells.
  int64_t maxPsum = layer.tileRows * ((int64_t(1) << hw.dacBits) - 1) *
                    ((int64_t(1) << hw.cellBits) - 1);
  layer.narrowPsums = maxPsum <= INT32_MAX;

  int64_t rows = spec.rows, cols = spec.cols;
  layer.rowPairs = ceilDiv(rows, 2);
  layer.colBlocks = ceilDiv(cols, kBlockCols);
  int64_t maxCode = (int64_t(1) << std::min(spec.abits, 15u)) - 1;
  int64_t maxWeight = (int64_t(1) << layer.magnitudeBits) - 1;
  layer.pairsPerFlush =
      std::max<int64_t>(1, INT32_MAX / (2 * maxCode * maxWeight));

  layer.plain.assign(weights.begin(), weights.end());
  layer.packed.assign(
      spec.groups * layer.colBlocks * layer.rowPairs * 2 * kBlockCols, 0);
  layer.colSums.assign(spec.groups * cols, 0);
  for (int64_t g = 0; g < spec.groups; ++g) {
    const int32_t *q = weights.data() + g * rows * cols;
    int16_t *packed = layer.packed.data() +
                      g * layer.colBlocks * layer.rowPairs * 2 * kBlockCols;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        int64_t b = c / kBlockCols;
        packed[((b * layer.rowPairs + r / 2) * kBlockCols + c % kBlockCols) *
                   2 +
               r % 2] = int16_t(q[r * cols + c]);
        layer.colSums[g * cols + c] += q[r * cols + c];
      }
  }

  // Slice levels in 16-bit fields when no field can carry into the next.
  int64_t numFields = hw.signedMapping == SignedWeightMapping::Offset
                          ? layer.numSlices
                          : 2 * layer.numSlices;
  if (maxPsum <= 0xffff && numFields <= 8) {
    layer.fieldWords = ceilDiv(numFields, 4);
    layer.fields.assign(spec.groups * rows * cols * layer.fieldWords, 0);
    int32_t fieldCellMask = (1 << hw.cellBits) - 1;
    int32_t fieldOffset = int32_t(1) << layer.magnitudeBits;
    for (int64_t i = 0, e = spec.groups * rows * cols; i < e; ++i) {
      uint64_t *words = layer.fields.data() + i * layer.fieldWords;
      for (int64_t j = 0; j < layer.numSlices; ++j) {
        unsigned shift = j * hw.cellBits;
        auto put = [&](int64_t field, int32_t level) {
          words[field / 4] |= uint64_t(level) << (16 * (field % 4));
        };
        if (hw.signedMapping == SignedWeightMapping::Offset) {
          put(j, ((weights[i] + fieldOffset) >> shift) & fieldCellMask);
        } else {
          put(j, (std::max(weights[i], 0) >> shift) & fieldCellMask);
          put(layer.numSlices + j,
              (std::max(-weights[i], 0) >> shift) & fieldCellMask);
        }
      }
    }
  }

  // The cell levels of every tile bound its psums: L * min <= psum <=
  // L * max for a step with chunk-level sum L.
  int32_t cellMask = (1 << hw.cellBits) - 1;
  int32_t offset = int32_t(1) << layer.magnitudeBits;
  // The largest chunk: a DAC level, or the whole code when it is narrower.
  int64_t maxChunk = (int64_t(1) << std::min(hw.dacBits, spec.abits)) - 1;
  layer.lossless = true;
  for (int64_t g = 0; g < spec.groups; ++g)
    for (int64_t t = 0; t < layer.numTiles; ++t) {
      TileBounds bound;
      int64_t r0 = t * layer.tileRows;
      bound.rows = std::min(rows, r0 + layer.tileRows) - r0;
      int32_t minLevel = 0, maxLevel = 0;
      const int32_t *q = weights.data() + (g * rows + r0) * cols;
      for (int64_t i = 0, e = bound.rows * cols; i < e; ++i)
        for (int64_t j = 0; j < layer.numSlices; ++j) {
          unsigned shift = j * hw.cellBits;
          int32_t pos = (std::max(q[i], 0) >> shift) & cellMask;
          int32_t neg = (std::max(-q[i], 0) >> shift) & cellMask;
          switch (hw.signedMapping) {
          case SignedWeightMapping::Offset:
            maxLevel =
                std::max(maxLevel, ((q[i] + offset) >> shift) & cellMask);
            break;
          case SignedWeightMapping::DifferentialColumn:
            maxLevel = std::max({maxLevel, pos, neg});
            break;
          case SignedWeightMapping::DifferentialRow:
            maxLevel = std::max(maxLevel, pos - neg);
            minLevel = std::min(minLevel, pos - neg);
            break;
          }
        }
      int64_t limit = INT64_MAX;
      if (maxLevel > 0)
        limit = std::min(limit, layer.adcMax / maxLevel);
      if (minLevel < 0)
        limit = std::min(limit, layer.adcMin / minLevel);
      if (hw.signedMapping == SignedWeightMapping::Offset)
        limit = std::min(limit, layer.adcMax); // the reference column
      bound.exactLimit = limit;
      bound.lossless = bound.rows * maxChunk <= limit;
      layer.lossless &= bound.lossless;
      layer.bounds.push_back(bound);
    }
  if (layer.lossless) {
    layer.fields.clear();
    layer.fields.shrink_to_fit();
    layer.fieldWords = 0;
  }
  return layer;
}

int64_t CrossbarLayer::getConversionsPerVector() const {
  int64_t perStep = spec.cols * numSlices;
  if (mapping == SignedWeightMapping::DifferentialColumn)
    perStep *= 2;
  if (mapping == SignedWeightMapping::Offset)
    perStep += 1;
  return spec.groups * numTiles * numSteps * perStep;
}

int64_t CrossbarLayer::runInexactSteps(const uint16_t *codes, int64_t group,
                                       int64_t tile, uint32_t steps,
                                       int64_t *acc) const {
  int64_t cols = spec.cols;
  int64_t r0 = tile * tileRows;
  int64_t rows = bounds[group * numTiles + tile].rows;
  const uint16_t *tileCodes = codes + r0;
  const int16_t *q = plain.data() + (group * spec.rows + r0) * cols;
  uint32_t chunkMask = (1u << dacBits) - 1;
  int32_t cellMask = (1 << cellBits) - 1;
  // Rows per block whose psums fit the 32-bit kernels.
  int64_t blockRows =
      narrowPsums ? rows : INT32_MAX / (int64_t(chunkMask) * cellMask);

  std::vector<int64_t> pos(cols), neg(cols);
  std::vector<int32_t> pos32(cols), neg32(cols);
  int64_t saturated = 0;
  auto adc = [&](int64_t psum) {
    if (psum < adcMin || psum > adcMax) {
      ++saturated;
      return std::clamp(psum, adcMin, adcMax);
    }
    return psum;
  };

  if (fieldWords) {
    unsigned shifts[32];
    int64_t numInexact = 0;
    for (int64_t k = 0; k < numSteps; ++k)
      if (steps >> k & 1)
        shifts[numInexact++] = k * dacBits;
    int64_t width = cols * fieldWords;
    std::vector<uint64_t> sums(numInexact * width, 0);
    addFieldPsums(tileCodes, rows,
                  fields.data() + (group * spec.rows + r0) * width, width,
                  shifts, numInexact, chunkMask, sums.data());
    for (int64_t s = 0; s < numInexact; ++s) {
      const uint64_t *stepSums = sums.data() + s * width;
      auto field = [&](int64_t c, int64_t f) {
        return int64_t(stepSums[c * fieldWords + f / 4] >> (16 * (f % 4)) &
                       0xffff);
      };
      for (int64_t c = 0; c < cols; ++c)
        for (int64_t j = 0; j < numSlices; ++j) {
          int64_t value;
          if (mapping == SignedWeightMapping::Offset)
            value = adc(field(c, j));
          else if (mapping == SignedWeightMapping::DifferentialColumn)
            value = adc(field(c, j)) - adc(field(c, numSlices + j));
          else
            value = adc(field(c, j) - field(c, numSlices + j));
          acc[c] += value * (int64_t(1) << (j * cellBits + shifts[s]));
        }
    }
  }
  for (int64_t k = 0; k < numSteps; ++k) {
    if (!(steps >> k & 1))
      continue;
    unsigned chunkShift = k * dacBits;
    // Without the fields (wide psums, many slices): one slice at a time.
    for (int64_t j = 0; !fieldWords && j < numSlices; ++j) {
      unsigned sliceShift = j * cellBits;
      std::fill(pos.begin(), pos.end(), 0);
      std::fill(neg.begin(), neg.end(), 0);
      for (int64_t b = 0; b < rows; b += blockRows) {
        int64_t n = std::min(blockRows, rows - b);
        std::fill(pos32.begin(), pos32.end(), 0);
        std::fill(neg32.begin(), neg32.end(), 0);
        if (mapping == SignedWeightMapping::Offset)
          addOffsetSlicePsums(tileCodes + b, n, q + b * cols, cols, chunkShift,
                              chunkMask, sliceShift, cellMask,
                              int32_t(1) << magnitudeBits, pos32.data());
        else
          addSignedSlicePsums(tileCodes + b, n, q + b * cols, cols, chunkShift,
                              chunkMask, sliceShift, cellMask, pos32.data(),
                              neg32.data());
        for (int64_t c = 0; c < cols; ++c) {
          pos[c] += pos32[c];
          neg[c] += neg32[c];
        }
      }
      unsigned shift = sliceShift + chunkShift;
      for (int64_t c = 0; c < cols; ++c) {
        int64_t value;
        if (mapping == SignedWeightMapping::DifferentialColumn)
          value = adc(pos[c]) - adc(neg[c]);
        else // `of` reads pos alone, `dr` the difference of the two rows
          value = adc(pos[c] - neg[c]);
        acc[c] += value * (int64_t(1) << shift);
      }
    }
    if (mapping == SignedWeightMapping::Offset) {
      int64_t level = 0;
      for (int64_t r = 0; r < rows; ++r)
        level += (tileCodes[r] >> chunkShift) & chunkMask;
      int64_t reference = adc(level) << (magnitudeBits + chunkShift);
      for (int64_t c = 0; c < cols; ++c)
        acc[c] -= reference;
    }
  }
  return saturated;
}

void CrossbarLayer::run(const uint16_t *inputs, int64_t n, int32_t inputOffset,
                        int64_t *out, AdcCounters *counters) const {
  int64_t rows = spec.rows, cols = spec.cols, groups = spec.groups;
  uint32_t fullMask = (uint32_t(1) << spec.abits) - 1;
  uint32_t stepMask = (1u << dacBits) - 1;
  int64_t maxChunk = std::min(stepMask, fullMask);
#if CIM_HAVE_AVX2_KERNEL
  bool vectorKernel = spec.abits <= 15 && hasAvx2();
#endif

  // Per pass: the masked codes of each vector as row pairs, and the tiles
  // with steps left to read one by one.
  struct Inexact {
    int64_t vector, tile;
    uint32_t steps;
  };
  std::vector<uint32_t> pairStore(kMaxVectorsPerPass * rowPairs);
  std::vector<int64_t> levels(numSteps);
  std::vector<Inexact> inexact;
  int64_t saturated = 0;

  for (int64_t v0 = 0; v0 < n; v0 += kMaxVectorsPerPass) {
    int64_t vectors = std::min(kMaxVectorsPerPass, n - v0);
    for (int64_t g = 0; g < groups; ++g) {
      const uint32_t *pairs[kMaxVectorsPerPass];
      int64_t *outs[kMaxVectorsPerPass];
      inexact.clear();
      for (int64_t v = 0; v < vectors; ++v) {
        const uint16_t *codes = inputs + ((v0 + v) * groups + g) * rows;
        uint32_t *vectorPairs = pairStore.data() + v * rowPairs;
        pairs[v] = vectorPairs;
        outs[v] = out + ((v0 + v) * groups + g) * cols;
        vectorPairs[rowPairs - 1] = 0; // the padding row of an odd count
        for (int64_t t = 0; t < numTiles; ++t) {
          const TileBounds &bound = bounds[g * numTiles + t];
          int64_t r0 = t * tileRows;
          const uint16_t *tileCodes = codes + r0;
          // The bits of the steps that cannot saturate.
          uint32_t mask = fullMask;
          if (!bound.lossless &&
              countNonZero(tileCodes, bound.rows) * maxChunk >
                  bound.exactLimit) {
            sumStepLevels(tileCodes, bound.rows, dacBits, numSteps,
                          levels.data());
            uint32_t steps = 0;
            for (int64_t k = 0; k < numSteps; ++k)
              if (levels[k] > bound.exactLimit) {
                steps |= 1u << k;
                mask &= ~(stepMask << (k * dacBits));
              }
            if (steps)
              inexact.push_back({v, t, steps});
          }
          // Rows come in order, so the even row of a pair is written first.
          for (int64_t r = 0; r < bound.rows; ++r) {
            int64_t row = r0 + r;
            uint32_t code = tileCodes[r] & mask;
            uint32_t &pair = vectorPairs[row / 2];
            if (row % 2 == 0)
              pair = code;
            else
              pair |= code << 16;
          }
        }
      }

#if CIM_HAVE_AVX2_KERNEL
      if (vectorKernel) {
        const int16_t *packedGroup =
            packed.data() + g * colBlocks * rowPairs * 2 * kBlockCols;
        switch (vectors) {
        case 4:
          multiplyAvx2<4>(packedGroup, rowPairs, colBlocks, cols, pairsPerFlush,
                          pairs, outs);
          break;
        case 3:
          multiplyAvx2<3>(packedGroup, rowPairs, colBlocks, cols, pairsPerFlush,
                          pairs, outs);
          break;
        case 2:
          multiplyAvx2<2>(packedGroup, rowPairs, colBlocks, cols, pairsPerFlush,
                          pairs, outs);
          break;
        default:
          multiplyAvx2<1>(packedGroup, rowPairs, colBlocks, cols, pairsPerFlush,
                          pairs, outs);
          break;
        }
      } else
#endif
        multiplyPortable(packed.data() +
                             g * colBlocks * rowPairs * 2 * kBlockCols,
                         rowPairs, colBlocks, cols, vectors, pairs, outs);

      for (const Inexact &entry : inexact)
        saturated +=
            runInexactSteps(inputs + ((v0 + entry.vector) * groups + g) * rows,
                            g, entry.tile, entry.steps, outs[entry.vector]);
      const int64_t *sums = colSums.data() + g * cols;
      for (int64_t v = 0; v < vectors; ++v)
        for (int64_t c = 0; c < cols; ++c)
          outs[v][c] -= int64_t(inputOffset) * sums[c];
    }
  }
  if (counters) {
    counters->conversions += n * getConversionsPerVector();
    counters->saturated += saturated;
  }
}

//===----------------------------------------------------------------------===//
// Reference
//===----------------------------------------------------------------------===//

llvm::Error sim::referenceCrossbarMvm(const hw::HardwareDescription &hw,
                                      const CrossbarLayerSpec &spec,
                                      llvm::ArrayRef<int32_t> weights,
                                      const uint16_t *inputs, int64_t n,
                                      int32_t inputOffset, int64_t *out,
                                      AdcCounters *counters) {
  if (llvm::Error error = verifyCrossbarLayer(hw, spec, weights))
    return error;
  if (llvm::Error error = verifyInputCodes(spec, inputs, n))
    return error;

  const unsigned cb = hw.cellBits, d = hw.dacBits;
  const SignedWeightMapping mapping = hw.signedMapping;
  const unsigned m = getMagnitudeBits(spec.wbits);
  const int64_t slices = ceilDiv(getStoredBits(mapping, spec.wbits), cb);
  const int64_t steps = ceilDiv(spec.abits, d);
  const int64_t tileRows = hw.getWeightRowsPerCrossbar();
  const int64_t tiles = ceilDiv(spec.rows, tileRows);
  const std::pair<int64_t, int64_t> adcRange = getAdcRange(hw);
  const int64_t adcMin = adcRange.first, adcMax = adcRange.second;
  const int64_t rows = spec.rows, cols = spec.cols;

  auto bits = [](int64_t value, int64_t first, unsigned count) {
    return (value >> first) & ((int64_t(1) << count) - 1);
  };
  AdcCounters local;
  auto adc = [&](int64_t psum) {
    ++local.conversions;
    if (psum < adcMin || psum > adcMax) {
      ++local.saturated;
      return psum < adcMin ? adcMin : adcMax;
    }
    return psum;
  };

  for (int64_t v = 0; v < n; ++v)
    for (int64_t g = 0; g < spec.groups; ++g) {
      const uint16_t *u = inputs + (v * spec.groups + g) * rows;
      const int32_t *q = weights.data() + g * rows * cols;
      std::vector<int64_t> acc(cols, 0);
      for (int64_t t = 0; t < tiles; ++t) {
        int64_t rBegin = t * tileRows, rEnd = std::min(rows, rBegin + tileRows);
        for (int64_t k = 0; k < steps; ++k) {
          for (int64_t c = 0; c < cols; ++c)
            for (int64_t j = 0; j < slices; ++j) {
              int64_t psum = 0, psumNeg = 0;
              for (int64_t r = rBegin; r < rEnd; ++r) {
                int64_t chunk = bits(u[r], k * d, d);
                int64_t w = q[r * cols + c];
                if (mapping == SignedWeightMapping::Offset) {
                  psum += chunk * bits(w + (int64_t(1) << m), j * cb, cb);
                } else {
                  int64_t p = w > 0 ? w : 0, neg = w < 0 ? -w : 0;
                  psum += chunk * bits(p, j * cb, cb);
                  psumNeg += chunk * bits(neg, j * cb, cb);
                }
              }
              int64_t read;
              if (mapping == SignedWeightMapping::DifferentialColumn)
                read = adc(psum) - adc(psumNeg);
              else
                read = adc(psum - psumNeg);
              acc[c] += read * (int64_t(1) << (j * cb + k * d));
            }
          if (mapping == SignedWeightMapping::Offset) {
            int64_t reference = 0;
            for (int64_t r = rBegin; r < rEnd; ++r)
              reference += bits(u[r], k * d, d);
            int64_t read = adc(reference);
            for (int64_t c = 0; c < cols; ++c)
              acc[c] -= (int64_t(1) << m) * (int64_t(1) << (k * d)) * read;
          }
        }
      }
      for (int64_t c = 0; c < cols; ++c) {
        int64_t columnSum = 0;
        for (int64_t r = 0; r < rows; ++r)
          columnSum += q[r * cols + c];
        out[(v * spec.groups + g) * cols + c] =
            acc[c] - int64_t(inputOffset) * columnSum;
      }
    }
  if (counters)
    *counters += local;
  return llvm::Error::success();
}
