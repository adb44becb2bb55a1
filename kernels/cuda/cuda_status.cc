#include "kernels/cuda/cuda_status.h"

#include <string>

namespace kt::kernels::cuda {
namespace {

std::string Where(const char* what, const char* file, int line) {
  std::string f(file);
  auto slash = f.rfind('/');
  if (slash != std::string::npos) f = f.substr(slash + 1);
  return std::string(what) + " at " + f + ":" + std::to_string(line);
}

// cublasGetStatusName lives in libcublas, which we do not otherwise link.
const char* CublasStatusName(cublasStatus_t s) {
  switch (s) {
    case CUBLAS_STATUS_SUCCESS:
      return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED:
      return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED:
      return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE:
      return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH:
      return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR:
      return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED:
      return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR:
      return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED:
      return "CUBLAS_STATUS_NOT_SUPPORTED";
    case CUBLAS_STATUS_LICENSE_ERROR:
      return "CUBLAS_STATUS_LICENSE_ERROR";
    default:
      return "CUBLAS_STATUS_UNKNOWN";
  }
}

}  // namespace

Status CudaStatus(cudaError_t err, const char* what, const char* file, int line) {
  std::string msg = "cuda: " + Where(what, file, line) + ": " + cudaGetErrorName(err) + " (" +
                    cudaGetErrorString(err) + ")";
  if (err == cudaErrorNoDevice || err == cudaErrorInsufficientDriver ||
      err == cudaErrorInvalidDevice || err == cudaErrorDevicesUnavailable) {
    return Unavailable(std::move(msg));
  }
  if (err == cudaErrorMemoryAllocation) return Unavailable(std::move(msg));
  return Internal(std::move(msg));
}

Status CublasStatus(cublasStatus_t err, const char* what, const char* file, int line) {
  std::string msg = "cublasLt: " + Where(what, file, line) + ": " + CublasStatusName(err) + " (" +
                    std::to_string(static_cast<int>(err)) + ")";
  if (err == CUBLAS_STATUS_NOT_SUPPORTED) return Unsupported(std::move(msg));
  if (err == CUBLAS_STATUS_ALLOC_FAILED) return Unavailable(std::move(msg));
  return Internal(std::move(msg));
}

}  // namespace kt::kernels::cuda
