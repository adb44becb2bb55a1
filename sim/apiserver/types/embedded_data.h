// Data files of sim/apiserver/types/data (built-in kinds, merge keys, schemas), compiled into
// the library by embed_data.cmake so nothing is read from disk at run time.
// Thread-safety: returns views of static storage; safe from any thread.
#ifndef KT_SIM_APISERVER_TYPES_EMBEDDED_DATA_H_
#define KT_SIM_APISERVER_TYPES_EMBEDDED_DATA_H_

#include <string_view>

namespace kt::sim {

// The content of data/<name> ("builtin_kinds.yaml"); empty when no such file was embedded.
std::string_view EmbeddedData(std::string_view name);

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_TYPES_EMBEDDED_DATA_H_
