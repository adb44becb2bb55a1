// CpuModelBackend: the ModelBackend on host memory, built from the kernels' CPU reference ops
// (kernels/cpu/cpu_ops.h): embedding, fused residual + RMSNorm, GEMM (OpenBLAS for f32,
// panel-widened for bf16 weights), rotate-half RoPE, K/V append into the paged cache, paged
// attention, SiLU-and-mul and BGMV LoRA.
//
// Every token of a step, prefill or decode, attends through the paged cache: its K/V are
// appended first, then it is one row of the paged attention op with context length
// position + 1. A token therefore gets the same arithmetic whether it arrived in a whole
// prompt, a prefill chunk, a recompute after preemption or a decode step, which is what makes
// the batched, chunked and preempted paths produce the same tokens as a request alone.
//
// LongRoPE: tokens are rotated in runs of equal variant (ForwardBatch::rope_variant) with the
// short or long frequency table.
//
// Owns the weights, the KV cache (f32 or bf16), adapter slots and a workspace sized for
// max_batch_tokens. Not thread-safe (one step at a time).
#ifndef KT_SERVING_ENGINE_CPU_MODEL_BACKEND_H_
#define KT_SERVING_ENGINE_CPU_MODEL_BACKEND_H_

#include <array>
#include <memory>
#include <vector>

#include "serving/engine/model_backend.h"
#include "serving/model/model_weights.h"
#include "serving/model/rope.h"

namespace kt::serving {

struct CpuBackendOptions {
  int32_t num_kv_blocks = 256;
  int32_t block_size = 16;
  int32_t max_batch_tokens = 2048;
  int32_t adapter_slots = 0;
  int32_t max_lora_rank = 16;
  DType kv_dtype = DType::kF32;
  // OpenBLAS threads for the GEMMs (results do not depend on it).
  int blas_threads = 1;
};

class CpuModelBackend final : public ModelBackend {
 public:
  // Invalid for configs the CPU ops cannot run (partial rotary embedding).
  static Result<std::unique_ptr<CpuModelBackend>> Create(ModelWeights weights,
                                                         const CpuBackendOptions& options);
  // Bytes the KV cache, adapter slots and workspace of these options take for `config`.
  static uint64_t RuntimeBytes(const ModelConfig& config, const CpuBackendOptions& options);

  std::string_view name() const override { return "cpu"; }
  const ModelConfig& config() const override { return weights_.config; }
  int32_t num_kv_blocks() const override { return options_.num_kv_blocks; }
  int32_t block_size() const override { return options_.block_size; }
  int32_t max_batch_tokens() const override { return options_.max_batch_tokens; }
  int32_t adapter_slots() const override { return options_.adapter_slots; }
  int32_t max_lora_rank() const override { return options_.max_lora_rank; }

  Status LoadAdapter(int32_t slot, const LoraAdapter& adapter) override;
  Status Forward(const ForwardBatch& batch, std::span<float> logits) override;

 private:
  struct LoraStack {
    int64_t rank = 0;      // padded rank of the fused op
    std::vector<float> a;  // [slots, rank, in]
    std::vector<float> b;  // [slots, out, rank]
  };
  CpuModelBackend(ModelWeights weights, const CpuBackendOptions& options, Rope rope);
  Status Layer(int layer, const ForwardBatch& batch, bool any_lora);
  Status ApplyLora(int layer, int op, const float* x, int64_t in, float* y, int64_t out,
                   int64_t ldy, int32_t tokens);

  ModelWeights weights_;
  CpuBackendOptions options_;
  Rope rope_;
  // Per layer; uninitialized (every slot is written by KvAppend before attention reads it),
  // so a large cache costs address space, not time, until it fills.
  std::vector<std::unique_ptr<uint8_t[]>> k_cache_, v_cache_;
  std::vector<std::array<LoraStack, kLoraOpCount>> lora_;  // per layer
  // Workspace (max_batch_tokens rows).
  std::vector<float> x_, residual_, h_, qkv_, attn_, gate_up_, mlp_, lora_scratch_;
  std::vector<int32_t> token_lora_slot_, token_block_tables_, token_context_lens_;
  std::vector<float> token_lora_scale_;
};

}  // namespace kt::serving

#endif  // KT_SERVING_ENGINE_CPU_MODEL_BACKEND_H_
