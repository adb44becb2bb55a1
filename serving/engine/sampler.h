// Sampler: picks the next token of every sequence that samples in a step, from the logits the
// backend returned, with the kernels' CPU ops (Penalties, Sample) plus the two steps the ops
// leave to the caller: min_tokens masking and min-p filtering.
//
// Logprobs are those of the model's raw distribution (log_softmax of the logits before
// penalties, temperature or filtering), as vLLM reports by default.
//
// Stateless apart from scratch buffers; not thread-safe.
#ifndef KT_SERVING_ENGINE_SAMPLER_H_
#define KT_SERVING_ENGINE_SAMPLER_H_

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "base/status.h"
#include "serving/engine/model_backend.h"
#include "serving/engine/sequence.h"

namespace kt::serving {

struct SampledToken {
  int32_t token = 0;
  float logprob = 0.0f;                             // when requested
  std::vector<std::pair<int32_t, float>> top;       // top-N (token, logprob), when requested
};

class Sampler {
 public:
  explicit Sampler(int32_t vocab_size);

  // logits: [seqs.size(), vocab] (modified in place). `stop_ids[i]`: ids masked while seqs[i]
  // has fewer than min_tokens generated tokens.
  Status Sample(std::span<float> logits, const std::vector<Sequence*>& seqs,
                const std::vector<std::vector<int32_t>>& stop_ids, std::vector<SampledToken>& out);

  // True when the draw for `seq` is the Sample op alone: no logprobs, no penalties, no min-p,
  // and no stop ids masked by min_tokens; a backend that samples can then draw it.
  static bool DrawOnly(const Sequence& seq, const std::vector<int32_t>& stop_ids);
  // The Sample op's per-row inputs for these sequences.
  static RowSampling Rows(const std::vector<Sequence*>& seqs);

 private:
  int32_t vocab_;
};

}  // namespace kt::serving

#endif  // KT_SERVING_ENGINE_SAMPLER_H_
