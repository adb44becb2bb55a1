// A deterministic world for the provisioner's tests: SimEnv, the twin's in-process API server
// with the NodeClaim CRD (deploy/crds), the cluster twin (kubelets register Nodes for booted VMs,
// the device plugin publishes nvidia.com/gpu 15-45 s after Ready), the fake AKS (default
// provisioning delays, a YAML overlay for quota/availability/errors), and a Manager running the
// provisioner against the in-process AgentPoolClient. The provisioner can be stopped and started
// again (a restart loses its memory, as a crashed process does). Every world prints its seed.
#ifndef KT_TESTS_CONTROLLERS_PROVISIONER_PROVISIONER_WORLD_H_
#define KT_TESTS_CONTROLLERS_PROVISIONER_PROVISIONER_WORLD_H_

#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/object.h"
#include "base/json.h"
#include "base/sim_env.h"
#include "controllers/provisioner/setup.h"
#include "controllers/runtime/manager.h"
#include "sim/apiserver/api_server.h"
#include "sim/apiserver/in_process_client.h"
#include "sim/cloud/cloud_config.h"
#include "sim/cloud/fake_aks.h"
#include "sim/cloud/in_process_agent_pool_client.h"
#include "sim/cloud/sku_catalog.h"
#include "sim/cluster/cluster.h"
#include "tests/controllers/provisioner/provisioner_test_util.h"

namespace kt::controllers::provisioner::testing {

namespace res = api::resources;

// Counts the provisioner's calls into the cloud, by method.
class CountingAgentPoolClient final : public api::AgentPoolClient {
 public:
  CountingAgentPoolClient(Env& env, api::AgentPoolClient& inner) : env_(env), inner_(inner) {}
  Result<Json> Get(std::string_view name) override {
    ++gets;
    return inner_.Get(name);
  }
  Result<std::vector<Json>> List() override {
    ++lists;
    return inner_.List();
  }
  Result<api::LongRunningOperation> BeginCreateOrUpdate(std::string_view name,
                                                        const Json& pool) override {
    ++puts;
    put_times.push_back(env_.Now());
    return inner_.BeginCreateOrUpdate(name, pool);
  }
  Result<api::LongRunningOperation> BeginDelete(std::string_view name) override {
    ++deletes;
    return inner_.BeginDelete(name);
  }
  Result<api::OperationStatus> Poll(const api::LongRunningOperation& op) override {
    ++polls;
    return inner_.Poll(op);
  }
  int gets = 0, lists = 0, puts = 0, deletes = 0, polls = 0;
  std::vector<Time> put_times;

 private:
  Env& env_;
  api::AgentPoolClient& inner_;
};

struct WorldOptions {
  std::string cloud_overlay;  // YAML over sim/cloud's aks_defaults.yaml
  uint64_t seed = 1;
  Duration cache_lag{0};
  bool kubelets = true;  // false: VMs boot but no Node ever registers
  ProvisionerOptions provisioner;
};

class ProvisionerWorld {
 public:
  explicit ProvisionerWorld(WorldOptions o = {})
      : options_(std::move(o)),
        env_(SimEnv::Options{.seed = options_.seed}),
        server_(env_),
        client_(server_),
        cluster_(env_, server_),
        aks_(env_, Catalog(), Config(options_.cloud_overlay)),
        cloud_(aks_),
        counting_(env_, cloud_) {
    std::cout << "seed=" << options_.seed << "\n";
    Status crds = server_.LoadCrds("deploy/crds");
    KT_CHECK(crds.ok()) << crds.ToString();
    KT_CHECK(cluster_.Start().ok());
    if (options_.kubelets) aks_.AddObserver(&cluster_.vm_observer());
    StartProvisioner();
  }
  ~ProvisionerWorld() {
    StopProvisioner();
    if (options_.kubelets) aks_.RemoveObserver(&cluster_.vm_observer());
    cluster_.Stop();
  }

  // A fresh manager and provisioner (nothing remembered from an earlier one).
  void StartProvisioner() {
    KT_CHECK(mgr_ == nullptr);
    ctrl::ManagerOptions mo;
    mo.cache.lag_max = options_.cache_lag;
    mgr_ = std::make_unique<ctrl::Manager>(env_, client_, mo);
    auto p = Provisioner::Setup(*mgr_, counting_, options_.provisioner);
    KT_CHECK(p.ok()) << p.status().ToString();
    provisioner_ = std::move(p).value();
    Status s = mgr_->Start();
    KT_CHECK(s.ok()) << s.ToString();
  }
  // The process goes away: nothing of it runs afterwards.
  void StopProvisioner() {
    if (mgr_ == nullptr) return;
    mgr_->Stop();
    mgr_.reset();
    provisioner_.reset();
  }

