// LoraAdapter: a PEFT LoRA adapter (adapter_config.json + adapter_model.safetensors) mapped
// onto the engine's fused projections.
//
// PEFT stores, per targeted module, lora_A [r, in] and lora_B [out, r]; the layer computes
// y = W x + s * B (A x) with s = lora_alpha / r (lora_alpha / sqrt(r) with use_rslora). The
// engine fuses q/k/v into qkv and gate/up into gate_up, so each module becomes a slice: rows
// [row_offset, row_offset + out) of the fused output. Targets: q_proj, k_proj, v_proj,
// qkv_proj, o_proj, gate_proj, up_proj, gate_up_proj, down_proj. DoRA, modules_to_save,
// per-module rank/alpha patterns and embedding/lm_head targets are refused with Invalid.
//
// Strength (Kaito): a Workspace gives each adapter a strength; Kaito's transformers runtime
// merges the adapters with PEFT's add_weighted_adapter using the strengths as weights, which
// multiplies each adapter's delta B A by its strength. The engine applies the same scaling
// per request: y = W x + strength * s * B (A x) for the adapter the request names.
//
// Value type; thread-safe for reads.
#ifndef KT_SERVING_ENGINE_LORA_ADAPTER_H_
#define KT_SERVING_ENGINE_LORA_ADAPTER_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "serving/model/model_config.h"
#include "serving/model/tensor.h"

namespace kt::serving {

enum LoraOp : int { kLoraQkv = 0, kLoraO = 1, kLoraGateUp = 2, kLoraDown = 3 };
inline constexpr int kLoraOpCount = 4;
// How many PEFT modules can share one fused op (q/k/v: 3, gate/up: 2).
int LoraOpParts(int op);

struct LoraSlice {
  std::string module;       // PEFT module name: "q_proj"
  int64_t row_offset = 0;   // first row of the fused output this module writes
  Tensor a;                 // [r, in] f32
  Tensor b;                 // [out, r] f32
};

struct LoraAdapter {
  std::string name;
  int rank = 0;
  double alpha = 0;
  bool use_rslora = false;
  std::vector<std::string> target_modules;
  // layers[layer][op] -> slices of that fused op
  std::vector<std::array<std::vector<LoraSlice>, kLoraOpCount>> layers;

  double scaling() const;  // alpha / r or alpha / sqrt(r)
};

// Reads a PEFT adapter directory for a model of `config`.
Result<LoraAdapter> LoadLoraAdapter(const std::string& dir, const ModelConfig& config,
                                    std::string name);

struct RandomLoraOptions {
  int rank = 8;
  double alpha = 16;
  uint64_t seed = 0;
  // PEFT module names; Phi-3 style fused names (qkv_proj) or Llama style (q_proj, ...).
  std::vector<std::string> target_modules = {"q_proj", "k_proj", "v_proj", "o_proj",
                                             "gate_proj", "up_proj", "down_proj"};
};
// Seeded random A and B (B is not zero, unlike a fresh PEFT adapter, so the delta is visible).
Result<LoraAdapter> RandomLoraAdapter(const ModelConfig& config, const RandomLoraOptions& options,
                                      std::string name);
// Writes adapter_config.json and adapter_model.safetensors (float32) in PEFT's layout.
Status SaveLoraAdapter(const LoraAdapter& adapter, const ModelConfig& config, const std::string& dir,
                       const std::string& base_model_name);

// The strength-weighted sum of several adapters as one adapter: delta = sum_i strength_i * s_i *
// B_i A_i, represented exactly by concatenating the ranks (B_i pre-scaled; the result has
// alpha = rank, so its own scaling is 1). Kaito's transformers runtime builds the same sum with
// PEFT's add_weighted_adapter(combination_type="svd"), which additionally truncates it to the
// largest rank by SVD; for a single adapter the two are identical.
LoraAdapter MergeLoraAdapters(const std::vector<std::pair<const LoraAdapter*, double>>& weighted,
                              std::string name);

}  // namespace kt::serving

#endif  // KT_SERVING_ENGINE_LORA_ADAPTER_H_
