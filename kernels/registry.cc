#include "kernels/registry.h"

#include "kernels/cpu/cpu_backend.h"
#if KT_KERNELS_HAVE_CUDA
#include "kernels/cuda/cuda_backend.h"
#endif

namespace kt::kernels {

std::string_view BackendKindName(BackendKind kind) {
  switch (kind) {
    case BackendKind::kCpu:
      return "cpu";
    case BackendKind::kCuda:
      return "cuda";
  }
  return "?";
}

Result<BackendKind> ParseBackendKind(std::string_view name) {
  if (name == "cpu") return BackendKind::kCpu;
  if (name == "cuda") return BackendKind::kCuda;
  return Invalid("unknown kernel backend \"" + std::string(name) + "\" (want cpu or cuda)");
}

bool CudaCompiledIn() { return KT_KERNELS_HAVE_CUDA != 0; }

Result<std::unique_ptr<Backend>> CreateBackend(BackendKind kind, const BackendOptions& options) {
  switch (kind) {
    case BackendKind::kCpu:
      return std::unique_ptr<Backend>(std::make_unique<cpu::CpuBackend>());
    case BackendKind::kCuda:
#if KT_KERNELS_HAVE_CUDA
      return cuda::CreateCudaBackend(options);
#else
      return Unavailable("the CUDA kernel backend is not built (no nvcc at configure time)");
#endif
  }
  return Invalid("unknown backend kind");
}

}  // namespace kt::kernels
