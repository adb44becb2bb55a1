// The cluster twin's fault points (Env::Buggify sites). Like the API server's, they fire only
// under SimEnv with faults enabled (each site switched on or off per seed, then firing with the
// probability below); under RealEnv Buggify is always false, so they are inert. Every firing is
// recorded in the trace as {"k":"cluster.fault","site":...}.
#ifndef KT_SIM_CLUSTER_FAULT_SITES_H_
#define KT_SIM_CLUSTER_FAULT_SITES_H_

namespace kt::sim::cluster::faults {

// A kubelet stops (no heartbeats, no pod updates) for a seeded time, asked at each lease renewal.
inline constexpr char kKubeletStop[] = "cluster.kubelet_stop";
// An image pull fails (ErrImagePull, then ImagePullBackOff and a retry).
inline constexpr char kImagePullFail[] = "cluster.image_pull_fail";
// One probe of a container fails although the app is healthy.
inline constexpr char kProbeFail[] = "cluster.probe_fail";
// A running container crashes (exit code 1) at a seeded time.
inline constexpr char kContainerCrash[] = "cluster.container_crash";
// The NVIDIA device plugin registers much later than usual.
inline constexpr char kDevicePluginLate[] = "cluster.device_plugin_late";
// The NVIDIA device plugin never registers (the node never shows nvidia.com/gpu).
inline constexpr char kDevicePluginNever[] = "cluster.device_plugin_never";
// A scheduler binding fails with a transient error and the pod is retried.
inline constexpr char kBindFail[] = "cluster.bind_fail";

inline constexpr double kKubeletStopProbability = 0.02;
inline constexpr double kImagePullFailProbability = 0.2;
inline constexpr double kProbeFailProbability = 0.1;
inline constexpr double kContainerCrashProbability = 0.1;
inline constexpr double kDevicePluginLateProbability = 0.5;
inline constexpr double kDevicePluginNeverProbability = 0.2;
inline constexpr double kBindFailProbability = 0.05;

// How late "late" is: the usual delay times a factor drawn uniformly from [2, this].
inline constexpr double kDevicePluginLateFactorMax = 20.0;

}  // namespace kt::sim::cluster::faults

#endif  // KT_SIM_CLUSTER_FAULT_SITES_H_
