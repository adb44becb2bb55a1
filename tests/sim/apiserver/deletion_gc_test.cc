// Proves deletion semantics under SimEnv: finalizers hold an object (with deletionTimestamp)
// until the last one goes and no new ones may be added; ownerReference garbage collection with
// background, foreground (foregroundDeletion finalizer, blockOwnerDeletion) and orphan
// propagation; dependents with another live owner survive; objects created with a dangling
// owner are collected; namespace deletion (Terminating, contents deleted, then the namespace);
// graceful deletion of bound pods; delete preconditions.
#include <gtest/gtest.h>

#include "tests/sim/apiserver/sim_fixture.h"

namespace kt::sim::testing {
namespace {

using api::PatchType;
using api::PropagationPolicy;
namespace res = api::resources;

class DeletionAndGc : public SimApiServerTest {
 protected:
  Json Owner(const std::string& name) {
    Json d = {{"apiVersion", "apps/v1"}, {"kind", "Deployment"},
              {"metadata", {{"name", name}, {"namespace", "default"}}},
              {"spec", {{"replicas", 1},
                        {"selector", {{"matchLabels", {{"app", name}}}}},
                        {"template", {{"metadata", {{"labels", {{"app", name}}}}},
                                      {"spec", {{"containers", Json::array({{{"name", "c"}, {"image", "i"}}})}}}}}}}};
    return MustCreate(res::kDeployments, d);
  }
  Json Dependent(const std::string& name, const Json& owner, bool block = false) {
    Json cm = ConfigMap(name);
    Json ref = {{"apiVersion", api::ApiVersionOf(owner)}, {"kind", api::Kind(owner)},
                {"name", api::Name(owner)}, {"uid", api::Uid(owner)}};
    if (block) ref["blockOwnerDeletion"] = true;
    cm["metadata"]["ownerReferences"] = Json::array({ref});
    return MustCreate(res::kConfigMaps, cm);
  }
  Status Delete(const api::GroupVersionResource& gvr, const std::string& name, PropagationPolicy p) {
    api::DeleteOptions o;
    o.propagation = p;
    return client_.Delete(gvr, "default", name, o).status();
  }
};

TEST_F(DeletionAndGc, FinalizerKeepsObjectWithDeletionTimestampUntilRemoved) {
  Json cm = ConfigMap("held");
  cm["metadata"]["finalizers"] = Json::array({"example.com/a", "example.com/b"});
  MustCreate(res::kConfigMaps, cm);
  auto del = client_.Delete(res::kConfigMaps, "default", "held");
  ASSERT_TRUE(del.ok());
  EXPECT_TRUE(api::IsDeleting(*del));
  EXPECT_EQ(GetInt(*del, "metadata.deletionGracePeriodSeconds").value_or(-1), 0);
  ASSERT_TRUE(client_.Patch(res::kConfigMaps, "default", "held", PatchType::kJson,
                            R"([{"op":"remove","path":"/metadata/finalizers/0"}])").ok());
  EXPECT_TRUE(Exists(res::kConfigMaps, "default", "held")) << "one finalizer still holds it";
  ASSERT_TRUE(client_.Patch(res::kConfigMaps, "default", "held", PatchType::kJson,
                            R"([{"op":"remove","path":"/metadata/finalizers/0"}])").ok());
  EXPECT_FALSE(Exists(res::kConfigMaps, "default", "held"));
}

TEST_F(DeletionAndGc, NoNewFinalizersOnADeletingObject) {
  Json cm = ConfigMap("held");
  cm["metadata"]["finalizers"] = Json::array({"example.com/a"});
  MustCreate(res::kConfigMaps, cm);
  ASSERT_TRUE(client_.Delete(res::kConfigMaps, "default", "held").ok());
  auto r = client_.Patch(res::kConfigMaps, "default", "held", PatchType::kMerge,
                         R"({"metadata":{"finalizers":["example.com/a","example.com/new"]}})");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kInvalid));
  EXPECT_NE(r.status().message().find("no new finalizers can be added if the object is being deleted"),
            std::string::npos);
}

