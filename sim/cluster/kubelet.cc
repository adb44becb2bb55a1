#include "sim/cluster/kubelet.h"

#include <algorithm>

#include "api/object.h"
#include "base/json.h"
#include "base/log.h"
#include "base/trace.h"
#include "sim/cloud/node_registrar.h"
#include "sim/cluster/controller_util.h"
#include "sim/cluster/fault_sites.h"
#include "sim/cluster/pod_util.h"

namespace kt::sim::cluster {

namespace {

std::string PodCidrPrefix(int index) {
  // AKS kubenet hands each node a /24 of 10.244.0.0/16; past 2,816 nodes we continue in
  // 100.64.0.0/10 so every node keeps its own range.
  if (index < 2816) {
    return "10." + std::to_string(244 + index / 256) + "." + std::to_string(index % 256) + ".";
  }
  int i = (index - 2816) % (64 * 256);
  return "100." + std::to_string(64 + i / 256) + "." + std::to_string(i % 256) + ".";
}

constexpr int kPodIpFirst = 2;
constexpr int kPodIpLast = 254;
const api::GroupVersionResource& Pods() { return api::resources::kPods; }
const api::GroupVersionResource& Nodes() { return api::resources::kNodes; }
const api::GroupVersionResource& Leases() { return api::resources::kLeases; }
constexpr char kLeaseNamespace[] = "kube-node-lease";

}  // namespace

Kubelet::Kubelet(KubeletShared& shared, const cloud::VmInfo& vm, int node_index)
    : shared_(shared),
      vm_(vm),
      node_index_(node_index),
      puller_(shared.loop, shared.options, vm.vm_name),
      pod_cidr_prefix_(PodCidrPrefix(node_index)) {
  source_.component = "kubelet";
  source_.host = vm_.vm_name;
  ctx_.user = "system:node:" + vm_.vm_name;
  last_status_report_ = shared_.loop.Now();
}

Kubelet::~Kubelet() { Shutdown(); }

void Kubelet::TraceNode(std::string_view what, const Json& fields) {
  Json f = fields.is_object() ? fields : Json::object();
  f["node"] = vm_.vm_name;
  f["event"] = std::string(what);
  shared_.loop.env().trace().Record(shared_.loop.Now(), "cluster.node", f);
}

void Kubelet::Trace(const std::string& pod_key, std::string_view what, const Json& fields) {
  Json f = fields.is_object() ? fields : Json::object();
  f["pod"] = pod_key;
  f["event"] = std::string(what);
  shared_.loop.env().trace().Record(shared_.loop.Now(), "cluster.kubelet", f);
}

void Kubelet::Event(const Json& pod, std::string_view type, std::string_view reason,
                    std::string message, std::string_view field_path) {
  if (!up_ || shut_down_) return;
  shared_.events.Record(pod, source_, type, reason, std::move(message), field_path);
}

std::string Kubelet::AllocatePodIp() {
  int host;
  if (!free_ips_.empty()) {
    host = *free_ips_.begin();
    free_ips_.erase(free_ips_.begin());
  } else if (next_ip_ <= kPodIpLast) {
    host = next_ip_++;
  } else {
    host = kPodIpLast;  // exhausted: max pods per node keeps us from getting here
  }
  return pod_cidr_prefix_ + std::to_string(host);
}

void Kubelet::ReleasePodIp(const std::string& ip) {
  if (ip.rfind(pod_cidr_prefix_, 0) != 0) return;
  int host = std::atoi(ip.c_str() + pod_cidr_prefix_.size());
  if (host >= kPodIpFirst && host <= kPodIpLast) free_ips_.insert(host);
}

// ---- node registration and status

void Kubelet::SetNodeCondition(const std::string& type, const std::string& status,
                               const std::string& reason, const std::string& message) {
  auto it = node_conditions_.find(type);
  if (it != node_conditions_.end() && it->second.status == status) {
    it->second.reason = reason;
    it->second.message = message;
    return;
  }
  node_conditions_[type] = NodeCond{status, reason, message, shared_.loop.Now()};
}

Json Kubelet::NodeStatus() {
  const std::string now = FormatRfc3339(shared_.loop.Now());
  Json capacity = Json::object(), allocatable = Json::object();
  for (const auto& [k, v] : vm_.capacity) capacity[k] = v;
  for (const auto& [k, v] : vm_.allocatable) allocatable[k] = v;
  if (device_plugin_registered_) {
    capacity["nvidia.com/gpu"] = std::to_string(vm_.gpu_count);
    allocatable["nvidia.com/gpu"] = std::to_string(vm_.gpu_count);
  }
  Json conds = Json::array();
  for (const char* type : {"MemoryPressure", "DiskPressure", "PIDPressure", "Ready"}) {
    const NodeCond& c = node_conditions_.at(type);
    conds.push_back({{"type", type},
                     {"status", c.status},
                     {"reason", c.reason},
                     {"message", c.message},
                     {"lastHeartbeatTime", now},
                     {"lastTransitionTime", FormatRfc3339(c.since)}});
  }
  // The largest images first, as the kubelet reports them.
  std::vector<std::pair<int64_t, std::string>> imgs;
  for (const auto& [name, size] : puller_.images()) imgs.emplace_back(size, name);
  std::sort(imgs.begin(), imgs.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  Json images = Json::array();
  for (size_t i = 0; i < imgs.size() && i < static_cast<size_t>(shared_.options.node_images_max); ++i) {
    images.push_back({{"names", Json::array({ImageId(imgs[i].second), imgs[i].second})},
                      {"sizeBytes", imgs[i].first}});
  }
  Json status = cloud::NodeRegistrar::NodeObject(vm_, shared_.loop.Now())["status"];
  status["capacity"] = std::move(capacity);
  status["allocatable"] = std::move(allocatable);
  status["conditions"] = std::move(conds);
  status["images"] = std::move(images);
  return status;
}

Status Kubelet::Register() {
  if (registered_ || shut_down_) return Status::Ok();
  const Time now = shared_.loop.Now();
  SetNodeCondition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                   "kubelet has sufficient memory available");
  SetNodeCondition("DiskPressure", "False", "KubeletHasNoDiskPressure",
                   "kubelet has no disk pressure");
  SetNodeCondition("PIDPressure", "False", "KubeletHasSufficientPID",
                   "kubelet has sufficient PID available");
  SetNodeCondition("Ready", "False", "KubeletNotReady",
                   "container runtime network not ready: NetworkReady=false "
                   "reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin "
                   "not initialized");
  Json node = cloud::NodeRegistrar::NodeObject(vm_, now);
  node["spec"]["podCIDR"] = pod_cidr_prefix_ + "0/24";
  node["spec"]["podCIDRs"] = Json::array({pod_cidr_prefix_ + "0/24"});
  node["status"] = NodeStatus();
  auto created = shared_.server.Create(ResourceRef{Nodes(), "", "", ""}, node, {}, ctx_);
  if (!created.ok()) {
    if (!created.status().Is(StatusCode::kAlreadyExists)) return created.status();
    // Registered before (a retry after an applied write, or a restarted kubelet).
    auto existing = shared_.server.Get(ResourceRef{Nodes(), "", vm_.vm_name, ""}, {}, ctx_);
    if (!existing.ok()) return existing.status();
    node_ = *existing;
  } else {
    node_ = std::move(created->object);
  }
  // Servers that drop status on create get it written now.
  if (FindPath(*node_, "status.nodeInfo.kubeletVersion") == nullptr ||
      FindPath(*node_, "status.conditions") == nullptr) {
    Status s = WriteNodeStatus();
    if (!s.ok()) return s;
  }
  registered_ = true;
  last_status_report_ = now;
  TraceNode("registered", Json{{"index", node_index_}});
  shared_.events.Normal(*node_, source_, "Starting", "Starting kubelet.");
  if (shared_.options.leases_enabled) (void)RenewLease();
  ready_timer_ = shared_.loop.After(shared_.options.node_ready_delay, [this] {
    ready_timer_ = ClusterLoop::kNoTimer;
    BecomeReady();
  });
  return Status::Ok();
}

Status Kubelet::WriteNodeStatus() {
  if (!up_ || shut_down_) return Status::Ok();
  JsonPtr base = NewerOf(node_, shared_.nodes.Get(vm_.vm_name));
  if (!base) return NotFound("node " + vm_.vm_name + " is not registered");
  ResourceRef ref{Nodes(), "", vm_.vm_name, "status"};
  api::WriteOptions wo;
  wo.subresource = "status";
  for (int attempt = 0; attempt < 2; ++attempt) {
    Json obj = {{"apiVersion", "v1"},
                {"kind", "Node"},
                {"metadata",
                 {{"name", vm_.vm_name},
                  {"resourceVersion", GetString(*base, "metadata.resourceVersion")}}},
                {"status", NodeStatus()}};
    auto r = shared_.server.Update(ref, std::move(obj), wo, ctx_);
    if (r.ok()) {
      node_ = std::move(r->object);
      last_status_report_ = shared_.loop.Now();
      return Status::Ok();
    }
    if (!r.status().Is(StatusCode::kConflict) || attempt == 1) return r.status();
    auto fresh = shared_.server.Get(ResourceRef{Nodes(), "", vm_.vm_name, ""}, {}, ctx_);
    if (!fresh.ok()) return fresh.status();
    base = *fresh;
  }
  return Status::Ok();
}

void Kubelet::BecomeReady() {
  if (shut_down_) return;
  ready_ = true;
  SetNodeCondition("Ready", "True", "KubeletReady", "kubelet is posting ready status");
  TraceNode("ready", Json::object());
  Status s = WriteNodeStatus();
  if (!s.ok()) {
    KT_LOG(DEBUG) << "node " << vm_.vm_name << ": status: " << s.ToString();
  }
  if (node_) {
    shared_.events.Normal(*node_, source_, "NodeReady",
                          "Node " + vm_.vm_name + " status is now: NodeReady");
  }
  ScheduleDevicePlugin();
}

void Kubelet::ScheduleDevicePlugin() {
  if (device_plugin_scheduled_ || vm_.gpu_count <= 0 || vm_.gpu_vendor != "nvidia") return;
  device_plugin_scheduled_ = true;
  Env& env = shared_.loop.env();
  Rng& rng = env.Random("cluster/device_plugin");
  const KubeletOptions& o = shared_.options;
  double lo = ToSeconds(o.device_plugin_delay_min), hi = ToSeconds(o.device_plugin_delay_max);
  double delay_s = lo + (hi > lo ? (hi - lo) * rng.Uniform() : 0);
  if (Buggify(env, faults::kDevicePluginNever)) {
    env.trace().Record(env.Now(), "cluster.fault",
                       Json{{"site", std::string(faults::kDevicePluginNever.name)}, {"node", vm_.vm_name}});
    return;
  }
  if (Buggify(env, faults::kDevicePluginLate)) {
    double factor = 2.0 + (faults::kDevicePluginLateFactorMax - 2.0) * rng.Uniform();
    delay_s *= factor;
    env.trace().Record(env.Now(), "cluster.fault",
                       Json{{"site", std::string(faults::kDevicePluginLate.name)}, {"node", vm_.vm_name},
                            {"delay_s", delay_s}});
  }
  device_plugin_timer_ = shared_.loop.After(FromSeconds(delay_s), [this] {
    device_plugin_timer_ = ClusterLoop::kNoTimer;
    if (shut_down_) return;
    device_plugin_registered_ = true;
    TraceNode("gpus_published", Json{{"gpus", vm_.gpu_count}});
    Status s = WriteNodeStatus();
    if (!s.ok()) {
      // The periodic status report carries it later.
      last_status_report_ = Time();
    }
  });
}

Status Kubelet::RenewLease() {
  if (!shared_.options.leases_enabled || !up_ || shut_down_) return Status::Ok();
  const std::string renew = FormatRfc3339Micro(shared_.loop.Now());
  if (!lease_) {
    Json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata", {{"name", vm_.vm_name}, {"namespace", kLeaseNamespace}}},
                  {"spec",
                   {{"holderIdentity", vm_.vm_name},
                    {"leaseDurationSeconds", shared_.options.lease_duration_seconds},
                    {"renewTime", renew}}}};
    if (node_) {
      lease["metadata"]["ownerReferences"] =
          Json::array({{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", vm_.vm_name},
                        {"uid", api::Uid(*node_)}}});
    }
    auto r = shared_.server.Create(ResourceRef{Leases(), kLeaseNamespace, "", ""}, lease, {}, ctx_);
    if (r.ok()) {
      lease_ = std::move(r->object);
      return Status::Ok();
    }
    if (!r.status().Is(StatusCode::kAlreadyExists)) return r.status();
    auto got = shared_.server.Get(ResourceRef{Leases(), kLeaseNamespace, vm_.vm_name, ""}, {}, ctx_);
    if (!got.ok()) return got.status();
    lease_ = *got;
  }
  Json lease = *lease_;
  lease["spec"]["renewTime"] = renew;
  lease["spec"]["holderIdentity"] = vm_.vm_name;
  auto r = shared_.server.Update(ResourceRef{Leases(), kLeaseNamespace, vm_.vm_name, ""},
                                 std::move(lease), {}, ctx_);
  if (r.ok()) {
    lease_ = std::move(r->object);
    return Status::Ok();
  }
  // Conflict or gone: read it again (or create it) on the next renewal.
  if (r.status().Is(StatusCode::kNotFound)) {
    lease_.reset();
  } else if (r.status().Is(StatusCode::kConflict)) {
    auto got = shared_.server.Get(ResourceRef{Leases(), kLeaseNamespace, vm_.vm_name, ""}, {}, ctx_);
    if (got.ok()) lease_ = *got;
  }
  return r.status();
}

