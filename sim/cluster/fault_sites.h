// The cluster twin's fault points (Env::Buggify sites). Like the API server's, they fire only
// under SimEnv with faults enabled (each site switched on or off per seed, then firing with its
// probability); under RealEnv Buggify is always false, so they are inert. Every firing is
// recorded in the trace as {"k":"cluster.fault","site":...}.
#ifndef KT_SIM_CLUSTER_FAULT_SITES_H_
#define KT_SIM_CLUSTER_FAULT_SITES_H_

#include "base/fault_site.h"

namespace kt::sim::cluster::faults {

// A kubelet stops (no heartbeats, no pod updates) for a seeded time, asked at each lease renewal.
inline constexpr FaultSite kKubeletStop{"cluster.kubelet_stop", 0.02};
// An image pull fails (ErrImagePull, then ImagePullBackOff and a retry).
inline constexpr FaultSite kImagePullFail{"cluster.image_pull_fail", 0.2};
// One probe of a container fails although the app is healthy.
inline constexpr FaultSite kProbeFail{"cluster.probe_fail", 0.1};
// A running container crashes (exit code 1) at a seeded time.
inline constexpr FaultSite kContainerCrash{"cluster.container_crash", 0.1};
// The NVIDIA device plugin registers much later than usual.
inline constexpr FaultSite kDevicePluginLate{"cluster.device_plugin_late", 0.5};
// The NVIDIA device plugin never registers (the node never shows nvidia.com/gpu).
inline constexpr FaultSite kDevicePluginNever{"cluster.device_plugin_never", 0.2};
// A scheduler binding fails with a transient error and the pod is retried.
inline constexpr FaultSite kBindFail{"cluster.bind_fail", 0.05};

// How late "late" is: the usual delay times a factor drawn uniformly from [2, this].
inline constexpr double kDevicePluginLateFactorMax = 20.0;

}  // namespace kt::sim::cluster::faults

#endif  // KT_SIM_CLUSTER_FAULT_SITES_H_
