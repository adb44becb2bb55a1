// OpenAPI v3 (GET /openapi/v3 and /openapi/v3/<group-version path>), the way kubectl 1.32 reads
// it: each kind needs a PATCH operation carrying x-kubernetes-group-version-kind and a
// fieldValidation query parameter (or apply/create fall back to OpenAPI v2 and fail), and
// components.schemas entries with an x-kubernetes-group-version-kind list for `kubectl explain`.
#include <algorithm>
#include <cctype>

#include "base/sha256.h"
#include "sim/apiserver/types/builtin_schemas.h"
#include "sim/apiserver/types/registry_impl.h"
#include "sim/apiserver/types/type_registry.h"

namespace kt::sim {
namespace {

constexpr const char* kObjectMetaRef = "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
constexpr const char* kListMetaRef = "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";
constexpr const char* kApiVersionDescription =
    "APIVersion defines the versioned schema of this representation of an object. Servers "
    "should convert recognized schemas to the latest internal value, and may reject "
    "unrecognized values. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources";
constexpr const char* kKindDescription =
    "Kind is a string value representing the REST resource this object represents. Servers may "
    "infer this from the endpoint the client submits requests to. Cannot be updated. In "
    "CamelCase. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";

std::string GroupVersionPath(const api::GroupVersionResource& gvr) {
  return gvr.group.empty() ? "api/" + gvr.version : "apis/" + gvr.group + "/" + gvr.version;
}

// Schema names as kube-apiserver publishes them: io.k8s.api.apps.v1.Deployment for built-ins,
// the reversed group for custom resources (sh.kaito.v1beta1.Workspace).
std::string SchemaPackage(const ResourceType& t) {
  const std::string& g = t.gvr.group;
  if (t.is_custom) {
    std::vector<std::string> parts;
    size_t begin = 0;
    while (true) {
      size_t dot = g.find('.', begin);
      parts.push_back(g.substr(begin, dot - begin));
      if (dot == std::string::npos) break;
      begin = dot + 1;
    }
    std::string out;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) out += *it + ".";
    return out + t.gvr.version;
  }
  if (g == "apiextensions.k8s.io") {
    return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions." + t.gvr.version;
  }
  std::string first = g.empty() ? "core" : g.substr(0, g.find('.'));
  return "io.k8s.api." + first + "." + t.gvr.version;
}

Json Gvk(const ResourceType& t) {
  return {{"group", t.gvr.group}, {"version", t.gvr.version}, {"kind", t.kind}};
}

std::string OperationSuffix(const ResourceType& t, bool namespaced_op) {
  // patchKaitoShV1beta1NamespacedWorkspace, patchCoreV1NamespacedPod, patchAppsV1Deployment...
  std::string g = t.gvr.group.empty() ? "core" : t.gvr.group;
  std::string out;
  bool upper = true;
  for (char c : g) {
    if (c == '.' || c == '-') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  std::string v = t.gvr.version;
  if (!v.empty()) v[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(v[0])));
  return out + v + (namespaced_op ? "Namespaced" : "") + t.kind;
}

Json QueryParam(const char* name, const char* description) {
  return {{"name", name}, {"in", "query"}, {"description", description},
          {"schema", {{"type", "string"}, {"uniqueItems", true}}}};
}

Json RefContent(const std::string& ref, std::initializer_list<const char*> types) {
  Json content = Json::object();
  for (const char* t : types) content[t] = {{"schema", {{"$ref", ref}}}};
  return content;
}

Json ObjectSchemaFor(const TypeEntry& e) {
  Json s = e.openapi_schema.is_object() ? e.openapi_schema : Json{{"type", "object"}};
  if (!s.contains("description")) {
    s["description"] = e.type.kind + " is a " + (e.type.is_custom ? "custom resource" : "built-in kind") +
                       " served by kaito-twin.";
  }
  Json& props = s["properties"];
  if (!props.is_object()) props = Json::object();
  props["apiVersion"] = {{"type", "string"}, {"description", kApiVersionDescription}};
  props["kind"] = {{"type", "string"}, {"description", kKindDescription}};
  props["metadata"] = {{"allOf", {{{"$ref", kObjectMetaRef}}}},
                       {"default", Json::object()},
                       {"description",
                        "Standard object's metadata. More info: "
                        "https://git.k8s.io/community/contributors/devel/sig-architecture/"
                        "api-conventions.md#metadata"}};
  s["type"] = "object";
  s["x-kubernetes-group-version-kind"] = Json::array({Gvk(e.type)});
  return s;
}

Json ListSchemaFor(const TypeEntry& e, const std::string& item_ref) {
  ResourceType lt = e.type;
  lt.kind = e.type.list_kind;
  return {{"type", "object"},
          {"description", e.type.list_kind + " is a list of " + e.type.kind},
          {"required", {"items"}},
          {"properties",
           {{"apiVersion", {{"type", "string"}, {"description", kApiVersionDescription}}},
            {"kind", {{"type", "string"}, {"description", kKindDescription}}},
            {"metadata", {{"allOf", {{{"$ref", kListMetaRef}}}}, {"default", Json::object()}}},
            {"items",
             {{"type", "array"},
              {"description", "List of " + e.type.gvr.resource},
              {"items", {{"allOf", {{{"$ref", item_ref}}}}, {"default", Json::object()}}}}}}},
          {"x-kubernetes-group-version-kind", Json::array({Gvk(lt)})}};
}

void AddPaths(const TypeEntry& e, const std::string& ref, const std::string& list_ref, Json& paths) {
  const ResourceType& t = e.type;
  std::string prefix = "/" + GroupVersionPath(t.gvr);
  std::string coll = prefix + (t.namespaced ? "/namespaces/{namespace}/" : "/") + t.gvr.resource;
  std::string item = coll + "/{name}";
  std::string suffix = OperationSuffix(t, t.namespaced);
  Json gvk = Gvk(t);
  Json ok_object = {{"200", {{"description", "OK"},
                             {"content", RefContent(ref, {"application/json", "application/yaml"})}}}};
  Json field_validation = QueryParam(
      "fieldValidation",
      "fieldValidation instructs the server on how to handle objects in the request "
      "(POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - "
      "Warn - Strict");
  Json field_manager = QueryParam("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes.");
  Json dry_run = QueryParam("dryRun", "When present, indicates that modifications should not be persisted.");
  Json force = {{"name", "force"}, {"in", "query"},
                {"description", "Force is going to \"force\" Apply requests."},
                {"schema", {{"type", "boolean"}, {"uniqueItems", true}}}};
  Json path_params = Json::array();
  path_params.push_back({{"name", "name"}, {"in", "path"}, {"required", true},
                         {"description", "name of the " + t.kind},
                         {"schema", {{"type", "string"}, {"uniqueItems", true}}}});
  if (t.namespaced) {
    path_params.push_back({{"name", "namespace"}, {"in", "path"}, {"required", true},
                           {"description", "object name and auth scope, such as for teams and projects"},
                           {"schema", {{"type", "string"}, {"uniqueItems", true}}}});
  }
  Json patch_body = {{"content",
                      {{"application/apply-patch+yaml", {{"schema", {{"type", "object"}}}}},
                       {"application/json-patch+json", {{"schema", {{"type", "object"}}}}},
                       {"application/merge-patch+json", {{"schema", {{"type", "object"}}}}},
                       {"application/strategic-merge-patch+json", {{"schema", {{"type", "object"}}}}}}},
                     {"required", true}};
  if (t.is_custom) patch_body["content"].erase("application/strategic-merge-patch+json");
  Json item_ops = {
      {"get", {{"operationId", "read" + suffix}, {"x-kubernetes-action", "get"},
               {"x-kubernetes-group-version-kind", gvk}, {"responses", ok_object}}},
      {"put", {{"operationId", "replace" + suffix}, {"x-kubernetes-action", "put"},
               {"x-kubernetes-group-version-kind", gvk},
               {"parameters", {dry_run, field_manager, field_validation}},
               {"requestBody", {{"content", RefContent(ref, {"*/*"})}, {"required", true}}},
               {"responses", ok_object}}},
      {"patch", {{"operationId", "patch" + suffix}, {"x-kubernetes-action", "patch"},
                 {"x-kubernetes-group-version-kind", gvk},
                 {"parameters", {dry_run, field_manager, field_validation, force}},
                 {"requestBody", patch_body}, {"responses", ok_object}}},
      {"delete", {{"operationId", "delete" + suffix}, {"x-kubernetes-action", "delete"},
                  {"x-kubernetes-group-version-kind", gvk}, {"responses", ok_object}}},
      {"parameters", path_params}};
  paths[item] = item_ops;
  Json coll_params = Json::array();
  if (t.namespaced) coll_params.push_back(path_params[1]);
  Json list_ok = {{"200", {{"description", "OK"},
                           {"content", RefContent(list_ref, {"application/json", "application/yaml"})}}}};
  paths[coll] = {
      {"get", {{"operationId", "list" + suffix}, {"x-kubernetes-action", "list"},
               {"x-kubernetes-group-version-kind", gvk}, {"responses", list_ok}}},
      {"post", {{"operationId", "create" + suffix}, {"x-kubernetes-action", "post"},
                {"x-kubernetes-group-version-kind", gvk},
                {"parameters", {dry_run, field_manager, field_validation}},
                {"requestBody", {{"content", RefContent(ref, {"*/*"})}, {"required", true}}},
                {"responses", ok_object}}},
      {"parameters", coll_params}};
  for (const std::string& sub : t.subresources) {
    if (sub != "status") continue;
    Json status_ops = item_ops;
    for (const char* verb : {"get", "put", "patch"}) {
      status_ops[verb]["operationId"] = std::string(verb == std::string("get") ? "read" : verb == std::string("put") ? "replace" : "patch") + suffix + "Status";
    }
    status_ops.erase("delete");
    paths[item + "/status"] = status_ops;
  }
}

Json MetaSchemas() {
  Json meta = BuiltinSchemas::Get().object_meta.written;
  Json list_meta = {{"type", "object"},
                    {"description", "ListMeta describes metadata that synthetic resources must have, including lists and various status objects."},
                    {"properties",
                     {{"resourceVersion", {{"type", "string"}}},
                      {"continue", {{"type", "string"}}},
                      {"remainingItemCount", {{"type", "integer"}, {"format", "int64"}}},
                      {"selfLink", {{"type", "string"}}}}}};
  return {{"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", meta},
          {"io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta", list_meta}};
}

std::string DocHash(const Json& doc) {
  std::string hex = Sha256Hex(DumpJson(doc)).substr(0, 16);
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return hex;
}

}  // namespace

