// Table printers of apps/v1 and batch/v1 kinds (Deployment READY/UP-TO-DATE/AVAILABLE,
// ReplicaSet DESIRED/CURRENT/READY, StatefulSet READY, ControllerRevision CONTROLLER/REVISION,
// Job STATUS/COMPLETIONS/DURATION), as kube-apiserver computes them.
#include <map>

#include "api/object.h"
#include "sim/apiserver/types/builtin_printers.h"

namespace kt::sim {
namespace {

std::string Fraction(int64_t a, int64_t b) { return std::to_string(a) + "/" + std::to_string(b); }

PrinterColumn ContainersColumn() {
  return Column("Containers", "string", "Names of each container in the template.", 1);
}
PrinterColumn ImagesColumn() {
  return Column("Images", "string", "Images referenced by each container in the template.", 1);
}
PrinterColumn SelectorColumn(const char* what) {
  return Column("Selector", "string", std::string("Label selector for pods. Existing ") + what +
                                          " whose pods are selected by this will be the ones "
                                          "affected by this deployment.",
                1);
}

const Json& TemplateContainers(const Json& o) { return ArrayAt(o, "spec.template.spec.containers"); }

std::string SelectorOf(const Json& o) {
  const Json* s = FindPath(o, "spec.selector");
  return s == nullptr ? "" : SelectorString(*s);
}

bool JobCondition(const Json& job, std::string_view type) {
  for (const Json& c : ArrayAt(job, "status.conditions")) {
    if (GetString(c, "type") == type && GetString(c, "status") == "True") return true;
  }
  return false;
}

Json JobRow(const Json& job, Time now) {
  std::string completions;
  int64_t succeeded = IntAt(job, "status.succeeded");
  if (FindPath(job, "spec.completions") != nullptr && FindPath(job, "spec.completions")->is_number()) {
    completions = Fraction(succeeded, IntAt(job, "spec.completions"));
  } else {
    int64_t parallelism = IntAt(job, "spec.parallelism");
    completions = parallelism > 1 ? Fraction(succeeded, 1) + " of " + std::to_string(parallelism)
                                  : Fraction(succeeded, 1);
  }
  std::string duration;
  auto start = ParseRfc3339(StrAt(job, "status.startTime"));
  if (start.ok()) {
    auto done = ParseRfc3339(StrAt(job, "status.completionTime"));
    duration = HumanDuration((done.ok() ? *done : now) - *start);
  }
  std::string status;
  bool deleting = FindPath(job, "metadata.deletionTimestamp") != nullptr &&
                  !FindPath(job, "metadata.deletionTimestamp")->is_null();
  if (JobCondition(job, "Complete")) {
    status = "Complete";
  } else if (JobCondition(job, "Failed")) {
    status = "Failed";
  } else if (deleting) {
    status = "Terminating";
  } else if (JobCondition(job, "Suspended")) {
    status = "Suspended";
  } else if (JobCondition(job, "FailureTarget")) {
    status = "FailureTarget";
  } else if (JobCondition(job, "SuccessCriteriaMet")) {
    status = "SuccessCriteriaMet";
  } else {
    status = "Running";
  }
  return Json::array({api::Name(job), status, completions, duration, AgeOf(job, now),
                      ContainerNames(TemplateContainers(job)),
                      ContainerImages(TemplateContainers(job)), SelectorOf(job)});
}

std::string ControllerName(const Json& o) {
  auto ref = api::ControllerOf(o);
  if (!ref) return "<none>";
  auto gv = api::ParseApiVersion(ref->api_version);
  std::string group = gv.ok() ? gv->first : "";
  std::string kind = ref->kind;
  if (!group.empty()) kind += "." + group;
  for (char& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return kind + "/" + ref->name;
}

}  // namespace

void RegisterWorkloadPrinters(std::map<std::string, TablePrinter>& out) {
  out["apps/Deployment"] = {
      {NameColumn(), Column("Ready", "string", "Number of the pod with ready state"),
       Column("Up-to-date", "integer", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
       Column("Available", "integer", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
       AgeColumn(), ContainersColumn(), ImagesColumn(), SelectorColumn("ReplicaSets")},
      [](const Json& o, Time now) {
        return Json::array({api::Name(o),
                            Fraction(IntAt(o, "status.readyReplicas"), IntAt(o, "spec.replicas", 1)),
                            IntAt(o, "status.updatedReplicas"), IntAt(o, "status.availableReplicas"),
                            AgeOf(o, now), ContainerNames(TemplateContainers(o)),
                            ContainerImages(TemplateContainers(o)), SelectorOf(o)});
      }};
  out["apps/ReplicaSet"] = {
      {NameColumn(), Column("Desired", "integer", "Number of desired pods."),
       Column("Current", "integer", "The most recently observed number of replicas."),
       Column("Ready", "integer", "The number of ready replicas for this replica set."),
       AgeColumn(), ContainersColumn(), ImagesColumn(), SelectorColumn("pods")},
      [](const Json& o, Time now) {
        return Json::array({api::Name(o), IntAt(o, "spec.replicas", 1), IntAt(o, "status.replicas"),
                            IntAt(o, "status.readyReplicas"), AgeOf(o, now),
                            ContainerNames(TemplateContainers(o)),
                            ContainerImages(TemplateContainers(o)), SelectorOf(o)});
      }};
  out["apps/StatefulSet"] = {
      {NameColumn(), Column("Ready", "string", "Number of the pod with ready state"), AgeColumn(),
       ContainersColumn(), ImagesColumn()},
      [](const Json& o, Time now) {
        return Json::array({api::Name(o),
                            Fraction(IntAt(o, "status.readyReplicas"), IntAt(o, "spec.replicas", 1)),
                            AgeOf(o, now), ContainerNames(TemplateContainers(o)),
                            ContainerImages(TemplateContainers(o))});
      }};
  out["apps/ControllerRevision"] = {
      {NameColumn(), Column("Controller", "string", "Controller of the object."),
       Column("Revision", "integer", "Revision indicates the revision of the state represented by Data."),
       AgeColumn()},
      [](const Json& o, Time now) {
        return Json::array({api::Name(o), ControllerName(o), IntAt(o, "revision"), AgeOf(o, now)});
      }};
  out["batch/Job"] = {
      {NameColumn(), Column("Status", "string", "Status of the job."),
       Column("Completions", "string", "The desired number of successfully finished pods the job should be run with."),
       Column("Duration", "string", "Time required to complete the job."), AgeColumn(),
       ContainersColumn(), ImagesColumn(), SelectorColumn("pods")},
      JobRow};
}

}  // namespace kt::sim
