// The NodeClaim lifecycle against the twin (SimEnv; in-process API server, fake AKS with its
// default ~6 min GPU provisioning delay, the cluster's kubelets and device plugin):
//   - a Kaito NodeClaim becomes one agent pool and reaches Ready: Launched (pool created, Node
//     joined, providerID), Registered (labels/taints on the Node, nodeName), Initialized (Node
//     Ready with nvidia.com/gpu; capacity/allocatable copied), with AgentPoolCreating while the
//     create runs and a handful of polls - no worker waits on the cloud;
//   - startup taints hold Initialized until they are removed from the Node;
//   - deleting the NodeClaim deletes the pool, then the Node, then releases the finalizer;
//   - a NodeClaim whose Node never joins is deleted after the 15-minute registration TTL, and
//     its pool with it;
//   - naming rules: a NodeClaim that cannot be a pool is Launched=False/InvalidNodeClaim with no
//     cloud call and is not deleted; NodeClaims of other node classes are left alone.
#include <gtest/gtest.h>

#include <set>

#include "api/object.h"
#include "base/json.h"
#include "controllers/provisioner/agent_pool_body.h"
#include "tests/controllers/provisioner/provisioner_world.h"

namespace kt::controllers::provisioner::testing {
namespace {

using std::chrono::minutes;

constexpr const char* kName = "ws1a2b3c4d5";

TEST(ProvisionerLifecycleTest, NodeClaimBecomesOneAgentPoolAndReachesReady) {
  ProvisionerWorld w;
  Json nc = NodeClaim(kName);
  api::SetLabel(nc, "team", "ml");
  w.Create(nc);

  ASSERT_TRUE(w.RunUntil([&] { return w.PoolState(kName).has_value(); }, minutes(1)));
  w.Run(std::chrono::seconds(5));
  EXPECT_EQ(w.Cond(kName, "Launched").status, "Unknown");
  EXPECT_EQ(w.Cond(kName, "Launched").reason, "AgentPoolCreating");
  EXPECT_EQ(w.Cond(kName, "Launched").message,
            "creating agent pool \"ws1a2b3c4d5\" (Standard_NC24ads_A100_v4)");
  EXPECT_EQ(w.Cond(kName, "Ready").status, "Unknown");
  EXPECT_TRUE(api::HasFinalizer(*w.NodeClaim(kName), "karpenter.sh/termination"));

  ASSERT_TRUE(w.RunUntil([&] { return w.CondIs(kName, "Ready", "True"); }, minutes(20)));
  const Json claim = *w.NodeClaim(kName);
  for (const char* type : {"Launched", "Registered", "Initialized", "Ready"}) {
    EXPECT_EQ(w.Cond(kName, type).status, "True") << type;
    EXPECT_EQ(w.Cond(kName, type).reason, type);
  }
  const std::string node_name = GetString(claim, "status.nodeName");
  ASSERT_FALSE(node_name.empty());
  auto node = w.Get(res::kNodes, node_name);
  ASSERT_TRUE(node.has_value());
  EXPECT_EQ(GetString(claim, "status.providerID"), GetString(*node, "spec.providerID"));
  EXPECT_EQ(claim["status"]["capacity"]["nvidia.com/gpu"], "1");
  EXPECT_EQ(claim["status"]["allocatable"]["nvidia.com/gpu"], "1");

  // The Node carries the pool's labels (from the NodeClaim) and what registration added.
  const api::Labels labels = api::GetLabels(*node);
  EXPECT_EQ(labels.at("agentpool"), kName);
  EXPECT_EQ(labels.at("kaito.sh/workspace"), "ws1");
  EXPECT_EQ(labels.at("team"), "ml");
  EXPECT_EQ(labels.at("kaito.sh/machine-type"), "gpu");
  EXPECT_EQ(labels.at("karpenter.sh/nodepool"), "kaito");
  EXPECT_EQ(labels.at("karpenter.sh/registered"), "true");
  EXPECT_EQ(labels.at("karpenter.sh/initialized"), "true");
  EXPECT_EQ(labels.at("kaito.sh/creation-timestamp"),
            FormatCreationLabel(*api::CreationTimestamp(claim)));
  bool sku_taint = false;
  for (const Json& t : (*node)["spec"]["taints"]) {
    sku_taint |= t["key"] == "sku" && t["value"] == "gpu" && t["effect"] == "NoSchedule";
  }
  EXPECT_TRUE(sku_taint);

  EXPECT_EQ(w.PoolState(kName), "Succeeded");
  EXPECT_EQ(w.PoolCount(), 1u);
  EXPECT_EQ(w.cloud().puts, 1);
  EXPECT_LE(w.cloud().polls, 20) << "polled every 30 s at most, not in a loop";
}

TEST(ProvisionerLifecycleTest, InitializedWaitsForTheGpusAndTheStartupTaints) {
  ProvisionerWorld w;
  Json nc = NodeClaim(kName);
  nc["spec"]["startupTaints"] =
      Json::array({{{"key", "example.com/init"}, {"value", "pending"}, {"effect", "NoSchedule"}}});
  w.Create(nc);
  std::set<std::string> reasons;
  ASSERT_TRUE(w.RunUntil(
      [&] {
        if (w.CondIs(kName, "Registered", "True")) reasons.insert(w.Cond(kName, "Initialized").reason);
        return w.Cond(kName, "Initialized").reason == "StartupTaintsExist";
      },
      minutes(20)));
  EXPECT_TRUE(reasons.count("NodeNotReady") || reasons.count("ResourceNotRegistered"));
  EXPECT_EQ(w.Cond(kName, "Ready").status, "Unknown");

  // Whoever owns the startup taint removes it once its work is done.
  Json node = *w.Get(res::kNodes, GetString(*w.NodeClaim(kName), "status.nodeName"));
  Json kept = Json::array();
  for (const Json& t : node["spec"]["taints"]) {
    if (t["key"] != "example.com/init") kept.push_back(t);
  }
  ASSERT_EQ(kept.size() + 1, node["spec"]["taints"].size()) << "registration added the taint";
  node["spec"]["taints"] = kept;
  ASSERT_TRUE(w.client().Update(res::kNodes, "", node).ok());
  ASSERT_TRUE(w.RunUntil([&] { return w.CondIs(kName, "Ready", "True"); }, minutes(2)));
}

TEST(ProvisionerLifecycleTest, DeletionRemovesThePoolThenTheNodeThenTheFinalizer) {
  ProvisionerWorld w;
  w.Create(NodeClaim(kName));
  ASSERT_TRUE(w.RunUntil([&] { return w.CondIs(kName, "Ready", "True"); }, minutes(20)));
  const std::string node = GetString(*w.NodeClaim(kName), "status.nodeName");

  w.Delete(kName);
  ASSERT_TRUE(w.RunUntil([&] { return w.PoolState(kName) == "Deleting"; }, minutes(1)));
  auto deleting = w.NodeClaim(kName);
  ASSERT_TRUE(deleting.has_value()) << "the finalizer holds it while the pool goes";
  EXPECT_TRUE(api::IsDeleting(*deleting));

  ASSERT_TRUE(w.RunUntil([&] { return !w.NodeClaim(kName).has_value(); }, minutes(10)));
  EXPECT_FALSE(w.PoolState(kName).has_value());
  EXPECT_FALSE(w.Get(res::kNodes, node).has_value());
  EXPECT_TRUE(w.Nodes("agentpool=" + std::string(kName)).empty());
  EXPECT_EQ(w.cloud().deletes, 1);
}

TEST(ProvisionerLifecycleTest, NodeThatNeverJoinsHitsTheRegistrationTtlAndThePoolIsDeleted) {
  ProvisionerWorld w(WorldOptions{.kubelets = false});  // VMs boot, no kubelet registers them
  w.Create(NodeClaim(kName));
  ASSERT_TRUE(w.RunUntil([&] { return w.CondIs(kName, "Launched", "False"); }, minutes(14)));
  EXPECT_EQ(w.Cond(kName, "Launched").reason, "LaunchFailed");
  EXPECT_NE(w.Cond(kName, "Launched").message.find("its node did not join after 30 attempts"),
            std::string::npos)
      << w.Cond(kName, "Launched").message;
  EXPECT_EQ(w.PoolState(kName), "Succeeded");

  const Time created = *api::CreationTimestamp(*w.NodeClaim(kName));
  ASSERT_TRUE(w.RunUntil([&] { return !w.NodeClaim(kName).has_value(); }, minutes(20)));
  EXPECT_GE(w.env().Now() - created, minutes(15)) << "not before the TTL";
  EXPECT_FALSE(w.PoolState(kName).has_value()) << "the pool went with the NodeClaim";
  EXPECT_EQ(w.Events("RegistrationTimeout").size(), 1u);
}

TEST(ProvisionerLifecycleTest, RegistrationTtlDeletesANodeClaimThatCannotLaunch) {
  // No quota at all: every create is refused, the NodeClaim never registers.
  ProvisionerWorld w(WorldOptions{
      .cloud_overlay = "quota: {families: {standardNCADSA100v4Family: 0}}"});
  w.Create(NodeClaim(kName));
  w.Run(minutes(14) + std::chrono::seconds(50));
  ASSERT_TRUE(w.NodeClaim(kName).has_value()) << "still within the 15 min TTL";
  EXPECT_EQ(w.Cond(kName, "Launched").status, "False");
  ASSERT_TRUE(w.RunUntil([&] { return !w.NodeClaim(kName).has_value(); }, minutes(6)));
  EXPECT_EQ(w.PoolCount(), 0u);
}

TEST(ProvisionerLifecycleTest, NodeClaimThatCannotNameAPoolFailsWithoutCallingTheCloud) {
  ProvisionerWorld w;
  w.Create(NodeClaim("workspace-node-one"));
  w.Create(NodeClaim("nolabel", kA100, "1024Gi", /*workspace=*/""));
  w.Create(NodeClaim("nostorage", kA100, /*storage=*/""));
  w.Run(minutes(20));
  const std::pair<const char*, const char*> cases[] = {
      {"workspace-node-one", "^[a-z][a-z0-9]{0,11}$"},
      {"nolabel", "kaito.sh/workspace"},
      {"nostorage", "should be more than 0"},
  };
  for (const auto& [name, text] : cases) {
    ASSERT_TRUE(w.NodeClaim(name).has_value()) << name << " is kept for Kaito to read";
    api::Condition launched = w.Cond(name, "Launched");
    EXPECT_EQ(launched.status, "False") << name;
    EXPECT_EQ(launched.reason, "InvalidNodeClaim") << name;
    EXPECT_NE(launched.message.find(text), std::string::npos) << launched.message;
    EXPECT_EQ(w.Cond(name, "Ready").status, "False") << name;
  }
  EXPECT_EQ(w.cloud().puts, 0);
  EXPECT_EQ(w.PoolCount(), 0u);
}

TEST(ProvisionerLifecycleTest, NodeClaimsOfOtherNodeClassesAreLeftAlone) {
  ProvisionerWorld w;
  Json nc = NodeClaim("aws1");
  nc["spec"]["nodeClassRef"] = {{"group", "karpenter.k8s.aws"}, {"kind", "EC2NodeClass"},
                                {"name", "default"}};
  w.Create(nc);
  w.Run(minutes(5));
  Json got = *w.NodeClaim("aws1");
  EXPECT_FALSE(api::HasFinalizer(got, "karpenter.sh/termination"));
  EXPECT_TRUE(api::Conditions(got).empty());
  EXPECT_EQ(w.cloud().puts, 0);
}

}  // namespace
}  // namespace kt::controllers::provisioner::testing
