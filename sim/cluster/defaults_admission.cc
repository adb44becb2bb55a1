#include "sim/cluster/defaults_admission.h"

#include "api/object.h"
#include "base/json.h"
#include "sim/cluster/image_catalog.h"

namespace kt::sim::cluster {

namespace {

void SetIfMissing(Json& obj, const char* key, Json value) {
  if (!obj.contains(key) || obj[key].is_null()) obj[key] = std::move(value);
}

void DefaultProbe(Json& c, const char* field) {
  if (!c.contains(field) || !c[field].is_object()) return;
  Json& p = c[field];
  SetIfMissing(p, "timeoutSeconds", 1);
  SetIfMissing(p, "periodSeconds", 10);
  SetIfMissing(p, "successThreshold", 1);
  SetIfMissing(p, "failureThreshold", 3);
  if (p.contains("httpGet") && p["httpGet"].is_object()) {
    SetIfMissing(p["httpGet"], "scheme", "HTTP");
    SetIfMissing(p["httpGet"], "path", "/");
  }
}

void DefaultContainer(Json& c, bool init) {
  if (!c.is_object()) return;
  std::string image = GetString(c, "image");
  SetIfMissing(c, "imagePullPolicy", IsLatestTag(image) ? "Always" : "IfNotPresent");
  SetIfMissing(c, "terminationMessagePath", "/dev/termination-log");
  SetIfMissing(c, "terminationMessagePolicy", "File");
  SetIfMissing(c, "resources", Json::object());
  Json& res = c["resources"];
  if (res.is_object() && res.contains("limits") && res["limits"].is_object()) {
    if (!res.contains("requests") || !res["requests"].is_object()) res["requests"] = Json::object();
    for (const auto& [k, v] : res["limits"].items()) {
      if (!res["requests"].contains(k)) res["requests"][k] = v;
    }
  }
  if (!init) {
    DefaultProbe(c, "livenessProbe");
    DefaultProbe(c, "readinessProbe");
    DefaultProbe(c, "startupProbe");
  }
}

Json* TemplateSpec(Json& obj) {
  if (!obj.contains("spec") || !obj["spec"].is_object()) return nullptr;
  Json& spec = obj["spec"];
  if (!spec.contains("template") || !spec["template"].is_object()) return nullptr;
  Json& t = spec["template"];
  if (!t.contains("spec") || !t["spec"].is_object()) return nullptr;
  return &t["spec"];
}

}  // namespace

void DefaultsAdmission::DefaultPodSpec(Json& spec) {
  if (!spec.is_object()) return;
  SetIfMissing(spec, "restartPolicy", "Always");
  SetIfMissing(spec, "dnsPolicy", "ClusterFirst");
  SetIfMissing(spec, "schedulerName", "default-scheduler");
  SetIfMissing(spec, "terminationGracePeriodSeconds", 30);
  SetIfMissing(spec, "securityContext", Json::object());
  SetIfMissing(spec, "enableServiceLinks", true);
  if (!spec.contains("priorityClassName")) SetIfMissing(spec, "priority", 0);
  SetIfMissing(spec, "preemptionPolicy", "PreemptLowerPriority");
  if (!spec.contains("serviceAccountName") && spec.contains("serviceAccount")) {
    spec["serviceAccountName"] = spec["serviceAccount"];
  }
  SetIfMissing(spec, "serviceAccountName", "default");
  SetIfMissing(spec, "serviceAccount", spec["serviceAccountName"]);
  for (const char* list : {"containers", "initContainers"}) {
    if (!spec.contains(list) || !spec[list].is_array()) continue;
    for (auto& c : spec[list]) DefaultContainer(c, std::string(list) == "initContainers");
  }
}

void DefaultsAdmission::DefaultTolerations(Json& spec) const {
  if (!spec.is_object()) return;
  Json& tols = spec["tolerations"];
  if (!tols.is_array()) tols = Json::array();
  for (const char* key : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
    bool has = false;
    for (const auto& t : tols) {
      std::string k = GetString(t, "key");
      std::string effect = GetString(t, "effect");
      std::string op = GetString(t, "operator", "Equal");
      bool key_match = k == key || (k.empty() && op == "Exists");
      if (key_match && (effect.empty() || effect == "NoExecute")) has = true;
    }
    if (has) continue;
    tols.push_back({{"key", key},
                    {"operator", "Exists"},
                    {"effect", "NoExecute"},
                    {"tolerationSeconds", toleration_seconds_}});
  }
}

Status DefaultsAdmission::Admit(const AdmissionRequest& request, Json& object) {
  if (request.operation != AdmissionOperation::kCreate &&
      request.operation != AdmissionOperation::kUpdate) {
    return Status::Ok();
  }
  if (!request.subresource.empty() || !object.is_object()) return Status::Ok();
  const auto& gvr = request.resource;
  const bool create = request.operation == AdmissionOperation::kCreate;
  if (gvr.group.empty() && gvr.resource == "pods") {
    if (!create) return Status::Ok();  // a pod's spec is (almost) immutable: defaulted once
    if (!object.contains("spec") || !object["spec"].is_object()) return Status::Ok();
    DefaultPodSpec(object["spec"]);
    DefaultTolerations(object["spec"]);
    return Status::Ok();
  }
  if (gvr.group == "apps" && gvr.resource == "deployments") {
    if (Json* t = TemplateSpec(object)) DefaultPodSpec(*t);
    Json& spec = object["spec"];
    SetIfMissing(spec, "strategy", Json::object());
    Json& strategy = spec["strategy"];
    SetIfMissing(strategy, "type", "RollingUpdate");
    if (GetString(strategy, "type") == "RollingUpdate") {
      SetIfMissing(strategy, "rollingUpdate", Json::object());
      SetIfMissing(strategy["rollingUpdate"], "maxSurge", "25%");
      SetIfMissing(strategy["rollingUpdate"], "maxUnavailable", "25%");
    }
    SetIfMissing(spec, "revisionHistoryLimit", 10);
    SetIfMissing(spec, "progressDeadlineSeconds", 600);
    return Status::Ok();
  }
  if (gvr.group == "apps" && (gvr.resource == "replicasets" || gvr.resource == "statefulsets")) {
    if (Json* t = TemplateSpec(object)) DefaultPodSpec(*t);
    if (gvr.resource == "statefulsets") {
      Json& spec = object["spec"];
      SetIfMissing(spec, "updateStrategy", Json::object());
      SetIfMissing(spec["updateStrategy"], "type", "RollingUpdate");
      if (GetString(spec["updateStrategy"], "type") == "RollingUpdate") {
        SetIfMissing(spec["updateStrategy"], "rollingUpdate", Json::object());
        SetIfMissing(spec["updateStrategy"]["rollingUpdate"], "partition", 0);
      }
      SetIfMissing(spec, "podManagementPolicy", "OrderedReady");
      SetIfMissing(spec, "revisionHistoryLimit", 10);
      SetIfMissing(spec, "persistentVolumeClaimRetentionPolicy",
                   Json{{"whenDeleted", "Retain"}, {"whenScaled", "Retain"}});
    }
    return Status::Ok();
  }
  if (gvr.group == "batch" && gvr.resource == "jobs") {
    if (Json* t = TemplateSpec(object)) DefaultPodSpec(*t);
    if (!create) return Status::Ok();
    Json& spec = object["spec"];
    if (!spec.is_object()) return Status::Ok();
    if (!spec.contains("completions") && !spec.contains("parallelism")) {
      spec["completions"] = 1;
      spec["parallelism"] = 1;
    }
    SetIfMissing(spec, "parallelism", 1);
    SetIfMissing(spec, "backoffLimit", 6);
    SetIfMissing(spec, "completionMode", "NonIndexed");
    SetIfMissing(spec, "suspend", false);
    SetIfMissing(spec, "podReplacementPolicy", "TerminatingOrFailed");
    const std::string uid = api::Uid(object);
    const std::string name = api::Name(object);
    if (!GetBool(spec, "manualSelector") && !uid.empty()) {
      spec["selector"] = {{"matchLabels", {{"batch.kubernetes.io/controller-uid", uid}}}};
      Json& tmpl = spec["template"];
      if (!tmpl.is_object()) tmpl = Json::object();
      Json& labels = tmpl["metadata"]["labels"];
      if (!labels.is_object()) labels = Json::object();
      labels["controller-uid"] = uid;
      labels["batch.kubernetes.io/controller-uid"] = uid;
      labels["job-name"] = name;
      labels["batch.kubernetes.io/job-name"] = name;
    }
    return Status::Ok();
  }
  return Status::Ok();
}

bool DefaultsAdmission::MayChange(const AdmissionRequest& request) const {
  if (!request.subresource.empty()) return false;
  const bool create = request.operation == AdmissionOperation::kCreate;
  if (!create && request.operation != AdmissionOperation::kUpdate) return false;
  const auto& gvr = request.resource;
  if (gvr.group.empty()) return gvr.resource == "pods" && create;
  if (gvr.group == "apps") {
    return gvr.resource == "deployments" || gvr.resource == "replicasets" ||
           gvr.resource == "statefulsets";
  }
  return gvr.group == "batch" && gvr.resource == "jobs";
}

}  // namespace kt::sim::cluster
