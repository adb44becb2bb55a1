// CPU reference sampling (see SampleArgs and docs/kernels.md "Sampling"). Written for clarity
// (sorts and nth_element) rather than speed; the CUDA kernel reaches the same thresholds by
// radix selection, using the shared integer arithmetic of kernels/sampling_math.h.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "kernels/cpu/convert.h"
#include "kernels/cpu/cpu_ops.h"
#include "kernels/philox.h"
#include "kernels/sampling_math.h"

namespace kt::kernels::cpu {
namespace {

struct RowParams {
  float temperature;
  int32_t top_k;
  float top_p;
  uint64_t seed;
  uint64_t offset;
};

// Token drawn from a row of logits (already validated finite or -inf, with a finite max).
int32_t SampleRow(const std::vector<float>& logits, float max_logit, const RowParams& p) {
  const int64_t vocab = static_cast<int64_t>(logits.size());
  const float zmax = max_logit / p.temperature;
  std::vector<uint32_t> key(vocab), weight(vocab);
  for (int64_t i = 0; i < vocab; ++i) {
    const float z = logits[i] / p.temperature;
    key[i] = OrderedKey(z);
    weight[i] = SampleWeight(std::exp(z - zmax));
  }
  // Top-k: threshold = the k-th largest key (ties at the threshold survive).
  uint32_t threshold = 0;
  if (p.top_k > 0 && p.top_k < vocab) {
    std::vector<uint32_t> sorted = key;
    std::nth_element(sorted.begin(), sorted.begin() + (p.top_k - 1), sorted.end(),
                     std::greater<uint32_t>());
    threshold = sorted[p.top_k - 1];
  }
  // Top-p over the top-k survivors: the largest key t with mass(key >= t) >= need.
  if (p.top_p < 1.0f) {
    uint64_t mass = 0;
    std::vector<int64_t> kept;
    for (int64_t i = 0; i < vocab; ++i) {
      if (key[i] >= threshold) {
        mass += weight[i];
        kept.push_back(i);
      }
    }
    const uint64_t need = TopPNeed(mass, p.top_p);
    std::sort(kept.begin(), kept.end(), [&](int64_t x, int64_t y) { return key[x] > key[y]; });
    uint64_t acc = 0;
    for (size_t j = 0; j < kept.size(); ++j) {
      acc += weight[kept[j]];
      const bool group_end = j + 1 == kept.size() || key[kept[j + 1]] != key[kept[j]];
      if (group_end && acc >= need) {
        threshold = key[kept[j]];
        break;
      }
    }
  }
  uint64_t mass = 0;
  for (int64_t i = 0; i < vocab; ++i) {
    if (key[i] >= threshold) mass += weight[i];
  }
  const uint64_t target = SampleTarget(mass, PhiloxDraw(p.seed, p.offset));
  uint64_t acc = 0;
  for (int64_t i = 0; i < vocab; ++i) {
    if (key[i] < threshold) continue;
    acc += weight[i];
    if (acc > target) return static_cast<int32_t>(i);
  }
  KT_UNREACHABLE() << "sampling walked past the vocabulary";
  return 0;
}

}  // namespace

Status Sample(const SampleArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kHost));
  const int64_t batch = a.logits.shape[0], vocab = a.logits.shape[1];
  std::vector<float> row(vocab);
  std::vector<int32_t> order;
  for (int64_t b = 0; b < batch; ++b) {
    RowParams p;
    p.temperature = *reinterpret_cast<const float*>(a.temperature.at(b));
    p.top_k = LoadI32(a.top_k, b);
    p.top_p = *reinterpret_cast<const float*>(a.top_p.at(b));
    p.seed = static_cast<uint64_t>(LoadI64(a.seed, b));
    p.offset = static_cast<uint64_t>(LoadI64(a.offset, b));
    if (!(p.top_p > 0.0f && p.top_p <= 1.0f)) {
      return Invalid("sample: top_p[" + std::to_string(b) + "] must be in (0, 1]");
    }
    if (std::isnan(p.temperature)) return Invalid("sample: temperature is NaN");

    ToF32(a.logits.at(b), a.logits.dtype, vocab, row.data());
    float mx = -INFINITY;
    int32_t argmax = 0;
    for (int64_t i = 0; i < vocab; ++i) {
      if (std::isnan(row[i]) || row[i] == INFINITY) {
        return Invalid("sample: logits[" + std::to_string(b) + "][" + std::to_string(i) +
                       "] is NaN or +inf");
      }
      if (row[i] > mx) {
        mx = row[i];
        argmax = static_cast<int32_t>(i);
      }
    }
    if (mx == -INFINITY)
      return Invalid("sample: row " + std::to_string(b) + " has no finite logit");
    double sum = 0.0;
    for (int64_t i = 0; i < vocab; ++i) sum += std::exp(static_cast<double>(row[i]) - mx);
    const float lse = mx + static_cast<float>(std::log(sum));

    const bool greedy = p.temperature < SampleArgs::kGreedyTemperatureBelow;
    if (!greedy && !std::isfinite(mx / p.temperature)) {
      return Invalid("sample: temperature " + std::to_string(p.temperature) +
                     " overflows the logits of row " + std::to_string(b));
    }
    const int32_t token = greedy ? argmax : SampleRow(row, mx, p);
    *reinterpret_cast<int32_t*>(a.out_tokens.at(b)) = token;
    if (a.out_logprobs.present()) {
      *reinterpret_cast<float*>(a.out_logprobs.at(b)) = row[token] - lse;
    }
    if (a.top_logprobs > 0) {
      order.resize(vocab);
      std::iota(order.begin(), order.end(), 0);
      std::partial_sort(
          order.begin(), order.begin() + a.top_logprobs, order.end(),
          [&](int32_t x, int32_t y) { return row[x] > row[y] || (row[x] == row[y] && x < y); });
      for (int j = 0; j < a.top_logprobs; ++j) {
        *reinterpret_cast<int32_t*>(a.out_top_tokens.at(b, j)) = order[j];
        *reinterpret_cast<float*>(a.out_top_logprobs.at(b, j)) = row[order[j]] - lse;
      }
    }
  }
  return Status::Ok();
}

}  // namespace kt::kernels::cpu
