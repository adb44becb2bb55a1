// AgentPoolSpec: an ARM agent-pool PUT body, validated the way AKS validates it, and the
// agent-pool JSON the fake returns (id, name, type, properties with defaults filled in and the
// read-only fields AKS adds: provisioningState, powerState, nodeImageVersion,
// currentOrchestratorVersion).
//
// Validation failures are ARM errors (arm_errors.h): InvalidRequestContent for a body that is
// not an agent pool, InvalidParameter naming the field (pool name rules: lowercase letters and
// digits, starting with a letter, at most 12 characters for Linux and 6 for Windows), and
// AvailabilityZoneNotSupported. Pure functions; thread-safe.
#ifndef KT_SIM_CLOUD_AGENT_POOL_SPEC_H_
#define KT_SIM_CLOUD_AGENT_POOL_SPEC_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/json_fwd.h"
#include "base/status.h"
#include "sim/cloud/cloud_config.h"
#include "sim/cloud/sku_catalog.h"

namespace kt::sim::cloud {

struct NodeTaint {
  std::string key;
  std::string value;   // may be empty
  std::string effect;  // NoSchedule | PreferNoSchedule | NoExecute
};

struct AgentPoolSpec {
  std::string name;
  const SkuInfo* sku = nullptr;  // points into the catalog the spec was parsed against
  int count = 1;
  int os_disk_gib = 128;
  std::string os_type = "Linux";
  std::string os_sku = "Ubuntu";
  std::string mode = "User";       // System | User
  std::vector<std::string> zones;  // empty: regional (no zone)
  bool spot = false;
  int max_pods = 110;
  std::map<std::string, std::string> node_labels;
  std::vector<NodeTaint> node_taints;
  // The request's properties with defaults filled in (compact JSON); echoed back by GET.
  std::string properties_json;
};

// AKS's agent pool name rule: ^[a-z][a-z0-9]{0,11}$ (Linux), at most 6 characters for Windows.
Status ValidateAgentPoolName(std::string_view name, std::string_view os_type = "Linux");

// Parses "key=value:Effect" or "key:Effect".
Result<NodeTaint> ParseNodeTaint(std::string_view text);

// Validates and normalizes a PUT body ({"properties":{...}}) for pool `name`.
Result<AgentPoolSpec> ParseAgentPoolSpec(std::string_view name, const Json& body,
                                         const SkuCatalog& catalog, const CloudConfig& config);

// The agent pool as ARM returns it.
Json RenderAgentPool(const ClusterIdentity& cluster, const AgentPoolSpec& spec,
                     std::string_view provisioning_state);

// "/subscriptions/../managedClusters/<c>/agentPools/<name>" (AKS writes "resourcegroups").
std::string AgentPoolResourceId(const ClusterIdentity& cluster, std::string_view name);

}  // namespace kt::sim::cloud

#endif  // KT_SIM_CLOUD_AGENT_POOL_SPEC_H_
