// ModelBackend: runs the model over a ForwardBatch against a paged KV cache it owns, and
// returns logits, or (ForwardSample) draws the tokens where the logits are and returns only
// those. The engine (scheduler, sampling, adapters' bookkeeping) is backend-agnostic;
// a backend owns everything that lives in device memory: weights, the KV cache (num_kv_blocks
// blocks of block_size tokens for every layer), adapter weights (adapter_slots() slots) and
// activation workspace sized for max_batch_tokens tokens per step.
//
// KernelModelBackend (kernel_model_backend.h) implements it once over the kernels' op set, on
// the CPU reference backend or on CUDA; tests wrap or fake it.
//
// Thread-safety: one thread at a time (the engine's step loop).
#ifndef KT_SERVING_ENGINE_MODEL_BACKEND_H_
#define KT_SERVING_ENGINE_MODEL_BACKEND_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "serving/engine/forward_batch.h"
#include "serving/engine/lora_adapter.h"
#include "serving/model/model_config.h"

namespace kt::serving {

// Per-row inputs of the kernels' Sample op for ForwardSample (rows in logits_tokens order).
struct RowSampling {
  std::vector<float> temperature;
  std::vector<int32_t> top_k;
  std::vector<float> top_p;
  std::vector<int64_t> seed;
  std::vector<int64_t> offset;
};

class ModelBackend {
 public:
  virtual ~ModelBackend() = default;

  virtual std::string_view name() const = 0;  // "cpu", "cuda"
  virtual const ModelConfig& config() const = 0;
  virtual int32_t num_kv_blocks() const = 0;
  virtual int32_t block_size() const = 0;
  virtual int32_t max_batch_tokens() const = 0;
  virtual int32_t adapter_slots() const = 0;
  virtual int32_t max_lora_rank() const = 0;

  // Copies an adapter into slot `slot` (replacing what was there). Invalid when its rank
  // exceeds max_lora_rank() or its shapes do not fit the model.
  virtual Status LoadAdapter(int32_t slot, const LoraAdapter& adapter) = 0;

  // Runs the batch: appends its tokens' K/V to the cache and writes
  // logits[i * vocab + v] for the token batch.logits_tokens[i].
  // REQUIRES: batch.num_tokens <= max_batch_tokens(); logits.size() >=
  // batch.logits_tokens.size() * vocab_size.
  virtual Status Forward(const ForwardBatch& batch, std::span<float> logits) = 0;

  // Whether ForwardSample is implemented.
  virtual bool samples() const { return false; }
  // Runs the batch like Forward, then draws one token per logits row with the kernels' Sample
  // op where the logits are (the host sampler's algorithm and integer arithmetic: the same
  // tokens) and copies back only the tokens: no [rows, vocab] transfer.
  // REQUIRES: samples(); every RowSampling vector and tokens have logits_tokens.size() entries.
  virtual Status ForwardSample(const ForwardBatch& /*batch*/, const RowSampling& /*sampling*/,
                               std::span<int32_t> /*tokens*/) {
    return Invalid(std::string(name()) + " backend: ForwardSample is not implemented");
  }
};

// A backend that hands every call to another one, owned or borrowed; decorators (timing, a
// backend that hides ForwardSample) override what they change.
class ForwardingBackend : public ModelBackend {
 public:
  explicit ForwardingBackend(std::unique_ptr<ModelBackend> inner)
      : owned_(std::move(inner)), inner_(owned_.get()) {}
  explicit ForwardingBackend(ModelBackend* borrowed) : inner_(borrowed) {}

  std::string_view name() const override { return inner_->name(); }
  const ModelConfig& config() const override { return inner_->config(); }
  int32_t num_kv_blocks() const override { return inner_->num_kv_blocks(); }
  int32_t block_size() const override { return inner_->block_size(); }
  int32_t max_batch_tokens() const override { return inner_->max_batch_tokens(); }
  int32_t adapter_slots() const override { return inner_->adapter_slots(); }
  int32_t max_lora_rank() const override { return inner_->max_lora_rank(); }
  Status LoadAdapter(int32_t slot, const LoraAdapter& adapter) override {
    return inner_->LoadAdapter(slot, adapter);
  }
  Status Forward(const ForwardBatch& batch, std::span<float> logits) override {
    return inner_->Forward(batch, logits);
  }
  bool samples() const override { return inner_->samples(); }
  Status ForwardSample(const ForwardBatch& batch, const RowSampling& sampling,
                       std::span<int32_t> tokens) override {
    return inner_->ForwardSample(batch, sampling, tokens);
  }

 private:
  std::unique_ptr<ModelBackend> owned_;
  ModelBackend* inner_;
};

}  // namespace kt::serving

#endif  // KT_SERVING_ENGINE_MODEL_BACKEND_H_
