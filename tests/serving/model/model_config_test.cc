// config.json parsing: the Phi-3 (LongRoPE su/longrope, sliding window 2047, fused layout),
// Llama-3 (llama3 rope scaling, GQA), Mistral (window) and Qwen2 (q/k/v biases, tied
// embeddings) fields are read as transformers reads them, sizes derive correctly (head dim,
// GQA, KV bytes per token, parameter count), the JSON written back parses to the same config,
// and unsupported or inconsistent configs are Invalid with a message naming the field.
#include "serving/model/model_config.h"

#include <gtest/gtest.h>

#include "base/json.h"
#include "serving/model/presets.h"
#include "tests/serving/testing/test_models.h"

namespace kt::serving {
namespace {

using testing::PresetConfig;

TEST(ModelConfigTest, Phi3Mini4kIsMhaWithWindow2047) {
  ModelConfig c = PresetConfig("phi-3-mini-4k-instruct");
  EXPECT_EQ(c.arch, Architecture::kPhi3);
  EXPECT_EQ(c.head_dim, 96);
  EXPECT_EQ(c.num_kv_heads, 32);
  EXPECT_EQ(c.qkv_size(), 9216);
  ASSERT_TRUE(c.sliding_window.has_value());
  EXPECT_EQ(*c.sliding_window, 2047);
  EXPECT_EQ(c.rope_scaling.type, RopeType::kDefault);
  // 32 KV heads x 96 dims x 32 layers x (K, V) x 2 bytes = 384 KiB per token.
  EXPECT_EQ(c.KvBytesPerToken(DType::kBF16), 384 * 1024);
  EXPECT_EQ(c.ParameterCount(), 3821079552);
  EXPECT_EQ(c.eos_token_ids, std::vector<int64_t>{32000});
}

TEST(ModelConfigTest, Phi3Mini128kReadsSuFactorsAsLongRope) {
  ModelConfig c = PresetConfig("phi-3-mini-128k-instruct");
  EXPECT_EQ(c.rope_scaling.type, RopeType::kLongRope);
  EXPECT_EQ(c.rope_scaling.type_name, "su");
  EXPECT_EQ(c.rope_scaling.short_factor.size(), 48u);
  EXPECT_EQ(c.rope_scaling.long_factor.size(), 48u);
  EXPECT_DOUBLE_EQ(c.rope_scaling.long_factor.back(), 64.81);
  EXPECT_EQ(c.original_max_position_embeddings, 4096);
  EXPECT_EQ(c.max_position_embeddings, 131072);
}

TEST(ModelConfigTest, Llama31HasGqaAndLlama3Scaling) {
  ModelConfig c = PresetConfig("llama-3.1-8b-instruct");
  EXPECT_EQ(c.arch, Architecture::kLlama);
  EXPECT_EQ(c.num_heads / c.num_kv_heads, 4);
  EXPECT_EQ(c.rope_scaling.type, RopeType::kLlama3);
  EXPECT_EQ(c.rope_scaling.original_max_position_embeddings, 8192);
  EXPECT_EQ(c.eos_token_ids, (std::vector<int64_t>{128001, 128008, 128009}));
  EXPECT_EQ(c.KvBytesPerToken(DType::kBF16), 128 * 1024);
}

TEST(ModelConfigTest, Qwen2HasQkvBiasAndMistralHasWindowFromConfig) {
  ModelConfig q = PresetConfig("tiny-qwen2");
  EXPECT_TRUE(q.qkv_bias);
  EXPECT_FALSE(q.o_bias);
  EXPECT_TRUE(q.tie_word_embeddings);
  EXPECT_FALSE(q.sliding_window.has_value());
  ModelConfig m = PresetConfig("tiny-mistral");
  EXPECT_EQ(*m.sliding_window, 24);
  EXPECT_FALSE(PresetConfig("mistral-7b").sliding_window.has_value());
}

TEST(ModelConfigTest, LlamaAttentionBiasAndExplicitHeadDim) {
  Json j = ModelConfigToJson(PresetConfig("tiny-llama3"));
  j["attention_bias"] = true;
  j["mlp_bias"] = true;
  j["head_dim"] = 32;
  auto c = ParseModelConfig(j);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c.value().qkv_bias);
  EXPECT_TRUE(c.value().o_bias);
  EXPECT_TRUE(c.value().mlp_bias);
  EXPECT_EQ(c.value().head_dim, 32);
  EXPECT_EQ(c.value().q_size(), 4 * 32);
}

TEST(ModelConfigTest, JsonRoundTripGivesTheSameConfig) {
  for (const char* name : {"tiny-phi3", "tiny-phi3-longrope", "tiny-llama3", "tiny-mistral",
                           "tiny-qwen2", "phi-3-mini-128k-instruct"}) {
    ModelConfig a = PresetConfig(name);
    auto b = ParseModelConfig(ModelConfigToJson(a));
    ASSERT_TRUE(b.ok()) << name << ": " << b.status().ToString();
    EXPECT_EQ(DumpJson(ModelConfigToJson(a)), DumpJson(ModelConfigToJson(b.value()))) << name;
  }
}

TEST(ModelConfigTest, UnsupportedOrInconsistentConfigsNameTheField) {
  Json base = ModelConfigToJson(PresetConfig("tiny-llama3"));
  struct Case {
    const char* key;
    Json value;
    const char* expect;
  } cases[] = {
      {"model_type", "gpt2", "model_type"},
      {"hidden_act", "gelu", "hidden_act"},
      {"num_key_value_heads", 3, "multiple of num_key_value_heads"},
      {"hidden_size", -5, "hidden_size"},
      {"vocab_size", "many", "vocab_size"},
      {"rope_scaling", Json{{"rope_type", "yarn"}, {"factor", 4.0}}, "yarn"},
      {"eos_token_id", 100000, "eos_token_id"},
  };
  for (const Case& c : cases) {
    Json j = base;
    j[c.key] = c.value;
    auto r = ParseModelConfig(j);
    ASSERT_FALSE(r.ok()) << c.key;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos)
        << c.key << ": " << r.status().message();
  }
  Json lr = ModelConfigToJson(PresetConfig("tiny-phi3-longrope"));
  lr["rope_scaling"]["long_factor"] = {1.0, 2.0};
  auto r = ParseModelConfig(lr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("LongRoPE"), std::string::npos);
  EXPECT_FALSE(ParseModelConfig(Json::array()).ok());
}

}  // namespace
}  // namespace kt::serving
