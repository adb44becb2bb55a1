// Element types of checkpoint tensors: the kernels' DType (kernels/dtype.h) plus the names
// safetensors and Hugging Face configs use, and bulk conversions to and from float32.
//
// Checkpoints store float32, float16 or bfloat16 (safetensors "F32", "F16", "BF16"). Widening
// to float32 is exact; narrowing rounds to nearest even as torch does (kernels' BF16/F16).
//
// Pure functions; thread-safe.
#ifndef KT_SERVING_MODEL_DTYPE_H_
#define KT_SERVING_MODEL_DTYPE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/status.h"
#include "kernels/dtype.h"

namespace kt::serving {

using DType = kernels::DType;
using kernels::DTypeSize;

// safetensors spelling: "F32", "F16", "BF16".
std::string_view SafetensorsDTypeName(DType t);
// Only the float types a checkpoint of this engine may hold (F32, F16, BF16).
Result<DType> ParseSafetensorsDType(std::string_view name);
// Hugging Face config spelling ("float32", "bfloat16", "float16"; also "fp32", "bf16", "fp16",
// "half", "float").
Result<DType> ParseTorchDType(std::string_view name);
std::string_view TorchDTypeName(DType t);

// Converts `count` elements from `src` (of float type `from`) to float32.
void ConvertToF32(DType from, const void* src, float* dst, size_t count);
// Converts `count` float32 values to float type `to`, writing DTypeSize(to) * count bytes.
void ConvertFromF32(DType to, const float* src, void* dst, size_t count);

}  // namespace kt::serving

#endif  // KT_SERVING_MODEL_DTYPE_H_
