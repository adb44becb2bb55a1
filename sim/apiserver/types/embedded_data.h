// Data files of sim/apiserver/types/data (built-in kinds, merge keys, schemas), compiled into
// the library by kt_embed_text (cmake/KtHelpers.cmake) so nothing is read from disk at run time.
// Thread-safety: returns views of static storage; safe from any thread.
#ifndef KT_SIM_APISERVER_TYPES_EMBEDDED_DATA_H_
#define KT_SIM_APISERVER_TYPES_EMBEDDED_DATA_H_

#include <string_view>

namespace kt::sim {

// The text of data/builtin_kinds.yaml, data/builtin_merge_keys.yaml, data/builtin_schemas.yaml.
std::string_view EmbeddedBuiltinKindsYaml();
std::string_view EmbeddedBuiltinMergeKeysYaml();
std::string_view EmbeddedBuiltinSchemasYaml();

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_TYPES_EMBEDDED_DATA_H_
