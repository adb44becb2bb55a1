// Scheduler: informer handlers, the cache and the scheduling queue. One attempt is in
// scheduler_cycle.cc.
#include "sim/cluster/scheduler.h"

#include <algorithm>

#include "base/json.h"
#include "sim/cluster/pod_util.h"

namespace kt::sim::cluster {

namespace {

// kube-scheduler's scoring defaults for containers that request nothing.
constexpr int64_t kDefaultMilliCpuRequest = 100;
constexpr int64_t kDefaultMemoryRequest = 200 * 1024 * 1024;

void NonZero(const Json& pod, int64_t* cpu, int64_t* memory) {
  *cpu = 0;
  *memory = 0;
  const Json* cs = FindPath(pod, "spec.containers");
  if (cs == nullptr || !cs->is_array()) return;
  for (const auto& c : *cs) {
    ResourceVec r = ContainerRequests(c);
    *cpu += r.cpu_milli > 0 ? r.cpu_milli : kDefaultMilliCpuRequest;
    *memory += r.memory > 0 ? r.memory : kDefaultMemoryRequest;
  }
}

bool SameTaints(const std::vector<Taint>& a, const std::vector<Taint>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].key != b[i].key || a[i].value != b[i].value || a[i].effect != b[i].effect) {
      return false;
    }
  }
  return true;
}

bool SameResources(const ResourceVec& a, const ResourceVec& b) {
  return a.cpu_milli == b.cpu_milli && a.memory == b.memory && a.ephemeral == b.ephemeral &&
         a.gpu == b.gpu && a.pods == b.pods && a.other == b.other;
}

}  // namespace

Scheduler::Scheduler(ClusterLoop& loop, ApiServer& server, Informer& pods, Informer& nodes,
                     EventRecorder& events, SchedulerOptions options)
    : loop_(loop),
      server_(server),
      pods_(pods),
      nodes_informer_(nodes),
      events_(events),
      options_(std::move(options)),
      rng_(&loop.env().Random("cluster/scheduler")) {
  ctx_.user = "system:kube-scheduler";
  source_.component = options_.scheduler_name;
  pods_.AddHandlers({[this](const JsonPtr& p) { OnPodAdd(p); },
                     [this](const JsonPtr& o, const JsonPtr& p) { OnPodUpdate(o, p); },
                     [this](const JsonPtr& p) { OnPodDelete(p); }});
  nodes_informer_.AddHandlers({[this](const JsonPtr& n) { OnNodeAdd(n); },
                               [this](const JsonPtr& o, const JsonPtr& n) { OnNodeUpdate(o, n); },
                               [this](const JsonPtr& n) { OnNodeDelete(n); }});
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  running_ = true;
  flush_timer_ = loop_.After(options_.unschedulable_flush_interval, [this] {
    flush_timer_ = ClusterLoop::kNoTimer;
    FlushUnschedulable();
  });
  ScheduleSoon();
}

void Scheduler::Stop() {
  running_ = false;
  loop_.Cancel(batch_timer_);
  loop_.Cancel(backoff_timer_);
  loop_.Cancel(flush_timer_);
}

std::optional<Scheduler::NodeView> Scheduler::node_view(const std::string& name) const {
  auto it = node_index_.find(name);
  if (it == node_index_.end()) return std::nullopt;
  return NodeView{nodes_[it->second].alloc, nodes_[it->second].requested};
}

int Scheduler::NumFeasibleNodesToFind(int percentage, int all_nodes) {
  constexpr int kMinFeasibleNodesToFind = 100;
  constexpr int kMinFeasibleNodesPercentageToFind = 5;
  if (all_nodes < kMinFeasibleNodesToFind) return all_nodes;
  if (percentage <= 0) {
    percentage = 50 - all_nodes / 125;
    if (percentage < kMinFeasibleNodesPercentageToFind) percentage = kMinFeasibleNodesPercentageToFind;
  }
  if (percentage > 100) percentage = 100;
  int n = static_cast<int>(static_cast<int64_t>(all_nodes) * percentage / 100);
  return n < kMinFeasibleNodesToFind ? kMinFeasibleNodesToFind : n;
}

// ---- cache

bool Scheduler::Responsible(const Json& pod) const {
  return GetString(pod, "spec.schedulerName", "default-scheduler") == options_.scheduler_name;
}

void Scheduler::Account(const std::string& key, const Json& pod, const std::string& on_node) {
  if (IsPodTerminal(pod)) {
    Unaccount(key);
    return;
  }
  std::string node = on_node.empty() ? PodNodeName(pod) : on_node;
  auto it = assigned_.find(key);
  if (it != assigned_.end()) {
    if (it->second.node == node) return;  // requests of a bound pod do not change
    Unaccount(key);
  }
  Assigned a;
  a.node = std::move(node);
  a.req = PodRequests(pod);
  NonZero(pod, &a.nonzero_cpu, &a.nonzero_memory);
  auto n = node_index_.find(a.node);
  if (n != node_index_.end()) {
    NodeState& ns = nodes_[n->second];
    ns.requested += a.req;
    ns.nonzero_cpu += a.nonzero_cpu;
    ns.nonzero_memory += a.nonzero_memory;
  }
  assigned_.emplace(key, std::move(a));
}

