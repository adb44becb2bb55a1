// CPU GEMM: y = alpha * x . w^T + bias + beta * y. f32 operands go straight to OpenBLAS sgemm;
// other dtypes are widened to fp32 in panels of weight rows first (so a bf16 weight matrix is
// never fully expanded in memory).
#include <algorithm>
#include <vector>

#include "kernels/cpu/convert.h"
#include "kernels/cpu/cpu_ops.h"

#if KT_KERNELS_HAVE_OPENBLAS
#include <cblas.h>
#endif

namespace kt::kernels::cpu {
namespace {

// Bytes of fp32 weights widened at once.
constexpr int64_t kWeightPanelBytesMax = int64_t{1} << 20;

// c[M, N] (ldc) = alpha * a[M, K] (lda) . b[N, K]^T (ldb) + beta * c, all fp32.
void SgemmNT(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
             const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
#if KT_KERNELS_HAVE_OPENBLAS
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<blasint>(m),
              static_cast<blasint>(n), static_cast<blasint>(k), alpha, a, static_cast<blasint>(lda),
              b, static_cast<blasint>(ldb), beta, c, static_cast<blasint>(ldc));
#else
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      float v = alpha * Dot(a + i * lda, b + j * ldb, k);
      c[i * ldc + j] = beta == 0.0f ? v : v + beta * c[i * ldc + j];
    }
  }
#endif
}

}  // namespace

bool HaveBlas() { return KT_KERNELS_HAVE_OPENBLAS != 0; }

void SetBlasThreads(int threads) {
#if KT_KERNELS_HAVE_OPENBLAS
  openblas_set_num_threads(std::max(1, threads));
#else
  (void)threads;
#endif
}

Status Gemm(const GemmArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kHost));
  const int64_t m = a.x.shape[0], n = a.w.shape[0], k = a.x.shape[1];
  if (m == 0) return Status::Ok();

  std::vector<float> bias;
  if (a.bias.present()) {
    bias.resize(n);
    ToF32(a.bias.data, a.bias.dtype, n, bias.data());
  }

  // x as fp32 rows.
  std::vector<float> xbuf;
  const float* x = a.x.ptr<float>();
  int64_t ldx = a.x.stride[0];
  if (a.x.dtype != DType::kF32) {
    xbuf.resize(m * k);
    for (int64_t i = 0; i < m; ++i) ToF32(a.x.at(i), a.x.dtype, k, xbuf.data() + i * k);
    x = xbuf.data();
    ldx = k;
  }

  if (a.w.dtype == DType::kF32 && a.y.dtype == DType::kF32) {
    float* y = a.y.ptr<float>();
    const int64_t ldy = a.y.stride[0];
    float beta = a.beta;
    if (beta == 0.0f && !bias.empty()) {
      for (int64_t i = 0; i < m; ++i) std::copy(bias.begin(), bias.end(), y + i * ldy);
      beta = 1.0f;
      bias.clear();
    }
    SgemmNT(m, n, k, a.alpha, x, ldx, a.w.ptr<float>(), a.w.stride[0], beta, y, ldy);
    if (!bias.empty()) {
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) y[i * ldy + j] += bias[j];
      }
    }
    return Status::Ok();
  }

  // General path: widen a panel of weight rows, multiply, combine, round into y.
  const int64_t panel = std::clamp<int64_t>(kWeightPanelBytesMax / (4 * k), 16, n);
  std::vector<float> wbuf(panel * k), acc(m * panel), yrow(panel);
  for (int64_t j0 = 0; j0 < n; j0 += panel) {
    const int64_t nj = std::min(panel, n - j0);
    for (int64_t j = 0; j < nj; ++j) ToF32(a.w.at(j0 + j), a.w.dtype, k, wbuf.data() + j * k);
    SgemmNT(m, nj, k, a.alpha, x, ldx, wbuf.data(), k, 0.0f, acc.data(), panel);
    for (int64_t i = 0; i < m; ++i) {
      float* r = acc.data() + i * panel;
      if (!bias.empty()) {
        for (int64_t j = 0; j < nj; ++j) r[j] += bias[j0 + j];
      }
      if (a.beta != 0.0f) {
        ToF32(a.y.at(i, j0), a.y.dtype, nj, yrow.data());
        for (int64_t j = 0; j < nj; ++j) r[j] += a.beta * yrow[j];
      }
      FromF32(r, nj, a.y.dtype, a.y.at(i, j0));
    }
  }
  return Status::Ok();
}

}  // namespace kt::kernels::cpu
