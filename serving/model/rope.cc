#include "serving/model/rope.h"

#include "kernels/rope.h"

namespace kt::serving {

Result<Rope> Rope::Create(const ModelConfig& c, LongRopePolicy policy) {
  Rope r;
  r.rotary_dim_ = c.rotary_dim();
  r.original_max_ = c.original_max_position_embeddings;
  r.policy_ = policy;
  kernels::RopeConfig k;
  k.head_dim = static_cast<int>(r.rotary_dim_);
  k.theta = c.rope_theta;
  const RopeScaling& s = c.rope_scaling;
  switch (s.type) {
    case RopeType::kDefault:
    case RopeType::kLinear:
      k.scaling = kernels::RopeScaling::kNone;
      break;
    case RopeType::kLlama3:
      k.scaling = kernels::RopeScaling::kLlama3;
      k.factor = s.factor;
      k.low_freq_factor = s.low_freq_factor;
      k.high_freq_factor = s.high_freq_factor;
      k.original_max_position = static_cast<int>(s.original_max_position_embeddings);
      break;
    case RopeType::kLongRope:
      k.scaling = kernels::RopeScaling::kLongRope;
      k.short_factor = s.short_factor;
      k.long_factor = s.long_factor;
      k.original_max_position = static_cast<int>(c.original_max_position_embeddings);
      k.max_position = static_cast<int>(c.max_position_embeddings);
      k.attention_factor = s.attention_factor.value_or(0.0);
      r.has_long_ = true;
      break;
  }
  auto inv = kernels::RopeInvFreq(k, /*use_long_factors=*/false);
  if (!inv.ok()) return inv.status().Annotate("rope");
  r.inv_freq_[kShort] = std::move(inv).value();
  if (s.type == RopeType::kLinear) {
    for (float& f : r.inv_freq_[kShort]) f = static_cast<float>(f / s.factor);
  }
  if (r.has_long_) {
    auto inv_long = kernels::RopeInvFreq(k, /*use_long_factors=*/true);
    if (!inv_long.ok()) return inv_long.status().Annotate("rope");
    r.inv_freq_[kLong] = std::move(inv_long).value();
  }
  auto mscale = kernels::RopeMscale(k);
  if (!mscale.ok()) return mscale.status().Annotate("rope");
  r.mscale_ = mscale.value();
  return r;
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

}  // namespace kt::serving
