#include "sim/cluster/job_controller.h"

#include <algorithm>
#include <set>
#include <vector>

#include "api/object.h"
#include "base/json.h"
#include "base/trace.h"
#include "sim/cluster/controller_util.h"
#include "sim/cluster/pod_util.h"

namespace kt::sim::cluster {

namespace {

constexpr char kTracking[] = "batch.kubernetes.io/job-tracking";
constexpr Duration kFailureBackoffInitial = std::chrono::seconds(10);
constexpr Duration kFailureBackoffMax = std::chrono::minutes(6);

bool JobCondition(const Json& job, const std::string& type) {
  const Json* conds = FindPath(job, "status.conditions");
  if (conds == nullptr || !conds->is_array()) return false;
  for (const auto& c : *conds) {
    if (GetString(c, "type") == type && GetString(c, "status") == "True") return true;
  }
  return false;
}

void SetJobCondition(Json& status, const std::string& type, const std::string& reason,
                     const std::string& message, Time now) {
  Json& conds = status["conditions"];
  if (!conds.is_array()) conds = Json::array();
  for (auto& c : conds) {
    if (GetString(c, "type") == type) {
      c["status"] = "True";
      c["reason"] = reason;
      c["message"] = message;
      c["lastProbeTime"] = FormatRfc3339(now);
      c["lastTransitionTime"] = FormatRfc3339(now);
      return;
    }
  }
  conds.push_back({{"type", type},
                   {"status", "True"},
                   {"lastProbeTime", FormatRfc3339(now)},
                   {"lastTransitionTime", FormatRfc3339(now)},
                   {"reason", reason},
                   {"message", message}});
}

std::set<std::string> UidSet(const Json& status, const char* which) {
  std::set<std::string> out;
  const Json* a = FindPath(status, std::string("uncountedTerminatedPods.") + which);
  if (a != nullptr && a->is_array()) {
    for (const auto& u : *a) {
      if (u.is_string()) out.insert(u.get<std::string>());
    }
  }
  return out;
}

Json UidArray(const std::set<std::string>& s) {
  Json a = Json::array();
  for (const auto& u : s) a.push_back(u);
  return a;
}

}  // namespace

JobController::JobController(ClusterLoop& loop, ApiServer& server, Informer& jobs, Informer& pods,
                             EventRecorder& events)
    : loop_(loop),
      server_(server),
      jobs_(jobs),
      pods_(pods),
      events_(events),
      queue_(loop, "job", [this](const std::string& k) { return Reconcile(k); }),
      orphans_(loop, "job-orphans", [this](const std::string& k) { return ReconcileOrphan(k); }) {
  ctx_.user = "system:serviceaccount:kube-system:job-controller";
  source_.component = "job-controller";
  auto enqueue = [this](const std::string& key) { queue_.Add(key); };
  auto deleted = [this](const JsonPtr& j) {
    last_written_.erase(Informer::KeyOf(*j));
    last_failure_.erase(Informer::KeyOf(*j));
    // Its pods lose the tracking finalizer.
    for (const auto& pk : pods_.ByIndex("owner", api::Uid(*j))) orphans_.Add(pk);
  };
  jobs_.AddHandlers(owned_.OwnerHandlers(enqueue, /*labels_matter=*/false, deleted));
  // A finished or deleted pod of a Job that is gone still carries the tracking finalizer.
  pods_.AddHandlers(owned_.PodHandlers(enqueue, [this](const JsonPtr& p, bool deleted) {
    if (deleted || !api::HasFinalizer(*p, kTracking) || !(IsPodDeleting(*p) || IsPodTerminal(*p))) {
      return;
    }
    const Json* refs = FindPath(*p, "metadata.ownerReferences");
    bool job_owned = false;
    if (refs && refs->is_array()) {
      for (const auto& r : *refs) job_owned |= GetString(r, "kind") == "Job";
    }
    if (job_owned && jobs_.synced()) orphans_.Add(Informer::KeyOf(*p));
  }));
}

Status JobController::RemoveFinalizer(const Json& pod) {
  Json remaining = Json::array();
  for (const auto& f : api::Finalizers(pod)) {
    if (f != kTracking) remaining.push_back(f);
  }
  Json patch = {{"metadata", {{"finalizers", remaining.empty() ? Json(nullptr) : remaining}}}};
  auto r = server_.Patch(ResourceRef{api::resources::kPods, api::Namespace(pod), api::Name(pod), ""},
                         api::PatchType::kMerge, DumpJson(patch), {}, ctx_);
  if (!r.ok() && !r.status().Is(StatusCode::kNotFound)) return r.status();
  return Status::Ok();
}

ReconcileResult JobController::ReconcileOrphan(const std::string& pod_key) {
  JsonPtr p = pods_.Get(pod_key);
  if (!p || !api::HasFinalizer(*p, kTracking)) return ReconcileResult::Done();
  if (owned_.HasKnownOwner(*p)) return ReconcileResult::Done();
  Status s = RemoveFinalizer(*p);
  return s.ok() ? ReconcileResult::Done() : ReconcileResult::Error(s);
}

Status JobController::WriteStatus(const Json& job, Json status) {
  Json obj = job;
  obj["status"] = std::move(status);
  api::WriteOptions wo;
  wo.subresource = "status";
  auto r = server_.Update(ResourceRef{api::resources::kJobs, api::Namespace(job), api::Name(job), "status"},
                          std::move(obj), wo, ctx_);
  if (!r.ok()) return r.status();
  last_written_[Informer::KeyOf(job)] = std::move(r->object);
  return Status::Ok();
}

void JobController::DeleteActive(const Json& job, const std::vector<JsonPtr>& active) {
  for (const auto& p : active) {
    auto r = server_.Delete(ResourceRef{api::resources::kPods, api::Namespace(*p), api::Name(*p), ""},
                            {}, ctx_);
    if (r.ok()) {
      owned_.expectations().ExpectDelete(Informer::KeyOf(job), api::Name(*p), loop_.Now());
      events_.Normal(job, source_, "SuccessfulDelete", "Deleted pod: " + api::Name(*p));
    }
  }
}

ReconcileResult JobController::Reconcile(const std::string& key) {
  auto lw = last_written_.find(key);
  JsonPtr jp = NewerOf(jobs_.Get(key), lw == last_written_.end() ? nullptr : lw->second);
  if (!jobs_.Get(key)) jp = nullptr;  // deleted: our last write does not resurrect it
  if (!jp) {
    owned_.expectations().Forget(key);
    return ReconcileResult::Done();
  }
  const JsonPtr original = jp;  // `job` stays valid when jp moves on to our own write's result
  const Json& job = *original;
  if (api::IsDeleting(job)) return ReconcileResult::Done();
  const Time now = loop_.Now();
  const std::string ns = api::Namespace(job), name = api::Name(job), uid = api::Uid(job);
  Json status = job.contains("status") ? job["status"] : Json::object();
  const Json old_status = status;
  bool finished = JobCondition(job, "Complete") || JobCondition(job, "Failed");

  std::vector<JsonPtr> pods;
  std::map<std::string, JsonPtr> by_uid;
  for (const auto& pk : pods_.ByIndex("owner", uid)) {
    if (JsonPtr p = pods_.Get(pk)) {
      pods.push_back(p);
      by_uid[api::Uid(*p)] = p;
    }
  }

  // 1. Finished pods not yet recorded go into uncountedTerminatedPods.
  std::set<std::string> unc_succeeded = UidSet(status, "succeeded");
  std::set<std::string> unc_failed = UidSet(status, "failed");
  bool new_uncounted = false;
  for (const auto& p : pods) {
    if (!api::HasFinalizer(*p, kTracking)) continue;
    const std::string pu = api::Uid(*p);
    if (unc_succeeded.count(pu) || unc_failed.count(pu)) continue;
    const std::string phase = PodPhase(*p);
    if (phase == "Succeeded") {
      unc_succeeded.insert(pu);
      new_uncounted = true;
    } else if (phase == "Failed" || IsPodDeleting(*p)) {
      unc_failed.insert(pu);
      new_uncounted = true;
      last_failure_[key] = now;
    }
  }
  if (new_uncounted) {
    status["uncountedTerminatedPods"] = {{"succeeded", UidArray(unc_succeeded)},
                                         {"failed", UidArray(unc_failed)}};
    Status s = WriteStatus(job, status);
    if (!s.ok()) return ReconcileResult::Error(s);
    jp = last_written_[key];
  }
  // 2. Their finalizers come off.
  for (const auto& p : pods) {
    const std::string pu = api::Uid(*p);
    if (api::HasFinalizer(*p, kTracking) && (unc_succeeded.count(pu) || unc_failed.count(pu))) {
      Status s = RemoveFinalizer(*p);
      if (!s.ok()) return ReconcileResult::Error(s);
    }
  }
  // 3. Pods whose finalizer is gone move from uncounted into the counters. Our own removals
  //    above count too (the cache shows them shortly).
  int64_t succeeded = GetInt(status, "succeeded").value_or(0);
  int64_t failed = GetInt(status, "failed").value_or(0);
  auto settle = [&](std::set<std::string>& set, int64_t& counter) {
    for (auto it = set.begin(); it != set.end();) {
      counter += 1;
      it = set.erase(it);
    }
  };
  settle(unc_succeeded, succeeded);
  settle(unc_failed, failed);
  status["succeeded"] = succeeded;
  status["failed"] = failed;
  status["uncountedTerminatedPods"] = Json::object();

  std::vector<JsonPtr> active;
  int64_t ready = 0, terminating = 0;
  for (const auto& p : pods) {
    if (IsPodTerminal(*p)) continue;
    if (IsPodDeleting(*p)) {
      ++terminating;
      continue;
    }
    active.push_back(p);
    if (IsPodReady(*p)) ++ready;
  }
  std::sort(active.begin(), active.end(), [](const JsonPtr& a, const JsonPtr& b) {
    return GetString(*a, "metadata.creationTimestamp") != GetString(*b, "metadata.creationTimestamp")
               ? GetString(*a, "metadata.creationTimestamp") > GetString(*b, "metadata.creationTimestamp")
               : api::Name(*a) > api::Name(*b);
  });

  std::optional<Duration> requeue;
  if (!finished) {
    if (GetString(status, "startTime").empty() && !GetBool(job, "spec.suspend")) {
      status["startTime"] = FormatRfc3339(now);
    }
    const int64_t backoff_limit = GetInt(job, "spec.backoffLimit").value_or(6);
    const std::optional<int64_t> completions = GetInt(job, "spec.completions");
    const int64_t parallelism = GetInt(job, "spec.parallelism").value_or(1);
    bool exceeded = failed > backoff_limit;
    if (GetString(job, "spec.template.spec.restartPolicy") == "OnFailure") {
      int64_t restarts = 0;
      for (const auto& p : active) restarts += PodRestarts(*p);
      if (restarts > 0 && restarts >= backoff_limit) exceeded = true;
    }
    bool deadline = false;
    if (auto ads = GetInt(job, "spec.activeDeadlineSeconds")) {
      auto start = ParseRfc3339(GetString(status, "startTime"));
      if (start.ok()) {
        Time due = *start + std::chrono::seconds(*ads);
        if (now >= due) {
          deadline = true;
        } else {
          requeue = due - now;
        }
      }
    }
    const bool complete = completions ? succeeded >= *completions
                                      : (succeeded > 0 && active.empty());
    if (exceeded || deadline) {
      const std::string reason = exceeded ? "BackoffLimitExceeded" : "DeadlineExceeded";
      const std::string message = exceeded ? "Job has reached the specified backoff limit"
                                           : "Job was active longer than specified deadline";
      SetJobCondition(status, "Failed", reason, message, now);
      events_.Warning(job, source_, reason, message);
      DeleteActive(job, active);
      finished = true;
      Env& env = loop_.env();
      env.trace().Record(env.Now(), "cluster.job", Json{{"job", key}, {"failed", reason}});
    } else if (complete) {
      SetJobCondition(status, "Complete", "CompletionsReached",
                      "Reached expected number of succeeded pods", now);
      status["completionTime"] = FormatRfc3339(now);
      events_.Normal(job, source_, "Completed", "Job completed");
      DeleteActive(job, active);
      finished = true;
      Env& env = loop_.env();
      env.trace().Record(env.Now(), "cluster.job", Json{{"job", key}, {"complete", succeeded}});
    } else if (GetBool(job, "spec.suspend")) {
      DeleteActive(job, active);
    } else if (owned_.expectations().Satisfied(key, now)) {
      int64_t want = completions ? std::min(parallelism, *completions - succeeded)
                                 : (succeeded > 0 ? 0 : parallelism);
      want = std::max<int64_t>(0, want);
      int64_t diff = want - static_cast<int64_t>(active.size());
      if (diff > 0 && failed > 0 && last_failure_.count(key)) {
        Duration backoff = kFailureBackoffInitial;
        for (int64_t i = 1; i < failed && backoff < kFailureBackoffMax; ++i) backoff *= 2;
        backoff = std::min(backoff, kFailureBackoffMax);
        Time due = last_failure_[key] + backoff;
        if (now < due) {
          requeue = requeue ? std::min(*requeue, due - now) : due - now;
          diff = 0;
        }
      }
      const Json* tmpl = FindPath(job, "spec.template");
      for (int64_t i = 0; i < diff; ++i) {
        Json pod = PodFromTemplate(job, tmpl ? *tmpl : Json::object(), "", name + "-");
        api::AddFinalizer(pod, kTracking);
        auto r = server_.Create(ResourceRef{api::resources::kPods, ns, "", ""}, std::move(pod), {}, ctx_);
        if (!r.ok()) {
          events_.Warning(job, source_, "FailedCreate", "Error creating: " + r.status().message());
          return ReconcileResult::Error(r.status());
        }
        owned_.expectations().ExpectCreate(key, api::Name(*r->object), now);
        events_.Normal(job, source_, "SuccessfulCreate", "Created pod: " + api::Name(*r->object));
      }
      for (int64_t i = 0; i < -diff && i < static_cast<int64_t>(active.size()); ++i) {
        DeleteActive(job, {active[static_cast<size_t>(i)]});
      }
    }
  }
  status["active"] = finished ? 0 : static_cast<int64_t>(active.size());
  status["ready"] = finished ? 0 : ready;
  status["terminating"] = terminating;
  if (status != old_status) {
    Status s = WriteStatus(*jp, status);
    if (!s.ok()) return ReconcileResult::Error(s);
  }
  if (finished) {
    if (auto ttl = GetInt(job, "spec.ttlSecondsAfterFinished")) {
      std::string at = GetString(status, "completionTime");
      if (at.empty()) {
        if (const Json* c = FindWorkloadCondition(status, "Failed")) at = GetString(*c, "lastTransitionTime");
      }
      auto t = ParseRfc3339(at);
      if (t.ok()) {
        Time due = *t + std::chrono::seconds(*ttl);
        if (now >= due) {
          api::DeleteOptions del;
          del.propagation = api::PropagationPolicy::kBackground;
          del.precondition_uid = uid;
          (void)server_.Delete(ResourceRef{api::resources::kJobs, ns, name, ""}, del, ctx_);
          return ReconcileResult::Done();
        }
        requeue = due - now;
      }
    }
  }
  if (requeue) return ReconcileResult::After(*requeue);
  return ReconcileResult::Done();
}

}  // namespace kt::sim::cluster
