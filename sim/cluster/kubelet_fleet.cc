#include "sim/cluster/kubelet_fleet.h"

#include <algorithm>

#include "api/object.h"
#include "base/json.h"
#include "base/log.h"
#include "base/trace.h"
#include "sim/cluster/pod_util.h"

namespace kt::sim::cluster {

KubeletFleet::KubeletFleet(ClusterLoop& loop, ApiServer& server, Informer& pods, Informer& nodes,
                           EventRecorder& events, const ImageCatalog& images,
                           KubeletOptions options)
    : loop_(loop),
      server_(server),
      pods_(pods),
      options_(std::move(options)),
      shared_{loop, server, pods, nodes, events, images, options_,
              loop.env().Random("cluster/kubelet")} {
  ctx_.user = "system:serviceaccount:kube-system:cloud-node-manager";
  pods_.AddHandlers({[this](const JsonPtr& p) { Route(p); },
                     [this](const JsonPtr&, const JsonPtr& p) { Route(p); },
                     [this](const JsonPtr& p) {
                       auto it = kubelets_.find(PodNodeName(*p));
                       if (it != kubelets_.end()) it->second->OnPodDeleted(p);
                     }});
}

KubeletFleet::~KubeletFleet() { Stop(); }

void KubeletFleet::Start() {
  running_ = true;
  Tick();
}

void KubeletFleet::Stop() {
  running_ = false;
  loop_.Cancel(tick_timer_);
  for (auto& [name, k] : kubelets_) k->Shutdown();
}

void KubeletFleet::Route(const JsonPtr& pod) {
  const std::string node = PodNodeName(*pod);
  if (node.empty()) return;
  auto it = kubelets_.find(node);
  if (it != kubelets_.end()) it->second->OnPod(pod);
}

void KubeletFleet::Tick() {
  if (!running_) return;
  const int slots = std::max(1, options_.heartbeat_slots);
  const int slot = static_cast<int>(tick_ % slots);
  ++tick_;
  auto it = slots_.find(slot);
  if (it != slots_.end()) {
    // Copy: a heartbeat may stop a kubelet but never removes one.
    for (auto& [name, k] : it->second) k->Heartbeat();
  }
  Duration step = options_.lease_renew_interval / slots;
  if (step <= Duration(0)) step = std::chrono::seconds(1);
  tick_timer_ = loop_.After(step, [this] {
    tick_timer_ = ClusterLoop::kNoTimer;
    Tick();
  });
}

Status KubeletFleet::AddNode(const cloud::VmInfo& vm) {
  Status out;
  loop_.RunLocked([&] {
    if (kubelets_.count(vm.vm_name)) {
      out = AlreadyExists("node " + vm.vm_name + " already has a kubelet");
      return;
    }
    const int index = next_index_++;
    auto k = std::make_unique<Kubelet>(shared_, vm, index);
    Kubelet* kp = k.get();
    kubelets_.emplace(vm.vm_name, std::move(k));
    slots_[index % std::max(1, options_.heartbeat_slots)][vm.vm_name] = kp;
    out = kp->Register();
    if (!out.ok()) {
      KT_LOG(WARNING) << "node " << vm.vm_name << ": registration failed (retried on heartbeat): "
                      << out.ToString();
    }
    // Pods already bound to it (a re-registered node).
    for (const auto& key : pods_.ByIndex("node", vm.vm_name)) {
      if (JsonPtr p = pods_.Get(key)) kp->OnPod(p);
    }
  });
  return out;
}

void KubeletFleet::VmBooted(const cloud::VmInfo& vm) { (void)AddNode(vm); }

void KubeletFleet::VmDeleted(const cloud::VmInfo& vm) { RemoveVm(vm, "deleted"); }
void KubeletFleet::VmEvicted(const cloud::VmInfo& vm) { RemoveVm(vm, "evicted"); }

void KubeletFleet::RemoveVm(const cloud::VmInfo& vm, const char* why) {
  loop_.RunLocked([&] {
    auto it = kubelets_.find(vm.vm_name);
    if (it != kubelets_.end()) {
      slots_[it->second->node_index() % std::max(1, options_.heartbeat_slots)].erase(vm.vm_name);
      it->second->Shutdown();
      kubelets_.erase(it);
    }
    Env& env = loop_.env();
    env.trace().Record(env.Now(), "cluster.node", Json{{"node", vm.vm_name}, {"event", why}});
    // The cloud node manager removes the Node of a VM that no longer exists.
    auto r = server_.Delete(ResourceRef{api::resources::kNodes, "", vm.vm_name, ""}, {}, ctx_);
    if (!r.ok() && !r.status().Is(StatusCode::kNotFound)) {
      KT_LOG(WARNING) << "deleting node " << vm.vm_name << ": " << r.status().ToString();
      // Retried: a Node whose VM is gone would otherwise linger.
      std::string name = vm.vm_name;
      loop_.After(std::chrono::seconds(5), [this, name] {
        (void)server_.Delete(ResourceRef{api::resources::kNodes, "", name, ""}, {}, ctx_);
      });
    }
  });
}

Status KubeletFleet::StopKubelet(const std::string& node, Duration down_for) {
  Status out = NotFound("no kubelet on node " + node);
  loop_.RunLocked([&] {
    auto it = kubelets_.find(node);
    if (it == kubelets_.end()) return;
    it->second->StopKubelet(down_for);
    out = Status::Ok();
  });
  return out;
}

Status KubeletFleet::StartKubelet(const std::string& node) {
  Status out = NotFound("no kubelet on node " + node);
  loop_.RunLocked([&] {
    auto it = kubelets_.find(node);
    if (it == kubelets_.end()) return;
    it->second->StartKubelet();
    out = Status::Ok();
  });
  return out;
}

Kubelet* KubeletFleet::Find(const std::string& node) {
  auto it = kubelets_.find(node);
  return it == kubelets_.end() ? nullptr : it->second.get();
}

}  // namespace kt::sim::cluster
