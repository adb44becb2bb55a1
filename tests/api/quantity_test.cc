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

}  // namespace
}  // namespace kt::api
