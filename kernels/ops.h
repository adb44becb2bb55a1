// The op set: one argument struct per op, shared by every backend (kernels/cpu, kernels/cuda).
//
// Each op is a function `Status Op(const OpArgs&)` on a backend (kernels/backend.h) or, for the
// CPU reference, a free function in kernels/cpu/cpu_ops.h. The structs hold views
// (kernels/tensor.h) into memory the caller owns; an op never allocates its operands, keeps no
// pointer after it returns, and writes only the tensors documented as outputs.
//
// Conventions (docs/kernels.md has the full semantics and examples):
//   * T = tokens, B = sequences/requests, H = hidden size, D = head dim, Hq/Hk = query/KV
//     heads (Hq % Hk == 0, GQA group G = Hq / Hk), V = vocabulary, N/K = GEMM out/in features.
//   * Float operands are f32, bf16 or f16 (fp8 e4m3 where noted). Arithmetic is fp32; each
//     output element is rounded to its tensor's dtype once.
//   * Index operands (ids, positions, tables, lengths) are i32; seeds/counters are i64.
//   * Innermost dimensions are contiguous; outer strides are free.
//   * Optional operands are absent when their Tensor has data == nullptr.
//   * "Host bound" fields (max_seqlen_q, max_context_len) are plain ints the caller knows
//     without reading device memory; kernels use them to size launches.
//
// Expected failures: Invalid (bad shapes, dtypes, indices out of range on the CPU backend) and
// Unsupported (kernels/tensor.h: valid arguments this backend does not implement).
#ifndef KT_KERNELS_OPS_H_
#define KT_KERNELS_OPS_H_

#include <cstdint>
#include <string_view>

#include "kernels/tensor.h"

