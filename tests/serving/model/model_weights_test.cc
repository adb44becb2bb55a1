// Model weights: random weights are a pure function of (config, seed); saving writes exactly
// the Hugging Face parameter names of each family (fused qkv_proj/gate_up_proj for Phi-3,
// separate q/k/v and gate/up for Llama, Mistral and Qwen2, biases where the family has them,
// no lm_head when tied); saving and reloading is bit-exact at the weight dtype, single-file or
// sharded; and a checkpoint missing a tensor or disagreeing with config.json is refused with
// the tensor's name.
#include "serving/model/model_weights.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <set>

#include "serving/model/checkpoint.h"
#include "serving/model/hf_names.h"
#include "tests/serving/testing/test_models.h"

namespace kt::serving {
namespace {

using testing::PresetConfig;
using testing::TempDir;

bool SameBytes(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.data(), b.data(), a.nbytes()) == 0;
}

bool SameWeights(const ModelWeights& a, const ModelWeights& b) {
  if (!SameBytes(a.embed, b.embed) || !SameBytes(a.final_norm, b.final_norm) ||
      a.lm_head.empty() != b.lm_head.empty() || (!a.lm_head.empty() && !SameBytes(a.lm_head, b.lm_head))) {
    return false;
  }
  for (size_t i = 0; i < a.layers.size(); ++i) {
    const LayerWeights &x = a.layers[i], &y = b.layers[i];
    for (auto [p, q] : {std::pair{&x.qkv, &y.qkv}, {&x.o, &y.o}, {&x.gate_up, &y.gate_up},
                        {&x.down, &y.down}, {&x.input_norm, &y.input_norm},
                        {&x.post_norm, &y.post_norm}, {&x.qkv_bias, &y.qkv_bias}}) {
      if (p->empty() != q->empty() || (!p->empty() && !SameBytes(*p, *q))) return false;
    }
  }
  return true;
}

TEST(ModelWeightsTest, RandomWeightsDependOnlyOnConfigAndSeed) {
  ModelConfig c = PresetConfig("tiny-llama3");
  ModelWeights a = RandomModelWeights(c, {.seed = 7});
  ModelWeights b = RandomModelWeights(c, {.seed = 7});
  ModelWeights d = RandomModelWeights(c, {.seed = 8});
  EXPECT_TRUE(SameWeights(a, b));
  EXPECT_FALSE(SameWeights(a, d));
  EXPECT_EQ(a.Bytes(), WeightBytes(c, DType::kF32));
}

TEST(ModelWeightsTest, RandomWeightsAreTheSameForAnyThreadCount) {
  ModelConfig c = PresetConfig("tiny-phi3");  // fused qkv and gate_up: parts share tensors
  for (DType dtype : {DType::kF32, DType::kBF16}) {
    ModelWeights one = RandomModelWeights(c, {.seed = 5, .dtype = dtype, .threads = 1});
    EXPECT_TRUE(SameWeights(one, RandomModelWeights(c, {.seed = 5, .dtype = dtype, .threads = 3})));
    EXPECT_TRUE(SameWeights(one, RandomModelWeights(c, {.seed = 5, .dtype = dtype, .threads = 0})));
  }
}

TEST(ModelWeightsTest, Phi3SavesFusedHuggingFaceNames) {
  TempDir dir;
  testing::WriteRandomModel(PresetConfig("tiny-phi3"), 1, dir.path());
  auto ckpt = Checkpoint::Open(dir.path());
  ASSERT_TRUE(ckpt.ok());
  std::set<std::string> names;
  for (const std::string& n : ckpt.value()->Names()) names.insert(n);
  for (const char* n : {"model.embed_tokens.weight", "model.norm.weight", "lm_head.weight",
                        "model.layers.0.self_attn.qkv_proj.weight",
                        "model.layers.0.self_attn.o_proj.weight",
                        "model.layers.1.mlp.gate_up_proj.weight", "model.layers.1.mlp.down_proj.weight",
                        "model.layers.1.input_layernorm.weight",
                        "model.layers.1.post_attention_layernorm.weight"}) {
    EXPECT_TRUE(names.count(n)) << n;
  }
  EXPECT_EQ(names.size(), 3u + 2 * 6);
  EXPECT_EQ(ckpt.value()->Find("model.layers.0.self_attn.qkv_proj.weight")->shape,
            (std::vector<int64_t>{3 * 64, 64}));
}

TEST(ModelWeightsTest, Qwen2SavesSplitNamesWithBiasesAndNoTiedHead) {
  TempDir dir;
  testing::WriteRandomModel(PresetConfig("tiny-qwen2"), 1, dir.path());
  auto ckpt = Checkpoint::Open(dir.path());
  ASSERT_TRUE(ckpt.ok());
  EXPECT_TRUE(ckpt.value()->Has("model.layers.0.self_attn.q_proj.bias"));
  EXPECT_TRUE(ckpt.value()->Has("model.layers.0.self_attn.v_proj.bias"));
  EXPECT_FALSE(ckpt.value()->Has("model.layers.0.self_attn.o_proj.bias"));
  EXPECT_TRUE(ckpt.value()->Has("model.layers.1.mlp.up_proj.weight"));
  EXPECT_FALSE(ckpt.value()->Has("lm_head.weight"));
  EXPECT_EQ(ckpt.value()->Find("model.layers.0.self_attn.k_proj.weight")->shape,
            (std::vector<int64_t>{2 * 16, 64}));
}

TEST(ModelWeightsTest, SaveAndReloadIsExactSingleAndSharded) {
  for (DType dtype : {DType::kF32, DType::kBF16}) {
    for (uint64_t shard : {5'000'000'000ull, 100'000ull}) {
      TempDir dir;
      ModelConfig c = PresetConfig("tiny-mistral");
      ModelWeights w = RandomModelWeights(c, {.seed = 3, .dtype = dtype});
      ASSERT_TRUE(SaveModelDir(w, dir.path(), {.shard_bytes_max = shard, .dtype = dtype}).ok());
      EXPECT_EQ(std::filesystem::exists(dir.Sub("model.safetensors.index.json")), shard < 1'000'000)
          << "shard limit " << shard;
      auto back = LoadModelDir(dir.path(), dtype);
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      EXPECT_TRUE(SameWeights(w, back.value())) << "dtype " << static_cast<int>(dtype)
                                                << " shard " << shard;
    }
  }
}

TEST(ModelWeightsTest, MissingOrMisshapenTensorIsRefusedByName) {
  TempDir dir;
  ModelConfig c = PresetConfig("tiny-llama3");
  testing::WriteRandomModel(c, 1, dir.path());
  ModelConfig bigger = c;
  bigger.num_layers = 3;
  auto ckpt = Checkpoint::Open(dir.path());
  ASSERT_TRUE(ckpt.ok());
  auto missing = LoadModelWeights(bigger, *ckpt.value(), DType::kF32);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("model.layers.2."), std::string::npos);
  ModelConfig wider = c;
  wider.intermediate_size = 96;
  auto shape = LoadModelWeights(wider, *ckpt.value(), DType::kF32);
  ASSERT_FALSE(shape.ok());
  EXPECT_NE(shape.status().message().find("mlp.gate_proj.weight"), std::string::npos);
}

TEST(ModelWeightsTest, WeightBytesMatchesPhi3MiniParameterCount) {
  ModelConfig c = PresetConfig("phi-3-mini-4k-instruct");
  // Matrices in bf16, the 65 norm vectors in f32.
  uint64_t norms = (2 * 32 + 1) * 3072ull;
  EXPECT_EQ(WeightBytes(c, DType::kBF16), (c.ParameterCount() - norms) * 2 + norms * 4);
}

}  // namespace
}  // namespace kt::serving