void Kubelet::Heartbeat() {
  if (shut_down_) return;
  if (!registered_) {
    Status s = Register();
    if (!s.ok()) {
      KT_LOG(DEBUG) << "node " << vm_.vm_name << ": register: " << s.ToString();
    }
    return;
  }
  if (!up_) return;
  Env& env = shared_.loop.env();
  if (Buggify(env, faults::kKubeletStop)) {
    double mean = ToSeconds(shared_.options.kubelet_down_mean);
    Duration down = FromSeconds(env.Random("cluster/kubelet_stop").Exponential(mean));
    env.trace().Record(env.Now(), "cluster.fault",
                       Json{{"site", std::string(faults::kKubeletStop.name)}, {"node", vm_.vm_name},
                            {"down_s", ToSeconds(down)}});
    StopKubelet(down);
    return;
  }
  (void)RenewLease();
  if (shared_.loop.Now() - last_status_report_ >= shared_.options.node_status_report_interval) {
    Status s = WriteNodeStatus();
    if (!s.ok()) {
      KT_LOG(DEBUG) << "node " << vm_.vm_name << ": status: " << s.ToString();
    }
  }
}

// ---- kubelet stop / start

void Kubelet::StopKubelet(Duration down_for) {
  if (!up_ || shut_down_) return;
  up_ = false;
  TraceNode("kubelet_stopped", Json{{"down_s", ToSeconds(down_for)}});
  shared_.loop.Cancel(restart_timer_);
  if (down_for > Duration(0)) {
    restart_timer_ = shared_.loop.After(down_for, [this] {
      restart_timer_ = ClusterLoop::kNoTimer;
      StartKubelet();
    });
  }
}

