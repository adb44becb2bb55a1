// The backend registry: creates a backend of the op set by kind.
//
//   KT_ASSIGN_OR_RETURN(auto backend, CreateBackend(BackendKind::kCuda));
//
// kCpu always works. kCuda answers Unavailable when the build has no CUDA (nvcc was not
// found), when no device is visible, or when the driver is missing; the message carries the
// CUDA error string. Thread-safe.
#ifndef KT_KERNELS_REGISTRY_H_
#define KT_KERNELS_REGISTRY_H_

#include <cstddef>
#include <memory>
#include <string_view>

#include "base/status.h"
#include "kernels/backend.h"

namespace kt::kernels {

enum class BackendKind : uint8_t { kCpu = 0, kCuda = 1 };

std::string_view BackendKindName(BackendKind kind);  // "cpu", "cuda"
Result<BackendKind> ParseBackendKind(std::string_view name);

struct BackendOptions {
  int cuda_device = 0;
  // cuBLASLt workspace, allocated once when the backend is created.
  size_t gemm_workspace_bytes = size_t{32} << 20;
  // Bound on cached GEMM plans (one per distinct shape/dtype/stride combination); the oldest
  // plan is dropped past it.
  int gemm_plan_cache_entries_max = 4096;
  // Use the simple, portable CUDA kernels instead of the tuned ones (attention without tensor
  // cores, GEMM without the batch-1 GEMV
  // path, RoPE one pair per thread). For tests and for bisecting a kernel bug.
  bool force_portable_kernels = false;
};

// True when this binary was built with the CUDA backend.
bool CudaCompiledIn();

Result<std::unique_ptr<Backend>> CreateBackend(BackendKind kind,
                                               const BackendOptions& options = {});

}  // namespace kt::kernels

#endif  // KT_KERNELS_REGISTRY_H_
