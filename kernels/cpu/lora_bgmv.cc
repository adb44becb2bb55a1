// CPU batched LoRA shrink + expand with a per-row adapter (see LoraBgmvArgs).
#include <string>
#include <vector>

#include "kernels/cpu/convert.h"
#include "kernels/cpu/cpu_ops.h"

namespace kt::kernels::cpu {

Status LoraBgmv(const LoraBgmvArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kHost));
  const int64_t batch = a.x.shape[0], k = a.x.shape[1];
  const int64_t adapters = a.lora_a.shape[0], rank = a.lora_a.shape[1], n = a.lora_b.shape[1];
  for (int64_t b = 0; b < batch; ++b) {
    const int32_t idx = LoadI32(a.indices, b);
    if (idx >= adapters) {
      return Invalid("lora_bgmv: indices[" + std::to_string(b) + "] = " + std::to_string(idx) +
                     " but only " + std::to_string(adapters) + " adapters are loaded");
    }
  }
  std::vector<float> x(k), arow(k), brow(rank), y(n);
  for (int64_t b = 0; b < batch; ++b) {
    const int32_t idx = LoadI32(a.indices, b);
    if (idx < 0) continue;
    const float scale = *reinterpret_cast<const float*>(a.scales.at(b));
    ToF32(a.x.at(b), a.x.dtype, k, x.data());
    auto* t = reinterpret_cast<float*>(a.scratch.at(b));
    for (int64_t r = 0; r < rank; ++r) {
      ToF32(a.lora_a.at(idx, r), a.lora_a.dtype, k, arow.data());
      t[r] = scale * Dot(x.data(), arow.data(), k);
    }
    ToF32(a.y.at(b), a.y.dtype, n, y.data());
    for (int64_t j = 0; j < n; ++j) {
      ToF32(a.lora_b.at(idx, j), a.lora_b.dtype, rank, brow.data());
      y[j] += Dot(t, brow.data(), rank);
    }
    FromF32(y.data(), n, a.y.dtype, a.y.at(b));
  }
  return Status::Ok();
}

}  // namespace kt::kernels::cpu
