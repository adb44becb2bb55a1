// The CPU backend computes what the float64 reference computes, for every architecture and
// option: Phi-3 (fused projections, sliding window), Phi-3 LongRoPE (short and long factors,
// switching when the sequence crosses original_max_position_embeddings), Llama-3 (GQA, llama3
// rope scaling), Mistral (GQA, window), Qwen2 (q/k/v biases, tied embeddings), LoRA adapters
// with strength 0.5, 1 and 2, and bfloat16 checkpoints. Each case runs a prefill and then
// decode steps through the paged cache and compares the logits at every position with the
// reference's full recompute; the sliding window is checked at the 2047-token window of
// Phi-3-mini-4k (positions 2045..2049, where the first keys drop out of view).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "serving/engine/lora_adapter.h"
#include "tests/serving/reference/reference_model.h"
#include "tests/serving/testing/test_models.h"

namespace kt::serving {
namespace {

using testing::ForwardChunk;
using testing::PresetConfig;
using testing::RandomTokens;
using testing::ReferenceModel;
using testing::TempDir;

// Largest |engine - reference| over positions [from, to), relative to the logits' scale.
double WorstError(const std::vector<std::vector<float>>& got, int got_offset,
                  const std::vector<std::vector<double>>& want, int from, int to) {
  double worst = 0;
  for (int p = from; p < to; ++p) {
    double scale = 1;
    for (double v : want[p]) scale = std::max(scale, std::abs(v));
    for (size_t v = 0; v < want[p].size(); ++v) {
      worst = std::max(worst, std::abs(got[p - got_offset][v] - want[p][v]) / scale);
    }
  }
  return worst;
}

struct Case {
  const char* preset;
  int prompt_len;
  int total_len;
  DType dtype = DType::kF32;
};

// Prefill `prompt_len` tokens in one chunk, then decode one token at a time to total_len.
void CheckAgainstReference(const Case& c, uint64_t seed) {
  SCOPED_TRACE(std::string(c.preset) + " seed=" + std::to_string(seed));
  TempDir dir;
  ModelConfig config = PresetConfig(c.preset);
  testing::WriteRandomModel(config, seed, dir.path(), c.dtype);
  auto ref = ReferenceModel::Load(dir.path());
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  auto backend = testing::LoadBackend(dir.path(), {.num_kv_blocks = 64, .block_size = 4,
                                                   .weight_dtype = c.dtype});
  std::vector<int> tokens = RandomTokens(seed, c.total_len, 3, static_cast<int>(config.vocab_size));
  auto want = ref.value()->Forward(tokens, c.prompt_len);
  std::vector<std::vector<float>> got = ForwardChunk(*backend, tokens, 0, c.prompt_len, c.prompt_len);
  for (int p = c.prompt_len; p < c.total_len; ++p) {
    got.push_back(ForwardChunk(*backend, tokens, p, 1, c.prompt_len)[0]);
  }
  double err = WorstError(got, 0, want, 0, c.total_len);
  std::printf("[ reference ] %s prompt=%d total=%d worst relative error %.3g\n", c.preset,
              c.prompt_len, c.total_len, err);
  EXPECT_LT(err, 1e-4);
}

TEST(LogitsReferenceTest, Phi3FusedProjectionsAndSlidingWindow) {
  CheckAgainstReference({"tiny-phi3", 30, 60}, 11);  // window 47: positions 47..59 slide
}

TEST(LogitsReferenceTest, Phi3LongRopeShortThenLongAcrossOriginalMax) {
  CheckAgainstReference({"tiny-phi3-longrope", 50, 80}, 12);  // original_max 64
}

TEST(LogitsReferenceTest, Phi3LongRopeLongPromptUsesLongFactorsThroughout) {
  CheckAgainstReference({"tiny-phi3-longrope", 70, 75}, 13);
}

TEST(LogitsReferenceTest, Llama3GqaWithLlama3RopeScaling) {
  CheckAgainstReference({"tiny-llama3", 20, 40}, 14);
}

TEST(LogitsReferenceTest, MistralGqaWithSlidingWindow) {
  CheckAgainstReference({"tiny-mistral", 20, 40}, 15);  // window 24
}

TEST(LogitsReferenceTest, Qwen2BiasesAndTiedEmbeddings) {
  CheckAgainstReference({"tiny-qwen2", 20, 40}, 16);
}

TEST(LogitsReferenceTest, Bfloat16CheckpointsOfEachFamily) {
  for (const char* p : {"tiny-phi3", "tiny-llama3", "tiny-qwen2"}) {
    CheckAgainstReference({p, 12, 20, DType::kBF16}, 17);
  }
}

TEST(LogitsReferenceTest, ChunkedPrefillMatchesTheReference) {
  TempDir dir;
  ModelConfig config = PresetConfig("tiny-mistral");
  testing::WriteRandomModel(config, 21, dir.path());
  auto ref = ReferenceModel::Load(dir.path());
  ASSERT_TRUE(ref.ok());
  auto backend = testing::LoadBackend(dir.path(), {});
  std::vector<int> tokens = RandomTokens(21, 45, 3, 384);
  auto want = ref.value()->Forward(tokens);
  std::vector<std::vector<float>> got;
  for (int start = 0; start < 45; start += 7) {
    int n = std::min(7, 45 - start);
    for (auto& row : ForwardChunk(*backend, tokens, start, n, 45)) got.push_back(row);
  }
  EXPECT_LT(WorstError(got, 0, want, 0, 45), 1e-4);
}

TEST(LogitsReferenceTest, SlidingWindow2047AtTheWindowEdge) {
  ModelConfig config = PresetConfig("tiny-phi3");
  config.sliding_window = 2047;
  config.max_position_embeddings = 4096;
  config.original_max_position_embeddings = 4096;
  config.num_layers = 1;
  TempDir dir;
  testing::WriteRandomModel(config, 23, dir.path());
  auto ref = ReferenceModel::Load(dir.path());
  ASSERT_TRUE(ref.ok());
  auto backend = testing::LoadBackend(
      dir.path(), {.num_kv_blocks = 140, .block_size = 16, .max_batch_tokens = 2100});
  std::vector<int> tokens = RandomTokens(23, 2050, 3, 384);
  auto want = ref.value()->Forward(tokens);
  auto got = ForwardChunk(*backend, tokens, 0, 2044, 2050);
  for (int p = 2044; p < 2050; ++p) got.push_back(ForwardChunk(*backend, tokens, p, 1, 2050)[0]);
  double err = WorstError(got, 0, want, 2040, 2050);
  std::printf("[ reference ] window 2047 positions 2040..2049 worst relative error %.3g\n", err);
  EXPECT_LT(err, 1e-4);
  // The window matters here: a full-attention reference differs at the last positions.
  ModelConfig full = config;
  full.sliding_window.reset();
  TempDir dir2;
  testing::WriteRandomModel(full, 23, dir2.path());
  auto ref_full = ReferenceModel::Load(dir2.path());
  auto want_full = ref_full.value()->Forward(tokens);
  EXPECT_LT(WorstError(got, 0, want_full, 2040, 2047), 1e-4);  // window covers everything
  EXPECT_GT(WorstError(got, 0, want_full, 2047, 2050), 1e-6);  // position 2047 drops key 0
}

void CheckLora(const char* preset, std::vector<std::string> targets, uint64_t seed) {
  SCOPED_TRACE(preset);
  TempDir dir;
  ModelConfig config = PresetConfig(preset);
  testing::WriteRandomModel(config, seed, dir.Sub("model"));
  RandomLoraOptions lo;
  lo.rank = 4;
  lo.alpha = 8;
  lo.seed = seed;
  lo.target_modules = std::move(targets);
  auto adapter = RandomLoraAdapter(config, lo, "a");
  ASSERT_TRUE(adapter.ok()) << adapter.status().ToString();
  ASSERT_TRUE(SaveLoraAdapter(adapter.value(), config, dir.Sub("adapter"), "base").ok());
  // Load back through the PEFT reader, as kaito-serve does.
  auto loaded = LoadLoraAdapter(dir.Sub("adapter"), config, "a");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  auto ref = ReferenceModel::Load(dir.Sub("model"));
  ASSERT_TRUE(ref.ok());
  ASSERT_TRUE(ref.value()->AddAdapter("a", dir.Sub("adapter")).ok());
  auto backend = testing::LoadBackend(dir.Sub("model"), {.adapter_slots = 2, .max_lora_rank = 4});
  ASSERT_TRUE(backend->LoadAdapter(1, loaded.value()).ok());
  std::vector<int> tokens = RandomTokens(seed, 16, 3, 384);
  auto base = ref.value()->Forward(tokens);
  for (double strength : {0.5, 1.0, 2.0}) {
    auto want = ref.value()->Forward(tokens, -1, "a", strength);
    float scale = static_cast<float>(strength * loaded.value().scaling());
    auto got = ForwardChunk(*backend, tokens, 0, 16, 16, /*lora_slot=*/1, scale);
    double err = WorstError(got, 0, want, 0, 16);
    std::printf("[ reference ] %s LoRA strength %.1f worst relative error %.3g\n", preset,
                strength, err);
    EXPECT_LT(err, 1e-4) << "strength " << strength;
    EXPECT_GT(WorstError(got, 0, base, 0, 16), 1e-3) << "the adapter must change the logits";
  }
  // Slot -1 is the base model even with adapters loaded.
  auto plain = ForwardChunk(*backend, tokens, 0, 16, 16, -1, 0);
  EXPECT_LT(WorstError(plain, 0, base, 0, 16), 1e-4);
}

TEST(LogitsReferenceTest, LoraWithStrengthOnPhi3FusedModules) {
  CheckLora("tiny-phi3", {"qkv_proj", "o_proj", "gate_up_proj", "down_proj"}, 31);
}

TEST(LogitsReferenceTest, LoraWithStrengthOnLlamaSplitModules) {
  CheckLora("tiny-llama3", {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
                            "down_proj"}, 32);
}

TEST(LogitsReferenceTest, LoraOnASubsetOfModules) {
  CheckLora("tiny-qwen2", {"q_proj", "v_proj"}, 33);
}

}  // namespace
}  // namespace kt::serving
