// Device sampling and logit penalties (see SampleArgs / PenaltiesArgs and docs/kernels.md).
//
// One CTA per row. The row is never sorted: thresholds are found by radix selection on the
// order-preserving integer keys of z = logits / temperature (kernels/sampling_math.h), eight
// bits per pass, with integer histograms (counts for top-k, fixed-point weights for top-p; one
// shared atomic per distinct bin of a warp), so every reduction is exact and deterministic. The draw walks the survivors in vocabulary order
// with one block-wide exclusive scan over per-thread segment weights. This is the same
// algorithm as the CPU reference, which finds the thresholds by sorting.
#include <cmath>
#include <string>

#include "kernels/cuda/cuda_status.h"
#include "kernels/cuda/device_util.cuh"
#include "kernels/cuda/launch.h"
#include "kernels/philox.h"
#include "kernels/sampling_math.h"

namespace kt::kernels::cuda {
namespace {

constexpr int kSampleThreads = 512;
constexpr int kSampleWarps = kSampleThreads / 32;

struct SampleParams {
  const void* logits;
  int64_t ls;
  int vocab;
  const float* temperature;
  const int32_t* top_k;
  const float* top_p;
  const int64_t* seed;
  const int64_t* offset;
  int32_t* out_tokens;
  float* out_logprobs;
  int top_n;
  int32_t* out_top_tokens;
  int64_t tts;
  float* out_top_logprobs;
  int64_t tls;
};

struct Shared {
  unsigned long long hist[256];
  unsigned long long warp_u64[kSampleWarps];
  float warp_f[kSampleWarps];
  int warp_i[kSampleWarps];
  unsigned long long seg_prefix[kSampleThreads];
  unsigned int digit;
  unsigned long long above;
  int token;
};

__device__ __forceinline__ unsigned long long WarpSumU64(unsigned long long v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

__device__ unsigned long long BlockSumU64(unsigned long long v, Shared& sh) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  v = WarpSumU64(v);
  __syncthreads();
  if (lane == 0) sh.warp_u64[warp] = v;
  __syncthreads();
  unsigned long long t = lane < kSampleWarps ? sh.warp_u64[lane] : 0ull;
  return WarpSumU64(t);
}

// Max value, lowest index on ties; every thread gets the winner.
__device__ void BlockArgMax(float& v, int& idx, Shared& sh) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    const float ov = __shfl_xor_sync(0xffffffffu, v, o);
    const int oi = __shfl_xor_sync(0xffffffffu, idx, o);
    if (ov > v || (ov == v && oi < idx)) {
      v = ov;
      idx = oi;
    }
  }
  __syncthreads();
  if (lane == 0) {
    sh.warp_f[warp] = v;
    sh.warp_i[warp] = idx;
  }
  __syncthreads();
  v = lane < kSampleWarps ? sh.warp_f[lane] : -INFINITY;
  idx = lane < kSampleWarps ? sh.warp_i[lane] : 0x7fffffff;
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    const float ov = __shfl_xor_sync(0xffffffffu, v, o);
    const int oi = __shfl_xor_sync(0xffffffffu, idx, o);
    if (ov > v || (ov == v && oi < idx)) {
      v = ov;
      idx = oi;
    }
  }
}

template <typename T>
__device__ __forceinline__ float Logit(const SampleParams& p, int64_t row, int i) {
  return ToF(static_cast<const T*>(p.logits)[row * p.ls + i]);
}

// Warp 0 picks, from the 256-bin histogram, the highest digit whose cumulative value (bins at
// or above it, plus nothing above) reaches `need`; stores the digit and the value strictly
// above it.
__device__ void SelectDigit(Shared& sh, unsigned long long need) {
  if (threadIdx.x >= 32) return;
  const int lane = threadIdx.x;
  unsigned long long s = 0;
#pragma unroll
  for (int j = 0; j < 8; ++j) s += sh.hist[255 - 8 * lane - j];
  unsigned long long incl = s;
#pragma unroll
  for (int o = 1; o < 32; o <<= 1) {
    const unsigned long long n = __shfl_up_sync(0xffffffffu, incl, o);
    if (lane >= o) incl += n;
  }
  const unsigned long long excl = incl - s;
  const bool mine = excl < need && need <= incl;
  if (mine) {
    unsigned long long acc = excl;
    for (int j = 0; j < 8; ++j) {
      const int bin = 255 - 8 * lane - j;
      if (acc + sh.hist[bin] >= need) {
        sh.digit = static_cast<unsigned>(bin);
        sh.above = acc;
        break;
      }
      acc += sh.hist[bin];
    }
  }
}

