#include "sim/cluster/taints.h"

#include "base/json.h"

namespace kt::sim::cluster {

Json Taint::ToJson() const {
  Json j = {{"key", key}, {"effect", effect}};
  if (!value.empty()) j["value"] = value;
  if (time_added) j["timeAdded"] = FormatRfc3339(*time_added);
  return j;
}

bool Toleration::Tolerates(const Taint& t) const {
  if (!effect.empty() && effect != t.effect) return false;
  if (!key.empty() && key != t.key) return false;
  if (op == "Exists") return true;
  if (op.empty() || op == "Equal") return value == t.value;
  return false;
}

std::vector<Taint> NodeTaints(const Json& node) {
  std::vector<Taint> out;
  const Json* ts = FindPath(node, "spec.taints");
  if (ts == nullptr || !ts->is_array()) return out;
  out.reserve(ts->size());
  for (const auto& t : *ts) {
    Taint taint;
    taint.key = GetString(t, "key");
    taint.value = GetString(t, "value");
    taint.effect = GetString(t, "effect");
    std::string added = GetString(t, "timeAdded");
    if (!added.empty()) {
      auto parsed = ParseRfc3339(added);
      if (parsed.ok()) taint.time_added = *parsed;
    }
    out.push_back(std::move(taint));
  }
  return out;
}

std::vector<Toleration> PodTolerations(const Json& pod) {
  std::vector<Toleration> out;
  const Json* ts = FindPath(pod, "spec.tolerations");
  if (ts == nullptr || !ts->is_array()) return out;
  out.reserve(ts->size());
  for (const auto& t : *ts) {
    Toleration tol;
    tol.key = GetString(t, "key");
    tol.op = GetString(t, "operator", "Equal");
    tol.value = GetString(t, "value");
    tol.effect = GetString(t, "effect");
    tol.toleration_seconds = GetInt(t, "tolerationSeconds");
    out.push_back(std::move(tol));
  }
  return out;
}

bool ToleratesAll(const std::vector<Toleration>& tolerations, const Taint& taint) {
  for (const auto& tol : tolerations) {
    if (tol.Tolerates(taint)) return true;
  }
  return false;
}

const Taint* FirstUntoleratedScheduling(const std::vector<Taint>& taints,
                                        const std::vector<Toleration>& tolerations) {
  for (const auto& t : taints) {
    if (t.effect != "NoSchedule" && t.effect != "NoExecute") continue;
    if (!ToleratesAll(tolerations, t)) return &t;
  }
  return nullptr;
}

}  // namespace kt::sim::cluster
