// Shape/dtype/space validation shared by every backend (see kernels/ops.h).
#include "kernels/ops.h"

#include <algorithm>
#include <string>

namespace kt::kernels {
namespace {

// Chains the checks of one op and names the operand in each message.
class Checker {
 public:
  Checker(std::string_view op, MemorySpace space) : op_(op), space_(space) {}

  // Present, rank, inner contiguity and memory space.
  Checker& Operand(std::string_view name, const Tensor& t, int rank) {
    if (!st_.ok()) return *this;
    st_ = ExpectRank(op_, name, t, rank);
    if (st_.ok()) st_ = ExpectInnerContiguous(op_, name, t);
    if (st_.ok()) st_ = ExpectSpace(op_, name, t, space_);
    return *this;
  }
  Checker& Optional(std::string_view name, const Tensor& t, int rank) {
    if (!t.present()) return *this;
    return Operand(name, t, rank);
  }
  Checker& Dim(std::string_view name, const Tensor& t, int axis, int64_t want) {
    if (st_.ok() && t.present()) st_ = ExpectDim(op_, name, t, axis, want);
    return *this;
  }
  Checker& Float(std::string_view name, const Tensor& t) {
    if (st_.ok() && t.present()) st_ = ExpectFloat(op_, name, t);
    return *this;
  }
  // A float type an op can write (not fp8).
  Checker& Writable(std::string_view name, const Tensor& t) {
    if (st_.ok() && t.present() && t.dtype != DType::kF32 && t.dtype != DType::kBF16 &&
        t.dtype != DType::kF16) {
      st_ = Invalid(std::string(op_) + ": " + std::string(name) +
                    " must be f32, bf16 or f16, got " + Describe(t));
    }
    return *this;
  }
  Checker& Type(std::string_view name, const Tensor& t, DType d) {
    if (st_.ok() && t.present()) st_ = ExpectDType(op_, name, t, d);
    return *this;
  }
  Checker& Contiguous(std::string_view name, const Tensor& t) {
    if (st_.ok() && t.present() && !t.contiguous()) {
      st_ = Invalid(std::string(op_) + ": " + std::string(name) + " must be contiguous, got " +
                    Describe(t));
    }
    return *this;
  }
  Checker& Require(bool cond, const std::string& message) {
    if (st_.ok() && !cond) st_ = Invalid(std::string(op_) + ": " + message);
    return *this;
  }
  Status status() const { return st_; }

