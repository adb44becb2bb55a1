#include "sim/apiserver/field_labels.h"

#include <algorithm>
#include <array>

#include "base/json.h"

namespace kt::sim {

namespace {

struct ResourceLabels {
  std::string_view group;
  std::string_view resource;
  std::vector<std::string_view> labels;
};

const std::vector<ResourceLabels>& Table() {
  static const std::vector<ResourceLabels> kTable = {
      {"", "pods",
       {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
        "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"}},
      {"", "nodes", {"spec.unschedulable"}},
      {"", "events",
       {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
        "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
        "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"}},
      {"events.k8s.io", "events",
       {"regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid",
        "regarding.apiVersion", "regarding.resourceVersion", "regarding.fieldPath", "reason",
        "reportingController", "type"}},
      {"", "secrets", {"type"}},
      {"", "namespaces", {"status.phase"}},
      {"", "services", {"spec.clusterIP", "spec.type"}},
      {"", "replicationcontrollers", {"status.replicas"}},
      {"apps", "replicasets", {"status.replicas"}},
      {"batch", "jobs", {"status.successful"}},
  };
  return kTable;
}

const ResourceLabels* Find(std::string_view group, std::string_view resource) {
  for (const auto& r : Table()) {
    if (r.group == group && r.resource == resource) return &r;
  }
  return nullptr;
}

bool IsBooleanLabel(std::string_view label) {
  return label == "spec.unschedulable" || label == "spec.hostNetwork";
}

std::string Joined(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    s += '"';
    s += v[i];
    s += '"';
  }
  return s;
}

}  // namespace

Status ValidateFieldSelector(const FieldLabelScope& scope, const api::FieldSelector& selector) {
  std::vector<std::string> allowed = {"metadata.name"};
  if (scope.namespaced) allowed.push_back("metadata.namespace");
  if (const ResourceLabels* r = Find(scope.group, scope.resource)) {
    for (auto l : r->labels) allowed.emplace_back(l);
  }
  for (const auto& f : scope.selectable_fields) allowed.push_back(f);
  for (const auto& term : selector.terms()) {
    if (std::find(allowed.begin(), allowed.end(), term.field) != allowed.end()) continue;
    if (scope.is_custom) {
      return BadRequest("\"" + term.field + "\" is not a known field selector: only " +
                        Joined(allowed));
    }
    return BadRequest("field label not supported: " + term.field);
  }
  return Status::Ok();
}

std::string FieldLabelValue(std::string_view group, std::string_view resource, const Json& obj,
                            std::string_view label) {
  if (label == "source" && resource == "events" && group.empty()) {
    return GetString(obj, "source.component");
  }
  std::string v = api::FieldValue(obj, label);
  if (v.empty() && IsBooleanLabel(label)) return "false";
  if (v.empty() && (label == "status.replicas" || label == "status.successful")) return "0";
  return v;
}

bool MatchesFieldSelector(std::string_view group, std::string_view resource,
                          const api::FieldSelector& selector, const Json& obj) {
  for (const auto& term : selector.terms()) {
    bool eq = FieldLabelValue(group, resource, obj, term.field) == term.value;
    if (eq != term.equals) return false;
  }
  return true;
}

}  // namespace kt::sim
