// How the provisioner reads the errors of the AKS agent-pool API (api/cloud_client.h: ARM's
// error code is Status::reason(), its message Status::message()).
//
// A create error is one of:
//   kCreateInProgress      409 OperationNotAllowed "Operation is not allowed because there's an
//                          in progress create node pool operation ..." - a create of this pool
//                          is already running (we sent it before a restart, or the reply was
//                          lost): gpu-provisioner PR #186 treats it as success and keeps waiting;
//   kInsufficientCapacity  SkuNotAvailable - the size is not offered here: Karpenter's
//                          InsufficientCapacityError, terminal (Kaito stops waiting on it);
//   kThrottled             429: retry after Retry-After;
//   kRetriable             everything else (QuotaExceeded - quota may be raised or freed -,
//                          AllocationFailed, 5xx, timeouts, other conflicts): retried with
//                          back-off while Launched=False carries the error.
//
// Pure functions; thread-safe.
#ifndef KT_CONTROLLERS_PROVISIONER_CLOUD_ERRORS_H_
#define KT_CONTROLLERS_PROVISIONER_CLOUD_ERRORS_H_

#include <string>
#include <string_view>

#include "base/status.h"

namespace kt::controllers::provisioner {

inline constexpr std::string_view kCreateInProgressText =
    "Operation is not allowed because there's an in progress create node pool operation";

enum class CreateErrorKind { kCreateInProgress, kInsufficientCapacity, kThrottled, kRetriable };
CreateErrorKind ClassifyCreateError(const Status& error);

// The agent pool does not exist (ARM NotFound / ResourceNotFound); a missing subscription or
// resource group is a configuration error, not a missing pool.
bool IsPoolNotFound(const Status& error);

// gpu-provisioner's wording, which Karpenter copies into Launched=False's message:
// `agentPool.BeginCreateOrUpdate for "<pool>" failed: <ARM message>`.
std::string CreateFailedMessage(std::string_view pool, const Status& error);
// For kInsufficientCapacity: "all requested instance types were unavailable during launch: "
// + CreateFailedMessage(...).
std::string InsufficientCapacityMessage(std::string_view pool, const Status& error);
// The ARM code of an error ("QuotaExceeded"); the Kubernetes-style reason when ARM gave none.
std::string ArmCodeOf(const Status& error);

}  // namespace kt::controllers::provisioner

#endif  // KT_CONTROLLERS_PROVISIONER_CLOUD_ERRORS_H_
