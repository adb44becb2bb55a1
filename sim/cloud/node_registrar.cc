#include "sim/cloud/node_registrar.h"

#include <algorithm>

#include "api/object.h"
#include "base/json.h"
#include "base/log.h"
#include "base/trace.h"

namespace kt::sim::cloud {

namespace {

Json Condition(const char* type, const char* status, const char* reason, const char* message,
               const std::string& now) {
  return {{"type", type},       {"status", status},         {"reason", reason},
          {"message", message}, {"lastHeartbeatTime", now}, {"lastTransitionTime", now}};
}

}  // namespace

NodeRegistrar::NodeRegistrar(Env& env, api::KubeClient& kube, Options options)
    : env_(env), kube_(kube), options_(options) {}

NodeRegistrar::~NodeRegistrar() {
  std::lock_guard<std::mutex> lock(mu_);
  for (Env::TimerId id : timers_) env_.Cancel(id);
}

Json NodeRegistrar::NodeObject(const VmInfo& vm, Time now) {
  const std::string ts = FormatRfc3339(now);
  Json taints = Json::array();
  for (const NodeTaint& t : vm.taints) {
    Json j = {{"key", t.key}, {"effect", t.effect}};
    if (!t.value.empty()) j["value"] = t.value;
    taints.push_back(std::move(j));
  }
  Json labels = Json::object();
  for (const auto& [k, v] : vm.labels) labels[k] = v;
  Json capacity = Json::object();
  for (const auto& [k, v] : vm.capacity) capacity[k] = v;
  Json allocatable = Json::object();
  for (const auto& [k, v] : vm.allocatable) allocatable[k] = v;

  Json spec = {{"providerID", vm.provider_id}};
  if (!taints.empty()) spec["taints"] = std::move(taints);
  return Json{{"apiVersion", "v1"},
              {"kind", "Node"},
              {"metadata",
               {{"name", vm.vm_name},
                {"labels", std::move(labels)},
                {"annotations",
                 {{"node.alpha.kubernetes.io/ttl", "0"},
                  {"volumes.kubernetes.io/controller-managed-attach-detach", "true"}}}}},
              {"spec", std::move(spec)},
              {"status",
               {{"capacity", std::move(capacity)},
                {"allocatable", std::move(allocatable)},
                {"conditions",
                 Json::array({Condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                                        "kubelet has sufficient memory available", ts),
                              Condition("DiskPressure", "False", "KubeletHasNoDiskPressure",
                                        "kubelet has no disk pressure", ts),
                              Condition("PIDPressure", "False", "KubeletHasSufficientPID",
                                        "kubelet has sufficient PID available", ts),
                              Condition("Ready", "True", "KubeletReady",
                                        "kubelet is posting ready status", ts)})},
                {"addresses", Json::array({{{"type", "InternalIP"}, {"address", vm.internal_ip}},
                                           {{"type", "Hostname"}, {"address", vm.vm_name}}})},
                {"daemonEndpoints", {{"kubeletEndpoint", {{"Port", 10250}}}}},
                {"nodeInfo",
                 {{"architecture", "amd64"},
                  {"bootID", vm.boot_id},
                  {"containerRuntimeVersion", vm.container_runtime_version},
                  {"kernelVersion", vm.kernel_version},
                  {"kubeProxyVersion", vm.kubelet_version},
                  {"kubeletVersion", vm.kubelet_version},
                  {"machineID", vm.machine_id},
                  {"operatingSystem", "linux"},
                  {"osImage", vm.os_image},
                  {"systemUUID", vm.system_uuid}}},
                {"images", Json::array()}}}};
}

Status NodeRegistrar::CreateNode(const VmInfo& vm) {
  Json node = NodeObject(vm, env_.Now());
  auto created = kube_.Create(api::resources::kNodes, "", node);
  if (!created.ok()) {
    if (!created.status().Is(StatusCode::kAlreadyExists)) return created.status();
    // A retry after a write that was applied but reported failed: make sure status is set.
    auto existing = kube_.Get(api::resources::kNodes, "", vm.vm_name);
    if (!existing.ok()) return existing.status();
    created = std::move(existing);
  }
  // Servers that drop status on create (it is a subresource) get it written separately.
  if (FindPath(*created, "status.nodeInfo.kubeletVersion") == nullptr ||
      FindPath(*created, "status.capacity") == nullptr) {
    Json update = *created;
    update["status"] = node["status"];
    api::WriteOptions opts;
    opts.subresource = "status";
    auto updated = kube_.Update(api::resources::kNodes, "", update, opts);
    if (!updated.ok()) return updated.status();
  }
  return Status::Ok();
}

Status NodeRegistrar::DeleteNode(const std::string& name) {
  auto deleted = kube_.Delete(api::resources::kNodes, "", name);
  if (!deleted.ok() && !deleted.status().Is(StatusCode::kNotFound)) return deleted.status();
  return Status::Ok();
}

void NodeRegistrar::Want(const VmInfo& vm, bool present) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Wish& w = wishes_[vm.vm_name];
    w.present = present;
    w.vm = vm;
    w.attempt = 0;
    if (w.retry != Env::kNoTimer) {
      env_.Cancel(w.retry);
      timers_.erase(w.retry);
      w.retry = Env::kNoTimer;
    }
  }
  Apply(vm.vm_name);
}

void NodeRegistrar::Apply(const std::string& vm_name) {
  Wish wish;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = wishes_.find(vm_name);
    if (it == wishes_.end()) return;
    wish = it->second;
  }
  Status s = wish.present ? CreateNode(wish.vm) : DeleteNode(vm_name);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = wishes_.find(vm_name);
  // A newer wish arrived while we wrote: it applies itself.
  if (it == wishes_.end() || it->second.present != wish.present ||
      it->second.attempt != wish.attempt) {
    return;
  }
  const char* what = wish.present ? "registered" : "removed";
  if (s.ok()) {
    env_.trace().Record(env_.Now(), "cloud.node", {{"node", vm_name}, {"event", what}});
    wishes_.erase(it);
    return;
  }
  Wish& w = it->second;
  if (++w.attempt >= options_.attempts_max) {
    ++failures_;
    KT_LOG(WARNING) << "node " << vm_name << ": giving up after " << w.attempt
                    << " attempts: " << s.ToString();
    env_.trace().Record(
        env_.Now(), "cloud.node",
        {{"node", vm_name}, {"event", "gave_up"}, {"code", std::string(s.reason())}});
    wishes_.erase(it);
    return;
  }
  Duration backoff = options_.backoff_initial;
  for (int i = 1; i < w.attempt && backoff < options_.backoff_max; ++i) backoff *= 2;
  backoff = std::min(backoff, options_.backoff_max);
  auto self = std::make_shared<Env::TimerId>(Env::kNoTimer);
  w.retry = env_.Schedule(backoff, [this, vm_name, self] {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (timers_.erase(*self) == 0) return;
      auto wi = wishes_.find(vm_name);
      if (wi == wishes_.end() || wi->second.retry != *self) return;
      wi->second.retry = Env::kNoTimer;
    }
    Apply(vm_name);
  });
  *self = w.retry;
  timers_.insert(w.retry);
}

void NodeRegistrar::VmBooted(const VmInfo& vm) { Want(vm, true); }
void NodeRegistrar::VmDeleted(const VmInfo& vm) { Want(vm, false); }
void NodeRegistrar::VmEvicted(const VmInfo& vm) { Want(vm, false); }

size_t NodeRegistrar::retries_pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return wishes_.size();
}

uint64_t NodeRegistrar::failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failures_;
}

}  // namespace kt::sim::cloud
