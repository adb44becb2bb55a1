// Time formatting matches what Kubernetes servers write and kubectl prints.
#include "base/time.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <vector>

namespace kt {
namespace {

TEST(TimeTest, Rfc3339RoundTripsAtSecondAndMicroPrecision) {
  Time t = FromUnixSeconds(1767225600) + 1234567us;
  EXPECT_EQ(FormatRfc3339(t), "2026-01-01T00:00:01Z");
  EXPECT_EQ(FormatRfc3339Micro(t), "2026-01-01T00:00:01.234567Z");
  EXPECT_EQ(*ParseRfc3339("2026-01-01T00:00:01.234567Z"), t);
  EXPECT_EQ(*ParseRfc3339("2026-01-01T01:00:01.234567+01:00"), t);
}

TEST(TimeTest, Rfc3339FormattingAgreesWithGmtimeAcrossCenturiesAndLeapDays) {
  // The formatter computes the civil date itself; libc's gmtime_r is the reference.
  std::vector<int64_t> secs = {0, -1, 951782400 /* 2000-02-29 */, 4107542399 /* 2100-02-28 */,
                               -2208988800 /* 1900-01-01 */, 1767225599, 9214646400};
  for (int64_t s = -5'000'000'000; s < 9'000'000'000; s += 86'399 * 397) secs.push_back(s);
  for (int64_t s : secs) {
    std::time_t tt = static_cast<std::time_t>(s);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char want[96];
    std::snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.000042Z", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    Time t = FromUnixSeconds(s) + 42us;
    ASSERT_EQ(FormatRfc3339Micro(t), want) << s;
    ASSERT_EQ(*ParseRfc3339(want), t) << s;
  }
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
