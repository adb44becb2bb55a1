#include "serving/model/presets.h"

#include "base/json.h"
#include "base/yaml.h"
#include "serving/model/embedded_data.h"

namespace kt::serving {

Result<std::vector<Preset>> ParsePresets(std::string_view yaml_text) {
  KT_ASSIGN_OR_RETURN(Json doc, ParseYaml(yaml_text));
  const Json* list = FindPath(doc, "presets");
  if (list == nullptr || !list->is_array()) return Invalid("presets: no \"presets\" list");
  std::vector<Preset> out;
  for (const Json& p : *list) {
    Preset preset;
    preset.name = GetString(p, "name");
    if (preset.name.empty()) return Invalid("presets: an entry has no name");
    auto where = [&](const std::string& m) { return Invalid("preset " + preset.name + ": " + m); };
    preset.hf_id = GetString(p, "hf_id");
    preset.chat_format = GetString(p, "chat_format");
    if (const Json* c = FindPath(p, "config"); c != nullptr && !c->is_null()) {
      auto cfg = ParseModelConfig(*c);
      if (!cfg.ok()) return where(cfg.status().message());
      preset.config = std::move(cfg).value();
    }
    if (const Json* st = FindPath(p, "special_tokens"); st != nullptr && st->is_object()) {
      for (auto it = st->begin(); it != st->end(); ++it) {
        if (!it.value().is_number_integer()) return where("special token id is not an integer");
        preset.special_tokens[it.key()] = it.value().get<int64_t>();
      }
    }
    if (const Json* s = FindPath(p, "stop_token_ids"); s != nullptr && s->is_array()) {
      for (const Json& id : *s) {
        if (!id.is_number_integer()) return where("stop_token_ids must hold integers");
        preset.stop_token_ids.push_back(id.get<int64_t>());
      }
    }
    if (preset.config) {
      for (const auto& [text, id] : preset.special_tokens) {
        if (id < 0 || id >= preset.config->vocab_size) {
          return where("special token " + text + " id " + std::to_string(id) +
                       " outside the vocabulary");
        }
      }
    }
    for (const Preset& q : out) {
      if (q.name == preset.name) return where("defined twice");
    }
    out.push_back(std::move(preset));
  }
  return out;
}

const std::vector<Preset>& BuiltinPresets() {
  static const std::vector<Preset>* presets = [] {
    auto parsed = ParsePresets(embedded::PresetsYaml());
    KT_CHECK(parsed.ok()) << "serving/model/presets.yaml: " << parsed.status().ToString();
    return new std::vector<Preset>(std::move(parsed).value());
  }();
  return *presets;
}

Result<const Preset*> FindPreset(std::string_view name) {
  std::string names;
  for (const Preset& p : BuiltinPresets()) {
    if (p.name == name) return &p;
    names += (names.empty() ? "" : ", ") + p.name;
  }
  return NotFound("unknown preset \"" + std::string(name) + "\" (known: " + names + ")");
}

}  // namespace kt::serving
