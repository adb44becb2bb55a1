#include "sim/apiserver/types/crd.h"

#include <algorithm>
#include <set>

#include "api/resource.h"
#include "sim/apiserver/types/jsonpath.h"
#include "sim/apiserver/types/object_meta.h"
#include "sim/apiserver/types/registry_impl.h"
#include "sim/apiserver/types/schema.h"

namespace kt::sim {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsKindName(std::string_view k) {
  if (k.empty() || k.size() > 63 || !std::isalpha(static_cast<unsigned char>(k[0]))) return false;
  if (!std::isalnum(static_cast<unsigned char>(k.back()))) return false;
  for (char c : k) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}

void CheckLabelName(const Json& v, const std::string& path, FieldErrors& errors) {
  if (!v.is_string()) return;
  for (const std::string& m : NameErrors(v.get<std::string>(), NameRule::kDnsLabel)) {
    errors.push_back(FieldInvalid(path, v, m));
  }
}

void ValidateNames(const Json& names, FieldErrors& errors) {
  const std::string base = "spec.names";
  const Json* plural = FindPath(names, "plural");
  if (plural == nullptr || !plural->is_string() || plural->get<std::string>().empty()) {
    errors.push_back(FieldRequired(base + ".plural"));
  } else {
    CheckLabelName(*plural, base + ".plural", errors);
  }
  if (const Json* singular = FindPath(names, "singular");
      singular != nullptr && singular->is_string() && !singular->get<std::string>().empty()) {
    CheckLabelName(*singular, base + ".singular", errors);
  }
  for (const char* field : {"kind", "listKind"}) {
    const Json* k = FindPath(names, field);
    bool empty = k == nullptr || !k->is_string() || k->get<std::string>().empty();
    if (empty) {
      if (std::string_view(field) == "kind") errors.push_back(FieldRequired(base + ".kind"));
      continue;
    }
    if (!IsKindName(k->get<std::string>())) {
      errors.push_back(FieldInvalid(base + "." + field, *k,
                                    "may have mixed case, but should otherwise match: "
                                    "^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$"));
    }
  }
  if (const Json* sn = FindPath(names, "shortNames"); sn != nullptr && sn->is_array()) {
    for (size_t i = 0; i < sn->size(); ++i) {
      CheckLabelName((*sn)[i], IndexPath(base + ".shortNames", i), errors);
    }
  }
  if (const Json* cats = FindPath(names, "categories"); cats != nullptr && cats->is_array()) {
    for (size_t i = 0; i < cats->size(); ++i) {
      CheckLabelName((*cats)[i], IndexPath(base + ".categories", i), errors);
    }
  }
}

// Defaults must validate against the schema node that carries them.
void CheckDefaults(const Schema& s, const std::string& path, FieldErrors& errors, int depth) {
  if (depth > kSchemaDepthMax) return;
  if (s.has_default) {
    FieldErrors sub;
    SchemaWalk walk;
    walk.root_path = ChildPath(path, "default");
    walk.is_resource_root = false;
    ValidateAgainstSchema(s, s.default_value, walk, sub);
    errors.insert(errors.end(), sub.begin(), sub.end());
  }
  for (const auto& [name, child] : s.properties) {
    CheckDefaults(*child, KeyPath(ChildPath(path, "properties"), name), errors, depth + 1);
  }
  if (s.items) CheckDefaults(*s.items, ChildPath(path, "items"), errors, depth + 1);
  if (s.additional_properties) {
    CheckDefaults(*s.additional_properties, ChildPath(path, "additionalProperties"), errors,
                  depth + 1);
  }
}

void ValidateRootSchema(const Json& schema, const std::string& path, FieldErrors& errors) {
  size_t before = errors.size();
  auto compiled = CompileSchema(schema, path, /*structural=*/true, &errors);
  if (!compiled.ok()) {
    if (errors.size() == before) errors.push_back(FieldInvalid(path, Json(), "invalid schema"));
    return;
  }
  const Schema& root = **compiled;
  if (root.type != Schema::Type::kObject) {
    if (root.type == Schema::Type::kUnspecified) {
      errors.push_back(FieldRequired(path + ".type", "must not be empty at the root"));
    } else {
      errors.push_back(FieldInvalid(path + ".type", Json(std::string(root.TypeName())),
                                    "must be object at the root"));
    }
  }
  if (root.nullable) {
    errors.push_back(FieldForbidden(path + ".nullable", "must be false at the root"));
  }
  auto meta = root.properties.find("metadata");
  if (meta != root.properties.end()) {
    const Schema& m = *meta->second;
    bool ok = m.type == Schema::Type::kObject || m.type == Schema::Type::kUnspecified;
    for (const auto& [name, child] : m.properties) {
      ok = ok && (name == "name" || name == "generateName") &&
           child->type == Schema::Type::kString;
    }
    ok = ok && !m.IsMap() && !m.has_default && m.required.empty();
    if (!ok) {
      errors.push_back(FieldForbidden(KeyPath(path + ".properties", "metadata"),
                                      "must not specify anything other than name and "
                                      "generateName, but metadata is implicitly specified"));
    }
  }
  CheckDefaults(root, path, errors, 0);
}

void ValidateColumns(const Json& cols, const std::string& path, FieldErrors& errors) {
  if (!cols.is_array()) return;
  static const std::vector<std::string> kTypes = {"boolean", "date", "integer", "number",
                                                  "string"};
  for (size_t i = 0; i < cols.size(); ++i) {
    const Json& c = cols[i];
    std::string p = IndexPath(path, i);
    if (GetString(c, "name").empty()) errors.push_back(FieldRequired(p + ".name"));
    std::string type = GetString(c, "type");
    if (type.empty()) {
      errors.push_back(FieldRequired(p + ".type"));
    } else if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end()) {
      errors.push_back(FieldNotSupported(p + ".type", Json(type), kTypes));
    }
    std::string jp = GetString(c, "jsonPath");
    if (jp.empty()) {
      errors.push_back(FieldRequired(p + ".jsonPath"));
    } else if (jp[0] != '.' || !JsonPath::Parse(jp).ok()) {
      errors.push_back(FieldInvalid(p + ".jsonPath", Json(jp),
                                    "must be a simple json path starting with ."));
    }
  }
}

