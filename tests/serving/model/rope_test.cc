// RoPE tables and the LongRoPE factor policy: the transformers rule picks long factors for a
// token iff max(prompt_len, position + 1) > original_max (so prefill, chunked prefill and
// recompute agree), the vLLM policy always picks long; the multiplier is
// sqrt(1 + ln(s) / ln(original_max)) (1.1902 for Phi-3-mini-128k); linear scaling divides the
// frequencies by the factor; llama3 scaling leaves high frequencies alone and divides low ones.
#include "serving/model/rope.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/serving/testing/test_models.h"

namespace kt::serving {
namespace {

using testing::PresetConfig;

TEST(RopeTest, LongRopeVariantFollowsTheTransformersRule) {
  auto r = Rope::Create(PresetConfig("tiny-phi3-longrope"));  // original_max 64
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().has_long());
  EXPECT_EQ(r.value().VariantFor(0, 10), Rope::kShort);
  EXPECT_EQ(r.value().VariantFor(63, 10), Rope::kShort);  // sequence length 64: not over
  EXPECT_EQ(r.value().VariantFor(64, 10), Rope::kLong);   // length 65
  EXPECT_EQ(r.value().VariantFor(0, 65), Rope::kLong);    // long prompt: all of it long
  auto always = Rope::Create(PresetConfig("tiny-phi3-longrope"), LongRopePolicy::kAlwaysLong);
  EXPECT_EQ(always.value().VariantFor(0, 1), Rope::kLong);
}

TEST(RopeTest, Phi3Mini128kMscale) {
  auto r = Rope::Create(PresetConfig("phi-3-mini-128k-instruct"));
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r.value().mscale(), std::sqrt(1 + std::log(32.0) / std::log(4096.0)), 1e-6);
  EXPECT_NEAR(r.value().mscale(), 1.1902, 1e-4);
  EXPECT_EQ(r.value().inv_freq(Rope::kShort).size(), 48u);
  // inv_freq = 1 / (factor * theta^(2i/d)); i = 0 has theta^0 = 1.
  EXPECT_NEAR(r.value().inv_freq(Rope::kLong)[0], 1.0 / 1.03, 1e-6);
  EXPECT_NEAR(r.value().inv_freq(Rope::kShort)[0], 1.0 / 1.05, 1e-6);
}

TEST(RopeTest, PlainAndScaledFrequencies) {
  ModelConfig c = PresetConfig("tiny-phi3");  // head_dim 16, theta 1e4
  auto plain = Rope::Create(c);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain.value().has_long());
  EXPECT_EQ(plain.value().mscale(), 1.0f);
  EXPECT_NEAR(plain.value().inv_freq(Rope::kShort)[1], 1.0 / std::pow(10000.0, 2.0 / 16), 1e-7);
  c.rope_scaling.type = RopeType::kLinear;
  c.rope_scaling.factor = 4;
  auto linear = Rope::Create(c);
  EXPECT_NEAR(linear.value().inv_freq(Rope::kShort)[1], plain.value().inv_freq(Rope::kShort)[1] / 4,
              1e-7);
  auto llama = Rope::Create(PresetConfig("tiny-llama3"));
  ASSERT_TRUE(llama.ok());
  const auto& f = llama.value().inv_freq(Rope::kShort);
  EXPECT_NEAR(f[0], 1.0, 1e-7);  // highest frequency untouched
  EXPECT_NEAR(f.back(), 1.0 / std::pow(500000.0, 14.0 / 16) / 8, 1e-9);  // lowest divided by 8
}

}  // namespace
}  // namespace kt::serving
