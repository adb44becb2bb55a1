#include "serving/model/dtype.h"

#include <cstring>
#include <string>

namespace kt::serving {

std::string_view SafetensorsDTypeName(DType t) {
  switch (t) {
    case DType::kF32:
      return "F32";
    case DType::kF16:
      return "F16";
    case DType::kBF16:
      return "BF16";
    case DType::kF8E4M3:
      return "F8_E4M3";
    case DType::kI32:
      return "I32";
    case DType::kI64:
      return "I64";
  }
  return "?";
}

std::string_view TorchDTypeName(DType t) {
  switch (t) {
    case DType::kF32:
      return "float32";
    case DType::kF16:
      return "float16";
    case DType::kBF16:
      return "bfloat16";
    case DType::kF8E4M3:
      return "float8_e4m3fn";
    case DType::kI32:
      return "int32";
    case DType::kI64:
      return "int64";
  }
  return "?";
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

void ConvertToF32(DType from, const void* src, float* dst, size_t count) {
  const uint8_t* s = static_cast<const uint8_t*>(src);
  switch (from) {
    case DType::kF32:
      std::memcpy(dst, src, count * 4);
      return;
    case DType::kBF16:
      for (size_t i = 0; i < count; ++i) {
        uint16_t v;
        std::memcpy(&v, s + 2 * i, 2);
        dst[i] = kernels::BF16::FromBits(v).ToFloat();
      }
      return;
    case DType::kF16:
      for (size_t i = 0; i < count; ++i) {
        uint16_t v;
        std::memcpy(&v, s + 2 * i, 2);
        dst[i] = kernels::F16::FromBits(v).ToFloat();
      }
      return;
    case DType::kF8E4M3:
      for (size_t i = 0; i < count; ++i) dst[i] = kernels::F8E4M3::FromBits(s[i]).ToFloat();
      return;
    case DType::kI32:
    case DType::kI64:
      break;
  }
  KT_CHECK(false) << "ConvertToF32 from a non-float dtype";
}

void ConvertFromF32(DType to, const float* src, void* dst, size_t count) {
  uint8_t* d = static_cast<uint8_t*>(dst);
  switch (to) {
    case DType::kF32:
      std::memcpy(dst, src, count * 4);
      return;
    case DType::kBF16:
      for (size_t i = 0; i < count; ++i) {
        uint16_t v = kernels::BF16::FromFloat(src[i]).bits;
        std::memcpy(d + 2 * i, &v, 2);
      }
      return;
    case DType::kF16:
      for (size_t i = 0; i < count; ++i) {
        uint16_t v = kernels::F16::FromFloat(src[i]).bits;
        std::memcpy(d + 2 * i, &v, 2);
      }
      return;
    case DType::kF8E4M3:
      for (size_t i = 0; i < count; ++i) d[i] = kernels::F8E4M3::FromFloat(src[i]).bits;
      return;
    case DType::kI32:
    case DType::kI64:
      break;
  }
  KT_CHECK(false) << "ConvertFromF32 to a non-float dtype";
}

}  // namespace kt::serving
