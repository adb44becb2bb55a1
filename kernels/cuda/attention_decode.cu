// Single-token attention over the paged KV cache (FlashDecoding-style split-K).
//
// Grid (split, kv head, sequence). A CTA owns one KV head of one sequence and the G query
// heads that share it (GQA: each K/V row is read from memory once for the whole group), and a
// contiguous slice of the context. Inside the CTA, lanes form groups of kLanes (16 for D = 96
// and 128, 8 for D = 64); each group handles one token per step, each lane 8 elements (one
// 16-byte load of K and of V), and kUnroll steps' loads are issued before any is used, so a
// warp keeps several KiB in flight. Scores are reduced inside the lane group with shuffles,
// softmax is online in base 2 (scale * log2(e) folded into q), and the lane groups and warps
// of the CTA are merged through shared memory. With one split the CTA writes the output; with
// several, it writes (o / l, log2-sum-exp) partials to scratch and a second kernel merges them.
#include <algorithm>
#include <cmath>
#include <string>

#include "kernels/cuda/cuda_status.h"
#include "kernels/cuda/device_util.cuh"
#include "kernels/cuda/launch.h"

namespace kt::kernels::cuda {
namespace {

constexpr int kDecodeWarps = 4;
constexpr int kDecodeThreads = kDecodeWarps * 32;
constexpr int kDecodeUnroll = 4;
constexpr int kSplitsMax = 256;
constexpr int kPartitionMinTokens = 128;
// Splitting pays only while (sequence, KV head) CTAs are fewer than the SMs; then it aims at
// kCtasPerSmTarget CTAs per SM. On an H100 (2026-11-27): one sequence of 32 heads at 4k went
// from 42% of copy bandwidth (8 splits) to 54% (32 splits of 128 tokens); 64-token splits lost
// (GQA 8 KV heads: 25% -> 19%), and splitting 16 x 32 heads at 4k 3 ways lost 83% -> 77%.
constexpr int kCtasPerSmTarget = 8;
constexpr float kLog2e = 1.4426950408889634f;

struct DecodeParams {
  const void* q;
  int64_t qs0, qs1;
  const void* k_cache;
  const void* v_cache;
  const int32_t* block_tables;
  int64_t bt_stride;
  const int32_t* context_lens;
  void* out;
  int64_t os0, os1;
  float* part_o;    // [B, Hq, splits, D] when splits > 1
  float* part_lse;  // [B, Hq, splits]
  int hq, hk, group, block_size, partition, splits, window_left;
  float scale_log2;
};

__device__ __forceinline__ float Exp2(float x) { return exp2f(x); }

template <typename T, int D, int G>
__global__ void __launch_bounds__(kDecodeThreads) PagedDecodeKernel(DecodeParams p) {
  constexpr int kParts = D / 8;  // 16-byte pieces of a row
  constexpr int kLanes = kParts <= 8 ? 8 : (kParts <= 16 ? 16 : 32);
  constexpr int kGroups = 32 / kLanes;  // tokens per warp step
  static_assert(kParts <= kLanes, "head dim too large for one lane group");

  const int split = blockIdx.x, kvh = blockIdx.y, b = blockIdx.z;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int sub = lane / kLanes, part = lane % kLanes;
  const bool part_active = part < kParts;

  const int len = p.context_lens[b];
  const int first = p.window_left >= 0 ? max(0, len - 1 - p.window_left) : 0;
  const int begin = max(first, split * p.partition);
  const int end = min(len, (split + 1) * p.partition);

  // q of the group's heads: this lane's 8 elements, pre-scaled.
  float qf[G][8];
#pragma unroll
  for (int g = 0; g < G; ++g) {
    const int h = kvh * p.group + g;
#pragma unroll
    for (int j = 0; j < 8; ++j) qf[g][j] = 0.0f;
    if (g < p.group && part_active) {
      Load8(static_cast<const T*>(p.q) + b * p.qs0 + h * p.qs1 + part * 8, qf[g]);
#pragma unroll
      for (int j = 0; j < 8; ++j) qf[g][j] *= p.scale_log2;
    }
  }
  float m[G], l[G], acc[G][8];
#pragma unroll
  for (int g = 0; g < G; ++g) {
    m[g] = -INFINITY;
    l[g] = 0.0f;
#pragma unroll
    for (int j = 0; j < 8; ++j) acc[g][j] = 0.0f;
  }

  const T* kc = static_cast<const T*>(p.k_cache);
  const T* vc = static_cast<const T*>(p.v_cache);
  const int32_t* table = p.block_tables + b * p.bt_stride;
  constexpr int kStep = kDecodeWarps * kGroups * kDecodeUnroll;
  for (int base = begin + (warp * kGroups * kDecodeUnroll); base < end; base += kStep) {
    uint4 kr[kDecodeUnroll], vr[kDecodeUnroll];
    bool valid[kDecodeUnroll];
#pragma unroll
    for (int u = 0; u < kDecodeUnroll; ++u) {
      const int t = base + u * kGroups + sub;
      valid[u] = t < end;
      kr[u] = make_uint4(0, 0, 0, 0);
      vr[u] = make_uint4(0, 0, 0, 0);
      if (valid[u] && part_active) {
        const int64_t page = table[t / p.block_size];
        const int64_t row = (page * p.block_size + t % p.block_size) * p.hk + kvh;
        kr[u] = __ldg(reinterpret_cast<const uint4*>(kc + row * D + part * 8));
        vr[u] = __ldg(reinterpret_cast<const uint4*>(vc + row * D + part * 8));
      }
    }
#pragma unroll
    for (int u = 0; u < kDecodeUnroll; ++u) {
      float kf[8], vf[8];
      Unpack8<T>(kr[u], kf);
      Unpack8<T>(vr[u], vf);
#pragma unroll
      for (int g = 0; g < G; ++g) {
        float s = 0.0f;
#pragma unroll
        for (int j = 0; j < 8; ++j) s = fmaf(qf[g][j], kf[j], s);
#pragma unroll
        for (int o = kLanes / 2; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
        if (!valid[u]) s = -INFINITY;
        const float m_new = fmaxf(m[g], s);
        const float alpha = m[g] == -INFINITY ? 0.0f : Exp2(m[g] - m_new);
        const float pr = s == -INFINITY ? 0.0f : Exp2(s - m_new);
        m[g] = m_new;
        l[g] = l[g] * alpha + pr;
#pragma unroll
        for (int j = 0; j < 8; ++j) acc[g][j] = acc[g][j] * alpha + pr * vf[j];
      }
    }
  }

  // Merge the kDecodeWarps * kGroups partial softmaxes of the CTA.
  constexpr int kPartials = kDecodeWarps * kGroups;
  __shared__ float sm_m[kPartials][G], sm_l[kPartials][G];
  __shared__ float sm_o[kPartials][G][D];
  const int pi = warp * kGroups + sub;
#pragma unroll
  for (int g = 0; g < G; ++g) {
    if (part == 0) {
      sm_m[pi][g] = m[g];
      sm_l[pi][g] = l[g];
    }
    if (part_active) {
#pragma unroll
      for (int j = 0; j < 8; ++j) sm_o[pi][g][part * 8 + j] = acc[g][j];
    }
  }
  __syncthreads();
  for (int e = threadIdx.x; e < G * D; e += kDecodeThreads) {
    const int g = e / D, dd = e % D;
    if (g >= p.group) continue;
    float mx = -INFINITY;
#pragma unroll
    for (int i = 0; i < kPartials; ++i) mx = fmaxf(mx, sm_m[i][g]);
    float lsum = 0.0f, o = 0.0f;
    if (mx != -INFINITY) {
#pragma unroll
      for (int i = 0; i < kPartials; ++i) {
        const float w = sm_m[i][g] == -INFINITY ? 0.0f : Exp2(sm_m[i][g] - mx);
        lsum += sm_l[i][g] * w;
        o += sm_o[i][g][dd] * w;
      }
    }
    const int h = kvh * p.group + g;
    if (p.splits == 1) {
      const float v = lsum > 0.0f ? o / lsum : 0.0f;
      static_cast<T*>(p.out)[b * p.os0 + h * p.os1 + dd] = FromF<T>(v);
    } else {
      const int64_t idx = (static_cast<int64_t>(b) * p.hq + h) * p.splits + split;
      p.part_o[idx * D + dd] = lsum > 0.0f ? o / lsum : 0.0f;
      if (dd == 0) p.part_lse[idx] = lsum > 0.0f ? mx + log2f(lsum) : -INFINITY;
    }
  }
}

// Merges the splits of one (sequence, query head): out = sum_s o_s * 2^(lse_s - LSE).
template <typename T, int D>
__global__ void DecodeCombineKernel(DecodeParams p) {
  const int h = blockIdx.x, b = blockIdx.y;
  const int64_t base = (static_cast<int64_t>(b) * p.hq + h) * p.splits;
  __shared__ float weights[kSplitsMax];
  __shared__ float total;
  if (threadIdx.x == 0) {
    float mx = -INFINITY;
    for (int s = 0; s < p.splits; ++s) mx = fmaxf(mx, p.part_lse[base + s]);
    float sum = 0.0f;
    for (int s = 0; s < p.splits; ++s) {
      const float lse = p.part_lse[base + s];
      weights[s] = lse == -INFINITY ? 0.0f : Exp2(lse - mx);
      sum += weights[s];
    }
    total = sum;
  }
  __syncthreads();
  for (int dd = threadIdx.x; dd < D; dd += blockDim.x) {
    float o = 0.0f;
    for (int s = 0; s < p.splits; ++s) {
      if (weights[s] != 0.0f) o += weights[s] * p.part_o[(base + s) * D + dd];
    }
    const float v = total > 0.0f ? o / total : 0.0f;
    static_cast<T*>(p.out)[b * p.os0 + h * p.os1 + dd] = FromF<T>(v);
  }
}

struct SplitPlan {
  int splits;
  int partition;
};

// One split when the (sequence, KV head) CTAs already cover the SMs; else about
// kCtasPerSmTarget CTAs per SM, each with at least kPartitionMinTokens tokens.
SplitPlan PlanSplits(const AttentionDecodeArgs& a, int sm_count) {
  const int64_t batch = a.q.shape[0], hk = a.k_cache.shape[2];
  const int ctx = std::max(1, a.max_context_len);
  const int64_t ctas = std::max<int64_t>(1, batch * hk);
  if (ctas >= sm_count) return {1, ctx};
  int splits = static_cast<int>(
      std::clamp<int64_t>((kCtasPerSmTarget * sm_count + ctas - 1) / ctas, 1, kSplitsMax));
  splits = std::min(splits, std::max(1, (ctx + kPartitionMinTokens - 1) / kPartitionMinTokens));
  int partition = (ctx + splits - 1) / splits;
  partition = (partition + 63) / 64 * 64;
  splits = (ctx + partition - 1) / partition;
  return {std::max(1, splits), partition};
}

template <typename T, int D, int G>
Status LaunchTyped(const DecodeParams& p, int batch, cudaStream_t stream) {
  dim3 grid(p.splits, p.hk, batch);
  PagedDecodeKernel<T, D, G><<<grid, kDecodeThreads, 0, stream>>>(p);
  KT_CUDA_RETURN_IF_LAUNCH_ERROR("paged_decode");
  if (p.splits > 1) {
    DecodeCombineKernel<T, D><<<dim3(p.hq, batch), std::min(D, 128), 0, stream>>>(p);
    KT_CUDA_RETURN_IF_LAUNCH_ERROR("paged_decode_combine");
  }
  return Status::Ok();
}

template <typename T, int D>
Status LaunchForGroup(const DecodeParams& p, int batch, cudaStream_t stream) {
  if (p.group <= 1) return LaunchTyped<T, D, 1>(p, batch, stream);
  if (p.group <= 2) return LaunchTyped<T, D, 2>(p, batch, stream);
  if (p.group <= 4) return LaunchTyped<T, D, 4>(p, batch, stream);
  if (p.group <= 8) return LaunchTyped<T, D, 8>(p, batch, stream);
  return Unsupported("cuda attention_decode: more than 8 query heads per KV head");
}

}  // namespace

size_t ScratchBytesForDecode(const AttentionDecodeArgs& a, int sm_count) {
  const SplitPlan plan = PlanSplits(a, sm_count);
  if (plan.splits <= 1) return 0;
  const size_t rows = static_cast<size_t>(a.q.shape[0]) * a.q.shape[1] * plan.splits;
  return rows * (a.q.shape[2] + 1) * sizeof(float) + 256;
}

Status LaunchAttentionDecode(const AttentionDecodeArgs& a, const LaunchContext& ctx) {
  const DType t = a.q.dtype;
  if (t != DType::kBF16 || a.k_cache.dtype != t || a.out.dtype != t) {
    return Unsupported("cuda attention_decode: q, cache and out must all be bf16");
  }
  const int d = static_cast<int>(a.q.shape[2]);
  if (d != 64 && d != 96 && d != 128) {
    return Unsupported("cuda attention_decode: head dim " + std::to_string(d) +
                       " (implemented: 64, 96, 128)");
  }
  if (!RowsVectorizable(a.q) || !Aligned16(a.k_cache.data) || !Aligned16(a.v_cache.data)) {
    return Unsupported("cuda attention_decode: q and caches must be 16-byte aligned");
  }
  const int batch = static_cast<int>(a.q.shape[0]);
  if (batch == 0) return Status::Ok();
  const SplitPlan plan = PlanSplits(a, ctx.sm_count);
  DecodeParams p{};
  p.q = a.q.data;
  p.qs0 = a.q.stride[0];
  p.qs1 = a.q.stride[1];
  p.k_cache = a.k_cache.data;
  p.v_cache = a.v_cache.data;
  p.block_tables = a.block_tables.ptr<int32_t>();
  p.bt_stride = a.block_tables.stride[0];
  p.context_lens = a.context_lens.ptr<int32_t>();
  p.out = a.out.data;
  p.os0 = a.out.stride[0];
  p.os1 = a.out.stride[1];
  p.hq = static_cast<int>(a.q.shape[1]);
  p.hk = static_cast<int>(a.k_cache.shape[2]);
  p.group = p.hq / p.hk;
  p.block_size = static_cast<int>(a.k_cache.shape[1]);
  p.partition = plan.partition;
  p.splits = plan.splits;
  p.window_left = a.window_left;
  const float scale = a.scale > 0.0f ? a.scale : 1.0f / std::sqrt(static_cast<float>(d));
  p.scale_log2 = scale * kLog2e;
  if (p.splits > 1) {
    const size_t need = ScratchBytesForDecode(a, ctx.sm_count);
    if (ctx.scratch == nullptr || ctx.scratch_bytes < need) {
      return Internal("cuda attention_decode: scratch of " + std::to_string(need) +
                      " bytes not provided");
    }
    p.part_o = static_cast<float*>(ctx.scratch);
    const size_t rows = static_cast<size_t>(batch) * p.hq * p.splits;
    p.part_lse = p.part_o + rows * d;
  }
  auto by_dim = [&](auto tag) -> Status {
    using T = decltype(tag);
    switch (d) {
      case 64:
        return LaunchForGroup<T, 64>(p, batch, ctx.stream);
      case 96:
        return LaunchForGroup<T, 96>(p, batch, ctx.stream);
      default:
        return LaunchForGroup<T, 128>(p, batch, ctx.stream);
    }
  };
  return by_dim(bf16{});
}

}  // namespace kt::kernels::cuda
