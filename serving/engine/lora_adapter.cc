#include "serving/engine/lora_adapter.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "base/json.h"
#include "base/random.h"
#include "serving/model/checkpoint.h"

namespace kt::serving {

namespace fs = std::filesystem;

namespace {

struct ModuleInfo {
  int op;
  int64_t row_offset;
  int64_t out;
  int64_t in;
  const char* block;  // "self_attn" or "mlp"
};

// Where a PEFT module lands in the fused layout of `c`; nullopt when the family has no such
// module.
std::optional<ModuleInfo> Module(const ModelConfig& c, std::string_view m) {
  const int64_t h = c.hidden_size, q = c.q_size(), kv = c.kv_size(), in = c.intermediate_size;
  const bool phi3 = c.arch == Architecture::kPhi3;
  if (m == "o_proj") return ModuleInfo{kLoraO, 0, h, q, "self_attn"};
  if (m == "down_proj") return ModuleInfo{kLoraDown, 0, h, in, "mlp"};
  if (phi3) {
    if (m == "qkv_proj") return ModuleInfo{kLoraQkv, 0, q + 2 * kv, h, "self_attn"};
    if (m == "gate_up_proj") return ModuleInfo{kLoraGateUp, 0, 2 * in, h, "mlp"};
    return std::nullopt;
  }
  if (m == "q_proj") return ModuleInfo{kLoraQkv, 0, q, h, "self_attn"};
  if (m == "k_proj") return ModuleInfo{kLoraQkv, q, kv, h, "self_attn"};
  if (m == "v_proj") return ModuleInfo{kLoraQkv, q + kv, kv, h, "self_attn"};
  if (m == "gate_proj") return ModuleInfo{kLoraGateUp, 0, in, h, "mlp"};
  if (m == "up_proj") return ModuleInfo{kLoraGateUp, in, in, h, "mlp"};
  return std::nullopt;
}

Result<Json> ReadJson(const fs::path& p) {
  std::ifstream in(p);
  if (!in) return NotFound("cannot read " + p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = ParseJson(ss.str());
  if (!j.ok()) return Invalid(p.string() + ": " + j.status().message());
  return j;
}

bool NonEmpty(const Json& cfg, const char* key) {
  const Json* v = FindPath(cfg, key);
  return v != nullptr && !v->is_null() && !(v->is_object() && v->empty()) &&
         !(v->is_array() && v->empty()) && !(v->is_boolean() && !v->get<bool>());
}

void SortSlices(LoraAdapter& a) {
  for (auto& layer : a.layers) {
    for (auto& slices : layer) {
      std::sort(slices.begin(), slices.end(),
                [](const LoraSlice& x, const LoraSlice& y) { return x.row_offset < y.row_offset; });
    }
  }
}

}  // namespace

int LoraOpParts(int op) { return op == kLoraQkv ? 3 : op == kLoraGateUp ? 2 : 1; }

double LoraAdapter::scaling() const {
  return use_rslora ? alpha / std::sqrt(static_cast<double>(rank)) : alpha / rank;
}

Result<LoraAdapter> LoadLoraAdapter(const std::string& dir, const ModelConfig& c, std::string name) {
  fs::path d(dir);
  KT_ASSIGN_OR_RETURN(Json cfg, ReadJson(d / "adapter_config.json"));
  auto bad = [&](const std::string& why) { return Invalid("adapter " + name + " (" + dir + "): " + why); };
  std::string peft_type = GetString(cfg, "peft_type", "LORA");
  if (peft_type != "LORA") return bad("peft_type " + peft_type + " is not LORA");
  if (NonEmpty(cfg, "use_dora")) return bad("DoRA adapters are not supported");
  if (NonEmpty(cfg, "modules_to_save")) return bad("modules_to_save is not supported");
  if (NonEmpty(cfg, "rank_pattern") || NonEmpty(cfg, "alpha_pattern")) {
    return bad("rank_pattern/alpha_pattern are not supported");
  }
  if (NonEmpty(cfg, "fan_in_fan_out")) return bad("fan_in_fan_out adapters are not supported");
  std::string bias = GetString(cfg, "bias", "none");
  if (bias != "none") return bad("bias \"" + bias + "\" is not supported");
  LoraAdapter a;
  a.name = std::move(name);
  auto r = GetInt(cfg, "r");
  if (!r || *r < 1 || *r > 1024) return bad("\"r\" must be an integer in [1, 1024]");
  a.rank = static_cast<int>(*r);
  const Json* alpha = FindPath(cfg, "lora_alpha");
  a.alpha = (alpha != nullptr && alpha->is_number()) ? alpha->get<double>() : a.rank;
  a.use_rslora = GetBool(cfg, "use_rslora");
  a.layers.resize(static_cast<size_t>(c.num_layers));

  KT_ASSIGN_OR_RETURN(auto ckpt, Checkpoint::OpenFiles({(d / "adapter_model.safetensors").string()}));
  // key -> (layer, module, A or B)
  std::map<std::pair<int, std::string>, std::pair<const SafetensorsEntry*, const SafetensorsEntry*>> found;
  for (const std::string& key : ckpt->Names()) {
    std::string k = key;
    const std::string prefix = "base_model.model.";
    if (k.rfind(prefix, 0) == 0) k = k.substr(prefix.size());
    if (k.rfind("model.layers.", 0) != 0) {
      return bad("tensor \"" + key + "\" is outside the decoder layers (embedding or lm_head "
                 "targets are not supported)");
    }
    size_t p = std::string("model.layers.").size();
    size_t dot = k.find('.', p);
    int layer = -1;
    try {
      layer = std::stoi(k.substr(p, dot - p));
    } catch (...) {
      return bad("cannot parse the layer of \"" + key + "\"");
    }
    if (layer < 0 || layer >= c.num_layers) return bad("tensor \"" + key + "\" names a layer past the model");
    size_t lora = k.find(".lora_", dot);
    if (lora == std::string::npos) return bad("tensor \"" + key + "\" is not a lora_A/lora_B weight");
    std::string path = k.substr(dot + 1, lora - dot - 1);  // "self_attn.q_proj"
    std::string module = path.substr(path.find('.') + 1);
    char which = k[lora + 6];
    if (which != 'A' && which != 'B') return bad("tensor \"" + key + "\" is not lora_A or lora_B");
    auto& slot = found[{layer, module}];
    (which == 'A' ? slot.first : slot.second) = ckpt->Find(key);
  }
  if (found.empty()) return bad("adapter_model.safetensors holds no LoRA weights");
  std::map<std::string, bool> targets;
  for (const auto& [where, ab] : found) {
    const auto& [layer, module] = where;
    auto info = Module(c, module);
    if (!info) {
      return bad("target module \"" + module + "\" does not exist in " +
                 std::string(ArchitectureName(c.arch)));
    }
    if (ab.first == nullptr || ab.second == nullptr) {
      return bad("layer " + std::to_string(layer) + " " + module + " lacks lora_A or lora_B");
    }
    std::vector<int64_t> want_a = {a.rank, info->in}, want_b = {info->out, a.rank};
    if (ab.first->shape != want_a || ab.second->shape != want_b) {
      return bad("layer " + std::to_string(layer) + " " + module + " has A " +
                 ShapeToString(ab.first->shape) + " and B " + ShapeToString(ab.second->shape) +
                 ", expected " + ShapeToString(want_a) + " and " + ShapeToString(want_b));
    }
    LoraSlice s;
    s.module = module;
    s.row_offset = info->row_offset;
    s.a = EntryToTensor(*ab.first, DType::kF32);
    s.b = EntryToTensor(*ab.second, DType::kF32);
    a.layers[layer][info->op].push_back(std::move(s));
    targets[module] = true;
  }
  for (const auto& [m, unused] : targets) a.target_modules.push_back(m);
  SortSlices(a);
  return a;
}

Result<LoraAdapter> RandomLoraAdapter(const ModelConfig& c, const RandomLoraOptions& o,
                                      std::string name) {
  LoraAdapter a;
  a.name = std::move(name);
  a.rank = o.rank;
  a.alpha = o.alpha;
  a.target_modules = o.target_modules;
  a.layers.resize(static_cast<size_t>(c.num_layers));
  for (int layer = 0; layer < c.num_layers; ++layer) {
    for (const std::string& m : o.target_modules) {
      auto info = Module(c, m);
      if (!info) {
        return Invalid("target module \"" + m + "\" does not exist in " +
                       std::string(ArchitectureName(c.arch)));
      }
      LoraSlice s;
      s.module = m;
      s.row_offset = info->row_offset;
      s.a = Tensor(DType::kF32, {o.rank, info->in});
      s.b = Tensor(DType::kF32, {info->out, o.rank});
      uint64_t state = o.seed ^ Fnv1a64(std::to_string(layer) + "." + m);
      auto fill = [&state](Tensor& t, float half_width) {
        float* p = t.f32();
        for (int64_t i = 0; i < t.numel(); ++i) {
          float u = static_cast<float>(SplitMix64(state) >> 40) * (1.0f / 16777216.0f);
          p[i] = (2 * u - 1) * half_width;
        }
      };
      fill(s.a, std::sqrt(3.0f / static_cast<float>(info->in)));
      fill(s.b, std::sqrt(3.0f / static_cast<float>(o.rank)) * 0.5f);
      a.layers[layer][info->op].push_back(std::move(s));
    }
  }
  SortSlices(a);
  return a;
}

Status SaveLoraAdapter(const LoraAdapter& a, const ModelConfig& c, const std::string& dir,
                       const std::string& base_model_name) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Internal("cannot create " + dir + ": " + ec.message());
  std::vector<std::pair<std::string, const Tensor*>> tensors;
  for (size_t layer = 0; layer < a.layers.size(); ++layer) {
    for (const auto& slices : a.layers[layer]) {
      for (const LoraSlice& s : slices) {
        auto info = Module(c, s.module);
        if (!info) return Invalid("adapter module " + s.module + " does not fit the model");
        std::string base = "base_model.model.model.layers." + std::to_string(layer) + "." +
                           info->block + "." + s.module;
        tensors.emplace_back(base + ".lora_A.weight", &s.a);
        tensors.emplace_back(base + ".lora_B.weight", &s.b);
      }
    }
  }
  KT_RETURN_IF_ERROR(WriteSafetensors((fs::path(dir) / "adapter_model.safetensors").string(), tensors));
  Json cfg = {{"peft_type", "LORA"},
              {"task_type", "CAUSAL_LM"},
              {"r", a.rank},
              {"lora_alpha", a.alpha},
              {"lora_dropout", 0.0},
              {"use_rslora", a.use_rslora},
              {"bias", "none"},
              {"fan_in_fan_out", false},
              {"inference_mode", true},
              {"target_modules", a.target_modules},
              {"base_model_name_or_path", base_model_name}};
  std::ofstream out(fs::path(dir) / "adapter_config.json");
  out << cfg.dump(2) << "\n";
  if (!out) return Internal("cannot write adapter_config.json in " + dir);
  return Status::Ok();
}

LoraAdapter MergeLoraAdapters(const std::vector<std::pair<const LoraAdapter*, double>>& weighted,
                              std::string name) {
  LoraAdapter m;
  m.name = std::move(name);
  std::map<std::string, bool> targets;
  for (const auto& [a, strength] : weighted) {
    m.rank += a->rank;
    if (m.layers.empty()) m.layers.resize(a->layers.size());
    KT_CHECK_EQ(m.layers.size(), a->layers.size());
    const float scale = static_cast<float>(strength * a->scaling());
    for (size_t layer = 0; layer < a->layers.size(); ++layer) {
      for (int op = 0; op < kLoraOpCount; ++op) {
        for (const LoraSlice& s : a->layers[layer][op]) {
          LoraSlice c;
          c.module = s.module;
          c.row_offset = s.row_offset;
          c.a = s.a.Clone();
          c.b = s.b.Clone();
          float* b = c.b.f32();
          for (int64_t i = 0; i < c.b.numel(); ++i) b[i] *= scale;
          m.layers[layer][op].push_back(std::move(c));
        }
      }
    }
    for (const std::string& t : a->target_modules) targets[t] = true;
  }
  m.alpha = m.rank;  // scaling 1: the per-adapter scales are folded into B
  for (const auto& [t, unused] : targets) m.target_modules.push_back(t);
  SortSlices(m);
  return m;
}

}  // namespace kt::serving
