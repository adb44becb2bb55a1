#include "serving/model/model_config.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/json.h"

namespace kt::serving {

namespace {

// Bounds that keep every size product far from overflow; real models are orders of
// magnitude below them.
constexpr int64_t kDimMax = 1 << 20;
constexpr int64_t kLayersMax = 1024;
constexpr int64_t kVocabMax = 1 << 22;
constexpr int64_t kPositionsMax = 1 << 24;

Result<int64_t> ReadInt(const Json& j, const char* key, std::optional<int64_t> fallback,
                        int64_t max) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (fallback) return *fallback;
    return Invalid(std::string("config.json: \"") + key + "\" is required");
  }
  if (!it->is_number_integer()) {
    // Some configs write integers as floats (4096.0).
    if (it->is_number_float() && std::floor(it->get<double>()) == it->get<double>()) {
      double v = it->get<double>();
      if (v >= 1 && v <= static_cast<double>(max)) return static_cast<int64_t>(v);
    }
    return Invalid(std::string("config.json: \"") + key + "\" must be an integer");
  }
  int64_t v = it->get<int64_t>();
  if (v < 1 || v > max) {
    return Invalid(std::string("config.json: \"") + key + "\" = " + std::to_string(v) +
                   " is outside [1, " + std::to_string(max) + "]");
  }
  return v;
}

Result<double> ReadDouble(const Json& j, const char* key, double fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_number()) return Invalid(std::string("config.json: \"") + key + "\" must be a number");
  double v = it->get<double>();
  if (!std::isfinite(v)) return Invalid(std::string("config.json: \"") + key + "\" is not finite");
  return v;
}

bool ReadBool(const Json& j, const char* key, bool fallback) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_boolean()) return fallback;
  return it->get<bool>();
}

Result<std::vector<int64_t>> ReadIds(const Json& j, const char* key) {
  std::vector<int64_t> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (it->is_number_integer()) {
    out.push_back(it->get<int64_t>());
    return out;
  }
  if (it->is_array()) {
    for (const Json& v : *it) {
      if (!v.is_number_integer()) {
        return Invalid(std::string("config.json: \"") + key + "\" must hold integers");
      }
      out.push_back(v.get<int64_t>());
    }
    return out;
  }
  return Invalid(std::string("config.json: \"") + key + "\" must be an integer or a list");
}

Result<std::vector<double>> ReadFactors(const Json& rs, const char* key) {
  auto it = rs.find(key);
  if (it == rs.end() || !it->is_array()) {
    return Invalid(std::string("config.json: rope_scaling.") + key + " must be a list of numbers");
  }
  std::vector<double> out;
  for (const Json& v : *it) {
    if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() <= 0) {
      return Invalid(std::string("config.json: rope_scaling.") + key +
                     " must hold positive numbers");
    }
    out.push_back(v.get<double>());
  }
  return out;
}

Result<Architecture> ArchitectureOf(const Json& j, std::string* model_type) {
  std::string mt = GetString(j, "model_type");
  if (mt.empty()) {
    const Json* archs = FindPath(j, "architectures");
    if (archs != nullptr && archs->is_array() && !archs->empty() && (*archs)[0].is_string()) {
      std::string a = (*archs)[0].get<std::string>();
      if (a == "Phi3ForCausalLM") mt = "phi3";
      if (a == "LlamaForCausalLM") mt = "llama";
      if (a == "MistralForCausalLM") mt = "mistral";
      if (a == "Qwen2ForCausalLM") mt = "qwen2";
    }
  }
  *model_type = mt;
  if (mt == "phi3") return Architecture::kPhi3;
  if (mt == "llama") return Architecture::kLlama;
  if (mt == "mistral") return Architecture::kMistral;
  if (mt == "qwen2") return Architecture::kQwen2;
  return Invalid("config.json: model_type \"" + mt +
                 "\" is not supported (supported: phi3, llama, mistral, qwen2)");
}

