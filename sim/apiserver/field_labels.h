// Which field selectors each resource supports, and how a field label reads an object, the way
// kube-apiserver's per-resource GetAttrs/field label conversion functions define them.
// Every namespaced resource supports metadata.name and metadata.namespace, cluster-scoped ones
// metadata.name; pods, nodes, events, secrets, namespaces, services, replicasets and jobs add
// their own labels; custom resources add the CRD version's selectableFields. An unsupported
// label is a 400 BadRequest with the real server's message.
#ifndef KT_SIM_APISERVER_FIELD_LABELS_H_
#define KT_SIM_APISERVER_FIELD_LABELS_H_

#include <string>
#include <string_view>
#include <vector>

#include "api/field_selector.h"
#include "base/json_fwd.h"
#include "base/status.h"

namespace kt::sim {

struct FieldLabelScope {
  std::string group;     // "" core
  std::string resource;  // plural
  bool namespaced = true;
  bool is_custom = false;
  std::vector<std::string> selectable_fields;  // custom resources: "spec.color", ...
};

// OK when every term of `selector` names a supported field label.
Status ValidateFieldSelector(const FieldLabelScope& scope, const api::FieldSelector& selector);

// The value of a field label on an object as the selector compares it (booleans "true"/"false",
// absent booleans "false", events' "source" is source.component).
std::string FieldLabelValue(std::string_view group, std::string_view resource, const Json& obj,
                            std::string_view label);

bool MatchesFieldSelector(std::string_view group, std::string_view resource,
                          const api::FieldSelector& selector, const Json& obj);

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_FIELD_LABELS_H_
