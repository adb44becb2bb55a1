// YAML <-> JSON, the way kubectl and sigs.k8s.io/yaml see it: a manifest is YAML whose
// plain scalars resolve like go-yaml (YAML 1.1: true/false/yes/no/on/off, ~ and null, ints
// including 0x, floats, .inf/.nan); quoted scalars are always strings. Never throws:
// malformed YAML is a BadRequest naming the line and column.
#ifndef KT_BASE_YAML_H_
#define KT_BASE_YAML_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/json_fwd.h"
#include "base/status.h"

namespace kt {

// All documents of a stream ("---" separated). Empty documents are skipped.
Result<std::vector<Json>> ParseYamlDocuments(std::string_view text);
// Exactly one document.
Result<Json> ParseYaml(std::string_view text);

// Block-style YAML. Strings that would read back as another type are quoted, so
// ParseYaml(ToYaml(j)) == j.
std::string ToYaml(const Json& j);

}  // namespace kt

#endif  // KT_BASE_YAML_H_
