// SamplingParams: how one request's tokens are chosen and when it stops, in the engine's own
// terms (the HTTP layer maps Kaito's generate_kwargs and OpenAI's fields onto these).
//
// Order of logit processing, as transformers and vLLM apply it: min_tokens masking of stop
// tokens, repetition penalty (prompt and output tokens), frequency/presence penalties (output
// tokens), then temperature, top-k, top-p and min-p filtering, then one draw keyed by
// (seed, output index) with Philox, so the same seed gives the same tokens regardless of
// batching, chunking or preemption. temperature 0 is greedy (lowest id on ties).
//
// Value type.
#ifndef KT_SERVING_ENGINE_SAMPLING_PARAMS_H_
#define KT_SERVING_ENGINE_SAMPLING_PARAMS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace kt::serving {

struct SamplingParams {
  static constexpr int kLogprobsMax = 20;
  static constexpr int kStopStringsMax = 16;
  static constexpr int kStopStringBytesMax = 256;

  float temperature = 1.0f;
  int32_t top_k = 0;       // <= 0: off
  float top_p = 1.0f;      // (0, 1]
  float min_p = 0.0f;      // [0, 1]
  float repetition_penalty = 1.0f;  // > 0; 1: off
  float presence_penalty = 0.0f;    // [-2, 2]
  float frequency_penalty = 0.0f;   // [-2, 2]
  std::optional<uint64_t> seed;     // none: the engine draws one
  int32_t max_tokens = 16;          // >= 1
  int32_t min_tokens = 0;           // stop tokens are masked until this many are generated
  std::vector<int32_t> stop_token_ids;  // in addition to the model's EOS ids
  std::vector<std::string> stop;        // stop strings; the match is cut from the output
  bool ignore_eos = false;
  bool include_stop_str_in_output = false;
  int32_t logprobs = -1;  // -1: none; 0: the chosen token's; N: plus the top N
  bool skip_special_tokens = true;

  // Invalid (with the field named) for out-of-range values.
  Status Validate(int32_t vocab_size) const;
};

}  // namespace kt::serving

#endif  // KT_SERVING_ENGINE_SAMPLING_PARAMS_H_
