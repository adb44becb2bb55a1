#include "tests/serving/reference/reference_model.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <sstream>

#include "base/json.h"
#include "kernels/dtype.h"
#include "serving/model/checkpoint.h"

namespace kt::serving::testing {

namespace {

double Widen(DType t, const uint8_t* p) {
  uint16_t h;
  switch (t) {
    case DType::kF32: {
      float f;
      std::memcpy(&f, p, 4);
      return f;
    }
    case DType::kBF16: {
      std::memcpy(&h, p, 2);
      uint32_t bits = static_cast<uint32_t>(h) << 16;
      float f;
      std::memcpy(&f, &bits, 4);
      return f;
    }
    case DType::kF16:
      std::memcpy(&h, p, 2);
      return kernels::F16::FromBits(h).ToFloat();
    default:
      KT_CHECK(false) << "reference: unexpected dtype";
      return 0;
  }
}

Result<std::string> ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  if (!in) return NotFound("cannot read " + p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<double> RmsNorm(const std::vector<double>& x, const std::vector<double>& w, double eps) {
  double ss = 0;
  for (double v : x) ss += v * v;
  double inv = 1.0 / std::sqrt(ss / static_cast<double>(x.size()) + eps);
  std::vector<double> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) out[i] = x[i] * inv * w[i];
  return out;
}

}  // namespace

Result<std::unique_ptr<ReferenceModel>> ReferenceModel::Load(const std::string& dir) {
  std::unique_ptr<ReferenceModel> m(new ReferenceModel());
  KT_ASSIGN_OR_RETURN(m->config_, LoadModelConfig(dir));
  KT_ASSIGN_OR_RETURN(auto ckpt, Checkpoint::Open(dir));
  for (const std::string& name : ckpt->Names()) {
    const SafetensorsEntry* e = ckpt->Find(name);
    Matrix mat;
    mat.rows = static_cast<int>(e->shape.at(0));
    mat.cols = e->shape.size() > 1 ? static_cast<int>(e->shape[1]) : 1;
    mat.v.resize(static_cast<size_t>(e->numel()));
    size_t es = DTypeSize(e->dtype);
    for (size_t i = 0; i < mat.v.size(); ++i) mat.v[i] = Widen(e->dtype, e->data + i * es);
    m->weights_[name] = std::move(mat);
  }
  return m;
}

Status ReferenceModel::AddAdapter(const std::string& name, const std::string& dir) {
  namespace fs = std::filesystem;
  KT_ASSIGN_OR_RETURN(std::string text, ReadFile(fs::path(dir) / "adapter_config.json"));
  KT_ASSIGN_OR_RETURN(Json cfg, ParseJson(text));
  double r = static_cast<double>(GetInt(cfg, "r").value_or(8));
  double alpha = cfg.contains("lora_alpha") ? cfg["lora_alpha"].get<double>() : 8.0;
  Adapter a;
  a.scale = GetBool(cfg, "use_rslora") ? alpha / std::sqrt(r) : alpha / r;
  KT_ASSIGN_OR_RETURN(auto ckpt,
                      Checkpoint::OpenFiles({(fs::path(dir) / "adapter_model.safetensors").string()}));
  for (std::string key : ckpt->Names()) {
    const SafetensorsEntry* e = ckpt->Find(key);
    std::string k = key;
    const std::string prefix = "base_model.model.";
    if (k.rfind(prefix, 0) == 0) k = k.substr(prefix.size());
    size_t pos = k.find(".lora_");
    if (pos == std::string::npos) continue;
    std::string module = k.substr(0, pos);
    bool is_a = k.compare(pos, 7, ".lora_A") == 0;
    Matrix mat;
    mat.rows = static_cast<int>(e->shape.at(0));
    mat.cols = static_cast<int>(e->shape.at(1));
    mat.v.resize(static_cast<size_t>(e->numel()));
    size_t es = DTypeSize(e->dtype);
    for (size_t i = 0; i < mat.v.size(); ++i) mat.v[i] = Widen(e->dtype, e->data + i * es);
    (is_a ? a.modules[module].a : a.modules[module].b) = std::move(mat);
  }
  adapters_[name] = std::move(a);
  return Status::Ok();
}

const ReferenceModel::Matrix* ReferenceModel::MaybeW(const std::string& name) const {
  auto it = weights_.find(name);
  return it == weights_.end() ? nullptr : &it->second;
}

const ReferenceModel::Matrix& ReferenceModel::W(const std::string& name) const {
  const Matrix* m = MaybeW(name);
  KT_CHECK(m != nullptr) << "reference: no tensor " << name;
  return *m;
}

std::vector<double> ReferenceModel::Linear(const std::string& module, const std::vector<double>& x,
                                           const Applied& adapters) const {
  const Matrix& w = W(module + ".weight");
  KT_CHECK_EQ(static_cast<size_t>(w.cols), x.size());
  std::vector<double> y(static_cast<size_t>(w.rows), 0.0);
  for (int i = 0; i < w.rows; ++i) {
    double s = 0;
    for (int j = 0; j < w.cols; ++j) s += w.v[static_cast<size_t>(i) * w.cols + j] * x[j];
    y[i] = s;
  }
  if (const Matrix* b = MaybeW(module + ".bias")) {
    for (int i = 0; i < w.rows; ++i) y[i] += b->v[i];
  }
  for (const auto& [adapter, strength] : adapters) {
    auto it = adapter->modules.find(module);
    if (it != adapter->modules.end()) {
      const Matrix& a = it->second.a;
      const Matrix& b = it->second.b;
      std::vector<double> t(static_cast<size_t>(a.rows), 0.0);
      for (int r = 0; r < a.rows; ++r) {
        for (int j = 0; j < a.cols; ++j) t[r] += a.v[static_cast<size_t>(r) * a.cols + j] * x[j];
      }
      for (int i = 0; i < b.rows; ++i) {
        double s = 0;
        for (int r = 0; r < b.cols; ++r) s += b.v[static_cast<size_t>(i) * b.cols + r] * t[r];
        y[i] += strength * adapter->scale * s;
      }
    }
  }
  return y;
}

std::vector<double> ReferenceModel::InvFreq(bool long_factors) const {
  const ModelConfig& c = config_;
  const int64_t rd = c.rotary_dim();
  std::vector<double> inv(static_cast<size_t>(rd / 2));
  for (int64_t i = 0; i < rd / 2; ++i) {
    double base = std::pow(c.rope_theta, static_cast<double>(2 * i) / static_cast<double>(rd));
    inv[i] = 1.0 / base;
    const RopeScaling& s = c.rope_scaling;
    if (s.type == RopeType::kLinear) inv[i] /= s.factor;
    if (s.type == RopeType::kLongRope) {
      inv[i] = 1.0 / ((long_factors ? s.long_factor[i] : s.short_factor[i]) * base);
    }
    if (s.type == RopeType::kLlama3) {
      double old_len = static_cast<double>(s.original_max_position_embeddings);
      double wavelen = 2 * std::numbers::pi / inv[i];
      double low = old_len / s.low_freq_factor, high = old_len / s.high_freq_factor;
      if (wavelen > low) {
        inv[i] /= s.factor;
      } else if (wavelen >= high) {
        double smooth = (old_len / wavelen - s.low_freq_factor) /
                        (s.high_freq_factor - s.low_freq_factor);
        inv[i] = (1 - smooth) * inv[i] / s.factor + smooth * inv[i];
      }
    }
  }
  return inv;
}

double ReferenceModel::Mscale() const {
  const ModelConfig& c = config_;
  if (c.rope_scaling.type != RopeType::kLongRope) return 1.0;
  if (c.rope_scaling.attention_factor) return *c.rope_scaling.attention_factor;
  double s = static_cast<double>(c.max_position_embeddings) /
             static_cast<double>(c.original_max_position_embeddings);
  if (s <= 1.0) return 1.0;
  return std::sqrt(1 + std::log(s) / std::log(static_cast<double>(c.original_max_position_embeddings)));
}

std::vector<std::vector<double>> ReferenceModel::Forward(const std::vector<int>& tokens,
                                                         int prompt_len,
                                                         const std::string& adapter_name,
                                                         double strength) const {
  std::vector<std::pair<std::string, double>> list;
  if (!adapter_name.empty()) list.emplace_back(adapter_name, strength);
  return Forward(tokens, prompt_len, list);
}

std::vector<std::vector<double>> ReferenceModel::Forward(
    const std::vector<int>& tokens, int prompt_len,
    const std::vector<std::pair<std::string, double>>& names) const {
  const ModelConfig& c = config_;
  const int T = static_cast<int>(tokens.size());
  if (prompt_len < 0) prompt_len = T;
  Applied adapter;
  for (const auto& [name, strength] : names) {
    auto it = adapters_.find(name);
    KT_CHECK(it != adapters_.end()) << "reference: no adapter " << name;
    adapter.emplace_back(&it->second, strength);
  }
  const int H = static_cast<int>(c.hidden_size), D = static_cast<int>(c.head_dim);
  const int nh = static_cast<int>(c.num_heads), nkv = static_cast<int>(c.num_kv_heads);
  const int rd = static_cast<int>(c.rotary_dim());
  const Matrix& embed = W("model.embed_tokens.weight");

  std::vector<std::vector<double>> x(T, std::vector<double>(H));
  for (int t = 0; t < T; ++t) {
    for (int i = 0; i < H; ++i) x[t][i] = embed.v[static_cast<size_t>(tokens[t]) * H + i];
  }
  const std::vector<double> inv_short = InvFreq(false);
  const std::vector<double> inv_long =
      c.rope_scaling.type == RopeType::kLongRope ? InvFreq(true) : inv_short;
  const double mscale = Mscale();
  auto rotate = [&](std::vector<double>& v, int heads, int pos) {
    bool use_long = c.rope_scaling.type == RopeType::kLongRope &&
                    std::max(prompt_len, pos + 1) > c.original_max_position_embeddings;
    const std::vector<double>& inv = use_long ? inv_long : inv_short;
    for (int h = 0; h < heads; ++h) {
      double* p = v.data() + static_cast<size_t>(h) * D;
      for (int i = 0; i < rd / 2; ++i) {
        double angle = pos * inv[i];
        double cs = std::cos(angle) * mscale, sn = std::sin(angle) * mscale;
        double a = p[i], b = p[i + rd / 2];
        p[i] = a * cs - b * sn;
        p[i + rd / 2] = b * cs + a * sn;
      }
    }
  };
  const bool phi3 = c.arch == Architecture::kPhi3;
  for (int layer = 0; layer < c.num_layers; ++layer) {
    const std::string p = "model.layers." + std::to_string(layer) + ".";
    std::vector<std::vector<double>> q(T), k(T), v(T);
    for (int t = 0; t < T; ++t) {
      std::vector<double> h = RmsNorm(x[t], W(p + "input_layernorm.weight").v, c.rms_norm_eps);
      if (phi3) {
        std::vector<double> qkv = Linear(p + "self_attn.qkv_proj", h, adapter);
        q[t].assign(qkv.begin(), qkv.begin() + nh * D);
        k[t].assign(qkv.begin() + nh * D, qkv.begin() + (nh + nkv) * D);
        v[t].assign(qkv.begin() + (nh + nkv) * D, qkv.end());
      } else {
        q[t] = Linear(p + "self_attn.q_proj", h, adapter);
        k[t] = Linear(p + "self_attn.k_proj", h, adapter);
        v[t] = Linear(p + "self_attn.v_proj", h, adapter);
      }
      rotate(q[t], nh, t);
      rotate(k[t], nkv, t);
    }
    for (int t = 0; t < T; ++t) {
      std::vector<double> attn(static_cast<size_t>(nh) * D, 0.0);
      int first = 0;
      if (c.sliding_window) first = std::max<int>(0, t - static_cast<int>(*c.sliding_window) + 1);
      for (int h = 0; h < nh; ++h) {
        int kvh = h / (nh / nkv);
        std::vector<double> scores;
        double mx = -1e300;
        for (int j = first; j <= t; ++j) {
          double s = 0;
          for (int d = 0; d < D; ++d) s += q[t][h * D + d] * k[j][kvh * D + d];
          s /= std::sqrt(static_cast<double>(D));
          scores.push_back(s);
          mx = std::max(mx, s);
        }
        double sum = 0;
        for (double& s : scores) sum += (s = std::exp(s - mx));
        for (int j = first; j <= t; ++j) {
          double w = scores[j - first] / sum;
          for (int d = 0; d < D; ++d) attn[h * D + d] += w * v[j][kvh * D + d];
        }
      }
      std::vector<double> o = Linear(p + "self_attn.o_proj", attn, adapter);
      for (int i = 0; i < H; ++i) x[t][i] += o[i];
      std::vector<double> h2 =
          RmsNorm(x[t], W(p + "post_attention_layernorm.weight").v, c.rms_norm_eps);
      std::vector<double> gate, up;
      const int I = static_cast<int>(c.intermediate_size);
      if (phi3) {
        std::vector<double> gu = Linear(p + "mlp.gate_up_proj", h2, adapter);
        gate.assign(gu.begin(), gu.begin() + I);
        up.assign(gu.begin() + I, gu.end());
      } else {
        gate = Linear(p + "mlp.gate_proj", h2, adapter);
        up = Linear(p + "mlp.up_proj", h2, adapter);
      }
      std::vector<double> m(I);
      for (int i = 0; i < I; ++i) m[i] = gate[i] / (1.0 + std::exp(-gate[i])) * up[i];
      std::vector<double> d = Linear(p + "mlp.down_proj", m, adapter);
      for (int i = 0; i < H; ++i) x[t][i] += d[i];
    }
  }
  const Matrix& head = c.tie_word_embeddings ? embed : W("lm_head.weight");
  std::vector<std::vector<double>> logits(T, std::vector<double>(static_cast<size_t>(c.vocab_size)));
  for (int t = 0; t < T; ++t) {
    std::vector<double> h = RmsNorm(x[t], W("model.norm.weight").v, c.rms_norm_eps);
    for (int vtok = 0; vtok < c.vocab_size; ++vtok) {
      double s = 0;
      for (int i = 0; i < H; ++i) s += head.v[static_cast<size_t>(vtok) * H + i] * h[i];
      logits[t][vtok] = s;
    }
  }
  return logits;
}

}  // namespace kt::serving::testing
