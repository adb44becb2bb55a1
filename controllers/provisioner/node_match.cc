#include "controllers/provisioner/node_match.h"

#include "api/object.h"
#include "api/quantity.h"
#include "base/json.h"
#include "controllers/kaito/sku_table.h"
#include "controllers/provisioner/agent_pool_body.h"
#include "controllers/provisioner/well_known.h"

namespace kt::controllers::provisioner {
namespace {

constexpr std::string_view kEphemeralTaintKeys[] = {
    "node.kubernetes.io/not-ready",
    "node.kubernetes.io/unreachable",
    "node.cloudprovider.kubernetes.io/uninitialized",
};

Json TaintsOf(const Json& obj, std::string_view path) {
  const Json* t = FindPath(obj, path);
  return t != nullptr && t->is_array() ? *t : Json::array();
}

bool HasTaint(const Json& taints, const Json& taint) {
  for (const Json& t : taints) {
    if (GetString(t, "key") == GetString(taint, "key") &&
        GetString(t, "effect") == GetString(taint, "effect")) {
      return true;
    }
  }
  return false;
}

std::string TaintString(const Json& t) {
  return GetString(t, "key") + "=" + GetString(t, "value") + ":" + GetString(t, "effect");
}

bool PositiveQuantity(const Json& resources, const std::string& name) {
  if (!resources.is_object()) return false;
  auto it = resources.find(name);
  if (it == resources.end()) return false;
  if (it->is_number_integer()) return it->get<int64_t>() > 0;
  if (!it->is_string()) return false;
  auto q = api::Quantity::Parse(it->get<std::string>());
  return q.ok() && q->milli() > 0;
}

}  // namespace

std::string PoolNodeSelector(std::string_view pool) {
  return std::string(kLabelAgentPool) + "=" + std::string(pool) + "," +
         std::string(kLabelAzureAgentPool) + "=" + std::string(pool);
}

const Json* FindJoinedNode(const std::vector<const Json*>& pool_nodes, std::string* why) {
  const Json* found = nullptr;
  int with_provider_id = 0;
  for (const Json* node : pool_nodes) {
    if (GetString(*node, "spec.providerID").empty()) continue;
    ++with_provider_id;
    found = node;
  }
  if (with_provider_id == 1) return found;
  if (why != nullptr) {
    if (pool_nodes.empty()) {
      *why = "no node has joined yet";
    } else if (with_provider_id == 0) {
      *why = std::to_string(pool_nodes.size()) + " node(s) without a providerID";
    } else {
      *why = std::to_string(with_provider_id) + " nodes with a providerID (expected 1)";
    }
  }
  return nullptr;
}

std::optional<std::string> NodeClaimNameOfNode(const Json& node) {
  if (!api::Label(node, kLabelNodePool)) return std::nullopt;
  if (auto pool = api::Label(node, kLabelAzureAgentPool)) return pool;
  return api::Label(node, kLabelAgentPool);
}

bool RegistrationSync::empty() const { return labels.empty() && !taints_changed; }

RegistrationSync ComputeRegistrationSync(const Json& node, const Json& nodeclaim) {
  RegistrationSync sync;
  api::Labels want = api::GetLabels(nodeclaim);
  want[std::string(kLabelRegistered)] = "true";
  const api::Labels have = api::GetLabels(node);
  for (const auto& [k, v] : want) {
    auto it = have.find(k);
    if (it == have.end() || it->second != v) sync.labels[k] = v;
  }
  Json taints = TaintsOf(node, "spec.taints");
  for (std::string_view path : {"spec.taints", "spec.startupTaints"}) {
    for (const Json& t : TaintsOf(nodeclaim, path)) {
      if (HasTaint(taints, t)) continue;
      Json copy = {{"key", GetString(t, "key")}, {"effect", GetString(t, "effect")}};
      if (!GetString(t, "value").empty()) copy["value"] = GetString(t, "value");
      taints.push_back(std::move(copy));
      sync.taints_changed = true;
    }
  }
  if (sync.taints_changed) {
    for (const Json& t : taints) sync.taints.push_back(t);
  }
  return sync;
}

bool IsNodeReady(const Json& node) {
  const Json* conds = FindPath(node, "status.conditions");
  if (conds == nullptr || !conds->is_array()) return false;
  for (const Json& c : *conds) {
    if (GetString(c, "type") == "Ready") return GetString(c, "status") == "True";
  }
  return false;
}

InitializationCheck CheckInitialization(const Json& node, const Json& nodeclaim,
                                        const std::vector<std::string>& required_resources) {
  InitializationCheck check;
  if (!IsNodeReady(node)) {
    check.reason = std::string(kReasonNodeNotReady);
    check.message = "Node status is NotReady";
    return check;
  }
  const Json node_taints = TaintsOf(node, "spec.taints");
  for (const Json& t : TaintsOf(nodeclaim, "spec.startupTaints")) {
    if (HasTaint(node_taints, t)) {
      check.reason = std::string(kReasonStartupTaintsExist);
      check.message = "StartupTaint \"" + TaintString(t) + "\" still exists";
      return check;
    }
  }
  for (const Json& t : node_taints) {
    for (std::string_view key : kEphemeralTaintKeys) {
      if (GetString(t, "key") == key) {
        check.reason = "KnownEphemeralTaintsExist";
        check.message = "KnownEphemeralTaint \"" + TaintString(t) + "\" still exists";
        return check;
      }
    }
  }
  const Json* allocatable = FindPath(node, "status.allocatable");
  for (const std::string& r : required_resources) {
    if (allocatable == nullptr || !PositiveQuantity(*allocatable, r)) {
      check.reason = std::string(kReasonResourcesNotRegistered);
      check.message = "Resource \"" + r + "\" was requested but not registered";
      return check;
    }
  }
  check.initialized = true;
  return check;
}

std::vector<std::string> RequiredResources(std::string_view vm_size, const kaito::SkuTable& skus) {
  if (const kaito::GpuSku* sku = skus.FindAny(vm_size)) {
    if (sku->gpu_count <= 0) return {};
    const bool amd = sku->gpu_model.rfind("AMD", 0) == 0;
    return {std::string(amd ? kResourceAmdGpu : kResourceNvidiaGpu)};
  }
  if (MachineTypeOf(vm_size) == "gpu") return {std::string(kResourceNvidiaGpu)};
  return {};
}

}  // namespace kt::controllers::provisioner
