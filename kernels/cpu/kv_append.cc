// CPU KV-cache append into paged blocks (see KvAppendArgs).
#include <cstring>
#include <string>
#include <vector>

#include "kernels/cpu/convert.h"
#include "kernels/cpu/cpu_ops.h"

namespace kt::kernels::cpu {

Status KvAppend(const KvAppendArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kHost));
  const int64_t t = a.k.shape[0], hk = a.k.shape[1], d = a.k.shape[2];
  const int64_t block_size = a.k_cache.shape[1];
  const int64_t slots = a.k_cache.shape[0] * block_size;
  for (int64_t i = 0; i < t; ++i) {
    const int64_t slot = LoadI32(a.slot_mapping, i);
    if (slot >= slots) {
      return Invalid("kv_append: slot_mapping[" + std::to_string(i) +
                     "] = " + std::to_string(slot) + " is past the cache's " +
                     std::to_string(slots) + " slots");
    }
  }
  std::vector<float> row(d);
  for (int64_t i = 0; i < t; ++i) {
    const int64_t slot = LoadI32(a.slot_mapping, i);
    if (slot < 0) continue;
    const int64_t blk = slot / block_size, off = slot % block_size;
    for (int64_t h = 0; h < hk; ++h) {
      for (const auto& [src, dst] : {std::pair{&a.k, &a.k_cache}, std::pair{&a.v, &a.v_cache}}) {
        if (src->dtype == dst->dtype) {
          std::memcpy(dst->at(blk, off, h), src->at(i, h),
                      static_cast<size_t>(d) * DTypeSize(dst->dtype));
        } else {
          ToF32(src->at(i, h), src->dtype, d, row.data());
          FromF32(row.data(), d, dst->dtype, dst->at(blk, off, h));
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace kt::kernels::cpu