void Kubelet::StartKubelet() {
  if (up_ || shut_down_) return;
  up_ = true;
  shared_.loop.Cancel(restart_timer_);
  TraceNode("kubelet_started", Json::object());
  if (!registered_) {
    (void)Register();
    return;
  }
  if (node_) shared_.events.Normal(*node_, source_, "Starting", "Starting kubelet.");
  (void)WriteNodeStatus();
  (void)RenewLease();
  Resync();
}

void Kubelet::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  up_ = false;
  ClusterLoop& loop = shared_.loop;
  loop.Cancel(flush_timer_);
  loop.Cancel(ready_timer_);
  loop.Cancel(device_plugin_timer_);
  loop.Cancel(restart_timer_);
  loop.Cancel(retry_timer_);
  workers_.clear();
  dirty_.clear();
}

void Kubelet::Resync() {
  std::set<std::string> seen;
  for (const auto& key : shared_.pods.ByIndex("node", vm_.vm_name)) {
    JsonPtr pod = shared_.pods.Get(key);
    if (!pod) continue;
    seen.insert(key);
    OnPod(pod);
  }
  std::vector<std::string> gone;
  for (const auto& [key, w] : workers_) {
    if (!seen.count(key)) gone.push_back(key);
  }
  for (const auto& key : gone) {
    workers_.erase(key);
    last_written_.erase(key);
    dirty_.erase(key);
  }
  for (const auto& [key, w] : workers_) dirty_.insert(key);
  ScheduleFlush();
}

