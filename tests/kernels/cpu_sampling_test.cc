// Specification of CPU sampling and penalties: greedy argmax with lowest-index ties, exact
// log-softmax logprobs and sorted top logprobs, reproducible Philox draws per (seed, offset)
// independent of the batch, top-k and top-p survivor sets (ties kept), draws that follow the
// distribution, and HF/OpenAI penalty formulas. Bad inputs are Invalid, never a crash.
#include <cmath>
#include <map>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/cpu/cpu_ops.h"
#include "kernels/sampling_math.h"
#include "tests/kernels/host_tensor.h"

namespace kt::kernels {
namespace {

using testing::HostTensor;

// One batch of sampling inputs with per-row parameters.
struct Batch {
  HostTensor logits, temperature, top_k, top_p, seed, offset, tokens, logprobs;
  int64_t rows;

  Batch(const std::vector<std::vector<float>>& rows_in, DType dtype = DType::kF32)
      : logits(dtype,
               {static_cast<int64_t>(rows_in.size()), static_cast<int64_t>(rows_in[0].size())}),
        temperature(DType::kF32, {static_cast<int64_t>(rows_in.size())}),
        top_k(DType::kI32, {static_cast<int64_t>(rows_in.size())}),
        top_p(DType::kF32, {static_cast<int64_t>(rows_in.size())}),
        seed(DType::kI64, {static_cast<int64_t>(rows_in.size())}),
        offset(DType::kI64, {static_cast<int64_t>(rows_in.size())}),
        tokens(DType::kI32, {static_cast<int64_t>(rows_in.size())}),
        logprobs(DType::kF32, {static_cast<int64_t>(rows_in.size())}),
        rows(static_cast<int64_t>(rows_in.size())) {
    std::vector<float> flat;
    for (const auto& r : rows_in) flat.insert(flat.end(), r.begin(), r.end());
    logits.Set(flat);
    Params(1.0f, 0, 1.0f, 1, 0);
  }
  void Params(float t, int k, float p, int64_t s, int64_t o) {
    temperature.Set(std::vector<float>(rows, t));
    top_k.SetI32(std::vector<int32_t>(rows, k));
    top_p.Set(std::vector<float>(rows, p));
    seed.SetI64(std::vector<int64_t>(rows, s));
    offset.SetI64(std::vector<int64_t>(rows, o));
  }
  SampleArgs Args() {
    SampleArgs a;
    a.logits = logits.t();
    a.temperature = temperature.t();
    a.top_k = top_k.t();
    a.top_p = top_p.t();
    a.seed = seed.t();
    a.offset = offset.t();
    a.out_tokens = tokens.t();
    a.out_logprobs = logprobs.t();
    return a;
  }
  int32_t Draw(int64_t off) {
    offset.SetI64(std::vector<int64_t>(rows, off));
    Status s = cpu::Sample(Args());
    EXPECT_TRUE(s.ok()) << s.ToString();
    return tokens.I32()[0];
  }
};

std::vector<float> LogProbs(const std::vector<double>& p) {
  std::vector<float> l;
  for (double x : p) l.push_back(static_cast<float>(std::log(x)));
  return l;
}

TEST(CpuSampleTest, GreedyPicksArgmaxLowestIndexOnTiesWithExactLogprob) {
  Batch b({{0.5f, 3.0f, -1.0f, 3.0f, 2.0f}});
  b.Params(0.0f, 0, 1.0f, 1, 0);
  ASSERT_TRUE(cpu::Sample(b.Args()).ok());
  EXPECT_EQ(b.tokens.I32()[0], 1);
  double sum = 0;
  for (double l : {0.5, 3.0, -1.0, 3.0, 2.0}) sum += std::exp(l);
  EXPECT_NEAR(b.logprobs.Floats()[0], 3.0 - std::log(sum), 1e-6);
}

TEST(CpuSampleTest, TopLogprobsAreSortedDescendingWithLowestIndexFirstOnTies) {
  Batch b({{0.5f, 3.0f, -1.0f, 3.0f, 2.0f}});
  HostTensor ids(DType::kI32, {1, 3}), lps(DType::kF32, {1, 3});
  SampleArgs a = b.Args();
  a.top_logprobs = 3;
  a.out_top_tokens = ids.t();
  a.out_top_logprobs = lps.t();
  ASSERT_TRUE(cpu::Sample(a).ok());
  EXPECT_EQ(ids.I32(), (std::vector<int32_t>{1, 3, 4}));
  auto l = lps.Floats();
  EXPECT_EQ(l[0], l[1]);
  EXPECT_NEAR(l[1] - l[2], 1.0, 1e-6);
}

TEST(CpuSampleTest, SameSeedAndOffsetGiveTheSameTokenInAnyBatch) {
  std::vector<float> row = LogProbs({0.3, 0.3, 0.2, 0.1, 0.1});
  Batch one({row});
  one.Params(1.0f, 0, 1.0f, 77, 0);
  Batch many({LogProbs({0.9, 0.1, 0, 0, 0}), row, row});
  many.Params(1.0f, 0, 1.0f, 77, 0);
  many.seed.SetI64({5, 77, 78});
  for (int64_t off = 0; off < 50; ++off) {
    const int32_t alone = one.Draw(off);
    many.Draw(off);
    EXPECT_EQ(many.tokens.I32()[1], alone) << "offset " << off;
  }
}

TEST(CpuSampleTest, DrawsFollowTheDistribution) {
  const std::vector<double> p = {0.5, 0.25, 0.15, 0.1};
  Batch b({LogProbs(p)});
  b.Params(1.0f, 0, 1.0f, 2026, 0);
  std::vector<int> counts(4, 0);
  const int n = 4000;
  for (int i = 0; i < n; ++i) counts[b.Draw(i)]++;
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(counts[i] / double(n), p[i], 0.03) << "token " << i;
}

TEST(CpuSampleTest, TopKKeepsOnlyTheKBest) {
  Batch b({LogProbs({0.1, 0.3, 0.05, 0.25, 0.2, 0.1})});
  b.Params(1.0f, 3, 1.0f, 9, 0);
  std::map<int, int> seen;
  for (int i = 0; i < 300; ++i) seen[b.Draw(i)]++;
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_TRUE(seen.count(1) && seen.count(3) && seen.count(4));
}

TEST(CpuSampleTest, TopKKeepsTiesAtTheThreshold) {
  Batch b({{1.0f, 2.0f, 1.0f, 0.0f}});
  b.Params(1.0f, 2, 1.0f, 9, 0);
  std::map<int, int> seen;
  for (int i = 0; i < 300; ++i) seen[b.Draw(i)]++;
  EXPECT_EQ(seen.size(), 3u);  // token 1 plus both tokens tied at the 2nd-largest value
  EXPECT_EQ(seen.count(3), 0u);
}

TEST(CpuSampleTest, TopPKeepsTheSmallestHeadReachingP) {
  Batch b({LogProbs({0.15, 0.5, 0.05, 0.3})});
  b.Params(1.0f, 0, 0.75f, 3, 0);  // 0.5 < 0.75 <= 0.8: tokens 1 and 3
  std::map<int, int> seen;
  for (int i = 0; i < 300; ++i) seen[b.Draw(i)]++;
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen.count(1) && seen.count(3));
  b.Params(1.0f, 0, 0.45f, 3, 0);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(b.Draw(i), 1);
}

TEST(CpuSampleTest, TopPIsRenormalisedOverTopKSurvivors) {
  // Top-2 leaves {0.5, 0.3} -> renormalised {0.625, 0.375}; top_p 0.6 keeps only token 1.
  Batch b({LogProbs({0.15, 0.5, 0.05, 0.3})});
  b.Params(1.0f, 2, 0.6f, 3, 0);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(b.Draw(i), 1);
}

TEST(CpuSampleTest, LowTemperatureConcentratesOnTheArgmax) {
  Batch b({LogProbs({0.4, 0.35, 0.25})});
  b.Params(0.02f, 0, 1.0f, 11, 0);  // (0.35/0.4)^50 ~ 0.001
  int hits = 0;
  for (int i = 0; i < 200; ++i) hits += b.Draw(i) == 0;
  EXPECT_GT(hits, 195);
}

TEST(CpuSampleTest, Bf16LogitsAreAccepted) {
  Batch b({{0.0f, 5.0f, 1.0f}}, DType::kBF16);
  b.Params(0.0f, 0, 1.0f, 1, 0);
  ASSERT_TRUE(cpu::Sample(b.Args()).ok());
  EXPECT_EQ(b.tokens.I32()[0], 1);
}

TEST(CpuSampleTest, BadInputsAreInvalid) {
  Batch nan({{0.0f, NAN}});
  EXPECT_EQ(cpu::Sample(nan.Args()).code(), StatusCode::kInvalid);
  Batch b({{0.0f, 1.0f}});
  b.Params(1.0f, 0, 0.0f, 1, 0);
  EXPECT_EQ(cpu::Sample(b.Args()).code(), StatusCode::kInvalid);
  Batch masked({{-INFINITY, -INFINITY}});
  EXPECT_EQ(cpu::Sample(masked.Args()).code(), StatusCode::kInvalid);
  Batch hot({{3e38f, 1.0f}});
  hot.Params(1e-4f, 0, 1.0f, 1, 0);
  EXPECT_EQ(cpu::Sample(hot.Args()).code(), StatusCode::kInvalid);
}

TEST(CpuSampleTest, MaskedTokensAreNeverDrawn) {
  Batch b({{0.0f, -INFINITY, 0.0f}});
  for (int i = 0; i < 100; ++i) EXPECT_NE(b.Draw(i), 1);
}

TEST(SamplingMathTest, OrderedKeyPreservesFloatOrder) {
  const std::vector<float> v = {-INFINITY, -3e38f, -1.0f, -1e-40f, -0.0f,
                                0.0f,      1e-40f, 2.0f,  INFINITY};
  for (size_t i = 1; i < v.size(); ++i) EXPECT_LE(OrderedKey(v[i - 1]), OrderedKey(v[i])) << i;
  EXPECT_EQ(FloatOfOrderedKey(OrderedKey(-2.5f)), -2.5f);
  EXPECT_EQ(SampleWeight(1.0f), 2147483648u);
  EXPECT_EQ(SampleTarget(1000, 0xffffffffu), 999u);
  EXPECT_EQ(TopPNeed(10, 0.45f), 5u);
  EXPECT_EQ(TopPNeed(10, 1.0f), 10u);
}

struct PenaltyRows {
  HostTensor logits, offsets, ids, counts, rep, freq, pres;
};

TEST(CpuPenaltiesTest, RepetitionThenFrequencyAndPresence) {
  HostTensor logits(DType::kF32, {2, 4}), offsets(DType::kI32, {3}), ids(DType::kI32, {3}),
      counts(DType::kI32, {3}), rep(DType::kF32, {2}), freq(DType::kF32, {2}),
      pres(DType::kF32, {2});
  logits.Set({2.0f, -2.0f, 1.0f, 4.0f, 1.0f, 1.0f, 1.0f, 1.0f});
  offsets.SetI32({0, 2, 3});
  ids.SetI32({0, 1, 2});
  counts.SetI32({3, 0, 2});
  rep.Set({2.0f, 1.0f});
  freq.Set({0.5f, 0.25f});
  pres.Set({1.0f, 0.1f});
  ASSERT_TRUE(
      cpu::Penalties({logits.t(), offsets.t(), ids.t(), counts.t(), rep.t(), freq.t(), pres.t()})
          .ok());
  auto l = logits.Floats();
  EXPECT_FLOAT_EQ(l[0], 2.0f / 2 - 0.5f * 3 - 1.0f);  // positive: divided; then count 3
  EXPECT_FLOAT_EQ(l[1], -2.0f * 2);                   // negative: multiplied; count 0
  EXPECT_FLOAT_EQ(l[2], 1.0f);                        // not listed
  EXPECT_FLOAT_EQ(l[3], 4.0f);
  EXPECT_FLOAT_EQ(l[6], 1.0f - 0.25f * 2 - 0.1f);
  EXPECT_FLOAT_EQ(l[4], 1.0f);
}

TEST(CpuPenaltiesTest, DuplicateIdsInARowAreInvalid) {
  HostTensor logits(DType::kF32, {1, 4}), offsets(DType::kI32, {2}), ids(DType::kI32, {2}),
      counts(DType::kI32, {2}), rep(DType::kF32, {1}), freq(DType::kF32, {1}),
      pres(DType::kF32, {1});
  offsets.SetI32({0, 2});
  ids.SetI32({3, 3});
  counts.SetI32({1, 1});
  rep.Set({1.0f});
  Status s =
      cpu::Penalties({logits.t(), offsets.t(), ids.t(), counts.t(), rep.t(), freq.t(), pres.t()});
  EXPECT_EQ(s.code(), StatusCode::kInvalid);
  EXPECT_NE(s.message().find("distinct"), std::string::npos);
}

}  // namespace
}  // namespace kt::kernels
