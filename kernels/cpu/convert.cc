#include "kernels/cpu/convert.h"

#include <array>
#include <cstring>

#include "base/check.h"

namespace kt::kernels::cpu {

void ToF32(const void* src, DType t, int64_t n, float* dst) {
  switch (t) {
    case DType::kF32:
      std::memcpy(dst, src, static_cast<size_t>(n) * 4);
      return;
    case DType::kBF16: {
      const auto* s = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < n; ++i) dst[i] = FloatOfBits(static_cast<uint32_t>(s[i]) << 16);
      return;
    }
    case DType::kF16: {
      const auto* s = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < n; ++i) dst[i] = F16::FromBits(s[i]).ToFloat();
      return;
    }
    case DType::kF8E4M3: {
      static const std::array<float, 256> table = [] {
        std::array<float, 256> t{};
        for (int i = 0; i < 256; ++i) t[i] = F8E4M3::FromBits(static_cast<uint8_t>(i)).ToFloat();
        return t;
      }();
      const auto* s = static_cast<const uint8_t*>(src);
      for (int64_t i = 0; i < n; ++i) dst[i] = table[s[i]];
      return;
    }
    case DType::kI32:
    case DType::kI64:
      break;
  }
  KT_CHECK(false) << "ToF32 of non-float dtype " << DTypeName(t);
}

void FromF32(const float* src, int64_t n, DType t, void* dst) {
  switch (t) {
    case DType::kF32:
      std::memcpy(dst, src, static_cast<size_t>(n) * 4);
      return;
    case DType::kBF16: {
      auto* d = static_cast<uint16_t*>(dst);
      for (int64_t i = 0; i < n; ++i) d[i] = BF16::FromFloat(src[i]).bits;
      return;
    }
    case DType::kF16: {
      auto* d = static_cast<uint16_t*>(dst);
      for (int64_t i = 0; i < n; ++i) d[i] = F16::FromFloat(src[i]).bits;
      return;
    }
    case DType::kF8E4M3: {
      auto* d = static_cast<uint8_t*>(dst);
      for (int64_t i = 0; i < n; ++i) d[i] = F8E4M3::FromFloat(src[i]).bits;
      return;
    }
    case DType::kI32:
    case DType::kI64:
      break;
  }
  KT_CHECK(false) << "FromF32 to non-float dtype " << DTypeName(t);
}

float LoadF32(const void* p, DType t) {
  float v;
  ToF32(p, t, 1, &v);
  return v;
}

void StoreF32(float v, DType t, void* p) { FromF32(&v, 1, t, p); }

float Dot(const float* a, const float* b, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; ++j) acc[j] += a[i + j] * b[i + j];
  }
  float tail = 0.0f;
  for (; i < n; ++i) tail += a[i] * b[i];
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail;
}

void Axpy(float s, const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += s * x[i];
}

}  // namespace kt::kernels::cpu
