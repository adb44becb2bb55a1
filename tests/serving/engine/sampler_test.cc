// Sampling semantics: temperature 0 is argmax; the same seed and output index give the same
// token and different seeds spread over the distribution; top_k = 1 is argmax; min_p removes
// tokens below min_p x p_max; repetition and presence/frequency penalties push repeated tokens
// down; min_tokens masks stop tokens; logprobs are the raw log-softmax, top-N sorted.
#include "serving/engine/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace kt::serving {
namespace {

Sequence MakeSeq(SamplingParams p, uint64_t seed = 1) {
  Sequence s;
  s.tokens = {1, 2};
  s.prompt_len = 2;
  s.params = p;
  s.seed = seed;
  return s;
}

int SampleOne(std::vector<float> logits, Sequence& s, std::vector<int32_t> stop = {},
              SampledToken* tok_out = nullptr) {
  Sampler sampler(static_cast<int32_t>(logits.size()));
  std::vector<SampledToken> out;
  std::vector<Sequence*> seqs{&s};
  Status st = sampler.Sample(logits, seqs, {stop}, out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  if (tok_out) *tok_out = out[0];
  return out[0].token;
}

TEST(SamplerTest, TemperatureZeroIsArgmax) {
  Sequence s = MakeSeq({.temperature = 0});
  EXPECT_EQ(SampleOne({0.1f, 3.0f, 2.9f, -1}, s), 1);
}

TEST(SamplerTest, SameSeedSameTokenDifferentSeedsSpread) {
  std::vector<float> flat(16, 0.0f);
  std::set<int> seen;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    Sequence a = MakeSeq({.temperature = 1}, seed);
    Sequence b = MakeSeq({.temperature = 1}, seed);
    int ta = SampleOne(flat, a), tb = SampleOne(flat, b);
    EXPECT_EQ(ta, tb) << "seed " << seed;
    seen.insert(ta);
  }
  EXPECT_GT(seen.size(), 8u);
}

TEST(SamplerTest, TopKOneIsArgmaxAtAnyTemperature) {
  for (uint64_t seed = 1; seed < 20; ++seed) {
    Sequence s = MakeSeq({.temperature = 5, .top_k = 1}, seed);
    EXPECT_EQ(SampleOne({0, 1, 4, 2}, s), 2);
  }
}

TEST(SamplerTest, MinPRemovesUnlikelyTokens) {
  // p ratios to the max: token 1 exp(-1) = 0.37 survives min_p 0.3, token 0 exp(-5) does not.
  for (uint64_t seed = 1; seed < 50; ++seed) {
    Sequence s = MakeSeq({.temperature = 1, .min_p = 0.3f}, seed);
    EXPECT_NE(SampleOne({0, 4, 5}, s), 0);
  }
}

TEST(SamplerTest, PenaltiesPushRepeatedTokensDown) {
  Sequence s = MakeSeq({.temperature = 0, .repetition_penalty = 2.0f});
  s.tokens = {0, 0};  // token 0 in the prompt
  EXPECT_EQ(SampleOne({3.0f, 2.0f}, s), 1) << "3 / 2 < 2";
  Sequence f = MakeSeq({.temperature = 0, .frequency_penalty = 0.6f});
  f.tokens = {1, 2, 0, 0};
  f.prompt_len = 2;
  f.output_counts = {{0, 2}};
  EXPECT_EQ(SampleOne({3.0f, 2.0f}, f), 1) << "3 - 2 x 0.6 < 2";
  Sequence p = MakeSeq({.temperature = 0, .presence_penalty = 0.5f});
  p.tokens = {1, 2, 0};
  p.prompt_len = 2;
  p.output_counts = {{0, 1}};
  EXPECT_EQ(SampleOne({2.2f, 2.0f}, p), 1);
}

TEST(SamplerTest, MinTokensMasksStopTokens) {
  Sequence s = MakeSeq({.temperature = 0, .min_tokens = 2});
  EXPECT_EQ(SampleOne({9.0f, 1.0f}, s, {0}), 1);
  s.tokens = {1, 2, 5, 5};  // two generated already
  EXPECT_EQ(SampleOne({9.0f, 1.0f}, s, {0}), 0);
}

TEST(SamplerTest, LogprobsAreRawLogSoftmaxWithSortedTopN) {
  Sequence s = MakeSeq({.temperature = 0, .repetition_penalty = 5.0f, .logprobs = 2});
  SampledToken tok;
  std::vector<float> logits = {1.0f, 2.0f, 0.0f};
  int t = SampleOne(logits, s, {}, &tok);
  double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(0.0));
  EXPECT_NEAR(tok.logprob, logits[t] - lse, 1e-6) << "logprob before penalties";
  ASSERT_EQ(tok.top.size(), 2u);
  EXPECT_EQ(tok.top[0].first, 1);
  EXPECT_EQ(tok.top[1].first, 0);
  EXPECT_NEAR(tok.top[0].second, 2.0 - lse, 1e-6);
}

TEST(SamplerTest, DrawOnlyWhenNothingNeedsTheLogitsThemselves) {
  EXPECT_TRUE(Sampler::DrawOnly(MakeSeq({.temperature = 0}), {}));
  EXPECT_TRUE(Sampler::DrawOnly(MakeSeq({.temperature = 0.7f, .top_k = 5, .top_p = 0.9f}), {}));
  EXPECT_TRUE(Sampler::DrawOnly(MakeSeq({.temperature = 0, .min_p = 0.2f}), {}))
      << "min-p does nothing to a greedy draw";
  EXPECT_FALSE(Sampler::DrawOnly(MakeSeq({.temperature = 1, .min_p = 0.2f}), {}));
  EXPECT_FALSE(Sampler::DrawOnly(MakeSeq({.logprobs = 0}), {}));
  EXPECT_FALSE(Sampler::DrawOnly(MakeSeq({.repetition_penalty = 1.1f}), {}));
  EXPECT_FALSE(Sampler::DrawOnly(MakeSeq({.frequency_penalty = 0.5f}), {}));
  EXPECT_FALSE(Sampler::DrawOnly(MakeSeq({.presence_penalty = -0.5f}), {}));
  Sequence s = MakeSeq({.min_tokens = 1});
  EXPECT_FALSE(Sampler::DrawOnly(s, {0})) << "stop ids still masked";
  EXPECT_TRUE(Sampler::DrawOnly(s, {})) << "no stop ids to mask";
  s.tokens.push_back(7);
  EXPECT_TRUE(Sampler::DrawOnly(s, {0})) << "min_tokens reached";
}

}  // namespace
}  // namespace kt::serving
