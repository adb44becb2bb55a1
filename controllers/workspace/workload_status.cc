#include "controllers/workspace/workload_status.h"

#include "api/object.h"
#include "base/json.h"

namespace kt::workspace {

WorkloadReadiness ReadWorkload(const Json& obj) {
  WorkloadReadiness r;
  const int64_t want = GetInt(obj, "spec.replicas").value_or(1);
  const int64_t ready = GetInt(obj, "status.readyReplicas").value_or(0);
  const int64_t updated = GetInt(obj, "status.updatedReplicas").value_or(0);
  const bool observed =
      GetInt(obj, "status.observedGeneration").value_or(0) >= api::Generation(obj);
  const bool deployment = api::Kind(obj) == "Deployment";
  r.message = std::to_string(ready) + "/" + std::to_string(want) + " replicas ready";
  if (deployment) {
    if (auto p = api::FindCondition(obj, "Progressing"); p && p->status == "False") {
      r.failed = true;
      r.message = "deployment " + api::Name(obj) + " failed to progress: " + p->reason +
                  (p->message.empty() ? "" : ": " + p->message);
      return r;
    }
    r.ready = observed && updated >= want && ready >= want;
  } else {
    r.ready = observed && ready >= want;
  }
  return r;
}

JobProgress ReadJob(const Json& job) {
  JobProgress j;
  j.active = GetInt(job, "status.active").value_or(0);
  j.ready = GetInt(job, "status.ready").value_or(0);
  j.succeeded = GetInt(job, "status.succeeded").value_or(0);
  j.failed = GetInt(job, "status.failed").value_or(0);
  j.complete = j.succeeded > 0 || api::IsConditionTrue(job, "Complete");
  if (auto f = api::FindCondition(job, "Failed"); f && f->status == "True") {
    j.failed_terminally = true;
    j.message = f->reason + (f->message.empty() ? "" : ": " + f->message);
  }
  j.started = j.ready > 0 || j.complete;
  return j;
}

}  // namespace kt::workspace
