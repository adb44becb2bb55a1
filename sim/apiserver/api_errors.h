// The wording of kube-apiserver's errors, and metav1.Status bodies for them. Messages are
// byte-for-byte what kubectl and the client libraries print (kubectl-protocol.md section 4).
#ifndef KT_SIM_APISERVER_API_ERRORS_H_
#define KT_SIM_APISERVER_API_ERRORS_H_

#include <string>
#include <string_view>

#include "api/resource.h"
#include "base/json_fwd.h"
#include "base/status.h"

namespace kt::sim {

// `workspaces.kaito.sh "nope" not found`
Status NotFoundError(const api::GroupVersionResource& gvr, std::string_view name);
// `workspaces.kaito.sh "x" already exists`
Status AlreadyExistsError(const api::GroupVersionResource& gvr, std::string_view name);
// `Operation cannot be fulfilled on workspaces.kaito.sh "x": the object has been modified; ...`
Status ConflictError(const api::GroupVersionResource& gvr, std::string_view name);
// `Operation cannot be fulfilled on <gr> "x": <reason>`
Status ConflictErrorWith(const api::GroupVersionResource& gvr, std::string_view name,
                         std::string_view reason);
// `Workspace.kaito.sh "x" is invalid: <field errors>`
Status InvalidError(std::string_view kind, std::string_view group, std::string_view name,
                    std::string_view field_errors);
// `the server could not find the requested resource`
Status UnknownResourceError();
// `the server is currently unable to handle the request`
Status UnavailableError();

// A metav1.Status (kind Status, apiVersion v1) for a failure; details name the object the
// request was about (`kind` is the plural resource, as kube-apiserver fills it).
Json StatusJson(const Status& status, std::string_view name = "", std::string_view group = "",
                std::string_view kind = "", std::string_view uid = "");
// A Success Status (DELETE of a collection, eviction, binding).
Json SuccessStatusJson(std::string_view name = "", std::string_view group = "",
                       std::string_view kind = "", std::string_view uid = "");

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_API_ERRORS_H_
