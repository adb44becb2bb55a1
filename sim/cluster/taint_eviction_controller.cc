#include "sim/cluster/taint_eviction_controller.h"

#include <algorithm>
#include <optional>

#include "api/object.h"
#include "base/json.h"
#include "base/trace.h"
#include "sim/cluster/pod_util.h"
#include "sim/cluster/taints.h"

namespace kt::sim::cluster {

TaintEvictionController::TaintEvictionController(ClusterLoop& loop, ApiServer& server,
                                                 Informer& nodes, Informer& pods,
                                                 EventRecorder& events)
    : loop_(loop), server_(server), nodes_(nodes), pods_(pods), events_(events) {
  ctx_.user = "system:serviceaccount:kube-system:node-controller";
  source_.component = "taint-eviction-controller";
  nodes_.AddHandlers({[this](const JsonPtr& n) { ReconcileNode(api::Name(*n)); },
                      [this](const JsonPtr& o, const JsonPtr& n) {
                        const Json* a = FindPath(*o, "spec.taints");
                        const Json* b = FindPath(*n, "spec.taints");
                        bool changed = (a == nullptr) != (b == nullptr) || (a && *a != *b);
                        if (changed) ReconcileNode(api::Name(*n));
                      },
                      [this](const JsonPtr& n) { ReconcileNode(api::Name(*n)); }});
  pods_.AddHandlers({[this](const JsonPtr& p) {
                       if (!PodNodeName(*p).empty()) ReconcilePod(Informer::KeyOf(*p));
                     },
                     [this](const JsonPtr& o, const JsonPtr& p) {
                       if (PodNodeName(*p).empty()) return;
                       if (PodNodeName(*o) != PodNodeName(*p) || IsPodDeleting(*p) ||
                           scheduled_.count(Informer::KeyOf(*p))) {
                         ReconcilePod(Informer::KeyOf(*p));
                       }
                     },
                     [this](const JsonPtr& p) { Cancel(Informer::KeyOf(*p)); }});
}

TaintEvictionController::~TaintEvictionController() { Stop(); }

void TaintEvictionController::Stop() {
  for (auto& [key, s] : scheduled_) loop_.Cancel(s.timer);
  scheduled_.clear();
}

void TaintEvictionController::ReconcileNode(const std::string& node) {
  std::vector<std::string> keys(pods_.ByIndex("node", node).begin(),
                                pods_.ByIndex("node", node).end());
  for (const auto& key : keys) ReconcilePod(key);
}

void TaintEvictionController::Cancel(const std::string& pod_key) {
  auto it = scheduled_.find(pod_key);
  if (it == scheduled_.end()) return;
  loop_.Cancel(it->second.timer);
  scheduled_.erase(it);
}

void TaintEvictionController::ReconcilePod(const std::string& pod_key) {
  JsonPtr pod = pods_.Get(pod_key);
  if (!pod || IsPodDeleting(*pod)) {
    Cancel(pod_key);
    return;
  }
  JsonPtr node = nodes_.Get(PodNodeName(*pod));
  std::vector<Taint> taints = node ? NodeTaints(*node) : std::vector<Taint>{};
  std::vector<Toleration> tolerations = PodTolerations(*pod);
  const Time now = loop_.Now();
  std::optional<Time> due;
  bool any = false;
  for (const auto& t : taints) {
    if (t.effect != "NoExecute") continue;
    any = true;
    // The longest any matching toleration allows for this taint (unbounded when one has no
    // tolerationSeconds); the pod goes at the earliest deadline over all taints.
    bool tolerated = false;
    std::optional<int64_t> allowed;
    bool forever = false;
    for (const auto& tol : tolerations) {
      if (!tol.Tolerates(t)) continue;
      tolerated = true;
      if (!tol.toleration_seconds) {
        forever = true;
      } else {
        allowed = allowed ? std::min(*allowed, std::max<int64_t>(0, *tol.toleration_seconds))
                          : std::max<int64_t>(0, *tol.toleration_seconds);
      }
    }
    Time start = t.time_added.value_or(now);
    Time deadline;
    if (!tolerated) {
      deadline = now;
    } else if (allowed) {
      deadline = start + std::chrono::seconds(*allowed);
    } else if (forever) {
      continue;
    }
    if (!due || deadline < *due) due = deadline;
  }
  if (!any || !due) {
    Cancel(pod_key);
    return;
  }
  auto it = scheduled_.find(pod_key);
  if (it != scheduled_.end()) {
    if (it->second.due == *due) return;
    Cancel(pod_key);
  }
  Scheduled s;
  s.due = *due;
  s.timer = loop_.After(*due > now ? *due - now : Duration(0), [this, pod_key] {
    auto i = scheduled_.find(pod_key);
    if (i != scheduled_.end()) {
      i->second.timer = ClusterLoop::kNoTimer;
      scheduled_.erase(i);
    }
    Evict(pod_key);
  });
  scheduled_[pod_key] = s;
}

void TaintEvictionController::Evict(const std::string& pod_key) {
  JsonPtr pod = pods_.Get(pod_key);
  if (!pod || IsPodDeleting(*pod)) return;
  const std::string ns = api::Namespace(*pod), name = api::Name(*pod);
  Json patch = {{"status",
                 {{"conditions",
                   Json::array({{{"type", "DisruptionTarget"},
                                 {"status", "True"},
                                 {"lastProbeTime", nullptr},
                                 {"lastTransitionTime", FormatRfc3339(loop_.Now())},
                                 {"reason", "DeletionByTaintManager"},
                                 {"message", "Taint manager: deleting due to NoExecute taint"}}})}}}};
  api::WriteOptions wo;
  wo.subresource = "status";
  (void)server_.Patch(ResourceRef{api::resources::kPods, ns, name, "status"},
                      api::PatchType::kStrategicMerge, DumpJson(patch), wo, ctx_);
  events_.Normal(*pod, source_, "TaintManagerEviction", "Marking for deletion Pod " + ns + "/" + name);
  api::DeleteOptions del;
  del.precondition_uid = api::Uid(*pod);
  auto r = server_.Delete(ResourceRef{api::resources::kPods, ns, name, ""}, del, ctx_);
  Env& env = loop_.env();
  env.trace().Record(env.Now(), "cluster.eviction",
                     Json{{"pod", pod_key}, {"ok", r.ok()}});
  if (!r.ok() && !r.status().Is(StatusCode::kNotFound)) {
    // Try again shortly.
    Scheduled s;
    s.due = loop_.Now() + std::chrono::seconds(1);
    s.timer = loop_.After(std::chrono::seconds(1), [this, pod_key] {
      scheduled_.erase(pod_key);
      Evict(pod_key);
    });
    scheduled_[pod_key] = s;
  }
}

}  // namespace kt::sim::cluster
