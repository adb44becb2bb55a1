// Prometheus text primitives: values in their shortest round-trip form with NaN and the
// infinities spelled as Prometheus reads them, label values and HELP texts escaped; the
// histogram counts each observation in every bucket whose bound is >= it and renders
// cumulative _bucket lines with +Inf, _sum and _count, with and without labels.
#include "base/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace kt::prometheus {
namespace {

TEST(PrometheusTextTest, ValuesAreShortestRoundTripText) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(0.005), "0.005");
  EXPECT_EQ(FormatValue(2560), "2560");
  EXPECT_EQ(FormatValue(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatValue(-1.5), "-1.5");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(PrometheusTextTest, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(EscapeLabelValue("plain"), "plain");
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
}

TEST(PrometheusTextTest, HeaderEscapesHelpButNotQuotes) {
  std::string out;
  AppendHeader(out, "demo_total", "counter", "Counts \"things\"\nand \\ more.");
  EXPECT_EQ(out,
            "# HELP demo_total Counts \"things\"\\nand \\\\ more.\n"
            "# TYPE demo_total counter\n");
}

TEST(PrometheusTextTest, HistogramCountsUpToEachBoundAndRendersCumulatively) {
  Histogram h({0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 1.0, 3.0, 50.0}) h.Observe(v);
  EXPECT_EQ(h.CumulativeCount(0), 2u) << "a value equal to a bound is in that bucket";
  EXPECT_EQ(h.CumulativeCount(1), 4u);
  EXPECT_EQ(h.CumulativeCount(2), 5u);
  EXPECT_EQ(h.count(), 6u) << "above every bound: only in +Inf";
  EXPECT_DOUBLE_EQ(h.sum(), 54.65);
  std::string out;
  h.AppendSamples(out, "demo_seconds", "verb=\"GET\"");
  EXPECT_EQ(out,
            "demo_seconds_bucket{verb=\"GET\",le=\"0.1\"} 2\n"
            "demo_seconds_bucket{verb=\"GET\",le=\"1\"} 4\n"
            "demo_seconds_bucket{verb=\"GET\",le=\"10\"} 5\n"
            "demo_seconds_bucket{verb=\"GET\",le=\"+Inf\"} 6\n"
            "demo_seconds_sum{verb=\"GET\"} 54.65\n"
            "demo_seconds_count{verb=\"GET\"} 6\n");
  out.clear();
  Histogram({1}).AppendSamples(out, "empty", "");
  EXPECT_EQ(out,
            "empty_bucket{le=\"1\"} 0\n"
            "empty_bucket{le=\"+Inf\"} 0\n"
            "empty_sum 0\n"
            "empty_count 0\n");
}

}  // namespace
}  // namespace kt::prometheus
