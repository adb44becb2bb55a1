// Proves the Philox4x32-10 generator matches the published known-answer vectors (Random123's
// kat_vectors), so host and device draws agree with cuRAND-style Philox everywhere.
#include "kernels/philox.h"

#include <gtest/gtest.h>

namespace kt::kernels {
namespace {

void ExpectBlock(PhiloxBlock ctr, uint32_t k0, uint32_t k1, PhiloxBlock want) {
  PhiloxBlock got = Philox4x32x10(ctr, k0, k1);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(got.v[i], want.v[i]) << "word " << i;
}

TEST(PhiloxTest, KnownAnswerZeroCounterZeroKey) {
  ExpectBlock({{0, 0, 0, 0}}, 0, 0, {{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}});
}

TEST(PhiloxTest, KnownAnswerAllOnes) {
  ExpectBlock({{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}}, 0xffffffffu, 0xffffffffu,
              {{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}});
}

TEST(PhiloxTest, KnownAnswerPiDigits) {
  ExpectBlock({{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}}, 0xa4093822u, 0x299f31d0u,
              {{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}});
}

TEST(PhiloxTest, DrawDependsOnSeedAndOffsetOnly) {
  EXPECT_EQ(PhiloxDraw(42, 7), PhiloxDraw(42, 7));
  EXPECT_NE(PhiloxDraw(42, 7), PhiloxDraw(42, 8));
  EXPECT_NE(PhiloxDraw(42, 7), PhiloxDraw(43, 7));
  EXPECT_NE(PhiloxDraw(1ull << 32, 0), PhiloxDraw(0, 0));  // the seed's high word matters
}

}  // namespace
}  // namespace kt::kernels
