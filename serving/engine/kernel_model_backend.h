// KernelModelBackend: the ModelBackend written once against the kernels' op set
// (kernels/backend.h), so the same model code runs on the CPU reference backend and on CUDA:
// embedding, fused residual + RMSNorm, GEMM, rotate-half RoPE, K/V append into the paged
// cache, paged attention, SiLU-and-mul and BGMV LoRA.
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
// Precision. Activations are held in `activation_dtype`. With kF32 on a host backend the
// weights are used in place, in whatever float dtype they were loaded (the CPU ops widen on
// load). Otherwise (bf16 activations, or any device backend) every weight, norm and bias is
// converted to the activation dtype and copied into backend memory once, at Create, because
// the CUDA kernels take one dtype per op; the host copy is then released. A CPU run with bf16
// activations is therefore the numerical reference of a CUDA run. Logits leave the backend in
// the activation dtype and are widened to f32 on the host.
//
// Per step, the batch's metadata (token ids, positions, slots, block tables, adapter slots and
// scales, logits rows) is packed into one host array and moved with one copy.
//
// Owns the kernels backend, the weights (or device copies), the KV cache, adapter slots and a
// workspace sized for max_batch_tokens. Not thread-safe (one step at a time).
#ifndef KT_SERVING_ENGINE_KERNEL_MODEL_BACKEND_H_
#define KT_SERVING_ENGINE_KERNEL_MODEL_BACKEND_H_

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "kernels/backend.h"
#include "kernels/registry.h"
#include "serving/engine/model_backend.h"
#include "serving/model/model_weights.h"
#include "serving/model/rope.h"

namespace kt::serving {

struct ModelBackendOptions {
  kernels::BackendKind device = kernels::BackendKind::kCpu;
  int cuda_device = 0;
  int32_t num_kv_blocks = 256;
  int32_t block_size = 16;
  int32_t max_batch_tokens = 2048;
  int32_t adapter_slots = 0;
  int32_t max_lora_rank = 16;
  DType kv_dtype = DType::kF32;
  // kF32 or kBF16. The CUDA backend needs kBF16 for both this and kv_dtype (its paged
  // attention is bf16-only).
  DType activation_dtype = DType::kF32;
  // OpenBLAS threads for the CPU backend's f32 GEMMs (results do not depend on it).
  int blas_threads = 1;
};

// The options `device` needs by default: f32 on the CPU, bf16 activations and cache on CUDA.
ModelBackendOptions DefaultModelBackendOptions(kernels::BackendKind device);

class KernelModelBackend final : public ModelBackend {
 public:
  // Creates the kernels backend of options.device (Unavailable without a CUDA device) and
  // places the weights. Invalid for configs or options the ops cannot run (partial rotary
  // embedding, dtypes a backend lacks).
  static Result<std::unique_ptr<KernelModelBackend>> Create(ModelWeights weights,
                                                            const ModelBackendOptions& options);
  // The same over a given kernels backend (options.device is then ignored).
  static Result<std::unique_ptr<KernelModelBackend>> Create(
      std::unique_ptr<kernels::Backend> kernels, ModelWeights weights,
      const ModelBackendOptions& options);
  // Bytes the KV cache, adapter slots and workspace of these options take for `config`
  // (weights not included).
  static uint64_t RuntimeBytes(const ModelConfig& config, const ModelBackendOptions& options);

  std::string_view name() const override { return kernels_->name(); }
  const ModelConfig& config() const override { return config_; }
  int32_t num_kv_blocks() const override { return options_.num_kv_blocks; }
  int32_t block_size() const override { return options_.block_size; }
  int32_t max_batch_tokens() const override { return options_.max_batch_tokens; }
  int32_t adapter_slots() const override { return options_.adapter_slots; }
  int32_t max_lora_rank() const override { return options_.max_lora_rank; }

  Status LoadAdapter(int32_t slot, const LoraAdapter& adapter) override;
  Status Forward(const ForwardBatch& batch, std::span<float> logits) override;
  bool samples() const override { return true; }
  Status ForwardSample(const ForwardBatch& batch, const RowSampling& sampling,
                       std::span<int32_t> tokens) override;

