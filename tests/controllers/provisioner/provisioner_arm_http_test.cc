// The provisioner as it ships: the real ARM client over HTTP, with a bearer token, against the
// fake AKS's ARM endpoint on loopback, under RealEnv (sped up 100x, VM delays off), with the
// in-process API server and NodeRegistrar standing in for the kubelet. One happy path: a
// NodeClaim for a CPU size becomes an agent pool, its Node joins, the NodeClaim turns Ready;
// deleting it removes the pool, the Node and the NodeClaim. Waiting follows API watch events
// (a 60 s wall-clock guard against hangs, not a timing assertion).
#include <gtest/gtest.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

#include "api/object.h"
#include "base/json.h"
#include "base/real_env.h"
#include "controllers/provisioner/arm_agent_pool_client.h"
#include "controllers/provisioner/setup.h"
#include "controllers/runtime/manager.h"
#include "sim/apiserver/api_server.h"
#include "sim/apiserver/in_process_client.h"
#include "sim/cloud/arm_endpoint.h"
#include "sim/cloud/cloud_config.h"
#include "sim/cloud/fake_aks.h"
#include "sim/cloud/node_registrar.h"
#include "sim/cloud/sku_catalog.h"
#include "tests/controllers/provisioner/provisioner_test_util.h"

namespace kt::controllers::provisioner {
namespace {

namespace res = api::resources;
constexpr const char* kToken = "provisioner-test-token";
constexpr const char* kName = "cpu1a2b3c";

TEST(ProvisionerArmHttpTest, NodeClaimReachesReadyAndIsDeletedThroughTheArmHttpClient) {
  RealEnv env(RealEnv::Options{.seed = 7, .speed = 100});
  sim::ApiServer server(env);
  sim::InProcessClient client(server);
  ASSERT_TRUE(server.LoadCrds("deploy/crds").ok());

  auto catalog = sim::cloud::SkuCatalog::LoadEmbedded();
  auto config = sim::cloud::CloudConfig::LoadDefaultsWithOverlay("timing: {delay_scale: 0}");
  ASSERT_TRUE(catalog.ok() && config.ok());
  auto aks = std::make_unique<sim::cloud::FakeAks>(env, std::move(catalog).value(),
                                                   std::move(config).value());
  auto registrar = std::make_unique<sim::cloud::NodeRegistrar>(env, client);
  aks->AddObserver(registrar.get());
  sim::cloud::ArmEndpointOptions eo;
  eo.handler.bearer_token = kToken;
  auto endpoint = std::make_unique<sim::cloud::ArmEndpoint>(env, *aks, eo);
  ASSERT_TRUE(endpoint->Start().ok());
  env.RunInBackground(2);

  ArmAgentPoolClientOptions ao;
  ao.endpoint = endpoint->base_url();
  ao.subscription_id = aks->cluster().subscription_id;
  ao.resource_group = aks->cluster().resource_group;
  ao.cluster_name = aks->cluster().name;
  auto arm = ArmAgentPoolClient::Create(ao, std::make_shared<StaticTokenProvider>(kToken));
  ASSERT_TRUE(arm.ok()) << arm.status().ToString();

  // Wake the test on every NodeClaim change.
  std::mutex mu;
  std::condition_variable cv;
  auto watch = client.StartWatch(
      res::kNodeClaims, "", {},
      [&](const api::WatchEvent&) {
        std::lock_guard<std::mutex> lock(mu);
        cv.notify_all();
      },
      [](Status) {});
  ASSERT_TRUE(watch.ok());
  auto wait_for = [&](const std::function<bool()>& pred) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(60), [&] {
      lock.unlock();
      bool done = pred();
      lock.lock();
      return done;
    });
  };
  auto cond = [&](const std::string& type) {
    auto nc = client.Get(res::kNodeClaims, "", kName);
    if (!nc.ok()) return std::string("gone");
    auto c = api::FindCondition(*nc, type);
    return c ? c->status : std::string();
  };

  auto mgr = std::make_unique<ctrl::Manager>(env, client, ctrl::ManagerOptions{});
  auto provisioner = Provisioner::Setup(*mgr, **arm);
  ASSERT_TRUE(provisioner.ok()) << provisioner.status().ToString();
  ASSERT_TRUE(mgr->Start().ok());

  ASSERT_TRUE(client.Create(res::kNodeClaims, "",
                            testing::NodeClaim(kName, "Standard_D4s_v3", "128Gi"))
                  .ok());
  EXPECT_TRUE(wait_for([&] { return cond("Ready") == "True"; })) << "Ready: " << cond("Ready");
  auto pool = (*arm)->Get(kName);
  ASSERT_TRUE(pool.ok()) << pool.status().ToString();
  EXPECT_EQ((*pool)["properties"]["vmSize"], "Standard_D4s_v3");
  EXPECT_EQ((*pool)["properties"]["osDiskSizeGB"], 128);
  EXPECT_EQ((*pool)["properties"]["nodeLabels"]["kaito.sh/machine-type"], "cpu");
  auto nc = client.Get(res::kNodeClaims, "", kName);
  ASSERT_TRUE(nc.ok());
  const std::string node = GetString(*nc, "status.nodeName");
  EXPECT_TRUE(client.Get(res::kNodes, "", node).ok()) << node;

  ASSERT_TRUE(client.Delete(res::kNodeClaims, "", kName).ok());
  EXPECT_TRUE(wait_for([&] { return cond("Ready") == "gone"; }));
  auto gone = (*arm)->Get(kName);
  EXPECT_TRUE(!gone.ok() && gone.status().Is(StatusCode::kNotFound));
  EXPECT_FALSE(client.Get(res::kNodes, "", node).ok());

  mgr->Stop();
  (*watch)->Stop();
  endpoint->Stop();
  env.Stop();
  env.Join();
  mgr.reset();
  provisioner->reset();
  aks->RemoveObserver(registrar.get());
  endpoint.reset();
  aks.reset();
  registrar.reset();
}

}  // namespace
}  // namespace kt::controllers::provisioner
