// Internal to kernels/cpu: widening loads and rounding stores between any float dtype and
// fp32 buffers, plus the small numeric helpers the reference ops share.
#ifndef KT_KERNELS_CPU_CONVERT_H_
#define KT_KERNELS_CPU_CONVERT_H_

#include <cstdint>

#include "kernels/dtype.h"
#include "kernels/tensor.h"

namespace kt::kernels::cpu {

// n contiguous elements of dtype t at src -> dst (fp32).
void ToF32(const void* src, DType t, int64_t n, float* dst);
// n fp32 values -> n contiguous elements of dtype t at dst, rounded to nearest even.
void FromF32(const float* src, int64_t n, DType t, void* dst);
// One element.
float LoadF32(const void* p, DType t);
void StoreF32(float v, DType t, void* p);

inline int32_t LoadI32(const Tensor& t, int64_t i) { return *reinterpret_cast<int32_t*>(t.at(i)); }
inline int64_t LoadI64(const Tensor& t, int64_t i) { return *reinterpret_cast<int64_t*>(t.at(i)); }
inline float LoadF(const Tensor& t, int64_t i0, int64_t i1 = 0) {
  return LoadF32(t.at(i0, i1), t.dtype);
}

// Dot product with eight independent partial sums (fixed order: deterministic).
float Dot(const float* a, const float* b, int64_t n);
// y[i] += s * x[i]
void Axpy(float s, const float* x, float* y, int64_t n);

}  // namespace kt::kernels::cpu

#endif  // KT_KERNELS_CPU_CONVERT_H_
