// Strategic merge patch (application/strategic-merge-patch+json) for built-in kinds, following
// k8s.io/apimachinery/pkg/util/strategicpatch: lists with a merge key merge element-wise,
// lists of scalars with the merge strategy merge as sets, other lists are replaced; the
// directives $patch (replace, delete, merge), $retainKeys, $setElementOrder/<list> and
// $deleteFromPrimitiveList/<list> are honored.
#include <algorithm>

#include "base/json.h"
#include "sim/apiserver/types/field_error.h"
#include "sim/apiserver/types/patch.h"

namespace kt::sim {
namespace {

constexpr std::string_view kPatchDirective = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kSetElementOrder = "$setElementOrder/";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool IsDirectiveKey(std::string_view k) {
  return k == kPatchDirective || k == kRetainKeys || StartsWith(k, kSetElementOrder) ||
         StartsWith(k, kDeleteFromPrimitiveList);
}

// A patch value with its directives removed (what lands in the object when there is nothing
// to merge with).
Json StripDirectives(const Json& v) {
  if (v.is_object()) {
    Json out = Json::object();
    for (const auto& [k, e] : v.items()) {
      if (IsDirectiveKey(k)) continue;
      if (e.is_null()) continue;
      out[k] = StripDirectives(e);
    }
    return out;
  }
  if (v.is_array()) {
    Json out = Json::array();
    for (const Json& e : v) {
      if (e.is_object() && e.contains(kPatchDirective)) {
        std::string d = GetString(e, "$patch");
        if (d == "delete" || d == "replace") continue;
      }
      out.push_back(StripDirectives(e));
    }
    return out;
  }
  return v;
}

class Merger {
 public:
  Merger(const TypeRegistry& types, const ResourceType& type) : types_(types), type_(type) {}

