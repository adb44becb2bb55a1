// Proves the failure paths of issue 4 section 4 in the deterministic world (real controllers,
// cluster twin, fake AKS, virtual time); each test prints its seed:
//   - quota exceeded: ResourceReady False with the ARM message; recovers once quota frees;
//   - SKU unavailable: terminal, no agent pool is ever created;
//   - the controller manager restarted while the pool is being created: it resumes, exactly one
//     pool exists and the workspace becomes ready;
//   - the NodeClaim force-deleted while its pool is being created: the leaked pool is collected;
//   - GPU capacity late (the workspace waits, then is ready) or never (ResourceReady False);
//   - the workspace deleted mid-provisioning: no NodeClaim, pool or Node is left;
//   - a model too big for its GPU (webhook bypassed): InferenceReady False, ContainerOOMKilled;
//   - two managers with leader election: one leads; when it stops, the standby takes over
//     within the lease duration and finishes the work.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "api/object.h"
#include "api/resource.h"
#include "base/json.h"
#include "scenarios/world.h"
#include "sim/cloud/fake_aks.h"
#include "sim/apiserver/in_process_client.h"

namespace kt::scenarios {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
namespace res = api::resources;

constexpr char kWs[] = "workspace-phi-3-mini";

std::string Phi3() {
  std::ifstream in("examples/inference/kaito_workspace_phi_3.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

WorldOptions Seeded(uint64_t seed, std::string overlay = "") {
  std::cout << "seed=" << seed << "\n";
  WorldOptions o;
  o.seed = seed;
  o.cloud_overlay = std::move(overlay);
  return o;
}

std::string PoolState(World& w) {
  auto pools = w.aks().ListAgentPools();
  if (!pools.ok() || pools->empty()) return "";
  return GetString(pools->front(), "properties.provisioningState");
}

std::string PoolsText(World& w) {
  std::string out;
  auto pools = w.aks().ListAgentPools();
  if (!pools.ok()) return pools.status().ToString();
  for (const Json& p : *pools) {
    out += GetString(p, "name") + " " + GetString(p, "properties.provisioningState") + " " + p["properties"].value("nodeLabels", Json::object()).dump() + "\n";
  }
  return out;
}

bool Clean(World& w) {
  return !w.Workspace(kWs) && w.NodeClaims(kWs).empty() && w.PoolCount() == 0 && w.GpuNodes().empty();
}

TEST(FailurePathsTest, QuotaExceededIsReportedWithTheArmMessageAndRecoversWhenQuotaFrees) {
  World w(Seeded(11, "quota: {families: {standardNCSv3Family: 4}}"));
  ASSERT_TRUE(w.ApplyYaml(Phi3()).ok());
  ASSERT_TRUE(w.RunUntil(
      [&] {
        auto c = w.Cond(kWs, "ResourceReady");
        return c && c->status == "False" && c->message.find("uota") != std::string::npos;
      },
      minutes(10)))
      << w.timeline().Render();
  EXPECT_EQ(w.PoolCount(), 0u);
  w.aks().UpdateFaultPlan([](sim::cloud::FaultPlan& p) { p.family_vcpus["standardNCSv3Family"] = 100; });
  w.timeline().Note("quota raised");
  EXPECT_TRUE(w.RunUntil([&] { return w.CondStatus(kWs, "WorkspaceReady") == "True"; }, minutes(90)))
      << w.timeline().Render();
  EXPECT_EQ(w.PoolCount(), 1u);
}

TEST(FailurePathsTest, SkuNotAvailableIsTerminalAndCreatesNoPool) {
  World w(Seeded(12, "availability: {unavailable_skus: [Standard_NC6s_v3]}"));
  ASSERT_TRUE(w.ApplyYaml(Phi3()).ok());
  w.Run(minutes(30));
  auto c = w.Cond(kWs, "ResourceReady");
  ASSERT_TRUE(c.has_value()) << w.timeline().Render();
  EXPECT_EQ(c->status, "False");
  EXPECT_NE(w.CondStatus(kWs, "WorkspaceReady"), "True");
  EXPECT_EQ(w.PoolCount(), 0u);
  EXPECT_NE(w.timeline().Render().find("unavailable"), std::string::npos) << w.timeline().Render();
}

TEST(FailurePathsTest, ManagerRestartMidCreateResumesWithoutASecondPool) {
  World w(Seeded(13));
  ASSERT_TRUE(w.ApplyYaml(Phi3()).ok());
  ASSERT_TRUE(w.RunUntil([&] { return PoolState(w) == "Creating"; }, minutes(5)));
  w.StopManager(0);
  w.Run(minutes(2));
  w.StartManager(0);
  ASSERT_TRUE(w.RunUntil([&] { return w.CondStatus(kWs, "WorkspaceReady") == "True"; }, minutes(90)))
      << w.timeline().Render();
  EXPECT_EQ(w.PoolCount(), 1u);
  EXPECT_EQ(w.NodeClaims(kWs).size(), 1u);
  EXPECT_EQ(w.GpuNodes().size(), 1u);
}

TEST(FailurePathsTest, NodeClaimForceDeletedMidCreateLeaksAPoolThatIsCollected) {
  World w(Seeded(14));
  ASSERT_TRUE(w.ApplyYaml(Phi3()).ok());
  ASSERT_TRUE(w.RunUntil([&] { return PoolState(w) == "Creating"; }, minutes(5)));
  auto claims = w.NodeClaims(kWs);
  ASSERT_EQ(claims.size(), 1u);
  const std::string leaked = api::Name(claims[0]);
  // The manager is down; a user strips the finalizer and deletes the NodeClaim.
  w.StopManager(0);
  ASSERT_TRUE(w.client().Patch(res::kNodeClaims, "", leaked, api::PatchType::kMerge,
                               R"({"metadata":{"finalizers":null}})").ok());
  ASSERT_TRUE(w.client().Delete(res::kNodeClaims, "", leaked).ok());
  w.StartManager(0);
  auto has_pool = [&](const std::string& name) {
    auto pools = w.aks().ListAgentPools();
    for (const Json& p : *pools) {
      if (GetString(p, "name") == name) return true;
    }
    return false;
  };
  ASSERT_TRUE(has_pool(leaked));
  EXPECT_TRUE(w.RunUntil([&] { return !has_pool(leaked); }, minutes(30))) << PoolsText(w);
  // The workspace got a fresh NodeClaim and still becomes ready, on exactly one pool.
  EXPECT_TRUE(w.RunUntil([&] { return w.CondStatus(kWs, "WorkspaceReady") == "True"; }, minutes(90)))
      << w.timeline().Render();
  EXPECT_EQ(w.PoolCount(), 1u);
}

TEST(FailurePathsTest, GpuCapacityLateDelaysReadinessButTheWorkspaceBecomesReady) {
  WorldOptions o = Seeded(15);
  o.cluster.kubelet.device_plugin_delay_min = minutes(5);
  o.cluster.kubelet.device_plugin_delay_max = minutes(5);
  World w(o);
  ASSERT_TRUE(w.ApplyYaml(Phi3()).ok());
  ASSERT_TRUE(w.RunUntil([&] { return !w.GpuNodes().empty(); }, minutes(30)));
  w.Run(minutes(2));
  EXPECT_NE(w.CondStatus(kWs, "ResourceReady"), "True");
  EXPECT_TRUE(w.RunUntil([&] { return w.CondStatus(kWs, "WorkspaceReady") == "True"; }, minutes(90)))
      << w.timeline().Render();
}

TEST(FailurePathsTest, GpuCapacityNeverKeepsResourceReadyFalse) {
  WorldOptions o = Seeded(16);
  o.cluster.kubelet.device_plugin_delay_min = std::chrono::hours(100);
  o.cluster.kubelet.device_plugin_delay_max = std::chrono::hours(100);
  World w(o);
  ASSERT_TRUE(w.ApplyYaml(Phi3()).ok());
  ASSERT_TRUE(w.RunUntil([&] { return !w.GpuNodes().empty(); }, minutes(30)));
  w.Run(minutes(20));
  auto c = w.Cond(kWs, "ResourceReady");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->status, "False") << w.timeline().Render();
  EXPECT_NE(w.CondStatus(kWs, "WorkspaceReady"), "True");
}

TEST(FailurePathsTest, WorkspaceDeletedMidProvisioningLeavesNothingBehind) {
  World w(Seeded(17));
  ASSERT_TRUE(w.ApplyYaml(Phi3()).ok());
  ASSERT_TRUE(w.RunUntil([&] { return PoolState(w) == "Creating"; }, minutes(5)));
  ASSERT_TRUE(w.DeleteWorkspace(kWs).ok());
  EXPECT_TRUE(w.RunUntil([&] { return Clean(w); }, minutes(30))) << w.timeline().Render();
  w.Run(minutes(15));  // nothing comes back (no late Node, no second pool)
  EXPECT_TRUE(Clean(w)) << w.timeline().Render();
}

TEST(FailurePathsTest, ModelTooBigForItsGpuIsReportedAsOomKilled) {
  World w(Seeded(18));
  // Phi-3 medium needs ~28 GiB; one V100 has 16. The webhook would refuse it, so the user
  // bypasses the check, as Kaito allows.
  const char* yaml = R"(apiVersion: kaito.sh/v1alpha1
kind: Workspace
metadata:
  name: workspace-phi-3-medium
  annotations:
    kaito.sh/bypass-resource-checks: "true"
resource:
  instanceType: Standard_NC6s_v3
  labelSelector:
    matchLabels:
      apps: phi-3-medium
inference:
  preset:
    name: phi-3-medium-4k-instruct
)";
  ASSERT_TRUE(w.ApplyYaml(yaml).ok()) << w.ApplyYaml(yaml).ToString();
  EXPECT_TRUE(w.RunUntil(
      [&] {
        auto c = w.Cond("workspace-phi-3-medium", "InferenceReady");
        return c && c->reason == "ContainerOOMKilled";
      },
      minutes(90)))
      << w.timeline().Render();
  EXPECT_NE(w.CondStatus("workspace-phi-3-medium", "WorkspaceReady"), "True");
}

TEST(FailurePathsTest, StandbyManagerTakesOverWithinTheLeaseAndFinishes) {
  WorldOptions o = Seeded(19);
  o.managers = 2;
  World w(o);
  ASSERT_TRUE(w.RunUntil([&] { return w.LeaderIndex() >= 0; }, minutes(1)));
  const int leader = w.LeaderIndex();
  const size_t standby = leader == 0 ? 1 : 0;
  EXPECT_FALSE(w.manager(standby).IsLeader());
  ASSERT_TRUE(w.ApplyYaml(Phi3()).ok());
  ASSERT_TRUE(w.RunUntil([&] { return PoolState(w) == "Creating"; }, minutes(5)));
  const Time stopped = w.env().Now();
  w.StopManager(static_cast<size_t>(leader));
  ASSERT_TRUE(w.RunUntil([&] { return w.LeaderIndex() == static_cast<int>(standby); }, minutes(1)));
  EXPECT_LE(w.env().Now() - stopped, seconds(15));
  EXPECT_TRUE(w.RunUntil([&] { return w.CondStatus(kWs, "WorkspaceReady") == "True"; }, minutes(90)))
      << w.timeline().Render();
  EXPECT_EQ(w.PoolCount(), 1u);
}

}  // namespace
}  // namespace kt::scenarios
