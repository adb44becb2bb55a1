// NodeRegistrar, the stand-in kubelet: a booted VM becomes a Ready Node with AKS's labels,
// taints, providerID, capacity (without nvidia.com/gpu) and a complete nodeInfo; deleted and
// evicted VMs lose their Node; failed writes are retried with back-off, give up after
// attempts_max, and never resurrect a Node whose VM went away meanwhile.
#include "sim/cloud/node_registrar.h"

#include <gtest/gtest.h>

#include "api/object.h"
#include "base/json.h"
#include "cloud_test_util.h"
#include "fake_kube_client.h"

namespace kt::sim::cloud {
namespace {

using testing::FakeKubeClient;
using testing::PoolBody;
using testing::World;

const api::GroupVersionResource& kNodes = api::resources::kNodes;

struct RegistrarTest : ::testing::Test {
  RegistrarTest() : w("timing: {delay_scale: 0}"), registrar(w.env, kube) {
    w.aks.AddObserver(&registrar);
  }
  ~RegistrarTest() override { w.aks.RemoveObserver(&registrar); }
  std::string CreatePool(std::string_view name, Json body) {
    auto put = w.aks.PutAgentPool(name, body);
    KT_CHECK(put.ok()) << put.status().ToString();
    w.RunUntilDone(put->operation_id);
    return put->operation_id;
  }
  World w;
  FakeKubeClient kube;
  NodeRegistrar registrar;
};

TEST_F(RegistrarTest, BootedVmBecomesAReadyNodeWithAksLabelsAndNoGpuCapacity) {
  CreatePool("gpu1", PoolBody("Standard_NC24ads_A100_v4"));
  ASSERT_EQ(kube.size(), 1u);
  const VmInfo vm = w.aks.Vms()[0];
  const Json* node = kube.Find(kNodes, "", vm.vm_name);
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(api::Label(*node, "agentpool"), "gpu1");
  EXPECT_EQ(api::Label(*node, "kubernetes.azure.com/agentpool"), "gpu1");
  EXPECT_EQ(api::Label(*node, "node.kubernetes.io/instance-type"), "Standard_NC24ads_A100_v4");
  EXPECT_EQ(api::Label(*node, "kaito.sh/workspace"), "ws1");
  EXPECT_EQ(GetString(*node, "spec.providerID"), vm.provider_id);
  EXPECT_EQ((*node)["spec"]["taints"][0],
            (Json{{"key", "sku"}, {"value", "gpu"}, {"effect", "NoSchedule"}}));
  EXPECT_TRUE(api::IsConditionTrue(*node, "Ready"));
  EXPECT_EQ(GetString(*node, "status.capacity.cpu"), "24");
  EXPECT_FALSE((*node)["status"]["capacity"].contains("nvidia.com/gpu"));
  EXPECT_FALSE((*node)["status"]["allocatable"].contains("nvidia.com/gpu"));
  for (const char* f :
       {"architecture", "bootID", "containerRuntimeVersion", "kernelVersion", "kubeProxyVersion",
        "kubeletVersion", "machineID", "operatingSystem", "osImage", "systemUUID"}) {
    EXPECT_FALSE(GetString((*node)["status"]["nodeInfo"], f).empty()) << f;
  }
  EXPECT_EQ((*node)["status"]["addresses"][0]["type"], "InternalIP");
  EXPECT_EQ((*node)["status"]["addresses"][1]["address"], vm.vm_name);
  EXPECT_EQ(GetString(*node, "status.nodeInfo.kubeletVersion"), "v1.30.6");
}

TEST_F(RegistrarTest, NodeExistsWhenTheCreateOperationSucceeds) {
  auto put = w.aks.PutAgentPool("gpu1", PoolBody("Standard_NC24ads_A100_v4", 2));
  ASSERT_TRUE(put.ok());
  w.env.RunUntil(
      [&] { return w.aks.GetOperation(put->operation_id)->state == OperationState::kSucceeded; },
      std::chrono::hours(1));
  EXPECT_EQ(kube.size(), 2u);
}

TEST_F(RegistrarTest, DeletingThePoolDeletesItsNodes) {
  CreatePool("gpu1", PoolBody("Standard_NC24ads_A100_v4", 2));
  ASSERT_EQ(kube.size(), 2u);
  auto del = w.aks.DeleteAgentPool("gpu1");
  ASSERT_TRUE(del.ok());
  w.RunUntilDone(del->operation_id);
  EXPECT_EQ(kube.size(), 0u);
}

TEST_F(RegistrarTest, EvictedSpotVmLosesItsNode) {
  Json spot = PoolBody("Standard_NC24ads_A100_v4");
  spot["properties"]["scaleSetPriority"] = "Spot";
  CreatePool("spot1", spot);
  const std::string name = w.aks.Vms()[0].vm_name;
  const Json* node = kube.Find(kNodes, "", name);
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(api::Label(*node, "kubernetes.azure.com/scalesetpriority"), "spot");
  ASSERT_TRUE(w.aks.EvictSpotVm(name).ok());
  EXPECT_EQ(kube.Find(kNodes, "", name), nullptr);
}

TEST_F(RegistrarTest, StatusIsWrittenSeparatelyWhenTheServerDropsItOnCreate) {
  kube.drop_status_on_create = true;
  CreatePool("gpu1", PoolBody("Standard_NC24ads_A100_v4"));
  const Json* node = kube.Find(kNodes, "", w.aks.Vms()[0].vm_name);
  ASSERT_NE(node, nullptr);
  EXPECT_TRUE(api::IsConditionTrue(*node, "Ready"));
}

TEST_F(RegistrarTest, FailedWritesAreRetriedWithBackoff) {
  kube.failures = {Unavailable("apiserver down"), Unavailable("apiserver down")};
  auto put = w.aks.PutAgentPool("gpu1", PoolBody("Standard_NC24ads_A100_v4"));
  ASSERT_TRUE(put.ok());
  w.env.RunUntil([&] { return kube.size() == 1; }, std::chrono::minutes(10));
  EXPECT_EQ(kube.size(), 1u);
  EXPECT_EQ(registrar.retries_pending(), 0u);
  // Two failed attempts: back-off 1 s then 2 s.
  EXPECT_EQ(w.env.Now() - FromUnixSeconds(1767225600), std::chrono::seconds(3));
}

TEST_F(RegistrarTest, GivesUpAfterAttemptsMax) {
  for (int i = 0; i < 20; ++i) kube.failures.push_back(Unavailable("apiserver down"));
  auto put = w.aks.PutAgentPool("gpu1", PoolBody("Standard_NC24ads_A100_v4"));
  ASSERT_TRUE(put.ok());
  w.env.RunFor(std::chrono::hours(1));
  EXPECT_EQ(registrar.failures(), 1u);
  EXPECT_EQ(registrar.retries_pending(), 0u);
  EXPECT_EQ(kube.size(), 0u);
}

TEST_F(RegistrarTest, APendingCreateRetryNeverResurrectsADeletedVmsNode) {
  kube.failures = {Unavailable("apiserver down")};
  auto put = w.aks.PutAgentPool("gpu1", PoolBody("Standard_NC24ads_A100_v4"));
  ASSERT_TRUE(put.ok());
  w.env.RunUntil([&] { return registrar.retries_pending() == 1; }, std::chrono::seconds(1));
  ASSERT_TRUE(w.aks.DeleteAgentPool("gpu1").ok());
  w.env.RunFor(std::chrono::hours(1));
  EXPECT_EQ(kube.size(), 0u);
  EXPECT_EQ(registrar.retries_pending(), 0u);
}

}  // namespace
}  // namespace kt::sim::cloud