namespace {

Result<Json> BuildDocument(const std::vector<const ResourceType*>& ordered,
                           const GvrIndex& by_gvr,
                           std::string_view group_version_path) {
  Json paths = Json::object();
  Json schemas = MetaSchemas();
  bool found = false;
  for (const ResourceType* t : ordered) {
    if (GroupVersionPath(t->gvr) != group_version_path) continue;
    auto entry = by_gvr.find(t->gvr);
    if (entry == by_gvr.end()) continue;
    const TypeEntry* e = entry->second;
    found = true;
    std::string name = SchemaPackage(*t) + "." + t->kind;
    std::string list_name = SchemaPackage(*t) + "." + t->list_kind;
    std::string ref = "#/components/schemas/" + name;
    std::string list_ref = "#/components/schemas/" + list_name;
    schemas[name] = ObjectSchemaFor(*e);
    schemas[list_name] = ListSchemaFor(*e, ref);
    AddPaths(*e, ref, list_ref, paths);
  }
  if (!found) return NotFound("the server could not find the requested resource");
  return Json{{"openapi", "3.0.0"},
              {"info", {{"title", "Kubernetes"}, {"version", "v1.32.0"}}},
              {"paths", paths},
              {"components", {{"schemas", schemas}}}};
}

}  // namespace

