// The patch and apply engines of the API server. Pure functions over JSON objects: they never
// touch the store. Errors are Status values with kube-apiserver's code and wording (BadRequest
// for a malformed patch, Invalid for a well-formed patch that cannot apply, Conflict for
// server-side apply field-ownership conflicts, UnsupportedMediaType for strategic merge patch
// on custom resources).
#ifndef KT_SIM_APISERVER_TYPES_PATCH_H_
#define KT_SIM_APISERVER_TYPES_PATCH_H_

#include <string>
#include <string_view>

#include "base/json_fwd.h"
#include "base/status.h"
#include "base/time.h"
#include "sim/apiserver/types/type_registry.h"

namespace kt::sim {

// RFC 7386 JSON merge patch. The patch must be a JSON object (else BadRequest).
Result<Json> ApplyMergePatch(const Json& original, const Json& patch);

// RFC 6902 JSON patch (add, remove, replace, move, copy, test). A failing "test" or a path that
// does not exist is Invalid/Unprocessable as kube-apiserver reports it.
Result<Json> ApplyJsonPatch(const Json& original, const Json& operations);

// Strategic merge patch for built-in kinds: lists with merge keys (containers by name, ports by
// containerPort/port, env by name, volumes by name, tolerations, conditions by type, ...) merge
// element-wise; directives $patch (replace/delete/merge), $setElementOrder/<list>,
// $deleteFromPrimitiveList/<list>, $retainKeys are honored. Custom resources: UnsupportedMediaType.
Result<Json> ApplyStrategicMergePatch(const TypeRegistry& types, const ResourceType& type,
                                      const Json& original, const Json& patch);

// Server-side apply with managed fields (metadata.managedFields, fieldsV1 format).
struct ApplyRequest {
  std::string manager;  // fieldManager, required
  bool force = false;
  Time now;
  std::string subresource;  // "" or "status"
};
// Applies `config` (the caller's intent, already converted from YAML/JSON) to `live` (null
// when the object does not exist yet: the apply creates it). Fields the manager applied before
// but no longer lists are removed unless another manager also owns them. Conflicts with other
// managers' values fail with Conflict (message "Apply failed with N conflict(s): conflict with
// \"<manager>\"...: .path") unless `force`, which takes ownership.
Result<Json> ServerSideApply(const TypeRegistry& types, const ResourceType& type, const Json& live,
                             const Json& config, const ApplyRequest& request);

// Records an ordinary write (create/update/patch) by `manager` in managedFields: the manager
// gains ownership of the fields it changed (operation "Update"), others lose those fields.
// An empty manager records nothing. Called by the store on every non-apply write. Typed like
// kube-apiserver: lists with merge keys (built-ins) or x-kubernetes-list-type map/set (CRDs)
// are owned item by item, so a later apply that changes one container's image conflicts at
// `.spec.template.spec.containers[name="web"].image` rather than at the whole list. One walk
// over the old and new objects, without building either field set.
void UpdateManagedFields(const TypeRegistry& types, const ResourceType& type,
                         const Json& old_object, Json& new_object, std::string_view manager,
                         std::string_view subresource, Time now);

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_TYPES_PATCH_H_
