// Go's time.Duration.String() format, which Kubernetes components print in event messages
// ("Successfully pulled image \"x\" in 1m2.345s", "back-off 2m40s restarting failed
// container"): "500ms", "1.5s", "1m20s", "5m0s", "1h2m3s". Pure; thread-safe.
#ifndef KT_SIM_CLUSTER_GO_DURATION_H_
#define KT_SIM_CLUSTER_GO_DURATION_H_

#include <string>

#include "base/time.h"

namespace kt::sim::cluster {

// `d` is first truncated to milliseconds (as the kubelet does before printing).
std::string GoDuration(Duration d);

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_GO_DURATION_H_
