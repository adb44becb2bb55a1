#include "sim/cluster/cluster.h"

#include "api/object.h"
#include "base/json.h"
#include "base/log.h"
#include "sim/cluster/defaults_admission.h"
#include "sim/cluster/deployment_controller.h"
#include "sim/cluster/endpoints_controller.h"
#include "sim/cluster/job_controller.h"
#include "sim/cluster/kubelet_fleet.h"
#include "sim/cluster/pod_util.h"
#include "sim/cluster/replicaset_controller.h"
#include "sim/cluster/statefulset_controller.h"
#include "sim/cluster/taint_eviction_controller.h"

namespace kt::sim::cluster {

namespace {

std::unique_ptr<Informer> MakeInformer(ClusterLoop& loop, ApiServer& server,
                                       const api::GroupVersionResource& gvr,
                                       const std::string& ns = "") {
  RequestContext ctx;
  ctx.user = "system:kube-controller-manager";
  Informer::Options o;
  o.ns = ns;
  return std::make_unique<Informer>(loop, server, gvr, ctx, o);
}

}  // namespace

Cluster::Cluster(Env& env, ApiServer& server, ClusterOptions options)
    : env_(env), server_(server), options_(std::move(options)) {
  loop_ = std::make_unique<ClusterLoop>(env_);
  ClusterLoop& loop = *loop_;
  events_ = std::make_unique<EventRecorder>(loop, server_, options_.events);
  pods_ = MakeInformer(loop, server_, api::resources::kPods);
  nodes_ = MakeInformer(loop, server_, api::resources::kNodes);
  leases_ = MakeInformer(loop, server_, api::resources::kLeases, "kube-node-lease");
  replicasets_ = MakeInformer(loop, server_, api::resources::kReplicaSets);
  deployments_ = MakeInformer(loop, server_, api::resources::kDeployments);
  statefulsets_ = MakeInformer(loop, server_, api::resources::kStatefulSets);
  jobs_ = MakeInformer(loop, server_, api::resources::kJobs);
  services_ = MakeInformer(loop, server_, api::resources::kServices);
  slices_ = MakeInformer(loop, server_, api::resources::kEndpointSlices);
  endpoints_ = MakeInformer(loop, server_, api::resources::kEndpoints);
  revisions_ = MakeInformer(loop, server_, api::resources::kControllerRevisions);

  pods_->AddIndex("node", [](const Json& p) { return PodNodeName(p); });
  pods_->AddIndex("owner", [](const Json& p) { return ControllerUid(p); });
  pods_->AddIndex("namespace", [](const Json& p) { return api::Namespace(p); });
  replicasets_->AddIndex("owner", [](const Json& o) { return ControllerUid(o); });
  replicasets_->AddIndex("uid", [](const Json& o) { return api::Uid(o); });
  revisions_->AddIndex("owner", [](const Json& o) { return ControllerUid(o); });
  slices_->AddIndex("service", [](const Json& s) {
    auto svc = api::Label(s, "kubernetes.io/service-name");
    return svc ? api::Namespace(s) + "/" + *svc : std::string();
  });

  // The kubelets route pods first, so a pod's node learns about it before anything else reacts.
  fleet_ = std::make_unique<KubeletFleet>(loop, server_, *pods_, *nodes_, *events_, images_,
                                          options_.kubelet);
  if (options_.run_scheduler) {
    scheduler_ = std::make_unique<Scheduler>(loop, server_, *pods_, *nodes_, *events_,
                                             options_.scheduler);
  }
  if (options_.run_controllers) {
    replicaset_controller_ = std::make_unique<ReplicaSetController>(
        loop, server_, *replicasets_, *pods_, *events_, options_.replicaset_burst);
    deployment_controller_ = std::make_unique<DeploymentController>(
        loop, server_, *deployments_, *replicasets_, *pods_, *events_);
    statefulset_controller_ = std::make_unique<StatefulSetController>(
        loop, server_, *statefulsets_, *pods_, *revisions_, *events_);
    job_controller_ = std::make_unique<JobController>(loop, server_, *jobs_, *pods_, *events_);
    endpoints_controller_ = std::make_unique<EndpointsController>(
        loop, server_, *services_, *pods_, *slices_, *endpoints_, *nodes_,
        options_.max_endpoints_per_slice);
  }
  if (options_.run_node_lifecycle) {
    node_lifecycle_ = std::make_unique<NodeLifecycleController>(
        loop, server_, *nodes_, *leases_, *pods_, *events_, options_.node_lifecycle);
    taint_eviction_ = std::make_unique<TaintEvictionController>(loop, server_, *nodes_, *pods_,
                                                                *events_);
    pod_gc_ = std::make_unique<PodGcController>(loop, server_, *nodes_, *pods_, options_.pod_gc);
  }
}

Cluster::~Cluster() { Stop(); }

Status Cluster::Start() {
  if (started_) return Status::Ok();
  auto catalog = options_.image_catalog_file.empty()
                     ? ImageCatalog::LoadEmbedded()
                     : ImageCatalog::LoadFile(options_.image_catalog_file);
  if (!catalog.ok()) return catalog.status();
  images_ = std::move(*catalog);
  if (options_.admission_defaults) {
    admission_ = std::make_shared<DefaultsAdmission>(options_.default_toleration_seconds);
    server_.admission().AddMutating(admission_);
  }
  started_ = true;
  loop_->RunLocked([&] {
    for (Informer* i : {pods_.get(), nodes_.get(), leases_.get(), replicasets_.get(),
                        deployments_.get(), statefulsets_.get(), jobs_.get(), services_.get(),
                        slices_.get(), endpoints_.get(), revisions_.get()}) {
      i->Start();
    }
    fleet_->Start();
    if (scheduler_) scheduler_->Start();
    if (node_lifecycle_) node_lifecycle_->Start();
    if (pod_gc_) pod_gc_->Start();
  });
  return Status::Ok();
}

void Cluster::Stop() {
  if (stopped_) return;
  stopped_ = true;
  // First the loop: no watch delivery or timer of ours runs after this returns. Then the
  // components and watches, outside the loop's lock (a watch's Stop waits for a delivery
  // running on another thread, which needs the lock only to find the loop stopped).
  loop_->Stop();
  if (admission_) server_.admission().Remove(DefaultsAdmission::kName);
  for (Informer* i : {pods_.get(), nodes_.get(), leases_.get(), replicasets_.get(),
                      deployments_.get(), statefulsets_.get(), jobs_.get(), services_.get(),
                      slices_.get(), endpoints_.get(), revisions_.get()}) {
    i->Stop();
  }
  fleet_->Stop();
  if (scheduler_) scheduler_->Stop();
  if (replicaset_controller_) replicaset_controller_->Stop();
  if (deployment_controller_) deployment_controller_->Stop();
  if (statefulset_controller_) statefulset_controller_->Stop();
  if (job_controller_) job_controller_->Stop();
  if (endpoints_controller_) endpoints_controller_->Stop();
  if (node_lifecycle_) node_lifecycle_->Stop();
  if (taint_eviction_) taint_eviction_->Stop();
  if (pod_gc_) pod_gc_->Stop();
}

cloud::VmObserver& Cluster::vm_observer() { return *fleet_; }

Status Cluster::AddNode(const cloud::VmInfo& vm) { return fleet_->AddNode(vm); }

Status Cluster::StopKubelet(const std::string& node, Duration down_for) {
  return fleet_->StopKubelet(node, down_for);
}

Status Cluster::StartKubelet(const std::string& node) { return fleet_->StartKubelet(node); }

cloud::VmInfo Cluster::TestVm(const std::string& name, int cpu, int memory_gib, int gpus,
                              int gpu_memory_gib, int max_pods, const std::string& pool) {
  cloud::VmInfo vm;
  vm.pool = pool;
  vm.vm_name = name;
  vm.scale_set = "aks-" + pool + "-vmss";
  vm.sku = gpus > 0 ? "Standard_NC24ads_A100_v4" : "Standard_D16s_v3";
  vm.region = "eastus";
  vm.provider_id = "azure:///subscriptions/test/resourceGroups/mc_test/providers/"
                   "Microsoft.Compute/virtualMachineScaleSets/" + vm.scale_set +
                   "/virtualMachines/" + name;
  uint32_t h = 2166136261u;
  for (unsigned char c : name) h = (h ^ c) * 16777619u;
  vm.internal_ip = "10.224." + std::to_string((h >> 8) % 250) + "." + std::to_string(h % 250 + 4);
  vm.mode = "User";
  vm.labels = {{"agentpool", pool},
               {"kubernetes.azure.com/agentpool", pool},
               {"kubernetes.io/hostname", name},
               {"kubernetes.io/os", "linux"},
               {"kubernetes.io/arch", "amd64"},
               {"node.kubernetes.io/instance-type", vm.sku},
               {"topology.kubernetes.io/region", "eastus"},
               {"topology.kubernetes.io/zone", "0"}};
  const std::string mem = std::to_string(static_cast<int64_t>(memory_gib) * 1024 * 1024) + "Ki";
  vm.capacity = {{"cpu", std::to_string(cpu)},
                 {"memory", mem},
                 {"ephemeral-storage", "129886128Ki"},
                 {"pods", std::to_string(max_pods)}};
  vm.allocatable = vm.capacity;
  vm.gpu_count = gpus;
  vm.gpu_vendor = gpus > 0 ? "nvidia" : "";
  vm.gpu_model = gpus > 0 ? "NVIDIA A100 80GB PCIe" : "";
  vm.gpu_memory_gib_per_gpu = gpu_memory_gib;
  vm.kubelet_version = "v1.32.0";
  vm.os_image = "Ubuntu 22.04.5 LTS";
  vm.kernel_version = "5.15.0-1079-azure";
  vm.container_runtime_version = "containerd://1.7.25-1";
  vm.machine_id = "0123456789abcdef0123456789abcdef";
  vm.system_uuid = "00000000-0000-0000-0000-000000000000";
  vm.boot_id = "00000000-0000-0000-0000-000000000001";
  return vm;
}

}  // namespace kt::sim::cluster
