// The tuning stage of a reconcile: training ConfigMap, Job, JobStarted and WorkspaceSucceeded
// (see workspace_reconciler.h).
#include <cctype>
#include <cstdio>

#include "api/object.h"
#include "base/json.h"
#include "controllers/kaito/conditions.h"
#include "controllers/kaito/labels.h"
#include "controllers/workspace/pod_failure.h"
#include "controllers/workspace/tuning_manifest.h"
#include "controllers/workspace/workload_status.h"
#include "controllers/workspace/workspace_reconciler.h"

namespace kt::workspace {
namespace {

std::string PendingMessage(int64_t active, int64_t ready) {
  char buf[160];
  std::snprintf(buf, sizeof(buf), std::string(kaito::kMessageTuningPendingFormat).c_str(),
                static_cast<int>(active), static_cast<int>(ready));
  return buf;
}

}  // namespace

WorkspaceReconciler::Outcome WorkspaceReconciler::ReconcileTuning(const Json& ws,
                                                                  const kaito::Workspace& typed,
                                                                  const std::string& revision,
                                                                  StatusUpdate& st) {
  const kaito::TuningSpec& tuning = *typed.tuning;
  auto fail = [&](const Status& s) {
    st.Set(kaito::kConditionJobStarted, "False", kaito::kReasonTuningJobStatusFailed, s.message());
    return Outcome::Fail(s);
  };
  const kaito::Preset* preset = tuning.preset ? presets_->Find(tuning.preset->name) : nullptr;
  if (preset == nullptr) {
    std::string msg = "unsupported tuning preset name " +
                      (tuning.preset ? tuning.preset->name : std::string("(none)"));
    st.Set(kaito::kConditionJobStarted, "False", kaito::kReasonTuningJobStatusFailed, msg);
    return Outcome::Terminal(Invalid(msg));
  }
  const std::string ns = api::Namespace(ws);
  auto existing = cache_.Get(api::resources::kJobs, ns, api::Name(ws));
  if (!existing.ok() && !existing.status().Is(StatusCode::kNotFound)) {
    return fail(existing.status());
  }
  if (existing.ok() && api::Annotation(**existing, kaito::kAnnotationRevision) != revision) {
    // A new revision (new dataset or output image): the old Job goes, with its pods, before
    // the new one is created under the same name.
    if (!api::IsDeleting(**existing)) {
      auto d = client_.Delete(api::resources::kJobs, ns, api::Name(ws),
                              {.propagation = api::PropagationPolicy::kForeground});
      if (!d.ok() && !d.status().Is(StatusCode::kNotFound)) {
        return fail(d.status().Annotate("deleting tuning job of an old revision"));
      }
      Event(ws, ctrl::EventType::kNormal, "JobReplaced",
            "deleting tuning job of revision " +
                api::Annotation(**existing, kaito::kAnnotationRevision).value_or("?"));
    }
    st.Set(kaito::kConditionJobStarted, "False", kaito::kReasonTuningJobStatusPending,
           "replacing the tuning job for revision " + revision);
    st.Set(kaito::kConditionWorkspaceSucceeded, "False", kaito::kReasonWorkspacePending,
           PendingMessage(0, 0));
    return Outcome::Wait(options_.resource_requeue);
  }

  if (!existing.ok()) {
    std::string method = tuning.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool qlora = method == kaito::kTuningMethodQlora;
    auto cfg = EnsureConfigMap(ws, tuning.config,
                               qlora ? kaito::kDefaultQloraConfigTemplate
                                     : kaito::kDefaultLoraConfigTemplate,
                               kaito::kTrainingConfigKey);
    if (!cfg.ok()) return fail(cfg.status());
    auto output_dir = TuningOutputDir(cfg->second);
    if (!output_dir.ok()) return fail(output_dir.status().Annotate("training config"));
    TuningParams p;
    p.workspace = &ws;
    p.typed = &typed;
    p.preset = preset;
    p.gpus_per_node = GpusPerNode(typed, st.worker_nodes() ? *st.worker_nodes() : typed.worker_nodes,
                                  preset->tuning ? preset->tuning->gpu_count : 1);
    p.revision = revision;
    p.registry = options_.preset_registry_name;
    p.config_map = cfg->first;
    p.output_dir = *output_dir;
    auto r = client_.Create(api::resources::kJobs, ns, TuningJobManifest(p));
    if (!r.ok() && !r.status().Is(StatusCode::kAlreadyExists)) {
      return fail(r.status().Annotate("creating tuning job"));
    }
    if (r.ok()) {
      Event(ws, ctrl::EventType::kNormal, "JobCreated",
            "created tuning job " + api::Name(ws) + " at revision " + revision);
    }
    st.Set(kaito::kConditionJobStarted, "False", kaito::kReasonTuningJobStatusPending,
           "tuning job has been created and has not started yet");
    st.Set(kaito::kConditionWorkspaceSucceeded, "False", kaito::kReasonWorkspacePending,
           PendingMessage(0, 0));
    return Outcome::Wait(options_.workload_requeue);
  }

  JobProgress job = ReadJob(**existing);
  if (job.complete) {
    st.Set(kaito::kConditionJobStarted, "True", kaito::kReasonTuningJobStatusStarted,
           kaito::kMessageTuningJobStarted);
    st.Set(kaito::kConditionWorkspaceSucceeded, "True", kaito::kReasonWorkspaceSucceeded,
           kaito::kMessageWorkspaceSucceeds);
    return Outcome::Ready();
  }
  if (job.failed_terminally) {
    std::string msg = "tuning job failed: " + job.message;
    st.Set(kaito::kConditionJobStarted, "False", kaito::kReasonTuningJobStatusFailed, msg);
    st.Set(kaito::kConditionWorkspaceSucceeded, "False", kaito::kReasonWorkspaceFailed, msg);
    return Outcome::Ready();  // final: a new revision replaces the Job
  }
  auto pods = cache_.List(api::resources::kPods, ns,
                          std::string(kaito::kLabelWorkspace) + "=" + api::Name(ws));
  std::vector<const Json*> pod_list;
  bool running = false;  // a pod past its init containers: training runs (or its sidecar ends)
  if (pods.ok()) {
    for (const auto& pod : *pods) {
      pod_list.push_back(pod.get());
      const std::string phase = GetString(*pod, "status.phase");
      running = running || phase == "Running" || phase == "Succeeded";
    }
  }
  if (job.started || running) {
    st.Set(kaito::kConditionJobStarted, "True", kaito::kReasonTuningJobStatusStarted,
           kaito::kMessageTuningJobStarted);
  } else {
    if (auto f = DetectPodsFailure(pod_list)) {
      st.Set(kaito::kConditionJobStarted, "False", f->reason, f->message);
    } else {
      st.Set(kaito::kConditionJobStarted, "False", kaito::kReasonTuningJobStatusPending,
             "tuning job has not started: " + std::to_string(job.active) + " active pod(s)");
    }
  }
  st.Set(kaito::kConditionWorkspaceSucceeded, "False", kaito::kReasonWorkspacePending,
         PendingMessage(job.active, job.ready));
  return Outcome::Wait(options_.workload_requeue);
}

}  // namespace kt::workspace
