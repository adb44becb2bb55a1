#include "serving/tokenizer/chat_format.h"

#include "base/json.h"
#include "base/yaml.h"

namespace kt::serving {

namespace embedded {
std::string_view ChatFormatsYaml();  // generated from chat_formats.yaml
}  // namespace embedded

namespace {

// One pass over `tmpl`, replacing the known placeholders (values are not re-scanned).
std::string Fill(std::string_view tmpl, std::string_view content, std::string_view role,
                 std::string_view bos, std::string_view eos) {
  std::string out;
  for (size_t i = 0; i < tmpl.size();) {
    if (tmpl[i] == '{') {
      size_t close = tmpl.find('}', i);
      if (close != std::string_view::npos) {
        std::string_view key = tmpl.substr(i + 1, close - i - 1);
        const std::string_view* value = nullptr;
        if (key == "content") value = &content;
        if (key == "role") value = &role;
        if (key == "bos") value = &bos;
        if (key == "eos") value = &eos;
        if (value != nullptr) {
          out += *value;
          i = close + 1;
          continue;
        }
      }
    }
    out.push_back(tmpl[i++]);
  }
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

Result<std::vector<ChatFormat>> ParseChatFormats(std::string_view yaml_text) {
  KT_ASSIGN_OR_RETURN(Json doc, ParseYaml(yaml_text));
  const Json* list = FindPath(doc, "formats");
  if (list == nullptr || !list->is_array()) return Invalid("chat formats: no \"formats\" list");
  std::vector<ChatFormat> out;
  for (const Json& f : *list) {
    ChatFormat c;
    c.name = GetString(f, "name");
    if (c.name.empty()) return Invalid("chat formats: an entry has no name");
    c.prefix = GetString(f, "prefix");
    std::string mode = GetString(f, "system", "template");
    if (mode == "template") {
      c.system = ChatFormat::SystemMode::kTemplate;
    } else if (mode == "drop") {
      c.system = ChatFormat::SystemMode::kDrop;
    } else if (mode == "merge_into_first_user") {
      c.system = ChatFormat::SystemMode::kMergeIntoFirstUser;
    } else if (mode == "merge_into_last_user") {
      c.system = ChatFormat::SystemMode::kMergeIntoLastUser;
    } else {
      return Invalid("chat format " + c.name + ": unknown system mode \"" + mode + "\"");
    }
    c.system_template = GetString(f, "system_template");
    c.user_template = GetString(f, "user_template");
    c.assistant_template = GetString(f, "assistant_template");
    c.system_separator = GetString(f, "system_separator");
    if (const Json* d = FindPath(f, "default_system"); d != nullptr && d->is_string()) {
      c.default_system = d->get<std::string>();
    }
    if (const Json* w = FindPath(f, "system_wrapper"); w != nullptr && w->is_string()) {
      c.system_wrapper = w->get<std::string>();
    }
    c.always_system = GetBool(f, "always_system");
    c.trim_content = GetBool(f, "trim_content");
    c.generation_prompt = GetString(f, "generation_prompt");
    c.end_without_generation_prompt = GetString(f, "end_without_generation_prompt");
    if (c.user_template.empty()) return Invalid("chat format " + c.name + ": no user_template");
    out.push_back(std::move(c));
  }
  return out;
}

const std::vector<ChatFormat>& BuiltinChatFormats() {
  static const std::vector<ChatFormat>* formats = [] {
    auto parsed = ParseChatFormats(embedded::ChatFormatsYaml());
    KT_CHECK(parsed.ok()) << "serving/tokenizer/chat_formats.yaml: " << parsed.status().ToString();
    return new std::vector<ChatFormat>(std::move(parsed).value());
  }();
  return *formats;
}

Result<const ChatFormat*> FindChatFormat(std::string_view name) {
  for (const ChatFormat& f : BuiltinChatFormats()) {
    if (f.name == name) return &f;
  }
  return NotFound("unknown chat format \"" + std::string(name) + "\"");
}

Result<std::string> RenderChat(const ChatFormat& f, const std::vector<ChatMessage>& messages,
                               bool add_generation_prompt, std::string_view bos,
                               std::string_view eos) {
  if (messages.empty()) return Invalid("messages must not be empty");
  std::vector<ChatMessage> msgs;
  std::optional<std::string> system;
  for (size_t i = 0; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    if (m.role != "system" && m.role != "user" && m.role != "assistant") {
      return Invalid("messages[" + std::to_string(i) + "].role \"" + m.role +
                     "\" is not one of system, user, assistant");
    }
    ChatMessage copy = m;
    if (f.trim_content) copy.content = Trim(copy.content);
    if (copy.role == "system" && f.system != ChatFormat::SystemMode::kTemplate) {
      if (f.system != ChatFormat::SystemMode::kDrop) {
        system = system ? *system + "\n" + copy.content : copy.content;
      }
      continue;
    }
    msgs.push_back(std::move(copy));
  }
  if (f.system == ChatFormat::SystemMode::kTemplate) {
    bool has_system = !msgs.empty() && msgs[0].role == "system";
    if (!has_system && (f.default_system || f.always_system)) {
      msgs.insert(msgs.begin(), ChatMessage{"system", f.default_system.value_or("")});
    }
    if (f.system_wrapper && !msgs.empty() && msgs[0].role == "system") {
      msgs[0].content = Fill(*f.system_wrapper, msgs[0].content, "system", bos, eos);
    }
  } else if (system) {
    int target = -1;
    for (int i = 0; i < static_cast<int>(msgs.size()); ++i) {
      if (msgs[i].role != "user") continue;
      if (target < 0 || f.system == ChatFormat::SystemMode::kMergeIntoLastUser) target = i;
    }
    if (target >= 0) msgs[target].content = *system + f.system_separator + msgs[target].content;
  }
  std::string out = Fill(f.prefix, "", "", bos, eos);
  for (const ChatMessage& m : msgs) {
    const std::string& tmpl = m.role == "system"   ? f.system_template
                              : m.role == "user"   ? f.user_template
                                                   : f.assistant_template;
    out += Fill(tmpl, m.content, m.role, bos, eos);
  }
  out += Fill(add_generation_prompt ? f.generation_prompt : f.end_without_generation_prompt, "", "",
              bos, eos);
  return out;
}

}  // namespace kt::serving
