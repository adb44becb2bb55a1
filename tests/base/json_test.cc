// JSON parsing never throws and refuses hostile nesting.
#include "base/json.h"

#include <gtest/gtest.h>

#include <memory>
#include <utility>

namespace kt {
namespace {

TEST(JsonTest, ParsesAndReadsPaths) {
  auto j = ParseJson(R"({"metadata":{"name":"ws","generation":3,"x":true}})");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(GetString(*j, "metadata.name"), "ws");
  EXPECT_EQ(GetInt(*j, "metadata.generation"), 3);
  EXPECT_TRUE(GetBool(*j, "metadata.x"));
  EXPECT_EQ(FindPath(*j, "metadata.missing"), nullptr);
  EXPECT_EQ(FindPath(*j, ""), &*j);
  EXPECT_EQ(FindPath(*j, "metadata."), &(*j)["metadata"]);
  EXPECT_EQ(FindPath(*j, "metadata..name"), nullptr);
  EXPECT_EQ(FindPath(*j, "metadata.name.x"), nullptr);
  EXPECT_EQ(GetString(*j, "metadata.generation", "fallback"), "fallback");
}

TEST(JsonTest, StringViewsReadInPlaceAndAreEmptyForAnythingButAString) {
  auto j = ParseJson(R"({"metadata":{"name":"a-name-longer-than-small-strings","uid":7}})");
  ASSERT_TRUE(j.ok());
  const std::string_view name = GetStringView(*j, "metadata.name");
  EXPECT_EQ(name, "a-name-longer-than-small-strings");
  EXPECT_EQ(name.data(), (*j)["metadata"]["name"].get_ref<const std::string&>().data());
  EXPECT_TRUE(GetStringView(*j, "metadata.uid").empty());
  EXPECT_TRUE(GetStringView(*j, "metadata.missing").empty());
  EXPECT_TRUE(GetStringView(*j, "metadata.name.deeper").empty());
}

TEST(JsonTest, FindMemberLooksUpOneKeyAndToleratesNullsAndNonObjects) {
  const Json j = Json::parse(R"({"metadata":{"name":"ws","a.b":1,"uid":7},"list":[1]})");
  EXPECT_EQ(FindMember(j, "metadata"), &j["metadata"]);
  EXPECT_EQ(FindMember(FindMember(j, "metadata"), "name"), &j["metadata"]["name"]);
  EXPECT_EQ(FindMember(FindMember(j, "metadata"), "a.b"), &j["metadata"]["a.b"]);  // not a path
  EXPECT_EQ(FindMember(j, "metadata.name"), nullptr);
  EXPECT_EQ(FindMember(FindMember(j, "missing"), "name"), nullptr);
  EXPECT_EQ(FindMember(FindMember(j, "list"), "name"), nullptr);
  EXPECT_EQ(FindMember(static_cast<const Json*>(nullptr), "x"), nullptr);
  EXPECT_EQ(MemberStringView(j["metadata"], "name"), "ws");
  EXPECT_EQ(MemberStringView(j["metadata"], "name").data(),
            j["metadata"]["name"].get_ref<const std::string&>().data());
  EXPECT_TRUE(MemberStringView(j["metadata"], "uid").empty());
  EXPECT_TRUE(MemberStringView(FindMember(j, "missing"), "name").empty());
}

TEST(JsonTest, FindMutableMemberWritesInPlaceAndInsertsNothing) {
  Json j = Json::parse(R"({"metadata":{"name":"ws"},"list":[1]})");
  Json* name = FindMutableMember(j["metadata"], "name");
  ASSERT_NE(name, nullptr);
  *name = "renamed";
  EXPECT_EQ(j["metadata"]["name"], "renamed");
  EXPECT_EQ(FindMutableMember(j["metadata"], "uid"), nullptr);
  EXPECT_EQ(FindMutableMember(j["list"], "x"), nullptr);
  EXPECT_EQ(j["metadata"].size(), 1u);
}

TEST(JsonTest, SameJsonIsEqualityThatTellsNumberTypesApart) {
  const Json a = Json::parse(R"({"a":[1,{"b":"c"}],"d":null,"e":1.5})");
  EXPECT_TRUE(SameJson(a, Json::parse(R"({"e":1.5,"d":null,"a":[1,{"b":"c"}]})")));
  EXPECT_FALSE(SameJson(a, Json::parse(R"({"a":[1,{"b":"C"}],"d":null,"e":1.5})")));
  EXPECT_FALSE(SameJson(a, Json::parse(R"({"a":[1,{"b":"c"}],"d":null})")));
  EXPECT_FALSE(SameJson(a, Json::parse(R"({"a":[1,{"b":"c"}],"d":null,"f":1.5})")));
  EXPECT_FALSE(SameJson(a, Json::parse(R"({"a":[1],"d":null,"e":1.5})")));
  // operator== holds 1 equal to 1.0, which serializes differently, and to 1u, a different type.
  EXPECT_EQ(Json(1), Json(1.0));
  EXPECT_FALSE(SameJson(Json(1), Json(1.0)));
  EXPECT_FALSE(SameJson(Json::parse("[1]"), Json::parse("[1.0]")));
  EXPECT_TRUE(SameJson(Json(int64_t{1}), Json(int64_t{1})));
  EXPECT_FALSE(SameJson(Json(int64_t{1}), Json(uint64_t{1})));
  EXPECT_FALSE(SameJson(Json("1"), Json(1)));
}

TEST(JsonTest, MalformedInputIsBadRequest) {
  auto j = ParseJson("{\"a\":");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), StatusCode::kBadRequest);
}