TEST_F(DeletionAndGc, BackgroundDeletionRemovesOwnerAtOnceAndDependentsSoonAfter) {
  Json owner = Owner("o");
  Dependent("d1", owner);
  Dependent("d2", owner);
  ASSERT_TRUE(Delete(res::kDeployments, "o", PropagationPolicy::kBackground).ok());
  EXPECT_FALSE(Exists(res::kDeployments, "default", "o"));
  EXPECT_TRUE(Exists(res::kConfigMaps, "default", "d1")) << "the collector runs after the delete";
  Settle();
  EXPECT_FALSE(Exists(res::kConfigMaps, "default", "d1"));
  EXPECT_FALSE(Exists(res::kConfigMaps, "default", "d2"));
}

TEST_F(DeletionAndGc, ForegroundDeletionWaitsForBlockingDependents) {
  Json owner = Owner("o");
  Json dep = ConfigMap("blocker");
  dep["metadata"]["finalizers"] = Json::array({"example.com/slow"});
  dep["metadata"]["ownerReferences"] = Json::array({{{"apiVersion", "apps/v1"}, {"kind", "Deployment"},
                                                     {"name", "o"}, {"uid", api::Uid(owner)},
                                                     {"blockOwnerDeletion", true}}});
  MustCreate(res::kConfigMaps, dep);
  ASSERT_TRUE(Delete(res::kDeployments, "o", PropagationPolicy::kForeground).ok());
  Settle();
  auto o = client_.Get(res::kDeployments, "default", "o");
  ASSERT_TRUE(o.ok()) << "the owner waits for its blocking dependent";
  EXPECT_TRUE(api::IsDeleting(*o));
  EXPECT_TRUE(api::HasFinalizer(*o, "foregroundDeletion"));
  auto d = client_.Get(res::kConfigMaps, "default", "blocker");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(api::IsDeleting(*d)) << "the dependent is being deleted";
  ASSERT_TRUE(client_.Patch(res::kConfigMaps, "default", "blocker", PatchType::kMerge,
                            R"({"metadata":{"finalizers":null}})").ok());
  Settle();
  EXPECT_FALSE(Exists(res::kConfigMaps, "default", "blocker"));
  EXPECT_FALSE(Exists(res::kDeployments, "default", "o"));
}

TEST_F(DeletionAndGc, ForegroundDeletionWithoutDependentsCompletes) {
  Owner("o");
  ASSERT_TRUE(Delete(res::kDeployments, "o", PropagationPolicy::kForeground).ok());
  Settle();
  EXPECT_FALSE(Exists(res::kDeployments, "default", "o"));
}

TEST_F(DeletionAndGc, OrphanDeletionKeepsDependentsWithoutTheOwnerReference) {
  Json owner = Owner("o");
  Dependent("d", owner);
  ASSERT_TRUE(Delete(res::kDeployments, "o", PropagationPolicy::kOrphan).ok());
  Settle();
  EXPECT_FALSE(Exists(res::kDeployments, "default", "o"));
  auto d = client_.Get(res::kConfigMaps, "default", "d");
  ASSERT_TRUE(d.ok()) << "orphaned, not deleted";
  EXPECT_TRUE(api::OwnerReferences(*d).empty());
}

TEST_F(DeletionAndGc, DependentWithAnotherLiveOwnerOnlyLosesTheGoneOne) {
  Json a = Owner("a");
  Json b = Owner("b");
  Json cm = ConfigMap("shared");
  cm["metadata"]["ownerReferences"] = Json::array(
      {{{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "a"}, {"uid", api::Uid(a)}},
       {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "b"}, {"uid", api::Uid(b)}}});
  MustCreate(res::kConfigMaps, cm);
  ASSERT_TRUE(Delete(res::kDeployments, "a", PropagationPolicy::kBackground).ok());
  Settle();
  auto d = client_.Get(res::kConfigMaps, "default", "shared");
  ASSERT_TRUE(d.ok());
  auto refs = api::OwnerReferences(*d);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].name, "b");
}

TEST_F(DeletionAndGc, ObjectCreatedWithADanglingOwnerIsCollected) {
  Json cm = ConfigMap("orphan");
  cm["metadata"]["ownerReferences"] = Json::array({{{"apiVersion", "apps/v1"}, {"kind", "Deployment"},
                                                    {"name", "ghost"}, {"uid", "00000000-0000-4000-8000-000000000000"}}});
  MustCreate(res::kConfigMaps, cm);
  Settle();
  EXPECT_FALSE(Exists(res::kConfigMaps, "default", "orphan"));
}

