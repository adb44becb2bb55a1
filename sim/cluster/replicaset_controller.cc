#include "sim/cluster/replicaset_controller.h"

#include <algorithm>
#include <tuple>
#include <vector>

#include "api/label_selector.h"
#include "api/object.h"
#include "base/json.h"
#include "base/trace.h"
#include "sim/cluster/controller_util.h"
#include "sim/cluster/pod_util.h"

namespace kt::sim::cluster {

namespace {

int PhaseRank(const Json& pod) {
  std::string p = PodPhase(pod);
  if (p == "Pending" || p.empty()) return 0;
  if (p == "Unknown") return 1;
  return 2;
}

// Smaller sorts first = deleted first.
auto DeletionRank(const Json& pod, Time now) {
  bool assigned = !PodNodeName(pod).empty();
  bool ready = IsPodReady(pod);
  auto since = PodReadySince(pod);
  int64_t ready_for = since ? std::chrono::duration_cast<std::chrono::seconds>(now - *since).count() : -1;
  int64_t restarts = PodRestarts(pod);
  std::string created = GetString(pod, "metadata.creationTimestamp");
  // Newer creation first: invert by comparing strings descending (RFC3339 sorts by time).
  return std::make_tuple(assigned ? 1 : 0, PhaseRank(pod), ready ? 1 : 0, ready_for, -restarts,
                         std::string(""), created);
}

}  // namespace

ReplicaSetController::ReplicaSetController(ClusterLoop& loop, ApiServer& server,
                                           Informer& replicasets, Informer& pods,
                                           EventRecorder& events, int burst_replicas)
    : loop_(loop),
      server_(server),
      rss_(replicasets),
      pods_(pods),
      events_(events),
      burst_(burst_replicas),
      queue_(loop, "replicaset", [this](const std::string& k) { return Reconcile(k); }) {
  ctx_.user = "system:serviceaccount:kube-system:replicaset-controller";
  source_.component = "replicaset-controller";
  auto enqueue = [this](const std::string& key) { queue_.Add(key); };
  // Status-only changes (our own writes) need no reconcile; label changes do.
  rss_.AddHandlers(owned_.OwnerHandlers(enqueue, /*labels_matter=*/true));
  pods_.AddHandlers(owned_.PodHandlers(enqueue));
}

ReconcileResult ReplicaSetController::Reconcile(const std::string& key) {
  JsonPtr rs = rss_.Get(key);
  if (!rs) {
    owned_.expectations().Forget(key);
    return ReconcileResult::Done();
  }
  if (api::IsDeleting(*rs)) return ReconcileResult::Done();
  const Time now = loop_.Now();
  const std::string uid = api::Uid(*rs);
  const std::string ns = api::Namespace(*rs), name = api::Name(*rs);
  const int64_t replicas = GetInt(*rs, "spec.replicas").value_or(1);
  const int64_t min_ready = GetInt(*rs, "spec.minReadySeconds").value_or(0);

  std::vector<JsonPtr> active;
  for (const auto& pk : pods_.ByIndex("owner", uid)) {
    JsonPtr p = pods_.Get(pk);
    if (p && IsPodActive(*p)) active.push_back(p);
  }
  Status create_error;
  if (owned_.expectations().Satisfied(key, now)) {
    const int64_t diff = static_cast<int64_t>(active.size()) - replicas;
    if (diff < 0) {
      const Json* tmpl = FindPath(*rs, "spec.template");
      const int64_t want = std::min<int64_t>(-diff, burst_);
      for (int64_t i = 0; i < want; ++i) {
        Json pod = PodFromTemplate(*rs, tmpl ? *tmpl : Json::object(), "", name + "-");
        auto r = server_.Create(ResourceRef{api::resources::kPods, ns, "", ""}, std::move(pod), {}, ctx_);
        if (!r.ok()) {
          create_error = r.status();
          events_.Warning(*rs, source_, "FailedCreate", "Error creating: " + r.status().message());
          break;
        }
        const std::string pod_name = api::Name(*r->object);
        owned_.expectations().ExpectCreate(key, pod_name, now);
        events_.Normal(*rs, source_, "SuccessfulCreate", "Created pod: " + pod_name);
      }
      if (-diff > want && create_error.ok()) queue_.Add(key);  // the next burst
    } else if (diff > 0) {
      std::vector<JsonPtr> victims = active;
      std::sort(victims.begin(), victims.end(), [&](const JsonPtr& a, const JsonPtr& b) {
        auto ra = DeletionRank(*a, now), rb = DeletionRank(*b, now);
        auto head_a = std::make_tuple(std::get<0>(ra), std::get<1>(ra), std::get<2>(ra),
                                      std::get<3>(ra), std::get<4>(ra));
        auto head_b = std::make_tuple(std::get<0>(rb), std::get<1>(rb), std::get<2>(rb),
                                      std::get<3>(rb), std::get<4>(rb));
        if (head_a != head_b) return head_a < head_b;
        // Newer first, then by name for a stable order.
        if (std::get<6>(ra) != std::get<6>(rb)) return std::get<6>(ra) > std::get<6>(rb);
        return api::Name(*a) < api::Name(*b);
      });
      for (int64_t i = 0; i < diff && i < static_cast<int64_t>(victims.size()); ++i) {
        const Json& v = *victims[static_cast<size_t>(i)];
        const std::string pod_name = api::Name(v);
        auto r = server_.Delete(ResourceRef{api::resources::kPods, ns, pod_name, ""}, {}, ctx_);
        if (!r.ok() && !r.status().Is(StatusCode::kNotFound)) {
          events_.Warning(*rs, source_, "FailedDelete", "Error deleting: " + r.status().message());
          return ReconcileResult::Error(r.status());
        }
        owned_.expectations().ExpectDelete(key, pod_name, now);
        events_.Normal(*rs, source_, "SuccessfulDelete", "Deleted pod: " + pod_name);
      }
    }
  }

  // Status from what the cache shows now.
  int64_t ready = 0, available = 0, labeled = 0;
  std::optional<Duration> next_available;
  api::Labels template_labels;
  if (const Json* tl = FindPath(*rs, "spec.template.metadata.labels"); tl && tl->is_object()) {
    for (const auto& [k, v] : tl->items()) template_labels[k] = v.is_string() ? v.get<std::string>() : "";
  }
  auto template_selector = api::LabelSelector::FromMap(template_labels);
  for (const auto& p : active) {
    if (template_selector.MatchesObject(*p)) ++labeled;
    if (!IsPodReady(*p)) continue;
    ++ready;
    if (IsPodAvailable(*p, min_ready, now)) {
      ++available;
    } else if (auto since = PodReadySince(*p)) {
      Duration left = *since + std::chrono::seconds(min_ready) - now;
      if (!next_available || left < *next_available) next_available = left;
    }
  }
  Json status = rs->contains("status") ? (*rs)["status"] : Json::object();
  Json next = status;
  next["replicas"] = static_cast<int64_t>(active.size());
  next["fullyLabeledReplicas"] = labeled;
  next["readyReplicas"] = ready;
  next["availableReplicas"] = available;
  next["observedGeneration"] = api::Generation(*rs);
  if (!create_error.ok()) {
    SetWorkloadCondition(next, "ReplicaFailure", "True", "FailedCreate", create_error.message(), now);
  } else if (FindWorkloadCondition(next, "ReplicaFailure") != nullptr) {
    Json kept = Json::array();
    for (auto& c : next["conditions"]) {
      if (GetString(c, "type") != "ReplicaFailure") kept.push_back(c);
    }
    next["conditions"] = std::move(kept);
  }
  if (next.contains("conditions") && next["conditions"].empty()) next.erase("conditions");
  if (next != status) {
    Json obj = *rs;
    obj["status"] = std::move(next);
    api::WriteOptions wo;
    wo.subresource = "status";
    auto r = server_.Update(ResourceRef{api::resources::kReplicaSets, ns, name, "status"},
                            std::move(obj), wo, ctx_);
    if (!r.ok() && !r.status().Is(StatusCode::kNotFound)) return ReconcileResult::Error(r.status());
  }
  if (!create_error.ok()) return ReconcileResult::Error(create_error);
  if (next_available) return ReconcileResult::After(*next_available + std::chrono::milliseconds(1));
  return ReconcileResult::Done();
}

}  // namespace kt::sim::cluster
