#include "sim/cluster/pod_gc_controller.h"

#include <vector>

#include "api/object.h"
#include "base/json.h"
#include "base/trace.h"
#include "sim/cluster/pod_util.h"

namespace kt::sim::cluster {

PodGcController::PodGcController(ClusterLoop& loop, ApiServer& server, Informer& nodes,
                                 Informer& pods, PodGcOptions options)
    : loop_(loop), server_(server), nodes_(nodes), pods_(pods), options_(options) {
  ctx_.user = "system:serviceaccount:kube-system:pod-garbage-collector";
}

PodGcController::~PodGcController() { Stop(); }

void PodGcController::Start() {
  running_ = true;
  timer_ = loop_.After(options_.period, [this] {
    timer_ = ClusterLoop::kNoTimer;
    Run();
  });
}

void PodGcController::Stop() {
  running_ = false;
  loop_.Cancel(timer_);
}

void PodGcController::Run() {
  if (!running_) return;
  const Time now = loop_.Now();
  std::map<std::string, Time> still_missing;
  std::vector<std::string> orphans;
  for (const auto& [node, keys] : pods_.IndexValues("node")) {
    if (nodes_.Get(node)) continue;
    auto it = missing_since_.find(node);
    Time since = it == missing_since_.end() ? now : it->second;
    still_missing[node] = since;
    if (now - since < options_.quarantine) continue;
    // The cache may lag: confirm with the server before deleting anything.
    auto got = server_.Get(ResourceRef{api::resources::kNodes, "", node, ""}, {}, ctx_);
    if (got.ok() || !got.status().Is(StatusCode::kNotFound)) continue;
    orphans.insert(orphans.end(), keys.begin(), keys.end());
  }
  missing_since_ = std::move(still_missing);
  for (const auto& key : orphans) Collect(key);
  timer_ = loop_.After(options_.period, [this] {
    timer_ = ClusterLoop::kNoTimer;
    Run();
  });
}

void PodGcController::Collect(const std::string& pod_key) {
  JsonPtr pod = pods_.Get(pod_key);
  if (!pod) return;
  const std::string ns = api::Namespace(*pod), name = api::Name(*pod);
  if (!IsPodTerminal(*pod)) {
    Json patch = {{"status",
                   {{"phase", "Failed"},
                    {"conditions",
                     Json::array({{{"type", "DisruptionTarget"},
                                   {"status", "True"},
                                   {"lastProbeTime", nullptr},
                                   {"lastTransitionTime", FormatRfc3339(loop_.Now())},
                                   {"reason", "DeletionByPodGC"},
                                   {"message", "PodGC: node no longer exists"}}})}}}};
    api::WriteOptions wo;
    wo.subresource = "status";
    (void)server_.Patch(ResourceRef{api::resources::kPods, ns, name, "status"},
                        api::PatchType::kStrategicMerge, DumpJson(patch), wo, ctx_);
  }
  api::DeleteOptions del;
  del.grace_period_seconds = 0;
  del.precondition_uid = api::Uid(*pod);
  auto r = server_.Delete(ResourceRef{api::resources::kPods, ns, name, ""}, del, ctx_);
  if (r.ok()) {
    ++collected_;
    Env& env = loop_.env();
    env.trace().Record(env.Now(), "cluster.podgc", Json{{"pod", pod_key}});
  }
}

}  // namespace kt::sim::cluster
