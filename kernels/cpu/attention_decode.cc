// CPU reference single-token attention over the paged KV cache (see AttentionDecodeArgs).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "kernels/cpu/convert.h"
#include "kernels/cpu/cpu_ops.h"

namespace kt::kernels::cpu {

Status AttentionDecode(const AttentionDecodeArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kHost));
  const int64_t batch = a.q.shape[0], hq = a.q.shape[1], d = a.q.shape[2];
  const int64_t num_blocks = a.k_cache.shape[0], block_size = a.k_cache.shape[1];
  const int64_t hk = a.k_cache.shape[2], group = hq / hk;
  const int64_t max_blocks = a.block_tables.shape[1];
  const float scale = a.scale > 0.0f ? a.scale : 1.0f / std::sqrt(static_cast<float>(d));

  std::vector<float> kh, vh, q(d), scores, out(d);
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t len = LoadI32(a.context_lens, b);
    if (len < 0 || len > a.max_context_len) {
      return Invalid(
          "attention_decode: context_lens[" + std::to_string(b) + "] = " + std::to_string(len) +
          " is outside [0, max_context_len = " + std::to_string(a.max_context_len) + "]");
    }
    const int64_t p = len - 1;
    const int64_t first = a.window_left >= 0 ? std::max<int64_t>(0, p - a.window_left) : 0;
    const int64_t n = std::max<int64_t>(len - first, 0);
    // Resolve the slots of the visible tokens once.
    std::vector<int64_t> rows(n);
    for (int64_t j = 0; j < n; ++j) {
      const int64_t tok = first + j;
      const int64_t blk_index = tok / block_size;
      if (blk_index >= max_blocks) return Invalid("attention_decode: block table too short");
      const int64_t blk = *reinterpret_cast<const int32_t*>(a.block_tables.at(b, blk_index));
      if (blk < 0 || blk >= num_blocks) {
        return Invalid("attention_decode: block_tables[" + std::to_string(b) + "][" +
                       std::to_string(blk_index) + "] = " + std::to_string(blk) +
                       " is not a block of the cache (" + std::to_string(num_blocks) + " blocks)");
      }
      rows[j] = blk * block_size + tok % block_size;
    }
    kh.resize(std::max<int64_t>(n, 1) * d);
    vh.resize(std::max<int64_t>(n, 1) * d);
    scores.resize(std::max<int64_t>(n, 1));
    for (int64_t kvh = 0; kvh < hk; ++kvh) {
      for (int64_t j = 0; j < n; ++j) {
        const int64_t blk = rows[j] / block_size, off = rows[j] % block_size;
        ToF32(a.k_cache.at(blk, off, kvh), a.k_cache.dtype, d, kh.data() + j * d);
        ToF32(a.v_cache.at(blk, off, kvh), a.v_cache.dtype, d, vh.data() + j * d);
      }
      for (int64_t h = kvh * group; h < (kvh + 1) * group; ++h) {
        ToF32(a.q.at(b, h), a.q.dtype, d, q.data());
        std::fill(out.begin(), out.end(), 0.0f);
        if (n > 0) {
          float mx = -INFINITY;
          for (int64_t j = 0; j < n; ++j) {
            scores[j] = scale * Dot(q.data(), kh.data() + j * d, d);
            mx = std::max(mx, scores[j]);
          }
          double sum = 0.0;
          for (int64_t j = 0; j < n; ++j) {
            scores[j] = std::exp(scores[j] - mx);
            sum += scores[j];
          }
          const float inv = static_cast<float>(1.0 / sum);
          for (int64_t j = 0; j < n; ++j) Axpy(scores[j] * inv, vh.data() + j * d, out.data(), d);
        }
        FromF32(out.data(), d, a.out.dtype, a.out.at(b, h));
      }
    }
  }
  return Status::Ok();
}

}  // namespace kt::kernels::cpu
