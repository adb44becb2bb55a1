// PodWorker: the pod status a kubelet writes (phase, conditions, container statuses).
#include "api/object.h"
#include "sim/cluster/pod_worker.h"

namespace kt::sim::cluster {

namespace {

// The conditions the kubelet owns, in the order it writes them.
constexpr const char* kKubeletConditions[] = {"PodReadyToStartContainers", "Initialized", "Ready",
                                              "ContainersReady"};

bool KubeletOwned(const std::string& type) {
  for (const char* t : kKubeletConditions) {
    if (type == t) return true;
  }
  return false;
}

std::string List(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? " " : "") + names[i];
  return out + "]";
}

Json TerminatedJson(const std::string& exit_reason, int code, const std::string& message,
                    Time started, Time finished, const std::string& container_id) {
  Json t = Json::object();  // in key order, as ContainerStatus
  if (!container_id.empty()) t["containerID"] = container_id;
  t["exitCode"] = code;
  t["finishedAt"] = FormatRfc3339(finished);
  if (!message.empty()) t["message"] = message;
  t["reason"] = exit_reason;
  t["startedAt"] = FormatRfc3339(started);
  return t;
}

}  // namespace

std::string PodWorker::phase() const {
  if (init_failed_) return "Failed";
  const bool terminal = deleting_ && all_stopped_;
  if (!init_done_) return terminal ? "Failed" : "Pending";
  int running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const auto& c : containers_) {
    switch (c.state) {
      case State::kRunning:
        ++running;
        break;
      case State::kTerminated:
        ++stopped;
        if (c.terminated && c.terminated->exit_code == 0) ++succeeded;
        break;
      case State::kWaiting:
        if (c.last_terminated || c.restart_count > 0) {
          ++stopped;
        } else {
          ++waiting;
        }
        break;
    }
  }
  if (waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (stopped > 0) {
    if (terminal) return succeeded == stopped ? "Succeeded" : "Failed";
    if (restart_policy_ == "Always") return "Running";
    if (succeeded == stopped) return "Succeeded";
    if (restart_policy_ == "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

void PodWorker::SetCondition(Json& conds, const std::string& type, const std::string& status,
                             const std::string& reason, const std::string& message) {
  const Time now = host_.loop().Now();
  auto it = conditions_.find(type);
  if (it == conditions_.end() || it->second.status != status) {
    conditions_[type] = CondState{status, now};
    it = conditions_.find(type);
  }
  // Written in key order, so each member appends (base/json_object_map.h).
  Json c = Json::object();
  c["lastProbeTime"] = nullptr;
  c["lastTransitionTime"] = FormatRfc3339(it->second.since);
  if (!message.empty()) c["message"] = message;
  if (!reason.empty()) c["reason"] = reason;
  c["status"] = status;
  c["type"] = type;
  conds.push_back(std::move(c));
}

Json PodWorker::ContainerStatus(const Container& c) const {
  Json state = Json::object();
  switch (c.state) {
    case State::kWaiting: {
      Json w = Json::object();
      if (!c.waiting_message.empty()) w["message"] = c.waiting_message;
      if (!c.waiting_reason.empty()) w["reason"] = c.waiting_reason;
      state["waiting"] = std::move(w);
      break;
    }
    case State::kRunning:
      state["running"]["startedAt"] = FormatRfc3339(c.started_at);
      break;
    case State::kTerminated: {
      const Terminated& t = *c.terminated;
      state["terminated"] =
          TerminatedJson(t.reason, t.exit_code, t.message, t.started, t.finished, t.container_id);
      break;
    }
  }
  Json last = Json::object();
  if (c.last_terminated) {
    const Terminated& t = *c.last_terminated;
    last["terminated"] =
        TerminatedJson(t.reason, t.exit_code, t.message, t.started, t.finished, t.container_id);
  }
  // The container ID shown is the current one (or the last one while waiting to restart).
  std::string id = c.state == State::kTerminated && c.terminated ? c.terminated->container_id
                                                                 : c.container_id;
  if (c.state == State::kWaiting && c.last_terminated) id = c.last_terminated->container_id;
  // Written in key order, so each member appends (base/json_object_map.h).
  Json s = Json::object();
  if (!id.empty()) s["containerID"] = std::move(id);
  s["image"] = c.normalized;
  s["imageID"] = c.image_known ? ImageId(c.normalized) : "";
  s["lastState"] = std::move(last);
  s["name"] = c.name;
  s["ready"] = c.ready;
  s["restartCount"] = c.restart_count;
  s["started"] = c.started;
  s["state"] = std::move(state);
  return s;
}

Json PodWorker::RenderStatus(const Json& current) {
  const std::string ph = phase();
  const bool succeeded = ph == "Succeeded";
  const bool failed = ph == "Failed";
  Json conds = Json::array();
  const bool sandbox = sandbox_ready_ && !ip_released_;
  SetCondition(conds, "PodReadyToStartContainers", sandbox ? "True" : "False", "", "");

  std::vector<std::string> incomplete;
  for (const auto& c : init_) {
    if (!(c.state == State::kTerminated && c.terminated && c.terminated->exit_code == 0)) {
      incomplete.push_back(c.name);
    }
  }
  if (init_done_ || incomplete.empty()) {
    SetCondition(conds, "Initialized", "True", succeeded ? "PodCompleted" : "", "");
  } else {
    SetCondition(conds, "Initialized", "False", "ContainersNotInitialized",
                 "containers with incomplete status: " + List(incomplete));
  }

  std::vector<std::string> unready;
  for (const auto& c : containers_) {
    if (!c.ready) unready.push_back(c.name);
  }
  std::string ready_status = unready.empty() && !succeeded && !failed ? "True" : "False";
  std::string ready_reason, ready_message;
  if (succeeded) {
    ready_reason = "PodCompleted";
  } else if (failed) {
    ready_reason = "PodFailed";
  } else if (!unready.empty()) {
    ready_reason = "ContainersNotReady";
    ready_message = "containers with unready status: " + List(unready);
  }
  // Readiness gates: Ready also needs each gate's condition True.
  std::string gate_message;
  if (ready_status == "True") {
    if (const Json* gates = FindPath(current, "spec.readinessGates"); gates && gates->is_array()) {
      for (const auto& g : *gates) {
        std::string type = GetString(g, "conditionType");
        bool ok = false;
        if (const Json* cs = FindPath(current, "status.conditions"); cs && cs->is_array()) {
          for (const auto& c : *cs) {
            if (GetString(c, "type") == type) ok = GetString(c, "status") == "True";
          }
        }
        if (!ok && gate_message.empty()) {
          gate_message = "corresponding condition of pod readiness gate \"" + type + "\" does not exist.";
        }
      }
    }
  }
  if (!gate_message.empty()) {
    SetCondition(conds, "Ready", "False", "ReadinessGatesNotReady", gate_message);
  } else {
    SetCondition(conds, "Ready", ready_status, ready_reason, ready_message);
  }
  SetCondition(conds, "ContainersReady", ready_status, ready_reason, ready_message);
  // Conditions others own (PodScheduled, DisruptionTarget, readiness gates) are kept.
  if (const Json* cs = FindPath(current, "status.conditions"); cs && cs->is_array()) {
    for (const auto& c : *cs) {
      if (!KubeletOwned(GetString(c, "type"))) conds.push_back(c);
    }
  }

  Json st = Json::object();
  st["phase"] = ph;
  st["conditions"] = std::move(conds);
  st["hostIP"] = host_.host_ip();
  st["hostIPs"] = Json::array({{{"ip", host_.host_ip()}}});
  if (!pod_ip_.empty()) {
    st["podIP"] = pod_ip_;
    st["podIPs"] = Json::array({{{"ip", pod_ip_}}});
  }
  st["startTime"] = FormatRfc3339(start_time_);
  if (!init_.empty()) {
    Json ics = Json::array();
    for (const auto& c : init_) ics.push_back(ContainerStatus(c));
    st["initContainerStatuses"] = std::move(ics);
  }
  Json cs = Json::array();
  for (const auto& c : containers_) cs.push_back(ContainerStatus(c));
  st["containerStatuses"] = std::move(cs);
  std::string qos = GetString(current, "status.qosClass");
  if (!qos.empty()) st["qosClass"] = qos;
  return st;
}

}  // namespace kt::sim::cluster
