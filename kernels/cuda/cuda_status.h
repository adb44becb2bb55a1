// CUDA / cuBLASLt error codes as Status values. Every runtime call, library call and kernel
// launch in kernels/cuda goes through one of these macros, so a failure reaches the caller as
// Internal (or Unavailable for "no device / no driver") with the CUDA error name and string and
// the call site.
#ifndef KT_KERNELS_CUDA_CUDA_STATUS_H_
#define KT_KERNELS_CUDA_CUDA_STATUS_H_

#include <cublasLt.h>
#include <cuda_runtime_api.h>

#include "base/status.h"
#include "kernels/tensor.h"

namespace kt::kernels::cuda {

Status CudaStatus(cudaError_t err, const char* what, const char* file, int line);
Status CublasStatus(cublasStatus_t err, const char* what, const char* file, int line);

}  // namespace kt::kernels::cuda

#define KT_CUDA_RETURN_IF_ERROR(call)                                                  \
  do {                                                                                 \
    cudaError_t kt_cuda_err_ = (call);                                                 \
    if (kt_cuda_err_ != cudaSuccess)                                                   \
      return ::kt::kernels::cuda::CudaStatus(kt_cuda_err_, #call, __FILE__, __LINE__); \
  } while (0)

// After a <<<...>>> launch: configuration errors (too much shared memory, bad grid) are
// reported by cudaGetLastError without synchronising.
#define KT_CUDA_RETURN_IF_LAUNCH_ERROR(kernel_name)                                         \
  do {                                                                                      \
    cudaError_t kt_cuda_err_ = cudaGetLastError();                                          \
    if (kt_cuda_err_ != cudaSuccess)                                                        \
      return ::kt::kernels::cuda::CudaStatus(kt_cuda_err_, "launch " kernel_name, __FILE__, \
                                             __LINE__);                                     \
  } while (0)

#define KT_CUBLAS_RETURN_IF_ERROR(call)                                                    \
  do {                                                                                     \
    cublasStatus_t kt_cublas_err_ = (call);                                                \
    if (kt_cublas_err_ != CUBLAS_STATUS_SUCCESS)                                           \
      return ::kt::kernels::cuda::CublasStatus(kt_cublas_err_, #call, __FILE__, __LINE__); \
  } while (0)

#endif  // KT_KERNELS_CUDA_CUDA_STATUS_H_
