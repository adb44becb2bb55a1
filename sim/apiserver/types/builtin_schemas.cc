#include "sim/apiserver/types/builtin_schemas.h"

#include "base/yaml.h"
#include "sim/apiserver/types/embedded_data.h"

namespace kt::sim {
namespace {

constexpr int kRefDepthMax = 32;

Status Inline(Json& node, const Json& definitions, int depth) {
  if (depth > kRefDepthMax) return BadRequest("$ref nesting exceeds " + std::to_string(kRefDepthMax));
  if (node.is_object()) {
    auto ref = node.find("$ref");
    if (ref != node.end() && ref->is_string()) {
      std::string name = ref->get<std::string>();
      auto def = definitions.find(name);
      if (def == definitions.end()) return BadRequest("unknown $ref " + name);
      Json copy = *def;
      // Sibling keys (description, nullable) override the definition's.
      for (const auto& [k, v] : node.items()) {
        if (k != "$ref") copy[k] = v;
      }
      KT_RETURN_IF_ERROR(Inline(copy, definitions, depth + 1));
      node = std::move(copy);
      return Status::Ok();
    }
    for (auto& [k, v] : node.items()) {
      if (k == "enum" || k == "default" || k == "example") continue;
      KT_RETURN_IF_ERROR(Inline(v, definitions, depth + 1));
    }
  } else if (node.is_array()) {
    for (Json& v : node) KT_RETURN_IF_ERROR(Inline(v, definitions, depth + 1));
  }
  return Status::Ok();
}

}  // namespace

Result<Json> InlineRefs(const Json& schema, const Json& definitions) {
  Json out = schema;
  KT_RETURN_IF_ERROR(Inline(out, definitions, 0));
  return out;
}

Result<BuiltinSchemas> BuiltinSchemas::Parse(std::string_view yaml) {
  KT_ASSIGN_OR_RETURN(Json doc, ParseYaml(yaml));
  static const Json kEmpty = Json::object();
  const Json* defs = FindPath(doc, "definitions");
  if (defs == nullptr || !defs->is_object()) defs = &kEmpty;
  BuiltinSchemas out;
  auto compile = [&](const Json& written, const std::string& name) -> Result<KindSchema> {
    KT_ASSIGN_OR_RETURN(Json inlined, InlineRefs(written, *defs));
    FieldErrors errors;
    auto compiled = CompileSchema(inlined, name, /*structural=*/false, &errors);
    if (!compiled.ok()) return Invalid(name + ": " + compiled.status().message());
    return KindSchema{std::move(inlined), std::move(compiled).value()};
  };
  const Json* meta = FindPath(*defs, "ObjectMeta");
  if (meta == nullptr) return BadRequest("builtin schemas: definitions.ObjectMeta is required");
  KT_ASSIGN_OR_RETURN(out.object_meta, compile(*meta, "ObjectMeta"));
  const Json* kinds = FindPath(doc, "kinds");
  if (kinds != nullptr && kinds->is_object()) {
    for (const auto& [kind, schema] : kinds->items()) {
      KT_ASSIGN_OR_RETURN(KindSchema ks, compile(schema, kind));
      out.kinds.emplace(kind, std::move(ks));
    }
  }
  return out;
}

const BuiltinSchemas& BuiltinSchemas::Get() {
  static const BuiltinSchemas* schemas = [] {
    auto parsed = Parse(EmbeddedBuiltinSchemasYaml());
    KT_CHECK(parsed.ok()) << "data/builtin_schemas.yaml: " << parsed.status().ToString();
    return new BuiltinSchemas(std::move(parsed).value());
  }();
  return *schemas;
}

const BuiltinSchemas::KindSchema* BuiltinSchemas::Find(std::string_view kind) const {
  auto it = kinds.find(kind);
  return it == kinds.end() ? nullptr : &it->second;
}

}  // namespace kt::sim