// The collector finds an owner by kind and name, as kube's does, and then requires its uid:
// an object that now has the owner's name but another uid (the owner deleted and re-created)
// is not the owner, and one of another kind with the owner's uid is not either.
TEST_F(DeletionAndGc, AnOwnerIsItsKindAndNameWithItsUid) {
  Json owner = Owner("o");
  Json renamed = ConfigMap("stale");
  renamed["metadata"]["ownerReferences"] = Json::array(
      {{{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "o"},
        {"uid", "00000000-0000-4000-8000-000000000000"}}});
  MustCreate(res::kConfigMaps, renamed);
  Json wrong_kind = ConfigMap("wrong-kind");
  wrong_kind["metadata"]["ownerReferences"] = Json::array(
      {{{"apiVersion", "apps/v1"}, {"kind", "StatefulSet"}, {"name", "o"}, {"uid", api::Uid(owner)}}});
  MustCreate(res::kConfigMaps, wrong_kind);
  Json child = Dependent("child", owner);
  Settle();
  EXPECT_FALSE(Exists(res::kConfigMaps, "default", "stale"));
  EXPECT_FALSE(Exists(res::kConfigMaps, "default", "wrong-kind"));
  EXPECT_TRUE(Exists(res::kConfigMaps, "default", "child"));
}

// An owner of a kind the server does not serve cannot be looked up; kube's collector leaves
// the dependent alone rather than take the owner for gone.
TEST_F(DeletionAndGc, DependentOfAnUnservedKindIsLeftAlone) {
  Json cm = ConfigMap("unmapped");
  cm["metadata"]["ownerReferences"] = Json::array(
      {{{"apiVersion", "example.com/v1"}, {"kind", "Widget"}, {"name", "w"},
        {"uid", "00000000-0000-4000-8000-000000000001"}}});
  MustCreate(res::kConfigMaps, cm);
  Settle();
  EXPECT_TRUE(Exists(res::kConfigMaps, "default", "unmapped"));
}

// A cluster-scoped owner is found from a namespaced dependent; a namespaced owner only in the
// dependent's own namespace.
TEST_F(DeletionAndGc, OwnersAreLookedForInTheDependentsNamespaceUnlessClusterScoped) {
  Json node = MustCreate(res::kNodes, {{"apiVersion", "v1"}, {"kind", "Node"},
                                       {"metadata", {{"name", "n1"}}}});
  Json owned_by_node = ConfigMap("by-node");
  owned_by_node["metadata"]["ownerReferences"] = Json::array(
      {{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", "n1"}, {"uid", api::Uid(node)}}});
  MustCreate(res::kConfigMaps, owned_by_node);
  Json owner = Owner("o");
  MustCreate(res::kNamespaces, {{"apiVersion", "v1"}, {"kind", "Namespace"},
                                {"metadata", {{"name", "other"}}}});
  Json elsewhere = ConfigMap("elsewhere", "other");
  elsewhere["metadata"]["ownerReferences"] = Json::array(
      {{{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "o"}, {"uid", api::Uid(owner)}}});
  MustCreate(res::kConfigMaps, elsewhere);
  Settle();
  EXPECT_TRUE(Exists(res::kConfigMaps, "default", "by-node"));
  EXPECT_FALSE(Exists(res::kConfigMaps, "other", "elsewhere"));
}

TEST_F(DeletionAndGc, CascadeReachesGrandchildren) {
  Json owner = Owner("o");
  Json child = Dependent("child", owner);
  Json gc = ConfigMap("grandchild");
  gc["metadata"]["ownerReferences"] = Json::array({{{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                                                    {"name", "child"}, {"uid", api::Uid(child)}}});
  MustCreate(res::kConfigMaps, gc);
  ASSERT_TRUE(Delete(res::kDeployments, "o", PropagationPolicy::kBackground).ok());
  Settle();
  EXPECT_FALSE(Exists(res::kConfigMaps, "default", "child"));
  EXPECT_FALSE(Exists(res::kConfigMaps, "default", "grandchild"));
}

TEST_F(DeletionAndGc, NamespaceDeletionTerminatesDeletesContentsThenItself) {
  MustCreate(res::kNamespaces, Json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "team"}}}});
  MustCreate(res::kConfigMaps, ConfigMap("a", "team"));
  Json held = ConfigMap("held", "team");
  held["metadata"]["finalizers"] = Json::array({"example.com/hold"});
  MustCreate(res::kConfigMaps, held);
  auto del = client_.Delete(res::kNamespaces, "", "team");
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(GetString(*del, "status.phase"), "Terminating");
  Settle();
  EXPECT_FALSE(Exists(res::kConfigMaps, "team", "a"));
  auto ns = client_.Get(res::kNamespaces, "", "team");
  ASSERT_TRUE(ns.ok()) << "held content keeps the namespace";
  EXPECT_EQ(GetString(*ns, "status.phase"), "Terminating");
  ASSERT_TRUE(client_.Patch(res::kConfigMaps, "team", "held", PatchType::kMerge,
                            R"({"metadata":{"finalizers":null}})").ok());
  Settle();
  EXPECT_FALSE(Exists(res::kNamespaces, "", "team"));
  // The name can be used again.
  MustCreate(res::kNamespaces, Json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "team"}}}});
}

