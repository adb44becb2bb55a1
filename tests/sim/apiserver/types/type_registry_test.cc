// The registry knows every built-in kind the twin serves with kube-apiserver's discovery facts
// (kind, list kind, singular, scope, short names, categories, verbs, subresources), finds
// them by resource and by kind, and lists them in discovery order. Texts derived from it are
// memoised until it changes.
#include "sim/apiserver/types/type_registry.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "base/json.h"
#include "tests/sim/apiserver/types/test_util.h"

namespace kt::sim {
namespace {

using api::GroupVersionKind;
using api::GroupVersionResource;
namespace res = api::resources;

TEST(TypeRegistryTest, RegistersEveryBuiltinKindTheTwinServes) {
  TypeRegistry r;
  for (const auto& gvr :
       {res::kNamespaces, res::kNodes, res::kPods, res::kServices, res::kEndpoints,
        res::kEndpointSlices, res::kConfigMaps, res::kSecrets, res::kServiceAccounts, res::kEvents,
        res::kEventsV1, res::kLeases, res::kDeployments, res::kReplicaSets, res::kStatefulSets,
        res::kControllerRevisions, res::kJobs, res::kCustomResourceDefinitions,
        res::kValidatingWebhookConfigurations, res::kMutatingWebhookConfigurations,
        res::kClusterRoles, res::kClusterRoleBindings, res::kRoles, res::kRoleBindings}) {
    const ResourceType* t = r.Find(gvr);
    ASSERT_NE(t, nullptr) << gvr.GroupResource();
    EXPECT_EQ(t->gvr, gvr);
    EXPECT_FALSE(t->is_custom);
    EXPECT_EQ(t->list_kind, t->kind + "List");
    EXPECT_EQ(r.FindByKind(t->gvk()), t) << t->kind;
  }
}

TEST(TypeRegistryTest, PodFactsMatchKubeApiserver) {
  TypeRegistry r;
  const ResourceType* pods = r.Find(res::kPods);
  ASSERT_NE(pods, nullptr);
  EXPECT_EQ(pods->kind, "Pod");
  EXPECT_EQ(pods->singular, "pod");
  EXPECT_TRUE(pods->namespaced);
  EXPECT_EQ(pods->short_names, std::vector<std::string>{"po"});
  EXPECT_EQ(pods->categories, std::vector<std::string>{"all"});
  EXPECT_EQ(pods->subresources, (std::vector<std::string>{"binding", "eviction", "status"}));
  EXPECT_TRUE(pods->has_status);
  EXPECT_EQ(pods->verbs, (std::vector<std::string>{"create", "delete", "deletecollection", "get",
                                                   "list", "patch", "update", "watch"}));
}

TEST(TypeRegistryTest, ScalableWorkloadsHaveScaleAndStatus) {
  TypeRegistry r;
  for (const auto& gvr : {res::kDeployments, res::kReplicaSets, res::kStatefulSets}) {
    const ResourceType* t = r.Find(gvr);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->subresources, (std::vector<std::string>{"scale", "status"})) << t->kind;
  }
  EXPECT_EQ(r.Find(res::kDeployments)->short_names, std::vector<std::string>{"deploy"});
  EXPECT_EQ(r.Find(res::kStatefulSets)->short_names, std::vector<std::string>{"sts"});
}

TEST(TypeRegistryTest, ClusterScopedKindsAreNotNamespaced) {
  TypeRegistry r;
  for (const auto& gvr : {res::kNamespaces, res::kNodes, res::kCustomResourceDefinitions,
                          res::kClusterRoles, res::kClusterRoleBindings,
                          res::kValidatingWebhookConfigurations}) {
    EXPECT_FALSE(r.Find(gvr)->namespaced) << gvr.GroupResource();
  }
  EXPECT_EQ(r.Find(res::kNamespaces)->verbs,
            (std::vector<std::string>{"create", "delete", "get", "list", "patch", "update",
                                      "watch"}));
  EXPECT_EQ(r.Find(res::kCustomResourceDefinitions)->short_names,
            (std::vector<std::string>{"crd", "crds"}));
}

TEST(TypeRegistryTest, CoreAndEventsGroupEventsAreDistinctKinds) {
  TypeRegistry r;
  EXPECT_EQ(r.FindByKind({"", "v1", "Event"})->gvr, res::kEvents);
  EXPECT_EQ(r.FindByKind({"events.k8s.io", "v1", "Event"})->gvr, res::kEventsV1);
}

TEST(TypeRegistryTest, UnknownResourcesAreNotFound) {
  TypeRegistry r;
  EXPECT_EQ(r.Find({"", "v1", "widgets"}), nullptr);
  EXPECT_EQ(r.Find({"apps", "v2", "deployments"}), nullptr);
  EXPECT_EQ(r.FindByKind({"kaito.sh", "v1beta1", "Workspace"}), nullptr);
}

TEST(TypeRegistryTest, AllListsCoreFirstThenGroupsInPreferredOrder) {
  TypeRegistry r;
  auto all = r.All();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front()->gvr.group, "");
  auto pos = [&](const GroupVersionResource& gvr) {
    return std::find_if(all.begin(), all.end(), [&](auto* t) { return t->gvr == gvr; }) -
           all.begin();
  };
  EXPECT_LT(pos(res::kPods), pos(res::kDeployments));
  EXPECT_LT(pos(res::kDeployments), pos(res::kJobs));
  EXPECT_LT(pos(res::kJobs), pos(res::kCustomResourceDefinitions));
  // Within a group version, resources are sorted by name.
  EXPECT_LT(pos(res::kConfigMaps), pos(res::kPods));
}

