// kt::Json's object type keeps std::map's semantics: key order, first-wins inserts, lookups by
// any string-like key, erase, comparison; checked against std::map on random operations, for
// small objects (searched front to back) and large ones (bisected).
#include "base/json_object_map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/json.h"

namespace kt {
namespace {

TEST(JsonObjectMapTest, CompareKeysIsStringViewOrder) {
  // Keys of eight bytes and more are compared a word at a time: differences inside, at and past
  // the first word's end, bytes above 0x7f, NULs, and one key a prefix of the other.
  const std::vector<std::string> keys = {
      "", "a", "ab", "abc", "b", "B", "metadata", "meta", "\x7f", "\x80", "\xff",
      std::string("a\0b", 3), "a\xff", "resourceVersion", "resourceVersioN", "resourceVersio",
      "resourceversion", "ownerReferences", "metadatA", "metadata\x80", "metadata\x7f",
      "metadataa", std::string("metadata\0", 9), "\x80" "etadata", "metadata.resourceVersion",
      "metadata.resourceVersioo", "metadata.resourceVersion\xff", "metadata.ownerReferences",
      // Words that differ in two bytes which order them opposite ways.
      "aaaaaaab", "aaaaaaba", "abaaaaaa", "baaaaaaa", "aaaaaaaab", "aaaaaaaba"};
  for (const std::string& a : keys) {
    for (const std::string& b : keys) {
      const int want = std::string_view(a).compare(b);
      EXPECT_EQ(CompareKeys(a, b), (want > 0) - (want < 0)) << a << " vs " << b;
    }
  }
}

TEST(JsonObjectMapTest, SameTextIsByteEquality) {
  // Every length from 0 to 40 (the byte loop, the two four-byte words, the eight-byte words
  // with an overlapping last one), a difference at each position, and bytes above 0x7f.
  for (size_t n = 0; n <= 40; ++n) {
    std::string a(n, 'k');
    for (size_t i = 0; i < n; ++i) a[i] = static_cast<char>('a' + i % 26);
    EXPECT_TRUE(SameText(a, std::string(a))) << n;
    EXPECT_FALSE(SameText(a, a + "x")) << n;
    for (size_t i = 0; i < n; ++i) {
      for (char c : {'\0', '\x80', '\xff', 'Z'}) {
        std::string b = a;
        b[i] = c;
        EXPECT_EQ(SameText(a, b), a == b) << n << " at " << i;
      }
    }
  }
}

TEST(JsonObjectMapTest, SerializesInKeyOrderWhateverTheInsertOrder) {
  Json j = Json::object();
  j["spec"] = 1;
  j["apiVersion"] = "v1";
  j["metadata"]["name"] = "p";
  j["kind"] = "Pod";
  j["Zeta"] = true;  // upper case sorts before lower case, by byte value
  EXPECT_EQ(DumpJson(j),
            R"({"Zeta":true,"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":1})");
  auto parsed = ParseJson(R"({"b":1,"a":{"d":2,"c":3}})");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(DumpJson(*parsed), R"({"a":{"c":3,"d":2},"b":1})");
}

TEST(JsonObjectMapTest, DuplicateKeysKeepTheFirstOnInsertAndTheLastOnParse) {
  Json j = {{"a", 1}, {"a", 2}};  // as std::map's initializer list: first wins
  EXPECT_EQ(j["a"], 1);
  auto [it, inserted] = j.emplace("a", 3);
  EXPECT_FALSE(inserted);
  EXPECT_EQ(*it, 1);
  auto parsed = ParseJson(R"({"a":1,"a":2})");  // as nlohmann with std::map: last wins
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(DumpJson(*parsed), R"({"a":2})");
}

TEST(JsonObjectMapTest, LooksUpByAnyStringLikeKey) {
  Json j = {{"alpha", 1}, {"beta", 2}, {"gamma", 3}};
  const std::string beta = "beta";
  EXPECT_EQ(j.at(std::string_view("alpha")), 1);
  EXPECT_EQ(j.at(beta), 2);
  EXPECT_EQ(*j.find("gamma"), 3);
  EXPECT_EQ(j.find("delta"), j.end());
  EXPECT_TRUE(j.contains("beta"));
  EXPECT_EQ(j.count("b"), 0u);  // a prefix is not a key
  EXPECT_THROW((void)j.at("delta"), Json::out_of_range);
  const Json& cj = j;
  EXPECT_EQ(cj["alpha"], 1);
}

TEST(JsonObjectMapTest, ErasesByKeyAndByIterator) {
  Json j = {{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}};
  EXPECT_EQ(j.erase("b"), 1u);
  EXPECT_EQ(j.erase("b"), 0u);
  auto next = j.erase(j.find("a"));
  EXPECT_EQ(next.key(), "c");
  EXPECT_EQ(DumpJson(j), R"({"c":3,"d":4})");
}

TEST(JsonObjectMapTest, ConvertsFromAndToStandardMaps) {
  std::unordered_map<std::string, int> unordered = {{"z", 1}, {"m", 2}, {"a", 3}};
  Json j = unordered;  // an unsorted source still gives a sorted object
  EXPECT_EQ(DumpJson(j), R"({"a":3,"m":2,"z":1})");
  auto back = j.get<std::map<std::string, int>>();
  EXPECT_EQ(back, (std::map<std::string, int>{{"a", 3}, {"m", 2}, {"z", 1}}));
}

TEST(JsonObjectMapTest, ComparesAndMergesAsObjects) {
  Json a = {{"x", 1}, {"y", {{"k", "v"}}}};
  Json b = {{"y", {{"k", "v"}}}, {"x", 1}};
  EXPECT_EQ(a, b);
  b["y"]["k"] = "w";
  EXPECT_NE(a, b);
  EXPECT_LT(a, b);
  a.update(Json{{"z", 0}, {"x", 2}});
  EXPECT_EQ(DumpJson(a), R"({"x":2,"y":{"k":"v"},"z":0})");
  a.merge_patch(Json{{"y", nullptr}});
  EXPECT_EQ(DumpJson(a), R"({"x":2,"z":0})");
}

// Random inserts, lookups and erases agree with std::map, member for member and in order.
// Objects of at most 8 members are searched front to back, larger ones by bisection, and keys
// of 8 bytes or more compared a word at a time: `distinct` bounds the number of keys (so the map
// stays small or grows large) and every other key shares a 9-byte prefix.
class JsonObjectMapRandomTest : public ::testing::TestWithParam<int> {};

TEST_P(JsonObjectMapRandomTest, AgreesWithStdMap) {
  const int distinct = GetParam();
  std::mt19937 rng(7 + distinct);
  std::map<std::string, int> model;
  Json j = Json::object();
  auto random_key = [&] {
    const int n = static_cast<int>(rng() % distinct);
    std::string key = n % 2 ? "resource." : "";
    for (int v = n; v > 0; v /= 4) key += static_cast<char>('a' + v % 4);
    return key;
  };
  for (int step = 0; step < 5000; ++step) {
    const std::string key = random_key();
    switch (rng() % 3) {
      case 0:
        j[key] = step;
        model[key] = step;
        break;
      case 1:
        EXPECT_EQ(j.erase(key), model.erase(key)) << key;
        break;
      default:
        EXPECT_EQ(j.contains(key), model.count(key) == 1) << key;
    }
    ASSERT_EQ(j.size(), model.size());
  }
  auto it = model.begin();
  for (const auto& [key, value] : j.items()) {
    ASSERT_NE(it, model.end());
    EXPECT_EQ(key, it->first);
    EXPECT_EQ(value, it->second);
    ++it;
  }
}

INSTANTIATE_TEST_SUITE_P(SmallAndLarge, JsonObjectMapRandomTest, ::testing::Values(6, 9, 120));

}  // namespace
}  // namespace kt
