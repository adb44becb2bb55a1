// Quantities parse exactly (milli-units) with every suffix Kubernetes accepts.
#include "api/quantity.h"

#include <gtest/gtest.h>

namespace kt::api {
namespace {

TEST(QuantityTest, SuffixesAndFractions) {
  EXPECT_EQ(Quantity::Parse("500m")->milli(), 500);
  EXPECT_EQ(Quantity::Parse("2")->milli(), 2000);
  EXPECT_EQ(Quantity::Parse("1.5")->milli(), 1500);
  EXPECT_EQ(Quantity::Parse("1Ki")->units(), 1024);
  EXPECT_EQ(Quantity::Parse("16Gi")->units(), 16LL << 30);
  EXPECT_EQ(Quantity::Parse("1024Gi")->units(), 1024LL << 30);
  EXPECT_EQ(Quantity::Parse("100M")->units(), 100'000'000);
  EXPECT_EQ(Quantity::Parse("1e3")->units(), 1000);
  EXPECT_EQ(Quantity::Parse("0.5Gi")->units(), 512LL << 20);
  EXPECT_EQ(Quantity::Parse("-1")->milli(), -1000);
  EXPECT_EQ(Quantity::Parse("1u")->milli(), 1);  // rounds up to a milli
  EXPECT_EQ(Quantity::Parse("500m")->units(), 1);
}

TEST(QuantityTest, GarbageIsBadRequest) {
  for (const char* bad : {"", "abc", "1.2.3", "5Xi", "1e", "--1", "1e9999"}) {
    auto q = Quantity::Parse(bad);
    EXPECT_FALSE(q.ok()) << bad;
  }
}

TEST(QuantityTest, ArithmeticComparisonAndFormat) {
  auto a = *Quantity::Parse("1500m");
  auto b = *Quantity::Parse("2");
  EXPECT_LT(a, b);
  EXPECT_EQ((a + b).milli(), 3500);
  EXPECT_EQ((a + b).ToString(), "3500m");
  EXPECT_EQ(Quantity::Parse("16Gi")->ToString(), "16Gi");
  EXPECT_EQ(Quantity::Parse("3")->ToString(), "3");
}

// Regression (found by fuzz_quantity under UBSan): a huge mantissa with a binary suffix, or a
// value past int64 before its decimal exponent is applied, is a clear error, not an overflow.
TEST(QuantityTest, HugeValuesAreTooLargeWithoutOverflow) {
  for (const char* text : {"99999999999999999999999999999Ei", "9999999999999999999999e3",
                           "99999999999999999999.9E", "-99999999999999999999Pi"}) {
    auto q = Quantity::Parse(text);
    ASSERT_FALSE(q.ok()) << text;
    EXPECT_EQ(q.status().code(), StatusCode::kBadRequest) << text;
    EXPECT_NE(q.status().message().find("too large"), std::string::npos) << text;
  }
  EXPECT_EQ(Quantity::Parse("8Pi")->ToString(), "8Pi");
}

}  // namespace
}  // namespace kt::api
