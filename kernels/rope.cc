#include "kernels/rope.h"

#include <cmath>
#include <numbers>
#include <string>

namespace kt::kernels {
namespace {

Status CheckCommon(const RopeConfig& c) {
  if (c.head_dim <= 0 || c.head_dim % 2 != 0) {
    return Invalid("rope: head_dim must be even and > 0, got " + std::to_string(c.head_dim));
  }
  if (!(c.theta > 0.0)) return Invalid("rope: theta must be > 0");
  return Status::Ok();
}

Status CheckLongRope(const RopeConfig& c) {
  size_t half = static_cast<size_t>(c.head_dim / 2);
  for (const auto* f : {&c.short_factor, &c.long_factor}) {
    if (f->size() != half) {
      return Invalid("rope: longrope factor lists must have head_dim/2 = " + std::to_string(half) +
                     " entries, got " + std::to_string(f->size()));
    }
    for (double v : *f) {
      if (!(v > 0.0)) return Invalid("rope: longrope factors must be > 0");
    }
  }
  if (c.original_max_position <= 0 || c.max_position <= 0) {
    return Invalid("rope: longrope needs max_position and original_max_position > 0");
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<float>> RopeInvFreq(const RopeConfig& c, bool use_long_factors) {
  KT_RETURN_IF_ERROR(CheckCommon(c));
  const int half = c.head_dim / 2;
  std::vector<double> base(half);
  for (int i = 0; i < half; ++i) {
    base[i] = 1.0 / std::pow(c.theta, (2.0 * i) / c.head_dim);
  }
  std::vector<float> out(half);
  switch (c.scaling) {
    case RopeScaling::kNone:
      for (int i = 0; i < half; ++i) out[i] = static_cast<float>(base[i]);
      break;
    case RopeScaling::kLlama3: {
      if (!(c.factor > 0.0) || !(c.low_freq_factor > 0.0) ||
          !(c.high_freq_factor > c.low_freq_factor) || c.original_max_position <= 0) {
        return Invalid(
            "rope: llama3 scaling needs factor > 0, high_freq_factor > low_freq_factor > 0 and "
            "original_max_position > 0");
      }
      const double old_len = c.original_max_position;
      const double low_wavelen = old_len / c.low_freq_factor;
      const double high_wavelen = old_len / c.high_freq_factor;
      for (int i = 0; i < half; ++i) {
        const double wavelen = 2.0 * std::numbers::pi / base[i];
        double f = wavelen > low_wavelen ? base[i] / c.factor : base[i];
        const bool medium = !(wavelen < high_wavelen) && !(wavelen > low_wavelen);
        if (medium) {
          const double smooth =
              (old_len / wavelen - c.low_freq_factor) / (c.high_freq_factor - c.low_freq_factor);
          f = (1.0 - smooth) * f / c.factor + smooth * f;
        }
        out[i] = static_cast<float>(f);
      }
      break;
    }
    case RopeScaling::kLongRope: {
      KT_RETURN_IF_ERROR(CheckLongRope(c));
      const auto& ext = use_long_factors ? c.long_factor : c.short_factor;
      for (int i = 0; i < half; ++i) out[i] = static_cast<float>(base[i] / ext[i]);
      break;
    }
  }
  return out;
}

Result<float> RopeMscale(const RopeConfig& c) {
  KT_RETURN_IF_ERROR(CheckCommon(c));
  if (c.scaling != RopeScaling::kLongRope) return 1.0f;
  KT_RETURN_IF_ERROR(CheckLongRope(c));
  if (c.attention_factor > 0.0) return static_cast<float>(c.attention_factor);
  const double s = static_cast<double>(c.max_position) / c.original_max_position;
  if (s <= 1.0) return 1.0f;
  return static_cast<float>(std::sqrt(1.0 + std::log(s) / std::log(c.original_max_position)));
}

}  // namespace kt::kernels
