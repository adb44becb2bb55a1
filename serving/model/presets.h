// Presets: Kaito preset names mapped to a Hugging Face architecture, chat format and token ids
// (data in serving/model/presets.yaml, compiled into the binary).
//
// A preset with a `config` can build random weights (--random-weights); one without needs a
// model directory. Immutable after loading; thread-safe.
#ifndef KT_SERVING_MODEL_PRESETS_H_
#define KT_SERVING_MODEL_PRESETS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "serving/model/model_config.h"

namespace kt::serving {

struct Preset {
  std::string name;         // Kaito preset name: "phi-3-mini-4k-instruct"
  std::string hf_id;        // "microsoft/Phi-3-mini-4k-instruct"
  std::string chat_format;  // a name in serving/tokenizer/chat_formats.yaml
  std::optional<ModelConfig> config;  // built-in architecture, when recorded
  std::map<std::string, int64_t> special_tokens;  // text -> id
  std::vector<int64_t> stop_token_ids;
  bool tiny() const { return name.rfind("tiny-", 0) == 0; }
};

// Parses a presets YAML document (the format of presets.yaml).
Result<std::vector<Preset>> ParsePresets(std::string_view yaml_text);

// The presets compiled into the binary. Loading them is a bug-free fact of the build: a
// malformed presets.yaml fails the unit tests, and here a KT_CHECK.
const std::vector<Preset>& BuiltinPresets();
// NotFound listing the known names when absent.
Result<const Preset*> FindPreset(std::string_view name);

}  // namespace kt::serving

#endif  // KT_SERVING_MODEL_PRESETS_H_