void Scheduler::Unaccount(const std::string& key) {
  auto it = assigned_.find(key);
  if (it == assigned_.end()) return;
  auto n = node_index_.find(it->second.node);
  if (n != node_index_.end()) {
    NodeState& ns = nodes_[n->second];
    ns.requested -= it->second.req;
    ns.nonzero_cpu -= it->second.nonzero_cpu;
    ns.nonzero_memory -= it->second.nonzero_memory;
  }
  assigned_.erase(it);
}

void Scheduler::FillNodeState(NodeState& ns, const Json& node) {
  ns.name = api::Name(node);
  ns.labels = api::GetLabels(node);
  ns.taints = NodeTaints(node);
  ns.unschedulable = GetBool(node, "spec.unschedulable");
  ns.has_prefer_no_schedule = false;
  for (const auto& t : ns.taints) ns.has_prefer_no_schedule |= t.effect == "PreferNoSchedule";
  ns.alloc = NodeAllocatable(node);
}

void Scheduler::OnNodeAdd(const JsonPtr& node) {
  NodeState ns;
  FillNodeState(ns, *node);
  if (node_index_.count(ns.name)) return;
  // Pods already bound to this node (the informer saw them first) count now.
  for (const auto& key : pods_.ByIndex("node", ns.name)) {
    auto a = assigned_.find(key);
    if (a == assigned_.end()) continue;
    ns.requested += a->second.req;
    ns.nonzero_cpu += a->second.nonzero_cpu;
    ns.nonzero_memory += a->second.nonzero_memory;
  }
  node_index_.emplace(ns.name, nodes_.size());
  nodes_.push_back(std::move(ns));
  MoveAllToActiveOrBackoff();
}

void Scheduler::OnNodeUpdate(const JsonPtr& old_node, const JsonPtr& node) {
  auto it = node_index_.find(api::Name(*node));
  if (it == node_index_.end()) {
    OnNodeAdd(node);
    return;
  }
  NodeState& ns = nodes_[it->second];
  NodeState fresh;
  FillNodeState(fresh, *node);
  bool relevant = !SameResources(ns.alloc, fresh.alloc) || ns.labels != fresh.labels ||
                  !SameTaints(ns.taints, fresh.taints) || ns.unschedulable != fresh.unschedulable;
  if (!relevant) return;
  fresh.requested = ns.requested;
  fresh.nonzero_cpu = ns.nonzero_cpu;
  fresh.nonzero_memory = ns.nonzero_memory;
  ns = std::move(fresh);
  MoveAllToActiveOrBackoff();
}

void Scheduler::OnNodeDelete(const JsonPtr& node) {
  auto it = node_index_.find(api::Name(*node));
  if (it == node_index_.end()) return;
  size_t idx = it->second;
  node_index_.erase(it);
  if (idx != nodes_.size() - 1) {
    nodes_[idx] = std::move(nodes_.back());
    node_index_[nodes_[idx].name] = idx;
  }
  nodes_.pop_back();
  if (next_start_ >= nodes_.size()) next_start_ = 0;
}

void Scheduler::OnPodAdd(const JsonPtr& pod) {
  std::string key = Informer::KeyOf(*pod);
  if (!PodNodeName(*pod).empty()) {
    Forget(key);
    Account(key, *pod);
    return;
  }
  if (!Responsible(*pod) || IsPodDeleting(*pod) || IsPodTerminal(*pod)) return;
  Enqueue(key, *pod);
}

void Scheduler::OnPodUpdate(const JsonPtr& old_pod, const JsonPtr& pod) {
  std::string key = Informer::KeyOf(*pod);
  if (!PodNodeName(*pod).empty()) {
    Forget(key);
    Account(key, *pod);
    if (IsPodTerminal(*pod) && !IsPodTerminal(*old_pod)) MoveAllToActiveOrBackoff();
    return;
  }
  if (!Responsible(*pod) || IsPodDeleting(*pod) || IsPodTerminal(*pod)) {
    Forget(key);
    return;
  }
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.uid != api::Uid(*pod)) {
    Forget(key);
    Enqueue(key, *pod);
    return;
  }
  // A change to the pod itself may make it schedulable (tolerations, labels): retry it. Our
  // own status writes (the PodScheduled condition) change only status.
  const Json* old_spec = FindPath(*old_pod, "spec");
  const Json* spec = FindPath(*pod, "spec");
  bool spec_changed = (old_spec == nullptr) != (spec == nullptr) ||
                      (spec != nullptr && *old_spec != *spec);
  if (spec_changed || api::GetLabels(*old_pod) != api::GetLabels(*pod)) {
    Forget(key);
    Enqueue(key, *pod);
  }
}

void Scheduler::OnPodDelete(const JsonPtr& pod) {
  std::string key = Informer::KeyOf(*pod);
  Forget(key);
  if (assigned_.count(key)) {
    Unaccount(key);
    MoveAllToActiveOrBackoff();
  }
}

