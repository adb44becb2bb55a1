// Prometheus text primitives: values in their shortest round-trip form with NaN and the
// infinities spelled as Prometheus reads them, label values and HELP texts escaped.
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

}  // namespace
}  // namespace kt::prometheus
