// CPU SiLU-and-multiply on a fused gate_up row (see SiluMulArgs).
#include <cmath>
#include <vector>

#include "kernels/cpu/convert.h"
#include "kernels/cpu/cpu_ops.h"

namespace kt::kernels::cpu {

Status SiluMul(const SiluMulArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kHost));
  const int64_t t = a.gate_up.shape[0], inter = a.out.shape[1];
  std::vector<float> gu(2 * inter), out(inter);
  for (int64_t i = 0; i < t; ++i) {
    ToF32(a.gate_up.at(i), a.gate_up.dtype, 2 * inter, gu.data());
    for (int64_t j = 0; j < inter; ++j) {
      const float g = gu[j];
      out[j] = g / (1.0f + std::exp(-g)) * gu[inter + j];
    }
    FromF32(out.data(), inter, a.out.dtype, a.out.at(i));
  }
  return Status::Ok();
}

}  // namespace kt::kernels::cpu
