// Test support for the serving tests: temporary directories, random checkpoints of the presets
// written under Hugging Face names, CPU engines over them, and direct single-sequence forward
// passes for logit comparisons.
#ifndef KT_TESTS_SERVING_TESTING_TEST_MODELS_H_
#define KT_TESTS_SERVING_TESTING_TEST_MODELS_H_

#include <memory>
#include <string>
#include <vector>

#include "base/env.h"
#include "serving/engine/kernel_model_backend.h"
#include "serving/engine/engine.h"
#include "serving/model/model_config.h"
#include "serving/model/model_weights.h"

namespace kt::serving::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The built-in config of a preset (KT_CHECK-fails for presets without one).
ModelConfig PresetConfig(const std::string& preset);

// Writes config.json + safetensors of random weights for `config` into `dir`.
void WriteRandomModel(const ModelConfig& config, uint64_t seed, const std::string& dir,
                      DType save_dtype = DType::kF32, uint64_t shard_bytes_max = 5'000'000'000ull);

struct TestBackendOptions {
  int32_t num_kv_blocks = 64;
  int32_t block_size = 4;
  int32_t max_batch_tokens = 256;
  int32_t adapter_slots = 0;
  int32_t max_lora_rank = 8;
  DType weight_dtype = DType::kF32;
  // The CPU backend's device-style path (weights converted into backend buffers, bf16 logits
  // widened on the host) runs with kBF16 here.
  DType activation_dtype = DType::kF32;
  DType kv_dtype = DType::kF32;
};
std::unique_ptr<KernelModelBackend> LoadBackend(const std::string& dir, const TestBackendOptions& o);

// Runs tokens [start, start + n) of one sequence (positions start..start+n-1) through the
// backend, using blocks 0.. of the cache in order, and returns logits for each of them.
// `prompt_len` drives the LongRoPE variant (transformers rule).
std::vector<std::vector<float>> ForwardChunk(ModelBackend& backend, const std::vector<int>& tokens,
                                             int start, int n, int prompt_len,
                                             int lora_slot = -1, float lora_scale = 0.0f);

// Deterministic random token ids in [lo, hi).
std::vector<int> RandomTokens(uint64_t seed, int n, int lo, int hi);

}  // namespace kt::serving::testing

#endif  // KT_TESTS_SERVING_TESTING_TEST_MODELS_H_
