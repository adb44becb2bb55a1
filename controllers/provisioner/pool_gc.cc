#include "controllers/provisioner/pool_gc.h"

#include <algorithm>

#include "api/object.h"
#include "base/json.h"
#include "base/log.h"
#include "base/trace.h"
#include "controllers/provisioner/agent_pool_body.h"
#include "controllers/provisioner/cloud_errors.h"
#include "controllers/provisioner/node_match.h"
#include "controllers/provisioner/nodeclaim_status.h"
#include "controllers/provisioner/well_known.h"

namespace kt::controllers::provisioner {
namespace {

const Json* NodeLabels(const Json& pool) {
  const Json* labels = FindPath(pool, "properties.nodeLabels");
  return labels != nullptr && labels->is_object() ? labels : nullptr;
}

}  // namespace

bool IsKaitoPool(const Json& pool) {
  const Json* labels = NodeLabels(pool);
  if (labels == nullptr || !labels->contains(std::string(kLabelNodePool))) return false;
  return labels->contains(std::string(kLabelWorkspace)) ||
         labels->contains(std::string(kLabelRagEngine));
}

std::vector<std::string> SelectLeakedPools(const std::vector<Json>& pools,
                                           const std::set<std::string>& nodeclaim_names, Time now,
                                           Duration grace) {
  std::vector<std::string> leaked;
  for (const Json& pool : pools) {
    if (!IsKaitoPool(pool)) continue;
    const std::string name = GetString(pool, "name");
    if (name.empty() || nodeclaim_names.count(name) > 0) continue;
    if (GetString(pool, "properties.provisioningState") == "Deleting") continue;
    const Json* labels = NodeLabels(pool);
    // Label keys contain dots: looked up directly, not as a JSON path.
    auto label = labels->find(std::string(kLabelCreationTimestamp));
    if (label == labels->end() || !label->is_string()) continue;
    auto created = ParseCreationLabel(label->get<std::string>());
    if (!created.ok() || now - *created < grace) continue;
    leaked.push_back(name);
  }
  std::sort(leaked.begin(), leaked.end());
  return leaked;
}

std::vector<std::string> SelectOrphanedNodeClaims(const std::vector<const Json*>& nodeclaims,
                                                  const std::set<std::string>& pool_names,
                                                  Time now, Duration grace) {
  std::vector<std::string> orphaned;
  for (const Json* nc : nodeclaims) {
    if (api::IsDeleting(*nc) || !ValidateKaitoOwner(*nc).ok()) continue;
    if (!IsTrue(*nc, kConditionLaunched)) continue;
    const std::string name = api::Name(*nc);
    if (pool_names.count(name) > 0) continue;
    auto launched = LastTransition(*nc, kConditionLaunched);
    if (!launched || now - *launched < grace) continue;
    orphaned.push_back(name);
  }
  std::sort(orphaned.begin(), orphaned.end());
  return orphaned;
}

PoolGarbageCollector::PoolGarbageCollector(Env& env, api::KubeClient& kube, ctrl::Cache& cache,
                                           api::AgentPoolClient& cloud, PoolGcOptions options)
    : env_(env), kube_(kube), cache_(cache), cloud_(cloud), options_(options) {}

PoolGarbageCollector::RunStats PoolGarbageCollector::RunOnce() {
  RunStats stats;
  auto pools = cloud_.List();
  if (!pools.ok()) {
    stats.error = pools.status().Annotate("listing agent pools");
    KT_LOG(WARNING) << "agent pool GC: " << stats.error.ToString();
    return stats;
  }
  stats.pools_listed = pools->size();
  auto claims = cache_.List(api::resources::kNodeClaims, "");
  if (!claims.ok()) {
    stats.error = claims.status().Annotate("listing nodeclaims");
    KT_LOG(WARNING) << "agent pool GC: " << stats.error.ToString();
    return stats;
  }
  std::set<std::string> claim_names;
  std::vector<const Json*> claim_objects;
  for (const auto& nc : *claims) {
    claim_names.insert(api::Name(*nc));
    claim_objects.push_back(nc.get());
  }
  std::set<std::string> pool_names;
  for (const Json& p : *pools) pool_names.insert(GetString(p, "name"));

  const Time now = env_.Now();
  auto leaked = SelectLeakedPools(*pools, claim_names, now, options_.grace);
  if (leaked.size() > static_cast<size_t>(options_.deletes_per_run_max)) {
    leaked.resize(options_.deletes_per_run_max);
  }
  for (const std::string& name : leaked) DeleteLeakedPool(name, stats);

  auto orphaned = SelectOrphanedNodeClaims(claim_objects, pool_names, now, options_.grace);
  if (orphaned.size() > static_cast<size_t>(options_.deletes_per_run_max)) {
    orphaned.resize(options_.deletes_per_run_max);
  }
  for (const std::string& name : orphaned) DeleteOrphanedNodeClaim(name, stats);
  return stats;
}

void PoolGarbageCollector::DeleteLeakedPool(const std::string& name, RunStats& stats) {
  // The cache may lag: only a NodeClaim the API server does not know is really gone.
  auto nc = kube_.Get(api::resources::kNodeClaims, "", name);
  if (nc.ok()) return;
  if (!nc.status().Is(StatusCode::kNotFound)) {
    KT_LOG(WARNING) << "agent pool GC: checking nodeclaim " << name << ": "
                    << nc.status().ToString();
    return;
  }
  auto op = cloud_.BeginDelete(name);
  if (!op.ok() && !IsPoolNotFound(op.status())) {
    KT_LOG(WARNING) << "agent pool GC: deleting leaked agent pool " << name << ": "
                    << op.status().ToString();
    return;
  }
  KT_LOG(INFO) << "agent pool GC: deleted leaked agent pool " << name
               << " (its NodeClaim does not exist)";
  env_.trace().Record(env_.Now(), "provisioner.gc", {{"pool", name}, {"action", "delete_leaked_pool"}});
  stats.pools_deleted.push_back(name);
  ++pools_deleted_total_;
  auto nodes = cache_.List(api::resources::kNodes, "", PoolNodeSelector(name));
  if (!nodes.ok()) return;
  for (const auto& node : *nodes) {
    const std::string node_name = api::Name(*node);
    auto r = kube_.Delete(api::resources::kNodes, "", node_name);
    if (r.ok() || r.status().Is(StatusCode::kNotFound)) {
      stats.nodes_deleted.push_back(node_name);
    } else {
      KT_LOG(WARNING) << "agent pool GC: deleting node " << node_name << ": "
                      << r.status().ToString();
    }
  }
}

void PoolGarbageCollector::DeleteOrphanedNodeClaim(const std::string& name, RunStats& stats) {
  auto pool = cloud_.Get(name);
  if (pool.ok() || !IsPoolNotFound(pool.status())) return;
  auto r = kube_.Delete(api::resources::kNodeClaims, "", name);
  if (!r.ok() && !r.status().Is(StatusCode::kNotFound)) {
    KT_LOG(WARNING) << "nodeclaim GC: deleting nodeclaim " << name << ": " << r.status().ToString();
    return;
  }
  KT_LOG(INFO) << "nodeclaim GC: deleted nodeclaim " << name << " (its agent pool is gone)";
  env_.trace().Record(env_.Now(), "provisioner.gc",
                      {{"nodeclaim", name}, {"action", "delete_orphaned_nodeclaim"}});
  stats.nodeclaims_deleted.push_back(name);
  ++nodeclaims_deleted_total_;
}

}  // namespace kt::controllers::provisioner
