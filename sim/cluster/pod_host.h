// PodHost: what a PodWorker needs from its node's kubelet - time and timers, the image store,
// events, pod IPs, the node's GPUs, randomness, and a way to say "my status changed" or "I am
// done, remove me". Kubelet implements it; tests can too.
//
// Thread-safety: under the ClusterLoop's lock, like everything in sim/cluster.
#ifndef KT_SIM_CLUSTER_POD_HOST_H_
#define KT_SIM_CLUSTER_POD_HOST_H_

#include <string>
#include <string_view>

#include "base/json_fwd.h"
#include "base/random.h"
#include "sim/cluster/cluster_loop.h"
#include "sim/cluster/image_catalog.h"
#include "sim/cluster/image_puller.h"
#include "sim/cluster/kubelet_options.h"

namespace kt::sim::cluster {

class PodHost {
 public:
  virtual ~PodHost() = default;
  virtual ClusterLoop& loop() = 0;
  virtual const KubeletOptions& options() const = 0;
  virtual const ImageCatalog& images() const = 0;
  virtual ImagePuller& puller() = 0;
  virtual Rng& rng() = 0;
  virtual const std::string& node_name() const = 0;
  virtual const std::string& host_ip() const = 0;
  // GPU memory of one of the node's GPUs, GiB (0 without GPUs); GPUs on the node.
  virtual double gpu_memory_gib_per_gpu() const = 0;
  virtual int gpu_count() const = 0;

  // A kubelet event about `pod` (dropped while the kubelet is down).
  virtual void Event(const Json& pod, std::string_view type, std::string_view reason,
                     std::string message, std::string_view field_path) = 0;
  virtual std::string AllocatePodIp() = 0;
  virtual void ReleasePodIp(const std::string& ip) = 0;
  // The pod's status changed: write it soon (coalesced).
  virtual void MarkDirty(const std::string& pod_key) = 0;
  // A decision worth replaying: recorded in the trace as {"k":"cluster.kubelet",...}.
  virtual void Trace(const std::string& pod_key, std::string_view what, const Json& fields) = 0;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_POD_HOST_H_
