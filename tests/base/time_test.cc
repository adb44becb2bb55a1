// Time formatting matches what Kubernetes servers write and kubectl prints.
#include "base/time.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <vector>

namespace kt {
namespace {

TEST(TimeTest, Rfc3339AtSecondPrecisionTruncatesWhateverWasFormattedBefore) {
  // The text of the last second is kept: alternate within and across seconds, and before 1970
  // (truncated down, as Kubernetes' Go does).
  const Time base = FromUnixSeconds(1767225600);
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(FormatRfc3339(base + 999ms), "2026-01-01T00:00:00Z");
    EXPECT_EQ(FormatRfc3339(base), "2026-01-01T00:00:00Z");
    EXPECT_EQ(FormatRfc3339(base + 1s), "2026-01-01T00:00:01Z");
    EXPECT_EQ(FormatRfc3339(base + 1s + 1ns), "2026-01-01T00:00:01Z");
    EXPECT_EQ(FormatRfc3339(base - 1ns), "2025-12-31T23:59:59Z");
    EXPECT_EQ(FormatRfc3339(FromUnixSeconds(0) - 500ms), "1969-12-31T23:59:59Z");
  }
}

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

// Regression (found by fuzz_time_parse): "2026-02-30" was accepted and read as March 2. Dates
// and times are now held to Go's time.Parse, which metav1.Time uses: the day within its month,
// no second 60, upper-case "T" and "Z", offsets up to 24:60. Dates whose nanoseconds would overflow
// 64 bits were computed with signed overflow; they are refused.
TEST(TimeTest, Rfc3339RefusesWhatGoRefuses) {
  for (const char* bad : {"2026-02-29T00:00:00Z", "2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z",
                          "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z", "2026-01-01T00:00:60Z",
                          "2026-01-01T00:00:00z", "2026-01-01t00:00:00Z",
                          "2026-01-01T00:00:00+25:00",
                          "2026-01-01T00:00:00+01:61"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2024-02-29T23:59:59Z")), "2024-02-29T23:59:59Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2000-02-29T00:00:00Z")), "2000-02-29T00:00:00Z");
  EXPECT_FALSE(ParseRfc3339("1900-02-29T00:00:00Z").ok());
  // Times are nanoseconds in 64 bits; beyond 1678-2261 they are refused, not overflowed.
  EXPECT_FALSE(ParseRfc3339("0001-01-01T00:00:00Z").ok());
  EXPECT_FALSE(ParseRfc3339("9999-12-31T23:59:59Z").ok());
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("1678-01-01T00:00:00Z")), "1678-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2261-12-31T23:59:59Z")), "2261-12-31T23:59:59Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2026-01-01T00:30:00+24:00")), "2025-12-31T00:30:00Z");
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

// Regression (found by fuzz_time_parse): a duration past int64 nanoseconds was converted from
// double with undefined behaviour; Go calls it invalid, and so do we.
TEST(TimeTest, ParseDurationRefusesOverflow) {
  for (const char* bad : {"3000000h", "-3000000h", "99999999999999999999s", "1e3s"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
  EXPECT_EQ(*ParseDuration("2000000h"), std::chrono::hours(2000000));
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