  SimEnv& env() { return env_; }
  sim::InProcessClient& client() { return client_; }
  sim::cloud::FakeAks& aks() { return aks_; }
  sim::cluster::Cluster& cluster() { return cluster_; }
  Provisioner& provisioner() { return *provisioner_; }
  ctrl::Manager& manager() { return *mgr_; }

  bool RunUntil(const std::function<bool()>& pred, Duration max) {
    return env_.RunUntil(pred, max);
  }
  void Run(Duration d) { env_.RunFor(d); }

  Json Create(const Json& nodeclaim) {
    auto r = client_.Create(res::kNodeClaims, "", nodeclaim);
    KT_CHECK(r.ok()) << r.status().ToString();
    return *r;
  }
  std::optional<Json> Get(const api::GroupVersionResource& gvr, const std::string& name) {
    auto r = client_.Get(gvr, "", name);
    if (!r.ok()) return std::nullopt;
    return *r;
  }
  std::optional<Json> NodeClaim(const std::string& name) { return Get(res::kNodeClaims, name); }
  api::Condition Cond(const std::string& nodeclaim, const std::string& type) {
    auto nc = NodeClaim(nodeclaim);
    if (!nc) return {};
    return api::FindCondition(*nc, type).value_or(api::Condition{});
  }
  bool CondIs(const std::string& nodeclaim, const std::string& type, const std::string& status) {
    return Cond(nodeclaim, type).status == status;
  }
  void Delete(const std::string& nodeclaim) {
    auto r = client_.Delete(res::kNodeClaims, "", nodeclaim);
    KT_CHECK(r.ok()) << r.status().ToString();
  }
  // Strips every finalizer, as a user does to unstick a NodeClaim (the object then goes).
  void ForceRemove(const std::string& nodeclaim) {
    auto r = client_.Patch(res::kNodeClaims, "", nodeclaim, api::PatchType::kMerge,
                           R"({"metadata":{"finalizers":null}})");
    KT_CHECK(r.ok()) << r.status().ToString();
  }

  // What the cloud holds (read without going through ARM's budgets or faults).
  std::optional<std::string> PoolState(const std::string& name) {
    auto pools = aks_.ListAgentPools();  // kept alive for the loop
    KT_CHECK(pools.ok()) << pools.status().ToString();
    for (const auto& pool : *pools) {
      if (GetString(pool, "name") == name) return GetString(pool, "properties.provisioningState");
    }
    return std::nullopt;
  }
  size_t PoolCount() { return aks_.pool_count(); }
  std::vector<Json> Nodes(const std::string& selector = "") {
    api::ListOptions lo;
    lo.label_selector = selector;
    auto r = client_.List(res::kNodes, "", lo);
    KT_CHECK(r.ok()) << r.status().ToString();
    std::vector<Json> out;
    for (const Json& n : (*r)["items"]) out.push_back(n);
    return out;
  }
  std::vector<Json> Events(const std::string& reason) {
    auto r = client_.List(res::kEvents, "default");
    KT_CHECK(r.ok());
    std::vector<Json> out;
    for (const Json& e : (*r)["items"]) {
      if (GetString(e, "reason") == reason) out.push_back(e);
    }
    return out;
  }
  CountingAgentPoolClient& cloud() { return counting_; }

 private:
  static sim::cloud::SkuCatalog Catalog() {
    auto c = sim::cloud::SkuCatalog::LoadEmbedded();
    KT_CHECK(c.ok()) << c.status().ToString();
    return std::move(c).value();
  }
  static sim::cloud::CloudConfig Config(const std::string& overlay) {
    auto c = sim::cloud::CloudConfig::LoadDefaultsWithOverlay(overlay);
    KT_CHECK(c.ok()) << c.status().ToString();
    return std::move(c).value();
  }

  WorldOptions options_;
  SimEnv env_;
  sim::ApiServer server_;
  sim::InProcessClient client_;
  sim::cluster::Cluster cluster_;
  sim::cloud::FakeAks aks_;
  sim::cloud::InProcessAgentPoolClient cloud_;
  CountingAgentPoolClient counting_;
  std::unique_ptr<ctrl::Manager> mgr_;
  std::unique_ptr<Provisioner> provisioner_;
};

}  // namespace kt::controllers::provisioner::testing

#endif  // KT_TESTS_CONTROLLERS_PROVISIONER_PROVISIONER_WORLD_H_
