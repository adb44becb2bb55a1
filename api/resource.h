// Names of API types: GroupVersionKind (what an object is) and GroupVersionResource (where it
// is served), plus the well-known resources the twin and the controllers use.
#ifndef KT_API_RESOURCE_H_
#define KT_API_RESOURCE_H_

#include <compare>
#include <string>
#include <string_view>

#include "base/status.h"

namespace kt::api {

struct GroupVersionKind {
  std::string group;  // "" for the core group
  std::string version;
  std::string kind;

  // "v1" or "apps/v1".
  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  auto operator<=>(const GroupVersionKind&) const = default;
};

struct GroupVersionResource {
  std::string group;
  std::string version;
  std::string resource;  // plural, lower-case: "workspaces"

  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  // Whether `api_version` equals ApiVersion(), without building it (a check on every write).
  bool IsApiVersion(std::string_view api_version) const {
    if (group.empty()) return api_version == version;
    return api_version.size() == group.size() + 1 + version.size() &&
           api_version.starts_with(group) && api_version[group.size()] == '/' &&
           api_version.ends_with(version);
  }
  // "workspaces.kaito.sh" or "pods": the form Kubernetes error messages use.
  std::string GroupResource() const { return group.empty() ? resource : resource + "." + group; }
  // URL prefix: "/api/v1" or "/apis/kaito.sh/v1beta1".
  std::string PathPrefix() const;
  // Collection path: ".../namespaces/NS/RESOURCE" (ns empty: ".../RESOURCE").
  std::string CollectionPath(std::string_view ns) const;
  // Object path, with an optional subresource.
  std::string ObjectPath(std::string_view ns, std::string_view name,
                         std::string_view subresource = "") const;
  auto operator<=>(const GroupVersionResource&) const = default;
};

// Splits "apps/v1" into ("apps", "v1") and "v1" into ("", "v1").
Result<std::pair<std::string, std::string>> ParseApiVersion(std::string_view api_version);

// Well-known resources.
namespace resources {
inline const GroupVersionResource kNamespaces{"", "v1", "namespaces"};
inline const GroupVersionResource kNodes{"", "v1", "nodes"};
inline const GroupVersionResource kPods{"", "v1", "pods"};
inline const GroupVersionResource kServices{"", "v1", "services"};
inline const GroupVersionResource kEndpoints{"", "v1", "endpoints"};
inline const GroupVersionResource kConfigMaps{"", "v1", "configmaps"};
inline const GroupVersionResource kSecrets{"", "v1", "secrets"};
inline const GroupVersionResource kServiceAccounts{"", "v1", "serviceaccounts"};
inline const GroupVersionResource kEvents{"", "v1", "events"};
inline const GroupVersionResource kEventsV1{"events.k8s.io", "v1", "events"};
inline const GroupVersionResource kLeases{"coordination.k8s.io", "v1", "leases"};
inline const GroupVersionResource kDeployments{"apps", "v1", "deployments"};
inline const GroupVersionResource kReplicaSets{"apps", "v1", "replicasets"};
inline const GroupVersionResource kStatefulSets{"apps", "v1", "statefulsets"};
inline const GroupVersionResource kControllerRevisions{"apps", "v1", "controllerrevisions"};
inline const GroupVersionResource kJobs{"batch", "v1", "jobs"};
inline const GroupVersionResource kEndpointSlices{"discovery.k8s.io", "v1", "endpointslices"};
inline const GroupVersionResource kCustomResourceDefinitions{"apiextensions.k8s.io", "v1",
                                                              "customresourcedefinitions"};
inline const GroupVersionResource kValidatingWebhookConfigurations{
    "admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations"};
inline const GroupVersionResource kMutatingWebhookConfigurations{
    "admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations"};
inline const GroupVersionResource kClusterRoles{"rbac.authorization.k8s.io", "v1", "clusterroles"};
inline const GroupVersionResource kClusterRoleBindings{"rbac.authorization.k8s.io", "v1",
                                                        "clusterrolebindings"};
inline const GroupVersionResource kRoles{"rbac.authorization.k8s.io", "v1", "roles"};
inline const GroupVersionResource kRoleBindings{"rbac.authorization.k8s.io", "v1", "rolebindings"};
inline const GroupVersionResource kWorkspaces{"kaito.sh", "v1beta1", "workspaces"};
inline const GroupVersionResource kWorkspacesV1alpha1{"kaito.sh", "v1alpha1", "workspaces"};
inline const GroupVersionResource kNodeClaims{"karpenter.sh", "v1", "nodeclaims"};
}  // namespace resources

}  // namespace kt::api

#endif  // KT_API_RESOURCE_H_
