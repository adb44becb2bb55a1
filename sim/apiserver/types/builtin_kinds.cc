#include "sim/apiserver/types/builtin_kinds.h"

#include "base/json.h"
#include "base/yaml.h"
#include "sim/apiserver/types/embedded_data.h"

namespace kt::sim {
namespace {

std::vector<std::string> StringList(const Json& j) {
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const Json& v : j) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

Result<ResourceType> ParseResource(const Json& r, const std::string& group,
                                   const std::string& version, const Json& verb_sets) {
  ResourceType t;
  t.gvr = {group, version, GetString(r, "resource")};
  t.kind = GetString(r, "kind");
  t.list_kind = t.kind + "List";
  t.singular = GetString(r, "singular");
  std::string scope = GetString(r, "scope");
  if (t.gvr.resource.empty() || t.kind.empty() || t.singular.empty() ||
      (scope != "Namespaced" && scope != "Cluster")) {
    return BadRequest("builtin kind entry incomplete: " + DumpJson(r));
  }
  t.namespaced = scope == "Namespaced";
  if (r.contains("shortNames")) t.short_names = StringList(r["shortNames"]);
  if (r.contains("categories")) t.categories = StringList(r["categories"]);
  const Json* verbs = FindPath(r, "verbs");
  if (verbs != nullptr && verbs->is_string()) {
    const Json* set = FindPath(verb_sets, verbs->get<std::string>());
    if (set == nullptr) return BadRequest("unknown verb set " + verbs->dump());
    t.verbs = StringList(*set);
  } else if (verbs != nullptr) {
    t.verbs = StringList(*verbs);
  }
  if (r.contains("subresources")) t.subresources = StringList(r["subresources"]);
  for (const std::string& s : t.subresources) {
    if (s == "status") t.has_status = true;
  }
  t.storage_key = t.gvr.GroupResource();
  t.served = true;
  t.storage_version = true;
  return t;
}

}  // namespace

Result<BuiltinCatalog> BuiltinCatalog::Parse(std::string_view yaml) {
  KT_ASSIGN_OR_RETURN(Json doc, ParseYaml(yaml));
  BuiltinCatalog c;
  const Json* kinds = FindPath(doc, "subresourceKinds");
  if (kinds != nullptr && kinds->is_object()) {
    for (const auto& [name, k] : kinds->items()) {
      c.subresource_kinds[name] = {GetString(k, "group"), GetString(k, "version"),
                                   GetString(k, "kind")};
    }
  }
  const Json* verbs = FindPath(doc, "subresourceVerbs");
  if (verbs != nullptr && verbs->is_object()) {
    for (const auto& [name, v] : verbs->items()) c.subresource_verbs[name] = StringList(v);
  }
  const Json* verb_sets = FindPath(doc, "verbSets");
  static const Json kNoSets = Json::object();
  const Json* groups = FindPath(doc, "groups");
  if (groups == nullptr || !groups->is_array()) return BadRequest("builtin kinds: no groups");
  for (const Json& g : *groups) {
    std::string group = GetString(g, "group");
    std::string version = GetString(g, "version");
    c.group_order.push_back(group);
    const Json* resources = FindPath(g, "resources");
    if (resources == nullptr || !resources->is_array()) continue;
    for (const Json& r : *resources) {
      KT_ASSIGN_OR_RETURN(ResourceType t,
                          ParseResource(r, group, version, verb_sets ? *verb_sets : kNoSets));
      if (r.contains("nameRule")) {
        c.name_rules[t.gvr.GroupResource()] = ParseNameRule(GetString(r, "nameRule"));
      }
      c.types.push_back(std::move(t));
    }
  }
  return c;
}

const BuiltinCatalog& BuiltinCatalog::Get() {
  static const BuiltinCatalog* catalog = [] {
    auto parsed = Parse(EmbeddedBuiltinKindsYaml());
    KT_CHECK(parsed.ok()) << "data/builtin_kinds.yaml: " << parsed.status().ToString();
    return new BuiltinCatalog(std::move(parsed).value());
  }();
  return *catalog;
}

}  // namespace kt::sim
