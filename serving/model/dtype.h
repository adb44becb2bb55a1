// Element types of checkpoint tensors and their conversions.
//
// Checkpoints store float32, float16 or bfloat16 (safetensors "F32", "F16", "BF16"). The CPU
// backend computes in float32; conversions here are exact where the format allows (bf16/f16 ->
// f32 is exact) and round-to-nearest-even the other way, which is what torch does.
//
// Pure functions; thread-safe.
#ifndef KT_SERVING_MODEL_DTYPE_H_
#define KT_SERVING_MODEL_DTYPE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "base/status.h"

namespace kt::serving {

enum class DType : uint8_t { kF32, kF16, kBF16 };

size_t DTypeSize(DType t);
// safetensors spelling: "F32", "F16", "BF16".
std::string_view DTypeName(DType t);
Result<DType> ParseSafetensorsDType(std::string_view name);
// Hugging Face config spelling ("float32", "bfloat16", "float16"; also "fp32", "bf16", "fp16",
// "half", "float").
Result<DType> ParseTorchDType(std::string_view name);
std::string_view TorchDTypeName(DType t);

inline float Bf16ToF32(uint16_t v) {
  uint32_t bits = static_cast<uint32_t>(v) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// Round to nearest even; NaN stays NaN (quiet).
inline uint16_t F32ToBf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40u);
  uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>((bits + rounding) >> 16);
}

float F16ToF32(uint16_t v);
uint16_t F32ToF16(float f);

// Converts `count` elements from `src` (of type `from`) to float32.
void ConvertToF32(DType from, const void* src, float* dst, size_t count);
// Converts `count` float32 values to `to`, writing DTypeSize(to)*count bytes.
void ConvertFromF32(DType to, const float* src, void* dst, size_t count);

}  // namespace kt::serving

#endif  // KT_SERVING_MODEL_DTYPE_H_
