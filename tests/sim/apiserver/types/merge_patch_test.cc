// JSON merge patch follows RFC 7386, including the appendix's test cases, and rejects a
// patch that is not an object the way kube-apiserver does.
#include <gtest/gtest.h>

#include "base/json.h"
#include "sim/apiserver/types/patch.h"

namespace kt::sim {
namespace {

Json J(const char* s) { return Json::parse(s); }

struct Case {
  const char* original;
  const char* patch;
  const char* result;
};

TEST(MergePatchTest, Rfc7386AppendixCases) {
  // Cases with an object patch from RFC 7386 Appendix A.
  const Case cases[] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
  };
  for (const Case& c : cases) {
    auto r = ApplyMergePatch(J(c.original), J(c.patch));
    ASSERT_TRUE(r.ok()) << c.patch;
    EXPECT_EQ(*r, J(c.result)) << c.original << " + " << c.patch;
  }
}

TEST(MergePatchTest, NonObjectPatchIsBadRequest) {
  for (const char* p : {R"(["a"])", R"("x")", "null", "42"}) {
    auto r = ApplyMergePatch(J(R"({"a":1})"), J(p));
    ASSERT_FALSE(r.ok()) << p;
    EXPECT_TRUE(r.status().Is(StatusCode::kBadRequest));
    EXPECT_EQ(r.status().message(), "Invalid JSON Patch");
  }
}

TEST(MergePatchTest, LabelPatchAddsLabelAndKeepsOthers) {
  Json ws = J(R"({"metadata":{"name":"ws","labels":{"a":"1"}},"resource":{"count":1}})");
  auto r = ApplyMergePatch(ws, J(R"({"metadata":{"labels":{"foo":"bar"}}})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["metadata"]["labels"], J(R"({"a":"1","foo":"bar"})"));
  EXPECT_EQ((*r)["resource"]["count"], 1);
}

TEST(MergePatchTest, ListsAreReplacedWhole) {
  auto r = ApplyMergePatch(J(R"({"l":[1,2,3]})"), J(R"({"l":[4]})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, J(R"({"l":[4]})"));
}

}  // namespace
}  // namespace kt::sim
