// Sequence: one request inside the engine: its tokens (prompt, then generated), how many of
// them have K/V in the cache, its block table, sampling state and streaming-text state.
//
// Preemption by recompute frees the blocks and sets num_computed back to 0; everything else
// (generated tokens, RNG seed, text emitted so far) is kept, so the request continues as if it
// had never stopped.
//
// Owned by the Engine; not thread-safe.
#ifndef KT_SERVING_ENGINE_SEQUENCE_H_
#define KT_SERVING_ENGINE_SEQUENCE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/time.h"
#include "serving/engine/block_manager.h"
#include "serving/engine/sampling_params.h"
#include "serving/tokenizer/incremental_detokenizer.h"

namespace kt::serving {

struct Sequence {
  uint64_t seq_id = 0;  // arrival order: lower ids are older and scheduled first
  std::string request_id;
  std::vector<int32_t> tokens;  // prompt + generated
  int32_t prompt_len = 0;
  int32_t num_computed = 0;  // tokens whose K/V are cached
  BlockTable blocks;
  SamplingParams params;
  uint64_t seed = 0;
  int32_t lora_slot = -1;
  float lora_scale = 0.0f;

  // Penalty state: generated token -> count.
  std::map<int32_t, int32_t> output_counts;

  // Streaming text.
  std::unique_ptr<IncrementalDetokenizer> detokenizer;
  std::string text;         // generated text so far (before stop-string truncation)
  size_t text_emitted = 0;  // bytes of `text` already returned to the caller

  Time arrival;
  std::optional<Time> first_token_time;
  int32_t num_preemptions = 0;

  int32_t num_tokens() const { return static_cast<int32_t>(tokens.size()); }
  int32_t num_generated() const { return num_tokens() - prompt_len; }
  int32_t num_uncomputed() const { return num_tokens() - num_computed; }
};

}  // namespace kt::serving

#endif  // KT_SERVING_ENGINE_SEQUENCE_H_
