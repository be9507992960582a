//===- LinearKernels.cpp - conv2d, gemm and matmul on BLAS ----------------===//
//
// Every large product goes through cblas_?gemm (OpenBLAS). Determinism:
// OpenBLAS's multithreaded GEMM driver rounds differently from its
// single-threaded one (measured with OpenBLAS 0.3.21: a 7x513 by 513x3001
// product differs in the last bits between 1 and 2+ threads), and the
// default thread count is the machine's core count. The executor therefore
// pins OpenBLAS to one thread while it runs (BlasThreadPin), so the same
// inputs give the same bits on every run and every core count.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include "cim/Dialect/CIM/CIMShapes.h"

#include <cblas.h>

#include <algorithm>
#include <climits>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::reference;

BlasThreadPin::BlasThreadPin() : previous(openblas_get_num_threads()) {
  if (previous != 1)
    openblas_set_num_threads(1);
}

BlasThreadPin::~BlasThreadPin() {
  if (previous != 1)
    openblas_set_num_threads(previous);
}

/// Row-major C = alpha * op(A) * op(B) + beta * C.
static void gemm(bool transA, bool transB, int m, int n, int k, float alpha,
                 const float *a, int lda, const float *b, int ldb, float beta,
                 float *c, int ldc) {
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
              transB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b,
              ldb, beta, c, ldc);
}
static void gemm(bool transA, bool transB, int m, int n, int k, double alpha,
                 const double *a, int lda, const double *b, int ldb,
                 double beta, double *c, int ldc) {
  cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
              transB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b,
              ldb, beta, c, ldc);
}

/// BLAS takes 32-bit sizes.
static LogicalResult checkBlasSizes(Operation *op,
                                    std::initializer_list<int64_t> sizes) {
  for (int64_t size : sizes)
    if (size > INT_MAX)
      return op->emitOpError() << "a matrix dimension of " << size
                               << " exceeds what the BLAS interface accepts";
  return success();
}

static LogicalResult checkSameKind(Operation *op, Operands operands) {
  for (const HostTensor *operand : operands.drop_front())
    if (operand->getKind() != operands[0]->getKind())
      return op->emitOpError()
             << "operands mix " << getElementKindName(operands[0]->getKind())
             << " and " << getElementKindName(operand->getKind());
  return requireFloat(op, *operands[0], "operands");
}

//===----------------------------------------------------------------------===//
// conv2d: im2col + GEMM per (image, group)
//===----------------------------------------------------------------------===//

template <typename T>
static void conv2dTyped(const HostTensor &input, const HostTensor &weight,
                        const HostTensor *bias, int64_t group,
                        ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                        ArrayRef<int64_t> dilations, HostTensor &output) {
  ArrayRef<int64_t> in = input.getShape(), w = weight.getShape(),
                    out = output.getShape();
  int64_t n = in[0], c = in[1], h = in[2], wd = in[3];
  int64_t m = w[0], kh = w[2], kw = w[3];
  int64_t oh = out[2], ow = out[3];
  int64_t cg = c / group, mg = m / group;
  int64_t k = cg * kh * kw, p = oh * ow;
  const T *x = input.data<T>().data();
  const T *wt = weight.data<T>().data();
  T *y = output.data<T>().data();

  // A 1x1 window with unit strides and no padding reads the input as is.
  bool direct = kh == 1 && kw == 1 && strides[0] == 1 && strides[1] == 1 &&
                llvm::all_of(pads, [](int64_t v) { return v == 0; });
  std::vector<T> col(direct ? 0 : size_t(k * p));

  for (int64_t img = 0; img < n; ++img) {
    for (int64_t g = 0; g < group; ++g) {
      const T *xg = x + (img * c + g * cg) * h * wd;
      const T *matrix = xg;
      if (!direct) {
        for (int64_t ci = 0; ci < cg; ++ci)
          for (int64_t ky = 0; ky < kh; ++ky)
            for (int64_t kx = 0; kx < kw; ++kx) {
              T *row = col.data() + ((ci * kh + ky) * kw + kx) * p;
              const T *plane = xg + ci * h * wd;
              for (int64_t oy = 0; oy < oh; ++oy) {
                int64_t iy = oy * strides[0] - pads[0] + ky * dilations[0];
                T *dst = row + oy * ow;
                if (iy < 0 || iy >= h) {
                  std::fill(dst, dst + ow, T(0));
                  continue;
                }
                for (int64_t ox = 0; ox < ow; ++ox) {
                  int64_t ix = ox * strides[1] - pads[1] + kx * dilations[1];
                  dst[ox] = ix >= 0 && ix < wd ? plane[iy * wd + ix] : T(0);
                }
              }
            }
        matrix = col.data();
      }
      T *yg = y + (img * m + g * mg) * p;
      T beta = 0;
      if (bias) {
        const T *bv = bias->data<T>().data() + g * mg;
        for (int64_t mi = 0; mi < mg; ++mi)
          std::fill(yg + mi * p, yg + (mi + 1) * p, bv[mi]);
        beta = 1;
      }
      if (mg == 0 || p == 0)
        continue;
      // (mg x k) weights of the group times the (k x p) column matrix.
      gemm(false, false, int(mg), int(p), int(k), T(1), wt + g * mg * k,
           int(std::max<int64_t>(k, 1)), matrix, int(p), beta, yg, int(p));
    }
  }
}

