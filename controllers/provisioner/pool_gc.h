// Garbage collection between the cloud and the cluster (gpu-provisioner's instance GC,
// PR #181, and Karpenter core's NodeClaim GC), run by one leader-only loop every 2 minutes:
//
//   Leaked agent pools: a pool with Kaito's labels (kaito.sh/workspace or kaito.sh/ragengine,
//     and karpenter.sh/nodepool) that is not Deleting, whose NodeClaim (same name) does not
//     exist, and whose kaito.sh/creation-timestamp label is at least `grace` (30 s) old is
//     deleted, and the Nodes of that pool too. This collects pools whose NodeClaim went away
//     while the create was running (deleted by hand with its finalizer stripped, or while the
//     provisioner was down). The cache says which NodeClaims exist; a direct GET confirms
//     NotFound before anything is deleted. Pools without a parseable creation label are left
//     alone (their age is unknown).
//   Orphaned NodeClaims: a NodeClaim Launched at least `grace` ago, not being deleted, whose
//     pool is gone from the cloud (deleted out of band: `az aks nodepool delete`) is deleted,
//     so its Workspace notices and asks again. A direct GET of the pool confirms NotFound.
//
// Every pass is bounded: at most deletes_per_run_max deletions of each kind. A pass that cannot
// list the pools or read the cache does nothing (logged) and the next pass tries again.
//
// Thread-safety: RunOnce from one thread at a time (the runnable's executor); the clients and
// cache it uses are thread-safe.
#ifndef KT_CONTROLLERS_PROVISIONER_POOL_GC_H_
#define KT_CONTROLLERS_PROVISIONER_POOL_GC_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "api/cloud_client.h"
#include "api/kube_client.h"
#include "base/env.h"
#include "base/json_fwd.h"
#include "controllers/runtime/cache.h"

namespace kt::controllers::provisioner {

struct PoolGcOptions {
  Duration grace = std::chrono::seconds(30);
  int deletes_per_run_max = 100;
};

// Names of leaked pools in ARM's list (see the header comment), sorted.
std::vector<std::string> SelectLeakedPools(const std::vector<Json>& pools,
                                           const std::set<std::string>& nodeclaim_names, Time now,
                                           Duration grace);
// Names of NodeClaims whose pool is missing from `pool_names`, sorted.
std::vector<std::string> SelectOrphanedNodeClaims(const std::vector<const Json*>& nodeclaims,
                                                  const std::set<std::string>& pool_names,
                                                  Time now, Duration grace);
// Kaito's pool: a workspace or RAG engine node label and karpenter.sh/nodepool.
bool IsKaitoPool(const Json& pool);

class PoolGarbageCollector {
 public:
  struct RunStats {
    Status error;  // why the pass did nothing / stopped early
    size_t pools_listed = 0;
    std::vector<std::string> pools_deleted;
    std::vector<std::string> nodes_deleted;
    std::vector<std::string> nodeclaims_deleted;
  };

  // Everything passed must outlive the collector.
  PoolGarbageCollector(Env& env, api::KubeClient& kube, ctrl::Cache& cache,
                       api::AgentPoolClient& cloud, PoolGcOptions options);

  RunStats RunOnce();
  // Totals over every pass (for tests and logs).
  uint64_t pools_deleted_total() const { return pools_deleted_total_; }
  uint64_t nodeclaims_deleted_total() const { return nodeclaims_deleted_total_; }

 private:
  void DeleteLeakedPool(const std::string& name, RunStats& stats);
  void DeleteOrphanedNodeClaim(const std::string& name, RunStats& stats);

  Env& env_;
  api::KubeClient& kube_;
  ctrl::Cache& cache_;
  api::AgentPoolClient& cloud_;
  PoolGcOptions options_;
  uint64_t pools_deleted_total_ = 0;      // RunOnce's thread only
  uint64_t nodeclaims_deleted_total_ = 0; // RunOnce's thread only
};

}  // namespace kt::controllers::provisioner

#endif  // KT_CONTROLLERS_PROVISIONER_POOL_GC_H_