Status ParseRopeScaling(const Json& j, ModelConfig& c) {
  auto it = j.find("rope_scaling");
  if (it == j.end() || it->is_null()) return Status::Ok();
  if (!it->is_object()) return Invalid("config.json: rope_scaling must be an object or null");
  const Json& rs = *it;
  std::string type = GetString(rs, "rope_type");
  if (type.empty()) type = GetString(rs, "type");
  RopeScaling& r = c.rope_scaling;
  r.type_name = type;
  if (type.empty() || type == "default") {
    r.type = RopeType::kDefault;
  } else if (type == "linear") {
    r.type = RopeType::kLinear;
    KT_ASSIGN_OR_RETURN(r.factor, ReadDouble(rs, "factor", 1.0));
    if (r.factor <= 0) return Invalid("config.json: rope_scaling.factor must be positive");
  } else if (type == "llama3") {
    r.type = RopeType::kLlama3;
    KT_ASSIGN_OR_RETURN(r.factor, ReadDouble(rs, "factor", 8.0));
    KT_ASSIGN_OR_RETURN(r.low_freq_factor, ReadDouble(rs, "low_freq_factor", 1.0));
    KT_ASSIGN_OR_RETURN(r.high_freq_factor, ReadDouble(rs, "high_freq_factor", 4.0));
    KT_ASSIGN_OR_RETURN(r.original_max_position_embeddings,
                        ReadInt(rs, "original_max_position_embeddings", 8192, kPositionsMax));
    if (r.factor <= 0 || r.low_freq_factor <= 0 || r.high_freq_factor <= r.low_freq_factor) {
      return Invalid(
          "config.json: llama3 rope_scaling needs factor > 0 and high_freq_factor > "
          "low_freq_factor > 0");
    }
  } else if (type == "su" || type == "longrope") {
    r.type = RopeType::kLongRope;
    KT_ASSIGN_OR_RETURN(r.short_factor, ReadFactors(rs, "short_factor"));
    KT_ASSIGN_OR_RETURN(r.long_factor, ReadFactors(rs, "long_factor"));
    auto af = rs.find("attention_factor");
    if (af != rs.end() && af->is_number()) r.attention_factor = af->get<double>();
    // Newer configs may carry the original length inside rope_scaling.
    auto om = rs.find("original_max_position_embeddings");
    if (om != rs.end() && om->is_number_integer()) {
      c.original_max_position_embeddings = om->get<int64_t>();
    }
  } else {
    return Invalid("config.json: rope_scaling type \"" + type +
                   "\" is not supported (supported: default, linear, llama3, su, longrope)");
  }
  return Status::Ok();
}

}  // namespace

std::string_view ArchitectureName(Architecture a) {
  switch (a) {
    case Architecture::kPhi3:
      return "Phi3ForCausalLM";
    case Architecture::kLlama:
      return "LlamaForCausalLM";
    case Architecture::kMistral:
      return "MistralForCausalLM";
    case Architecture::kQwen2:
      return "Qwen2ForCausalLM";
  }
  KT_UNREACHABLE();
  return "";
}

int64_t ModelConfig::rotary_dim() const {
  int64_t d = static_cast<int64_t>(static_cast<double>(head_dim) * partial_rotary_factor);
  return d - (d % 2);
}

int64_t ModelConfig::ParameterCount() const {
  const int64_t h = hidden_size;
  int64_t per_layer = h * qkv_size() + q_size() * h + h * 2 * intermediate_size +
                      intermediate_size * h + 2 * h;
  if (qkv_bias) per_layer += qkv_size();
  if (o_bias) per_layer += h;
  if (mlp_bias) per_layer += 2 * intermediate_size + h;
  int64_t total = vocab_size * h + num_layers * per_layer + h;
  if (!tie_word_embeddings) total += vocab_size * h;
  return total;
}

int64_t ModelConfig::KvBytesPerToken(DType kv_dtype) const {
  return 2 * num_layers * kv_size() * static_cast<int64_t>(DTypeSize(kv_dtype));
}

Status ModelConfig::Validate() const {
  if (num_heads % num_kv_heads != 0) {
    return Invalid("config.json: num_attention_heads (" + std::to_string(num_heads) +
                   ") must be a multiple of num_key_value_heads (" + std::to_string(num_kv_heads) +
                   ")");
  }
  if (head_dim % 2 != 0) return Invalid("config.json: head_dim must be even for RoPE");
  if (arch == Architecture::kPhi3 && hidden_size % num_heads != 0) {
    return Invalid("config.json: hidden_size must be a multiple of num_attention_heads");
  }
  if (partial_rotary_factor <= 0 || partial_rotary_factor > 1) {
    return Invalid("config.json: partial_rotary_factor must be in (0, 1]");
  }
  if (rotary_dim() < 2) return Invalid("config.json: rotary dimension is smaller than 2");
  if (rope_theta <= 0) return Invalid("config.json: rope_theta must be positive");
  if (rms_norm_eps <= 0) return Invalid("config.json: rms_norm_eps must be positive");
  if (rope_scaling.type == RopeType::kLongRope) {
    size_t want = static_cast<size_t>(rotary_dim() / 2);
    if (rope_scaling.short_factor.size() != want || rope_scaling.long_factor.size() != want) {
      return Invalid("config.json: LongRoPE short_factor and long_factor need " +
                     std::to_string(want) + " values each (rotary_dim / 2), got " +
                     std::to_string(rope_scaling.short_factor.size()) + " and " +
                     std::to_string(rope_scaling.long_factor.size()));
    }
    if (original_max_position_embeddings <= 0) {
      return Invalid("config.json: LongRoPE needs original_max_position_embeddings");
    }
  }
  for (int64_t id : eos_token_ids) {
    if (id < 0 || id >= vocab_size) {
      return Invalid("config.json: eos_token_id " + std::to_string(id) + " outside the vocabulary");
    }
  }
  for (int64_t id : bos_token_ids) {
    if (id < 0 || id >= vocab_size) {
      return Invalid("config.json: bos_token_id " + std::to_string(id) + " outside the vocabulary");
    }
  }
  if (sliding_window && *sliding_window < 1) {
    return Invalid("config.json: sliding_window must be positive");
  }
  return Status::Ok();
}