constexpr unsigned kNoBin = 256;

// hist[bin] += w for every lane of the warp, with one shared-memory atomic per distinct bin:
// the first passes put nearly every token in a few bins, where per-lane atomics on one address
// serialize (the first H100 run: 657 us for one 32k-token row with top-k and top-p). The warp
// walks its distinct bins (usually 1-3), summing each with a butterfly. Every lane of the warp
// must call it; kNoBin adds nothing.
__device__ __forceinline__ void WarpHistAdd(unsigned long long* hist, unsigned bin,
                                            unsigned long long w) {
  const int lane = static_cast<int>(threadIdx.x & 31);
  unsigned todo = __ballot_sync(0xffffffffu, bin != kNoBin);
  while (todo != 0) {
    const int leader = __ffs(static_cast<int>(todo)) - 1;
    const unsigned b = __shfl_sync(0xffffffffu, bin, leader);
    todo &= ~__ballot_sync(0xffffffffu, bin == b);
    unsigned long long v = bin == b ? w : 0ull;
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    if (lane == leader && v != 0) atomicAdd(&hist[b], v);
  }
}

// The largest key t such that (sum over keys >= t of weight) >= need, over keys of
// z = logit / temperature; weight is 1 (kCount, top-k) or the fixed-point sampling weight
// (top-p). Four 8-bit passes, most significant first.
template <typename T, bool kCount>
__device__ uint32_t RadixSelect(const SampleParams& p, int64_t row, float temp, float zmax,
                                unsigned long long need, Shared& sh) {
  uint32_t prefix = 0, mask = 0;
  for (int shift = 24; shift >= 0; shift -= 8) {
    for (int i = threadIdx.x; i < 256; i += blockDim.x) sh.hist[i] = 0;
    __syncthreads();
    // Same trip count for every thread: WarpHistAdd needs the whole warp.
    for (int base = 0; base < p.vocab; base += blockDim.x) {
      const int i = base + static_cast<int>(threadIdx.x);
      unsigned bin = kNoBin;
      unsigned long long w = 0;
      if (i < p.vocab) {
        const float z = Logit<T>(p, row, i) / temp;
        const uint32_t key = OrderedKey(z);
        if ((key & mask) == prefix) {
          w = kCount ? 1ull : SampleWeight(expf(z - zmax));
          if (w) bin = (key >> shift) & 255u;
        }
      }
      WarpHistAdd(sh.hist, bin, w);
    }
    __syncthreads();
    SelectDigit(sh, need);
    __syncthreads();
    prefix |= sh.digit << shift;
    mask |= 255u << shift;
    need -= sh.above;
    __syncthreads();
  }
  return prefix;
}

