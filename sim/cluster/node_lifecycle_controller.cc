#include "sim/cluster/node_lifecycle_controller.h"

#include "api/object.h"
#include "base/json.h"
#include "base/log.h"
#include "base/trace.h"
#include "sim/cluster/pod_util.h"
#include "sim/cluster/taints.h"

namespace kt::sim::cluster {

namespace {

std::string ReadyStatus(const Json& node) {
  const Json* conds = FindPath(node, "status.conditions");
  if (conds == nullptr || !conds->is_array()) return "";
  for (const auto& c : *conds) {
    if (GetString(c, "type") == "Ready") return GetString(c, "status");
  }
  return "";
}

std::string ReadyHeartbeat(const Json& node) {
  const Json* conds = FindPath(node, "status.conditions");
  if (conds == nullptr || !conds->is_array()) return "";
  for (const auto& c : *conds) {
    if (GetString(c, "type") == "Ready") return GetString(c, "lastHeartbeatTime");
  }
  return "";
}

bool IsConditionTaint(const std::string& key) {
  return key == kTaintNotReady || key == kTaintUnreachable || key == kTaintUnschedulable;
}

}  // namespace

NodeLifecycleController::NodeLifecycleController(ClusterLoop& loop, ApiServer& server,
                                                 Informer& nodes, Informer& leases, Informer& pods,
                                                 EventRecorder& events,
                                                 NodeLifecycleOptions options)
    : loop_(loop),
      server_(server),
      nodes_(nodes),
      leases_(leases),
      pods_(pods),
      events_(events),
      options_(options),
      taints_(loop, "node-taints", [this](const std::string& k) { return ReconcileTaints(k); }) {
  ctx_.user = "system:serviceaccount:kube-system:node-controller";
  source_.component = "node-controller";
  nodes_.AddHandlers({[this](const JsonPtr& n) { OnNode(n); },
                      [this](const JsonPtr&, const JsonPtr& n) { OnNode(n); },
                      [this](const JsonPtr& n) {
                        health_.erase(api::Name(*n));
                      }});
  leases_.AddHandlers({[this](const JsonPtr& l) { OnLease(l); },
                       [this](const JsonPtr&, const JsonPtr& l) { OnLease(l); }, nullptr});
}

NodeLifecycleController::~NodeLifecycleController() { Stop(); }

void NodeLifecycleController::Start() {
  running_ = true;
  monitor_timer_ = loop_.After(options_.monitor_period, [this] {
    monitor_timer_ = ClusterLoop::kNoTimer;
    Monitor();
  });
}

void NodeLifecycleController::Stop() {
  running_ = false;
  loop_.Cancel(monitor_timer_);
  taints_.Stop();
}

void NodeLifecycleController::Heard(const std::string& node) {
  health_[node].last_heard = loop_.Now();
}

void NodeLifecycleController::OnNode(const JsonPtr& node) {
  const std::string name = api::Name(*node);
  auto [it, inserted] = health_.try_emplace(name);
  if (inserted) {
    // Startup grace: counted from first sight, minus the usual grace so the sum is
    // startup_grace_period.
    it->second.last_heard = loop_.Now() + options_.startup_grace_period - options_.monitor_grace_period;
    events_.Normal(*node, source_, "RegisteredNode",
                   "Node " + name + " event: Registered Node " + name + " in Controller");
  }
  std::string hb = ReadyHeartbeat(*node);
  if (!hb.empty() && hb != it->second.last_heartbeat) {
    it->second.last_heartbeat = hb;
    if (ReadyStatus(*node) != "Unknown" && !inserted) it->second.last_heard = loop_.Now();
  }
  taints_.Add(name);
}

void NodeLifecycleController::OnLease(const JsonPtr& lease) {
  if (api::Namespace(*lease) != "kube-node-lease") return;
  const std::string node = api::Name(*lease);
  std::string renew = GetString(*lease, "spec.renewTime");
  auto it = health_.find(node);
  if (it == health_.end()) return;  // the Node comes first
  if (renew != it->second.last_lease_renew) {
    it->second.last_lease_renew = renew;
    Heard(node);
  }
}

void NodeLifecycleController::Monitor() {
  if (!running_) return;
  const Time now = loop_.Now();
  for (auto& [name, h] : health_) {
    if (now - h.last_heard <= options_.monitor_grace_period) continue;
    JsonPtr node = nodes_.Get(name);
    if (!node || ReadyStatus(*node) == "Unknown") continue;
    Status s = MarkUnknown(name);
    if (!s.ok()) {
      KT_LOG(DEBUG) << "node " << name << ": marking unknown: " << s.ToString();
    }
  }
  monitor_timer_ = loop_.After(options_.monitor_period, [this] {
    monitor_timer_ = ClusterLoop::kNoTimer;
    Monitor();
  });
}

Status NodeLifecycleController::MarkUnknown(const std::string& name) {
  JsonPtr node = nodes_.Get(name);
  if (!node) return Status::Ok();
  Json obj = *node;
  const std::string now = FormatRfc3339(loop_.Now());
  Json& conds = obj["status"]["conditions"];
  if (!conds.is_array()) conds = Json::array();
  for (auto& c : conds) {
    c["status"] = "Unknown";
    c["reason"] = "NodeStatusUnknown";
    c["message"] = "Kubelet stopped posting node status.";
    c["lastTransitionTime"] = now;
  }
  api::WriteOptions wo;
  wo.subresource = "status";
  auto r = server_.Update(ResourceRef{api::resources::kNodes, "", name, "status"}, std::move(obj),
                          wo, ctx_);
  if (!r.ok()) return r.status();
  Env& env = loop_.env();
  env.trace().Record(env.Now(), "cluster.node", Json{{"node", name}, {"event", "not_ready"}});
  events_.Normal(*r->object, source_, "NodeNotReady", "Node " + name + " status is now: NodeNotReady");
  MarkPodsNotReady(name);
  return Status::Ok();
}

void NodeLifecycleController::MarkPodsNotReady(const std::string& node) {
  std::vector<std::string> keys(pods_.ByIndex("node", node).begin(),
                                pods_.ByIndex("node", node).end());
  for (const auto& key : keys) {
    JsonPtr pod = pods_.Get(key);
    if (!pod || IsPodTerminal(*pod)) continue;
    Json obj = *pod;
    bool changed = false;
    Json& conds = obj["status"]["conditions"];
    if (!conds.is_array()) continue;
    for (auto& c : conds) {
      if (GetString(c, "type") == "Ready" && GetString(c, "status") != "False") {
        c["status"] = "False";
        c["lastTransitionTime"] = FormatRfc3339(loop_.Now());
        changed = true;
      }
    }
    if (!changed) continue;
    api::WriteOptions wo;
    wo.subresource = "status";
    auto r = server_.Update(ResourceRef{api::resources::kPods, api::Namespace(*pod),
                                        api::Name(*pod), "status"},
                            std::move(obj), wo, ctx_);
    if (r.ok()) events_.Warning(*pod, source_, "NodeNotReady", "Node is not ready");
  }
}

ReconcileResult NodeLifecycleController::ReconcileTaints(const std::string& name) {
  JsonPtr node = nodes_.Get(name);
  if (!node) return ReconcileResult::Done();
  const std::string ready = ReadyStatus(*node);
  const bool unschedulable = GetBool(*node, "spec.unschedulable");
  std::vector<Taint> current = NodeTaints(*node);
  std::vector<Taint> want;
  for (const auto& t : current) {
    if (!IsConditionTaint(t.key)) want.push_back(t);
  }
  auto keep_or_add = [&](const char* key, const char* effect) {
    for (const auto& t : current) {
      if (t.key == key && t.effect == effect) {
        want.push_back(t);
        return;
      }
    }
    Taint t;
    t.key = key;
    t.effect = effect;
    if (std::string(effect) == "NoExecute") t.time_added = loop_.Now();
    want.push_back(t);
  };
  if (ready == "False" || ready.empty()) {
    keep_or_add(kTaintNotReady, "NoSchedule");
    if (!ready.empty()) keep_or_add(kTaintNotReady, "NoExecute");
  } else if (ready == "Unknown") {
    keep_or_add(kTaintUnreachable, "NoSchedule");
    keep_or_add(kTaintUnreachable, "NoExecute");
  }
  if (unschedulable) keep_or_add(kTaintUnschedulable, "NoSchedule");
  auto same = [](const std::vector<Taint>& a, const std::vector<Taint>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].key != b[i].key || a[i].value != b[i].value || a[i].effect != b[i].effect) {
        return false;
      }
    }
    return true;
  };
  if (same(current, want)) return ReconcileResult::Done();
  Json obj = *node;
  Json taints = Json::array();
  for (const auto& t : want) taints.push_back(t.ToJson());
  if (taints.empty()) {
    obj["spec"].erase("taints");
  } else {
    obj["spec"]["taints"] = std::move(taints);
  }
  auto r = server_.Update(ResourceRef{api::resources::kNodes, "", name, ""}, std::move(obj), {}, ctx_);
  if (!r.ok()) {
    if (r.status().Is(StatusCode::kNotFound)) return ReconcileResult::Done();
    return ReconcileResult::Error(r.status());
  }
  Env& env = loop_.env();
  Json keys = Json::array();
  for (const auto& t : want) keys.push_back(t.key + ":" + t.effect);
  env.trace().Record(env.Now(), "cluster.node", Json{{"node", name}, {"event", "taints"}, {"taints", keys}});
  return ReconcileResult::Done();
}

}  // namespace kt::sim::cluster
