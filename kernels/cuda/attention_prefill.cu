// Prefill attention over packed variable-length sequences (see AttentionPrefillArgs).
//
// Fast path (bf16, head dim 64/96/128, 16-byte aligned rows; the mma helpers also take f16,
// not instantiated to keep compile time down): FlashAttention-2 style.
// A CTA of 4 warps owns 64 query rows of one head of one sequence (16 rows per warp) and walks
// the visible key range in tiles of 64 keys:
//   * Q, K and V tiles are copied global -> shared with cp.async (16-byte, zero-filled past
//     the sequence), K/V double-buffered so tile j+1 loads while tile j computes; shared rows
//     are padded by 16 bytes so ldmatrix reads are bank-conflict free for every head dim;
//   * S = Q K^T and O += P V on tensor cores with mma.sync m16n8k16 (fp32 accumulate); Q stays
//     in registers, P is re-packed from the S accumulators into A fragments (no shared trip);
//   * online softmax in base 2 per row (scale * log2 e folded in), masks applied only to the
//     tiles that touch the causal diagonal, the window edge or the sequence end;
//   * causal CTAs skip fully masked tiles; heavy (late) query tiles are scheduled first.
// P is rounded to the input dtype before the PV product (as FlashAttention does).
//
// Portable path (any float dtype, head dim <= 256, any alignment): one warp per (query row,
// head) with an online softmax over keys one at a time; slow but simple, and what
// BackendOptions::force_portable_kernels selects to cross-check the fast path.
#include <algorithm>
#include <cmath>
#include <string>

#include "kernels/cuda/cuda_status.h"
#include "kernels/cuda/device_util.cuh"
#include "kernels/cuda/launch.h"

namespace kt::kernels::cuda {
namespace {

constexpr float kLog2e = 1.4426950408889634f;

struct PrefillParams {
  const void* q;
  const void* k;
  const void* v;
  void* out;
  int64_t qs0, qs1, ks0, ks1, vs0, vs1, os0, os1;
  const int32_t* cu_q;
  const int32_t* cu_k;
  int hq, group;
  int causal, window_left;
  float scale_log2;
};

// Visible-key test shared by both paths (key n, query at position p).
__device__ __forceinline__ bool Visible(int n, int p, int lk, const PrefillParams& prm) {
  return n < lk && (!prm.causal || n <= p) && (prm.window_left < 0 || n >= p - prm.window_left);
}

// ---- tensor-core path -----------------------------------------------------------------------

constexpr int kBr = 64;  // query rows per CTA
constexpr int kBc = 64;  // keys per tile
constexpr int kWarps = 4;
constexpr int kThreads = kWarps * 32;

__device__ __forceinline__ uint32_t SmemAddr(const void* p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

__device__ __forceinline__ void CpAsync16(void* smem, const void* gmem, bool valid) {
  const int bytes = valid ? 16 : 0;  // 0: zero-fill the 16 bytes, read nothing
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(SmemAddr(smem)), "l"(gmem),
               "r"(bytes));
}
__device__ __forceinline__ void CpAsyncCommit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N>
__device__ __forceinline__ void CpAsyncWait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
}

__device__ __forceinline__ void LdMatrixX4(uint32_t (&r)[4], const void* smem) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(SmemAddr(smem)));
}
__device__ __forceinline__ void LdMatrixX4Trans(uint32_t (&r)[4], const void* smem) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(SmemAddr(smem)));
}

// D (16x8 f32) += A (16x16, row) * B (16x8, col).
template <typename T>
__device__ __forceinline__ void Mma16816(float (&d)[4], const uint32_t (&a)[4], uint32_t b0,
                                         uint32_t b1) {
  if constexpr (std::is_same_v<T, bf16>) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, "
        "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  } else {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, "
        "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  }
}

// Two floats -> one register of two 16-bit values (lo in the low half).
template <typename T>
__device__ __forceinline__ uint32_t Pack2(float lo, float hi) {
  uint32_t r;
  if constexpr (std::is_same_v<T, bf16>) {
    __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
    r = *reinterpret_cast<uint32_t*>(&v);
  } else {
    __half2 v = __floats2half2_rn(lo, hi);
    r = *reinterpret_cast<uint32_t*>(&v);
  }
  return r;
}