namespace kt::kernels {

enum class Op : uint8_t {
  kGemm = 0,
  kRmsNorm,
  kRope,
  kSiluMul,
  kEmbedding,
  kAttentionPrefill,
  kAttentionDecode,
  kKvAppend,
  kPenalties,
  kSample,
  kLoraBgmv,
};
inline constexpr int kOpCount = 11;
std::string_view OpName(Op op);  // "gemm", "rms_norm", ...

// y[M,N] = alpha * x[M,K] . w[N,K]^T + bias[N] + beta * y[M,N]
// w has PyTorch nn.Linear layout (out_features x in_features). Weights may be f32, bf16, f16 or
// fp8 e4m3 (then alpha carries the per-tensor dequant scale). bias, if present, is f32 or y's
// dtype. beta is 0 (overwrite; y is not read) or any other value (y is read first).
struct GemmArgs {
  static constexpr Op kOp = Op::kGemm;
  Tensor x;     // [M, K]
  Tensor w;     // [N, K]
  Tensor bias;  // optional [N]
  Tensor y;     // [M, N] output; must not overlap x or w
  float alpha = 1.0f;
  float beta = 0.0f;
};

// Without residual:  out = x / rms(x) * weight
// With residual:     s = x + residual; residual <- s (rounded to residual's dtype);
//                    out = s' / rms(s') * weight, where s' is the rounded, stored s.
// rms(v) = sqrt(mean(v^2) + eps). out may alias x (in place); residual must not alias out.
struct RmsNormArgs {
  static constexpr Op kOp = Op::kRmsNorm;
  Tensor x;         // [T, H]
  Tensor residual;  // optional [T, H], read and written
  Tensor weight;    // [H]
  Tensor out;       // [T, H]
  float eps = 1e-5f;
};

// Rotary embedding, NeoX / rotate-half layout (HF Llama, Phi-3): for each token t, head h and
// i < D/2, with angle = float(positions[t]) * inv_freq[i] (fp32 product),
//   c = cos(angle) * mscale, s = sin(angle) * mscale
//   x[i]       <- x[i] * c - x[i + D/2] * s
//   x[i + D/2] <- x[i + D/2] * c + x[i] * s
// applied in place to q and (if present) k. inv_freq and mscale come from RopeInvFreq /
// RopeMscale (kernels/rope.h), which implement plain, llama3 and LongRoPE scaling.
// The whole head is rotated (rotary dim == D).
struct RopeArgs {
  static constexpr Op kOp = Op::kRope;
  Tensor q;          // [T, Hq, D], in place
  Tensor k;          // optional [T, Hk, D], in place
  Tensor positions;  // i32 [T], >= 0
  Tensor inv_freq;   // f32 [D/2]
  float mscale = 1.0f;
};

// out[t, i] = silu(gate_up[t, i]) * gate_up[t, I + i],  silu(g) = g / (1 + exp(-g)).
// The gate occupies the first half of each row (Phi-3's fused gate_up_proj, vLLM's
// SiluAndMul).
struct SiluMulArgs {
  static constexpr Op kOp = Op::kSiluMul;
  Tensor gate_up;  // [T, 2I]
  Tensor out;      // [T, I]
};

// out[t, :] = table[ids[t], :]. The CPU backend rejects ids outside [0, V) with Invalid; the
// CUDA backend cannot report per-element errors without a sync and writes a ZERO row for an
// out-of-range id (validate ids at the tokenizer boundary).
struct EmbeddingArgs {
  static constexpr Op kOp = Op::kEmbedding;
  Tensor ids;    // i32 [T]
  Tensor table;  // [V, H]
  Tensor out;    // [T, H]
};

// Attention over contiguous, variable-length sequences ("varlen", packed along tokens).
// Sequence b owns query rows [cu_seqlens_q[b], cu_seqlens_q[b+1]) and key/value rows
// [cu_seqlens_k[b], cu_seqlens_k[b+1]). With Lq queries and Lk keys, query i sits at position
// p = Lk - Lq + i (bottom-right aligned, so Lk > Lq continues a prefix) and attends key j iff
//   j < Lk  and  (!causal or j <= p)  and  (window_left < 0 or j >= p - window_left).
// A query with no visible key gets a zero output row. Query head h reads KV head h / (Hq/Hk).
// out = softmax(scale * q.k^T) . v per head, fp32 softmax. window_left >= 0 requires causal.
struct AttentionPrefillArgs {
  static constexpr Op kOp = Op::kAttentionPrefill;
  Tensor q;              // [Tq, Hq, D]
  Tensor k;              // [Tk, Hk, D]
  Tensor v;              // [Tk, Hk, D]
  Tensor cu_seqlens_q;   // i32 [B+1], non-decreasing, cu[0] = 0, cu[B] = Tq
  Tensor cu_seqlens_k;   // i32 [B+1], cu[B] = Tk
  Tensor out;            // [Tq, Hq, D]
  int max_seqlen_q = 0;  // host bound >= every Lq
  int max_seqlen_k = 0;  // host bound >= every Lk
  float scale = 0.0f;    // 0 means 1/sqrt(D)
  bool causal = true;
  int window_left = -1;  // < 0: no sliding window
};

// Paged KV cache of one layer: K and V pools of fixed-size blocks, layout
//   [num_blocks, block_size, Hk, D]   (token-major inside a block; all heads of a token are
//                                      contiguous, as in vLLM's FlashAttention layout)
// Token j of sequence b lives in block block_tables[b, j / block_size] at offset
// j % block_size. Slot numbers flatten (block, offset): slot = block * block_size + offset.

// Writes new tokens' keys and values into their slots: cache[slot / bs, slot % bs] = k[t].
// slot_mapping[t] < 0 skips token t (padding). Caches may have another float dtype than k/v
// (e.g. bf16 or fp8 e4m3 cache, f32 activations); values are rounded on store.
struct KvAppendArgs {
  static constexpr Op kOp = Op::kKvAppend;
  Tensor k;             // [T, Hk, D]
  Tensor v;             // [T, Hk, D]
  Tensor slot_mapping;  // i32 [T]
  Tensor k_cache;       // [num_blocks, block_size, Hk, D], written
  Tensor v_cache;       // same shape and dtype as k_cache
};

// Single-token decode over the paged cache. Sequence b has context_lens[b] tokens already
// in the cache INCLUDING the current one (append first, then attend); its query sits at
// position p = context_lens[b] - 1 and attends cached tokens j in
// [max(0, p - window_left), p] (all j <= p when window_left < 0). context_lens[b] == 0 gives
// a zero output row.
struct AttentionDecodeArgs {
  static constexpr Op kOp = Op::kAttentionDecode;
  Tensor q;                 // [B, Hq, D]
  Tensor k_cache;           // [num_blocks, block_size, Hk, D]
  Tensor v_cache;           // same
  Tensor block_tables;      // i32 [B, max_blocks_per_seq]; entries past a sequence's end unused
  Tensor context_lens;      // i32 [B]
  Tensor out;               // [B, Hq, D]
  int max_context_len = 0;  // host bound >= every context_lens[b]
  float scale = 0.0f;       // 0 means 1/sqrt(D)
  int window_left = -1;
};

// In-place logit penalties, applied to the listed tokens of each row only:
//   repetition r (HF): l <- l > 0 ? l / r : l * r        (every listed token)
//   then frequency f and presence p (OpenAI):  l <- l - f * count - p * (count > 0)
// Row b's tokens are token_ids[token_offsets[b] .. token_offsets[b+1]); ids must be distinct
// within a row (the engine keeps a token -> count map per request). List prompt tokens with
// count 0 so that only the repetition penalty touches them, as vLLM does.
struct PenaltiesArgs {
  static constexpr Op kOp = Op::kPenalties;
  Tensor logits;         // [B, V] f32 or bf16, in place
  Tensor token_offsets;  // i32 [B+1]
  Tensor token_ids;      // i32 [n]
  Tensor token_counts;   // i32 [n], >= 0
  Tensor repetition;     // f32 [B], > 0; 1 = off
  Tensor frequency;      // f32 [B]; 0 = off
  Tensor presence;       // f32 [B]; 0 = off
};

// Picks one token per row. docs/kernels.md ("Sampling") specifies the algorithm exactly; both
// backends implement the same one, so a (seed, offset) pair gives the same token on CPU and GPU
// (barring last-ulp differences of expf):
//   temperature[b] < 1e-5 (kGreedyTemperatureBelow, as vLLM): greedy argmax (lowest index on
//   ties).
//   else z = logits / temperature; top-k keeps tokens whose z >= the k-th largest z (ties kept);
//   top-p keeps the highest-z tokens whose probability mass (renormalised over the top-k
//   survivors) first reaches top_p (ties kept); one token is drawn from the survivors with a
//   Philox4x32-10 uniform keyed by seed[b] at counter offset[b].
// out_logprobs[b] = log_softmax(logits[b])[token] of the logits as given (before temperature
// and filtering). top_logprobs > 0 also returns the N largest log-probabilities per row in
// descending order (lowest index first on ties).
struct SampleArgs {
  static constexpr Op kOp = Op::kSample;
  static constexpr int kTopLogprobsMax = 20;
  static constexpr float kGreedyTemperatureBelow = 1e-5f;
  Tensor logits;            // [B, V] f32 or bf16 (not modified)
  Tensor temperature;       // f32 [B]
  Tensor top_k;             // i32 [B]; <= 0 or >= V: off
  Tensor top_p;             // f32 [B]; in (0, 1]; 1: off
  Tensor seed;              // i64 [B]
  Tensor offset;            // i64 [B], e.g. the number of tokens the request has sampled so far
  Tensor out_tokens;        // i32 [B]
  Tensor out_logprobs;      // optional f32 [B]
  int top_logprobs = 0;     // 0..kTopLogprobsMax
  Tensor out_top_tokens;    // i32 [B, top_logprobs] when top_logprobs > 0
  Tensor out_top_logprobs;  // f32 [B, top_logprobs] when top_logprobs > 0
};

// Batched LoRA for many adapters in one batch (Punica's BGMV): for each row b with
// a = indices[b] >= 0,
//   scratch[b, :] = scales[b] * (lora_a[a] . x[b])            (shrink, fp32, [R])
//   y[b, :]      += lora_b[a] . scratch[b, :]                 (expand, [N])
// Rows with indices[b] < 0 leave y untouched. lora_a[a] is PEFT's lora_A.weight [R, K] and
// lora_b[a] lora_B.weight [N, R]; adapters of smaller rank are zero-padded to R. scales[b]
// folds alpha / r and any per-request strength.
struct LoraBgmvArgs {
  static constexpr Op kOp = Op::kLoraBgmv;
  Tensor x;        // [B, K]
  Tensor lora_a;   // [num_adapters, R, K]
  Tensor lora_b;   // [num_adapters, N, R]
  Tensor indices;  // i32 [B]
  Tensor scales;   // f32 [B]
  Tensor scratch;  // f32 [B, R], caller-provided workspace (overwritten)
  Tensor y;        // [B, N], accumulated
};

// Argument checks every backend runs first: ranks, matching dims, dtype classes, inner
// contiguity, the memory space of every operand. Backend-specific limits (dtype combinations,
// head dims) come after, as Unsupported.
Status Validate(const GemmArgs& a, MemorySpace space);
Status Validate(const RmsNormArgs& a, MemorySpace space);
Status Validate(const RopeArgs& a, MemorySpace space);
Status Validate(const SiluMulArgs& a, MemorySpace space);
Status Validate(const EmbeddingArgs& a, MemorySpace space);
Status Validate(const AttentionPrefillArgs& a, MemorySpace space);
Status Validate(const AttentionDecodeArgs& a, MemorySpace space);
Status Validate(const KvAppendArgs& a, MemorySpace space);
Status Validate(const PenaltiesArgs& a, MemorySpace space);
Status Validate(const SampleArgs& a, MemorySpace space);
Status Validate(const LoraBgmvArgs& a, MemorySpace space);

}  // namespace kt::kernels

#endif  // KT_KERNELS_OPS_H_