 private:
  struct LayerViews {
    kernels::Tensor input_norm, qkv, qkv_bias, o, o_bias, post_norm, gate_up, gate_up_bias,
        down, down_bias;
  };
  struct LoraStack {
    int64_t rank = 0;  // padded rank of the fused op
    int64_t in = 0, out = 0;
    kernels::Buffer a;  // [slots, rank, in]
    kernels::Buffer b;  // [slots, out, rank]
  };
  // Offsets (in int32 elements) of the step's metadata inside meta_; the sample_* part (one
  // entry per logits row; seed and offset int64 at even offsets) only with ForwardSample.
  struct MetaLayout {
    int64_t token_ids, positions, slot_mapping, context_lens, lora_slot, lora_scale,
        logits_tokens, block_tables, sample_seed, sample_offset, sample_temperature, sample_top_k,
        sample_top_p, sample_tokens, total;
  };

  KernelModelBackend(std::unique_ptr<kernels::Backend> kernels, ModelWeights weights,
                     const ModelBackendOptions& options, Rope rope);
  Status Init();
  Result<kernels::Tensor> Place(const Tensor& t);
  Result<kernels::Buffer> AllocateRows(int64_t rows, int64_t cols, DType dtype);
  kernels::Tensor Act(const kernels::Buffer& b, int64_t rows, int64_t cols) const;
  // x_ + residual_ -> residual_, normalised with `weight` -> h_ (the first `tokens` rows).
  kernels::RmsNormArgs ResidualNorm(int32_t tokens, const kernels::Tensor& weight) const;
  kernels::Tensor Strided(const kernels::Buffer& b, int64_t offset, DType dtype,
                          std::initializer_list<int64_t> shape,
                          std::initializer_list<int64_t> strides) const;
  kernels::Tensor Meta(int64_t offset, DType dtype, std::initializer_list<int64_t> shape) const;
  Status Annotate(Status s, const char* what, int layer) const;
  Result<bool> PackMetadata(const ForwardBatch& batch, const RowSampling* sampling);
  // Checks the batch, uploads its metadata and runs embedding and layers; the last hidden
  // states are then in x_ / residual_.
  Status RunLayers(const ForwardBatch& batch, const RowSampling* sampling);
  // y = x . w^T + bias, plus the batch's LoRA deltas of `lora_op` when any_lora.
  Status Projection(int layer, int lora_op, const char* name, const kernels::Tensor& x,
                    const kernels::Tensor& w, const kernels::Tensor& bias,
                    const kernels::Tensor& y, bool any_lora);
  Status Layer(int layer, const ForwardBatch& batch, bool any_lora);
  Status ApplyLora(int layer, int op, const kernels::Tensor& x, const kernels::Tensor& y,
                   int32_t tokens);
  // Final norm, the logits rows' gather and the LM head into logits_ (on the backend).
  Result<kernels::Tensor> HeadLogits(int32_t tokens, int32_t rows);
  Status Logits(int32_t tokens, int32_t rows, std::span<float> logits);

  std::unique_ptr<kernels::Backend> kernels_;
  ModelConfig config_;
  ModelWeights host_weights_;  // kept only while views point into it
  ModelBackendOptions options_;
  Rope rope_;
  kernels::MemorySpace space_;
  DType act_;
  std::vector<kernels::Buffer> weight_buffers_;
  kernels::Tensor embed_, final_norm_, lm_head_;
  std::vector<LayerViews> layers_;
  kernels::Buffer inv_freq_[2];
  std::vector<kernels::Buffer> k_cache_, v_cache_;  // per layer
  std::vector<std::array<LoraStack, kLoraOpCount>> lora_;  // per layer
  // Workspace (max_batch_tokens rows).
  kernels::Buffer x_, residual_, h_, qkv_, attn_, gate_up_, mlp_, gathered_, lora_scratch_;
  kernels::Buffer logits_;  // [rows, vocab] in act_, grown on demand (not used in place)
  std::vector<uint16_t> logits_host_;
  // Step metadata: packed on the host, copied to meta_ (grown on demand).
  MetaLayout layout_{};
  std::vector<int32_t> meta_host_;
  kernels::Buffer meta_;
};

}  // namespace kt::serving

#endif  // KT_SERVING_ENGINE_KERNEL_MODEL_BACKEND_H_