Result<ModelConfig> ParseModelConfig(const Json& j) {
  if (!j.is_object()) return Invalid("config.json is not a JSON object");
  ModelConfig c;
  KT_ASSIGN_OR_RETURN(c.arch, ArchitectureOf(j, &c.model_type));
  std::string act = GetString(j, "hidden_act", "silu");
  if (act != "silu") {
    return Invalid("config.json: hidden_act \"" + act + "\" is not supported (only silu)");
  }
  KT_ASSIGN_OR_RETURN(c.hidden_size, ReadInt(j, "hidden_size", std::nullopt, kDimMax));
  KT_ASSIGN_OR_RETURN(c.intermediate_size, ReadInt(j, "intermediate_size", std::nullopt, kDimMax));
  KT_ASSIGN_OR_RETURN(c.num_layers, ReadInt(j, "num_hidden_layers", std::nullopt, kLayersMax));
  KT_ASSIGN_OR_RETURN(c.num_heads, ReadInt(j, "num_attention_heads", std::nullopt, 4096));
  KT_ASSIGN_OR_RETURN(c.num_kv_heads, ReadInt(j, "num_key_value_heads", c.num_heads, 4096));
  KT_ASSIGN_OR_RETURN(c.vocab_size, ReadInt(j, "vocab_size", std::nullopt, kVocabMax));
  if (c.hidden_size % c.num_heads != 0 && !j.contains("head_dim")) {
    return Invalid("config.json: hidden_size is not a multiple of num_attention_heads and no "
                   "head_dim is given");
  }
  KT_ASSIGN_OR_RETURN(c.head_dim, ReadInt(j, "head_dim", c.hidden_size / c.num_heads, 4096));

  int64_t default_positions = 2048;
  double default_eps = 1e-6;
  switch (c.arch) {
    case Architecture::kPhi3:
      default_positions = 4096;
      default_eps = 1e-5;
      break;
    case Architecture::kMistral:
      default_positions = 4096 * 32;
      break;
    case Architecture::kQwen2:
      default_positions = 32768;
      break;
    case Architecture::kLlama:
      break;
  }
  KT_ASSIGN_OR_RETURN(c.max_position_embeddings,
                      ReadInt(j, "max_position_embeddings", default_positions, kPositionsMax));
  KT_ASSIGN_OR_RETURN(c.original_max_position_embeddings,
                      ReadInt(j, "original_max_position_embeddings", c.max_position_embeddings,
                              kPositionsMax));
  KT_ASSIGN_OR_RETURN(c.rope_theta, ReadDouble(j, "rope_theta", 10000.0));
  KT_ASSIGN_OR_RETURN(c.rms_norm_eps, ReadDouble(j, "rms_norm_eps", default_eps));
  KT_ASSIGN_OR_RETURN(c.partial_rotary_factor, ReadDouble(j, "partial_rotary_factor", 1.0));
  KT_RETURN_IF_ERROR(ParseRopeScaling(j, c));

  auto window = [&]() -> Result<std::optional<int64_t>> {
    auto it = j.find("sliding_window");
    if (it == j.end() || it->is_null()) return std::optional<int64_t>();
    KT_ASSIGN_OR_RETURN(int64_t w, ReadInt(j, "sliding_window", std::nullopt, 1ll << 40));
    return std::optional<int64_t>(w);
  };
  switch (c.arch) {
    case Architecture::kPhi3:
    case Architecture::kMistral: {
      KT_ASSIGN_OR_RETURN(c.sliding_window, window());
      break;
    }
    case Architecture::kQwen2:
      if (ReadBool(j, "use_sliding_window", false)) {
        return Invalid("config.json: Qwen2 use_sliding_window=true is not supported");
      }
      c.qkv_bias = true;
      break;
    case Architecture::kLlama:
      c.qkv_bias = c.o_bias = ReadBool(j, "attention_bias", false);
      c.mlp_bias = ReadBool(j, "mlp_bias", false);
      break;
  }
  c.tie_word_embeddings = ReadBool(j, "tie_word_embeddings", false);
  KT_ASSIGN_OR_RETURN(c.bos_token_ids, ReadIds(j, "bos_token_id"));
  KT_ASSIGN_OR_RETURN(c.eos_token_ids, ReadIds(j, "eos_token_id"));
  auto pad = j.find("pad_token_id");
  if (pad != j.end() && pad->is_number_integer()) c.pad_token_id = pad->get<int64_t>();
  std::string dtype = GetString(j, "torch_dtype", GetString(j, "dtype", "bfloat16"));
  auto dt = ParseTorchDType(dtype);
  c.torch_dtype = dt.ok() ? dt.value() : DType::kBF16;
  KT_RETURN_IF_ERROR(c.Validate());
  return c;
}

