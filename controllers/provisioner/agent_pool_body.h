// What the GPU provisioner asks AKS for: the ARM agent-pool body of one NodeClaim
// (gpu-provisioner's pkg/providers/instance newAgentPoolObject), and the rules a NodeClaim must
// meet to become an agent pool.
//
// Rules (each failure is an Invalid Status whose message names the NodeClaim and the rule):
//   - the agent pool is named after the NodeClaim, so the name must match
//     ^[a-z][a-z0-9]{0,11}$ (AKS's Linux pool-name rule);
//   - the NodeClaim carries kaito.sh/workspace or kaito.sh/ragengine (the provisioner only
//     serves Kaito's NodeClaims);
//   - the VM size is the first value of the node.kubernetes.io/instance-type requirement
//     (operator In);
//   - spec.resources.requests.storage is set and positive: OSDiskSizeGB = bytes >> 30;
//   - annotation kaito.sh/node-image-family, when present, is Ubuntu or AzureLinux (any case).
//
// Body: {"properties":{"type":"VirtualMachineScaleSets","count":1,
// "osType":"Linux","osSKU":"Ubuntu"|"AzureLinux","vmSize":..,"osDiskSizeGB":..,
// "nodeTaints":["key=value:Effect",..],"nodeLabels":{karpenter.sh/nodepool=kaito, every
// NodeClaim label, kaito.sh/machine-type=gpu|cpu, kaito.sh/creation-timestamp=<creation>}}}.
//
// Pure functions; thread-safe.
#ifndef KT_CONTROLLERS_PROVISIONER_AGENT_POOL_BODY_H_
#define KT_CONTROLLERS_PROVISIONER_AGENT_POOL_BODY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/json_fwd.h"
#include "base/status.h"
#include "base/time.h"

namespace kt::controllers::provisioner {

inline constexpr size_t kAgentPoolNameLengthMax = 12;

// True when `name` matches ^[a-z][a-z0-9]{0,11}$.
bool IsValidAgentPoolName(std::string_view name);
Status ValidateAgentPoolName(std::string_view nodeclaim_name);
// The NodeClaim carries kaito.sh/workspace or kaito.sh/ragengine.
Status ValidateKaitoOwner(const Json& nodeclaim);

// The VM size: first value of the instance-type requirement.
Result<std::string> InstanceTypeOf(const Json& nodeclaim);
// spec.resources.requests.storage >> 30.
Result<int64_t> OsDiskSizeGib(const Json& nodeclaim);
// "Ubuntu" or "AzureLinux" from kaito.sh/node-image-family.
Result<std::string> OsSkuOf(const Json& nodeclaim);
// "gpu" when the VM size contains "Standard_N", else "cpu".
std::string MachineTypeOf(std::string_view vm_size);

// "2006-01-02T15-04-05Z" (UTC, seconds): a valid label value.
std::string FormatCreationLabel(Time t);
Result<Time> ParseCreationLabel(std::string_view text);

// The whole body after every rule above.
Result<Json> AgentPoolBody(const Json& nodeclaim);

}  // namespace kt::controllers::provisioner

#endif  // KT_CONTROLLERS_PROVISIONER_AGENT_POOL_BODY_H_