TEST(TypeRegistryTest, MergeInfoKnowsPodSpecListsUnderEveryWorkload) {
  TypeRegistry r;
  auto containers = r.MergeInfo(*r.Find(res::kPods), "spec.containers");
  ASSERT_TRUE(containers.has_value());
  EXPECT_EQ(containers->merge_key, "name");
  auto env = r.MergeInfo(*r.Find(res::kDeployments), "spec.template.spec.containers.env");
  ASSERT_TRUE(env.has_value());
  EXPECT_EQ(env->merge_key, "name");
  EXPECT_EQ(r.MergeInfo(*r.Find(res::kServices), "spec.ports")->merge_key, "port");
  EXPECT_EQ(r.MergeInfo(*r.Find(res::kPods), "spec.containers.ports")->merge_key,
            "containerPort");
  EXPECT_TRUE(r.MergeInfo(*r.Find(res::kPods), "metadata.finalizers")->primitive_set);
  auto cron = r.MergeInfo(*r.Find({"batch", "v1", "cronjobs"}),
                          "spec.jobTemplate.spec.template.spec.containers");
  ASSERT_TRUE(cron.has_value());
  EXPECT_EQ(cron->merge_key, "name");
  // Tolerations have no patch strategy in the Go types: atomic.
  EXPECT_FALSE(r.MergeInfo(*r.Find(res::kPods), "spec.tolerations").has_value());
}

TEST(TypeRegistryTest, MemoBuildsOncePerRevisionAndForgetsFailures) {
  TypeRegistry r;
  int builds = 0;
  auto build = [&]() -> Result<std::string> { return "text " + std::to_string(++builds); };
  EXPECT_EQ(r.Memo("k", build).value(), "text 1");
  EXPECT_EQ(r.Memo("k", build).value(), "text 1");
  EXPECT_EQ(r.Memo("other", build).value(), "text 2");
  auto fail = [&]() -> Result<std::string> {
    ++builds;
    return BadRequest("no");
  };
  EXPECT_FALSE(r.Memo("bad", fail).ok());
  EXPECT_FALSE(r.Memo("bad", fail).ok());
  EXPECT_EQ(builds, 4);  // the failure was built twice, not cached
  testing::InstallProjectCrds(r);  // a new revision
  EXPECT_EQ(r.Memo("k", build).value(), "text 5");
}

}  // namespace
}  // namespace kt::sim
