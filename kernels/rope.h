// Rotary-embedding frequencies for the Rope op (kernels/ops.h), computed on the host from a
// model's config, following Hugging Face transformers' rope initialisers:
//   kNone      inv_freq[i] = 1 / theta^(2i/D)
//   kLlama3    rope_type "llama3" (Llama 3.1+): low frequencies divided by `factor`, high
//              frequencies kept, a smooth blend between low_freq_factor and high_freq_factor
//              wavelengths relative to original_max_position.
//   kLongRope  rope_type "longrope" (Phi-3 128k; older configs say "su"):
//              inv_freq[i] = 1 / (f[i] * theta^(2i/D)) with f = long_factor or short_factor,
//              mscale = attention_factor, default sqrt(1 + ln(s) / ln(original_max_position))
//              with s = max_position / original_max_position (1 when s <= 1).
// Which factor set to use is the caller's policy (HF: long once the sequence exceeds
// original_max_position; vLLM: always long when max_model_len exceeds it, so cached keys
// never go stale). Values are computed in double and rounded to float once; HF computes
// them in float32, so they agree to within an ulp or two.
//
// Pure functions; thread-safe.
#ifndef KT_KERNELS_ROPE_H_
#define KT_KERNELS_ROPE_H_

#include <vector>

#include "base/status.h"

namespace kt::kernels {

enum class RopeScaling { kNone, kLlama3, kLongRope };

struct RopeConfig {
  int head_dim = 0;  // rotary dim; even
  double theta = 10000.0;
  RopeScaling scaling = RopeScaling::kNone;
  int original_max_position = 0;  // kLlama3, kLongRope
  // kLlama3
  double factor = 8.0;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  // kLongRope: head_dim/2 factors each
  std::vector<double> short_factor;
  std::vector<double> long_factor;
  int max_position = 0;
  double attention_factor = 0.0;  // 0: derived as above
};

// inv_freq, head_dim/2 values. Invalid for an odd/zero head_dim, non-positive theta, factor
// lists of the wrong length or with non-positive entries, or missing positions.
Result<std::vector<float>> RopeInvFreq(const RopeConfig& config, bool use_long_factors = false);
// The cos/sin multiplier: 1 except for LongRoPE.
Result<float> RopeMscale(const RopeConfig& config);

}  // namespace kt::kernels

#endif  // KT_KERNELS_ROPE_H_
