#include "sim/cluster/statefulset_controller.h"

#include <algorithm>
#include <vector>

#include "api/object.h"
#include "base/json.h"
#include "base/trace.h"
#include "sim/cluster/controller_util.h"
#include "sim/cluster/pod_util.h"

namespace kt::sim::cluster {

namespace {

constexpr char kRevisionLabel[] = "controller-revision-hash";

bool RunningAndReady(const Json& pod) {
  return PodPhase(pod) == "Running" && IsPodReady(pod) && !IsPodDeleting(pod);
}

}  // namespace

StatefulSetController::StatefulSetController(ClusterLoop& loop, ApiServer& server,
                                             Informer& statefulsets, Informer& pods,
                                             Informer& revisions, EventRecorder& events)
    : loop_(loop),
      server_(server),
      sets_(statefulsets),
      pods_(pods),
      revisions_(revisions),
      events_(events),
      queue_(loop, "statefulset", [this](const std::string& k) { return Reconcile(k); }) {
  ctx_.user = "system:serviceaccount:kube-system:statefulset-controller";
  source_.component = "statefulset-controller";
  auto enqueue = [this](const std::string& key) { queue_.Add(key); };
  sets_.AddHandlers(owned_.OwnerHandlers(enqueue));
  pods_.AddHandlers(owned_.PodHandlers(enqueue));
}

Result<std::string> StatefulSetController::EnsureRevision(const Json& set, const std::string& hash) {
  const std::string ns = api::Namespace(set);
  const std::string name = api::Name(set) + "-" + hash;
  if (revisions_.Get(ns, name)) return name;
  int64_t revision = 0;
  for (const auto& rk : revisions_.ByIndex("owner", api::Uid(set))) {
    if (JsonPtr r = revisions_.Get(rk)) revision = std::max(revision, GetInt(*r, "revision").value_or(0));
  }
  Json tmpl = FindPath(set, "spec.template") ? set["spec"]["template"] : Json::object();
  Json labels = FindPath(tmpl, "metadata.labels") ? tmpl["metadata"]["labels"] : Json::object();
  labels["controller.kubernetes.io/hash"] = hash;
  tmpl["$patch"] = "replace";
  Json cr = {{"apiVersion", "apps/v1"},
             {"kind", "ControllerRevision"},
             {"metadata",
              {{"name", name},
               {"namespace", ns},
               {"labels", labels},
               {"ownerReferences", Json::array({api::ControllerReference(set)})}}},
             {"data", {{"spec", {{"template", tmpl}}}}},
             {"revision", revision + 1}};
  auto r = server_.Create(ResourceRef{api::resources::kControllerRevisions, ns, "", ""},
                          std::move(cr), {}, ctx_);
  if (!r.ok() && !r.status().Is(StatusCode::kAlreadyExists)) return r.status();
  return name;
}

ReconcileResult StatefulSetController::Reconcile(const std::string& key) {
  JsonPtr sp = sets_.Get(key);
  if (!sp) {
    owned_.expectations().Forget(key);
    return ReconcileResult::Done();
  }
  const Json& set = *sp;
  if (api::IsDeleting(set)) return ReconcileResult::Done();
  const Time now = loop_.Now();
  const std::string ns = api::Namespace(set), name = api::Name(set), uid = api::Uid(set);
  const int64_t replicas = GetInt(set, "spec.replicas").value_or(1);
  const bool ordered = GetString(set, "spec.podManagementPolicy", "OrderedReady") != "Parallel";
  const bool rolling = GetString(set, "spec.updateStrategy.type", "RollingUpdate") == "RollingUpdate";
  const int64_t partition = GetInt(set, "spec.updateStrategy.rollingUpdate.partition").value_or(0);
  const int64_t min_ready = GetInt(set, "spec.minReadySeconds").value_or(0);
  const Json tmpl = FindPath(set, "spec.template") ? set["spec"]["template"] : Json::object();
  const std::string hash = TemplateHash(tmpl);
  auto rev = EnsureRevision(set, hash);
  if (!rev.ok()) return ReconcileResult::Error(rev.status());
  const std::string update_revision = *rev;
  Json status = set.contains("status") ? set["status"] : Json::object();
  const Json old_status = status;
  std::string current_revision = GetString(status, "currentRevision");
  if (current_revision.empty()) current_revision = update_revision;

  std::map<int64_t, JsonPtr> by_ordinal;
  for (const auto& pk : pods_.ByIndex("owner", uid)) {
    JsonPtr p = pods_.Get(pk);
    if (!p) continue;
    int64_t ord = PodOrdinal(name, api::Name(*p));
    if (ord >= 0) by_ordinal[ord] = p;
  }

  auto delete_pod = [&](const Json& pod) -> Status {
    const std::string pod_name = api::Name(pod);
    api::DeleteOptions del;
    del.precondition_uid = api::Uid(pod);
    auto r = server_.Delete(ResourceRef{api::resources::kPods, ns, pod_name, ""}, del, ctx_);
    if (!r.ok() && !r.status().Is(StatusCode::kNotFound)) return r.status();
    owned_.expectations().ExpectDelete(key, pod_name, now);
    events_.Normal(set, source_, "SuccessfulDelete",
                   "delete Pod " + pod_name + " in StatefulSet " + name + " successful");
    return Status::Ok();
  };

  if (owned_.expectations().Satisfied(key, now)) {
    [&] {
      // Failed pods are replaced.
      for (auto& [ord, p] : by_ordinal) {
        if (PodPhase(*p) == "Failed" && !IsPodDeleting(*p)) {
          (void)delete_pod(*p);
          return;
        }
      }
      for (int64_t i = 0; i < replicas; ++i) {
        auto it = by_ordinal.find(i);
        if (it == by_ordinal.end()) {
          const std::string pod_name = name + "-" + std::to_string(i);
          Json t = tmpl;
          t["metadata"]["labels"][kRevisionLabel] = update_revision;
          t["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] = pod_name;
          t["metadata"]["labels"]["apps.kubernetes.io/pod-index"] = std::to_string(i);
          Json pod = PodFromTemplate(set, t, pod_name, "");
          pod["spec"]["hostname"] = pod_name;
          std::string svc = GetString(set, "spec.serviceName");
          if (!svc.empty()) pod["spec"]["subdomain"] = svc;
          auto r = server_.Create(ResourceRef{api::resources::kPods, ns, "", ""}, std::move(pod), {}, ctx_);
          if (!r.ok()) {
            if (!r.status().Is(StatusCode::kAlreadyExists)) {
              events_.Warning(set, source_, "FailedCreate",
                              "create Pod " + pod_name + " in StatefulSet " + name +
                                  " failed error: " + r.status().message());
            }
            return;
          }
          owned_.expectations().ExpectCreate(key, pod_name, now);
          events_.Normal(set, source_, "SuccessfulCreate",
                         "create Pod " + pod_name + " in StatefulSet " + name + " successful");
          if (ordered) return;  // wait for it to be Running and Ready
          continue;
        }
        if (ordered && !RunningAndReady(*it->second)) return;
      }
      // Scale down: the highest ordinal first.
      for (auto it = by_ordinal.rbegin(); it != by_ordinal.rend(); ++it) {
        if (it->first < replicas) break;
        if (IsPodDeleting(*it->second)) {
          if (ordered) return;
          continue;
        }
        (void)delete_pod(*it->second);
        if (ordered) return;
      }
      // Rolling update: one pod at a time, from the highest ordinal down to the partition.
      if (!rolling) return;
      for (int64_t i = 0; i < replicas; ++i) {
        auto it = by_ordinal.find(i);
        if (it == by_ordinal.end() || !RunningAndReady(*it->second)) return;
      }
      for (int64_t i = replicas - 1; i >= partition; --i) {
        const Json& p = *by_ordinal[i];
        if (api::Label(p, kRevisionLabel).value_or("") != update_revision) {
          (void)delete_pod(p);
          return;
        }
      }
    }();
  }

  int64_t count = 0, ready = 0, available = 0, current = 0, updated = 0;
  std::optional<Duration> next_available;
  for (const auto& [ord, p] : by_ordinal) {
    if (IsPodDeleting(*p)) continue;
    ++count;
    std::string r = api::Label(*p, kRevisionLabel).value_or("");
    if (r == current_revision) ++current;
    if (r == update_revision) ++updated;
    if (!RunningAndReady(*p)) continue;
    ++ready;
    if (IsPodAvailable(*p, min_ready, now)) {
      ++available;
    } else if (auto since = PodReadySince(*p)) {
      Duration left = *since + std::chrono::seconds(min_ready) - now;
      if (!next_available || left < *next_available) next_available = left;
    }
  }
  if (updated == replicas && ready == replicas && count == replicas) {
    current_revision = update_revision;
    current = updated;
  }
  status["observedGeneration"] = api::Generation(set);
  status["replicas"] = count;
  status["readyReplicas"] = ready;
  status["availableReplicas"] = available;
  status["currentReplicas"] = current;
  status["updatedReplicas"] = updated;
  status["currentRevision"] = current_revision;
  status["updateRevision"] = update_revision;
  status["collisionCount"] = GetInt(status, "collisionCount").value_or(0);
  if (status != old_status) {
    Json obj = set;
    obj["status"] = std::move(status);
    api::WriteOptions wo;
    wo.subresource = "status";
    auto r = server_.Update(ResourceRef{api::resources::kStatefulSets, ns, name, "status"},
                            std::move(obj), wo, ctx_);
    if (!r.ok() && !r.status().Is(StatusCode::kNotFound)) return ReconcileResult::Error(r.status());
  }
  if (next_available) return ReconcileResult::After(*next_available + std::chrono::milliseconds(1));
  return ReconcileResult::Done();
}

}  // namespace kt::sim::cluster
