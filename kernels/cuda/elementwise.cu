// Memory-bound row kernels: RMSNorm (+ fused residual), RoPE, SiLU-mul, embedding gather and
// KV-cache append. Each has an 8-wide vector path (16-byte accesses) when rows are aligned and
// a scalar path for anything else; both compute exactly the CPU reference's formulas.
#include <algorithm>
#include <string>

#include "kernels/cuda/cuda_status.h"
#include "kernels/cuda/device_util.cuh"
#include "kernels/cuda/launch.h"

namespace kt::kernels::cuda {
namespace {

// ---- RMSNorm --------------------------------------------------------------------------------

// One block per row; each thread keeps up to kChunks 8-element chunks in registers.
template <typename T, int kChunks>
__global__ void RmsNormVecKernel(const T* x, int64_t xs, T* residual, int64_t rs,
                                 const T* __restrict__ w, T* out, int64_t os, int h, float eps) {
  const int64_t row = blockIdx.x;
  const int chunks = h / 8;
  float v[kChunks][8];
  float ss = 0.0f;
#pragma unroll
  for (int c = 0; c < kChunks; ++c) {
    const int idx = threadIdx.x + c * blockDim.x;
    if (idx < chunks) {
      Load8(x + row * xs + idx * 8, v[c]);
      if (residual != nullptr) {
        float r[8];
        Load8(residual + row * rs + idx * 8, r);
#pragma unroll
        for (int j = 0; j < 8; ++j) v[c][j] = RoundTo<T>(v[c][j] + r[j]);
        Store8(residual + row * rs + idx * 8, v[c]);
      }
#pragma unroll
      for (int j = 0; j < 8; ++j) ss += v[c][j] * v[c][j];
    }
  }
  ss = BlockSum(ss);
  const float inv = 1.0f / sqrtf(ss / h + eps);
#pragma unroll
  for (int c = 0; c < kChunks; ++c) {
    const int idx = threadIdx.x + c * blockDim.x;
    if (idx < chunks) {
      float wv[8];
      Load8(w + idx * 8, wv);
#pragma unroll
      for (int j = 0; j < 8; ++j) v[c][j] = v[c][j] * inv * wv[j];
      Store8(out + row * os + idx * 8, v[c]);
    }
  }
}

// Any width and alignment: two passes over the row (the second re-reads what the first wrote).
template <typename T>
__global__ void RmsNormScalarKernel(const T* x, int64_t xs, T* residual, int64_t rs, const T* w,
                                    T* out, int64_t os, int h, float eps) {
  const int64_t row = blockIdx.x;
  float ss = 0.0f;
  for (int j = threadIdx.x; j < h; j += blockDim.x) {
    float s = ToF(x[row * xs + j]);
    if (residual != nullptr) {
      s = RoundTo<T>(s + ToF(residual[row * rs + j]));
      residual[row * rs + j] = FromF<T>(s);
    }
    ss += s * s;
  }
  ss = BlockSum(ss);
  const float inv = 1.0f / sqrtf(ss / h + eps);
  for (int j = threadIdx.x; j < h; j += blockDim.x) {
    const float s = residual != nullptr ? ToF(residual[row * rs + j]) : ToF(x[row * xs + j]);
    out[row * os + j] = FromF<T>(s * inv * ToF(w[j]));
  }
}

// ---- RoPE -----------------------------------------------------------------------------------

constexpr int kRopeHalfMax = 256;  // head dim <= 512

// One block per token; cos/sin of the token's position computed once into shared memory. With
// kVec each thread rotates 8 pairs with 16-byte loads (half % 8 == 0, rows 16-byte aligned);
// otherwise one pair with scalar loads.
template <typename T, bool kVec>
__global__ void RopeKernel(T* q, int64_t qs0, int64_t qs1, int hq, T* k, int64_t ks0, int64_t ks1,
                           int hk, const int32_t* __restrict__ positions,
                           const float* __restrict__ inv_freq, float mscale, int half) {
  __shared__ float cs[kRopeHalfMax], sn[kRopeHalfMax];
  const int64_t t = blockIdx.x;
  const float pos = static_cast<float>(positions[t]);
  for (int i = threadIdx.x; i < half; i += blockDim.x) {
    float s, c;
    sincosf(pos * inv_freq[i], &s, &c);
    cs[i] = c * mscale;
    sn[i] = s * mscale;
  }
  __syncthreads();
  constexpr int kWidth = kVec ? 8 : 1;
  const int chunks = half / kWidth;
  const int total = (hq + hk) * chunks;
  for (int e = threadIdx.x; e < total; e += blockDim.x) {
    const int head = e / chunks, i = (e % chunks) * kWidth;
    T* base = head < hq ? q + t * qs0 + head * qs1 : k + t * ks0 + (head - hq) * ks1;
    if constexpr (kVec) {
      float x1[8], x2[8], o1[8], o2[8];
      Load8(base + i, x1);
      Load8(base + i + half, x2);
#pragma unroll
      for (int j = 0; j < 8; ++j) {
        o1[j] = x1[j] * cs[i + j] - x2[j] * sn[i + j];
        o2[j] = x2[j] * cs[i + j] + x1[j] * sn[i + j];
      }
      Store8(base + i, o1);
      Store8(base + i + half, o2);
    } else {
      const float x1 = ToF(base[i]), x2 = ToF(base[i + half]);
      base[i] = FromF<T>(x1 * cs[i] - x2 * sn[i]);
      base[i + half] = FromF<T>(x2 * cs[i] + x1 * sn[i]);
    }
  }
}

// ---- SiLU-mul -------------------------------------------------------------------------------

__device__ __forceinline__ float Silu(float g) { return g / (1.0f + expf(-g)); }

template <typename T>
__global__ void SiluMulVecKernel(const T* __restrict__ gu, int64_t gs, T* __restrict__ out,
                                 int64_t os, int inter, int64_t total_chunks) {
  const int chunks_per_row = inter / 8;
  for (int64_t c = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; c < total_chunks;
       c += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t row = c / chunks_per_row;
    const int col = static_cast<int>(c % chunks_per_row) * 8;
    float g[8], u[8], o[8];
    Load8(gu + row * gs + col, g);
    Load8(gu + row * gs + inter + col, u);
#pragma unroll
    for (int j = 0; j < 8; ++j) o[j] = Silu(g[j]) * u[j];
    Store8(out + row * os + col, o);
  }
}

template <typename T>
__global__ void SiluMulScalarKernel(const T* gu, int64_t gs, T* out, int64_t os, int inter,
                                    int64_t total) {
  for (int64_t e = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; e < total;
       e += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t row = e / inter;
    const int col = static_cast<int>(e % inter);
    out[row * os + col] = FromF<T>(Silu(ToF(gu[row * gs + col])) * ToF(gu[row * gs + inter + col]));
  }
}

// ---- embedding ------------------------------------------------------------------------------

template <typename T>
__global__ void EmbeddingKernel(const int32_t* __restrict__ ids, const T* __restrict__ table,
                                int64_t ts, int64_t vocab, T* __restrict__ out, int64_t os, int h,
                                bool vec) {
  const int64_t t = blockIdx.x;
  const int32_t id = ids[t];
  const bool ok = id >= 0 && id < vocab;
  if (vec) {
    for (int c = threadIdx.x; c < h / 8; c += blockDim.x) {
      uint4 v = make_uint4(0, 0, 0, 0);
      if (ok) v = *reinterpret_cast<const uint4*>(table + id * ts + c * 8);
      *reinterpret_cast<uint4*>(out + t * os + c * 8) = v;
      if constexpr (sizeof(T) == 4) {
        uint4 v2 = make_uint4(0, 0, 0, 0);
        if (ok) v2 = *reinterpret_cast<const uint4*>(table + id * ts + c * 8 + 4);
        *reinterpret_cast<uint4*>(out + t * os + c * 8 + 4) = v2;
      }
    }
  } else {
    for (int j = threadIdx.x; j < h; j += blockDim.x) {
      out[t * os + j] = ok ? table[id * ts + j] : FromF<T>(0.0f);
    }
  }
}

// ---- KV append ------------------------------------------------------------------------------

// One block per new token; copies its Hk x D keys and values into the slot.
template <typename T>
__global__ void KvAppendKernel(const T* __restrict__ k, int64_t ks0, int64_t ks1,
                               const T* __restrict__ v, int64_t vs0, int64_t vs1,
                               const int32_t* __restrict__ slots, T* k_cache, T* v_cache,
                               int64_t num_slots, int hk, int d, bool vec) {
  const int64_t t = blockIdx.x;
  const int64_t slot = slots[t];
  if (slot < 0 || slot >= num_slots) return;
  const int64_t dst = slot * hk * d;
  if (vec) {
    const int per_head = d / 8;
    for (int c = threadIdx.x; c < hk * per_head; c += blockDim.x) {
      const int h = c / per_head, col = (c % per_head) * 8;
      float kv[8], vv[8];
      Load8(k + t * ks0 + h * ks1 + col, kv);
      Load8(v + t * vs0 + h * vs1 + col, vv);
      Store8(k_cache + dst + h * d + col, kv);
      Store8(v_cache + dst + h * d + col, vv);
    }
  } else {
    for (int e = threadIdx.x; e < hk * d; e += blockDim.x) {
      const int h = e / d, col = e % d;
      k_cache[dst + e] = k[t * ks0 + h * ks1 + col];
      v_cache[dst + e] = v[t * vs0 + h * vs1 + col];
    }
  }
}

Status SameDtype(const char* op, std::initializer_list<const Tensor*> ts) {
  DType d = (*ts.begin())->dtype;
  for (const Tensor* t : ts) {
    if (t->present() && t->dtype != d) {
      return Unsupported(std::string("cuda ") + op + ": operands must share one dtype, got " +
                         Describe(*ts.begin()[0]) + " and " + Describe(*t));
    }
  }
  return Status::Ok();
}

}  // namespace

Status LaunchRmsNorm(const RmsNormArgs& a, const LaunchContext& ctx) {
  KT_RETURN_IF_ERROR(SameDtype("rms_norm", {&a.x, &a.residual, &a.weight, &a.out}));
  const int64_t rows = a.x.shape[0];
  const int h = static_cast<int>(a.x.shape[1]);
  if (rows == 0 || h == 0) return Status::Ok();
  return KT_DISPATCH_FLOAT(a.x.dtype, "rms_norm", [&] {
    const T* x = a.x.ptr<T>();
    T* r = a.residual.present() ? a.residual.ptr<T>() : nullptr;
    const int64_t rs = a.residual.present() ? a.residual.stride[0] : 0;
    const bool vec = h % 8 == 0 && RowsVectorizable(a.x) && RowsVectorizable(a.out) &&
                     Aligned16(a.weight.data) && (r == nullptr || RowsVectorizable(a.residual));
    const int chunks = h / 8;
    if (vec && chunks <= 4 * 1024) {
      int threads = chunks <= 1024 ? ((chunks + 31) / 32) * 32 : 1024;
      const int per_thread = (chunks + threads - 1) / threads;
      if (per_thread == 1) {
        RmsNormVecKernel<T, 1><<<rows, threads, 0, ctx.stream>>>(
            x, a.x.stride[0], r, rs, a.weight.ptr<T>(), a.out.ptr<T>(), a.out.stride[0], h, a.eps);
      } else if (per_thread == 2) {
        RmsNormVecKernel<T, 2><<<rows, threads, 0, ctx.stream>>>(
            x, a.x.stride[0], r, rs, a.weight.ptr<T>(), a.out.ptr<T>(), a.out.stride[0], h, a.eps);
      } else {
        RmsNormVecKernel<T, 4><<<rows, threads, 0, ctx.stream>>>(
            x, a.x.stride[0], r, rs, a.weight.ptr<T>(), a.out.ptr<T>(), a.out.stride[0], h, a.eps);
      }
    } else {
      RmsNormScalarKernel<T><<<rows, 256, 0, ctx.stream>>>(
          x, a.x.stride[0], r, rs, a.weight.ptr<T>(), a.out.ptr<T>(), a.out.stride[0], h, a.eps);
    }
    KT_CUDA_RETURN_IF_LAUNCH_ERROR("rms_norm");
    return Status::Ok();
  });
}

Status LaunchRope(const RopeArgs& a, const LaunchContext& ctx) {
  KT_RETURN_IF_ERROR(SameDtype("rope", {&a.q, &a.k}));
  const int64_t t = a.q.shape[0];
  const int half = static_cast<int>(a.q.shape[2] / 2);
  if (half > kRopeHalfMax) return Unsupported("cuda rope: head dim above 512");
  if (t == 0 || half == 0) return Status::Ok();
  return KT_DISPATCH_FLOAT(a.q.dtype, "rope", [&] {
    const int hq = static_cast<int>(a.q.shape[1]);
    const int hk = a.k.present() ? static_cast<int>(a.k.shape[1]) : 0;
    T* k = a.k.present() ? a.k.ptr<T>() : nullptr;
    const bool vec = !ctx.portable && half % 8 == 0 && RowsVectorizable(a.q) &&
                     (!a.k.present() || RowsVectorizable(a.k));
    const int work = (hq + hk) * (vec ? half / 8 : half);
    // One pass per token where it fits (Phi-3: 64 heads x 6 chunks = 384 threads).
    const int threads = std::min(512, std::max(32, (work + 31) / 32 * 32));
    auto kernel = vec ? RopeKernel<T, true> : RopeKernel<T, false>;
    kernel<<<t, threads, 0, ctx.stream>>>(
        a.q.ptr<T>(), a.q.stride[0], a.q.stride[1], hq, k, a.k.stride[0], a.k.stride[1], hk,
        a.positions.ptr<int32_t>(), a.inv_freq.ptr<float>(), a.mscale, half);
    KT_CUDA_RETURN_IF_LAUNCH_ERROR("rope");
    return Status::Ok();
  });
}

Status LaunchSiluMul(const SiluMulArgs& a, const LaunchContext& ctx) {
  KT_RETURN_IF_ERROR(SameDtype("silu_mul", {&a.gate_up, &a.out}));
  const int64_t rows = a.gate_up.shape[0];
  const int inter = static_cast<int>(a.out.shape[1]);
  if (rows == 0 || inter == 0) return Status::Ok();
  return KT_DISPATCH_FLOAT(a.out.dtype, "silu_mul", [&] {
    const bool vec = inter % 8 == 0 && RowsVectorizable(a.gate_up) && RowsVectorizable(a.out);
    const int threads = 256;
    const int64_t work = vec ? rows * (inter / 8) : rows * inter;
    const unsigned blocks =
        static_cast<unsigned>(std::min<int64_t>(CeilDiv(work, threads), ctx.sm_count * 16));
    if (vec) {
      SiluMulVecKernel<T><<<blocks, threads, 0, ctx.stream>>>(
          a.gate_up.ptr<T>(), a.gate_up.stride[0], a.out.ptr<T>(), a.out.stride[0], inter, work);
    } else {
      SiluMulScalarKernel<T><<<blocks, threads, 0, ctx.stream>>>(
          a.gate_up.ptr<T>(), a.gate_up.stride[0], a.out.ptr<T>(), a.out.stride[0], inter, work);
    }
    KT_CUDA_RETURN_IF_LAUNCH_ERROR("silu_mul");
    return Status::Ok();
  });
}

Status LaunchEmbedding(const EmbeddingArgs& a, const LaunchContext& ctx) {
  KT_RETURN_IF_ERROR(SameDtype("embedding", {&a.table, &a.out}));
  const int64_t t = a.ids.shape[0];
  const int h = static_cast<int>(a.table.shape[1]);
  if (t == 0 || h == 0) return Status::Ok();
  return KT_DISPATCH_FLOAT(a.out.dtype, "embedding", [&] {
    const bool vec = h % 8 == 0 && RowsVectorizable(a.table) && RowsVectorizable(a.out);
    EmbeddingKernel<T><<<t, 128, 0, ctx.stream>>>(a.ids.ptr<int32_t>(), a.table.ptr<T>(),
                                                  a.table.stride[0], a.table.shape[0],
                                                  a.out.ptr<T>(), a.out.stride[0], h, vec);
    KT_CUDA_RETURN_IF_LAUNCH_ERROR("embedding");
    return Status::Ok();
  });
}

Status LaunchKvAppend(const KvAppendArgs& a, const LaunchContext& ctx) {
  KT_RETURN_IF_ERROR(SameDtype("kv_append", {&a.k, &a.v, &a.k_cache, &a.v_cache}));
  const int64_t t = a.k.shape[0];
  const int hk = static_cast<int>(a.k.shape[1]), d = static_cast<int>(a.k.shape[2]);
  if (t == 0) return Status::Ok();
  return KT_DISPATCH_FLOAT(a.k.dtype, "kv_append", [&] {
    const bool vec = d % 8 == 0 && RowsVectorizable(a.k) && RowsVectorizable(a.v) &&
                     Aligned16(a.k_cache.data) && Aligned16(a.v_cache.data);
    KvAppendKernel<T><<<t, 128, 0, ctx.stream>>>(
        a.k.ptr<T>(), a.k.stride[0], a.k.stride[1], a.v.ptr<T>(), a.v.stride[0], a.v.stride[1],
        a.slot_mapping.ptr<int32_t>(), a.k_cache.ptr<T>(), a.v_cache.ptr<T>(),
        a.k_cache.shape[0] * a.k_cache.shape[1], hk, d, vec);
    KT_CUDA_RETURN_IF_LAUNCH_ERROR("kv_append");
    return Status::Ok();
  });
}

}  // namespace kt::kernels::cuda
