// Resources: the quantities the scheduler and the kubelet account - cpu (millicores), memory,
// ephemeral-storage (bytes), nvidia.com/gpu, pod count, and any other extended resource - read
// from pod specs and node status the way kube-scheduler's NodeResourcesFit does:
//   a pod's request = max(sum over containers, max over init containers) + spec.overhead,
//   where a container's request of a resource is requests[r], else limits[r] (API defaulting
//   copies limits to missing requests).
// Unparseable quantities count as zero (the API server validated them on write).
// Pure functions and values; thread-safe.
#ifndef KT_SIM_CLUSTER_RESOURCES_H_
#define KT_SIM_CLUSTER_RESOURCES_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/json_fwd.h"

namespace kt::sim::cluster {

inline constexpr char kGpuResource[] = "nvidia.com/gpu";

struct ResourceVec {
  int64_t cpu_milli = 0;
  int64_t memory = 0;     // bytes
  int64_t ephemeral = 0;  // bytes
  int64_t gpu = 0;        // nvidia.com/gpu devices
  int64_t pods = 0;
  std::map<std::string, int64_t, std::less<>> other;  // other extended resources (milli-units)

  ResourceVec& operator+=(const ResourceVec& o);
  ResourceVec& operator-=(const ResourceVec& o);
  bool empty() const;
};

// The pod's effective request (pods = 1).
ResourceVec PodRequests(const Json& pod);
// A container's request of each resource (requests, else limits).
ResourceVec ContainerRequests(const Json& container);
// status.allocatable (or status.capacity when allocatable is absent).
ResourceVec NodeAllocatable(const Json& node);

// Parses a quantity as milli-units; 0 on error.
int64_t QuantityMilli(const Json& q);

// The name a resource has in messages ("cpu", "memory", "ephemeral-storage",
// "nvidia.com/gpu", ...), and its amount in `v` in the unit the scheduler compares.
struct ResourceAmount {
  std::string name;
  int64_t requested;  // of the pod
};
// Non-zero requests of the pod in the order NodeResourcesFit checks them: cpu, memory,
// ephemeral-storage, then scalar resources sorted by name.
std::vector<ResourceAmount> RequestedResources(const ResourceVec& pod);
// The amount of `name` in `v` (same units as RequestedResources).
int64_t AmountOf(const ResourceVec& v, std::string_view name);

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_RESOURCES_H_
