// The Swagger 2.0 document, derived from the OpenAPI v3 group-version documents (openapi.cc):
// see openapi_v2.h for the lowering rules.
#include "sim/apiserver/types/openapi_v2.h"

#include <algorithm>
#include <string>

#include "base/json.h"
#include "sim/apiserver/types/type_registry.h"

namespace kt::sim {
namespace {

constexpr std::string_view kV3RefPrefix = "#/components/schemas/";
constexpr std::string_view kV2RefPrefix = "#/definitions/";

std::string RefToV2(const std::string& ref) {
  if (ref.rfind(kV3RefPrefix, 0) == 0) {
    return std::string(kV2RefPrefix) + ref.substr(kV3RefPrefix.size());
  }
  return ref;
}

// The keywords of a Swagger 2.0 Schema Object (plus vendor extensions, x-*). oneOf, anyOf,
// not, nullable, writeOnly, deprecated and allOf (kube drops allOf from CRD schemas) are v3 only.
bool IsV2SchemaKeyword(const std::string& k) {
  static const char* const kKeywords[] = {
      "$ref",      "format",   "title",     "description", "default",          "multipleOf",
      "maximum",   "exclusiveMaximum",      "minimum",     "exclusiveMinimum", "maxLength",
      "minLength", "pattern",  "maxItems",  "minItems",    "uniqueItems",      "maxProperties",
      "minProperties",         "required",  "enum",        "additionalProperties",
      "type",      "items",    "properties", "discriminator", "readOnly",      "example"};
  if (k.rfind("x-", 0) == 0) return true;
  for (const char* kw : kKeywords) {
    if (k == kw) return true;
  }
  return false;
}

bool IsTrue(const Json& s, const char* key) {
  auto it = s.find(key);
  return it != s.end() && it->is_boolean() && it->get<bool>();
}

// {"$ref": X} or {"allOf": [{"$ref": X}], ...}: the referenced name, else "".
std::string SoleRef(const Json& s) {
  auto ref = s.find("$ref");
  if (ref != s.end() && ref->is_string()) return ref->get<std::string>();
  auto all = s.find("allOf");
  if (all != s.end() && all->is_array() && all->size() == 1 && (*all)[0].is_object() &&
      (*all)[0].size() == 1 && (*all)[0].contains("$ref") && (*all)[0]["$ref"].is_string()) {
    return (*all)[0]["$ref"].get<std::string>();
  }
  return "";
}

Json ParameterToV2(const Json& p) {
  Json out = Json::object();
  for (const char* k : {"name", "in", "description", "required"}) {
    if (p.contains(k)) out[k] = p[k];
  }
  if (p.contains("schema") && p["schema"].is_object()) {
    for (const auto& [k, v] : p["schema"].items()) {
      if (k == "type" || k == "format" || k == "uniqueItems" || k == "enum" || k == "default" ||
          k == "pattern") {
        out[k] = v;
      }
    }
  }
  return out;
}

Json ParametersToV2(const Json& params) {
  Json out = Json::array();
  if (!params.is_array()) return out;
  for (const Json& p : params) {
    if (p.is_object()) out.push_back(ParameterToV2(p));
  }
  return out;
}

// The schema of a v3 content map's first media type, and the media types into `types`.
Json ContentSchema(const Json& content, Json& types) {
  Json schema;
  if (!content.is_object()) return schema;
  for (const auto& [media_type, body] : content.items()) {
    if (std::find(types.begin(), types.end(), media_type) == types.end()) types.push_back(media_type);
    if (schema.is_null() && body.is_object() && body.contains("schema")) {
      schema = OpenApiV3SchemaToV2(body["schema"]);
    }
  }
  return schema;
}

Json OperationToV2(const Json& op) {
  Json out = Json::object();
  Json consumes = Json::array();
  Json produces = Json::array();
  Json params = Json::array();
  for (const auto& [k, v] : op.items()) {
    if (k == "operationId" || k == "summary" || k == "description" || k == "tags" ||
        k == "deprecated" || k.rfind("x-", 0) == 0) {
      out[k] = v;
    } else if (k == "parameters") {
      for (Json& p : ParametersToV2(v)) params.push_back(std::move(p));
    } else if (k == "requestBody" && v.is_object()) {
      Json body = {{"name", "body"}, {"in", "body"}, {"required", IsTrue(v, "required")}};
      Json schema = ContentSchema(v.value("content", Json::object()), consumes);
      body["schema"] = schema.is_null() ? Json{{"type", "object"}} : schema;
      params.push_back(std::move(body));
    } else if (k == "responses" && v.is_object()) {
      Json responses = Json::object();
      for (const auto& [code, r] : v.items()) {
        if (!r.is_object()) continue;
        Json resp = {{"description", r.value("description", "")}};
        Json schema = ContentSchema(r.value("content", Json::object()), produces);
        if (!schema.is_null()) resp["schema"] = schema;
        responses[code] = std::move(resp);
      }
      out["responses"] = std::move(responses);
    }
  }
  if (!params.empty()) out["parameters"] = std::move(params);
  if (!consumes.empty()) out["consumes"] = std::move(consumes);
  if (!produces.empty()) out["produces"] = std::move(produces);
  out["schemes"] = Json::array({"https"});
  return out;
}

Json PathItemToV2(const Json& item) {
  Json out = Json::object();
  for (const auto& [k, v] : item.items()) {
    if (k == "get" || k == "put" || k == "post" || k == "delete" || k == "patch" ||
        k == "head" || k == "options") {
      if (v.is_object()) out[k] = OperationToV2(v);
    } else if (k == "parameters") {
      Json params = ParametersToV2(v);
      if (!params.empty()) out[k] = std::move(params);
    } else if (k.rfind("x-", 0) == 0) {
      out[k] = v;
    }
  }
  return out;
}

}  // namespace

Json OpenApiV3SchemaToV2(const Json& s) {
  if (!s.is_object()) return s;
  std::string ref = SoleRef(s);
  if (!ref.empty()) {
    // kubectl's parser refuses a $ref with a type or properties beside it; a description is
    // what kube-apiserver keeps.
    Json out = {{"$ref", RefToV2(ref)}};
    if (s.contains("description") && s["description"].is_string()) out["description"] = s["description"];
    return out;
  }
  const bool nullable = IsTrue(s, "nullable");
  const bool preserve = IsTrue(s, "x-kubernetes-preserve-unknown-fields");
  Json out = Json::object();
  for (const auto& [k, v] : s.items()) {
    if (!IsV2SchemaKeyword(k)) continue;
    if (k == "properties") {
      if (nullable || preserve || !v.is_object()) continue;
      Json props = Json::object();
      for (const auto& [name, sub] : v.items()) props[name] = OpenApiV3SchemaToV2(sub);
      out[k] = std::move(props);
    } else if (k == "items") {
      if (nullable || preserve) continue;
      if (v.is_object()) out[k] = OpenApiV3SchemaToV2(v);
      if (v.is_array() && v.size() == 1) out[k] = OpenApiV3SchemaToV2(v[0]);
    } else if (k == "additionalProperties") {
      out[k] = v.is_object() ? OpenApiV3SchemaToV2(v) : v;
    } else if (k == "type") {
      if (!nullable) out[k] = v;
    } else {
      out[k] = v;
    }
  }
  // A nullable property may be null: it cannot be required in v2, which has no null.
  if (out.contains("required") && out["required"].is_array() && s.contains("properties") &&
      s["properties"].is_object()) {
    Json kept = Json::array();
    for (const Json& name : out["required"]) {
      const Json* prop = name.is_string() && s["properties"].contains(name.get<std::string>())
                             ? &s["properties"][name.get<std::string>()]
                             : nullptr;
      if (prop == nullptr || !prop->is_object() || !IsTrue(*prop, "nullable")) kept.push_back(name);
    }
    if (kept.empty()) {
      out.erase("required");
    } else {
      out["required"] = std::move(kept);
    }
  }
  // kubectl cannot parse an array without an item schema: make it an arbitrary value.
  if (out.contains("type") && out["type"] == "array" && !out.contains("items")) out.erase("type");
  return out;
}

Json OpenApiV2Document(const TypeRegistry& types) {
  Json paths = Json::object();
  Json definitions = Json::object();
  Json info = {{"title", "Kubernetes"}, {"version", "unversioned"}};
  Json index = types.OpenApiIndex();
  for (const auto& [gv, unused] : index["paths"].items()) {
    Result<Json> doc = types.OpenApiDocument(gv);
    if (!doc.ok()) continue;
    if (doc->contains("info")) info = (*doc)["info"];
    for (const auto& [name, schema] : (*doc)["components"]["schemas"].items()) {
      definitions[name] = OpenApiV3SchemaToV2(schema);
    }
    for (const auto& [path, item] : (*doc)["paths"].items()) {
      if (item.is_object()) paths[path] = PathItemToV2(item);
    }
  }
  return {{"swagger", "2.0"}, {"info", info}, {"paths", paths}, {"definitions", definitions}};
}

}  // namespace kt::sim
