#include "serving/engine/sampling_params.h"

#include <cmath>

namespace kt::serving {

Status SamplingParams::Validate(int32_t vocab_size) const {
  auto bad = [](const std::string& m) { return Invalid(m); };
  if (!std::isfinite(temperature) || temperature < 0) return bad("temperature must be >= 0");
  if (!std::isfinite(top_p) || top_p <= 0 || top_p > 1) return bad("top_p must be in (0, 1]");
  if (!std::isfinite(min_p) || min_p < 0 || min_p > 1) return bad("min_p must be in [0, 1]");
  if (!std::isfinite(repetition_penalty) || repetition_penalty <= 0) {
    return bad("repetition_penalty must be > 0");
  }
  if (!std::isfinite(presence_penalty) || presence_penalty < -2 || presence_penalty > 2) {
    return bad("presence_penalty must be in [-2, 2]");
  }
  if (!std::isfinite(frequency_penalty) || frequency_penalty < -2 || frequency_penalty > 2) {
    return bad("frequency_penalty must be in [-2, 2]");
  }
  if (max_tokens < 1) return bad("max_tokens must be at least 1, got " + std::to_string(max_tokens));
  if (min_tokens < 0) return bad("min_tokens must be >= 0");
  if (min_tokens > max_tokens) return bad("min_tokens must not exceed max_tokens");
  if (logprobs > kLogprobsMax) {
    return bad("logprobs must be at most " + std::to_string(kLogprobsMax));
  }
  if (static_cast<int>(stop.size()) > kStopStringsMax) {
    return bad("at most " + std::to_string(kStopStringsMax) + " stop strings are allowed");
  }
  for (const std::string& s : stop) {
    if (s.empty()) return bad("stop strings must not be empty");
    if (static_cast<int>(s.size()) > kStopStringBytesMax) return bad("stop string too long");
  }
  for (int32_t id : stop_token_ids) {
    if (id < 0 || id >= vocab_size) {
      return bad("stop_token_ids entry " + std::to_string(id) + " is outside the vocabulary");
    }
  }
  return Status::Ok();
}

}  // namespace kt::serving
