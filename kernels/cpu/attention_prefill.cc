// CPU reference attention over packed variable-length sequences (see AttentionPrefillArgs).
// Per (sequence, KV head): K and V are widened once; per query head and block of query rows:
// scores = Q K^T over the visible key range, masked softmax in fp32, out = P V.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kernels/cpu/convert.h"
#include "kernels/cpu/cpu_ops.h"

namespace kt::kernels::cpu {
namespace {

constexpr int64_t kQueryBlockRows = 64;

Status CheckSeqlens(const AttentionPrefillArgs& a, int64_t batch) {
  auto check = [&](const Tensor& cu, int64_t total, int max_len, const char* name) -> Status {
    if (LoadI32(cu, 0) != 0)
      return Invalid(std::string("attention_prefill: ") + name + "[0] must be 0");
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t len = static_cast<int64_t>(LoadI32(cu, b + 1)) - LoadI32(cu, b);
      if (len < 0)
        return Invalid(std::string("attention_prefill: ") + name + " must be non-decreasing");
      if (len > max_len) {
        return Invalid(
            std::string("attention_prefill: a sequence is longer than the host bound for ") + name +
            " (" + std::to_string(len) + " > " + std::to_string(max_len) + ")");
      }
    }
    if (LoadI32(cu, batch) != total) {
      return Invalid(std::string("attention_prefill: ") + name + "[B] must equal the token count " +
                     std::to_string(total));
    }
    return Status::Ok();
  };
  KT_RETURN_IF_ERROR(check(a.cu_seqlens_q, a.q.shape[0], a.max_seqlen_q, "cu_seqlens_q"));
  return check(a.cu_seqlens_k, a.k.shape[0], a.max_seqlen_k, "cu_seqlens_k");
}

// Rows [row0, row0 + n) of head h of a [T, H, D] tensor, widened into dst[n, D].
void GatherHead(const Tensor& t, int64_t row0, int64_t n, int64_t h, float* dst) {
  const int64_t d = t.shape[2];
  for (int64_t i = 0; i < n; ++i) ToF32(t.at(row0 + i, h), t.dtype, d, dst + i * d);
}

}  // namespace

Status AttentionPrefill(const AttentionPrefillArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kHost));
  const int64_t batch = a.cu_seqlens_q.shape[0] - 1;
  KT_RETURN_IF_ERROR(CheckSeqlens(a, batch));
  const int64_t hq = a.q.shape[1], hk = a.k.shape[1], d = a.q.shape[2], group = hq / hk;
  const float scale = a.scale > 0.0f ? a.scale : 1.0f / std::sqrt(static_cast<float>(d));
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();

  std::vector<float> kh, vh, qh, scores, out(d);
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t q0 = LoadI32(a.cu_seqlens_q, b), lq = LoadI32(a.cu_seqlens_q, b + 1) - q0;
    const int64_t k0 = LoadI32(a.cu_seqlens_k, b), lk = LoadI32(a.cu_seqlens_k, b + 1) - k0;
    if (lq == 0) continue;
    kh.resize(std::max<int64_t>(lk, 1) * d);
    vh.resize(std::max<int64_t>(lk, 1) * d);
    qh.resize(lq * d);
    for (int64_t kvh = 0; kvh < hk; ++kvh) {
      GatherHead(a.k, k0, lk, kvh, kh.data());
      GatherHead(a.v, k0, lk, kvh, vh.data());
      for (int64_t h = kvh * group; h < (kvh + 1) * group; ++h) {
        GatherHead(a.q, q0, lq, h, qh.data());
        for (int64_t r0 = 0; r0 < lq; r0 += kQueryBlockRows) {
          const int64_t nr = std::min(kQueryBlockRows, lq - r0);
          // Visible keys of the whole block: [lo, hi).
          const int64_t p_first = lk - lq + r0, p_last = lk - lq + r0 + nr - 1;
          int64_t hi = a.causal ? std::min(lk, p_last + 1) : lk;
          int64_t lo = a.window_left >= 0 ? std::max<int64_t>(0, p_first - a.window_left) : 0;
          hi = std::max(hi, int64_t{0});
          const int64_t nk = std::max<int64_t>(hi - lo, 0);
          scores.assign(nr * std::max<int64_t>(nk, 1), 0.0f);
          for (int64_t i = 0; i < nr; ++i) {
            const int64_t p = p_first + i;
            const float* qrow = qh.data() + (r0 + i) * d;
            float mx = kNegInf;
            float* srow = scores.data() + i * nk;
            for (int64_t j = 0; j < nk; ++j) {
              const int64_t key = lo + j;
              const bool visible =
                  (!a.causal || key <= p) && (a.window_left < 0 || key >= p - a.window_left);
              srow[j] = visible ? scale * Dot(qrow, kh.data() + key * d, d) : kNegInf;
              mx = std::max(mx, srow[j]);
            }
            std::fill(out.begin(), out.end(), 0.0f);
            if (mx != kNegInf) {
              double sum = 0.0;
              for (int64_t j = 0; j < nk; ++j) {
                srow[j] = srow[j] == kNegInf ? 0.0f : std::exp(srow[j] - mx);
                sum += srow[j];
              }
              const float inv = static_cast<float>(1.0 / sum);
              for (int64_t j = 0; j < nk; ++j) {
                if (srow[j] != 0.0f) Axpy(srow[j] * inv, vh.data() + (lo + j) * d, out.data(), d);
              }
            }
            FromF32(out.data(), d, a.out.dtype, a.out.at(q0 + r0 + i, h));
          }
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace kt::kernels::cpu