template <int D>
struct SmemLayout {
  static constexpr int kRow = D + 8;  // padded row (elements): odd number of 16-byte units
  static constexpr int kQ = kBr * kRow;
  static constexpr int kKV = kBc * kRow;
  static constexpr int kElems = kQ + 4 * kKV;  // Q, K[2], V[2]
};

template <typename T, int D>
__global__ void __launch_bounds__(kThreads) FlashPrefillKernel(PrefillParams prm) {
  using L = SmemLayout<D>;
  constexpr int kChunks = D / 8;    // 16-byte chunks per row
  constexpr int kKSteps = D / 16;   // k-steps of S = Q K^T
  constexpr int kNTiles = kBc / 8;  // n8 tiles of S
  constexpr int kDTiles = D / 8;    // n8 tiles of O
  extern __shared__ __align__(16) unsigned char smem_raw[];
  T* sq = reinterpret_cast<T*>(smem_raw);
  T* sk = sq + L::kQ;       // two stages
  T* sv = sk + 2 * L::kKV;  // two stages

  const int h = blockIdx.y, b = blockIdx.z;
  const int kvh = h / prm.group;
  const int q0 = prm.cu_q[b], lq = prm.cu_q[b + 1] - q0;
  const int k0 = prm.cu_k[b], lk = prm.cu_k[b + 1] - k0;
  const int m0 = (gridDim.x - 1 - blockIdx.x) * kBr;  // heavy tiles first
  if (m0 >= lq) return;
  const int rows = min(kBr, lq - m0);
  const int p_first = lk - lq + m0, p_last = lk - lq + m0 + rows - 1;
  int n_lo = prm.window_left >= 0 ? max(0, p_first - prm.window_left) : 0;
  int n_hi = prm.causal ? min(lk, p_last + 1) : lk;
  n_lo = (n_lo / kBc) * kBc;
  const int tiles = n_hi > n_lo ? (n_hi - n_lo + kBc - 1) / kBc : 0;

  const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
  const int g = lane >> 2, t4 = lane & 3;
  const T* qg = static_cast<const T*>(prm.q);
  const T* kg = static_cast<const T*>(prm.k);
  const T* vg = static_cast<const T*>(prm.v);

  // Q tile.
  for (int c = tid; c < kBr * kChunks; c += kThreads) {
    const int r = c / kChunks, col = (c % kChunks) * 8;
    const bool ok = r < rows;
    const T* src = ok ? qg + (q0 + m0 + r) * prm.qs0 + h * prm.qs1 + col : qg;
    CpAsync16(sq + r * L::kRow + col, src, ok);
  }
  auto load_kv = [&](int tile, int stage) {
    const int n0 = n_lo + tile * kBc;
    T* dk = sk + stage * L::kKV;
    T* dv = sv + stage * L::kKV;
    for (int c = tid; c < kBc * kChunks; c += kThreads) {
      const int r = c / kChunks, col = (c % kChunks) * 8;
      const bool ok = n0 + r < lk;
      const T* srck = ok ? kg + (k0 + n0 + r) * prm.ks0 + kvh * prm.ks1 + col : kg;
      const T* srcv = ok ? vg + (k0 + n0 + r) * prm.vs0 + kvh * prm.vs1 + col : vg;
      CpAsync16(dk + r * L::kRow + col, srck, ok);
      CpAsync16(dv + r * L::kRow + col, srcv, ok);
    }
  };
  if (tiles > 0) load_kv(0, 0);
  CpAsyncCommit();

  uint32_t qa[kKSteps][4];
  float o[kDTiles][4];
#pragma unroll
  for (int i = 0; i < kDTiles; ++i) o[i][0] = o[i][1] = o[i][2] = o[i][3] = 0.0f;
  float m_row[2] = {-INFINITY, -INFINITY}, l_row[2] = {0.0f, 0.0f};
  // This thread's two rows (within the sequence) and their positions.
  const int r_a = m0 + warp * 16 + g, r_b = r_a + 8;
  const int pos[2] = {lk - lq + r_a, lk - lq + r_b};

  for (int j = 0; j < tiles; ++j) {
    const int stage = j & 1;
    if (j + 1 < tiles) {
      load_kv(j + 1, stage ^ 1);
      CpAsyncCommit();
      CpAsyncWait<1>();
    } else {
      CpAsyncWait<0>();
    }
    __syncthreads();
    if (j == 0) {
#pragma unroll
      for (int kk = 0; kk < kKSteps; ++kk) {
        const int mi = lane >> 3, r = lane & 7;
        const T* p = sq + (warp * 16 + (mi & 1) * 8 + r) * L::kRow + kk * 16 + (mi >> 1) * 8;
        LdMatrixX4(qa[kk], p);
      }
    }
    const T* ks = sk + stage * L::kKV;
    const T* vs = sv + stage * L::kKV;

    // S = Q K^T for this warp's 16 rows and the tile's 64 keys.
    float s[kNTiles][4];
#pragma unroll
    for (int i = 0; i < kNTiles; ++i) s[i][0] = s[i][1] = s[i][2] = s[i][3] = 0.0f;
#pragma unroll
    for (int kk = 0; kk < kKSteps; ++kk) {
#pragma unroll
      for (int nt = 0; nt < kNTiles; nt += 2) {
        uint32_t bk[4];
        const int mi = lane >> 3, r = lane & 7;
        LdMatrixX4(bk, ks + (nt * 8 + (mi >> 1) * 8 + r) * L::kRow + kk * 16 + (mi & 1) * 8);
        Mma16816<T>(s[nt], qa[kk], bk[0], bk[1]);
        Mma16816<T>(s[nt + 1], qa[kk], bk[2], bk[3]);
      }
    }

    // Scale, mask where the tile crosses an edge, online softmax.
    const int n0 = n_lo + j * kBc;
    const bool edge = n0 + kBc > lk || (prm.causal && n0 + kBc - 1 > p_first) ||
                      (prm.window_left >= 0 && n0 < p_last - prm.window_left) || m0 + kBr > lq;
    float row_max[2] = {-INFINITY, -INFINITY};
#pragma unroll
    for (int nt = 0; nt < kNTiles; ++nt) {
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const int half = e >> 1;  // 0: row g, 1: row g + 8
        float v = s[nt][e] * prm.scale_log2;
        if (edge) {
          const int n = n0 + nt * 8 + 2 * t4 + (e & 1);
          if (!Visible(n, pos[half], lk, prm)) v = -INFINITY;
        }
        s[nt][e] = v;
        row_max[half] = fmaxf(row_max[half], v);
      }
    }
    float scale_old[2], m_use[2];
#pragma unroll
    for (int hlf = 0; hlf < 2; ++hlf) {
      float mx = row_max[hlf];
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
      const float m_new = fmaxf(m_row[hlf], mx);
      m_use[hlf] = m_new == -INFINITY ? 0.0f : m_new;
      scale_old[hlf] = exp2f(m_row[hlf] - m_use[hlf]);  // 0 when m_row is -inf
      m_row[hlf] = m_new;
    }
    float row_sum[2] = {0.0f, 0.0f};
#pragma unroll
    for (int nt = 0; nt < kNTiles; ++nt) {
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const float p = exp2f(s[nt][e] - m_use[e >> 1]);
        s[nt][e] = p;
        row_sum[e >> 1] += p;
      }
    }
