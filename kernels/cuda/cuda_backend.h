// CudaBackend: the Backend (kernels/backend.h) on one NVIDIA GPU.
//
// Owns one CUDA stream (every op and copy is enqueued on it, in call order), a cuBLASLt
// handle with a workspace allocated once and a plan cache (kernels/cuda/gemm_lt.h), and a
// device scratch area for split-K partial results that grows to the largest need seen (grow it
// before capturing a CUDA graph by running each shape once). Allocate() is cudaMalloc.
//
// Dispatch per op (after the shared Validate()): GEMM with M = 1 and bf16 operands goes to the
// weight-streaming GEMV kernel, everything else to cuBLASLt; prefill attention uses the
// tensor-core kernel for bf16 with head dim 64/96/128 and aligned rows, the portable kernel
// otherwise; combinations no kernel implements return Unsupported (docs/kernels.md has the
// table).
//
// Errors: every CUDA call and launch is checked; a failure is Internal/Unavailable with the CUDA
// error name and string. Not thread-safe (as Backend).
#ifndef KT_KERNELS_CUDA_CUDA_BACKEND_H_
#define KT_KERNELS_CUDA_CUDA_BACKEND_H_

#include <memory>
#include <string>

#include <cuda_runtime_api.h>

#include "base/status.h"
#include "kernels/backend.h"
#include "kernels/registry.h"

namespace kt::kernels::cuda {

class GemmLt;

class CudaBackend final : public Backend {
 public:
  // Unavailable when no device is visible or the driver is missing.
  static Result<std::unique_ptr<CudaBackend>> Create(const BackendOptions& options);
  ~CudaBackend() override;

  std::string_view name() const override { return "cuda"; }
  MemorySpace memory_space() const override { return MemorySpace::kDevice; }

  Status CopyToBackend(void* dst, const void* host_src, size_t bytes) override;
  Status CopyToHost(void* host_dst, const void* src, size_t bytes) override;
  Status Memset(void* dst, int byte_value, size_t bytes) override;
  Status Synchronize() override;

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

  cudaStream_t stream() const { return stream_; }
  int sm_count() const { return sm_count_; }
  // "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs)"
  const std::string& device_description() const { return description_; }
  GemmLt& gemm_lt() { return *gemm_; }

 protected:
  Result<void*> AllocateRaw(size_t bytes) override;
  void FreeRaw(void* p) override;

 private:
  CudaBackend() = default;
  Status EnsureScratch(size_t bytes);

  BackendOptions options_;
  int device_ = 0;
  int sm_count_ = 1;
  int cc_major_ = 0;
  std::string description_;
  cudaStream_t stream_ = nullptr;
  std::unique_ptr<GemmLt> gemm_;
  void* scratch_ = nullptr;
  size_t scratch_bytes_ = 0;
};

// The registry's entry point (kernels/registry.h).
Result<std::unique_ptr<Backend>> CreateCudaBackend(const BackendOptions& options);

}  // namespace kt::kernels::cuda

#endif  // KT_KERNELS_CUDA_CUDA_BACKEND_H_
