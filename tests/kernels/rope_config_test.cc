// Proves RoPE frequencies follow HF transformers' initialisers: plain theta^(-2i/D), llama3's
// three frequency bands, LongRoPE's per-pair factors and its attention factor (Phi-3-mini-128k:
// sqrt(1 + ln 32 / ln 4096) = 1.1902), and that bad configs are Invalid.
#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

#include "kernels/rope.h"

namespace kt::kernels {
namespace {

TEST(RopeConfigTest, PlainFrequenciesFollowTheta) {
  RopeConfig c;
  c.head_dim = 96;
  c.theta = 10000.0;
  auto f = RopeInvFreq(c);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->size(), 48u);
  EXPECT_FLOAT_EQ((*f)[0], 1.0f);
  EXPECT_FLOAT_EQ((*f)[1], static_cast<float>(std::pow(10000.0, -2.0 / 96)));
  EXPECT_FLOAT_EQ((*f)[47], static_cast<float>(std::pow(10000.0, -94.0 / 96)));
  EXPECT_EQ(*RopeMscale(c), 1.0f);
}

TEST(RopeConfigTest, Llama3KeepsHighDividesLowAndBlendsMiddle) {
  RopeConfig c;  // Llama 3.1 8B
  c.head_dim = 128;
  c.theta = 500000.0;
  c.scaling = RopeScaling::kLlama3;
  c.factor = 8.0;
  c.low_freq_factor = 1.0;
  c.high_freq_factor = 4.0;
  c.original_max_position = 8192;
  auto f = RopeInvFreq(c);
  ASSERT_TRUE(f.ok());
  RopeConfig plain = c;
  plain.scaling = RopeScaling::kNone;
  auto p = RopeInvFreq(plain);
  int high = 0, low = 0, mid = 0;
  for (int i = 0; i < 64; ++i) {
    const double wavelen = 2 * std::numbers::pi / (*p)[i];
    if (wavelen < 8192.0 / 4.0) {
      EXPECT_EQ((*f)[i], (*p)[i]) << i;  // high frequency: unchanged
      ++high;
    } else if (wavelen > 8192.0) {
      EXPECT_FLOAT_EQ((*f)[i], (*p)[i] / 8.0f) << i;  // low frequency: divided by factor
      ++low;
    } else {
      EXPECT_LT((*f)[i], (*p)[i]);
      EXPECT_GT((*f)[i], (*p)[i] / 8.0f);
      ++mid;
    }
  }
  EXPECT_GT(high, 0);
  EXPECT_GT(low, 0);
  EXPECT_GT(mid, 0);
}

TEST(RopeConfigTest, LongRopeDividesByFactorsAndScalesCosSin) {
  RopeConfig c;  // Phi-3-mini-128k shape
  c.head_dim = 96;
  c.scaling = RopeScaling::kLongRope;
  c.original_max_position = 4096;
  c.max_position = 131072;
  c.short_factor.assign(48, 1.0);
  c.long_factor.assign(48, 1.0);
  c.short_factor[3] = 1.1;
  c.long_factor[3] = 4.0;
  auto s = RopeInvFreq(c, false);
  auto l = RopeInvFreq(c, true);
  ASSERT_TRUE(s.ok() && l.ok());
  const double base3 = std::pow(10000.0, -6.0 / 96);
  EXPECT_FLOAT_EQ((*s)[3], static_cast<float>(base3 / 1.1));
  EXPECT_FLOAT_EQ((*l)[3], static_cast<float>(base3 / 4.0));
  EXPECT_EQ((*s)[0], 1.0f);
  EXPECT_NEAR(*RopeMscale(c), 1.1902, 1e-4);
  c.attention_factor = 1.5;
  EXPECT_EQ(*RopeMscale(c), 1.5f);
}

TEST(RopeConfigTest, BadConfigsAreInvalid) {
  RopeConfig c;
  c.head_dim = 7;
  EXPECT_EQ(RopeInvFreq(c).status().code(), StatusCode::kInvalid);
  c.head_dim = 8;
  c.scaling = RopeScaling::kLongRope;
  c.original_max_position = 4096;
  c.max_position = 8192;
  c.short_factor = {1, 1, 1};
  c.long_factor = {1, 1, 1, 1};
  auto r = RopeInvFreq(c);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalid);
  EXPECT_NE(r.status().message().find("head_dim/2 = 4"), std::string::npos);
  c.short_factor = {1, 1, 1, 0};
  EXPECT_FALSE(RopeMscale(c).ok());
  RopeConfig l;
  l.head_dim = 8;
  l.scaling = RopeScaling::kLlama3;
  EXPECT_FALSE(RopeInvFreq(l).ok());  // no original_max_position
}

}  // namespace
}  // namespace kt::kernels
