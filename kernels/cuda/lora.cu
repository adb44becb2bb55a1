// Batched LoRA (Punica's BGMV) for many adapters in one batch (see LoraBgmvArgs):
//   shrink: one warp per (row, rank index): scratch[b, r] = scale[b] * lora_a[a_b, r, :] . x[b]
//   expand: one thread per (row, output): y[b, n] += lora_b[a_b, n, :] . scratch[b, :]
// Rows with adapter index < 0 (or past the stack: the CUDA path cannot report it) are skipped.
#include <string>

#include "kernels/cuda/cuda_status.h"
#include "kernels/cuda/device_util.cuh"
#include "kernels/cuda/launch.h"

namespace kt::kernels::cuda {
namespace {

constexpr int kShrinkWarps = 8;

template <typename T>
__global__ void LoraShrinkKernel(const T* __restrict__ x, int64_t xs, const T* __restrict__ a,
                                 int64_t as0, int64_t as1, const int32_t* __restrict__ indices,
                                 const float* __restrict__ scales, float* scratch, int64_t ss,
                                 int adapters, int rank, int k) {
  const int b = blockIdx.x;
  const int r = blockIdx.y * kShrinkWarps + (threadIdx.x >> 5);
  const int lane = threadIdx.x & 31;
  const int idx = indices[b];
  if (idx < 0 || idx >= adapters || r >= rank) return;
  const T* ar = a + idx * as0 + r * as1;
  const T* xr = x + b * xs;
  float s = 0.0f;
  for (int i = lane; i < k; i += 32) s = fmaf(ToF(ar[i]), ToF(xr[i]), s);
  s = WarpSum(s);
  if (lane == 0) scratch[b * ss + r] = scales[b] * s;
}

template <typename T>
__global__ void LoraExpandKernel(const T* __restrict__ lb, int64_t bs0, int64_t bs1,
                                 const int32_t* __restrict__ indices,
                                 const float* __restrict__ scratch, int64_t ss, T* y, int64_t ys,
                                 int adapters, int rank, int n) {
  const int b = blockIdx.x;
  const int col = blockIdx.y * blockDim.x + threadIdx.x;
  const int idx = indices[b];
  if (idx < 0 || idx >= adapters || col >= n) return;
  const T* br = lb + idx * bs0 + col * bs1;
  const float* t = scratch + b * ss;
  float acc = 0.0f;
  for (int r = 0; r < rank; ++r) acc = fmaf(t[r], ToF(br[r]), acc);
  T* dst = y + b * ys + col;
  *dst = FromF<T>(ToF(*dst) + acc);
}

}  // namespace

Status LaunchLoraBgmv(const LoraBgmvArgs& a, const LaunchContext& ctx) {
  const DType t = a.y.dtype;
  if (a.x.dtype != t || a.lora_a.dtype != t || a.lora_b.dtype != t) {
    return Unsupported("cuda lora_bgmv: x, lora_a, lora_b and y must share one dtype");
  }
  const int batch = static_cast<int>(a.x.shape[0]);
  const int rank = static_cast<int>(a.lora_a.shape[1]);
  if (batch == 0 || rank == 0) return Status::Ok();
  return KT_DISPATCH_FLOAT(t, "lora_bgmv", [&] {
    const int adapters = static_cast<int>(a.lora_a.shape[0]);
    const int k = static_cast<int>(a.x.shape[1]), n = static_cast<int>(a.y.shape[1]);
    dim3 shrink_grid(batch, CeilDiv(rank, kShrinkWarps));
    LoraShrinkKernel<T><<<shrink_grid, kShrinkWarps * 32, 0, ctx.stream>>>(
        a.x.ptr<T>(), a.x.stride[0], a.lora_a.ptr<T>(), a.lora_a.stride[0], a.lora_a.stride[1],
        a.indices.ptr<int32_t>(), a.scales.ptr<float>(), a.scratch.ptr<float>(),
        a.scratch.stride[0], adapters, rank, k);
    KT_CUDA_RETURN_IF_LAUNCH_ERROR("lora_shrink");
    dim3 expand_grid(batch, CeilDiv(n, 256));
    LoraExpandKernel<T><<<expand_grid, 256, 0, ctx.stream>>>(
        a.lora_b.ptr<T>(), a.lora_b.stride[0], a.lora_b.stride[1], a.indices.ptr<int32_t>(),
        a.scratch.ptr<float>(), a.scratch.stride[0], a.y.ptr<T>(), a.y.stride[0], adapters, rank,
        n);
    KT_CUDA_RETURN_IF_LAUNCH_ERROR("lora_expand");
    return Status::Ok();
  });
}

}  // namespace kt::kernels::cuda