TEST(JsonTest, DeepNestingIsRefused) {
  std::string deep(100000, '[');
  auto j = ParseJson(deep);
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message().find("nesting"), std::string::npos);
}

TEST(JsonTest, AppendJsonStringMatchesDumpJson) {
  for (std::string s : {std::string("plain/name-1"), std::string("q\"uote\\back"),
                        std::string("ctl\n\t\x01"), std::string("caf\xc3\xa9"),
                        std::string("bad\xff utf8"), std::string()}) {
    std::string out = "x";
    AppendJsonString(out, s);
    EXPECT_EQ(out, "x" + DumpJson(Json(s))) << s;
  }
}

TEST(JsonTest, ReleaseJsonFreesATreeAndLeavesNull) {
  Json j = *ParseJson(R"({"a":{"b":[1,{"c":"a string longer than fifteen"},[]],"d":{}},"e":"x"})");
  ReleaseJson(j);
  EXPECT_TRUE(j.is_null());
  Json scalar = "a string longer than fifteen";
  ReleaseJson(scalar);
  EXPECT_TRUE(scalar.is_null());
}

// Deeper than ReleaseJson recurses: the rest is left to nlohmann's destructor (built directly,
// as the parser refuses such depth). Runs under AddressSanitizer in the fuzz build's tests.
TEST(JsonTest, ReleaseJsonHandsTreesDeeperThanItsLimitToTheDestructor) {
  Json deep = Json::array();
  for (int i = 0; i < 3 * kJsonDepthMax; ++i) {
    Json outer = Json::object();
    outer["x"] = std::move(deep);
    deep = Json::array({std::move(outer), i});
  }
  ReleaseJson(deep);
  EXPECT_TRUE(deep.is_null());
}

TEST(JsonTest, MakeSharedJsonHoldsTheValueUntilTheLastOwnerGoes) {
  const Json original = {{"metadata", {{"name", "cm"}, {"labels", {{"app", "web"}}}}},
                         {"data", {{"k", "a value longer than fifteen"}}}};
  std::shared_ptr<const Json> a = MakeSharedJson(Json(original));
  std::shared_ptr<const Json> b = a;
  a.reset();
  EXPECT_EQ(*b, original);
  std::weak_ptr<const Json> w = b;
  b.reset();
  EXPECT_TRUE(w.expired());
}

}  // namespace
}  // namespace kt