TEST_F(DeletionAndGc, BoundPodsAreDeletedGracefullyAndUnboundOnesAtOnce) {
  Json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "p"}, {"namespace", "default"}}},
              {"spec", {{"nodeName", "n1"}, {"terminationGracePeriodSeconds", 20},
                        {"containers", Json::array({{{"name", "c"}, {"image", "i"}}})}}}};
  MustCreate(res::kPods, pod);
  auto del = client_.Delete(res::kPods, "default", "p");
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(GetInt(*del, "metadata.deletionGracePeriodSeconds").value_or(-1), 20);
  EXPECT_EQ(GetString(*del, "metadata.deletionTimestamp"), "2026-01-01T00:00:20Z");
  EXPECT_TRUE(Exists(res::kPods, "default", "p")) << "the kubelet finishes a graceful delete";
  api::DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(client_.Delete(res::kPods, "default", "p", now).ok());
  EXPECT_FALSE(Exists(res::kPods, "default", "p"));
  pod["metadata"]["name"] = "unbound";
  pod["spec"].erase("nodeName");
  MustCreate(res::kPods, pod);
  ASSERT_TRUE(client_.Delete(res::kPods, "default", "unbound").ok());
  EXPECT_FALSE(Exists(res::kPods, "default", "unbound"));
}

TEST_F(DeletionAndGc, DeletePreconditionsAreChecked) {
  Json cm = MustCreate(res::kConfigMaps, ConfigMap("a"));
  api::DeleteOptions wrong_uid;
  wrong_uid.precondition_uid = "not-the-uid";
  auto r = client_.Delete(res::kConfigMaps, "default", "a", wrong_uid);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kConflict));
  EXPECT_NE(r.status().message().find("Precondition failed: UID in precondition"), std::string::npos);
  api::DeleteOptions stale;
  stale.precondition_resource_version = "1";
  EXPECT_TRUE(client_.Delete(res::kConfigMaps, "default", "a", stale).status().Is(StatusCode::kConflict));
  api::DeleteOptions right;
  right.precondition_uid = api::Uid(cm);
  EXPECT_TRUE(client_.Delete(res::kConfigMaps, "default", "a", right).ok());
}

TEST_F(DeletionAndGc, DeleteCollectionDeletesWhatTheSelectorMatches) {
  Json a = ConfigMap("a");
  a["metadata"]["labels"]["group"] = "x";
  MustCreate(res::kConfigMaps, a);
  MustCreate(res::kConfigMaps, ConfigMap("b"));
  api::ListOptions sel;
  sel.label_selector = "group=x";
  auto r = server_->DeleteCollection(ResourceRef{res::kConfigMaps, "default", "", ""}, sel);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->items.size(), 1u);
  EXPECT_FALSE(Exists(res::kConfigMaps, "default", "a"));
  EXPECT_TRUE(Exists(res::kConfigMaps, "default", "b"));
}

}  // namespace
}  // namespace kt::sim::testing
