// ChatFormat: renders chat messages into the prompt text a model was trained on (the preset's
// chat template, as data in serving/tokenizer/chat_formats.yaml). The rendered text contains
// special-token strings ("<|user|>"); Tokenizer::Encode(text, /*add_special_tokens=*/false)
// turns them into their ids, as transformers' apply_chat_template does.
//
// Immutable; thread-safe.
#ifndef KT_SERVING_TOKENIZER_CHAT_FORMAT_H_
#define KT_SERVING_TOKENIZER_CHAT_FORMAT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace kt::serving {

struct ChatMessage {
  std::string role;  // "system", "user" or "assistant"
  std::string content;
};

struct ChatFormat {
  enum class SystemMode { kTemplate, kDrop, kMergeIntoFirstUser, kMergeIntoLastUser };
  std::string name;
  std::string prefix;
  SystemMode system = SystemMode::kTemplate;
  std::string system_template, user_template, assistant_template;
  std::string system_separator;
  std::optional<std::string> default_system;
  std::optional<std::string> system_wrapper;
  bool always_system = false;
  bool trim_content = false;
  std::string generation_prompt;
  std::string end_without_generation_prompt;
};

// Parses a chat formats YAML document (the format of chat_formats.yaml).
Result<std::vector<ChatFormat>> ParseChatFormats(std::string_view yaml_text);
// The formats compiled into the binary.
const std::vector<ChatFormat>& BuiltinChatFormats();
Result<const ChatFormat*> FindChatFormat(std::string_view name);

// Invalid for an empty conversation or a role other than system/user/assistant.
Result<std::string> RenderChat(const ChatFormat& format, const std::vector<ChatMessage>& messages,
                               bool add_generation_prompt, std::string_view bos,
                               std::string_view eos);

}  // namespace kt::serving

#endif  // KT_SERVING_TOKENIZER_CHAT_FORMAT_H_