FailureOr<HostTensor> reference::runConv2d(Conv2dOp op, Operands operands) {
  Operation *raw = op.getOperation();
  if (failed(checkSameKind(raw, operands)) ||
      failed(requireRank(raw, *operands[0], "input", 4)) ||
      failed(requireRank(raw, *operands[1], "weight", 4)))
    return failure();
  const HostTensor &input = *operands[0], &weight = *operands[1];
  const HostTensor *bias = operands.size() > 2 ? operands[2] : nullptr;
  ArrayRef<int64_t> in = input.getShape(), w = weight.getShape();
  int64_t group = op.getGroup();
  if (group < 1 || w[0] % group != 0 || in[1] != w[1] * group)
    return op.emitOpError() << "input of shape " << shapeString(in)
                            << " does not match weight of shape "
                            << shapeString(w) << " with " << group << " groups";
  if (bias && (bias->getRank() != 1 || bias->getDimSize(0) != w[0]))
    return op.emitOpError()
           << "bias must have " << w[0] << " elements, got shape "
           << shapeString(bias->getShape());
  SmallVector<int64_t, 2> strides = op.getStrideValues();
  SmallVector<int64_t, 4> pads = op.getPadValues();
  SmallVector<int64_t, 2> dilations = op.getDilationValues();
  if (strides.size() != 2 || pads.size() != 4 || dilations.size() != 2)
    return op.emitOpError() << "needs 2 strides, 4 pads and 2 dilations";
  SmallVector<int64_t> shape = {in[0], w[0]};
  for (int i = 0; i < 2; ++i) {
    std::string error;
    std::optional<int64_t> size =
        windowOutputSize(in[2 + i], w[2 + i], strides[i], pads[i], pads[2 + i],
                         dilations[i], /*ceilMode=*/false, error);
    if (!size)
      return op.emitOpError() << "spatial dimension " << i << ": " << error;
    shape.push_back(*size);
  }
  int64_t k = w[1] * w[2] * w[3];
  if (failed(checkBlasSizes(raw, {k, shape[2] * shape[3], w[0]})))
    return failure();
  HostTensor output(input.getKind(), shape);
  visitFloat(input.getKind(), [&](auto tag) {
    conv2dTyped<decltype(tag)>(input, weight, bias, group, strides, pads,
                               dilations, output);
  });
  return output;
}

//===----------------------------------------------------------------------===//
// gemm
//===----------------------------------------------------------------------===//

FailureOr<HostTensor> reference::runGemm(GemmOp op, Operands operands) {
  Operation *raw = op.getOperation();
  if (failed(checkSameKind(raw, operands)) ||
      failed(requireRank(raw, *operands[0], "A", 2)) ||
      failed(requireRank(raw, *operands[1], "B", 2)))
    return failure();
  const HostTensor &a = *operands[0], &b = *operands[1];
  const HostTensor *c = operands.size() > 2 ? operands[2] : nullptr;
  bool transA = op.getTransA(), transB = op.getTransB();
  int64_t m = a.getDimSize(transA ? 1 : 0), ka = a.getDimSize(transA ? 0 : 1);
  int64_t kb = b.getDimSize(transB ? 1 : 0), n = b.getDimSize(transB ? 0 : 1);
  if (ka != kb)
    return op.emitOpError() << "inner dimensions differ: A' is " << m << "x"
                            << ka << " and B' is " << kb << "x" << n;
  SmallVector<int64_t> shape = {m, n};
  if (c) {
    auto joined = broadcastShapes(c->getShape(), shape);
    if (c->getRank() > 2 || !joined ||
        ArrayRef<int64_t>(*joined) != ArrayRef<int64_t>(shape))
      return op.emitOpError()
             << "C of shape " << shapeString(c->getShape())
             << " does not broadcast to " << shapeString(shape);
  }
  if (failed(checkBlasSizes(raw, {m, n, ka})))
    return failure();
  double alpha = op.getAlpha().convertToDouble();
  double beta = c ? op.getBeta().convertToDouble() : 0.0;
  HostTensor output(a.getKind(), shape);
  visitFloat(a.getKind(), [&](auto tag) {
    using T = decltype(tag);
    T *y = output.data<T>().data();
    if (c && beta != 0.0) {
      // Broadcast C into the output; BLAS then scales it by beta.
      const T *cv = c->data<T>().data();
      SmallVector<int64_t> cs = broadcastStrides(c->getShape(), shape);
      forEachRow(shape, cs, cs,
                 [&](int64_t o, int64_t off, int64_t step, int64_t, int64_t,
                     int64_t count) {
                   for (int64_t i = 0; i < count; ++i)
                     y[o + i] = cv[off + i * step];
                 });
    } else {
      beta = 0.0;
    }
    if (m == 0 || n == 0)
      return;
    gemm(transA, transB, int(m), int(n), int(ka), T(alpha), a.data<T>().data(),
         int(std::max<int64_t>(a.getDimSize(1), 1)), b.data<T>().data(),
         int(std::max<int64_t>(b.getDimSize(1), 1)), T(beta), y, int(n));
  });
  return output;
}

