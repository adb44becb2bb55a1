// CPU reference sampling (see SampleArgs and docs/kernels.md "Sampling"). Written for clarity
// (sorts and nth_element) rather than speed; the CUDA kernel reaches the same thresholds by
// radix selection, using the shared integer arithmetic of kernels/sampling_math.h.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "kernels/cpu/convert.h"
#include "kernels/cpu/cpu_ops.h"
#include "kernels/philox.h"
#include "kernels/sampling_math.h"

namespace kt::kernels::cpu {
namespace {

// Buffers reused across the rows of a batch.
struct SampleScratch {
  std::vector<uint32_t> key, sorted;
  std::vector<int64_t> kept;
  std::vector<uint64_t> weight;
  std::vector<int64_t> order;
};

struct RowParams {
  float temperature;
  int32_t top_k;
  float top_p;
  uint64_t seed;
  uint64_t offset;
};

// Token drawn from a row of logits (already validated finite or -inf, with a finite max).
// Weights (an exp each) are computed only for the tokens that survive top-k.
int32_t SampleRow(std::span<const float> logits, float max_logit, const RowParams& p,
                  SampleScratch& s) {
  const int64_t vocab = static_cast<int64_t>(logits.size());
  const float zmax = max_logit / p.temperature;
  s.key.resize(static_cast<size_t>(vocab));
  for (int64_t i = 0; i < vocab; ++i) s.key[i] = OrderedKey(logits[i] / p.temperature);
  // Top-k: threshold = the k-th largest key (ties at the threshold survive).
  uint32_t threshold = 0;
  if (p.top_k > 0 && p.top_k < vocab) {
    s.sorted = s.key;
    std::nth_element(s.sorted.begin(), s.sorted.begin() + (p.top_k - 1), s.sorted.end(),
                     std::greater<uint32_t>());
    threshold = s.sorted[p.top_k - 1];
  }
  s.kept.clear();
  s.weight.clear();
  uint64_t mass = 0;
  for (int64_t i = 0; i < vocab; ++i) {
    if (s.key[i] < threshold) continue;
    s.kept.push_back(i);
    s.weight.push_back(SampleWeight(std::exp(logits[i] / p.temperature - zmax)));
    mass += s.weight.back();
  }
  // Top-p over the top-k survivors: the largest key t with mass(key >= t) >= need.
  if (p.top_p < 1.0f) {
    const uint64_t need = TopPNeed(mass, p.top_p);
    s.order.resize(s.kept.size());
    std::iota(s.order.begin(), s.order.end(), 0);
    std::sort(s.order.begin(), s.order.end(),
              [&](int64_t x, int64_t y) { return s.key[s.kept[x]] > s.key[s.kept[y]]; });
    uint64_t acc = 0;
    for (size_t j = 0; j < s.order.size(); ++j) {
      acc += s.weight[s.order[j]];
      const uint32_t k = s.key[s.kept[s.order[j]]];
      const bool group_end = j + 1 == s.order.size() || s.key[s.kept[s.order[j + 1]]] != k;
      if (group_end && acc >= need) {
        threshold = k;
        break;
      }
    }
    mass = 0;
    for (size_t j = 0; j < s.kept.size(); ++j) {
      if (s.key[s.kept[j]] >= threshold) mass += s.weight[j];
    }
  }
  const uint64_t target = SampleTarget(mass, PhiloxDraw(p.seed, p.offset));
  uint64_t acc = 0;
  for (size_t j = 0; j < s.kept.size(); ++j) {
    if (s.key[s.kept[j]] < threshold) continue;
    acc += s.weight[j];
    if (acc > target) return static_cast<int32_t>(s.kept[j]);
  }
  KT_UNREACHABLE() << "sampling walked past the vocabulary";
  return 0;
}

}  // namespace

Status Sample(const SampleArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kHost));
  const int64_t batch = a.logits.shape[0], vocab = a.logits.shape[1];
  std::vector<float> converted;
  std::vector<int32_t> order;
  SampleScratch scratch;
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

    // float32 rows are read in place; others converted first.
    std::span<const float> row;
    if (a.logits.dtype == DType::kF32) {
      row = {reinterpret_cast<const float*>(a.logits.at(b)), static_cast<size_t>(vocab)};
    } else {
      converted.resize(static_cast<size_t>(vocab));
      ToF32(a.logits.at(b), a.logits.dtype, vocab, converted.data());
      row = converted;
    }
    // The max over independent lanes (no loop-carried compare chain), then its first index.
    constexpr int kLanes = 16;
    float lane_max[kLanes];
    bool bad = false;  // NaN or +inf
    std::fill(std::begin(lane_max), std::end(lane_max), -INFINITY);
    int64_t i = 0;
    for (; i + kLanes <= vocab; i += kLanes) {
      for (int l = 0; l < kLanes; ++l) {
        const float v = row[i + l];
        bad |= !(v < INFINITY);
        lane_max[l] = v > lane_max[l] ? v : lane_max[l];
      }
    }
    for (; i < vocab; ++i) {
      bad |= !(row[i] < INFINITY);
      lane_max[0] = row[i] > lane_max[0] ? row[i] : lane_max[0];
    }
    if (bad) {
      const auto it = std::find_if(row.begin(), row.end(), [](float v) { return !(v < INFINITY); });
      return Invalid("sample: logits[" + std::to_string(b) + "][" +
                     std::to_string(it - row.begin()) + "] is NaN or +inf");
    }
    const float mx = *std::max_element(std::begin(lane_max), std::end(lane_max));
    const int32_t argmax = static_cast<int32_t>(std::find(row.begin(), row.end(), mx) - row.begin());
    if (mx == -INFINITY)
      return Invalid("sample: row " + std::to_string(b) + " has no finite logit");
    const bool greedy = p.temperature < SampleArgs::kGreedyTemperatureBelow;
    if (!greedy && !std::isfinite(mx / p.temperature)) {
      return Invalid("sample: temperature " + std::to_string(p.temperature) +
                     " overflows the logits of row " + std::to_string(b));
    }
    const int32_t token = greedy ? argmax : SampleRow(row, mx, p, scratch);
    *reinterpret_cast<int32_t*>(a.out_tokens.at(b)) = token;
    if (!a.out_logprobs.present() && a.top_logprobs == 0) continue;
    double sum = 0.0;
    for (int64_t i = 0; i < vocab; ++i) sum += std::exp(static_cast<double>(row[i]) - mx);
    const float lse = mx + static_cast<float>(std::log(sum));
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
