// Field selectors match dotted paths the way the API server filters lists and watches.
#include "api/field_selector.h"

#include <gtest/gtest.h>

#include "base/json.h"

namespace kt::api {
namespace {

TEST(FieldSelectorTest, EqualityAndInequalityOnNestedFields) {
  Json pod = Json::parse(
      R"({"metadata":{"name":"p","namespace":"default"},"spec":{"nodeName":"n1"},"status":{"phase":"Running"}})");
  auto sel = FieldSelector::Parse("spec.nodeName=n1,status.phase!=Pending");
  ASSERT_TRUE(sel.ok());
  EXPECT_TRUE(sel->Matches(pod));
  EXPECT_FALSE(FieldSelector::Parse("metadata.name==q")->Matches(pod));
  EXPECT_TRUE(FieldSelector::Parse("spec.missing=")->Matches(pod));
  EXPECT_EQ(sel->RequiredValue("spec.nodeName"), "n1");
  EXPECT_EQ(sel->RequiredValue("status.phase"), std::nullopt);
}

TEST(FieldSelectorTest, EscapedCommasAndGarbage) {
  Json ev = Json::parse(R"({"involvedObject":{"name":"a,b"}})");
  EXPECT_TRUE(FieldSelector::Parse("involvedObject.name=a\\,b")->Matches(ev));
  auto bad = FieldSelector::Parse("metadata.name");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kBadRequest);
}

}  // namespace
}  // namespace kt::api
