// CPU RMSNorm with optional fused residual add (see RmsNormArgs).
#include <cmath>
#include <vector>

#include "kernels/cpu/convert.h"
#include "kernels/cpu/cpu_ops.h"

namespace kt::kernels::cpu {

Status RmsNorm(const RmsNormArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kHost));
  const int64_t t = a.x.shape[0], h = a.x.shape[1];
  std::vector<float> w(h), s(h), r(h);
  ToF32(a.weight.data, a.weight.dtype, h, w.data());
  for (int64_t i = 0; i < t; ++i) {
    ToF32(a.x.at(i), a.x.dtype, h, s.data());
    if (a.residual.present()) {
      ToF32(a.residual.at(i), a.residual.dtype, h, r.data());
      for (int64_t j = 0; j < h; ++j) s[j] += r[j];
      // Store the sum, then normalise what was stored (the rounded value), as HF does.
      FromF32(s.data(), h, a.residual.dtype, a.residual.at(i));
      ToF32(a.residual.at(i), a.residual.dtype, h, s.data());
    }
    double sumsq = 0.0;
    for (int64_t j = 0; j < h; ++j) sumsq += static_cast<double>(s[j]) * s[j];
    const float inv = static_cast<float>(1.0 / std::sqrt(sumsq / h + a.eps));
    for (int64_t j = 0; j < h; ++j) s[j] = s[j] * inv * w[j];
    FromF32(s.data(), h, a.out.dtype, a.out.at(i));
  }
  return Status::Ok();
}

}  // namespace kt::kernels::cpu
