// CpuBackend: the Backend (kernels/backend.h) over host memory whose ops are the CPU
// references of kernels/cpu/cpu_ops.h. Allocations are 256-byte aligned host memory; copies
// are memcpy; everything is synchronous. Same thread-safety as Backend.
#ifndef KT_KERNELS_CPU_CPU_BACKEND_H_
#define KT_KERNELS_CPU_CPU_BACKEND_H_

#include "kernels/backend.h"

namespace kt::kernels::cpu {

class CpuBackend final : public Backend {
 public:
  std::string_view name() const override { return "cpu"; }
  MemorySpace memory_space() const override { return MemorySpace::kHost; }

  Status CopyToBackend(void* dst, const void* host_src, size_t bytes) override;
  Status CopyToHost(void* host_dst, const void* src, size_t bytes) override;
  Status Memset(void* dst, int byte_value, size_t bytes) override;
  Status Synchronize() override { return Status::Ok(); }

  Status Gemm(const GemmArgs& a) override;
  Status RmsNorm(const RmsNormArgs& a) override;
  Status Rope(const RopeArgs& a) override;
  Status SiluMul(const SiluMulArgs& a) override;
  Status Embedding(const EmbeddingArgs& a) override;
  Status AttentionPrefill(const AttentionPrefillArgs& a) override;
  Status AttentionDecode(const AttentionDecodeArgs& a) override;
  Status KvAppend(const KvAppendArgs& a) override;
  Status Penalties(const PenaltiesArgs& a) override;
  Status Sample(const SampleArgs& a) override;
  Status LoraBgmv(const LoraBgmvArgs& a) override;

 protected:
  Result<void*> AllocateRaw(size_t bytes) override;
  void FreeRaw(void* p) override;
};

}  // namespace kt::kernels::cpu

#endif  // KT_KERNELS_CPU_CPU_BACKEND_H_