  // Merges `patch` into `target` (an object). `path` is the dotted field path of target.
  Status MergeObject(Json& target, const Json& patch, const std::string& path, int depth) {
    if (depth > kJsonDepthMax) return BadRequest("strategic merge patch nests too deeply");
    if (!target.is_object()) target = Json::object();
    std::string directive = GetString(patch, "$patch");
    if (directive == "replace") {
      target = StripDirectives(patch);
      return Status::Ok();
    }
    if (!directive.empty() && directive != "merge" && directive != "delete") {
      return BadRequest("Unknown patch type: " + directive + " in map: " + path);
    }
    if (auto rk = patch.find(kRetainKeys); rk != patch.end()) {
      if (!rk->is_array()) return BadRequest("$retainKeys must be a list of strings");
      for (auto it = target.begin(); it != target.end();) {
        bool keep = std::find(rk->begin(), rk->end(), Json(it.key())) != rk->end();
        if (!keep && !patch.contains(it.key())) {
          it = target.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (const auto& [key, value] : patch.items()) {
      if (IsDirectiveKey(key)) continue;
      std::string child = path.empty() ? key : path + "." + key;
      if (value.is_null()) {
        target.erase(key);
        continue;
      }
      if (value.is_object()) {
        if (GetString(value, "$patch") == "delete") {
          target.erase(key);
          continue;
        }
        Json& slot = target[key];
        KT_RETURN_IF_ERROR(MergeObject(slot, value, child, depth + 1));
        continue;
      }
      if (value.is_array()) {
        auto info = types_.MergeInfo(type_, child);
        Json& slot = target[key];
        if (info && slot.is_array()) {
          KT_RETURN_IF_ERROR(MergeList(slot, value, *info, child, depth + 1));
        } else {
          slot = StripDirectives(value);
        }
        continue;
      }
      target[key] = value;
    }
    // Directives that address sibling lists.
    for (const auto& [key, value] : patch.items()) {
      if (StartsWith(key, kDeleteFromPrimitiveList)) {
        std::string list = key.substr(kDeleteFromPrimitiveList.size());
        auto it = target.find(list);
        if (!value.is_array()) return BadRequest(key + " must be a list");
        if (it != target.end() && it->is_array()) {
          Json kept = Json::array();
          for (const Json& e : *it) {
            if (std::find(value.begin(), value.end(), e) == value.end()) kept.push_back(e);
          }
          *it = std::move(kept);
        }
      }
    }
    for (const auto& [key, value] : patch.items()) {
      if (StartsWith(key, kSetElementOrder)) {
        std::string list = key.substr(kSetElementOrder.size());
        if (!value.is_array()) return BadRequest(key + " must be a list");
        auto it = target.find(list);
        if (it != target.end() && it->is_array()) {
          auto info = types_.MergeInfo(type_, path.empty() ? list : path + "." + list);
          Reorder(*it, value, info ? info->merge_key : "");
        }
      }
    }
    return Status::Ok();
  }

 private:
  static bool SameElement(const Json& a, const Json& b, const std::string& key) {
    if (key.empty()) return a == b;
    if (!a.is_object() || !b.is_object()) return false;
    auto ia = a.find(key);
    auto ib = b.find(key);
    return ia != a.end() && ib != b.end() && *ia == *ib;
  }

  Status MergeList(Json& target, const Json& patch, const TypeRegistry::ListMergeInfo& info,
                   const std::string& path, int depth) {
    // A {"$patch": "replace"} element replaces the whole list with the other elements.
    for (const Json& e : patch) {
      if (e.is_object() && GetString(e, "$patch") == "replace" && e.size() == 1) {
        target = StripDirectives(patch);
        return Status::Ok();
      }
    }
    if (info.primitive_set || info.merge_key.empty()) {
      for (const Json& e : patch) {
        if (e.is_object() || e.is_array()) {
          return BadRequest("a list of scalars (" + path + ") was patched with a non-scalar");
        }
        if (std::find(target.begin(), target.end(), e) == target.end()) target.push_back(e);
      }
      return Status::Ok();
    }
    const std::string& key = info.merge_key;
    for (const Json& e : patch) {
      if (!e.is_object()) {
        return BadRequest("a list merged by " + key + " (" + path + ") was patched with a " +
                          std::string(e.is_array() ? "list" : "scalar"));
      }
      if (!e.contains(key)) {
        return BadRequest("map: " + DumpJson(StripDirectives(e)) +
                          " does not contain declared merge key: " + key);
      }
      std::string directive = GetString(e, "$patch");
      auto match = std::find_if(target.begin(), target.end(),
                                [&](const Json& t) { return SameElement(t, e, key); });
      if (directive == "delete") {
        if (match != target.end()) target.erase(match);
        continue;
      }
      if (match == target.end()) {
        target.push_back(StripDirectives(e));
      } else {
        KT_RETURN_IF_ERROR(MergeObject(*match, e, path, depth + 1));
      }
    }
    return Status::Ok();
  }

  // $setElementOrder: elements named in `order` come first in that order; the rest keep
  // their relative order after them.
  static void Reorder(Json& list, const Json& order, const std::string& key) {
    Json out = Json::array();
    std::vector<bool> used(list.size(), false);
    for (const Json& o : order) {
      for (size_t i = 0; i < list.size(); ++i) {
        if (!used[i] && SameElement(list[i], o, key)) {
          out.push_back(list[i]);
          used[i] = true;
          break;
        }
      }
    }
    for (size_t i = 0; i < list.size(); ++i) {
      if (!used[i]) out.push_back(list[i]);
    }
    list = std::move(out);
  }

  const TypeRegistry& types_;
  const ResourceType& type_;
};

}  // namespace

Result<Json> ApplyStrategicMergePatch(const TypeRegistry& types, const ResourceType& type,
                                      const Json& original, const Json& patch) {
  if (type.is_custom) {
    return Status(StatusCode::kUnsupportedMediaType,
                  "the body of the request was in an unknown format - accepted media types "
                  "include: application/json-patch+json, application/merge-patch+json, "
                  "application/apply-patch+yaml");
  }
  if (!patch.is_object()) {
    return BadRequest("the strategic merge patch must be a JSON object");
  }
  Json out = original;
  Merger m(types, type);
  KT_RETURN_IF_ERROR(m.MergeObject(out, patch, "", 0));
  return out;
}

}  // namespace kt::sim