template <typename T>
__global__ void __launch_bounds__(kSampleThreads) SampleKernel(SampleParams p) {
  __shared__ Shared sh;
  const int64_t row = blockIdx.x;
  const int vocab = p.vocab;

  // Raw max / argmax and log-sum-exp (for logprobs).
  float mx = -INFINITY;
  int arg = 0x7fffffff;
  for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
    const float v = Logit<T>(p, row, i);
    if (v > mx || (v == mx && i < arg)) {
      mx = v;
      arg = i;
    }
  }
  BlockArgMax(mx, arg, sh);
  float se = 0.0f;
  for (int i = threadIdx.x; i < vocab; i += blockDim.x) se += expf(Logit<T>(p, row, i) - mx);
  se = BlockSum(se);
  const float lse = mx + logf(se);

  const float temp = p.temperature[row];
  int token = arg;
  if (!(temp < SampleArgs::kGreedyTemperatureBelow)) {
    // z = logit / temperature, a true division as in the CPU reference.
    const float zmax = mx / temp;
    const int k = p.top_k[row];
    const float top_p = p.top_p[row];
    uint32_t threshold = 0;  // every key survives
    if (k > 0 && k < vocab) {
      threshold = RadixSelect<T, true>(p, row, temp, zmax, static_cast<unsigned long long>(k), sh);
    }
    if (top_p < 1.0f) {
      unsigned long long m1 = 0;
      for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
        const float z = Logit<T>(p, row, i) / temp;
        if (OrderedKey(z) >= threshold) m1 += SampleWeight(expf(z - zmax));
      }
      m1 = BlockSumU64(m1, sh);
      threshold = RadixSelect<T, false>(p, row, temp, zmax, TopPNeed(m1, top_p), sh);
    }
    // Draw: survivors in vocabulary order, each thread one contiguous segment.
    const int seg = (vocab + blockDim.x - 1) / blockDim.x;
    const int lo = min(vocab, static_cast<int>(threadIdx.x) * seg), hi = min(vocab, lo + seg);
    unsigned long long mine = 0;
    for (int i = lo; i < hi; ++i) {
      const float z = Logit<T>(p, row, i) / temp;
      if (OrderedKey(z) >= threshold) mine += SampleWeight(expf(z - zmax));
    }
    sh.seg_prefix[threadIdx.x] = mine;
    if (threadIdx.x == 0) sh.token = -1;
    __syncthreads();
    // Exclusive prefix over segments (serial per warp-sized chunks is enough here: 512 values).
    if (threadIdx.x < 32) {
      unsigned long long carry = 0;
      for (int base = 0; base < kSampleThreads; base += 32) {
        const unsigned long long v = sh.seg_prefix[base + threadIdx.x];
        unsigned long long incl = v;
#pragma unroll
        for (int o = 1; o < 32; o <<= 1) {
          const unsigned long long n = __shfl_up_sync(0xffffffffu, incl, o);
          if (static_cast<int>(threadIdx.x) >= o) incl += n;
        }
        sh.seg_prefix[base + threadIdx.x] = carry + incl - v;
        carry += __shfl_sync(0xffffffffu, incl, 31);
      }
      if (threadIdx.x == 0) sh.above = carry;  // total surviving mass
    }
    __syncthreads();
    const unsigned long long total = sh.above;
    const uint32_t draw =
        PhiloxDraw(static_cast<uint64_t>(p.seed[row]), static_cast<uint64_t>(p.offset[row]));
    const unsigned long long target = SampleTarget(total, draw);
    const unsigned long long start = sh.seg_prefix[threadIdx.x];
    if (mine > 0 && start <= target && target < start + mine) {
      unsigned long long acc = start;
      for (int i = lo; i < hi; ++i) {
        const float z = Logit<T>(p, row, i) / temp;
        if (OrderedKey(z) < threshold) continue;
        acc += SampleWeight(expf(z - zmax));
        if (acc > target) {
          sh.token = i;
          break;
        }
      }
    }
    __syncthreads();
    token = sh.token >= 0 ? sh.token : arg;
  }
  if (threadIdx.x == 0) {
    p.out_tokens[row] = token;
    if (p.out_logprobs != nullptr) p.out_logprobs[row] = Logit<T>(p, row, token) - lse;
  }
  // Top-N log-probabilities: N argmax passes, each excluding what was already taken.
  float prev_v = INFINITY;
  int prev_i = -1;
  for (int n = 0; n < p.top_n; ++n) {
    float v = -INFINITY;
    int idx = 0x7fffffff;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
      const float x = Logit<T>(p, row, i);
      const bool after = x < prev_v || (x == prev_v && i > prev_i);
      if (after && (x > v || (x == v && i < idx))) {
        v = x;
        idx = i;
      }
    }
    BlockArgMax(v, idx, sh);
    if (threadIdx.x == 0) {
      p.out_top_tokens[row * p.tts + n] = idx;
      p.out_top_logprobs[row * p.tls + n] = v - lse;
    }
    prev_v = v;
    prev_i = idx;
  }
}

