// Internal to kernels/cuda (.cu files only): element conversions, 8-wide vector loads and
// stores, warp/block reductions, and host-side dtype dispatch.
#ifndef KT_KERNELS_CUDA_DEVICE_UTIL_CUH_
#define KT_KERNELS_CUDA_DEVICE_UTIL_CUH_

#include <cstdint>

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "kernels/tensor.h"

namespace kt::kernels::cuda {

using bf16 = __nv_bfloat16;
using f16 = __half;

// ---- scalar conversions ----------------------------------------------------------------
__device__ __forceinline__ float ToF(float v) { return v; }
__device__ __forceinline__ float ToF(bf16 v) { return __bfloat162float(v); }
__device__ __forceinline__ float ToF(f16 v) { return __half2float(v); }

template <typename T>
__device__ __forceinline__ T FromF(float v);
template <>
__device__ __forceinline__ float FromF<float>(float v) {
  return v;
}
template <>
__device__ __forceinline__ bf16 FromF<bf16>(float v) {
  return __float2bfloat16_rn(v);
}
template <>
__device__ __forceinline__ f16 FromF<f16>(float v) {
  return __float2half_rn(v);
}

// Value after a round trip through T (what a store then a load would give).
template <typename T>
__device__ __forceinline__ float RoundTo(float v) {
  return ToF(FromF<T>(v));
}

// ---- 8-element vectors: one 16-byte access for 2-byte types, two for f32 ----------------
// REQUIRES: p aligned to 16 bytes.
template <typename T>
__device__ __forceinline__ void Load8(const T* p, float (&out)[8]) {
  if constexpr (sizeof(T) == 4) {
    const float4 a = *reinterpret_cast<const float4*>(p);
    const float4 b = *reinterpret_cast<const float4*>(p + 4);
    out[0] = a.x;
    out[1] = a.y;
    out[2] = a.z;
    out[3] = a.w;
    out[4] = b.x;
    out[5] = b.y;
    out[6] = b.z;
    out[7] = b.w;
  } else {
    const uint4 u = *reinterpret_cast<const uint4*>(p);
    const T* e = reinterpret_cast<const T*>(&u);
#pragma unroll
    for (int i = 0; i < 8; ++i) out[i] = ToF(e[i]);
  }
}

template <typename T>
__device__ __forceinline__ void Store8(T* p, const float (&in)[8]) {
  if constexpr (sizeof(T) == 4) {
    *reinterpret_cast<float4*>(p) = make_float4(in[0], in[1], in[2], in[3]);
    *reinterpret_cast<float4*>(p + 4) = make_float4(in[4], in[5], in[6], in[7]);
  } else {
    uint4 u;
    T* e = reinterpret_cast<T*>(&u);
#pragma unroll
    for (int i = 0; i < 8; ++i) e[i] = FromF<T>(in[i]);
    *reinterpret_cast<uint4*>(p) = u;
  }
}

// Widen 8 packed 2-byte values held in a uint4.
template <typename T>
__device__ __forceinline__ void Unpack8(const uint4& u, float (&out)[8]) {
  const T* e = reinterpret_cast<const T*>(&u);
#pragma unroll
  for (int i = 0; i < 8; ++i) out[i] = ToF(e[i]);
}

// ---- reductions -------------------------------------------------------------------------
__device__ __forceinline__ float WarpSum(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

__device__ __forceinline__ float WarpMax(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// Sum over the block; every thread gets the result. REQUIRES: blockDim.x % 32 == 0, <= 1024,
// called by all threads. Fixed reduction order: deterministic.
__device__ __forceinline__ float BlockSum(float v) {
  __shared__ float warp_sums[32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  v = WarpSum(v);
  __syncthreads();  // warp_sums may still be read by a previous call
  if (lane == 0) warp_sums[warp] = v;
  __syncthreads();
  const int warps = blockDim.x >> 5;
  float t = lane < warps ? warp_sums[lane] : 0.0f;
  return WarpSum(t);
}

// ---- host helpers -----------------------------------------------------------------------
inline bool Aligned16(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 15u) == 0; }

// True when every row of a rank-r view starts on a 16-byte boundary given 8-element vectors.
inline bool RowsVectorizable(const Tensor& t) {
  if (!Aligned16(t.data)) return false;
  for (int i = 0; i + 1 < t.rank; ++i) {
    if (t.shape[i] > 1 && (t.stride[i] * static_cast<int64_t>(DTypeSize(t.dtype))) % 16 != 0) {
      return false;
    }
  }
  return true;
}

inline unsigned CeilDiv(int64_t a, int64_t b) { return static_cast<unsigned>((a + b - 1) / b); }

}  // namespace kt::kernels::cuda

// Calls BODY with `using T = <element type of dtype>` for f32, bf16 and f16; anything else
// returns Unsupported naming the op.
#define KT_DISPATCH_FLOAT(dtype, op_name, ...)                                           \
  [&]() -> ::kt::Status {                                                                \
    switch (dtype) {                                                                     \
      case ::kt::kernels::DType::kF32: {                                                 \
        using T = float;                                                                 \
        return __VA_ARGS__();                                                            \
      }                                                                                  \
      case ::kt::kernels::DType::kBF16: {                                                \
        using T = ::kt::kernels::cuda::bf16;                                             \
        return __VA_ARGS__();                                                            \
      }                                                                                  \
      case ::kt::kernels::DType::kF16: {                                                 \
        using T = ::kt::kernels::cuda::f16;                                              \
        return __VA_ARGS__();                                                            \
      }                                                                                  \
      default:                                                                           \
        return ::kt::kernels::Unsupported(std::string("cuda ") + op_name + ": dtype " +  \
                                          std::string(::kt::kernels::DTypeName(dtype))); \
    }                                                                                    \
  }()

#endif  // KT_KERNELS_CUDA_DEVICE_UTIL_CUH_
