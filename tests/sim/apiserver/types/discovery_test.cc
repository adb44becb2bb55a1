// Discovery documents have the shapes kubectl 1.32 reads (kubectl-protocol.md §2): aggregated
// APIGroupDiscoveryList for /api and /apis, and the legacy APIVersions, APIGroupList and
// APIResourceList.
#include <gtest/gtest.h>

#include "base/json.h"
#include "sim/apiserver/types/type_registry.h"

namespace kt::sim {
namespace {

const Json* FindResource(const Json& list, const std::string& group, const std::string& resource) {
  for (const Json& g : list["items"]) {
    if (g["metadata"]["name"] != group) continue;
    for (const Json& v : g["versions"]) {
      for (const Json& r : v["resources"]) {
        if (r["resource"] == resource) return &r;
      }
    }
  }
  return nullptr;
}

TEST(DiscoveryTest, AggregatedCoreHasOnlyTheCoreGroup) {
  TypeRegistry r;
  Json d = r.AggregatedDiscovery(/*core=*/true);
  EXPECT_EQ(d["kind"], "APIGroupDiscoveryList");
  EXPECT_EQ(d["apiVersion"], "apidiscovery.k8s.io/v2");
  ASSERT_EQ(d["items"].size(), 1u);
  EXPECT_EQ(d["items"][0]["metadata"]["name"], "");
  EXPECT_EQ(d["items"][0]["versions"][0]["version"], "v1");
  const Json* pods = FindResource(d, "", "pods");
  ASSERT_NE(pods, nullptr);
  EXPECT_EQ((*pods)["scope"], "Namespaced");
  EXPECT_EQ((*pods)["singularResource"], "pod");
  EXPECT_EQ((*pods)["responseKind"], (Json{{"group", ""}, {"version", ""}, {"kind", "Pod"}}));
  EXPECT_EQ((*pods)["shortNames"], Json::array({"po"}));
  const Json* nodes = FindResource(d, "", "nodes");
  ASSERT_NE(nodes, nullptr);
  EXPECT_EQ((*nodes)["scope"], "Cluster");
}

TEST(DiscoveryTest, AggregatedSubresourcesCarryTheirKindsAndVerbs) {
  TypeRegistry r;
  Json d = r.AggregatedDiscovery(false);
  const Json* deploy = FindResource(d, "apps", "deployments");
  ASSERT_NE(deploy, nullptr);
  Json subs = (*deploy)["subresources"];
  ASSERT_EQ(subs.size(), 2u);
  EXPECT_EQ(subs[0]["subresource"], "scale");
  EXPECT_EQ(subs[0]["responseKind"]["kind"], "Scale");
  EXPECT_EQ(subs[0]["responseKind"]["group"], "autoscaling");
  EXPECT_EQ(subs[1]["subresource"], "status");
  EXPECT_EQ(subs[1]["responseKind"]["kind"], "Deployment");
  EXPECT_EQ(subs[1]["verbs"], Json::array({"get", "patch", "update"}));
}

TEST(DiscoveryTest, AggregatedApisExcludesCoreAndIncludesEveryNamedGroup) {
  TypeRegistry r;
  Json d = r.AggregatedDiscovery(false);
  std::vector<std::string> groups;
  for (const Json& g : d["items"]) groups.push_back(g["metadata"]["name"]);
  EXPECT_EQ(groups.front(), "apps");
  for (const char* g : {"apps", "events.k8s.io", "batch", "rbac.authorization.k8s.io",
                        "admissionregistration.k8s.io", "apiextensions.k8s.io",
                        "coordination.k8s.io", "discovery.k8s.io"}) {
    EXPECT_NE(std::find(groups.begin(), groups.end(), g), groups.end()) << g;
  }
  EXPECT_EQ(std::find(groups.begin(), groups.end(), ""), groups.end());
  const Json* crds = FindResource(d, "apiextensions.k8s.io", "customresourcedefinitions");
  ASSERT_NE(crds, nullptr);
  EXPECT_EQ((*crds)["shortNames"], Json::array({"crd", "crds"}));
  EXPECT_EQ((*crds)["scope"], "Cluster");
}

TEST(DiscoveryTest, LegacyApiVersionsListsV1) {
  TypeRegistry r;
  Json v = r.LegacyApiVersions();
  EXPECT_EQ(v["kind"], "APIVersions");
  EXPECT_EQ(v["versions"], Json::array({"v1"}));
  EXPECT_TRUE(v["serverAddressByClientCIDRs"].is_array());
}

TEST(DiscoveryTest, LegacyGroupListHasPreferredVersions) {
  TypeRegistry r;
  Json g = r.LegacyApiGroupList();
  EXPECT_EQ(g["kind"], "APIGroupList");
  EXPECT_EQ(g["apiVersion"], "v1");
  ASSERT_FALSE(g["groups"].empty());
  EXPECT_EQ(g["groups"][0]["name"], "apps");
  EXPECT_EQ(g["groups"][0]["preferredVersion"],
            (Json{{"groupVersion", "apps/v1"}, {"version", "v1"}}));
}

TEST(DiscoveryTest, LegacyResourceListHasResourcesAndSubresources) {
  TypeRegistry r;
  auto list = r.LegacyApiResourceList("apps", "v1");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)["kind"], "APIResourceList");
  EXPECT_EQ((*list)["groupVersion"], "apps/v1");
  bool saw_deploy = false, saw_scale = false;
  for (const Json& res : (*list)["resources"]) {
    if (res["name"] == "deployments") {
      saw_deploy = true;
      EXPECT_EQ(res["namespaced"], true);
      EXPECT_EQ(res["kind"], "Deployment");
      EXPECT_EQ(res["shortNames"], Json::array({"deploy"}));
      EXPECT_TRUE(res["storageVersionHash"].is_string());
    }
    if (res["name"] == "deployments/scale") {
      saw_scale = true;
      EXPECT_EQ(res["group"], "autoscaling");
      EXPECT_EQ(res["kind"], "Scale");
      EXPECT_EQ(res["singularName"], "");
    }
  }
  EXPECT_TRUE(saw_deploy);
  EXPECT_TRUE(saw_scale);
  auto core = r.LegacyApiResourceList("", "v1");
  ASSERT_TRUE(core.ok());
  EXPECT_EQ((*core)["groupVersion"], "v1");
}

TEST(DiscoveryTest, UnservedGroupVersionIsNotFound) {
  TypeRegistry r;
  auto list = r.LegacyApiResourceList("kaito.sh", "v1beta1");
  EXPECT_TRUE(list.status().Is(StatusCode::kNotFound));
  EXPECT_TRUE(r.LegacyApiGroup("nope.example.com").status().Is(StatusCode::kNotFound));
}

}  // namespace
}  // namespace kt::sim