//===----------------------------------------------------------------------===//
// matmul: numpy semantics, one GEMM per broadcast batch
//===----------------------------------------------------------------------===//

FailureOr<HostTensor> reference::runMatMul(MatMulOp op, Operands operands) {
  Operation *raw = op.getOperation();
  if (failed(checkSameKind(raw, operands)))
    return failure();
  const HostTensor &lhs = *operands[0], &rhs = *operands[1];
  if (lhs.getRank() < 1 || rhs.getRank() < 1)
    return op.emitOpError() << "operands must have rank >= 1";
  SmallVector<int64_t> l(lhs.getShape()), r(rhs.getShape());
  bool lhsVector = l.size() == 1, rhsVector = r.size() == 1;
  if (lhsVector)
    l.insert(l.begin(), 1);
  if (rhsVector)
    r.push_back(1);
  int64_t m = l[l.size() - 2], k = l.back(), n = r.back();
  if (r[r.size() - 2] != k)
    return op.emitOpError()
           << "inner dimensions differ: " << shapeString(lhs.getShape())
           << " x " << shapeString(rhs.getShape());
  ArrayRef<int64_t> lBatch = ArrayRef<int64_t>(l).drop_back(2),
                    rBatch = ArrayRef<int64_t>(r).drop_back(2);
  auto batch = broadcastShapes(lBatch, rBatch);
  if (!batch)
    return op.emitOpError() << "batch dimensions do not broadcast: "
                            << shapeString(lhs.getShape()) << " x "
                            << shapeString(rhs.getShape());
  if (failed(checkBlasSizes(raw, {m, n, k, product(*batch) * m})))
    return failure();
  SmallVector<int64_t> shape = *batch;
  if (!lhsVector)
    shape.push_back(m);
  if (!rhsVector)
    shape.push_back(n);
  HostTensor output(lhs.getKind(), shape);
  if (output.getNumElements() == 0)
    return output;

  // Batch strides in units of whole matrices.
  SmallVector<int64_t> lStrides = broadcastStrides(lBatch, *batch);
  SmallVector<int64_t> rStrides = broadcastStrides(rBatch, *batch);
  int64_t batchCount = product(*batch);
  bool rhsShared = product(rBatch) == 1;
  bool lhsFull = ArrayRef<int64_t>(lBatch) == ArrayRef<int64_t>(*batch);
  visitFloat(lhs.getKind(), [&](auto tag) {
    using T = decltype(tag);
    const T *lv = lhs.data<T>().data();
    const T *rv = rhs.data<T>().data();
    T *y = output.data<T>().data();
    int lda = int(std::max<int64_t>(k, 1)), ldb = int(n), ldc = int(n);
    if (rhsShared && lhsFull) {
      // Every batch multiplies the same right matrix: stack the left ones.
      gemm(false, false, int(batchCount * m), int(n), int(k), T(1), lv, lda, rv,
           ldb, T(0), y, ldc);
      return;
    }
    forEachRow(*batch, lStrides, rStrides,
               [&](int64_t o, int64_t lo, int64_t lStep, int64_t ro,
                   int64_t rStep, int64_t count) {
                 for (int64_t i = 0; i < count; ++i)
                   gemm(false, false, int(m), int(n), int(k), T(1),
                        lv + (lo + i * lStep) * m * k, lda,
                        rv + (ro + i * rStep) * k * n, ldb, T(0),
                        y + (o + i) * m * n, ldc);
               });
  });
  return output;
}
