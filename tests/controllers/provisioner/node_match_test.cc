// How Nodes relate to NodeClaims: join detection (exactly one pool Node with a providerID),
// the Node watch's mapping to the NodeClaim, what registration adds to the Node (NodeClaim
// labels, karpenter.sh/registered, missing taints and startup taints), when a Node counts as
// initialized (Ready, no startup or ephemeral taints, GPUs allocatable) and which resources each
// VM size must register.
#include "controllers/provisioner/node_match.h"

#include <gtest/gtest.h>

#include "api/object.h"
#include "base/json.h"
#include "controllers/kaito/sku_table.h"
#include "tests/controllers/provisioner/provisioner_test_util.h"

namespace kt::controllers::provisioner {
namespace {

using testing::NodeClaim;
using testing::PoolNode;

TEST(NodeMatchTest, PoolSelectorNamesBothAksPoolLabels) {
  EXPECT_EQ(PoolNodeSelector("ws1"), "agentpool=ws1,kubernetes.azure.com/agentpool=ws1");
}

TEST(NodeMatchTest, JoinNeedsExactlyOnePoolNodeWithAProviderId) {
  std::string why;
  EXPECT_EQ(FindJoinedNode({}, &why), nullptr);
  EXPECT_EQ(why, "no node has joined yet");
  Json a = PoolNode("ws1");
  Json no_id = PoolNode("ws1");
  no_id["spec"].erase("providerID");
  EXPECT_EQ(FindJoinedNode({&no_id}, &why), nullptr);
  EXPECT_EQ(why, "1 node(s) without a providerID");
  EXPECT_EQ(FindJoinedNode({&no_id, &a}, &why), &a);
  Json b = PoolNode("ws1", true, 1, "azure:///other");
  EXPECT_EQ(FindJoinedNode({&a, &b}, &why), nullptr);
  EXPECT_EQ(why, "2 nodes with a providerID (expected 1)");
}

TEST(NodeMatchTest, NodeEventsMapToTheNodeClaimOfTheirKaitoPool) {
  EXPECT_EQ(NodeClaimNameOfNode(PoolNode("ws1")), "ws1");
  Json system = PoolNode("nodepool1");
  api::RemoveLabel(system, "karpenter.sh/nodepool");
  EXPECT_EQ(NodeClaimNameOfNode(system), std::nullopt) << "system pools are not ours";
}

TEST(NodeMatchTest, RegistrationAddsMissingLabelsAndTaintsOnly) {
  Json nc = NodeClaim("ws1");
  api::SetLabel(nc, "team", "ml");
  nc["spec"]["startupTaints"] =
      Json::array({{{"key", "init"}, {"value", "pending"}, {"effect", "NoSchedule"}}});
  Json node = PoolNode("ws1");
  RegistrationSync sync = ComputeRegistrationSync(node, nc);
  EXPECT_EQ(sync.labels, (api::Labels{{"karpenter.sh/registered", "true"},
                                       {"kaito.sh/workspacenamespace", "default"},
                                       {"team", "ml"}}));
  ASSERT_TRUE(sync.taints_changed);
  EXPECT_EQ(Json(sync.taints),
            Json::array({{{"key", "sku"}, {"value", "gpu"}, {"effect", "NoSchedule"}},
                         {{"key", "init"}, {"value", "pending"}, {"effect", "NoSchedule"}}}))
      << "sku=gpu was already there";

  for (const auto& [k, v] : sync.labels) api::SetLabel(node, k, v);
  node["spec"]["taints"] = Json(sync.taints);
  EXPECT_TRUE(ComputeRegistrationSync(node, nc).empty());
}

TEST(NodeMatchTest, InitializedNeedsReadyNoStartupOrEphemeralTaintsAndTheGpus) {
  Json nc = NodeClaim("ws1");
  const std::vector<std::string> gpu = {"nvidia.com/gpu"};

  InitializationCheck c = CheckInitialization(PoolNode("ws1", /*ready=*/false), nc, gpu);
  EXPECT_FALSE(c.initialized);
  EXPECT_EQ(c.reason, "NodeNotReady");

  Json no_gpus = PoolNode("ws1", true, /*gpus=*/0);
  c = CheckInitialization(no_gpus, nc, gpu);
  EXPECT_EQ(c.reason, "ResourceNotRegistered");
  EXPECT_EQ(c.message, "Resource \"nvidia.com/gpu\" was requested but not registered");
  EXPECT_TRUE(CheckInitialization(no_gpus, nc, {}).initialized) << "CPU sizes need no GPUs";

  Json tainted = PoolNode("ws1");
  tainted["spec"]["taints"].push_back(
      {{"key", "node.kubernetes.io/not-ready"}, {"effect", "NoSchedule"}});
  EXPECT_EQ(CheckInitialization(tainted, nc, gpu).reason, "KnownEphemeralTaintsExist");

  Json startup = nc;
  startup["spec"]["startupTaints"] = Json::array({{{"key", "init"}, {"effect", "NoSchedule"}}});
  Json with_startup = PoolNode("ws1");
  with_startup["spec"]["taints"].push_back({{"key", "init"}, {"effect", "NoSchedule"}});
  EXPECT_EQ(CheckInitialization(with_startup, startup, gpu).reason, "StartupTaintsExist");
  EXPECT_TRUE(CheckInitialization(PoolNode("ws1"), startup, gpu).initialized)
      << "the startup taint was removed";
}

TEST(NodeMatchTest, GpuSizesMustRegisterTheirVendorsGpuResource) {
  const kaito::SkuTable& skus = kaito::DefaultSkuTable();
  EXPECT_EQ(RequiredResources("Standard_NC24ads_A100_v4", skus),
            std::vector<std::string>{"nvidia.com/gpu"});
  EXPECT_EQ(RequiredResources("Standard_NG32ads_V620_v1", skus),
            std::vector<std::string>{"amd.com/gpu"});
  EXPECT_EQ(RequiredResources("Standard_NC999_future_v9", skus),
            std::vector<std::string>{"nvidia.com/gpu"})
      << "unknown N-series sizes are taken as NVIDIA GPUs";
  EXPECT_TRUE(RequiredResources("Standard_D4s_v3", skus).empty());
}

}  // namespace
}  // namespace kt::controllers::provisioner
