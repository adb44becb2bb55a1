// World: the deterministic in-process twin a scenario runs in. Under one SimEnv (virtual time,
// seeded randomness) it holds:
//   - the API server with the Kaito CRDs (deploy/crds), Kaito's webhook in its admission chain
//     (webhook_plugin.h) and Kaito's default ConfigMaps in the release namespace;
//   - the cluster twin (scheduler, workload controllers, kubelets, device plugin);
//   - the fake AKS (its defaults plus a scenario's YAML overlay), whose VMs become Nodes;
//   - N controller managers, each running the real Workspace controller and GPU provisioner
//     against the in-process clients (N > 1: leader election on one Lease), which can be
//     stopped and started again (a restart forgets everything, as a crashed process does);
//   - a Timeline (timeline.h) of what happened, in virtual time.
// A run is a pure function of (options, seed, build): digest() is the trace's SHA-256.
//
// Ownership: the World owns every part. Thread-safety: none; one thread drives the World.
// REQUIRES: the working directory is the source tree (deploy/crds), or options.crd_dir set.
#ifndef KT_SCENARIOS_WORLD_H_
#define KT_SCENARIOS_WORLD_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/object.h"
#include "base/json_fwd.h"
#include "base/sim_env.h"
#include "base/status.h"
#include "controllers/provisioner/options.h"
#include "controllers/runtime/manager.h"
#include "scenarios/timeline.h"
#include "sim/cluster/cluster.h"

namespace kt::sim {
class ApiServer;
class InProcessClient;
}  // namespace kt::sim
namespace kt::sim::cloud {
class FakeAks;
class InProcessAgentPoolClient;
}  // namespace kt::sim::cloud
namespace kt::workspace {
class WorkspaceController;
}  // namespace kt::workspace
namespace kt::controllers::provisioner {
class Provisioner;
}  // namespace kt::controllers::provisioner

namespace kt::scenarios {

inline constexpr char kReleaseNamespace[] = "kaito-workspace";
inline constexpr char kLeaseName[] = "kaito-controller-manager";

struct WorldOptions {
  uint64_t seed = 1;
  std::string cloud_overlay;          // YAML merged over sim/cloud's aks_defaults.yaml
  std::string crd_dir = "deploy/crds";
  Duration cache_lag{0};              // informer staleness of the managers (uniform [0, lag])
  int managers = 1;                   // > 1: leader election between them
  bool start_managers = true;
  controllers::provisioner::ProvisionerOptions provisioner;
  sim::cluster::ClusterOptions cluster;
  size_t timeline_entries_max = 10'000;
};

class World {
 public:
  // Builds and starts everything; KT_CHECKs on setup errors (a broken build, not a scenario
  // outcome). Prints nothing.
  explicit World(WorldOptions options = {});
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  SimEnv& env() { return env_; }
  sim::ApiServer& server() { return *server_; }
  sim::InProcessClient& client() { return *client_; }
  sim::cloud::FakeAks& aks() { return *aks_; }
  sim::cluster::Cluster& cluster() { return *cluster_; }
  Timeline& timeline() { return *timeline_; }
  uint64_t seed() const { return options_.seed; }
  std::string digest();

  // Controller managers (index < options.managers).
  void StartManager(size_t i);
  void StopManager(size_t i);  // graceful: releases the lease
  bool ManagerRunning(size_t i) const;
  ctrl::Manager& manager(size_t i);
  // Index of the running manager that leads, -1 when none.
  int LeaderIndex() const;
  // Reconciles done by every manager started so far.
  uint64_t reconciles() const;

  // Creates every document of a YAML text (namespace "default" when absent), as kubectl
  // create would; the first error stops and is returned (webhook denials included).
  Status ApplyYaml(std::string_view text);
  Status ApplyFile(const std::string& path);
  Result<Json> Create(const Json& object);
  Status DeleteWorkspace(const std::string& name, const std::string& ns = "default");

  void Run(Duration d) { env_.RunFor(d); }
  bool RunUntil(const std::function<bool()>& pred, Duration max) {
    return env_.RunUntil(pred, max);
  }

  std::optional<Json> Get(const api::GroupVersionResource& gvr, const std::string& ns,
                          const std::string& name);
  std::optional<Json> Workspace(const std::string& name, const std::string& ns = "default");
  // The condition's status ("True"/"False"/"Unknown"), "" when absent.
  std::string CondStatus(const std::string& ws, const std::string& type,
                         const std::string& ns = "default");
  std::optional<api::Condition> Cond(const std::string& ws, const std::string& type,
                                     const std::string& ns = "default");
  std::vector<Json> List(const api::GroupVersionResource& gvr, const std::string& ns,
                         const std::string& label_selector = "");
  std::vector<Json> NodeClaims(const std::string& ws, const std::string& ns = "default");
  std::vector<Json> GpuNodes();  // Nodes of Kaito's pools (label kaito.sh/workspace)
  size_t PoolCount();
  // The workspaces' `kubectl get workspace` table (v1alpha1 columns, AGE in virtual time).
  std::string WorkspaceTable(const std::vector<std::string>& names, const std::string& ns = "default");

 private:
  struct ManagerSlot;

  WorldOptions options_;
  SimEnv env_;
  std::unique_ptr<sim::ApiServer> server_;
  std::unique_ptr<sim::InProcessClient> client_;
  std::unique_ptr<sim::cluster::Cluster> cluster_;
  std::unique_ptr<sim::cloud::FakeAks> aks_;
  std::unique_ptr<sim::cloud::InProcessAgentPoolClient> cloud_;
  std::unique_ptr<Timeline> timeline_;
  std::vector<std::unique_ptr<ManagerSlot>> managers_;
  uint64_t reconciles_of_stopped_ = 0;
};

// "Age" as kubectl prints it (apimachinery's HumanDuration): 45s, 6m32s, 10m, 3h5m, 2d.
std::string HumanDuration(Duration d);

}  // namespace kt::scenarios

#endif  // KT_SCENARIOS_WORLD_H_
