#include "serving/engine/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "kernels/cpu/cpu_ops.h"

namespace kt::serving {

namespace k = kernels;

namespace {

// log_softmax of one row, in double.
void Logprobs(const float* row, int32_t vocab, int32_t token, int top_n, SampledToken& out) {
  double mx = -std::numeric_limits<double>::infinity();
  for (int32_t i = 0; i < vocab; ++i) mx = std::max(mx, static_cast<double>(row[i]));
  double sum = 0;
  for (int32_t i = 0; i < vocab; ++i) sum += std::exp(static_cast<double>(row[i]) - mx);
  const double lse = mx + std::log(sum);
  out.logprob = static_cast<float>(row[token] - lse);
  if (top_n <= 0) return;
  std::vector<int32_t> idx(static_cast<size_t>(vocab));
  std::iota(idx.begin(), idx.end(), 0);
  const int n = std::min(top_n, vocab);
  std::partial_sort(idx.begin(), idx.begin() + n, idx.end(), [&](int32_t a, int32_t b) {
    return row[a] != row[b] ? row[a] > row[b] : a < b;
  });
  for (int i = 0; i < n; ++i) {
    out.top.emplace_back(idx[i], static_cast<float>(row[idx[i]] - lse));
  }
}

}  // namespace

Sampler::Sampler(int32_t vocab_size) : vocab_(vocab_size) {}

bool Sampler::DrawOnly(const Sequence& seq, const std::vector<int32_t>& stop_ids) {
  const SamplingParams& p = seq.params;
  const bool greedy = p.temperature < k::SampleArgs::kGreedyTemperatureBelow;
  return p.logprobs < 0 && p.repetition_penalty == 1.0f && p.frequency_penalty == 0.0f &&
         p.presence_penalty == 0.0f && (p.min_p <= 0.0f || greedy) &&
         (stop_ids.empty() || seq.num_generated() >= p.min_tokens);
}

RowSampling Sampler::Rows(const std::vector<Sequence*>& seqs) {
  RowSampling r;
  for (const Sequence* s : seqs) {
    r.temperature.push_back(s->params.temperature);
    r.top_k.push_back(s->params.top_k);
    r.top_p.push_back(s->params.top_p);
    r.seed.push_back(static_cast<int64_t>(s->seed));
    r.offset.push_back(s->num_generated());
  }
  return r;
}

Status Sampler::Sample(std::span<float> logits, const std::vector<Sequence*>& seqs,
                       const std::vector<std::vector<int32_t>>& stop_ids,
                       std::vector<SampledToken>& out) {
  const int32_t B = static_cast<int32_t>(seqs.size());
  const int64_t V = vocab_;
  out.assign(static_cast<size_t>(B), SampledToken{});
  if (B == 0) return Status::Ok();
  // Raw logprobs first, for the sequences that asked (token filled in after sampling).
  std::vector<std::vector<float>> raw(static_cast<size_t>(B));
  for (int32_t b = 0; b < B; ++b) {
    if (seqs[b]->params.logprobs >= 0) {
      raw[b].assign(logits.begin() + b * V, logits.begin() + (b + 1) * V);
    }
  }
  // min_tokens: stop tokens are impossible until enough tokens were generated.
  for (int32_t b = 0; b < B; ++b) {
    if (seqs[b]->num_generated() < seqs[b]->params.min_tokens) {
      for (int32_t id : stop_ids[b]) {
        if (id >= 0 && id < V) logits[b * V + id] = -std::numeric_limits<float>::infinity();
      }
    }
  }
  // Penalties: every prompt and output token, with its output count.
  std::vector<int32_t> offsets{0}, ids, counts;
  std::vector<float> rep(B), freq(B), pres(B);
  bool any_penalty = false;
  for (int32_t b = 0; b < B; ++b) {
    const Sequence& s = *seqs[b];
    rep[b] = s.params.repetition_penalty;
    freq[b] = s.params.frequency_penalty;
    pres[b] = s.params.presence_penalty;
    bool penalize = rep[b] != 1.0f || freq[b] != 0.0f || pres[b] != 0.0f;
    any_penalty = any_penalty || penalize;
    if (penalize) {
      std::map<int32_t, int32_t> all;
      for (int32_t i = 0; i < s.prompt_len; ++i) all.emplace(s.tokens[i], 0);
      for (const auto& [tok, n] : s.output_counts) all[tok] = n;
      for (const auto& [tok, n] : all) {
        if (tok < 0 || tok >= V) continue;
        ids.push_back(tok);
        counts.push_back(n);
      }
    }
    offsets.push_back(static_cast<int32_t>(ids.size()));
  }
  if (any_penalty) {
    int32_t n = static_cast<int32_t>(ids.size());
    k::PenaltiesArgs p;
    p.logits = k::MakeTensor(logits.data(), k::DType::kF32, {B, V});
    p.token_offsets = k::MakeTensor(offsets.data(), k::DType::kI32, {B + 1});
    p.token_ids = k::MakeTensor(ids.data(), k::DType::kI32, {n});
    p.token_counts = k::MakeTensor(counts.data(), k::DType::kI32, {n});
    p.repetition = k::MakeTensor(rep.data(), k::DType::kF32, {B});
    p.frequency = k::MakeTensor(freq.data(), k::DType::kF32, {B});
    p.presence = k::MakeTensor(pres.data(), k::DType::kF32, {B});
    KT_RETURN_IF_ERROR(k::cpu::Penalties(p));
  }
  // min-p: keep tokens with p >= min_p * p_max, i.e. logit >= max + T * ln(min_p).
  for (int32_t b = 0; b < B; ++b) {
    const SamplingParams& sp = seqs[b]->params;
    if (sp.min_p <= 0.0f || sp.temperature < k::SampleArgs::kGreedyTemperatureBelow) continue;
    float* row = logits.data() + b * V;
    float mx = *std::max_element(row, row + V);
    float cut = mx + sp.temperature * std::log(sp.min_p);
    for (int64_t i = 0; i < V; ++i) {
      if (row[i] < cut) row[i] = -std::numeric_limits<float>::infinity();
    }
  }
  RowSampling rows = Rows(seqs);
  std::vector<int32_t> tokens(B);
  k::SampleArgs a;
  a.logits = k::MakeTensor(logits.data(), k::DType::kF32, {B, V});
  a.temperature = k::MakeTensor(rows.temperature.data(), k::DType::kF32, {B});
  a.top_k = k::MakeTensor(rows.top_k.data(), k::DType::kI32, {B});
  a.top_p = k::MakeTensor(rows.top_p.data(), k::DType::kF32, {B});
  a.seed = k::MakeTensor(rows.seed.data(), k::DType::kI64, {B});
  a.offset = k::MakeTensor(rows.offset.data(), k::DType::kI64, {B});
  a.out_tokens = k::MakeTensor(tokens.data(), k::DType::kI32, {B});
  KT_RETURN_IF_ERROR(k::cpu::Sample(a));
  for (int32_t b = 0; b < B; ++b) {
    out[b].token = tokens[b];
    if (!raw[b].empty()) {
      Logprobs(raw[b].data(), vocab_, tokens[b], seqs[b]->params.logprobs, out[b]);
    }
  }
  return Status::Ok();
}

}  // namespace kt::serving
