// YAML resolves scalars like kubectl's YAML reader, and ToYaml round-trips.
#include "base/yaml.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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

// Regression (found by fuzz_yaml_parse): yaml-cpp loops forever, allocating until the process
// dies, on ",\0". A YAML stream is printable Unicode; other characters are refused first.
TEST(YamlTest, ControlCharactersAreRefused) {
  for (std::string bad : {std::string(",\0", 2), std::string("a: b\x01"), std::string("\x7f"),
                          std::string("a: \xef\xbf\xbe")}) {
    auto r = ParseYamlDocuments(bad);
    ASSERT_FALSE(r.ok()) << DumpJson(Json(bad));
    EXPECT_EQ(r.status().code(), StatusCode::kBadRequest);
    EXPECT_NE(r.status().message().find("control characters are not allowed"), std::string::npos)
        << r.status().message();
  }
  auto ok = ParseYaml("a:\tb\r\nc: \"\\x01\"\n");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)["c"], "\x01");
}

// Regression (found by fuzz_yaml_parse): on a stray "," yaml-cpp 0.7 hands out the same empty
// document forever, and collecting them grew memory until the process died.
TEST(YamlTest, StuckParserIsAnError) {
  for (const char* bad : {"\n,\n", ",", "a: 1\n---\n,\n"}) {
    auto r = ParseYamlDocuments(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kBadRequest);
    EXPECT_NE(r.status().message().find("did not find expected node content"), std::string::npos)
        << r.status().message();
  }
}

TEST(YamlTest, AnchorsAliasesAndKeys) {
  auto j = ParseYaml("k: &k 01\n*k : aliased key\nlist: &l [a, {b: 1}]\ncopy: *l\n");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ((*j)["k"], 1);
  EXPECT_EQ((*j)["01"], "aliased key");  // a key is the scalar's text as written
  EXPECT_EQ((*j)["copy"], (*j)["list"]);
  for (const char* bad : {"? [a]\n: 1\n", "? {a: 1}\n: 1\n", "m: &m {a: 1}\n*m : 2\n"}) {
    auto r = ParseYaml(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("keys must be scalars"), std::string::npos)
        << r.status().message();
  }
}

// Regression (found by fuzz_yaml_parse): yaml-cpp decodes "\N" and "\_" to lone bytes that are
// not UTF-8; they now read as the code points the escapes name.
TEST(YamlTest, NextLineAndNoBreakSpaceEscapesAreUtf8) {
  auto j = ParseYaml("a: \"x\\Ny\\_z\\L\"\n");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ((*j)["a"], "x\xc2\x85y\xc2\xa0z\xe2\x80\xa8");
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

// Regression (found by fuzz_yaml_parse): ToYaml wrote every multi-line string as a "|" block,
// which adds a final newline the string did not have ("z\n?" came back as "z\n?\n") and
// cannot carry control characters or blanks at a line's end. Each string now takes the first
// style that reads back unchanged: plain, literal block ("|" or "|-"), double-quoted.
TEST(YamlTest, ToYamlRoundTripsEveryString) {
  const std::vector<std::string> strings = {
      "z\n?", "a\nb", "a\nb\n", "a\nb\n\n", "\nleading newline", " leading blank\nx",
      "trailing blank \nx", "tab\tinside", "bell\x07", "del\x7f", "cr\r\nlf", "x:", "a: b",
      "a #b", "#c", "nel\xc2\x85x", "ls\xe2\x80\xa8x", "ps\xe2\x80\xa9x", "quote\"back\\",
      "caf\xc3\xa9", "bom\xef\xbb\xbfx", "nbsp\xc2\xa0x", "nonchar\xef\xbf\xbe",
      "astral\xf0\x9f\x9a\x80", "... 8888", "--- x", "---", "- x", "? x", "", " ", "\n",
      "1_000", "0o17", ".inf", "~", "null", "on"};
  Json j = Json::object();
  Json list = Json::array();
  for (size_t i = 0; i < strings.size(); ++i) {
    j["k" + std::to_string(i)] = strings[i];
    j[strings[i]] = static_cast<int64_t>(i);  // the same strings as keys
    list.push_back(strings[i]);
    list.push_back(Json::array({strings[i], Json::object({{"in", strings[i]}})}));
  }
  j["list"] = list;
  auto back = ParseYaml(ToYaml(j));
  ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << ToYaml(j);
  EXPECT_EQ(DumpJson(*back), DumpJson(j)) << ToYaml(j);
  for (const std::string& s : strings) {
    auto scalar = ParseYaml(ToYaml(Json(s)));
    ASSERT_TRUE(scalar.ok()) << ToYaml(Json(s));
    EXPECT_EQ(*scalar, Json(s)) << ToYaml(Json(s));
  }
}

TEST(YamlTest, ToYamlWritesBlockStyle) {
  Json j = {{"name", "w"},
            {"items", {Json{{"a", 1}, {"b", Json::array({1, 2})}}, Json::array({"x", "z"})}},
            {"script", "echo hi\necho bye"},
            {"empty", Json::object()}};
  EXPECT_EQ(ToYaml(j),
            "empty: {}\n"
            "items:\n"
            "  - a: 1\n"
            "    b:\n"
            "      - 1\n"
            "      - 2\n"
            "  - - x\n"
            "    - z\n"
            "name: w\n"
            "script: |-\n"
            "  echo hi\n"
            "  echo bye\n");
}

}  // namespace
}  // namespace kt