// ---- pods

void Kubelet::OnPod(const JsonPtr& pod) {
  if (!up_ || shut_down_) return;
  const std::string key = Informer::KeyOf(*pod);
  auto it = workers_.find(key);
  if (it != workers_.end() && it->second->uid() != api::Uid(*pod)) {
    // Same name, new pod (a StatefulSet replacement): the old one is gone.
    workers_.erase(it);
    last_written_.erase(key);
    it = workers_.end();
  }
  if (it == workers_.end()) {
    if (IsPodTerminal(*pod)) {
      // Finished before we (re)started: nothing to run; remove it if it is being deleted.
      if (IsPodDeleting(*pod)) {
        api::DeleteOptions del;
        del.grace_period_seconds = 0;
        del.precondition_uid = api::Uid(*pod);
        (void)shared_.server.Delete(ResourceRef{Pods(), api::Namespace(*pod), api::Name(*pod), ""},
                                    del, ctx_);
      }
      return;
    }
    workers_.emplace(key, std::make_unique<PodWorker>(*this, pod));
    return;
  }
  // Once the informer has caught up with our last write, the cache is the newest copy: drop
  // ours (one pod copy less per pod on the node).
  if (auto lw = last_written_.find(key); lw != last_written_.end() && NewerOf(pod, lw->second) == pod) {
    last_written_.erase(lw);
  }
  it->second->Update(pod);
  if (it->second->ready_to_delete()) MarkDirty(key);
}