#pragma unroll
    for (int hlf = 0; hlf < 2; ++hlf) l_row[hlf] = l_row[hlf] * scale_old[hlf] + row_sum[hlf];
#pragma unroll
    for (int dt = 0; dt < kDTiles; ++dt) {
      o[dt][0] *= scale_old[0];
      o[dt][1] *= scale_old[0];
      o[dt][2] *= scale_old[1];
      o[dt][3] *= scale_old[1];
    }

    // O += P V: P's accumulators become A fragments, V comes in transposed with ldmatrix.
#pragma unroll
    for (int kk = 0; kk < kBc / 16; ++kk) {
      uint32_t pa[4];
      pa[0] = Pack2<T>(s[2 * kk][0], s[2 * kk][1]);
      pa[1] = Pack2<T>(s[2 * kk][2], s[2 * kk][3]);
      pa[2] = Pack2<T>(s[2 * kk + 1][0], s[2 * kk + 1][1]);
      pa[3] = Pack2<T>(s[2 * kk + 1][2], s[2 * kk + 1][3]);
#pragma unroll
      for (int dt = 0; dt < kDTiles; dt += 2) {
        uint32_t bv[4];
        const int mi = lane >> 3, r = lane & 7;
        LdMatrixX4Trans(bv, vs + (kk * 16 + (mi & 1) * 8 + r) * L::kRow + dt * 8 + (mi >> 1) * 8);
        Mma16816<T>(o[dt], pa, bv[0], bv[1]);
        Mma16816<T>(o[dt + 1], pa, bv[2], bv[3]);
      }
    }
    __syncthreads();  // the stage is overwritten by the load issued in iteration j + 1
  }
  CpAsyncWait<0>();

  // Normalise and store this thread's two rows.
  T* og = static_cast<T*>(prm.out);
