#include "sim/cluster/pod_util.h"

#include "base/json.h"

namespace kt::sim::cluster {

namespace {

const Json* ReadyCondition(const Json& pod) {
  const Json* conds = FindPath(pod, "status.conditions");
  if (conds == nullptr || !conds->is_array()) return nullptr;
  for (const auto& c : *conds) {
    auto t = c.find("type");
    if (t != c.end() && t->is_string() && t->get_ref<const std::string&>() == "Ready") return &c;
  }
  return nullptr;
}

}  // namespace

std::string PodPhase(const Json& pod) { return GetString(pod, "status.phase"); }
std::string PodNodeName(const Json& pod) { return GetString(pod, "spec.nodeName"); }

bool IsPodTerminal(const Json& pod) {
  const Json* phase = FindPath(pod, "status.phase");
  if (phase == nullptr || !phase->is_string()) return false;
  const std::string& p = phase->get_ref<const std::string&>();
  return p == "Succeeded" || p == "Failed";
}

bool IsPodDeleting(const Json& pod) {
  const Json* ts = FindPath(pod, "metadata.deletionTimestamp");
  return ts != nullptr && !ts->is_null();
}

bool IsPodActive(const Json& pod) { return !IsPodTerminal(pod) && !IsPodDeleting(pod); }

bool IsPodReady(const Json& pod) {
  const Json* c = ReadyCondition(pod);
  return c != nullptr && GetString(*c, "status") == "True";
}

std::optional<Time> PodReadySince(const Json& pod) {
  const Json* c = ReadyCondition(pod);
  if (c == nullptr || GetString(*c, "status") != "True") return std::nullopt;
  auto t = ParseRfc3339(GetString(*c, "lastTransitionTime"));
  if (!t.ok()) return std::nullopt;
  return *t;
}

bool IsPodAvailable(const Json& pod, int64_t min_ready_seconds, Time now) {
  auto since = PodReadySince(pod);
  if (!since) return false;
  if (min_ready_seconds <= 0) return true;
  return *since + std::chrono::seconds(min_ready_seconds) <= now;
}

std::string ControllerUid(const Json& obj) {
  const Json* refs = FindPath(obj, "metadata.ownerReferences");
  if (refs == nullptr || !refs->is_array()) return "";
  for (const auto& r : *refs) {
    if (GetBool(r, "controller")) return GetString(r, "uid");
  }
  return "";
}

int64_t PodRestarts(const Json& pod) {
  int64_t n = 0;
  for (const char* path : {"status.containerStatuses", "status.initContainerStatuses"}) {
    const Json* cs = FindPath(pod, path);
    if (cs == nullptr || !cs->is_array()) continue;
    for (const auto& c : *cs) n += GetInt(c, "restartCount").value_or(0);
  }
  return n;
}

int64_t PodPriority(const Json& pod) { return GetInt(pod, "spec.priority").value_or(0); }

}  // namespace kt::sim::cluster
