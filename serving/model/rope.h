// Rope: the rotary-embedding tables of a ModelConfig (inverse frequencies per variant and the
// cos/sin multiplier), computed by kernels/rope.h the way transformers does, plus the policy
// that picks LongRoPE's short or long factors for each token.
//
// Scaling types: default, linear (frequencies / factor), llama3 and LongRoPE ("su" /
// "longrope"); the Rope op (kernels/ops.h) applies them NeoX-style (rotate-half).
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

  // Invalid when the config's rotary parameters are (config.Validate() catches most).
  static Result<Rope> Create(const ModelConfig& config,
                             LongRopePolicy policy = LongRopePolicy::kTransformers);

  int64_t rotary_dim() const { return rotary_dim_; }
  bool has_long() const { return has_long_; }
  float mscale() const { return mscale_; }
  // rotary_dim / 2 inverse frequencies of a variant (kShort or kLong).
  const std::vector<float>& inv_freq(int variant) const;

  // The variant used for the token at `position` of a sequence whose prompt has `prompt_len`
  // tokens (see the header comment).
  int VariantFor(int64_t position, int64_t prompt_len) const;

 private:
  Rope() = default;
  int64_t rotary_dim_ = 0;
  int64_t original_max_ = 0;
  bool has_long_ = false;
  LongRopePolicy policy_ = LongRopePolicy::kTransformers;
  float mscale_ = 1.0f;
  std::vector<float> inv_freq_[2];
};

}  // namespace kt::serving

#endif  // KT_SERVING_MODEL_ROPE_H_
