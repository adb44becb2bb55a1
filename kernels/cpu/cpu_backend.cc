#include "kernels/cpu/cpu_backend.h"

#include <cstdlib>
#include <cstring>
#include <string>

#include "kernels/cpu/cpu_ops.h"

namespace kt::kernels::cpu {

Result<void*> CpuBackend::AllocateRaw(size_t bytes) {
  constexpr size_t kAlign = 256;
  void* p = std::aligned_alloc(kAlign, (bytes + kAlign - 1) / kAlign * kAlign);
  if (p == nullptr) {
    return Status(StatusCode::kUnavailable,
                  "cpu backend: out of host memory allocating " + std::to_string(bytes) + " bytes");
  }
  return p;
}

void CpuBackend::FreeRaw(void* p) { std::free(p); }

Status CpuBackend::CopyToBackend(void* dst, const void* host_src, size_t bytes) {
  if (bytes) std::memcpy(dst, host_src, bytes);
  return Status::Ok();
}

Status CpuBackend::CopyToHost(void* host_dst, const void* src, size_t bytes) {
  if (bytes) std::memcpy(host_dst, src, bytes);
  return Status::Ok();
}

Status CpuBackend::Memset(void* dst, int byte_value, size_t bytes) {
  if (bytes) std::memset(dst, byte_value, bytes);
  return Status::Ok();
}

Status CpuBackend::Gemm(const GemmArgs& a) { return cpu::Gemm(a); }
Status CpuBackend::RmsNorm(const RmsNormArgs& a) { return cpu::RmsNorm(a); }
Status CpuBackend::Rope(const RopeArgs& a) { return cpu::Rope(a); }
Status CpuBackend::SiluMul(const SiluMulArgs& a) { return cpu::SiluMul(a); }
Status CpuBackend::Embedding(const EmbeddingArgs& a) { return cpu::Embedding(a); }
Status CpuBackend::AttentionPrefill(const AttentionPrefillArgs& a) {
  return cpu::AttentionPrefill(a);
}
Status CpuBackend::AttentionDecode(const AttentionDecodeArgs& a) { return cpu::AttentionDecode(a); }
Status CpuBackend::KvAppend(const KvAppendArgs& a) { return cpu::KvAppend(a); }
Status CpuBackend::Penalties(const PenaltiesArgs& a) { return cpu::Penalties(a); }
Status CpuBackend::Sample(const SampleArgs& a) { return cpu::Sample(a); }
Status CpuBackend::LoraBgmv(const LoraBgmvArgs& a) { return cpu::LoraBgmv(a); }

}  // namespace kt::kernels::cpu
