// YAML resolves scalars like kubectl's YAML reader, and ToYaml round-trips.
#include "base/yaml.h"

#include <gtest/gtest.h>

#include "base/json.h"

namespace kt {
namespace {

TEST(YamlTest, PlainScalarsResolveLikeGoYaml) {
  auto j = ParseYaml(R"(
a: true
b: yes
c: "True"
d: 3
e: 1.0
f: ~
g: 0x1f
h: 1.0.0
i: "5"
j: Standard_NC6s_v3
)");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ((*j)["a"], true);
  EXPECT_EQ((*j)["b"], true);
  EXPECT_EQ((*j)["c"], "True");
  EXPECT_EQ((*j)["d"], 3);
  EXPECT_EQ((*j)["e"], 1.0);
  EXPECT_TRUE((*j)["f"].is_null());
  EXPECT_EQ((*j)["g"], 31);
  EXPECT_EQ((*j)["h"], "1.0.0");
  EXPECT_EQ((*j)["i"], "5");
  EXPECT_EQ((*j)["j"], "Standard_NC6s_v3");
}

TEST(YamlTest, MultipleDocumentsSkipEmptyOnes) {
  auto docs = ParseYamlDocuments("---\na: 1\n---\n---\nb: 2\n");
  ASSERT_TRUE(docs.ok());
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[1]["b"], 2);
}

// Regression (found by fuzz_yaml_parse): bytes that are not UTF-8 are refused with a clear
// error, as go-yaml does, instead of being parsed and later changed by the JSON writer.
TEST(YamlTest, InvalidUtf8IsRefused) {
  for (std::string bad : {std::string("\xfa\x8e\x0b"), std::string("a: \xc3"),
                          std::string("a: \xed\xa0\x80"), std::string("a: \xc0\xaf")}) {
    auto r = ParseYamlDocuments(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("invalid UTF-8"), std::string::npos);
  }
  ASSERT_TRUE(ParseYaml("name: \"caf\xc3\xa9 \xf0\x9f\x9a\x80\"").ok());
}

// Regression (found by fuzz_yaml_parse running out of memory): nested aliases that would
// expand a small document into millions of nodes are refused, as go-yaml refuses them.
TEST(YamlTest, ExcessiveAliasingIsRefused) {
  std::string doc = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    doc += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int k = 1; k < 10; ++k) doc += ", " + prev;
    doc += "]\n";
  }
  auto r = ParseYaml(doc);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("excessive aliasing"), std::string::npos);
  // Ordinary aliases still work.
  auto ok = ParseYaml("base: &b {x: 1}\nuse: *b\n");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)["use"]["x"], 1);
}

TEST(YamlTest, MalformedYamlNamesLine) {
  auto j = ParseYaml("a: [1, 2\nb: 3\n");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), StatusCode::kBadRequest);
  EXPECT_NE(j.status().message().find("line"), std::string::npos);
}

TEST(YamlTest, ToYamlRoundTripsStringsThatLookLikeOtherTypes) {
  Json j = {{"s1", "True"}, {"s2", "1.0"}, {"s3", ""}, {"s4", "- x"}, {"n", 5},
            {"list", {1, "two", nullptr}}, {"empty", Json::object()}, {"multi", "a\nb\n"}};
  auto back = ParseYaml(ToYaml(j));
  ASSERT_TRUE(back.ok()) << ToYaml(j);
  EXPECT_EQ(*back, j) << ToYaml(j);
}

}  // namespace
}  // namespace kt
