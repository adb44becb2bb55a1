// Memory budget: will a model and its KV cache fit in this machine's memory?
//
// Used before allocating anything large (random weights for a preset, loading a checkpoint,
// sizing the KV cache), so a configuration that cannot fit is refused with a message naming
// the numbers instead of being killed by the OOM killer halfway through.
// Thread-safe (reads /proc and cgroup files).
#ifndef KT_SERVING_MODEL_MEMORY_BUDGET_H_
#define KT_SERVING_MODEL_MEMORY_BUDGET_H_

#include <cstdint>
#include <string>

#include "base/status.h"

namespace kt::serving {

// Memory a new allocation can use: MemAvailable from /proc/meminfo, lowered to the cgroup
// v2 limit's headroom (memory.max - memory.current) when one is set.
Result<uint64_t> HostMemoryAvailableBytes();

struct MemoryPlan {
  uint64_t weight_bytes = 0;
  uint64_t kv_cache_bytes = 0;
  uint64_t workspace_bytes = 0;  // activations, logits, adapters
  uint64_t total() const { return weight_bytes + kv_cache_bytes + workspace_bytes; }
};

// OK when plan.total() fits in `available_bytes` with `reserve_fraction` left over;
// otherwise RequestEntityTooLarge-style Invalid naming every term ("what" names the model).
Status CheckMemoryPlan(const MemoryPlan& plan, uint64_t available_bytes, std::string_view what,
                       double reserve_fraction = 0.1);

// "7.64 GiB"
std::string FormatBytes(uint64_t bytes);

}  // namespace kt::serving

#endif  // KT_SERVING_MODEL_MEMORY_BUDGET_H_