// Documents are rebuilt only when the registry changed (Revision), then served from a cache.
Result<Json> TypeRegistry::OpenApiDocument(std::string_view group_version_path) const {
  Impl& im = *impl_;
  if (im.openapi_revision != im.revision) {
    im.openapi_cache.clear();
    im.openapi_revision = im.revision;
  }
  auto it = im.openapi_cache.find(std::string(group_version_path));
  if (it != im.openapi_cache.end()) return it->second.doc;
  KT_ASSIGN_OR_RETURN(Json doc, BuildDocument(im.ordered, im.by_gvr, group_version_path));
  std::string hash = DocHash(doc);
  im.openapi_cache[std::string(group_version_path)] = {doc, hash};
  return doc;
}

Json TypeRegistry::OpenApiIndex() const {
  Json paths = Json::object();
  std::vector<std::string> seen;
  for (const ResourceType* t : impl_->ordered) {
    std::string gv = GroupVersionPath(t->gvr);
    if (std::find(seen.begin(), seen.end(), gv) != seen.end()) continue;
    seen.push_back(gv);
    if (!OpenApiDocument(gv).ok()) continue;
    const std::string& hash = impl_->openapi_cache.at(gv).hash;
    paths[gv] = {{"serverRelativeURL", "/openapi/v3/" + gv + "?hash=" + hash}};
  }
  return {{"paths", paths}};
}

}  // namespace kt::sim
