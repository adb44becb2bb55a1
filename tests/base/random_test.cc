// Seeded streams are reproducible and independent of each other.
#include "base/random.h"

#include <gtest/gtest.h>

namespace kt {
namespace {

TEST(RandomTest, SameSeedSameSequence) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs |= x != c.Next();
  }
  EXPECT_TRUE(differs);
}

TEST(RandomTest, UniformIntStaysInRangeAndCoversIt) {
  Rng r(7);
  bool seen[6] = {};
  for (int i = 0; i < 1000; ++i) {
    int64_t v = r.UniformInt(1, 6);
    ASSERT_GE(v, 1);
    ASSERT_LE(v, 6);
    seen[v - 1] = true;
  }
  for (bool s : seen) EXPECT_TRUE(s);
}

TEST(RandomTest, DistributionsHaveTheirMeans) {
  Rng r(11);
  double sum_u = 0, sum_n = 0, sum_e = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    sum_u += r.Uniform();
    sum_n += r.Normal(5, 2);
    sum_e += r.Exponential(3);
  }
  EXPECT_NEAR(sum_u / n, 0.5, 0.02);
  EXPECT_NEAR(sum_n / n, 5.0, 0.1);
  EXPECT_NEAR(sum_e / n, 3.0, 0.15);
}

}  // namespace
}  // namespace kt
