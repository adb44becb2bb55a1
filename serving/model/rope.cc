#include "serving/model/rope.h"

#include <cmath>
#include <numbers>

namespace kt::serving {

namespace {
// 1 / theta^(2i / d) for i < d/2, as transformers computes it (each step rounded to float).
std::vector<double> BaseInvFreq(double theta, int64_t dim) {
  std::vector<double> out(static_cast<size_t>(dim / 2));
  for (int64_t i = 0; i < dim / 2; ++i) {
    float exponent = static_cast<float>(2 * i) / static_cast<float>(dim);
    out[static_cast<size_t>(i)] = 1.0 / static_cast<double>(static_cast<float>(
                                            std::pow(theta, static_cast<double>(exponent))));
  }
  return out;
}

std::vector<double> Llama3InvFreq(std::vector<double> inv, const RopeScaling& r) {
  const double old_len = static_cast<double>(r.original_max_position_embeddings);
  const double low_wavelen = old_len / r.low_freq_factor;
  const double high_wavelen = old_len / r.high_freq_factor;
  for (double& f : inv) {
    double wavelen = 2 * std::numbers::pi / f;
    if (wavelen > low_wavelen) {
      f = f / r.factor;
    } else if (wavelen >= high_wavelen) {  // medium band: interpolate
      double smooth = (old_len / wavelen - r.low_freq_factor) /
                      (r.high_freq_factor - r.low_freq_factor);
      f = (1 - smooth) * f / r.factor + smooth * f;
    }
  }
  return inv;
}

std::vector<float> ToFloat(const std::vector<double>& v) {
  return std::vector<float>(v.begin(), v.end());
}
}  // namespace

Rope::Rope(const ModelConfig& c, LongRopePolicy policy)
    : rotary_dim_(c.rotary_dim()), original_max_(c.original_max_position_embeddings),
      policy_(policy) {
  std::vector<double> base = BaseInvFreq(c.rope_theta, rotary_dim_);
  const RopeScaling& r = c.rope_scaling;
  switch (r.type) {
    case RopeType::kDefault:
      inv_freq_[kShort] = ToFloat(base);
      break;
    case RopeType::kLinear:
      for (double& f : base) f /= r.factor;
      inv_freq_[kShort] = ToFloat(base);
      break;
    case RopeType::kLlama3:
      inv_freq_[kShort] = ToFloat(Llama3InvFreq(base, r));
      break;
    case RopeType::kLongRope: {
      has_long_ = true;
      std::vector<double> s(base.size()), l(base.size());
      for (size_t i = 0; i < base.size(); ++i) {
        // transformers: 1 / (factor * theta^(2i/d)) with f32 tensors.
        float denom_s = static_cast<float>(r.short_factor[i]) * static_cast<float>(1.0 / base[i]);
        float denom_l = static_cast<float>(r.long_factor[i]) * static_cast<float>(1.0 / base[i]);
        s[i] = 1.0 / static_cast<double>(denom_s);
        l[i] = 1.0 / static_cast<double>(denom_l);
      }
      inv_freq_[kShort] = ToFloat(s);
      inv_freq_[kLong] = ToFloat(l);
      double factor = static_cast<double>(c.max_position_embeddings) /
                      static_cast<double>(c.original_max_position_embeddings);
      if (r.attention_factor) {
        attention_scaling_ = static_cast<float>(*r.attention_factor);
      } else if (factor > 1.0) {
        attention_scaling_ = static_cast<float>(std::sqrt(
            1 + std::log(factor) / std::log(static_cast<double>(c.original_max_position_embeddings))));
      }
      break;
    }
  }
}

const std::vector<float>& Rope::inv_freq(int variant) const {
  KT_CHECK(variant == kShort || (variant == kLong && has_long_)) << "variant " << variant;
  return inv_freq_[variant];
}

int Rope::VariantFor(int64_t position, int64_t prompt_len) const {
  if (!has_long_) return kShort;
  if (policy_ == LongRopePolicy::kAlwaysLong) return kLong;
  int64_t seen = std::max(prompt_len, position + 1);
  return seen > original_max_ ? kLong : kShort;
}

void Rope::CosSin(int64_t position, int variant, float* cos_out, float* sin_out) const {
  const std::vector<float>& inv = inv_freq(variant);
  const float pos = static_cast<float>(position);
  for (size_t i = 0; i < inv.size(); ++i) {
    float angle = inv[i] * pos;  // float product, as transformers' f32 matmul
    cos_out[i] = static_cast<float>(std::cos(static_cast<double>(angle))) * attention_scaling_;
    sin_out[i] = static_cast<float>(std::sin(static_cast<double>(angle))) * attention_scaling_;
  }
}

}  // namespace kt::serving
