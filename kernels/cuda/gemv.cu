// Batch-1 GEMM ("GEMV"): y[1,N] = alpha * x[1,K] . w[N,K]^T + bias + beta * y.
// Decode-time linears read every weight once per step, so this is a weight-streaming problem:
// one warp per output row, 16-byte streaming loads (8 bf16) with kUnroll of them in flight per
// lane, x read through the read-only cache, fp32 accumulation, a warp-shuffle reduction, and no
// split-K (N >= a few thousand rows already fills the GPU; deterministic). Weights are read
// exactly once; x is re-read from L1/L2. The kernel is templated on M, but only M = 1 is
// dispatched: on an H100 (2026-11-27) it reached 75% of copy bandwidth at M = 2 and 4 and 55% at
// M = 8, where cuBLASLt held 87-88% (every x element costs a load and 8 FMAs per weight load, so
// the kernel becomes issue-bound as M grows). At M = 1 it is level with cuBLASLt on the large
// shapes and ahead on [3072, 8192] and the LM head. Eight loads in flight with an
// occupancy-sized grid was tried there and lost 3-10 points on every shape.
#include <algorithm>
#include <string>

#include "kernels/cuda/cuda_status.h"
#include "kernels/cuda/device_util.cuh"
#include "kernels/cuda/launch.h"

namespace kt::kernels::cuda {
namespace {

constexpr int kGemvThreads = 256;
constexpr int kGemvUnroll = 4;
constexpr int kGemvBatchMax = 1;

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

template <typename T, int M>
Status Launch(const GemmArgs& a, const LaunchContext& ctx) {
  const int n = static_cast<int>(a.w.shape[0]), k = static_cast<int>(a.w.shape[1]);
  // Enough warps to keep every SM's memory pipeline full; each warp then loops over rows.
  const int blocks_max = ctx.sm_count * (2048 / kGemvThreads);
  const int blocks = std::max(1, std::min<int>(CeilDiv(n, kGemvThreads / 32), blocks_max));
  GemvKernel<T, M><<<blocks, kGemvThreads, 0, ctx.stream>>>(
      a.x.ptr<T>(), a.x.stride[0], a.w.ptr<T>(), a.w.stride[0],
      a.bias.present() ? a.bias.ptr<T>() : nullptr, a.y.ptr<T>(), a.y.stride[0], n, k, a.alpha,
      a.beta);
  KT_CUDA_RETURN_IF_LAUNCH_ERROR("gemv");
  return Status::Ok();
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
  return Launch<bf16, 1>(a, ctx);
}

}  // namespace kt::kernels::cuda
