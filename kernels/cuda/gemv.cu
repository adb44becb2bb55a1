// Batch 1-2 GEMM ("GEMV"): y[M,N] = alpha * x[M,K] . w[N,K]^T + bias + beta * y for M <= 2.
// Decode-time linears read every weight once per step, so this is a weight-streaming problem:
// one warp per output row, 16-byte streaming loads (8 bf16) with kUnroll of them in flight per
// lane, x read through the read-only cache, fp32 accumulation, a warp-shuffle reduction, and no
// split-K (N >= a few thousand rows already fills the GPU; deterministic). Weights are read
// exactly once; x is re-read from L1/L2. The grid is as many warps as fit on the GPU at once,
// trimmed so that every warp gets the same number of rows (no second wave of a few rows).
// Larger batches go to cuBLASLt: on an H100 (first run, 2026-11-27) this kernel reached 75% of
// copy bandwidth at M = 4 and 55% at M = 8, where cuBLASLt held 87%; every x element costs a
// load and 8 FMAs per weight load, so the kernel becomes issue-bound as M grows.
#include <algorithm>
#include <string>

#include "kernels/cuda/cuda_status.h"
#include "kernels/cuda/device_util.cuh"
#include "kernels/cuda/launch.h"

namespace kt::kernels::cuda {
namespace {

constexpr int kGemvThreads = 256;
constexpr int kGemvUnroll = 8;
constexpr int kGemvBatchMax = 2;

template <typename T, int M>
__global__ void __launch_bounds__(kGemvThreads)
    GemvKernel(const T* __restrict__ x, int64_t ldx, const T* __restrict__ w, int64_t ldw,
               const T* __restrict__ bias, T* y, int64_t ldy, int n, int k, float alpha,
               float beta) {
  const int lane = threadIdx.x & 31;
  const int warps_total = gridDim.x * (kGemvThreads / 32);
  for (int row = blockIdx.x * (kGemvThreads / 32) + (threadIdx.x >> 5); row < n;
       row += warps_total) {
    const T* wr = w + static_cast<int64_t>(row) * ldw;
    float acc[M];
#pragma unroll
    for (int m = 0; m < M; ++m) acc[m] = 0.0f;
    for (int k0 = lane * 8; k0 < k; k0 += 32 * 8 * kGemvUnroll) {
      uint4 wv[kGemvUnroll];
#pragma unroll
      for (int u = 0; u < kGemvUnroll; ++u) {
        const int kk = k0 + u * 32 * 8;
        wv[u] = kk < k ? __ldcs(reinterpret_cast<const uint4*>(wr + kk)) : make_uint4(0, 0, 0, 0);
      }
#pragma unroll
      for (int u = 0; u < kGemvUnroll; ++u) {
        const int kk = k0 + u * 32 * 8;
        if (kk < k) {
          float wf[8];
          Unpack8<T>(wv[u], wf);
#pragma unroll
          for (int m = 0; m < M; ++m) {
            const uint4 xv = __ldg(reinterpret_cast<const uint4*>(x + m * ldx + kk));
            float xf[8];
            Unpack8<T>(xv, xf);
#pragma unroll
            for (int j = 0; j < 8; ++j) acc[m] = fmaf(wf[j], xf[j], acc[m]);
          }
        }
      }
    }
#pragma unroll
    for (int m = 0; m < M; ++m) acc[m] = WarpSum(acc[m]);
    if (lane < M) {
      float v = 0.0f;
#pragma unroll
      for (int m = 0; m < M; ++m) v = lane == m ? acc[m] : v;
      v *= alpha;
      if (bias != nullptr) v += ToF(bias[row]);
      T* dst = y + lane * ldy + row;
      if (beta != 0.0f) v += beta * ToF(*dst);
      *dst = FromF<T>(v);
    }
  }
}

// Blocks of GemvKernel<T, M> resident on one SM (registers decide), asked once.
template <typename T, int M>
int ResidentBlocksPerSm() {
  static const int blocks = [] {
    int b = 0;
    if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&b, GemvKernel<T, M>, kGemvThreads, 0) !=
            cudaSuccess ||
        b < 1) {
      cudaGetLastError();
      b = 1;
    }
    return b;
  }();
  return blocks;
}

template <typename T, int M>
Status Launch(const GemmArgs& a, const LaunchContext& ctx) {
  constexpr int kWarpsPerBlock = kGemvThreads / 32;
  const int n = static_cast<int>(a.w.shape[0]), k = static_cast<int>(a.w.shape[1]);
  // Every resident warp streams; rows are then spread evenly over as few warps as keep each
  // warp's share equal, so the last rows do not run alone.
  const int64_t warps_max =
      static_cast<int64_t>(ctx.sm_count) * ResidentBlocksPerSm<T, M>() * kWarpsPerBlock;
  const int64_t rows_per_warp = std::max<int64_t>(1, (n + warps_max - 1) / warps_max);
  const int64_t warps = (n + rows_per_warp - 1) / rows_per_warp;
  const int blocks = std::max(1, static_cast<int>(CeilDiv(warps, kWarpsPerBlock)));
  GemvKernel<T, M><<<blocks, kGemvThreads, 0, ctx.stream>>>(
      a.x.ptr<T>(), a.x.stride[0], a.w.ptr<T>(), a.w.stride[0],
      a.bias.present() ? a.bias.ptr<T>() : nullptr, a.y.ptr<T>(), a.y.stride[0], n, k, a.alpha,
      a.beta);
  KT_CUDA_RETURN_IF_LAUNCH_ERROR("gemv");
  return Status::Ok();
}

template <typename T>
Status LaunchForBatch(const GemmArgs& a, const LaunchContext& ctx) {
  switch (a.x.shape[0]) {
    case 1:
      return Launch<T, 1>(a, ctx);
    case 2:
      return Launch<T, 2>(a, ctx);
    default:
      return Unsupported("cuda gemv: batch above " + std::to_string(kGemvBatchMax));
  }
}

}  // namespace

bool GemvApplies(const GemmArgs& a) {
  const DType d = a.y.dtype;
  if (d != DType::kBF16) return false;  // f16 goes to cuBLASLt (not instantiated here)
  if (a.x.dtype != d || a.w.dtype != d || (a.bias.present() && a.bias.dtype != d)) return false;
  const int64_t m = a.x.shape[0], n = a.w.shape[0], k = a.w.shape[1];
  if (m < 1 || m > kGemvBatchMax || k % 8 != 0 || n > (int64_t{1} << 30) ||
      k > (int64_t{1} << 30)) {
    return false;
  }
  return RowsVectorizable(a.x) && RowsVectorizable(a.w);
}

Status LaunchGemv(const GemmArgs& a, const LaunchContext& ctx) {
  if (!GemvApplies(a)) return Unsupported("cuda gemv: arguments outside the GEMV path");
  return LaunchForBatch<bf16>(a, ctx);
}

}  // namespace kt::kernels::cuda
