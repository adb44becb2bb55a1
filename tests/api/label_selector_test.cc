// Label selectors parse and match like apimachinery's, in string and JSON form.
#include "api/label_selector.h"

#include <gtest/gtest.h>

#include "base/json.h"

namespace kt::api {
namespace {

// Also checks that matching an object's labels in place agrees with matching the map.
bool Sel(std::string_view s, const Labels& l) {
  auto sel = LabelSelector::Parse(s);
  EXPECT_TRUE(sel.ok()) << s << ": " << sel.status().ToString();
  if (!sel.ok()) return false;
  Json labels = Json::object();
  for (const auto& [k, v] : l) labels[k] = v;
  Json obj = {{"metadata", {{"labels", labels}}}};
  EXPECT_EQ(sel->MatchesObject(obj), sel->Matches(l)) << s;
  return sel->Matches(l);
}

TEST(LabelSelectorTest, ObjectsWithoutLabelsHaveNone) {
  auto sel = LabelSelector::Parse("!app");
  ASSERT_TRUE(sel.ok());
  EXPECT_TRUE(sel->MatchesObject(Json::object()));
  EXPECT_TRUE(sel->MatchesObject({{"metadata", {{"labels", nullptr}}}}));
  EXPECT_FALSE(sel->MatchesObject({{"metadata", {{"labels", {{"app", "x"}}}}}}));
  EXPECT_TRUE(LabelSelector().MatchesObject(Json::object()));
  EXPECT_FALSE(LabelSelector::Nothing().MatchesObject(Json::object()));
  // A non-string value is no label (as when labels are read into a map).
  EXPECT_TRUE(sel->MatchesObject({{"metadata", {{"labels", {{"app", 3}}}}}}));
}

TEST(LabelSelectorTest, EveryOperatorOfTheStringForm) {
  Labels l{{"app", "phi-3"}, {"tier", "gpu"}, {"n", "5"}};
  EXPECT_TRUE(Sel("", l));
  EXPECT_TRUE(Sel("app=phi-3", l));
  EXPECT_TRUE(Sel("app==phi-3", l));
  EXPECT_FALSE(Sel("app!=phi-3", l));
  EXPECT_TRUE(Sel("app!=other", l));
  EXPECT_TRUE(Sel("missing!=x", l));
  EXPECT_TRUE(Sel("app in (a, phi-3)", l));
  EXPECT_FALSE(Sel("app notin (a,phi-3)", l));
  EXPECT_TRUE(Sel("missing notin (a)", l));
  EXPECT_TRUE(Sel("tier", l));
  EXPECT_FALSE(Sel("!tier", l));
  EXPECT_TRUE(Sel("!missing", l));
  EXPECT_TRUE(Sel("n>4,n<6", l));
  EXPECT_TRUE(Sel(" app = phi-3 , tier in (gpu) ", l));
  EXPECT_FALSE(Sel("app=phi-3,tier=cpu", l));
  EXPECT_TRUE(Sel("kaito.sh/workspace in (ws1,ws2)", {{"kaito.sh/workspace", "ws2"}}));
}

TEST(LabelSelectorTest, InvalidSelectorsAreBadRequest) {
  for (const char* bad : {"app in (a", "app=a b", "=x", "Bad_Prefix/x=y", "app in a", "a=b,,c"}) {
    auto sel = LabelSelector::Parse(bad);
    EXPECT_FALSE(sel.ok()) << bad;
    if (!sel.ok()) {
      EXPECT_EQ(sel.status().code(), StatusCode::kBadRequest) << bad;
    }
  }
}

TEST(LabelSelectorTest, JsonFormWithMatchLabelsAndExpressions) {
  auto sel = LabelSelector::FromJson(Json::parse(R"({
    "matchLabels": {"apps": "phi-3"},
    "matchExpressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]},
                         {"key": "spot", "operator": "DoesNotExist"}]})"));
  ASSERT_TRUE(sel.ok()) << sel.status().ToString();
  EXPECT_TRUE(sel->Matches({{"apps", "phi-3"}, {"zone", "b"}}));
  EXPECT_FALSE(sel->Matches({{"apps", "phi-3"}, {"zone", "b"}, {"spot", "1"}}));
  EXPECT_FALSE(sel->Matches({{"apps", "phi-3"}}));
  EXPECT_EQ(sel->ToString(), "apps=phi-3,!spot,zone in (a,b)");
  EXPECT_TRUE(LabelSelector::FromJson(Json::object())->Matches({}));
  EXPECT_FALSE(LabelSelector::Nothing().Matches({}));
}

TEST(LabelSelectorTest, JsonFormRejectsBadOperatorsAndMissingValues) {
  EXPECT_FALSE(LabelSelector::FromJson(
                   Json::parse(R"({"matchExpressions":[{"key":"a","operator":"Gt","values":["1"]}]})"))
                   .ok());
  EXPECT_FALSE(
      LabelSelector::FromJson(Json::parse(R"({"matchExpressions":[{"key":"a","operator":"In"}]})"))
          .ok());
  auto node = LabelSelector::FromNodeSelectorRequirements(
      Json::parse(R"([{"key":"gpus","operator":"Gt","values":["1"]}])"));
  ASSERT_TRUE(node.ok());
  EXPECT_TRUE(node->Matches({{"gpus", "2"}}));
  EXPECT_FALSE(node->Matches({{"gpus", "x"}}));
}

}  // namespace
}  // namespace kt::api
