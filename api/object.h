// The object model: Kubernetes objects are JSON documents (like controller-runtime's
// unstructured.Unstructured), read and written through these accessors. The API server, the
// controllers and the clients share this one representation, so nothing is lost between a
// typed view and the wire (unknown fields survive, as on a real server).
//
// Accessors tolerate missing fields (returning empty values); setters create intermediate
// objects. None of these functions validates: validation is the API server's job.
#ifndef KT_API_OBJECT_H_
#define KT_API_OBJECT_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/resource.h"
#include "base/json_fwd.h"
#include "base/time.h"

namespace kt::api {

using Labels = std::map<std::string, std::string>;

// metadata
// The member `key` of obj's metadata, in place; null when absent (or obj has no metadata object).
const Json* MetaField(const Json& obj, std::string_view key);
std::string Name(const Json& obj);
std::string Namespace(const Json& obj);
std::string Uid(const Json& obj);
std::string ResourceVersion(const Json& obj);
int64_t Generation(const Json& obj);
std::string Kind(const Json& obj);
std::string ApiVersionOf(const Json& obj);
GroupVersionKind GvkOf(const Json& obj);
Labels GetLabels(const Json& obj);
Labels GetAnnotations(const Json& obj);
std::optional<std::string> Label(const Json& obj, std::string_view key);
std::optional<std::string> Annotation(const Json& obj, std::string_view key);
std::vector<std::string> Finalizers(const Json& obj);
bool HasFinalizer(const Json& obj, std::string_view finalizer);
bool IsDeleting(const Json& obj);  // metadata.deletionTimestamp set
std::optional<Time> CreationTimestamp(const Json& obj);

void SetName(Json& obj, std::string_view name);
void SetNamespace(Json& obj, std::string_view ns);
void SetLabel(Json& obj, std::string_view key, std::string_view value);
void SetAnnotation(Json& obj, std::string_view key, std::string_view value);
void RemoveLabel(Json& obj, std::string_view key);
// Returns true when the finalizer was added (absent before).
bool AddFinalizer(Json& obj, std::string_view finalizer);
// Returns true when the finalizer was removed (present before).
bool RemoveFinalizer(Json& obj, std::string_view finalizer);

// "namespace/name", or "name" for cluster-scoped objects.
std::string KeyOf(const Json& obj);
std::string Key(std::string_view ns, std::string_view name);

// Owner references.
struct OwnerReference {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  bool controller = false;
  bool block_owner_deletion = false;
};
std::vector<OwnerReference> OwnerReferences(const Json& obj);
// The owner reference with controller=true, if any.
std::optional<OwnerReference> ControllerOf(const Json& obj);
// An owner reference to `owner` (controller, blockOwnerDeletion) as JSON.
Json ControllerReference(const Json& owner);
void SetControllerReference(Json& obj, const Json& owner);

// Conditions (metav1.Condition-shaped: type, status, reason, message, lastTransitionTime,
// observedGeneration) under status.conditions.
struct Condition {
  std::string type;
  std::string status;  // "True" | "False" | "Unknown"
  std::string reason;
  std::string message;
  std::string last_transition_time;
  std::optional<int64_t> observed_generation;
};
std::vector<Condition> Conditions(const Json& obj);
std::optional<Condition> FindCondition(const Json& obj, std::string_view type);
bool IsConditionTrue(const Json& obj, std::string_view type);
// Sets or replaces the condition of c.type. lastTransitionTime changes only when the status
// changes (as apimachinery's SetStatusCondition does). Returns true when anything changed.
bool SetCondition(Json& obj, const Condition& c, Time now);
Json ConditionToJson(const Condition& c);

}  // namespace kt::api

#endif  // KT_API_OBJECT_H_
