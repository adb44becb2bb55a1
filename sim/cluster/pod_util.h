// Small reads of Pod objects shared by the scheduler, the controllers and the kubelet, with the
// meanings Kubernetes' controller helpers give them (podutil.IsPodReady, IsPodAvailable,
// IsPodTerminal, ...). Pure functions; thread-safe.
#ifndef KT_SIM_CLUSTER_POD_UTIL_H_
#define KT_SIM_CLUSTER_POD_UTIL_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/json_fwd.h"
#include "base/time.h"

namespace kt::sim::cluster {

std::string PodPhase(const Json& pod);       // status.phase ("" when unset)
std::string PodNodeName(const Json& pod);    // spec.nodeName
bool IsPodTerminal(const Json& pod);         // Succeeded or Failed
bool IsPodDeleting(const Json& pod);         // metadata.deletionTimestamp set
// Not terminal and not being deleted: what workload controllers count as a live replica.
bool IsPodActive(const Json& pod);
bool IsPodReady(const Json& pod);            // condition Ready=True
// Ready for at least `min_ready_seconds` at `now` (Ready's lastTransitionTime).
bool IsPodAvailable(const Json& pod, int64_t min_ready_seconds, Time now);
// When the Ready condition last turned True (nullopt when not ready).
std::optional<Time> PodReadySince(const Json& pod);
// The uid of the controller owner reference, "" when none.
std::string ControllerUid(const Json& obj);
// Sum of restartCount over the pod's containers (and init containers).
int64_t PodRestarts(const Json& pod);
int64_t PodPriority(const Json& pod);  // spec.priority, 0 when absent

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_POD_UTIL_H_