Result<ModelConfig> LoadModelConfig(const std::string& dir) {
  std::filesystem::path p = std::filesystem::path(dir) / "config.json";
  std::ifstream in(p);
  if (!in) return NotFound("cannot read " + p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = ParseJson(ss.str());
  if (!j.ok()) return Invalid(p.string() + ": " + j.status().message());
  auto c = ParseModelConfig(j.value());
  if (!c.ok()) return c.status().Annotate(p.string());
  return c;
}

Json ModelConfigToJson(const ModelConfig& c) {
  Json j = Json::object();
  j["architectures"] = {std::string(ArchitectureName(c.arch))};
  j["model_type"] = c.model_type;
  j["hidden_act"] = "silu";
  j["hidden_size"] = c.hidden_size;
  j["intermediate_size"] = c.intermediate_size;
  j["num_hidden_layers"] = c.num_layers;
  j["num_attention_heads"] = c.num_heads;
  j["num_key_value_heads"] = c.num_kv_heads;
  j["vocab_size"] = c.vocab_size;
  j["max_position_embeddings"] = c.max_position_embeddings;
  j["rope_theta"] = c.rope_theta;
  j["rms_norm_eps"] = c.rms_norm_eps;
  j["tie_word_embeddings"] = c.tie_word_embeddings;
  j["torch_dtype"] = std::string(TorchDTypeName(c.torch_dtype));
  j["initializer_range"] = 0.02;
  j["use_cache"] = true;
  if (c.arch != Architecture::kPhi3 && c.head_dim != c.hidden_size / c.num_heads) {
    j["head_dim"] = c.head_dim;
  }
  if (c.arch == Architecture::kPhi3) {
    j["original_max_position_embeddings"] = c.original_max_position_embeddings;
    j["partial_rotary_factor"] = c.partial_rotary_factor;
  }
  if (c.arch == Architecture::kPhi3 || c.arch == Architecture::kMistral) {
    j["sliding_window"] = c.sliding_window ? Json(*c.sliding_window) : Json(nullptr);
  }
  if (c.arch == Architecture::kQwen2) {
    j["use_sliding_window"] = false;
    j["sliding_window"] = nullptr;
  }
  if (c.arch == Architecture::kLlama) {
    j["attention_bias"] = c.qkv_bias;
    j["mlp_bias"] = c.mlp_bias;
  }
  auto ids = [](const std::vector<int64_t>& v) -> Json {
    if (v.empty()) return nullptr;
    if (v.size() == 1) return v[0];
    return v;
  };
  j["bos_token_id"] = ids(c.bos_token_ids);
  j["eos_token_id"] = ids(c.eos_token_ids);
  if (c.pad_token_id) j["pad_token_id"] = *c.pad_token_id;
  const RopeScaling& r = c.rope_scaling;
  switch (r.type) {
    case RopeType::kDefault:
      j["rope_scaling"] = nullptr;
      break;
    case RopeType::kLinear:
      j["rope_scaling"] = {{"type", "linear"}, {"rope_type", "linear"}, {"factor", r.factor}};
      break;
    case RopeType::kLlama3:
      j["rope_scaling"] = {{"rope_type", "llama3"},
                           {"factor", r.factor},
                           {"low_freq_factor", r.low_freq_factor},
                           {"high_freq_factor", r.high_freq_factor},
                           {"original_max_position_embeddings",
                            r.original_max_position_embeddings}};
      break;
    case RopeType::kLongRope: {
      Json rs = {{"type", r.type_name.empty() ? "longrope" : r.type_name},
                 {"short_factor", r.short_factor},
                 {"long_factor", r.long_factor}};
      if (r.attention_factor) rs["attention_factor"] = *r.attention_factor;
      j["rope_scaling"] = rs;
      break;
    }
  }
  return j;
}

}  // namespace kt::serving
