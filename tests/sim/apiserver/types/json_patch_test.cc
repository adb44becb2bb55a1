// JSON patch follows RFC 6902 (add, remove, replace, move, copy, test; JSON pointers with ~0
// and ~1; "-" appends), with kube-apiserver's error classes: a body that is not a list is
// BadRequest, an operation that cannot apply is Invalid (422), and nothing is half-applied.
#include <gtest/gtest.h>

#include "base/json.h"
#include "sim/apiserver/types/patch.h"

namespace kt::sim {
namespace {

Json J(const char* s) { return Json::parse(s); }

Result<Json> Patch(const char* doc, const char* ops) { return ApplyJsonPatch(J(doc), J(ops)); }

TEST(JsonPatchTest, AddReplacesObjectMemberAndInsertsIntoArrays) {
  auto r = Patch(R"({"a":{"b":1},"l":[1,3]})",
                 R"([{"op":"add","path":"/a/b","value":2},{"op":"add","path":"/l/1","value":2},
                     {"op":"add","path":"/l/-","value":4},{"op":"add","path":"/a/c","value":[]}])");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, J(R"({"a":{"b":2,"c":[]},"l":[1,2,3,4]})"));
}

TEST(JsonPatchTest, AddToWholeDocumentReplacesIt) {
  auto r = Patch(R"({"a":1})", R"([{"op":"add","path":"","value":{"b":2}}])");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, J(R"({"b":2})"));
}

TEST(JsonPatchTest, RemoveAndReplace) {
  auto r = Patch(R"({"a":1,"b":[1,2,3]})",
                 R"([{"op":"remove","path":"/a"},{"op":"remove","path":"/b/0"},
                     {"op":"replace","path":"/b/1","value":9}])");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, J(R"({"b":[2,9]})"));
}

TEST(JsonPatchTest, MoveAndCopy) {
  auto r = Patch(R"({"a":{"x":1},"b":{}})",
                 R"([{"op":"copy","from":"/a/x","path":"/b/y"},{"op":"move","from":"/a","path":"/c"}])");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, J(R"({"b":{"y":1},"c":{"x":1}})"));
}

TEST(JsonPatchTest, PointerEscapesAddressSlashesAndTildes) {
  auto r = Patch(R"({"metadata":{"labels":{"kaito.sh/workspace":"a","x~y":"b"}}})",
                 R"([{"op":"replace","path":"/metadata/labels/kaito.sh~1workspace","value":"c"},
                     {"op":"remove","path":"/metadata/labels/x~0y"}])");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, J(R"({"metadata":{"labels":{"kaito.sh/workspace":"c"}}})"));
}

TEST(JsonPatchTest, FailedTestRejectsWholePatchAsInvalid) {
  auto r = Patch(R"({"a":1})",
                 R"([{"op":"replace","path":"/a","value":2},{"op":"test","path":"/a","value":1}])");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kInvalid));
  EXPECT_NE(r.status().message().find("test failed"), std::string::npos);
}

TEST(JsonPatchTest, TestComparesDeepValues) {
  EXPECT_TRUE(Patch(R"({"a":{"b":[1,{"c":2}]}})",
                    R"([{"op":"test","path":"/a","value":{"b":[1,{"c":2}]}}])").ok());
}

TEST(JsonPatchTest, MissingPathsAreInvalid) {
  for (const char* ops : {R"([{"op":"remove","path":"/nope"}])",
                          R"([{"op":"replace","path":"/nope","value":1}])",
                          R"([{"op":"add","path":"/a/b/c","value":1}])",
                          R"([{"op":"add","path":"/l/5","value":1}])",
                          R"([{"op":"remove","path":"/l/01"}])",
                          R"([{"op":"move","from":"/nope","path":"/x"}])",
                          R"([{"op":"copy","from":"/nope","path":"/x"}])"}) {
    auto r = Patch(R"({"a":1,"l":[1,2]})", ops);
    ASSERT_FALSE(r.ok()) << ops;
    EXPECT_TRUE(r.status().Is(StatusCode::kInvalid)) << ops << " " << r.status().ToString();
  }
}

TEST(JsonPatchTest, MalformedOperationsAreRejected) {
  EXPECT_TRUE(Patch("{}", R"({"op":"add"})").status().Is(StatusCode::kBadRequest));
  EXPECT_TRUE(Patch("{}", R"([{"op":"frobnicate","path":"/a"}])").status().Is(StatusCode::kInvalid));
  EXPECT_TRUE(Patch("{}", R"([{"op":"add","path":"/a"}])").status().Is(StatusCode::kInvalid));
  EXPECT_TRUE(Patch("{}", R"([{"op":"add","path":"a","value":1}])").status().Is(StatusCode::kInvalid));
  EXPECT_TRUE(Patch("{}", R"([{"op":"add","path":"/a~2","value":1}])").status().Is(StatusCode::kInvalid));
  EXPECT_TRUE(Patch("{}", R"([1])").status().Is(StatusCode::kInvalid));
}

TEST(JsonPatchTest, MoveIntoOwnChildIsInvalid) {
  auto r = Patch(R"({"a":{"b":{}}})", R"([{"op":"move","from":"/a","path":"/a/b/c"}])");
  EXPECT_TRUE(r.status().Is(StatusCode::kInvalid));
}

TEST(JsonPatchTest, TooManyOperationsIsRequestEntityTooLarge) {
  Json ops = Json::array();
  for (int i = 0; i < 10001; ++i) ops.push_back({{"op", "test"}, {"path", ""}, {"value", 1}});
  auto r = ApplyJsonPatch(Json(1), ops);
  EXPECT_TRUE(r.status().Is(StatusCode::kRequestEntityTooLarge));
}

}  // namespace
}  // namespace kt::sim
