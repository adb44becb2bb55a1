// TypeRegistry: everything the API server knows about kinds, built-in and custom.
//
// For each served resource (group, version, plural) it holds the discovery facts (kind, scope,
// short names, categories, verbs, subresources), the schema used to validate, default and
// prune objects (OpenAPI v3 structural schemas: built-in kinds get schemas for the fields the
// twin uses and preserve the rest; CRDs bring their own), the Table columns `kubectl get`
// prints, and the strategic-merge-patch merge keys of built-in kinds. From the same facts it
// renders discovery documents (aggregated v2 and legacy) and OpenAPI v3.
//
// CRDs are added at run time (AddCrd when a CustomResourceDefinition is created or updated) or
// from files at start-up; every served version becomes a resource; all versions of a CRD share
// one storage (conversion strategy None: only apiVersion changes between versions).
//
// Owner: one per ApiServer. Thread-safety: not thread-safe; the ApiServer serializes access.
#ifndef KT_SIM_APISERVER_TYPES_TYPE_REGISTRY_H_
#define KT_SIM_APISERVER_TYPES_TYPE_REGISTRY_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/resource.h"
#include "base/json_fwd.h"
#include "base/status.h"
#include "base/time.h"

namespace kt::sim {

struct ResourceType {
  api::GroupVersionResource gvr;
  std::string kind;       // "Workspace"
  std::string list_kind;  // "WorkspaceList"
  std::string singular;   // "workspace"
  bool namespaced = true;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  std::vector<std::string> verbs;         // create delete deletecollection get list patch update watch
  std::vector<std::string> subresources;  // "status", "scale", "binding", "eviction"
  bool has_status = false;  // status subresource: spec writes ignore .status and vice versa
  bool is_custom = false;   // from a CRD (strategic merge patch not supported: 415)
  std::string crd_name;     // "workspaces.kaito.sh" for custom resources
  // All versions of one kind share storage; this names it ("kaito.sh/workspaces").
  std::string storage_key;
  bool served = true;
  bool storage_version = false;

  api::GroupVersionKind gvk() const { return {gvr.group, gvr.version, kind}; }
};

struct ValidationResult {
  Status status;                      // Invalid (422) with the field errors, or OK
  std::vector<std::string> warnings;  // e.g. unknown fields under fieldValidation=Warn
};

class TypeRegistry {
 public:
  // Registers every built-in kind the twin serves (see kubectl-protocol.md and the list).
  TypeRegistry();
  ~TypeRegistry();

  const ResourceType* Find(const api::GroupVersionResource& gvr) const;
  const ResourceType* FindByKind(const api::GroupVersionKind& gvk) const;
  // Every served resource, in discovery order (groups in preferred order, core first).
  std::vector<const ResourceType*> All() const;

  // Registers/replaces the resources of a CustomResourceDefinition (apiextensions.k8s.io/v1).
  // Validates the CRD itself (structural schema rules, names, versions): Invalid on error.
  Status AddCrd(const Json& crd);
  void RemoveCrd(std::string_view crd_name);
  // Validates a CRD object without registering it (the CRD create/update path).
  Status ValidateCrd(const Json& crd) const;

  // Schema operations. `field_validation` is "Strict", "Warn" or "Ignore" (unknown fields:
  // Strict -> Invalid/BadRequest as kube-apiserver answers, Warn -> warnings, Ignore -> dropped
  // silently). Pruning removes unknown fields unless x-kubernetes-preserve-unknown-fields.
  ValidationResult Validate(const ResourceType& type, const Json& obj,
                            std::string_view field_validation) const;
  void ApplyDefaults(const ResourceType& type, Json& obj) const;
  void Prune(const ResourceType& type, Json& obj) const;

  // Table output (meta.k8s.io/v1 Table) for `kubectl get`, with the server formatting AGE.
  // `include_object`: "None" | "Metadata" (PartialObjectMetadata, the default) | "Object".
  Json ToTable(const ResourceType& type, const std::vector<const Json*>& objects, Time now,
               std::string_view include_object) const;

  // Discovery documents.
  Json AggregatedDiscovery(bool core) const;  // apidiscovery.k8s.io/v2 APIGroupDiscoveryList
  Json LegacyApiVersions() const;             // GET /api
  Json LegacyApiGroupList() const;            // GET /apis
  // GET /api/v1 or /apis/{g}/{v}; NotFound when the group version is not served.
  Result<Json> LegacyApiResourceList(std::string_view group, std::string_view version) const;

  // OpenAPI v3: the index (GET /openapi/v3) and one group version's document
  // (key "api/v1" or "apis/kaito.sh/v1beta1"). Hashes change when the document changes.
  Json OpenApiIndex() const;
  Result<Json> OpenApiDocument(std::string_view group_version_path) const;

  // Strategic merge patch metadata for a built-in kind at a field path (e.g. "spec.containers"
  // -> merge key "name"); nullopt when the list is atomic/replace or the path is unknown.
  struct ListMergeInfo {
    std::string merge_key;      // "" for a primitive set list (merge by value)
    bool primitive_set = false;  // e.g. finalizers: merge as a set
  };
  std::optional<ListMergeInfo> MergeInfo(const ResourceType& type,
                                         std::string_view field_path) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_TYPES_TYPE_REGISTRY_H_
