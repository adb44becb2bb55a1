// JSON helpers over kt::Json (nlohmann's basic_json with the sorted-array objects of
// base/json_object_map.h). Objects keep keys sorted, so serialization is deterministic. Parsing
// never throws: malformed input becomes a BadRequest Status with the parser's position, and
// nesting deeper than kJsonDepthMax is refused (a hostile body cannot exhaust the stack).
#ifndef KT_BASE_JSON_H_
#define KT_BASE_JSON_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/json_fwd.h"
#include "base/json_object_map.h"
#include "base/status.h"

namespace kt {

inline constexpr int kJsonDepthMax = 512;

Result<Json> ParseJson(std::string_view text);

// Compact serialization; invalid UTF-8 is replaced rather than thrown on.
std::string DumpJson(const Json& j);

// Appends `s` as a JSON string literal, exactly as DumpJson would write it, without building a
// Json value (for hot serializers that write their own lines).
void AppendJsonString(std::string& out, std::string_view s);

// Follows a dotted path of object keys ("metadata.labels"); null when any step is missing or
// not an object. Keys containing dots cannot be addressed this way: use a JSON pointer.
const Json* FindPath(const Json& j, std::string_view dotted_path);

// The member `key` of object `j` (no path: dots are part of the key); null when `j` is null, not
// an object, or has no such member. Inline, for the per-write lookups FindPath would split.
inline const Json* FindMember(const Json* j, std::string_view key) {
  if (j == nullptr || !j->is_object()) return nullptr;
  const auto& members = j->get_ref<const Json::object_t&>();
  auto it = members.find(key);
  return it == members.end() ? nullptr : &it->second;
}
inline const Json* FindMember(const Json& j, std::string_view key) { return FindMember(&j, key); }
// The same, for writing the member in place (no key is built, nothing is inserted).
inline Json* FindMutableMember(Json& j, std::string_view key) {
  return const_cast<Json*>(FindMember(&j, key));
}
// The string member `key` of object `j` in place; empty when absent or not a string (validity
// as for GetStringView).
inline std::string_view MemberStringView(const Json* j, std::string_view key) {
  const Json* v = FindMember(j, key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_ref<const std::string&>())
                                        : std::string_view();
}
inline std::string_view MemberStringView(const Json& j, std::string_view key) {
  return MemberStringView(&j, key);
}

// Deep equality that also tells number types apart (operator== holds 1 == 1.0 == 1u): true
// when both serialize the same way.
bool SameJson(const Json& a, const Json& b);

// Frees `value`'s tree and leaves it null: what destroying it does, for less work. nlohmann's
// destructor first moves every node of a tree onto a heap-allocated work stack (which a deep
// tree keeps regrowing); this clears each object and array bottom-up in place, recursing at
// most kJsonDepthMax levels (anything deeper is left to nlohmann's destructor).
void ReleaseJson(Json& value);

// An immutable shared Json (one allocation, as std::make_shared) whose tree ReleaseJson frees
// when its last owner lets go: the API server's stored objects and the versions its watch
// window drops.
std::shared_ptr<const Json> MakeSharedJson(Json&& value);

// Typed reads that tolerate absence and wrong types.
std::string GetString(const Json& j, std::string_view dotted_path, std::string_view fallback = "");
// GetString without the copy: empty when absent or not a string. The view is valid while that
// member is neither changed nor moved (an insert into or erase from its parent object moves it).
std::string_view GetStringView(const Json& j, std::string_view dotted_path);
std::optional<int64_t> GetInt(const Json& j, std::string_view dotted_path);
bool GetBool(const Json& j, std::string_view dotted_path, bool fallback = false);

}  // namespace kt

#endif  // KT_BASE_JSON_H_
