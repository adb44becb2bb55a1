// Rope: rotary position embedding parameters of a ModelConfig, computed the way Hugging Face
// transformers computes them (float32 inverse frequencies, angle = f32(inv_freq * position),
// cos/sin scaled by the attention factor, rotate-half pairing of dims i and i + rotary_dim/2).
//
// Scaling types: default, linear (positions / factor), llama3 (wavelength-banded), and
// LongRoPE ("su"/"longrope": per-frequency short and long factors, cos/sin scaled by
// sqrt(1 + ln(s) / ln(original_max)) with s = max_position_embeddings / original_max).
//
// LongRoPE factor choice. transformers picks the long factors for a whole forward pass when the
// sequence length seen by that pass exceeds original_max_position_embeddings: the prompt pass
// uses the prompt length, each decode pass the current length, and keys already cached keep
// the rotation they were computed with. Expressed per token, the token at position p of a
// sequence with a prompt of P tokens uses the long factors iff max(P, p + 1) > original_max.
// That rule depends only on (P, p), so chunked prefill and recompute after preemption give the
// same rotations as one uninterrupted run (LongRopePolicy::kTransformers). vLLM instead uses
// the long factors for every token whenever the served context exceeds original_max
// (LongRopePolicy::kAlwaysLong), which keeps cached keys consistent.
//
// Immutable after construction; thread-safe.
#ifndef KT_SERVING_MODEL_ROPE_H_
#define KT_SERVING_MODEL_ROPE_H_

#include <cstdint>
#include <vector>

#include "serving/model/model_config.h"

namespace kt::serving {

enum class LongRopePolicy : uint8_t { kTransformers, kAlwaysLong };

class Rope {
 public:
  static constexpr int kShort = 0;  // also the only variant without LongRoPE
  static constexpr int kLong = 1;

  Rope(const ModelConfig& config, LongRopePolicy policy = LongRopePolicy::kTransformers);

  int64_t rotary_dim() const { return rotary_dim_; }
  bool has_long() const { return has_long_; }
  float attention_scaling() const { return attention_scaling_; }
  // rotary_dim / 2 inverse frequencies of a variant (kShort or kLong).
  const std::vector<float>& inv_freq(int variant) const;

  // The variant used for the token at `position` of a sequence whose prompt has `prompt_len`
  // tokens (see the header comment).
  int VariantFor(int64_t position, int64_t prompt_len) const;

  // cos and sin (rotary_dim / 2 values each, attention scaling applied) at a position.
  void CosSin(int64_t position, int variant, float* cos_out, float* sin_out) const;

 private:
  int64_t rotary_dim_;
  int64_t original_max_;
  bool has_long_ = false;
  LongRopePolicy policy_;
  float attention_scaling_ = 1.0f;
  std::vector<float> inv_freq_[2];
};

}  // namespace kt::serving

#endif  // KT_SERVING_MODEL_ROPE_H_
