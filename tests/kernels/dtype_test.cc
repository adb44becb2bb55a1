// Proves the 16- and 8-bit float formats convert like PyTorch: round-to-nearest-even with ties
// to even, NaN stays NaN, overflow gives inf (bf16/f16) or saturates to 448 (fp8 e4m3), f16
// and fp8 subnormals are exact; every 16-bit pattern round-trips through float.
#include "kernels/dtype.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "base/random.h"

namespace kt::kernels {
namespace {

// The representable value nearest to x among all finite patterns of a format, ties to the
// pattern with an even mantissa: the oracle for the bit-twiddling conversions.
template <typename F, int kBits>
uint32_t NearestPattern(float x) {
  double best = INFINITY;
  uint32_t best_bits = 0;
  for (uint32_t b = 0; b < (1u << kBits); ++b) {
    const float v = F::FromBits(static_cast<decltype(F::bits)>(b)).ToFloat();
    if (!std::isfinite(v)) continue;
    const double err = std::fabs(static_cast<double>(v) - x);
    if (err < best || (err == best && (b & 1u) == 0 && std::signbit(v) == std::signbit(x))) {
      best = err;
      best_bits = b;
    }
  }
  return best_bits;
}

TEST(DTypeTest, SizesAndNames) {
  EXPECT_EQ(DTypeSize(DType::kBF16), 2u);
  EXPECT_EQ(DTypeSize(DType::kF8E4M3), 1u);
  EXPECT_EQ(DTypeSize(DType::kI64), 8u);
  EXPECT_EQ(DTypeName(DType::kF16), "f16");
  EXPECT_TRUE(IsFloatType(DType::kF8E4M3));
  EXPECT_FALSE(IsFloatType(DType::kI32));
}

TEST(DTypeTest, Bf16RoundsToNearestEvenOnTies) {
  // 1 + 2^-8 is exactly halfway between bf16 1.0 and 1 + 2^-7: ties to even (1.0).
  EXPECT_EQ(BF16::FromFloat(1.0f + 0.00390625f).bits, 0x3f80);
  // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): rounds up.
  EXPECT_EQ(BF16::FromFloat(1.0f + 3 * 0.00390625f).bits, 0x3f82);
  // Just above the tie rounds up.
  EXPECT_EQ(BF16::FromFloat(std::nextafter(1.0f + 0.00390625f, 2.0f)).bits, 0x3f81);
  EXPECT_EQ(BF16::FromFloat(-2.5f).ToFloat(), -2.5f);
}

TEST(DTypeTest, Bf16KeepsNanAndOverflowsToInf) {
  EXPECT_TRUE(std::isnan(BF16::FromFloat(std::numeric_limits<float>::quiet_NaN()).ToFloat()));
  // A signalling-NaN payload that would round to inf must stay NaN.
  EXPECT_TRUE(std::isnan(BF16::FromFloat(FloatOfBits(0x7f800001u)).ToFloat()));
  EXPECT_EQ(BF16::FromFloat(std::numeric_limits<float>::max()).ToFloat(), INFINITY);
  EXPECT_EQ(BF16::FromFloat(-INFINITY).ToFloat(), -INFINITY);
}

TEST(DTypeTest, EverySixteenBitPatternRoundTrips) {
  for (uint32_t b = 0; b < 65536; ++b) {
    const float bf = BF16::FromBits(static_cast<uint16_t>(b)).ToFloat();
    if (!std::isnan(bf)) {
      ASSERT_EQ(BF16::FromFloat(bf).bits, b) << std::hex << b;
    }
    const float h = F16::FromBits(static_cast<uint16_t>(b)).ToFloat();
    if (!std::isnan(h)) {
      ASSERT_EQ(F16::FromFloat(h).bits, b) << std::hex << b;
    }
  }
}

TEST(DTypeTest, F16MatchesNearestRepresentableOnRandomFloats) {
  const uint64_t seed = 20261127;
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  Rng rng(seed);
  for (int i = 0; i < 300; ++i) {
    // Magnitudes across the normal and subnormal half range.
    const float x =
        static_cast<float>((rng.Uniform() * 2 - 1) * std::pow(2.0, rng.UniformInt(-26, 15)));
    ASSERT_EQ(F16::FromFloat(x).bits, (NearestPattern<F16, 16>(x))) << x;
  }
}

TEST(DTypeTest, F16SubnormalsInfAndNan) {
  EXPECT_EQ(F16::FromFloat(5.9604644775390625e-08f).bits, 0x0001);   // 2^-24, smallest subnormal
  EXPECT_EQ(F16::FromFloat(2.98023223876953125e-08f).bits, 0x0000);  // 2^-25: tie to even (0)
  EXPECT_EQ(F16::FromFloat(65504.0f).bits, 0x7bff);
  EXPECT_EQ(F16::FromFloat(65519.0f).bits, 0x7bff);
  EXPECT_EQ(F16::FromFloat(65520.0f).bits, 0x7c00);  // tie between 65504 and 65536 -> inf
  EXPECT_TRUE(std::isnan(F16::FromFloat(NAN).ToFloat()));
  EXPECT_EQ(F16::FromBits(0x8001).ToFloat(), -5.9604644775390625e-08f);
}

TEST(DTypeTest, Fp8E4M3SaturatesAndRoundsToNearestEven) {
  EXPECT_EQ(F8E4M3::FromFloat(448.0f).bits, 0x7e);
  EXPECT_EQ(F8E4M3::FromFloat(1e6f).bits, 0x7e);
  EXPECT_EQ(F8E4M3::FromFloat(-INFINITY).bits, 0xfe);
  EXPECT_EQ(F8E4M3::FromBits(0x7e).ToFloat(), 448.0f);
  EXPECT_TRUE(std::isnan(F8E4M3::FromBits(0x7f).ToFloat()));
  EXPECT_TRUE(std::isnan(F8E4M3::FromFloat(NAN).ToFloat()));
  EXPECT_EQ(F8E4M3::FromBits(0x01).ToFloat(), 0.001953125f);  // 2^-9
  for (uint32_t b = 0; b < 256; ++b) {
    const float v = F8E4M3::FromBits(static_cast<uint8_t>(b)).ToFloat();
    if (!std::isnan(v)) {
      ASSERT_EQ(F8E4M3::FromFloat(v).bits, b) << b;
    }
  }
  const uint64_t seed = 7;
  Rng rng(seed);
  for (int i = 0; i < 2000; ++i) {
    const float x =
        static_cast<float>((rng.Uniform() * 2 - 1) * std::pow(2.0, rng.UniformInt(-12, 8)));
    ASSERT_EQ(F8E4M3::FromFloat(x).bits, (NearestPattern<F8E4M3, 8>(x))) << x;
  }
}

}  // namespace
}  // namespace kt::kernels
