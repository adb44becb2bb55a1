// Presets: the data file parses; every preset names a known chat format; presets with a
// built-in architecture have valid configs whose special and stop ids fit the vocabulary;
// Kaito's preset names are present; an unknown name is NotFound listing the known ones; and
// the parser refuses malformed entries.
#include "serving/model/presets.h"

#include <gtest/gtest.h>

#include "serving/tokenizer/chat_format.h"

namespace kt::serving {
namespace {

TEST(PresetsTest, BuiltinPresetsAreConsistent) {
  const auto& presets = BuiltinPresets();
  ASSERT_GE(presets.size(), 10u);
  for (const Preset& p : presets) {
    EXPECT_TRUE(FindChatFormat(p.chat_format).ok()) << p.name << " -> " << p.chat_format;
    if (!p.config) continue;
    EXPECT_TRUE(p.config->Validate().ok()) << p.name;
    for (int64_t id : p.stop_token_ids) EXPECT_LT(id, p.config->vocab_size) << p.name;
  }
}

TEST(PresetsTest, KaitoPresetNamesResolve) {
  for (const char* name : {"phi-3-mini-4k-instruct", "phi-3-mini-128k-instruct",
                           "phi-3-medium-4k-instruct", "phi-3-medium-128k-instruct",
                           "phi-3.5-mini-instruct", "mistral-7b", "mistral-7b-instruct",
                           "llama-3.1-8b-instruct", "qwen2.5-coder-7b-instruct",
                           "deepseek-r1-distill-llama-8b", "deepseek-r1-distill-qwen-14b"}) {
    EXPECT_TRUE(FindPreset(name).ok()) << name;
  }
  auto p = FindPreset("phi-3-mini-4k-instruct");
  EXPECT_EQ(p.value()->special_tokens.at("<|end|>"), 32007);
  EXPECT_FALSE(FindPreset("phi-3.5-mini-instruct").value()->config.has_value());
}

TEST(PresetsTest, UnknownPresetListsKnownNames) {
  auto p = FindPreset("gpt-5");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kNotFound);
  EXPECT_NE(p.status().message().find("tiny-phi3"), std::string::npos);
}

TEST(PresetsTest, MalformedEntriesAreRefused) {
  EXPECT_FALSE(ParsePresets("presets: 3").ok());
  EXPECT_FALSE(ParsePresets("presets:\n  - hf_id: x\n").ok());
  EXPECT_FALSE(ParsePresets("presets:\n  - name: a\n  - name: a\n").ok());
  auto bad_id = ParsePresets(R"(presets:
  - name: a
    special_tokens: {"<x>": 999}
    config: {model_type: llama, hidden_size: 8, intermediate_size: 8, num_hidden_layers: 1,
             num_attention_heads: 2, vocab_size: 300}
)");
  ASSERT_FALSE(bad_id.ok());
  EXPECT_NE(bad_id.status().message().find("outside the vocabulary"), std::string::npos);
}

}  // namespace
}  // namespace kt::serving
