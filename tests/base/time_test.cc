// Time formatting matches what Kubernetes servers write and kubectl prints.
#include "base/time.h"

#include <gtest/gtest.h>

namespace kt {
namespace {

TEST(TimeTest, Rfc3339RoundTripsAtSecondAndMicroPrecision) {
  Time t = FromUnixSeconds(1767225600) + 1234567us;
  EXPECT_EQ(FormatRfc3339(t), "2026-01-01T00:00:01Z");
  EXPECT_EQ(FormatRfc3339Micro(t), "2026-01-01T00:00:01.234567Z");
  EXPECT_EQ(*ParseRfc3339("2026-01-01T00:00:01.234567Z"), t);
  EXPECT_EQ(*ParseRfc3339("2026-01-01T01:00:01.234567+01:00"), t);
}

TEST(TimeTest, Rfc3339RejectsGarbage) {
  EXPECT_FALSE(ParseRfc3339("2026-01-01").ok());
  EXPECT_FALSE(ParseRfc3339("2026-13-01T00:00:00Z").ok());
  EXPECT_FALSE(ParseRfc3339("2026-01-01T00:00:00Zjunk").ok());
}

TEST(TimeTest, HumanDurationMatchesKubectlAgeColumn) {
  EXPECT_EQ(HumanDuration(8s), "8s");
  EXPECT_EQ(HumanDuration(119s), "119s");
  EXPECT_EQ(HumanDuration(5min + 3s), "5m3s");
  EXPECT_EQ(HumanDuration(5min), "5m");
  EXPECT_EQ(HumanDuration(72min), "72m");
  EXPECT_EQ(HumanDuration(3h + 12min), "3h12m");
  EXPECT_EQ(HumanDuration(47h), "47h");
  EXPECT_EQ(HumanDuration(76h), "3d4h");
  EXPECT_EQ(HumanDuration(24h * 99), "99d");
  EXPECT_EQ(HumanDuration(24h * (365 * 2 + 3)), "2y3d");
}

TEST(TimeTest, ParseDurationAcceptsGoSyntax) {
  EXPECT_EQ(*ParseDuration("1.5s"), 1500ms);
  EXPECT_EQ(*ParseDuration("1h30m"), 90min);
  EXPECT_EQ(*ParseDuration("250ms"), 250ms);
  EXPECT_FALSE(ParseDuration("5 parsecs").ok());
  EXPECT_FALSE(ParseDuration("").ok());
}

}  // namespace
}  // namespace kt
