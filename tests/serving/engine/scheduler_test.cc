// The scheduler's continuous batching: decodes of running sequences go first, then waiting
// prompts in arrival order; the token budget caps every step (prompts are chunked to fit);
// the sequence cap holds; when the cache runs out the newest running sequence is preempted
// (blocks freed, recompute from scratch) and resumes before newer arrivals; nothing new is
// admitted in a step that preempted.
#include "serving/engine/scheduler.h"

#include <gtest/gtest.h>

#include <memory>

namespace kt::serving {
namespace {

struct Harness {
  BlockManager blocks;
  Scheduler scheduler;
  std::vector<std::unique_ptr<Sequence>> seqs;

  Harness(int32_t num_blocks, int32_t block_size, SchedulerOptions o)
      : blocks(num_blocks, block_size), scheduler(&blocks, o) {}

  Sequence* Add(int prompt_len) {
    auto s = std::make_unique<Sequence>();
    s->seq_id = seqs.size() + 1;
    s->tokens.assign(static_cast<size_t>(prompt_len), 5);
    s->prompt_len = prompt_len;
    scheduler.AddWaiting(s.get());
    seqs.push_back(std::move(s));
    return seqs.back().get();
  }
  // Applies a step as the engine would: computed tokens advance, samplers get a token.
  SchedulerOutput Step() {
    SchedulerOutput out = scheduler.Schedule();
    for (const ScheduledSequence& s : out.scheduled) {
      s.seq->num_computed += s.num_tokens;
      if (s.samples) s.seq->tokens.push_back(7);
    }
    return out;
  }
};

TEST(SchedulerTest, PromptsAreChunkedToTheTokenBudget) {
  Harness h(64, 4, {.max_batch_tokens = 10, .max_num_seqs = 8});
  Sequence* a = h.Add(25);
  auto s1 = h.Step();
  ASSERT_EQ(s1.scheduled.size(), 1u);
  EXPECT_EQ(s1.num_tokens, 10);
  EXPECT_FALSE(s1.scheduled[0].samples);
  h.Step();
  auto s3 = h.Step();
  EXPECT_EQ(s3.num_tokens, 5);
  EXPECT_TRUE(s3.scheduled[0].samples);
  EXPECT_EQ(a->num_generated(), 1);
  auto s4 = h.Step();
  EXPECT_EQ(s4.num_tokens, 1) << "decode step";
}

TEST(SchedulerTest, DecodesGoBeforeNewPromptsAndTheBudgetHolds) {
  Harness h(64, 4, {.max_batch_tokens = 8, .max_num_seqs = 8});
  Sequence* a = h.Add(3);
  h.Step();  // a prefilled, sampled
  Sequence* b = h.Add(20);
  auto s = h.Step();
  ASSERT_EQ(s.scheduled.size(), 2u);
  EXPECT_EQ(s.scheduled[0].seq, a);
  EXPECT_EQ(s.scheduled[0].num_tokens, 1);
  EXPECT_EQ(s.scheduled[1].seq, b);
  EXPECT_EQ(s.scheduled[1].num_tokens, 7);
  EXPECT_LE(s.num_tokens, 8);
}

TEST(SchedulerTest, SequenceCapLimitsAdmission) {
  Harness h(64, 4, {.max_batch_tokens = 100, .max_num_seqs = 2});
  h.Add(2);
  h.Add(2);
  h.Add(2);
  auto s = h.Step();
  EXPECT_EQ(s.scheduled.size(), 2u);
  EXPECT_EQ(h.scheduler.num_waiting(), 1u);
}

TEST(SchedulerTest, NewestRunningSequenceIsPreemptedAndResumesFirst) {
  // 4 blocks of 2 tokens: two 3-token prompts take 2 blocks each.
  Harness h(4, 2, {.max_batch_tokens = 100, .max_num_seqs = 8});
  Sequence* a = h.Add(3);
  Sequence* b = h.Add(3);
  h.Step();  // both prefilled (4 blocks used), both sampled -> 4 tokens each
  EXPECT_EQ(h.blocks.free_blocks(), 0);
  Sequence* c = h.Add(1);
  // a decodes token 4 (fits its 2 blocks), b too; next step a needs a 3rd block.
  auto s1 = h.Step();
  EXPECT_TRUE(s1.preempted.empty());
  auto s2 = h.Step();
  ASSERT_EQ(s2.preempted.size(), 1u);
  EXPECT_EQ(s2.preempted[0], b);
  EXPECT_EQ(b->num_computed, 0);
  EXPECT_EQ(b->num_preemptions, 1);
  ASSERT_EQ(s2.scheduled.size(), 1u) << "no admission in a preempting step";
  EXPECT_EQ(s2.scheduled[0].seq, a);
  // b (older) is ahead of c in the waiting queue once space frees up.
  h.scheduler.Remove(a);
  const int32_t b_tokens = b->num_tokens();
  auto s3 = h.Step();
  ASSERT_GE(s3.scheduled.size(), 1u);
  EXPECT_EQ(s3.scheduled[0].seq, b);
  EXPECT_EQ(s3.scheduled[0].num_tokens, b_tokens) << "recompute prompt + generated";
  (void)c;
}

TEST(SchedulerTest, ALoneSequenceThatCannotGrowWaitsInsteadOfLooping) {
  Harness h(2, 2, {.max_batch_tokens = 100, .max_num_seqs = 8});
  Sequence* a = h.Add(4);
  h.Step();  // 4 tokens in 2 blocks, sampled a 5th
  auto s = h.Step();
  ASSERT_EQ(s.preempted.size(), 1u);
  EXPECT_EQ(s.preempted[0], a);
  EXPECT_TRUE(s.scheduled.empty());
}

TEST(SchedulerTest, WatermarkKeepsBlocksFreeForRunningSequences) {
  Harness h(4, 4, {.max_batch_tokens = 100, .max_num_seqs = 8, .watermark_blocks = 2});
  h.Add(8);  // needs 2 blocks: leaves exactly 2
  h.Add(4);  // would leave 1 < watermark
  auto s = h.Step();
  EXPECT_EQ(s.scheduled.size(), 1u);
  EXPECT_EQ(h.scheduler.num_waiting(), 1u);
}

}  // namespace
}  // namespace kt::serving
