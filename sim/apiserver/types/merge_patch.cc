// RFC 7386 JSON merge patch (application/merge-patch+json).
#include "base/json.h"
#include "sim/apiserver/types/patch.h"

namespace kt::sim {
namespace {

void Merge(Json& target, const Json& patch) {
  if (!patch.is_object()) {
    target = patch;
    return;
  }
  if (!target.is_object()) target = Json::object();
  for (const auto& [key, value] : patch.items()) {
    if (value.is_null()) {
      target.erase(key);
    } else {
      Merge(target[key], value);
    }
  }
}

}  // namespace

Result<Json> ApplyMergePatch(const Json& original, const Json& patch) {
  // evanphx/json-patch (which kube-apiserver uses) answers a non-object patch this way.
  if (!patch.is_object()) return BadRequest("Invalid JSON Patch");
  Json out = original;
  Merge(out, patch);
  return out;
}

}  // namespace kt::sim