void ValidateScale(const Json& scale, const std::string& path, FieldErrors& errors) {
  std::string spec = GetString(scale, "specReplicasPath");
  std::string status = GetString(scale, "statusReplicasPath");
  if (spec.empty()) {
    errors.push_back(FieldRequired(path + ".specReplicasPath"));
  } else if (spec.rfind(".spec.", 0) != 0) {
    errors.push_back(FieldInvalid(path + ".specReplicasPath", Json(spec),
                                  "should be a json path under .spec"));
  }
  if (status.empty()) {
    errors.push_back(FieldRequired(path + ".statusReplicasPath"));
  } else if (status.rfind(".status.", 0) != 0) {
    errors.push_back(FieldInvalid(path + ".statusReplicasPath", Json(status),
                                  "should be a json path under .status"));
  }
}

void ValidateVersions(const Json& versions, FieldErrors& errors) {
  if (!versions.is_array() || versions.empty()) {
    errors.push_back(FieldInvalid("spec.versions", versions.is_array() ? versions : Json(),
                                  "must have exactly one version marked as storage version"));
    return;
  }
  int storage = 0;
  std::set<std::string> seen;
  Json names = Json::array();
  for (size_t i = 0; i < versions.size(); ++i) {
    const Json& v = versions[i];
    std::string p = IndexPath("spec.versions", i);
    std::string name = GetString(v, "name");
    names.push_back(name);
    if (name.empty()) {
      errors.push_back(FieldRequired(p + ".name"));
    } else {
      for (const std::string& m : NameErrors(name, NameRule::kDns1035Label)) {
        errors.push_back(FieldInvalid(p + ".name", Json(name), m));
      }
      if (!seen.insert(name).second) errors.push_back(FieldDuplicate(p + ".name", Json(name)));
    }
    if (GetBool(v, "storage")) ++storage;
    const Json* schema = FindPath(v, "schema.openAPIV3Schema");
    if (schema == nullptr) {
      errors.push_back(FieldRequired(p + ".schema.openAPIV3Schema", "schemas are required"));
    } else {
      ValidateRootSchema(*schema, p + ".schema.openAPIV3Schema", errors);
    }
    if (const Json* cols = FindPath(v, "additionalPrinterColumns")) {
      ValidateColumns(*cols, p + ".additionalPrinterColumns", errors);
    }
    if (const Json* scale = FindPath(v, "subresources.scale"); scale != nullptr) {
      ValidateScale(*scale, p + ".subresources.scale", errors);
    }
  }
  if (storage != 1) {
    errors.push_back(
        FieldInvalid("spec.versions", names, "must have exactly one version marked as storage version"));
  }
}

