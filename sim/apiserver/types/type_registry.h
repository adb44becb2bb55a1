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

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "api/resource.h"
#include "base/json_fwd.h"
#include "base/status.h"
#include "base/time.h"

namespace kt::sim {

struct Schema;      // schema.h: a compiled structural schema
struct FieldError;  // field_error.h

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
  // The field errors behind an Invalid status (for the Status body's details.causes; see
  // CausesJson in field_error.h).
  std::vector<FieldError> errors;

  ValidationResult();
  ~ValidationResult();
  ValidationResult(const ValidationResult&);
  ValidationResult& operator=(const ValidationResult&);
  ValidationResult(ValidationResult&&) noexcept;
  ValidationResult& operator=(ValidationResult&&) noexcept;
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
  // Pointers stay valid until the resource stops being served (RemoveCrd, or AddCrd dropping
  // that version) and a further 1024 resources have been dropped after it; an AddCrd that
  // keeps a version updates its ResourceType in place.

  // Every served version sharing one storage ("kaito.sh/workspaces"), in discovery order.
  std::vector<const ResourceType*> VersionsOf(std::string_view storage_key) const;
  // The storage version of the kind `type` belongs to (the type itself for built-ins).
  const ResourceType* StorageVersionOf(const ResourceType& type) const;
  // Increases whenever the served set or a schema changes (CRD added, updated or removed).
  uint64_t Revision() const;

  // Registers/replaces the resources of a CustomResourceDefinition (apiextensions.k8s.io/v1).
  // Validates the CRD itself (structural schema rules, names, versions): Invalid on error.
  Status AddCrd(const Json& crd);
  void RemoveCrd(std::string_view crd_name);
  // Validates a CRD object without registering it (the CRD create/update path).
  Status ValidateCrd(const Json& crd) const;

  // Schema operations. `field_validation` is "Strict", "Warn" or "Ignore" (unknown fields:
  // Strict -> Invalid/BadRequest as kube-apiserver answers, Warn -> warnings, Ignore -> dropped
  // silently). Pruning removes unknown fields unless x-kubernetes-preserve-unknown-fields.
  // Validate checks metadata (name rules, labels, annotations, finalizers), the schema, and
  // for CustomResourceDefinitions the CRD rules; unknown fields are reported per
  // `field_validation` (Strict: BadRequest "<Kind> in version \"v1\" cannot be handled as a
  // <Kind>: strict decoding error: unknown field \"spec.foo\"").
  ValidationResult Validate(const ResourceType& type, const Json& obj,
                            std::string_view field_validation) const;
  void ApplyDefaults(const ResourceType& type, Json& obj) const;
  void Prune(const ResourceType& type, Json& obj) const;
  // The whole admission of a written object in kube-apiserver's order: unknown fields per
  // `field_validation` (Strict fails with BadRequest), then Prune, ApplyDefaults, and
  // Validate. `obj` is modified in place (pruned and defaulted) even when validation fails.
  // `only_member` ("status", for a status write of a built-in kind whose other members come
  // from the stored object) limits all four to that member and the object's metadata.
  // `stored`: for an update, the stored object it replaces. For a built-in kind, top-level
  // members equal to its members were admitted with it and are left alone (the outcome is the
  // same, as the kind's schema never changes). For a custom resource, validation ratchets:
  // values equal to the ones they replace keep the errors they had (see SchemaWalk::previous),
  // so an object stored under an older schema can still be updated where it did not change.
  ValidationResult Admit(const ResourceType& type, Json& obj, std::string_view field_validation,
                         std::string_view only_member = {}, const Json* stored = nullptr) const;
  // The compiled schema of a resource (null: no schema, everything is kept).
  const Schema* SchemaOf(const ResourceType& type) const;

  // Table output (meta.k8s.io/v1 Table) for `kubectl get`, with the server formatting AGE.
  // `include_object`: "None" | "Metadata" (PartialObjectMetadata, the default) | "Object".
  Json ToTable(const ResourceType& type, const std::vector<const Json*>& objects, Time now,
               std::string_view include_object) const;

  // Discovery documents.
  Json AggregatedDiscovery(bool core) const;  // apidiscovery.k8s.io/v2 APIGroupDiscoveryList
  Json LegacyApiVersions() const;             // GET /api
  Json LegacyApiGroupList() const;            // GET /apis
  // GET /apis/{g}: the APIGroup; NotFound when the group is not served.
  Result<Json> LegacyApiGroup(std::string_view group) const;
  // GET /api/v1 or /apis/{g}/{v}; NotFound when the group version is not served.
  Result<Json> LegacyApiResourceList(std::string_view group, std::string_view version) const;

  // OpenAPI v3: the index (GET /openapi/v3) and one group version's document
  // (key "api/v1" or "apis/kaito.sh/v1beta1"). Hashes change when the document changes.
  Json OpenApiIndex() const;
  // A text derived from the registry alone, built once per Revision and then served from a
  // cache under `key` (the OpenAPI v2 bodies: rebuilding them takes tens of milliseconds under
  // the API server's lock). A failed build is not cached. Same locking as every const method.
  Result<std::string> Memo(std::string_view key,
                           const std::function<Result<std::string>()>& build) const;
  Result<Json> OpenApiDocument(std::string_view group_version_path) const;

  // List merge metadata at a field path (e.g. "spec.containers" -> merge key "name"); nullopt
  // when the list is atomic/replace or the path is unknown. Strategic merge patch identifies
  // items by merge_key alone; server-side apply by map_keys (its listMapKeys, which may be
  // several fields: a container port is containerPort + protocol), a missing key field taking
  // its default from key_defaults (protocol: TCP).
  struct ListMergeInfo {
    std::string merge_key;      // "" for a primitive set list (merge by value)
    bool primitive_set = false;  // e.g. finalizers: merge as a set
    std::vector<std::string> map_keys;  // empty: {merge_key}
    std::vector<std::pair<std::string, std::string>> key_defaults;  // field -> string value
  };
  std::optional<ListMergeInfo> MergeInfo(const ResourceType& type,
                                         std::string_view field_path) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_TYPES_TYPE_REGISTRY_H_
