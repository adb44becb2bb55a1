#include "serving/model/dtype.h"

#include <cmath>
#include <string>

namespace kt::serving {

size_t DTypeSize(DType t) {
  switch (t) {
    case DType::kF32:
      return 4;
    case DType::kF16:
    case DType::kBF16:
      return 2;
  }
  KT_UNREACHABLE();
  return 0;
}

std::string_view DTypeName(DType t) {
  switch (t) {
    case DType::kF32:
      return "F32";
    case DType::kF16:
      return "F16";
    case DType::kBF16:
      return "BF16";
  }
  KT_UNREACHABLE();
  return "";
}

std::string_view TorchDTypeName(DType t) {
  switch (t) {
    case DType::kF32:
      return "float32";
    case DType::kF16:
      return "float16";
    case DType::kBF16:
      return "bfloat16";
  }
  KT_UNREACHABLE();
  return "";
}

Result<DType> ParseSafetensorsDType(std::string_view name) {
  if (name == "F32") return DType::kF32;
  if (name == "F16") return DType::kF16;
  if (name == "BF16") return DType::kBF16;
  return Invalid("unsupported safetensors dtype \"" + std::string(name) +
                 "\" (supported: F32, F16, BF16)");
}

Result<DType> ParseTorchDType(std::string_view name) {
  if (name == "float32" || name == "fp32" || name == "float") return DType::kF32;
  if (name == "bfloat16" || name == "bf16") return DType::kBF16;
  if (name == "float16" || name == "fp16" || name == "half") return DType::kF16;
  return Invalid("unsupported dtype \"" + std::string(name) +
                 "\" (supported: float32, bfloat16, float16)");
}

float F16ToF32(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: renormalize
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while ((mant & 0x400u) == 0);
      mant &= 0x3ffu;
      bits = sign | (static_cast<uint32_t>(127 - 15 - e) << 23) | (mant << 13);
    }
  } else if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

uint16_t F32ToF16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  uint32_t abs = bits & 0x7fffffffu;
  if (abs > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u);  // NaN
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // overflow -> inf
  if (abs < 0x38800000u) {  // result is subnormal or zero
    float a;
    std::memcpy(&a, &abs, sizeof a);
    // Scale so that one f16 subnormal ulp (2^-24) becomes 1, then round to nearest even.
    float scaled = a * 16777216.0f;
    return static_cast<uint16_t>(sign | static_cast<uint16_t>(std::nearbyint(scaled)));
  }
  uint32_t mant_rounding = 0xfffu + ((abs >> 13) & 1u);
  uint32_t r = abs + mant_rounding;
  uint32_t exp = (r >> 23) - 127 + 15;
  uint32_t mant = (r >> 13) & 0x3ffu;
  return static_cast<uint16_t>(sign | (exp << 10) | mant);
}

void ConvertToF32(DType from, const void* src, float* dst, size_t count) {
  switch (from) {
    case DType::kF32:
      std::memcpy(dst, src, count * 4);
      return;
    case DType::kBF16: {
      const uint16_t* s = static_cast<const uint16_t*>(src);
      for (size_t i = 0; i < count; ++i) {
        uint16_t v;
        std::memcpy(&v, s + i, 2);
        dst[i] = Bf16ToF32(v);
      }
      return;
    }
    case DType::kF16: {
      const uint16_t* s = static_cast<const uint16_t*>(src);
      for (size_t i = 0; i < count; ++i) {
        uint16_t v;
        std::memcpy(&v, s + i, 2);
        dst[i] = F16ToF32(v);
      }
      return;
    }
  }
}

void ConvertFromF32(DType to, const float* src, void* dst, size_t count) {
  switch (to) {
    case DType::kF32:
      std::memcpy(dst, src, count * 4);
      return;
    case DType::kBF16: {
      uint16_t* d = static_cast<uint16_t*>(dst);
      for (size_t i = 0; i < count; ++i) {
        uint16_t v = F32ToBf16(src[i]);
        std::memcpy(d + i, &v, 2);
      }
      return;
    }
    case DType::kF16: {
      uint16_t* d = static_cast<uint16_t*>(dst);
      for (size_t i = 0; i < count; ++i) {
        uint16_t v = F32ToF16(src[i]);
        std::memcpy(d + i, &v, 2);
      }
      return;
    }
  }
}

}  // namespace kt::serving
