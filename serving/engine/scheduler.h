// Scheduler: continuous batching over the paged KV cache (iteration-level scheduling).
//
// Each step gets a token budget (max_batch_tokens) and a sequence cap (max_num_seqs):
//   1. Running sequences, oldest first, each get their remaining uncomputed tokens (1 for a
//      decode, the rest of the prompt for a chunked prefill), capped by the budget and by
//      prefill_chunk_tokens. When the cache cannot hold a sequence's next tokens, the newest
//      running sequence is preempted (its blocks freed; it will recompute) until the older one
//      fits; a sequence that would have to preempt itself waits instead.
//   2. If nothing was preempted, waiting sequences, oldest first (so preempted ones, which are
//      older, resume before new arrivals), are admitted while the budget, the sequence cap and
//      free blocks (keeping watermark_blocks free) allow; their first chunk runs this step.
//
// Decodes go before prefills, which bounds inter-token latency while long prompts arrive
// (chunked prefill), and a step never exceeds the budget. Not thread-safe.
#ifndef KT_SERVING_ENGINE_SCHEDULER_H_
#define KT_SERVING_ENGINE_SCHEDULER_H_

#include <cstdint>
#include <map>
#include <vector>

#include "serving/engine/block_manager.h"
#include "serving/engine/sequence.h"

namespace kt::serving {

struct SchedulerOptions {
  int32_t max_batch_tokens = 2048;
  int32_t max_num_seqs = 64;
  int32_t prefill_chunk_tokens = 0;  // per sequence per step; 0: max_batch_tokens
  int32_t watermark_blocks = 0;
};

struct ScheduledSequence {
  Sequence* seq = nullptr;
  int32_t num_tokens = 0;  // tokens [seq->num_computed, + num_tokens) run this step
  bool samples = false;    // this chunk completes the sequence, so a token is sampled
};

struct SchedulerOutput {
  std::vector<ScheduledSequence> scheduled;
  std::vector<Sequence*> preempted;
  int32_t num_tokens = 0;
  bool empty() const { return scheduled.empty(); }
};

class Scheduler {
 public:
  Scheduler(BlockManager* blocks, SchedulerOptions options);

  void AddWaiting(Sequence* seq);
  // Drops a sequence from whichever queue holds it and frees its blocks.
  void Remove(Sequence* seq);
  SchedulerOutput Schedule();

  size_t num_running() const { return running_.size(); }
  size_t num_waiting() const { return waiting_.size(); }
  const SchedulerOptions& options() const { return options_; }

 private:
  void Preempt(Sequence* seq, SchedulerOutput& out);

  BlockManager* blocks_;
  SchedulerOptions options_;
  std::map<uint64_t, Sequence*> running_;  // by seq_id (age)
  std::map<uint64_t, Sequence*> waiting_;
};

}  // namespace kt::serving

#endif  // KT_SERVING_ENGINE_SCHEDULER_H_
