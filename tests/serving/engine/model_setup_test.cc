// Model setup as kaito-serve does it: --adapter NAME=DIR[:STRENGTH] parsing, Kaito's
// /mnt/adapter layout with strengths from environment variables, the memory check that
// refuses a preset whose random weights do not fit (instead of crashing), the merged adapter
// /chat applies (equal to applying every adapter at its strength, checked against the float64
// reference), and the logits dump used by hf_compare.py.
#include "serving/engine/model_setup.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/sim_env.h"
#include "tests/serving/reference/reference_model.h"
#include "tests/serving/testing/test_models.h"

namespace kt::serving {
namespace {

using testing::TempDir;

TEST(ModelSetupTest, AdapterSpecsParse) {
  auto a = ParseAdapterSpec("phi-3-adapter=/mnt/adapter/x:0.5");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->name, "phi-3-adapter");
  EXPECT_EQ(a->dir, "/mnt/adapter/x");
  EXPECT_DOUBLE_EQ(a->strength, 0.5);
  auto plain = ParseAdapterSpec("a=/dir");
  ASSERT_TRUE(plain.ok());
  EXPECT_DOUBLE_EQ(plain->strength, 1.0);
  EXPECT_EQ(ParseAdapterSpec("a=/d:ir").value().dir, "/d:ir");
  EXPECT_FALSE(ParseAdapterSpec("=x").ok());
  EXPECT_FALSE(ParseAdapterSpec("a").ok());
  EXPECT_FALSE(ParseAdapterSpec("a=/x:500").ok());
}

TEST(ModelSetupTest, DiscoversKaitoAdapterDirectoriesWithEnvStrengths) {
  TempDir dir;
  namespace fs = std::filesystem;
  for (const char* name : {"kt-test-adapter-b", "kt-test-adapter-a"}) {
    fs::create_directories(dir.Sub(name));
    std::ofstream(dir.Sub(name) + "/adapter_config.json") << "{}";
  }
  fs::create_directories(dir.Sub("not-an-adapter"));
  ::setenv("kt-test-adapter-a", "0.25", 1);
  auto found = DiscoverAdapters(dir.path());
  ::unsetenv("kt-test-adapter-a");
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].name, "kt-test-adapter-a");
  EXPECT_DOUBLE_EQ((*found)[0].strength, 0.25);
  EXPECT_DOUBLE_EQ((*found)[1].strength, 1.0);
  EXPECT_TRUE(DiscoverAdapters(dir.Sub("missing")).value().empty());
}

TEST(ModelSetupTest, RandomWeightsThatDoNotFitAreRefusedWithNumbers) {
  SimEnv env;
  ModelSetupOptions o;
  o.preset = "phi-3-mini-4k-instruct";
  o.random_weights = true;
  o.memory_limit_bytes = 1ull << 30;
  auto m = SetUpModel(env, o);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("phi-3-mini-4k-instruct needs 14.2"), std::string::npos)
      << m.status().message();
  o.preset = "phi-3.5-mini-instruct";
  m = SetUpModel(env, o);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("--model-dir"), std::string::npos);
}

TEST(ModelSetupTest, MergedAdapterEqualsEveryAdapterAtItsStrength) {
  TempDir dir;
  ModelConfig config = testing::PresetConfig("tiny-llama3");
  testing::WriteRandomModel(config, 41, dir.Sub("model"));
  std::vector<std::pair<LoraAdapter, double>> adapters;
  for (int i = 0; i < 2; ++i) {
    RandomLoraOptions lo;
    lo.rank = 2 + 2 * i;
    lo.alpha = 4;
    lo.seed = 50 + i;
    lo.target_modules = i == 0 ? std::vector<std::string>{"q_proj", "down_proj"}
                               : std::vector<std::string>{"q_proj", "v_proj", "up_proj"};
    auto a = RandomLoraAdapter(config, lo, "a" + std::to_string(i));
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(SaveLoraAdapter(a.value(), config, dir.Sub("ad" + std::to_string(i)), "m").ok());
    adapters.emplace_back(std::move(a).value(), i == 0 ? 0.5 : 2.0);
  }
  LoraAdapter merged = MergeLoraAdapters({{&adapters[0].first, 0.5}, {&adapters[1].first, 2.0}}, "m");
  EXPECT_EQ(merged.rank, 2 + 4);
  EXPECT_DOUBLE_EQ(merged.scaling(), 1.0);
  auto ref = testing::ReferenceModel::Load(dir.Sub("model"));
  ASSERT_TRUE(ref.ok());
  ASSERT_TRUE(ref.value()->AddAdapter("a0", dir.Sub("ad0")).ok());
  ASSERT_TRUE(ref.value()->AddAdapter("a1", dir.Sub("ad1")).ok());
  auto backend = testing::LoadBackend(dir.Sub("model"), {.adapter_slots = 1, .max_lora_rank = 6});
  ASSERT_TRUE(backend->LoadAdapter(0, merged).ok());
  std::vector<int> tokens = testing::RandomTokens(41, 12, 3, 384);
  auto want = ref.value()->Forward(tokens, -1, {{"a0", 0.5}, {"a1", 2.0}});
  auto got = testing::ForwardChunk(*backend, tokens, 0, 12, 12, 0, 1.0f);
  double worst = 0;
  for (size_t p = 0; p < want.size(); ++p) {
    for (size_t v = 0; v < want[p].size(); ++v) worst = std::max(worst, std::abs(got[p][v] - want[p][v]));
  }
  EXPECT_LT(worst, 1e-4);
}

TEST(ModelSetupTest, ComputeLogitsPrefillThenDecodeMatchesTheReference) {
  TempDir dir;
  ModelConfig config = testing::PresetConfig("tiny-phi3-longrope");
  testing::WriteRandomModel(config, 42, dir.path());
  auto ref = testing::ReferenceModel::Load(dir.path());
  ASSERT_TRUE(ref.ok());
  std::vector<int> t = testing::RandomTokens(42, 80, 3, 384);
  auto w = LoadModelDir(dir.path(), DType::kF32);
  ASSERT_TRUE(w.ok());
  auto got = ComputeLogits(std::move(w).value(), std::vector<int32_t>(t.begin(), t.end()), 50, {});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  auto want = ref.value()->Forward(t, 50);
  ASSERT_EQ(got->size(), want.size());
  double worst = 0;
  for (size_t p = 0; p < want.size(); ++p) {
    for (size_t v = 0; v < want[p].size(); ++v) {
      worst = std::max(worst, std::abs((*got)[p][v] - want[p][v]));
    }
  }
  EXPECT_LT(worst, 1e-4);
}

}  // namespace
}  // namespace kt::serving