std::vector<std::string> Strings(const Json* j) {
  std::vector<std::string> out;
  if (j == nullptr || !j->is_array()) return out;
  for (const Json& v : *j) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

FieldErrors ValidateCrdObject(const Json& crd) {
  FieldErrors errors;
  std::string group = GetString(crd, "spec.group");
  if (group.empty()) {
    errors.push_back(FieldRequired("spec.group"));
  } else {
    if (group.find('.') == std::string::npos) {
      errors.push_back(FieldInvalid("spec.group", Json(group), "should be a domain with at least one dot"));
    }
    for (const std::string& m : NameErrors(group, NameRule::kDnsSubdomain)) {
      errors.push_back(FieldInvalid("spec.group", Json(group), m));
    }
  }
  const Json* names = FindPath(crd, "spec.names");
  static const Json kEmpty = Json::object();
  ValidateNames(names != nullptr && names->is_object() ? *names : kEmpty, errors);
  std::string plural = GetString(crd, "spec.names.plural");
  std::string name = GetString(crd, "metadata.name");
  if (!plural.empty() && !group.empty() && name != plural + "." + group) {
    errors.push_back(FieldInvalid("metadata.name", Json(name),
                                  "must be spec.names.plural+\".\"+spec.group"));
  }
  std::string scope = GetString(crd, "spec.scope");
  if (scope.empty()) {
    errors.push_back(FieldRequired("spec.scope"));
  } else if (scope != "Cluster" && scope != "Namespaced") {
    errors.push_back(FieldNotSupported("spec.scope", Json(scope), {"Cluster", "Namespaced"}));
  }
  const Json* versions = FindPath(crd, "spec.versions");
  ValidateVersions(versions != nullptr ? *versions : Json(), errors);
  std::string strategy = GetString(crd, "spec.conversion.strategy", "None");
  if (strategy != "None") {
    errors.push_back(FieldNotSupported("spec.conversion.strategy", Json(strategy), {"None"}));
  }
  if (GetBool(crd, "spec.preserveUnknownFields")) {
    errors.push_back(FieldInvalid("spec.preserveUnknownFields", Json(true),
                                  "must be false in order to use defaults in the schema"));
  }
  return errors;
}

void DefaultCrd(Json& crd) {
  if (!crd.is_object()) return;
  Json& spec = crd["spec"];
  if (!spec.is_object()) return;
  Json& names = spec["names"];
  if (names.is_object()) {
    std::string kind = GetString(names, "kind");
    if (GetString(names, "singular").empty() && !kind.empty()) names["singular"] = Lower(kind);
    if (GetString(names, "listKind").empty() && !kind.empty()) names["listKind"] = kind + "List";
  }
  if (!spec.contains("conversion") || !spec["conversion"].is_object()) {
    spec["conversion"] = {{"strategy", "None"}};
  }
}

Json CrdAcceptedStatus(const Json& crd, Time now) {
  Json accepted = Json::object();
  if (const Json* names = FindPath(crd, "spec.names"); names != nullptr && names->is_object()) {
    accepted = *names;
  }
  std::string kind = GetString(accepted, "kind");
  if (GetString(accepted, "singular").empty()) accepted["singular"] = Lower(kind);
  if (GetString(accepted, "listKind").empty()) accepted["listKind"] = kind + "List";
  std::string ts = FormatRfc3339(now);
  Json conditions = Json::array();
  const Json* old = FindPath(crd, "status.conditions");
  auto condition = [&](const char* type, const char* reason, const char* message) {
    Json c = {{"type", type}, {"status", "True"}, {"reason", reason}, {"message", message},
              {"lastTransitionTime", ts}};
    if (old != nullptr && old->is_array()) {
      for (const Json& o : *old) {
        if (GetString(o, "type") == type && GetString(o, "status") == "True") {
          c["lastTransitionTime"] = GetString(o, "lastTransitionTime", ts);
        }
      }
    }
    conditions.push_back(std::move(c));
  };
  condition("NamesAccepted", "NoConflicts", "no conflicts found");
  condition("Established", "InitialNamesAccepted", "the initial names have been accepted");
  std::vector<std::string> stored = Strings(FindPath(crd, "status.storedVersions"));
  if (const Json* versions = FindPath(crd, "spec.versions"); versions && versions->is_array()) {
    for (const Json& v : *versions) {
      std::string n = GetString(v, "name");
      if (GetBool(v, "storage") && std::find(stored.begin(), stored.end(), n) == stored.end()) {
        stored.push_back(n);
      }
    }
  }
  return {{"acceptedNames", accepted}, {"conditions", conditions}, {"storedVersions", stored}};
}

std::vector<std::unique_ptr<TypeEntry>> CrdEntries(const Json& crd) {
  std::vector<std::unique_ptr<TypeEntry>> out;
  std::string group = GetString(crd, "spec.group");
  std::string plural = GetString(crd, "spec.names.plural");
  std::string kind = GetString(crd, "spec.names.kind");
  std::string singular = GetString(crd, "spec.names.singular");
  std::string list_kind = GetString(crd, "spec.names.listKind");
  if (singular.empty()) singular = Lower(kind);
  if (list_kind.empty()) list_kind = kind + "List";
  const Json* versions = FindPath(crd, "spec.versions");
  if (versions == nullptr || !versions->is_array()) return out;
  for (const Json& v : *versions) {
    if (!GetBool(v, "served")) continue;
    auto e = std::make_unique<TypeEntry>();
    ResourceType& t = e->type;
    t.gvr = {group, GetString(v, "name"), plural};
    t.kind = kind;
    t.list_kind = list_kind;
    t.singular = singular;
    t.namespaced = GetString(crd, "spec.scope") != "Cluster";
    t.short_names = Strings(FindPath(crd, "spec.names.shortNames"));
    t.categories = Strings(FindPath(crd, "spec.names.categories"));
    t.verbs = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
    if (FindPath(v, "subresources.scale") != nullptr) t.subresources.push_back("scale");
    if (FindPath(v, "subresources.status") != nullptr) {
      t.subresources.push_back("status");
      t.has_status = true;
    }
    t.is_custom = true;
    t.crd_name = GetString(crd, "metadata.name");
    t.storage_key = group + "/" + plural;
    t.served = true;
    t.storage_version = GetBool(v, "storage");
    if (const Json* schema = FindPath(v, "schema.openAPIV3Schema")) {
      auto compiled = CompileSchema(*schema, "openAPIV3Schema", /*structural=*/false, nullptr);
      if (compiled.ok()) e->schema = std::move(compiled).value();
      e->openapi_schema = *schema;
      e->description = GetString(*schema, "description");
    }
    if (const Json* cols = FindPath(v, "additionalPrinterColumns"); cols && cols->is_array()) {
      for (const Json& c : *cols) {
        PrinterColumn pc;
        pc.name = GetString(c, "name");
        pc.type = GetString(c, "type");
        pc.format = GetString(c, "format");
        pc.description = GetString(c, "description");
        pc.json_path = GetString(c, "jsonPath");
        pc.priority = static_cast<int>(GetInt(c, "priority").value_or(0));
        e->columns.push_back(std::move(pc));
      }
    } else {
      PrinterColumn age;
      age.name = "Age";
      age.type = "date";
      age.json_path = ".metadata.creationTimestamp";
      age.description =
          "CreationTimestamp is a timestamp representing the server time when this object was "
          "created. It is not guaranteed to be set in happens-before order across separate "
          "operations. Clients may not set this value. It is represented in RFC3339 form and is "
          "in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
          "https://git.k8s.io/community/contributors/devel/sig-architecture/"
          "api-conventions.md#metadata";
      e->columns.push_back(std::move(age));
    }
    if (const Json* scale = FindPath(v, "subresources.scale")) e->scale = *scale;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace kt::sim
