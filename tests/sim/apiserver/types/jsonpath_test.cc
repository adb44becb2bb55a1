// JSONPath evaluates the expressions printer columns and kubectl use: fields, indices
// (negative too), slices, wildcards, quoted keys, escaped dots, recursive descent and
// filters; missing keys select nothing; malformed expressions are BadRequest.
#include "sim/apiserver/types/jsonpath.h"

#include "test_util.h"

namespace kt::sim {
namespace {

using testing::J;

Json Doc() {
  return J(R"({"metadata":{"name":"ws","labels":{"node.kubernetes.io/instance-type":"NC6"}},
               "spec":{"ports":[{"port":80,"name":"http"},{"port":443,"name":"https"},{"port":9,"name":"x"}]},
               "status":{"conditions":[{"type":"ResourceReady","status":"True","n":1},
                                       {"type":"InferenceReady","status":"False","n":2}]}})");
}

std::vector<Json> Eval(const char* expr, const Json& doc = Doc()) {
  auto p = JsonPath::Parse(expr);
  EXPECT_TRUE(p.ok()) << expr << ": " << p.status().ToString();
  std::vector<Json> out;
  if (!p.ok()) return out;
  for (const Json* v : p->Eval(doc)) out.push_back(*v);
  return out;
}

TEST(JsonPathTest, FieldsAndIndices) {
  EXPECT_EQ(Eval(".metadata.name"), std::vector<Json>{"ws"});
  EXPECT_EQ(Eval("{.metadata.name}"), std::vector<Json>{"ws"});
  EXPECT_EQ(Eval(".spec.ports[1].port"), std::vector<Json>{443});
  EXPECT_EQ(Eval(".spec.ports[-1].name"), std::vector<Json>{"x"});
  EXPECT_EQ(Eval(".spec.ports[0:2].port"), (std::vector<Json>{80, 443}));
  EXPECT_EQ(Eval(".spec.ports[*].name"), (std::vector<Json>{"http", "https", "x"}));
  EXPECT_EQ(Eval(".spec.ports[0,2].port"), (std::vector<Json>{80, 9}));
}

TEST(JsonPathTest, FilterByEqualityAndComparison) {
  EXPECT_EQ(Eval(R"(.status.conditions[?(@.type=="ResourceReady")].status)"),
            std::vector<Json>{"True"});
  EXPECT_EQ(Eval(R"(.status.conditions[?(@.type=='InferenceReady')].status)"),
            std::vector<Json>{"False"});
  EXPECT_EQ(Eval(R"(.status.conditions[?(@.n > 1)].type)"), std::vector<Json>{"InferenceReady"});
  EXPECT_EQ(Eval(R"(.status.conditions[?(@.type!="ResourceReady")].n)"), std::vector<Json>{2});
  EXPECT_TRUE(Eval(R"(.status.conditions[?(@.type=="Nope")].status)").empty());
  EXPECT_EQ(Eval(R"(.spec.ports[?(@.name)].port)").size(), 3u);
}

TEST(JsonPathTest, EscapedDotsAndQuotedKeysAddressLabelKeys) {
  EXPECT_EQ(Eval(R"(.metadata.labels.node\.kubernetes\.io/instance-type)"),
            std::vector<Json>{"NC6"});
  EXPECT_EQ(Eval(R"(.metadata.labels['node.kubernetes.io/instance-type'])"),
            std::vector<Json>{"NC6"});
}

TEST(JsonPathTest, RecursiveDescentAndWildcards) {
  EXPECT_EQ(Eval("..port"), (std::vector<Json>{80, 443, 9}));
  EXPECT_EQ(Eval(".metadata.*").size(), 2u);
}

TEST(JsonPathTest, MissingKeysSelectNothing) {
  EXPECT_TRUE(Eval(".status.nope.deeper").empty());
  EXPECT_TRUE(Eval(".spec.ports[7]").empty());
  EXPECT_TRUE(Eval(".metadata.name.x").empty());
}

TEST(JsonPathTest, TextPrintsLikeKubectl) {
  EXPECT_EQ(JsonPath::Text(J(R"("a")")), "a");
  EXPECT_EQ(JsonPath::Text(J("3")), "3");
  EXPECT_EQ(JsonPath::Text(J("true")), "true");
  EXPECT_EQ(JsonPath::Text(J(R"([{"a":1}])")), R"([{"a":1}])");
}

TEST(JsonPathTest, MalformedExpressionsAreBadRequest) {
  for (const char* bad : {"", ".a[", ".a[?(@.x=='y')", ".a[?(x)]", ".a[1:2:0]", ".a[']", ".a b",
                          ".a[?(@.x ~ 1)]"}) {
    auto p = JsonPath::Parse(bad);
    EXPECT_FALSE(p.ok()) << bad;
    if (!p.ok()) {
      EXPECT_TRUE(p.status().Is(StatusCode::kBadRequest));
    }
  }
  EXPECT_FALSE(JsonPath::Parse(std::string(5000, '.')).ok());
}

}  // namespace
}  // namespace kt::sim
