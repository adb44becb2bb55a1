// CPU repetition / frequency / presence penalties (see PenaltiesArgs).
#include <algorithm>
#include <string>
#include <vector>

#include "kernels/cpu/convert.h"
#include "kernels/cpu/cpu_ops.h"

namespace kt::kernels::cpu {

Status Penalties(const PenaltiesArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kHost));
  const int64_t batch = a.logits.shape[0], vocab = a.logits.shape[1];
  const int64_t n = a.token_ids.shape[0];
  if (LoadI32(a.token_offsets, 0) != 0 || LoadI32(a.token_offsets, batch) != n) {
    return Invalid("penalties: token_offsets must start at 0 and end at the token count " +
                   std::to_string(n));
  }
  std::vector<int32_t> ids;
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t begin = LoadI32(a.token_offsets, b), end = LoadI32(a.token_offsets, b + 1);
    if (end < begin) return Invalid("penalties: token_offsets must be non-decreasing");
    const float rep = *reinterpret_cast<const float*>(a.repetition.at(b));
    if (!(rep > 0.0f)) {
      return Invalid("penalties: repetition[" + std::to_string(b) + "] must be > 0");
    }
    ids.clear();
    for (int64_t i = begin; i < end; ++i) {
      const int32_t id = LoadI32(a.token_ids, i);
      if (id < 0 || id >= vocab) {
        return Invalid("penalties: token id " + std::to_string(id) + " outside the vocabulary");
      }
      if (LoadI32(a.token_counts, i) < 0) return Invalid("penalties: token counts must be >= 0");
      ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
    if (std::adjacent_find(ids.begin(), ids.end()) != ids.end()) {
      return Invalid("penalties: token ids must be distinct within row " + std::to_string(b));
    }
  }
  for (int64_t b = 0; b < batch; ++b) {
    const float rep = *reinterpret_cast<const float*>(a.repetition.at(b));
    const float freq = *reinterpret_cast<const float*>(a.frequency.at(b));
    const float pres = *reinterpret_cast<const float*>(a.presence.at(b));
    for (int64_t i = LoadI32(a.token_offsets, b); i < LoadI32(a.token_offsets, b + 1); ++i) {
      const int32_t id = LoadI32(a.token_ids, i), count = LoadI32(a.token_counts, i);
      float l = LoadF(a.logits, b, id);
      if (rep != 1.0f) l = l > 0.0f ? l / rep : l * rep;
      l -= freq * static_cast<float>(count) + (count > 0 ? pres : 0.0f);
      StoreF32(l, a.logits.dtype, a.logits.at(b, id));
    }
  }
  return Status::Ok();
}

}  // namespace kt::kernels::cpu
