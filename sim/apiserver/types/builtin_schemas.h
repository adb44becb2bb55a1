// The OpenAPI schemas of the built-in kinds (data/builtin_schemas.yaml) with "$ref: Name"
// inlined, in their written form (for OpenAPI documents) and compiled (for validation and
// pruning). Loaded once, read-only afterwards.
// Thread-safety: BuiltinSchemas::Get() is safe from any thread (a function-local static).
#ifndef KT_SIM_APISERVER_TYPES_BUILTIN_SCHEMAS_H_
#define KT_SIM_APISERVER_TYPES_BUILTIN_SCHEMAS_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/json.h"
#include "base/status.h"
#include "sim/apiserver/types/schema.h"

namespace kt::sim {

struct BuiltinSchemas {
  struct KindSchema {
    Json written;                           // refs inlined
    std::shared_ptr<const Schema> compiled;
  };
  std::map<std::string, KindSchema, std::less<>> kinds;  // by kind ("Pod")
  KindSchema object_meta;

  static Result<BuiltinSchemas> Parse(std::string_view yaml);
  static const BuiltinSchemas& Get();
  // The schema of a built-in kind, or null when the data file has none.
  const KindSchema* Find(std::string_view kind) const;
};

// Inlines {"$ref": "Name"} nodes from `definitions` (bounded depth; a cycle is an error).
Result<Json> InlineRefs(const Json& schema, const Json& definitions);

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_TYPES_BUILTIN_SCHEMAS_H_