void Kubelet::OnPodDeleted(const JsonPtr& pod) {
  const std::string key = Informer::KeyOf(*pod);
  auto it = workers_.find(key);
  if (it == workers_.end() || it->second->uid() != api::Uid(*pod)) return;
  workers_.erase(it);
  last_written_.erase(key);
  dirty_.erase(key);
  deleting_.erase(key);
  Trace(key, "removed", Json::object());
}

void Kubelet::MarkDirty(const std::string& pod_key) {
  dirty_.insert(pod_key);
  ScheduleFlush();
}

void Kubelet::ScheduleFlush() {
  if (flush_timer_ != ClusterLoop::kNoTimer || dirty_.empty() || shut_down_) return;
  flush_timer_ = shared_.loop.After(Duration(0), [this] {
    flush_timer_ = ClusterLoop::kNoTimer;
    Flush();
  });
}

void Kubelet::Flush() {
  if (!up_ || shut_down_) return;  // kept dirty until the kubelet is back
  std::vector<std::string> keys(dirty_.begin(), dirty_.end());
  dirty_.clear();
  bool failed = false;
  for (const auto& key : keys) {
    if (!WritePod(key)) {
      dirty_.insert(key);
      failed = true;
    }
  }
  if (failed && retry_timer_ == ClusterLoop::kNoTimer) {
    retry_timer_ = shared_.loop.After(std::chrono::seconds(1), [this] {
      retry_timer_ = ClusterLoop::kNoTimer;
      ScheduleFlush();
    });
  }
}

JsonPtr Kubelet::NewestPod(const std::string& key) const {
  JsonPtr cached = shared_.pods.Get(key);
  auto it = last_written_.find(key);
  return NewerOf(cached, it == last_written_.end() ? nullptr : it->second);
}

bool Kubelet::WritePod(const std::string& key) {
  auto wit = workers_.find(key);
  if (wit == workers_.end()) return true;
  PodWorker& w = *wit->second;
  JsonPtr base = NewestPod(key);
  if (!base || api::Uid(*base) != w.uid()) return true;
  const std::string ns = api::Namespace(*base), name = api::Name(*base);
  api::WriteOptions wo;
  wo.subresource = "status";
  for (int attempt = 0; attempt < 2; ++attempt) {
    Json status = w.RenderStatus(*base);
    const Json* current = FindPath(*base, "status");
    if (current != nullptr && *current == status) break;
    // The status subresource takes only status (and the identity to check): no need to send
    // the whole pod.
    Json obj = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata",
                 {{"name", name},
                  {"namespace", ns},
                  {"uid", w.uid()},
                  {"resourceVersion", GetString(*base, "metadata.resourceVersion")}}},
                {"status", std::move(status)}};
    auto r = shared_.server.Update(ResourceRef{Pods(), ns, name, "status"}, std::move(obj), wo, ctx_);
    if (r.ok()) {
      last_written_[key] = std::move(r->object);
      break;
    }
    if (r.status().Is(StatusCode::kNotFound)) return true;
    if (!r.status().Is(StatusCode::kConflict) || attempt == 1) return false;
    auto fresh = shared_.server.Get(ResourceRef{Pods(), ns, name, ""}, {}, ctx_);
    if (!fresh.ok()) return fresh.status().Is(StatusCode::kNotFound);
    base = *fresh;
    if (api::Uid(*base) != w.uid()) return true;
  }
  if (w.ready_to_delete()) {
    api::DeleteOptions del;
    del.grace_period_seconds = 0;
    del.precondition_uid = w.uid();
    auto r = shared_.server.Delete(ResourceRef{Pods(), ns, name, ""}, del, ctx_);
    if (!r.ok() && !r.status().Is(StatusCode::kNotFound) && !r.status().Is(StatusCode::kConflict)) {
      return false;
    }
    if (r.ok()) Trace(key, "deleted", Json::object());
  }
  return true;
}

}  // namespace kt::sim::cluster
