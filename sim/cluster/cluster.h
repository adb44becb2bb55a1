// Cluster: the rest of a Kubernetes cluster around the in-memory API server - what
// kube-scheduler, kube-controller-manager, the kubelets and the NVIDIA device plugin do - run in
// process on the Env's loop (deterministic under SimEnv, optionally sped up under RealEnv):
//   Scheduler, ReplicaSet/Deployment/StatefulSet/Job controllers, EndpointSlice/Endpoints,
//   node lifecycle (NotReady, taints), taint-based eviction, pod GC, a kubelet per node
//   (KubeletFleet, the VmObserver the fake AKS reports VMs to), the device plugin, events, and
//   the defaulting/DefaultTolerationSeconds admission the workload kinds need.
// Components share one informer per resource, as kube-controller-manager shares informers.
//
// Usage:
//   sim::ApiServer server(env);
//   cluster::Cluster cluster(env, server);            // or with ClusterOptions
//   KT_CHECK(cluster.Start().ok());
//   aks.AddObserver(&cluster.vm_observer());          // VMs become Nodes with kubelets
//   ... env.RunUntil(...)
// Every decision worth replaying is traced (kinds "cluster.*"); see docs/cluster.md.
//
// Thread-safety: public methods may be called from any thread (they take the ClusterLoop's
// lock). REQUIRES: `server` outlives the Cluster; under RealEnv, Stop() (or destroy) the
// Cluster before the Env's loop stops running callbacks... and never while holding its lock.
#ifndef KT_SIM_CLUSTER_CLUSTER_H_
#define KT_SIM_CLUSTER_CLUSTER_H_

#include <memory>
#include <string>

#include "base/env.h"
#include "sim/apiserver/api_server.h"
#include "sim/cloud/vm_observer.h"
#include "sim/cluster/cluster_loop.h"
#include "sim/cluster/event_recorder.h"
#include "sim/cluster/image_catalog.h"
#include "sim/cluster/informer.h"
#include "sim/cluster/kubelet_options.h"
#include "sim/cluster/node_lifecycle_controller.h"
#include "sim/cluster/pod_gc_controller.h"
#include "sim/cluster/scheduler.h"

namespace kt::sim::cluster {

class KubeletFleet;
class ReplicaSetController;
class DeploymentController;
class StatefulSetController;
class JobController;
class EndpointsController;
class TaintEvictionController;
class DefaultsAdmission;

struct ClusterOptions {
  SchedulerOptions scheduler;
  KubeletOptions kubelet;
  NodeLifecycleOptions node_lifecycle;
  PodGcOptions pod_gc;
  EventRecorder::Options events;
  // Register DefaultsAdmission (pod/workload defaults, DefaultTolerationSeconds) with the API
  // server. Turn off only when another layer defaults (or in micro-benchmarks).
  bool admission_defaults = true;
  int64_t default_toleration_seconds = 300;
  // Which parts run (all by default); a test of one part can switch others off.
  bool run_scheduler = true;
  bool run_controllers = true;     // workload + endpoints controllers
  bool run_node_lifecycle = true;  // node lifecycle, taint eviction, pod GC
  int replicaset_burst = 500;
  int max_endpoints_per_slice = 100;
  // Image catalog: empty = the compiled-in data/images.yaml.
  std::string image_catalog_file;
};

class Cluster {
 public:
  Cluster(Env& env, ApiServer& server, ClusterOptions options = {});
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Loads the image catalog, registers admission, starts informers and controllers.
  Status Start();
  // Stops every component; no callback of the cluster runs afterwards. Idempotent.
  void Stop();

  // The observer to register with the fake AKS (FakeAks::AddObserver).
  cloud::VmObserver& vm_observer();
  // A node with a kubelet, without the fake AKS (tests, benchmarks).
  Status AddNode(const cloud::VmInfo& vm);
  // Fault hooks: a kubelet that stops posting (down_for 0: until StartKubelet).
  Status StopKubelet(const std::string& node, Duration down_for = Duration(0));
  Status StartKubelet(const std::string& node);

  ClusterLoop& loop() { return *loop_; }
  Scheduler& scheduler() { return *scheduler_; }
  KubeletFleet& kubelets() { return *fleet_; }
  EventRecorder& events() { return *events_; }
  const ImageCatalog& images() const { return images_; }
  Informer& pods() { return *pods_; }
  Informer& nodes() { return *nodes_; }
  const ClusterOptions& options() const { return options_; }

  // A VmInfo for a node of `sku_like` shape, for tests and benchmarks: cpu (cores), memory
  // (GiB), GPUs of gpu_memory_gib each, max pods; labels as AKS would set them.
  static cloud::VmInfo TestVm(const std::string& name, int cpu, int memory_gib, int gpus = 0,
                              int gpu_memory_gib = 0, int max_pods = 110,
                              const std::string& pool = "nodepool1");

 private:
  Env& env_;
  ApiServer& server_;
  const ClusterOptions options_;
  ImageCatalog images_;
  std::unique_ptr<ClusterLoop> loop_;
  std::unique_ptr<EventRecorder> events_;
  std::unique_ptr<Informer> pods_, nodes_, leases_, replicasets_, deployments_, statefulsets_,
      jobs_, services_, slices_, endpoints_, revisions_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<KubeletFleet> fleet_;
  std::unique_ptr<ReplicaSetController> replicaset_controller_;
  std::unique_ptr<DeploymentController> deployment_controller_;
  std::unique_ptr<StatefulSetController> statefulset_controller_;
  std::unique_ptr<JobController> job_controller_;
  std::unique_ptr<EndpointsController> endpoints_controller_;
  std::unique_ptr<NodeLifecycleController> node_lifecycle_;
  std::unique_ptr<TaintEvictionController> taint_eviction_;
  std::unique_ptr<PodGcController> pod_gc_;
  std::shared_ptr<DefaultsAdmission> admission_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_CLUSTER_H_
