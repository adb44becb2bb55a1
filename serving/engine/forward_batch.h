// ForwardBatch: one engine step's work for a model backend, as flat host arrays.
//
// Each array is one contiguous buffer so a device backend moves it with one copy, and no
// per-token or per-sequence virtual call is made: the backend gets the whole step at once.
// Sequence s owns tokens [seq_start[s], seq_start[s+1]) of the token arrays: the next
// not-yet-cached tokens of that sequence (a prefill chunk, a whole prompt, or one decode
// token), at cache positions positions[t]. Their K/V go to slot_mapping[t] (= block * block_size
// + offset) and every token attends the cached tokens 0..positions[t] of its sequence through
// the sequence's block table row (a window narrows that for sliding-window models).
//
// Value type; built by the Scheduler, read by a ModelBackend.
#ifndef KT_SERVING_ENGINE_FORWARD_BATCH_H_
#define KT_SERVING_ENGINE_FORWARD_BATCH_H_

#include <cstdint>
#include <vector>

namespace kt::serving {

struct ForwardBatch {
  int32_t num_seqs = 0;
  int32_t num_tokens = 0;
  // Per token [num_tokens].
  std::vector<int32_t> token_ids;
  std::vector<int32_t> positions;
  std::vector<int32_t> rope_variant;  // Rope::kShort / Rope::kLong (LongRoPE), else 0
  std::vector<int32_t> slot_mapping;
  // Per sequence.
  std::vector<int32_t> seq_start;     // [num_seqs + 1]
  std::vector<int32_t> context_lens;  // [num_seqs] cached tokens after this step
  std::vector<int32_t> block_tables;  // [num_seqs * block_table_width], unused entries -1
  int32_t block_table_width = 0;
  std::vector<int32_t> lora_slot;   // [num_seqs] adapter slot, -1 for the base model
  std::vector<float> lora_scale;    // [num_seqs] strength * alpha / r
  // Tokens whose logits the engine needs (the last token of each sequence that samples), in
  // the order the logits rows are returned.
  std::vector<int32_t> logits_tokens;
  int32_t max_context_len = 0;  // host bound over context_lens

  void Clear();
};

}  // namespace kt::serving

#endif  // KT_SERVING_ENGINE_FORWARD_BATCH_H_
