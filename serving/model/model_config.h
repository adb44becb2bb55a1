// ModelConfig: a decoder-only transformer described by a Hugging Face config.json.
//
// Supported families (model_type): "phi3" (Phi3ForCausalLM: fused qkv_proj and gate_up_proj,
// LongRoPE "su"/"longrope" scaling, optional sliding window, partial rotary), "llama"
// (LlamaForCausalLM: GQA, "linear" and "llama3" rope scaling, attention_bias, mlp_bias, explicit
// head_dim), "mistral" (MistralForCausalLM: sliding window) and "qwen2" (Qwen2ForCausalLM:
// q/k/v biases, tied embeddings). All use pre-norm RMSNorm, SiLU-gated MLPs and NeoX-style
// (rotate-half) RoPE, so one forward pass serves them all; what differs is data here.
//
// Attention window semantics follow transformers' masks: with sliding_window W, the query at
// position i sees keys at positions j with i - W < j <= i (W keys including itself).
//
// Value type; thread-safe to share once built.
#ifndef KT_SERVING_MODEL_MODEL_CONFIG_H_
#define KT_SERVING_MODEL_MODEL_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/json_fwd.h"
#include "base/status.h"
#include "serving/model/dtype.h"

namespace kt::serving {

enum class Architecture : uint8_t { kPhi3, kLlama, kMistral, kQwen2 };
std::string_view ArchitectureName(Architecture a);  // the HF class: "Phi3ForCausalLM", ...

enum class RopeType : uint8_t { kDefault, kLinear, kLlama3, kLongRope };

struct RopeScaling {
  RopeType type = RopeType::kDefault;
  std::string type_name;  // as written in config.json ("su", "longrope", "llama3", ...)
  double factor = 1.0;    // linear, llama3
  // llama3
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  int64_t original_max_position_embeddings = 0;
  // longrope: one factor per rotary frequency (rotary_dim / 2 values each)
  std::vector<double> short_factor;
  std::vector<double> long_factor;
  std::optional<double> attention_factor;  // overrides the derived mscale when set
};

struct ModelConfig {
  Architecture arch = Architecture::kLlama;
  std::string model_type;  // "phi3", "llama", "mistral", "qwen2"

  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_layers = 0;
  int64_t num_heads = 0;
  int64_t num_kv_heads = 0;
  int64_t head_dim = 0;
  int64_t vocab_size = 0;
  int64_t max_position_embeddings = 0;
  // Phi-3's top-level field (also used by LongRoPE); equals max_position_embeddings otherwise.
  int64_t original_max_position_embeddings = 0;

  double rope_theta = 10000.0;
  double partial_rotary_factor = 1.0;
  RopeScaling rope_scaling;
  double rms_norm_eps = 1e-5;
  // Effective window (W keys per query), or nullopt for full causal attention.
  std::optional<int64_t> sliding_window;

  bool tie_word_embeddings = false;
  bool qkv_bias = false;  // Qwen2 always; Llama with attention_bias
  bool o_bias = false;    // Llama with attention_bias
  bool mlp_bias = false;  // Llama with mlp_bias

  std::vector<int64_t> bos_token_ids;
  std::vector<int64_t> eos_token_ids;
  std::optional<int64_t> pad_token_id;
  DType torch_dtype = DType::kBF16;

  int64_t q_size() const { return num_heads * head_dim; }
  int64_t kv_size() const { return num_kv_heads * head_dim; }
  int64_t qkv_size() const { return q_size() + 2 * kv_size(); }
  int64_t rotary_dim() const;
  // Parameters of the base model (embeddings and lm_head included, lm_head once when tied).
  int64_t ParameterCount() const;
  // Bytes of K and V for one token across all layers at `kv_dtype`.
  int64_t KvBytesPerToken(DType kv_dtype) const;

  // Structural checks (positive sizes, heads divide, factor list lengths, ...).
  Status Validate() const;
};

// Parses a config.json object. Unknown keys are ignored; unsupported features (another
// model_type, hidden_act other than silu, dynamic/yarn rope scaling) are Invalid with a message.
Result<ModelConfig> ParseModelConfig(const Json& j);
// Reads <dir>/config.json.
Result<ModelConfig> LoadModelConfig(const std::string& dir);
// The config.json a Hugging Face loader accepts for this config (used when saving weights).
Json ModelConfigToJson(const ModelConfig& c);

}  // namespace kt::serving

#endif  // KT_SERVING_MODEL_MODEL_CONFIG_H_
