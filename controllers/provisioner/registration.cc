// NodeClaimReconciler, steps 3 and 4: registration and initialization of the Node (see
// nodeclaim_reconciler.h).
#include "api/object.h"
#include "base/json.h"
#include "base/trace.h"
#include "controllers/provisioner/agent_pool_body.h"
#include "controllers/provisioner/node_match.h"
#include "controllers/provisioner/nodeclaim_reconciler.h"
#include "controllers/provisioner/nodeclaim_status.h"
#include "controllers/provisioner/well_known.h"

namespace kt::controllers::provisioner {
namespace {

namespace res = api::resources;
constexpr std::string_view kLabelInitialized = "karpenter.sh/initialized";

}  // namespace

Result<ctrl::ObjectPtr> NodeClaimReconciler::NodeByProviderId(const std::string& provider_id) {
  if (provider_id.empty()) return ctrl::ObjectPtr();
  KT_ASSIGN_OR_RETURN(auto nodes,
                      mgr_.cache().ByIndex(res::kNodes, kProviderIdIndex, provider_id));
  if (nodes.empty()) return ctrl::ObjectPtr();
  return nodes.front();
}

ctrl::ObjectPtr NodeClaimReconciler::JoinedNodeOrExplain(Json& next, std::string_view condition,
                                                         ctrl::ReconcileResult& result) {
  auto node = NodeByProviderId(GetString(next, "status.providerID"));
  if (!node.ok()) {
    result = node.status();
    return nullptr;
  }
  if (*node == nullptr) {
    SetConditionUnknown(next, condition, kReasonNodeNotFound, "Node not registered with cluster",
                        mgr_.env().Now());
  }
  return *node;
}

bool NodeClaimReconciler::Register(const Json& current, Json& next,
                                   ctrl::ReconcileResult& result) {
  if (IsTrue(current, kConditionRegistered)) return true;
  const Time now = mgr_.env().Now();
  ctrl::ObjectPtr node = JoinedNodeOrExplain(next, kConditionRegistered, result);
  if (node == nullptr) return false;
  const Json& n = *node;
  RegistrationSync sync = ComputeRegistrationSync(n, next);
  if (sync.taints_changed) {
    // A whole-list change: written against the cached resourceVersion (409 -> retry).
    Json updated = n;
    Json taints = Json::array();
    for (const Json& t : sync.taints) taints.push_back(t);
    updated["spec"]["taints"] = std::move(taints);
    for (const auto& [k, v] : sync.labels) api::SetLabel(updated, k, v);
    auto r = mgr_.client().Update(res::kNodes, "", updated);
    if (!r.ok()) {
      result = r.status().Annotate("syncing nodeclaim taints to node " + api::Name(n));
      return false;
    }
  } else if (!sync.labels.empty()) {
    Json labels = Json::object();
    for (const auto& [k, v] : sync.labels) labels[k] = v;
    Json patch = {{"metadata", {{"labels", std::move(labels)}}}};
    auto r = mgr_.client().Patch(res::kNodes, "", api::Name(n), api::PatchType::kMerge,
                                 DumpJson(patch));
    if (!r.ok()) {
      result = r.status().Annotate("syncing nodeclaim labels to node " + api::Name(n));
      return false;
    }
  }
  next["status"]["nodeName"] = api::Name(n);
  SetConditionTrue(next, kConditionRegistered, now);
  mgr_.env().trace().Record(now, "provisioner.nodeclaim",
                            {{"nodeclaim", api::Name(current)},
                             {"action", "registered"},
                             {"node", api::Name(n)}});
  return true;
}

bool NodeClaimReconciler::Initialize(const Json& current, Json& next,
                                     ctrl::ReconcileResult& result) {
  if (IsTrue(current, kConditionInitialized)) return true;
  const Time now = mgr_.env().Now();
  ctrl::ObjectPtr node = JoinedNodeOrExplain(next, kConditionInitialized, result);
  if (node == nullptr) return false;
  const Json& n = *node;
  auto vm_size = InstanceTypeOf(current);
  const std::vector<std::string> required =
      vm_size.ok() ? RequiredResources(*vm_size, skus_) : std::vector<std::string>{};
  InitializationCheck check = CheckInitialization(n, next, required);
  if (!check.initialized) {
    SetConditionUnknown(next, kConditionInitialized, check.reason, check.message, now);
    return false;
  }
  if (api::Label(n, kLabelInitialized) != "true") {
    Json patch = {{"metadata", {{"labels", {{std::string(kLabelInitialized), "true"}}}}}};
    auto r = mgr_.client().Patch(res::kNodes, "", api::Name(n), api::PatchType::kMerge,
                                 DumpJson(patch));
    if (!r.ok()) {
      result = r.status().Annotate("labelling node " + api::Name(n) + " initialized");
      return false;
    }
  }
  for (const char* field : {"capacity", "allocatable"}) {
    const Json* v = FindPath(n, std::string("status.") + field);
    if (v != nullptr && v->is_object()) next["status"][field] = *v;
  }
  SetConditionTrue(next, kConditionInitialized, now);
  mgr_.env().trace().Record(now, "provisioner.nodeclaim",
                            {{"nodeclaim", api::Name(current)}, {"action", "initialized"}});
  return true;
}

}  // namespace kt::controllers::provisioner
