// Restarts and garbage collection (SimEnv, fake AKS, cluster twin):
//   - a provisioner restarted while AKS creates the pool sends the create again, gets "in
//     progress create node pool operation", keeps waiting, and the NodeClaim reaches Ready with
//     one pool (gpu-provisioner PR #186);
//   - a NodeClaim deleted mid-create while the provisioner runs: the DELETE cancels the create,
//     nothing is left and the GC has nothing to do;
//   - a NodeClaim removed (finalizer stripped) while the provisioner was down leaves a leaked
//     pool - still creating, or booted with its Node - that the GC loop deletes, Node included,
//     within one 2-minute period after the 30 s grace (PR #181);
//   - the GC leaves young pools, pools with a NodeClaim and non-Kaito pools alone;
//   - a NodeClaim whose pool was deleted out of band is deleted by the GC.
#include <gtest/gtest.h>

#include "api/object.h"
#include "base/json.h"
#include "controllers/provisioner/agent_pool_body.h"
#include "tests/controllers/provisioner/provisioner_world.h"

namespace kt::controllers::provisioner::testing {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kName = "ws1a2b3c4d5";

// An agent pool body as the provisioner would send it for a NodeClaim created at `created`.
Json KaitoPoolBody(Time created, bool kaito = true) {
  Json labels = {{"kaito.sh/creation-timestamp", FormatCreationLabel(created)}};
  if (kaito) {
    labels["kaito.sh/workspace"] = "ws9";
    labels["karpenter.sh/nodepool"] = "kaito";
  }
  return {{"properties",
           {{"vmSize", "Standard_NC24ads_A100_v4"},
            {"count", 1},
            {"osType", "Linux"},
            {"osDiskSizeGB", 128},
            {"nodeLabels", labels}}}};
}

TEST(ProvisionerRestartTest, RestartMidCreateResumesWaitingWithoutASecondPool) {
  ProvisionerWorld w;
  w.Create(NodeClaim(kName));
  ASSERT_TRUE(w.RunUntil([&] { return w.PoolState(kName) == "Creating"; }, minutes(1)));
  w.Run(seconds(30));
  w.StopProvisioner();
  w.Run(minutes(1));
  w.StartProvisioner();

  ASSERT_TRUE(w.RunUntil([&] { return w.CondIs(kName, "Ready", "True"); }, minutes(20)));
  EXPECT_EQ(w.cloud().puts, 2) << "the second create was answered 'in progress' and waited on";
  EXPECT_EQ(w.PoolCount(), 1u);
  EXPECT_EQ(w.PoolState(kName), "Succeeded");
  EXPECT_EQ(w.provisioner().gc().pools_deleted_total(), 0u);
}

TEST(ProvisionerRestartTest, DeletedMidCreateCancelsTheCreateAndLeavesNothing) {
  ProvisionerWorld w;
  w.Create(NodeClaim(kName));
  ASSERT_TRUE(w.RunUntil([&] { return w.PoolState(kName) == "Creating"; }, minutes(1)));
  w.Run(minutes(2));
  w.Delete(kName);
  ASSERT_TRUE(w.RunUntil([&] { return !w.NodeClaim(kName).has_value(); }, minutes(10)));
  EXPECT_EQ(w.PoolCount(), 0u);
  w.Run(minutes(10));
  EXPECT_EQ(w.PoolCount(), 0u);
  EXPECT_TRUE(w.Nodes("agentpool=" + std::string(kName)).empty()) << "no VM booted late";
  EXPECT_EQ(w.provisioner().gc().pools_deleted_total(), 0u);
}

TEST(ProvisionerGcTest, PoolLeakedMidCreateWhileTheProvisionerWasDownIsCollected) {
  ProvisionerWorld w;
  w.Create(NodeClaim(kName));
  ASSERT_TRUE(w.RunUntil([&] { return w.PoolState(kName) == "Creating"; }, minutes(1)));
  w.StopProvisioner();
  w.Delete(kName);
  w.ForceRemove(kName);  // someone unsticks the NodeClaim by hand
  ASSERT_FALSE(w.NodeClaim(kName).has_value());
  ASSERT_TRUE(w.PoolState(kName).has_value()) << "leaked";

  w.StartProvisioner();
  ASSERT_TRUE(w.RunUntil([&] { return !w.PoolState(kName).has_value(); }, minutes(5)));
  EXPECT_EQ(w.provisioner().gc().pools_deleted_total(), 1u);
  EXPECT_TRUE(w.Nodes("agentpool=" + std::string(kName)).empty());
}

TEST(ProvisionerGcTest, LeakedPoolWithABootedNodeIsCollectedWithItsNode) {
  ProvisionerWorld w;
  w.Create(NodeClaim(kName));
  ASSERT_TRUE(w.RunUntil([&] { return w.CondIs(kName, "Ready", "True"); }, minutes(20)));
  const std::string node = GetString(*w.NodeClaim(kName), "status.nodeName");
  w.StopProvisioner();
  w.Delete(kName);
  w.ForceRemove(kName);
  w.StartProvisioner();

  ASSERT_TRUE(w.RunUntil(
      [&] { return !w.PoolState(kName).has_value() && !w.Get(res::kNodes, node).has_value(); },
      minutes(5)));
  EXPECT_EQ(w.provisioner().gc().pools_deleted_total(), 1u);
}

TEST(ProvisionerGcTest, YoungOwnedAndForeignPoolsAreKept) {
  ProvisionerWorld w;
  // A Kaito pool created "now" without a NodeClaim: inside the 30 s grace at the first pass
  // (t = 10 s), collected by the next one (t = 2 min 10 s).
  ASSERT_TRUE(w.aks().PutAgentPool("young", KaitoPoolBody(w.env().Now())).ok());
  ASSERT_TRUE(w.aks().PutAgentPool("nodepool1", KaitoPoolBody(w.env().Now(), false)).ok());
  w.Create(NodeClaim(kName));
  w.Run(seconds(20));
  EXPECT_EQ(w.PoolState("young"), "Creating") << "too young at the first pass";
  ASSERT_TRUE(w.RunUntil([&] { return w.PoolState("young") == "Deleting"; }, minutes(3)));
  EXPECT_LE(w.env().Now() - FromUnixSeconds(1767225600), minutes(2) + seconds(11));

  ASSERT_TRUE(w.RunUntil([&] { return w.CondIs(kName, "Ready", "True"); }, minutes(20)));
  w.Run(minutes(10));
  EXPECT_TRUE(w.PoolState(kName).has_value()) << "its NodeClaim exists";
  EXPECT_TRUE(w.PoolState("nodepool1").has_value()) << "not a Kaito pool";
  EXPECT_FALSE(w.PoolState("young").has_value());
  EXPECT_EQ(w.provisioner().gc().pools_deleted_total(), 1u);
}

TEST(ProvisionerGcTest, NodeClaimWhosePoolWasDeletedOutOfBandIsDeleted) {
  ProvisionerWorld w;
  w.Create(NodeClaim(kName));
  ASSERT_TRUE(w.RunUntil([&] { return w.CondIs(kName, "Ready", "True"); }, minutes(20)));
  ASSERT_TRUE(w.aks().DeleteAgentPool(kName).ok());  // az aks nodepool delete
  ASSERT_TRUE(w.RunUntil([&] { return !w.NodeClaim(kName).has_value(); }, minutes(8)));
  EXPECT_EQ(w.provisioner().gc().nodeclaims_deleted_total(), 1u);
  EXPECT_EQ(w.PoolCount(), 0u);
}

}  // namespace
}  // namespace kt::controllers::provisioner::testing
