// CPU rotary embedding, NeoX (rotate-half) layout (see RopeArgs).
#include <cmath>
#include <string>
#include <vector>

#include "kernels/cpu/convert.h"
#include "kernels/cpu/cpu_ops.h"

namespace kt::kernels::cpu {
namespace {

void RotateHeads(const Tensor& x, int64_t t, const std::vector<float>& c,
                 const std::vector<float>& s, std::vector<float>& row) {
  const int64_t d = x.shape[2], half = d / 2;
  for (int64_t h = 0; h < x.shape[1]; ++h) {
    ToF32(x.at(t, h), x.dtype, d, row.data());
    for (int64_t i = 0; i < half; ++i) {
      const float x1 = row[i], x2 = row[i + half];
      row[i] = x1 * c[i] - x2 * s[i];
      row[i + half] = x2 * c[i] + x1 * s[i];
    }
    FromF32(row.data(), d, x.dtype, x.at(t, h));
  }
}

}  // namespace

Status Rope(const RopeArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kHost));
  const int64_t t = a.q.shape[0], d = a.q.shape[2], half = d / 2;
  const float* inv_freq = a.inv_freq.ptr<float>();
  std::vector<float> c(half), s(half), row(d);
  for (int64_t i = 0; i < t; ++i) {
    const int32_t pos = LoadI32(a.positions, i);
    if (pos < 0) return Invalid("rope: positions[" + std::to_string(i) + "] is negative");
    for (int64_t j = 0; j < half; ++j) {
      const float angle = static_cast<float>(pos) * inv_freq[j];
      c[j] = std::cos(angle) * a.mscale;
      s[j] = std::sin(angle) * a.mscale;
    }
    RotateHeads(a.q, i, c, s, row);
    if (a.k.present()) RotateHeads(a.k, i, c, s, row);
  }
  return Status::Ok();
}

}  // namespace kt::kernels::cpu
