// CPU embedding gather (see EmbeddingArgs).
#include <cstring>
#include <string>
#include <vector>

#include "kernels/cpu/convert.h"
#include "kernels/cpu/cpu_ops.h"

namespace kt::kernels::cpu {

Status Embedding(const EmbeddingArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kHost));
  const int64_t t = a.ids.shape[0], vocab = a.table.shape[0], h = a.table.shape[1];
  for (int64_t i = 0; i < t; ++i) {
    const int32_t id = LoadI32(a.ids, i);
    if (id < 0 || id >= vocab) {
      return Invalid("embedding: ids[" + std::to_string(i) + "] = " + std::to_string(id) +
                     " is outside the vocabulary [0, " + std::to_string(vocab) + ")");
    }
  }
  std::vector<float> row(h);
  for (int64_t i = 0; i < t; ++i) {
    const int32_t id = LoadI32(a.ids, i);
    if (a.table.dtype == a.out.dtype) {
      std::memcpy(a.out.at(i), a.table.at(id), static_cast<size_t>(h) * DTypeSize(a.out.dtype));
    } else {
      ToF32(a.table.at(id), a.table.dtype, h, row.data());
      FromF32(row.data(), h, a.out.dtype, a.out.at(i));
    }
  }
  return Status::Ok();
}

}  // namespace kt::kernels::cpu
