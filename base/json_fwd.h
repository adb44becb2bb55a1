// Forward declaration of Json for headers that only pass it by reference. Include
// base/json.h in .cc files that build or read JSON.
#ifndef KT_BASE_JSON_FWD_H_
#define KT_BASE_JSON_FWD_H_

#include <nlohmann/json_fwd.hpp>

namespace kt {
using Json = nlohmann::json;
}  // namespace kt

#endif  // KT_BASE_JSON_FWD_H_