 private:
  std::string_view op_;
  MemorySpace space_;
  Status st_;
};

}  // namespace

std::string_view OpName(Op op) {
  switch (op) {
    case Op::kGemm:
      return "gemm";
    case Op::kRmsNorm:
      return "rms_norm";
    case Op::kRope:
      return "rope";
    case Op::kSiluMul:
      return "silu_mul";
    case Op::kEmbedding:
      return "embedding";
    case Op::kAttentionPrefill:
      return "attention_prefill";
    case Op::kAttentionDecode:
      return "attention_decode";
    case Op::kKvAppend:
      return "kv_append";
    case Op::kPenalties:
      return "penalties";
    case Op::kSample:
      return "sample";
    case Op::kLoraBgmv:
      return "lora_bgmv";
  }
  return "?";
}

Status Validate(const GemmArgs& a, MemorySpace space) {
  Checker c("gemm", space);
  c.Operand("x", a.x, 2).Operand("w", a.w, 2).Operand("y", a.y, 2).Optional("bias", a.bias, 1);
  c.Float("x", a.x).Float("w", a.w).Writable("y", a.y).Writable("bias", a.bias);
  c.Dim("w", a.w, 1, a.x.shape[1]).Dim("y", a.y, 0, a.x.shape[0]).Dim("y", a.y, 1, a.w.shape[0]);
  c.Dim("bias", a.bias, 0, a.w.shape[0]);
  c.Require(a.x.shape[1] >= 1 && a.w.shape[0] >= 1, "K and N must be >= 1");
  return c.status();
}

Status Validate(const RmsNormArgs& a, MemorySpace space) {
  Checker c("rms_norm", space);
  c.Operand("x", a.x, 2).Operand("weight", a.weight, 1).Operand("out", a.out, 2);
  c.Optional("residual", a.residual, 2);
  c.Writable("x", a.x).Float("weight", a.weight).Writable("out", a.out);
  c.Writable("residual", a.residual);
  c.Dim("weight", a.weight, 0, a.x.shape[1]).Dim("out", a.out, 0, a.x.shape[0]);
  c.Dim("out", a.out, 1, a.x.shape[1]).Dim("residual", a.residual, 0, a.x.shape[0]);
  c.Dim("residual", a.residual, 1, a.x.shape[1]);
  c.Require(a.eps > 0.0f, "eps must be > 0");
  c.Require(!a.residual.present() || a.residual.data != a.out.data, "residual must not alias out");
  return c.status();
}

Status Validate(const RopeArgs& a, MemorySpace space) {
  Checker c("rope", space);
  c.Operand("q", a.q, 3).Optional("k", a.k, 3).Operand("positions", a.positions, 1);
  c.Operand("inv_freq", a.inv_freq, 1);
  c.Writable("q", a.q).Writable("k", a.k).Type("positions", a.positions, DType::kI32);
  c.Type("inv_freq", a.inv_freq, DType::kF32);
  c.Require(a.q.shape[2] % 2 == 0, "head dim must be even");
  c.Dim("k", a.k, 0, a.q.shape[0]).Dim("k", a.k, 2, a.q.shape[2]);
  c.Dim("positions", a.positions, 0, a.q.shape[0]);
  c.Dim("inv_freq", a.inv_freq, 0, a.q.shape[2] / 2);
  return c.status();
}

Status Validate(const SiluMulArgs& a, MemorySpace space) {
  Checker c("silu_mul", space);
  c.Operand("gate_up", a.gate_up, 2).Operand("out", a.out, 2);
  c.Writable("gate_up", a.gate_up).Writable("out", a.out);
  c.Require(a.gate_up.shape[1] % 2 == 0, "gate_up width must be even (gate then up)");
  c.Dim("out", a.out, 0, a.gate_up.shape[0]).Dim("out", a.out, 1, a.gate_up.shape[1] / 2);
  return c.status();
}

Status Validate(const EmbeddingArgs& a, MemorySpace space) {
  Checker c("embedding", space);
  c.Operand("ids", a.ids, 1).Operand("table", a.table, 2).Operand("out", a.out, 2);
  c.Type("ids", a.ids, DType::kI32).Float("table", a.table).Writable("out", a.out);
  c.Dim("out", a.out, 0, a.ids.shape[0]).Dim("out", a.out, 1, a.table.shape[1]);
  return c.status();
}

Status Validate(const AttentionPrefillArgs& a, MemorySpace space) {
  Checker c("attention_prefill", space);
  c.Operand("q", a.q, 3).Operand("k", a.k, 3).Operand("v", a.v, 3).Operand("out", a.out, 3);
  c.Operand("cu_seqlens_q", a.cu_seqlens_q, 1).Operand("cu_seqlens_k", a.cu_seqlens_k, 1);
  c.Writable("q", a.q).Writable("k", a.k).Writable("v", a.v).Writable("out", a.out);
  c.Type("cu_seqlens_q", a.cu_seqlens_q, DType::kI32);
  c.Type("cu_seqlens_k", a.cu_seqlens_k, DType::kI32);
  c.Dim("k", a.k, 2, a.q.shape[2]).Dim("v", a.v, 0, a.k.shape[0]);
  c.Dim("v", a.v, 1, a.k.shape[1]).Dim("v", a.v, 2, a.q.shape[2]);
  c.Dim("out", a.out, 0, a.q.shape[0]).Dim("out", a.out, 1, a.q.shape[1]);
  c.Dim("out", a.out, 2, a.q.shape[2]);
  c.Dim("cu_seqlens_k", a.cu_seqlens_k, 0, a.cu_seqlens_q.shape[0]);
  c.Require(a.cu_seqlens_q.shape[0] >= 1, "cu_seqlens must hold B+1 >= 1 entries");
  c.Require(a.k.shape[1] >= 1 && a.q.shape[1] % std::max<int64_t>(a.k.shape[1], 1) == 0,
            "query heads must be a multiple of KV heads");
  c.Require(a.q.shape[2] >= 1, "head dim must be >= 1");
  c.Require(a.max_seqlen_q >= 0 && a.max_seqlen_k >= 0, "max_seqlen must be >= 0");
  c.Require(a.scale >= 0.0f, "scale must be >= 0 (0: 1/sqrt(D))");
  c.Require(a.window_left < 0 || a.causal, "a sliding window requires causal attention");
  return c.status();
}

Status Validate(const AttentionDecodeArgs& a, MemorySpace space) {
  Checker c("attention_decode", space);
  c.Operand("q", a.q, 3).Operand("k_cache", a.k_cache, 4).Operand("v_cache", a.v_cache, 4);
  c.Operand("block_tables", a.block_tables, 2).Operand("context_lens", a.context_lens, 1);
  c.Operand("out", a.out, 3);
  c.Writable("q", a.q).Float("k_cache", a.k_cache).Writable("out", a.out);
  c.Type("v_cache", a.v_cache, a.k_cache.dtype).Type("block_tables", a.block_tables, DType::kI32);
  c.Type("context_lens", a.context_lens, DType::kI32);
  c.Contiguous("k_cache", a.k_cache).Contiguous("v_cache", a.v_cache);
  for (int i = 0; i < 4; ++i) c.Dim("v_cache", a.v_cache, i, a.k_cache.shape[i]);
  c.Dim("k_cache", a.k_cache, 3, a.q.shape[2]);
  c.Dim("block_tables", a.block_tables, 0, a.q.shape[0]);
  c.Dim("context_lens", a.context_lens, 0, a.q.shape[0]);
  c.Dim("out", a.out, 0, a.q.shape[0]).Dim("out", a.out, 1, a.q.shape[1]);
  c.Dim("out", a.out, 2, a.q.shape[2]);
  c.Require(a.k_cache.shape[2] >= 1 && a.q.shape[1] % std::max<int64_t>(a.k_cache.shape[2], 1) == 0,
            "query heads must be a multiple of KV heads");
  c.Require(a.k_cache.shape[1] >= 1, "block_size must be >= 1");
  c.Require(
      a.max_context_len >= 0 && a.max_context_len <= a.block_tables.shape[1] * a.k_cache.shape[1],
      "max_context_len must be in [0, max_blocks_per_seq * block_size]");
  c.Require(a.scale >= 0.0f, "scale must be >= 0 (0: 1/sqrt(D))");
  return c.status();
}

Status Validate(const KvAppendArgs& a, MemorySpace space) {
  Checker c("kv_append", space);
  c.Operand("k", a.k, 3).Operand("v", a.v, 3).Operand("slot_mapping", a.slot_mapping, 1);
  c.Operand("k_cache", a.k_cache, 4).Operand("v_cache", a.v_cache, 4);
  c.Float("k", a.k).Float("v", a.v).Float("k_cache", a.k_cache);
  c.Type("v_cache", a.v_cache, a.k_cache.dtype).Type("slot_mapping", a.slot_mapping, DType::kI32);
  c.Contiguous("k_cache", a.k_cache).Contiguous("v_cache", a.v_cache);
  for (int i = 0; i < 3; ++i) c.Dim("v", a.v, i, a.k.shape[i]);
  for (int i = 0; i < 4; ++i) c.Dim("v_cache", a.v_cache, i, a.k_cache.shape[i]);
  c.Dim("k_cache", a.k_cache, 2, a.k.shape[1]).Dim("k_cache", a.k_cache, 3, a.k.shape[2]);
  c.Dim("slot_mapping", a.slot_mapping, 0, a.k.shape[0]);
  return c.status();
}

Status Validate(const PenaltiesArgs& a, MemorySpace space) {
  Checker c("penalties", space);
  c.Operand("logits", a.logits, 2).Operand("token_offsets", a.token_offsets, 1);
  c.Operand("token_ids", a.token_ids, 1).Operand("token_counts", a.token_counts, 1);
  c.Operand("repetition", a.repetition, 1).Operand("frequency", a.frequency, 1);
  c.Operand("presence", a.presence, 1);
  c.Writable("logits", a.logits).Type("token_offsets", a.token_offsets, DType::kI32);
  c.Type("token_ids", a.token_ids, DType::kI32).Type("token_counts", a.token_counts, DType::kI32);
  c.Type("repetition", a.repetition, DType::kF32).Type("frequency", a.frequency, DType::kF32);
  c.Type("presence", a.presence, DType::kF32);
  int64_t b = a.logits.shape[0];
  c.Dim("token_offsets", a.token_offsets, 0, b + 1);
  c.Dim("token_counts", a.token_counts, 0, a.token_ids.shape[0]);
  c.Dim("repetition", a.repetition, 0, b).Dim("frequency", a.frequency, 0, b);
  c.Dim("presence", a.presence, 0, b);
  return c.status();
}

Status Validate(const SampleArgs& a, MemorySpace space) {
  Checker c("sample", space);
  c.Operand("logits", a.logits, 2).Operand("temperature", a.temperature, 1);
  c.Operand("top_k", a.top_k, 1).Operand("top_p", a.top_p, 1).Operand("seed", a.seed, 1);
  c.Operand("offset", a.offset, 1).Operand("out_tokens", a.out_tokens, 1);
  c.Optional("out_logprobs", a.out_logprobs, 1);
  c.Writable("logits", a.logits).Type("temperature", a.temperature, DType::kF32);
  c.Type("top_k", a.top_k, DType::kI32).Type("top_p", a.top_p, DType::kF32);
  c.Type("seed", a.seed, DType::kI64).Type("offset", a.offset, DType::kI64);
  c.Type("out_tokens", a.out_tokens, DType::kI32).Type("out_logprobs", a.out_logprobs, DType::kF32);
  int64_t b = a.logits.shape[0];
  for (const auto* t : {&a.temperature, &a.top_k, &a.top_p, &a.seed, &a.offset, &a.out_tokens}) {
    c.Dim("per-row parameter", *t, 0, b);
  }
  c.Dim("out_logprobs", a.out_logprobs, 0, b);
  c.Require(a.logits.shape[1] >= 1, "vocabulary must be non-empty");
  c.Require(a.top_logprobs >= 0 && a.top_logprobs <= SampleArgs::kTopLogprobsMax,
            "top_logprobs must be in [0, 20]");
  if (a.top_logprobs > 0) {
    c.Operand("out_top_tokens", a.out_top_tokens, 2);
    c.Operand("out_top_logprobs", a.out_top_logprobs, 2);
    c.Type("out_top_tokens", a.out_top_tokens, DType::kI32);
    c.Type("out_top_logprobs", a.out_top_logprobs, DType::kF32);
    c.Dim("out_top_tokens", a.out_top_tokens, 0, b);
    c.Dim("out_top_tokens", a.out_top_tokens, 1, a.top_logprobs);
    c.Dim("out_top_logprobs", a.out_top_logprobs, 0, b);
    c.Dim("out_top_logprobs", a.out_top_logprobs, 1, a.top_logprobs);
    c.Require(a.top_logprobs <= a.logits.shape[1], "top_logprobs must not exceed the vocabulary");
  }
  return c.status();
}

Status Validate(const LoraBgmvArgs& a, MemorySpace space) {
  Checker c("lora_bgmv", space);
  c.Operand("x", a.x, 2).Operand("lora_a", a.lora_a, 3).Operand("lora_b", a.lora_b, 3);
  c.Operand("indices", a.indices, 1).Operand("scales", a.scales, 1);
  c.Operand("scratch", a.scratch, 2).Operand("y", a.y, 2);
  c.Float("x", a.x).Float("lora_a", a.lora_a).Float("lora_b", a.lora_b).Writable("y", a.y);
  c.Type("indices", a.indices, DType::kI32).Type("scales", a.scales, DType::kF32);
  c.Type("scratch", a.scratch, DType::kF32);
  int64_t b = a.x.shape[0];
  c.Dim("lora_a", a.lora_a, 2, a.x.shape[1]).Dim("lora_b", a.lora_b, 0, a.lora_a.shape[0]);
  c.Dim("lora_b", a.lora_b, 2, a.lora_a.shape[1]);
  c.Dim("indices", a.indices, 0, b).Dim("scales", a.scales, 0, b);
  c.Dim("scratch", a.scratch, 0, b).Dim("scratch", a.scratch, 1, a.lora_a.shape[1]);
  c.Dim("y", a.y, 0, b).Dim("y", a.y, 1, a.lora_b.shape[1]);
  return c.status();
}

}  // namespace kt::kernels
