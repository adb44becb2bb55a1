#include "serving/engine/scheduler.h"

#include <algorithm>

#include "base/check.h"

namespace kt::serving {

Scheduler::Scheduler(BlockManager* blocks, SchedulerOptions options)
    : blocks_(blocks), options_(options) {
  KT_CHECK(options_.max_batch_tokens > 0 && options_.max_num_seqs > 0);
  if (options_.prefill_chunk_tokens <= 0) options_.prefill_chunk_tokens = options_.max_batch_tokens;
}

void Scheduler::AddWaiting(Sequence* seq) { waiting_[seq->seq_id] = seq; }

void Scheduler::Remove(Sequence* seq) {
  running_.erase(seq->seq_id);
  waiting_.erase(seq->seq_id);
  blocks_->Free(seq->blocks);
}

void Scheduler::Preempt(Sequence* seq, SchedulerOutput& out) {
  running_.erase(seq->seq_id);
  blocks_->Free(seq->blocks);
  seq->num_computed = 0;
  ++seq->num_preemptions;
  waiting_[seq->seq_id] = seq;
  out.preempted.push_back(seq);
}

SchedulerOutput Scheduler::Schedule() {
  SchedulerOutput out;
  int32_t budget = options_.max_batch_tokens;
  // 1. Running sequences, oldest first.
  for (auto it = running_.begin(); it != running_.end() && budget > 0;) {
    Sequence* seq = it->second;
    int32_t n = std::min({seq->num_uncomputed(), budget, options_.prefill_chunk_tokens});
    if (n <= 0) {
      ++it;
      continue;
    }
    bool self_preempted = false;
    while (!blocks_->Reserve(seq->blocks, seq->num_computed + n)) {
      Sequence* victim = std::prev(running_.end())->second;
      if (victim == seq) {
        Preempt(seq, out);
        self_preempted = true;
        break;
      }
      // A victim already scheduled this step cannot lose its blocks now: stop growing.
      bool scheduled = std::any_of(out.scheduled.begin(), out.scheduled.end(),
                                   [&](const ScheduledSequence& s) { return s.seq == victim; });
      KT_CHECK(!scheduled) << "newest running sequence scheduled before an older one";
      Preempt(victim, out);
    }
    if (self_preempted) break;  // everything after it is newer and was preempted too
    out.scheduled.push_back({seq, n, seq->num_computed + n == seq->num_tokens()});
    out.num_tokens += n;
    budget -= n;
    ++it;
  }
  // 2. Waiting sequences, if the cache is not under pressure.
  if (out.preempted.empty()) {
    for (auto it = waiting_.begin(); it != waiting_.end() && budget > 0;) {
      if (static_cast<int32_t>(running_.size()) >= options_.max_num_seqs) break;
      Sequence* seq = it->second;
      int32_t n = std::min({seq->num_uncomputed(), budget, options_.prefill_chunk_tokens});
      int32_t need = blocks_->BlocksNeeded(seq->blocks, seq->num_computed + n);
      if (blocks_->free_blocks() - need < options_.watermark_blocks) break;
      bool ok = blocks_->Reserve(seq->blocks, seq->num_computed + n);
      KT_CHECK(ok);
      it = waiting_.erase(it);
      running_[seq->seq_id] = seq;
      out.scheduled.push_back({seq, n, seq->num_computed + n == seq->num_tokens()});
      out.num_tokens += n;
      budget -= n;
    }
  }
  return out;
}

}  // namespace kt::serving
