// ModelSetup: everything between "kaito-serve --preset X ..." and a running Engine: resolve the
// preset, read config.json and the checkpoint (or draw random weights from a seed), pick the
// tokenizer (the model directory's tokenizer.json / tokenizer.model, an explicit directory, or
// the synthetic byte vocabulary for random models), check that weights, KV cache and adapters
// fit in memory before allocating them, build the model backend (CPU or CUDA kernels) and the
// Engine, and load LoRA
// adapters (plus their strength-weighted merge, which Kaito's /chat applies).
//
// Thread-safe functions; the returned objects follow their own contracts.
#ifndef KT_SERVING_ENGINE_MODEL_SETUP_H_
#define KT_SERVING_ENGINE_MODEL_SETUP_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/env.h"
#include "serving/engine/kernel_model_backend.h"
#include "serving/engine/engine.h"
#include "serving/model/model_weights.h"
#include "serving/model/presets.h"

namespace kt::serving {

struct AdapterSpec {
  std::string name;
  std::string dir;
  double strength = 1.0;
};
// "NAME=DIR[:STRENGTH]" (Kaito's adapter name, its directory, its strength).
Result<AdapterSpec> ParseAdapterSpec(std::string_view spec);
// Kaito's layout: every sub-directory of `dir` holding adapter_config.json is an adapter named
// after the directory; its strength comes from the environment variable of that name (Kaito
// sets <name>=<strength> on the pod), default 1.
Result<std::vector<AdapterSpec>> DiscoverAdapters(const std::string& dir);

struct ModelSetupOptions {
  std::string preset;
  std::string model_dir;       // config.json + safetensors; empty with random_weights
  bool random_weights = false;
  uint64_t seed = 0;
  std::string tokenizer_dir;   // overrides the model directory's tokenizer
  std::string tokenizer_json;  // a tokenizer.json file
  DType dtype = DType::kF32;   // weights in memory
  std::vector<AdapterSpec> adapters;
  // Engine and backend sizing.
  uint64_t kv_cache_bytes = 1ull << 30;
  int32_t num_kv_blocks = 0;  // overrides kv_cache_bytes when > 0
  int32_t block_size = 16;
  int32_t max_batch_tokens = 2048;
  int32_t max_num_seqs = 64;
  int32_t max_waiting = 256;
  int32_t max_model_len = 0;
  DType kv_dtype = DType::kF32;
  // The kernels that run the model. CUDA needs kv_dtype kBF16 and runs bf16 activations
  // (DefaultModelBackendOptions); the CPU runs f32 activations.
  kernels::BackendKind device = kernels::BackendKind::kCpu;
  int cuda_device = 0;
  int threads = 1;
  LongRopePolicy rope_policy = LongRopePolicy::kTransformers;
  // Refuse when the plan exceeds this (0: the host's available memory).
  uint64_t memory_limit_bytes = 0;
};

struct LoadedModel {
  const Preset* preset = nullptr;
  ModelConfig config;
  std::shared_ptr<const Tokenizer> tokenizer;
  std::unique_ptr<Engine> engine;
  std::string kaito_adapter;  // name of the merged adapter /chat uses ("" without adapters)
  std::string tokenizer_source;
};

// The model of `o` (preset, config, weights), without building an engine.
Result<ModelWeights> LoadWeights(const ModelSetupOptions& o, const Preset** preset);
std::shared_ptr<const Tokenizer> ChooseTokenizer(const ModelSetupOptions& o, const Preset* preset,
                                                 const ModelConfig& config, std::string* source,
                                                 Status* error);
Result<LoadedModel> SetUpModel(Env& env, const ModelSetupOptions& o);

// Logits of every position of `tokens` (prefill of the first `prefill` tokens in one pass,
// then one decode step per remaining token), for comparisons with other implementations.
// `device` picks the kernels (on CUDA: bf16 activations and cache).
Result<std::vector<std::vector<float>>> ComputeLogits(ModelWeights weights,
                                                      const std::vector<int32_t>& tokens,
                                                      int32_t prefill,
                                                      const std::vector<AdapterSpec>& adapters,
                                                      kernels::BackendKind device =
                                                          kernels::BackendKind::kCpu);

}  // namespace kt::serving

#endif  // KT_SERVING_ENGINE_MODEL_SETUP_H_
