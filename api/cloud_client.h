// AgentPoolClient: the Azure Resource Manager agent-pool API of one AKS managed cluster, as
// the GPU provisioner uses it (Microsoft.ContainerService/managedClusters/agentPools).
//
// Agent pools are ARM JSON documents: {"name":..,"properties":{"vmSize":..,"count":1,
// "osDiskSizeGB":..,"osType":"Linux","osSKU":"Ubuntu","mode":"User","type":
// "VirtualMachineScaleSets","nodeLabels":{..},"nodeTaints":["k=v:NoSchedule"],
// "provisioningState":"Creating|Succeeded|Failed|Deleting", ...}}.
//
// Writes are long-running operations: Begin* returns an operation to poll (the
// Azure-AsyncOperation URL on the wire) until it is Succeeded, Failed or Canceled. Errors are
// Status values whose reason() is ARM's error code ("QuotaExceeded", "SkuNotAvailable",
// "AllocationFailed", "ZonalAllocationFailed", "OperationNotAllowed", "NotFound",
// "TooManyRequests" with retry_after_seconds, ...) and whose message is ARM's message.
//
// Implementations: the in-process fake AKS (sim/cloud) and the HTTP ARM client
// (controllers/provisioner), which talks to the fake's HTTP endpoint or to Azure.
// Thread-safety: safe from several threads.
#ifndef KT_API_CLOUD_CLIENT_H_
#define KT_API_CLOUD_CLIENT_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace kt::api {

struct LongRunningOperation {
  // Opaque; on the wire the Azure-AsyncOperation URL. Empty when the operation already
  // completed (ARM answers a DELETE of a missing pool with 204): Poll returns kSucceeded.
  std::string id;
  std::string resource_name;
};

struct OperationStatus {
  enum class State { kInProgress, kSucceeded, kFailed, kCanceled };
  State state = State::kInProgress;
  Status error;  // for kFailed: ARM error code as reason(), message as message()
  // Suggested wait before the next poll (ARM's Retry-After), seconds.
  int retry_after_seconds = 0;
};

class AgentPoolClient {
 public:
  virtual ~AgentPoolClient() = default;

  virtual Result<Json> Get(std::string_view name) = 0;
  virtual Result<std::vector<Json>> List() = 0;
  // `agent_pool` is the ARM body ({"properties":{...}}).
  virtual Result<LongRunningOperation> BeginCreateOrUpdate(std::string_view name,
                                                           const Json& agent_pool) = 0;
  virtual Result<LongRunningOperation> BeginDelete(std::string_view name) = 0;
  virtual Result<OperationStatus> Poll(const LongRunningOperation& op) = 0;
};

}  // namespace kt::api

#endif  // KT_API_CLOUD_CLIENT_H_
