#include "serving/engine/forward_batch.h"

namespace kt::serving {

void ForwardBatch::Clear() {
  num_seqs = num_tokens = 0;
  token_ids.clear();
  positions.clear();
  rope_variant.clear();
  slot_mapping.clear();
  seq_start.clear();
  context_lens.clear();
  block_tables.clear();
  block_table_width = 0;
  lora_slot.clear();
  lora_scale.clear();
  logits_tokens.clear();
  max_context_len = 0;
}

}  // namespace kt::serving
