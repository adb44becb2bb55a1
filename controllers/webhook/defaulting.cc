#include "controllers/webhook/defaulting.h"

#include <string>

#include "base/json.h"
#include "controllers/kaito/labels.h"

namespace kt::webhook {
namespace {

bool Missing(const Json& parent, const char* key) {
  auto it = parent.find(key);
  return it == parent.end() || it->is_null();
}

void AddIfMissing(const Json& parent, const char* key, const std::string& parent_pointer,
                  Json value, Json* ops) {
  if (!Missing(parent, key)) return;
  ops->push_back(
      {{"op", "add"}, {"path", parent_pointer + "/" + key}, {"value", std::move(value)}});
}

}  // namespace

Json DefaultingPatch(const Json& workspace, const kaito::SkuTable& skus) {
  Json ops = Json::array();
  if (!workspace.is_object()) return ops;
  auto resource = workspace.find("resource");
  if (resource != workspace.end() && resource->is_object()) {
    AddIfMissing(*resource, "count", "/resource", 1, &ops);
    if (!skus.default_instance_type().empty()) {
      AddIfMissing(*resource, "instanceType", "/resource", skus.default_instance_type(), &ops);
    }
  }
  for (const char* spec : {"inference", "tuning"}) {
    auto s = workspace.find(spec);
    if (s == workspace.end() || !s->is_object()) continue;
    auto preset = s->find("preset");
    if (preset == s->end() || !preset->is_object()) continue;
    AddIfMissing(*preset, "accessMode", std::string("/") + spec + "/preset",
                 std::string(kaito::kAccessModePublic), &ops);
  }
  return ops;
}

Json WithCrdDefaults(const Json& workspace, const kaito::SkuTable& skus) {
  Json out = workspace;
  for (const Json& op : DefaultingPatch(workspace, skus)) {
    // Paths are "/a/b/c" with plain keys (no escapes needed).
    Json* target = &out;
    std::string path = op["path"].get<std::string>();
    size_t start = 1;
    while (true) {
      size_t slash = path.find('/', start);
      std::string key =
          path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      if (slash == std::string::npos) {
        (*target)[key] = op["value"];
        break;
      }
      target = &(*target)[key];
      start = slash + 1;
    }
  }
  return out;
}

}  // namespace kt::webhook