#pragma unroll
  for (int hlf = 0; hlf < 2; ++hlf) {
    float l = l_row[hlf];
    l += __shfl_xor_sync(0xffffffffu, l, 1);
    l += __shfl_xor_sync(0xffffffffu, l, 2);
    const float inv = l > 0.0f ? 1.0f / l : 0.0f;
    const int r = hlf == 0 ? r_a : r_b;
    if (r < lq) {
      T* dst = og + (q0 + r) * prm.os0 + h * prm.os1 + 2 * t4;
#pragma unroll
      for (int dt = 0; dt < kDTiles; ++dt) {
        *reinterpret_cast<uint32_t*>(dst + dt * 8) =
            Pack2<T>(o[dt][2 * hlf] * inv, o[dt][2 * hlf + 1] * inv);
      }
    }
  }
}

// ---- portable path --------------------------------------------------------------------------

constexpr int kPortableWarps = 4;
constexpr int kPortableDMax = 256;

// One warp per (query row, head): lane i owns elements i, i + 32, ... of the head.
template <typename T>
__global__ void PortablePrefillKernel(PrefillParams prm, int d) {
  constexpr int kPer = kPortableDMax / 32;
  const int h = blockIdx.y, b = blockIdx.z;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int q0 = prm.cu_q[b], lq = prm.cu_q[b + 1] - q0;
  const int k0 = prm.cu_k[b], lk = prm.cu_k[b + 1] - k0;
  const int i = blockIdx.x * kPortableWarps + warp;
  if (i >= lq) return;
  const int kvh = h / prm.group;
  const int p = lk - lq + i;
  const T* qg = static_cast<const T*>(prm.q) + (q0 + i) * prm.qs0 + h * prm.qs1;
  float q[kPer], acc[kPer];
#pragma unroll
  for (int e = 0; e < kPer; ++e) {
    const int c = lane + 32 * e;
    q[e] = c < d ? ToF(qg[c]) * prm.scale_log2 : 0.0f;
    acc[e] = 0.0f;
  }
  float m = -INFINITY, l = 0.0f;
  const int n_lo = prm.window_left >= 0 ? max(0, p - prm.window_left) : 0;
  const int n_hi = prm.causal ? min(lk, p + 1) : lk;
  for (int n = n_lo; n < n_hi; ++n) {
    const T* kr = static_cast<const T*>(prm.k) + (k0 + n) * prm.ks0 + kvh * prm.ks1;
    const T* vr = static_cast<const T*>(prm.v) + (k0 + n) * prm.vs0 + kvh * prm.vs1;
    float s = 0.0f;
#pragma unroll
    for (int e = 0; e < kPer; ++e) {
      const int c = lane + 32 * e;
      if (c < d) s = fmaf(q[e], ToF(kr[c]), s);
    }
    s = WarpSum(s);
    const float m_new = fmaxf(m, s);
    const float alpha = exp2f(m - m_new);  // m = -inf on the first key: 0
    const float pr = exp2f(s - m_new);
    l = l * alpha + pr;
#pragma unroll
    for (int e = 0; e < kPer; ++e) {
      const int c = lane + 32 * e;
      acc[e] = acc[e] * alpha + (c < d ? pr * ToF(vr[c]) : 0.0f);
    }
    m = m_new;
  }
  T* og = static_cast<T*>(prm.out) + (q0 + i) * prm.os0 + h * prm.os1;
  const float inv = l > 0.0f ? 1.0f / l : 0.0f;
#pragma unroll
  for (int e = 0; e < kPer; ++e) {
    const int c = lane + 32 * e;
    if (c < d) og[c] = FromF<T>(acc[e] * inv);
  }
}

