#include "sim/apiserver/types/merge_keys.h"

#include "base/json.h"
#include "base/yaml.h"
#include "sim/apiserver/types/embedded_data.h"

namespace kt::sim {

Result<MergeKeyTable> MergeKeyTable::Parse(std::string_view yaml) {
  KT_ASSIGN_OR_RETURN(Json doc, ParseYaml(yaml));
  const Json* shapes = FindPath(doc, "shapes");
  const Json* kinds = FindPath(doc, "kinds");
  if (shapes == nullptr || kinds == nullptr || !shapes->is_object() || !kinds->is_object()) {
    return BadRequest("merge keys: shapes and kinds are required");
  }
  MergeKeyTable table;
  for (const auto& [kind, mounts] : kinds->items()) {
    auto& paths = table.kinds_[kind];
    if (!mounts.is_object()) return BadRequest("merge keys: kind " + kind + " is not a map");
    for (const auto& [prefix, shape_name] : mounts.items()) {
      const Json* shape = shape_name.is_string() ? FindPath(*shapes, shape_name.get<std::string>())
                                                 : nullptr;
      if (shape == nullptr || !shape->is_object()) {
        return BadRequest("merge keys: kind " + kind + " names unknown shape " + shape_name.dump());
      }
      for (const auto& [path, info] : shape->items()) {
        TypeRegistry::ListMergeInfo m;
        m.merge_key = GetString(info, "key");
        m.primitive_set = GetBool(info, "set");
        if (const Json* keys = FindPath(info, "ssa_keys"); keys != nullptr && keys->is_array()) {
          for (const Json& k : *keys) {
            if (k.is_string()) m.map_keys.push_back(k.get<std::string>());
          }
        }
        if (const Json* d = FindPath(info, "key_defaults"); d != nullptr && d->is_object()) {
          for (const auto& [field, value] : d->items()) {
            if (value.is_string()) m.key_defaults.emplace_back(field, value.get<std::string>());
          }
        }
        if (m.merge_key.empty() && !m.primitive_set) {
          return BadRequest("merge keys: " + kind + " " + path + " has neither key nor set");
        }
        paths[prefix.empty() ? path : prefix + "." + path] = m;
      }
    }
  }
  return table;
}

const MergeKeyTable& MergeKeyTable::Builtin() {
  static const MergeKeyTable* table = [] {
    auto parsed = Parse(EmbeddedBuiltinMergeKeysYaml());
    KT_CHECK(parsed.ok()) << "data/builtin_merge_keys.yaml: " << parsed.status().ToString();
    return new MergeKeyTable(std::move(parsed).value());
  }();
  return *table;
}

std::optional<TypeRegistry::ListMergeInfo> MergeKeyTable::Find(std::string_view kind,
                                                               std::string_view field_path) const {
  auto k = kinds_.find(kind);
  if (k == kinds_.end()) return std::nullopt;
  auto p = k->second.find(field_path);
  if (p == k->second.end()) return std::nullopt;
  return p->second;
}

}  // namespace kt::sim
