// Kubelet: the simulated kubelet of one node. It registers the Node (AKS's labels, taints,
// providerID and capacity from the VM; Ready=False "container runtime network not ready" until
// `node_ready_delay`, then Ready=True), creates and renews the node's Lease in kube-node-lease,
// reports node status (conditions with heartbeat times, capacity/allocatable, images,
// nodeInfo) when it changes and every `node_status_report_interval`, runs a PodWorker per pod
// bound to the node and writes their statuses (coalesced per loop turn, optimistic concurrency
// with a re-read on conflict), deletes pods with grace 0 once they terminated, and hosts the
// NVIDIA device plugin: `nvidia.com/gpu` appears in capacity/allocatable a seeded delay after
// Ready (faults cluster.device_plugin_late / cluster.device_plugin_never).
//
// A kubelet can be stopped (fault cluster.kubelet_stop, or Stop() in tests): it then writes
// nothing - no leases, no node or pod status, no events - and ignores pod changes; containers
// keep running under the runtime. Started again, it resyncs every pod bound to its node.
//
// Thread-safety: under the ClusterLoop's lock. Owned by the KubeletFleet.
#ifndef KT_SIM_CLUSTER_KUBELET_H_
#define KT_SIM_CLUSTER_KUBELET_H_

#include <map>
#include <memory>
#include <set>
#include <string>

#include "sim/apiserver/api_server.h"
#include "sim/cloud/vm_observer.h"
#include "sim/cluster/cluster_loop.h"
#include "sim/cluster/event_recorder.h"
#include "sim/cluster/image_catalog.h"
#include "sim/cluster/image_puller.h"
#include "sim/cluster/informer.h"
#include "sim/cluster/kubelet_options.h"
#include "sim/cluster/pod_host.h"
#include "sim/cluster/pod_worker.h"

namespace kt::sim::cluster {

// What all kubelets share (owned by the fleet).
struct KubeletShared {
  ClusterLoop& loop;
  ApiServer& server;
  Informer& pods;
  Informer& nodes;
  EventRecorder& events;
  const ImageCatalog& images;
  const KubeletOptions& options;
  Rng& rng;
};

class Kubelet final : public PodHost {
 public:
  Kubelet(KubeletShared& shared, const cloud::VmInfo& vm, int node_index);
  ~Kubelet() override;

  // Creates the Node (and Lease). Fails when the API write fails; call again to retry.
  Status Register();
  bool registered() const { return registered_; }

  // Pod changes routed by the fleet (pods bound to this node).
  void OnPod(const JsonPtr& pod);
  void OnPodDeleted(const JsonPtr& pod);

  // One heartbeat: renew the lease; report node status when due.
  void Heartbeat();

  // Stops the kubelet (nothing written until Start). `down_for` > 0: restarts by itself after.
  void StopKubelet(Duration down_for);
  void StartKubelet();
  bool up() const { return up_; }
  // The VM is gone: stop everything, write nothing more.
  void Shutdown();

  bool ready() const { return ready_; }
  bool gpus_published() const { return device_plugin_registered_; }
  size_t pod_count() const { return workers_.size(); }
  const cloud::VmInfo& vm() const { return vm_; }
  int node_index() const { return node_index_; }

  // PodHost
  ClusterLoop& loop() override { return shared_.loop; }
  const KubeletOptions& options() const override { return shared_.options; }
  const ImageCatalog& images() const override { return shared_.images; }
  ImagePuller& puller() override { return puller_; }
  Rng& rng() override { return shared_.rng; }
  const std::string& node_name() const override { return vm_.vm_name; }
  const std::string& host_ip() const override { return vm_.internal_ip; }
  double gpu_memory_gib_per_gpu() const override { return vm_.gpu_memory_gib_per_gpu; }
  int gpu_count() const override { return vm_.gpu_count; }
  void Event(const Json& pod, std::string_view type, std::string_view reason, std::string message,
             std::string_view field_path) override;
  std::string AllocatePodIp() override;
  void ReleasePodIp(const std::string& ip) override;
  void MarkDirty(const std::string& pod_key) override;
  void Trace(const std::string& pod_key, std::string_view what, const Json& fields) override;

 private:
  Json NodeStatus();
  Status WriteNodeStatus();
  void BecomeReady();
  void ScheduleDevicePlugin();
  Status RenewLease();
  void ScheduleFlush();
  void Flush();
  // Writes one pod's status; true when the worker can be forgotten (pod deleted).
  bool WritePod(const std::string& key);
  void Resync();
  JsonPtr NewestPod(const std::string& key) const;
  void TraceNode(std::string_view what, const Json& fields);
  void SetNodeCondition(const std::string& type, const std::string& status,
                        const std::string& reason, const std::string& message);

  KubeletShared& shared_;
  const cloud::VmInfo vm_;
  const int node_index_;
  EventSource source_;
  RequestContext ctx_;
  ImagePuller puller_;

  bool registered_ = false;
  bool up_ = true;
  bool shut_down_ = false;
  bool ready_ = false;
  bool device_plugin_registered_ = false;
  bool device_plugin_scheduled_ = false;
  JsonPtr node_;   // as last written or read
  JsonPtr lease_;  // as last written or read
  Time last_status_report_;
  struct NodeCond {
    std::string status, reason, message;
    Time since;
  };
  std::map<std::string, NodeCond> node_conditions_;

  std::map<std::string, std::unique_ptr<PodWorker>> workers_;  // by pod key
  std::map<std::string, JsonPtr> last_written_;               // pod as our last write left it
  std::set<std::string> dirty_;
  std::set<std::string> deleting_;  // final status written, delete pending
  ClusterLoop::TimerId flush_timer_ = ClusterLoop::kNoTimer;
  ClusterLoop::TimerId ready_timer_ = ClusterLoop::kNoTimer;
  ClusterLoop::TimerId device_plugin_timer_ = ClusterLoop::kNoTimer;
  ClusterLoop::TimerId restart_timer_ = ClusterLoop::kNoTimer;
  ClusterLoop::TimerId retry_timer_ = ClusterLoop::kNoTimer;

  std::string pod_cidr_prefix_;  // "10.244.7."
  std::set<int> free_ips_;
  int next_ip_ = 2;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_KUBELET_H_