template <typename T, int D>
Status LaunchFlash(const PrefillParams& prm, int max_q, int batch, cudaStream_t stream) {
  constexpr size_t kSmem = SmemLayout<D>::kElems * sizeof(T);
  static const cudaError_t attr = cudaFuncSetAttribute(
      FlashPrefillKernel<T, D>, cudaFuncAttributeMaxDynamicSharedMemorySize, kSmem);
  KT_CUDA_RETURN_IF_ERROR(attr);
  dim3 grid(CeilDiv(max_q, kBr), prm.hq, batch);
  FlashPrefillKernel<T, D><<<grid, kThreads, kSmem, stream>>>(prm);
  KT_CUDA_RETURN_IF_LAUNCH_ERROR("flash_prefill");
  return Status::Ok();
}

template <typename T>
Status LaunchPortable(const PrefillParams& prm, int d, int max_q, int batch, cudaStream_t stream) {
  dim3 grid(CeilDiv(max_q, kPortableWarps), prm.hq, batch);
  PortablePrefillKernel<T><<<grid, kPortableWarps * 32, 0, stream>>>(prm, d);
  KT_CUDA_RETURN_IF_LAUNCH_ERROR("portable_prefill");
  return Status::Ok();
}

}  // namespace

Status LaunchAttentionPrefill(const AttentionPrefillArgs& a, const LaunchContext& ctx) {
  const DType t = a.q.dtype;
  if (a.k.dtype != t || a.v.dtype != t || a.out.dtype != t) {
    return Unsupported("cuda attention_prefill: q, k, v and out must share one dtype");
  }
  const int d = static_cast<int>(a.q.shape[2]);
  if (d > kPortableDMax) return Unsupported("cuda attention_prefill: head dim above 256");
  const int batch = static_cast<int>(a.cu_seqlens_q.shape[0] - 1);
  if (batch <= 0 || a.max_seqlen_q == 0) return Status::Ok();
  PrefillParams prm{};
  prm.q = a.q.data;
  prm.k = a.k.data;
  prm.v = a.v.data;
  prm.out = a.out.data;
  prm.qs0 = a.q.stride[0];
  prm.qs1 = a.q.stride[1];
  prm.ks0 = a.k.stride[0];
  prm.ks1 = a.k.stride[1];
  prm.vs0 = a.v.stride[0];
  prm.vs1 = a.v.stride[1];
  prm.os0 = a.out.stride[0];
  prm.os1 = a.out.stride[1];
  prm.cu_q = a.cu_seqlens_q.ptr<int32_t>();
  prm.cu_k = a.cu_seqlens_k.ptr<int32_t>();
  prm.hq = static_cast<int>(a.q.shape[1]);
  prm.group = prm.hq / static_cast<int>(a.k.shape[1]);
  prm.causal = a.causal ? 1 : 0;
  prm.window_left = a.window_left;
  const float scale = a.scale > 0.0f ? a.scale : 1.0f / std::sqrt(static_cast<float>(d));
  prm.scale_log2 = scale * kLog2e;

  const bool tensor_cores = !ctx.portable && t == DType::kBF16 &&
                            (d == 64 || d == 96 || d == 128) && RowsVectorizable(a.q) &&
                            RowsVectorizable(a.k) && RowsVectorizable(a.v) &&
                            RowsVectorizable(a.out);
  if (tensor_cores) {
    auto by_dim = [&](auto tag) -> Status {
      using T = decltype(tag);
      switch (d) {
        case 64:
          return LaunchFlash<T, 64>(prm, a.max_seqlen_q, batch, ctx.stream);
        case 96:
          return LaunchFlash<T, 96>(prm, a.max_seqlen_q, batch, ctx.stream);
        default:
          return LaunchFlash<T, 128>(prm, a.max_seqlen_q, batch, ctx.stream);
      }
    };
    return by_dim(bf16{});
  }
  return KT_DISPATCH_FLOAT(t, "attention_prefill", [&] {
    return LaunchPortable<T>(prm, d, a.max_seqlen_q, batch, ctx.stream);
  });
}

}  // namespace kt::kernels::cuda