template <typename T>
__global__ void PenaltiesKernel(void* logits, int64_t ls, const int32_t* __restrict__ offsets,
                                const int32_t* __restrict__ ids, const int32_t* __restrict__ counts,
                                const float* __restrict__ rep, const float* __restrict__ freq,
                                const float* __restrict__ pres, int vocab) {
  const int64_t b = blockIdx.x;
  const float r = rep[b], f = freq[b], pr = pres[b];
  T* row = static_cast<T*>(logits) + b * ls;
  for (int i = offsets[b] + threadIdx.x; i < offsets[b + 1]; i += blockDim.x) {
    const int id = ids[i];
    if (id < 0 || id >= vocab) continue;
    const int c = counts[i];
    float l = ToF(row[id]);
    if (r != 1.0f) l = l > 0.0f ? l / r : l * r;
    l -= f * static_cast<float>(c) + (c > 0 ? pr : 0.0f);
    row[id] = FromF<T>(l);
  }
}

}  // namespace

Status LaunchSample(const SampleArgs& a, const LaunchContext& ctx) {
  const DType t = a.logits.dtype;
  if (t != DType::kF32 && t != DType::kBF16) {
    return Unsupported("cuda sample: logits must be f32 or bf16");
  }
  const int64_t batch = a.logits.shape[0];
  if (batch == 0) return Status::Ok();
  if (a.logits.shape[1] > (int64_t{1} << 30))
    return Unsupported("cuda sample: vocabulary too large");
  SampleParams p{};
  p.logits = a.logits.data;
  p.ls = a.logits.stride[0];
  p.vocab = static_cast<int>(a.logits.shape[1]);
  p.temperature = a.temperature.ptr<float>();
  p.top_k = a.top_k.ptr<int32_t>();
  p.top_p = a.top_p.ptr<float>();
  p.seed = a.seed.ptr<int64_t>();
  p.offset = a.offset.ptr<int64_t>();
  p.out_tokens = a.out_tokens.ptr<int32_t>();
  p.out_logprobs = a.out_logprobs.present() ? a.out_logprobs.ptr<float>() : nullptr;
  p.top_n = a.top_logprobs;
  if (a.top_logprobs > 0) {
    p.out_top_tokens = a.out_top_tokens.ptr<int32_t>();
    p.tts = a.out_top_tokens.stride[0];
    p.out_top_logprobs = a.out_top_logprobs.ptr<float>();
    p.tls = a.out_top_logprobs.stride[0];
  }
  if (t == DType::kF32) {
    SampleKernel<float><<<batch, kSampleThreads, 0, ctx.stream>>>(p);
  } else {
    SampleKernel<bf16><<<batch, kSampleThreads, 0, ctx.stream>>>(p);
  }
  KT_CUDA_RETURN_IF_LAUNCH_ERROR("sample");
  return Status::Ok();
}

Status LaunchPenalties(const PenaltiesArgs& a, const LaunchContext& ctx) {
  const DType t = a.logits.dtype;
  const int64_t batch = a.logits.shape[0];
  if (batch == 0) return Status::Ok();
  auto launch = [&](auto tag) -> Status {
    using T = decltype(tag);
    PenaltiesKernel<T><<<batch, 128, 0, ctx.stream>>>(
        a.logits.data, a.logits.stride[0], a.token_offsets.ptr<int32_t>(),
        a.token_ids.ptr<int32_t>(), a.token_counts.ptr<int32_t>(), a.repetition.ptr<float>(),
        a.frequency.ptr<float>(), a.presence.ptr<float>(), static_cast<int>(a.logits.shape[1]));
    KT_CUDA_RETURN_IF_LAUNCH_ERROR("penalties");
    return Status::Ok();
  };
  if (t == DType::kF32) return launch(float{});
  if (t == DType::kBF16) return launch(bf16{});
  return Unsupported("cuda penalties: logits must be f32 or bf16");
}

}  // namespace kt::kernels::cuda