// ---- queue

void Scheduler::Enqueue(const std::string& key, const Json& pod) {
  // Gated pods wait until their gates are removed (an update re-enqueues them).
  const Json* gates = FindPath(pod, "spec.schedulingGates");
  if (gates && gates->is_array() && !gates->empty()) return;
  auto [it, inserted] = entries_.try_emplace(key);
  PodEntry& e = it->second;
  if (!inserted && e.where != Where::kNone) return;
  e.uid = api::Uid(pod);
  e.req = PodRequests(pod);
  NonZero(pod, &e.nonzero_cpu, &e.nonzero_memory);
  e.tolerations = PodTolerations(pod);
  e.affinity = NodeAffinity::ForPod(pod);
  e.priority = PodPriority(pod);
  e.preemption_never = GetString(pod, "spec.preemptionPolicy") == "Never";
  PushActive(key, e);
}

void Scheduler::Forget(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  RemoveFromQueues(key, it->second);
  entries_.erase(it);
}

void Scheduler::RemoveFromQueues(const std::string& key, PodEntry& e) {
  switch (e.where) {
    case Where::kActive:
      active_.erase({-e.priority, e.seq, key});
      break;
    case Where::kBackoff:
      backoff_.erase({e.backoff_until, e.seq, key});
      break;
    case Where::kUnschedulable:
      unschedulable_.erase(key);
      break;
    case Where::kNone:
      break;
  }
  e.where = Where::kNone;
}

void Scheduler::PushActive(const std::string& key, PodEntry& e) {
  RemoveFromQueues(key, e);
  e.seq = next_seq_++;
  e.where = Where::kActive;
  active_.emplace(-e.priority, e.seq, key);
  ScheduleSoon();
}

void Scheduler::PushBackoff(const std::string& key, PodEntry& e) {
  RemoveFromQueues(key, e);
  Duration backoff = options_.pod_initial_backoff;
  for (int i = 1; i < e.attempts && backoff < options_.pod_max_backoff; ++i) backoff *= 2;
  backoff = std::min(backoff, options_.pod_max_backoff);
  e.backoff_until = e.last_attempt + backoff;
  if (e.backoff_until <= loop_.Now()) {
    PushActive(key, e);
    return;
  }
  e.seq = next_seq_++;
  e.where = Where::kBackoff;
  backoff_.emplace(e.backoff_until, e.seq, key);
  ArmBackoffTimer();
}

void Scheduler::MoveAllToActiveOrBackoff() {
  if (unschedulable_.empty()) return;
  std::vector<std::string> keys(unschedulable_.begin(), unschedulable_.end());
  for (const auto& key : keys) {
    auto it = entries_.find(key);
    if (it == entries_.end()) continue;
    PushBackoff(key, it->second);
  }
}

void Scheduler::ArmBackoffTimer() {
  if (backoff_.empty()) return;
  Time due = std::get<0>(*backoff_.begin());
  if (backoff_timer_ != ClusterLoop::kNoTimer && backoff_timer_due_ <= due) return;
  loop_.Cancel(backoff_timer_);
  backoff_timer_due_ = due;
  backoff_timer_ = loop_.After(due - loop_.Now(), [this] {
    backoff_timer_ = ClusterLoop::kNoTimer;
    FlushBackoff();
  });
}

void Scheduler::FlushBackoff() {
  const Time now = loop_.Now();
  while (!backoff_.empty() && std::get<0>(*backoff_.begin()) <= now) {
    std::string key = std::get<2>(*backoff_.begin());
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      backoff_.erase(backoff_.begin());
      continue;
    }
    PushActive(key, it->second);
  }
  ArmBackoffTimer();
}

void Scheduler::FlushUnschedulable() {
  if (!running_) return;
  const Time now = loop_.Now();
  std::vector<std::string> due;
  for (const auto& key : unschedulable_) {
    auto it = entries_.find(key);
    if (it != entries_.end() && now - it->second.unschedulable_since >= options_.unschedulable_pods_max) {
      due.push_back(key);
    }
  }
  for (const auto& key : due) PushBackoff(key, entries_[key]);
  flush_timer_ = loop_.After(options_.unschedulable_flush_interval, [this] {
    flush_timer_ = ClusterLoop::kNoTimer;
    FlushUnschedulable();
  });
}

void Scheduler::ScheduleSoon() {
  if (!running_ || batch_timer_ != ClusterLoop::kNoTimer || active_.empty()) return;
  batch_timer_ = loop_.After(Duration(0), [this] {
    batch_timer_ = ClusterLoop::kNoTimer;
    RunBatch();
  });
}

void Scheduler::RunBatch() {
  for (size_t n = 0; n < options_.batch_pods_max && !active_.empty() && running_; ++n) {
    auto first = active_.begin();
    std::string key = std::get<2>(*first);
    active_.erase(first);
    auto it = entries_.find(key);
    if (it == entries_.end()) continue;
    it->second.where = Where::kNone;
    ScheduleOne(key);
  }
  ScheduleSoon();
}

}  // namespace kt::sim::cluster
