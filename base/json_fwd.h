// Forward declaration of Json for headers that only pass it by reference. Include
// base/json.h in .cc files that build or read JSON.
#ifndef KT_BASE_JSON_FWD_H_
#define KT_BASE_JSON_FWD_H_

#include <nlohmann/json_fwd.hpp>

namespace kt {

// Defined in base/json_object_map.h, which base/json.h includes.
template <class Key, class T, class IgnoredLess, class IgnoredAllocator>
class JsonObjectMap;

using Json = nlohmann::basic_json<JsonObjectMap>;

}  // namespace kt

#endif  // KT_BASE_JSON_FWD_H_
