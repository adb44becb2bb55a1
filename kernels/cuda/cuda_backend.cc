#include "kernels/cuda/cuda_backend.h"

#include <string>

#include "base/log.h"
#include "kernels/cuda/cuda_status.h"
#include "kernels/cuda/gemm_lt.h"
#include "kernels/cuda/launch.h"

namespace kt::kernels::cuda {

Result<std::unique_ptr<CudaBackend>> CudaBackend::Create(const BackendOptions& options) {
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    cudaGetLastError();  // clear the sticky-free error so later calls start clean
    return Unavailable(std::string("cuda: no usable device: ") + cudaGetErrorName(err) + " (" +
                       cudaGetErrorString(err) + ")");
  }
  if (count == 0) return Unavailable("cuda: no CUDA device is visible");
  if (options.cuda_device < 0 || options.cuda_device >= count) {
    return Invalid("cuda: device " + std::to_string(options.cuda_device) + " of " +
                   std::to_string(count));
  }
  std::unique_ptr<CudaBackend> be(new CudaBackend());
  be->options_ = options;
  be->device_ = options.cuda_device;
  KT_CUDA_RETURN_IF_ERROR(cudaSetDevice(be->device_));
  cudaDeviceProp prop{};
  KT_CUDA_RETURN_IF_ERROR(cudaGetDeviceProperties(&prop, be->device_));
  be->sm_count_ = prop.multiProcessorCount;
  be->cc_major_ = prop.major;
  be->description_ = std::string(prop.name) + " (sm_" + std::to_string(prop.major) +
                     std::to_string(prop.minor) + ", " + std::to_string(prop.multiProcessorCount) +
                     " SMs)";
  if (prop.major < 8) {
    return Unavailable("cuda: " + be->description_ + " is older than sm_80 (Ampere)");
  }
  KT_CUDA_RETURN_IF_ERROR(cudaStreamCreateWithFlags(&be->stream_, cudaStreamNonBlocking));
  KT_ASSIGN_OR_RETURN(
      be->gemm_, GemmLt::Create(options.gemm_workspace_bytes, options.gemm_plan_cache_entries_max));
  return be;
}

CudaBackend::~CudaBackend() {
  if (stream_) cudaStreamSynchronize(stream_);
  gemm_.reset();
  if (scratch_) cudaFree(scratch_);
  if (stream_) cudaStreamDestroy(stream_);
}

Result<void*> CudaBackend::AllocateRaw(size_t bytes) {
  void* p = nullptr;
  KT_CUDA_RETURN_IF_ERROR(cudaMalloc(&p, bytes));
  return p;
}

void CudaBackend::FreeRaw(void* p) {
  // Buffers die in destructors, which cannot return a Status: log instead.
  cudaError_t e = cudaStreamSynchronize(stream_);
  if (e == cudaSuccess) e = cudaFree(p);
  if (e != cudaSuccess) {
    KT_LOG(WARNING) << "cuda: freeing device memory: " << cudaGetErrorName(e) << " ("
                    << cudaGetErrorString(e) << ")";
  }
}

Status CudaBackend::CopyToBackend(void* dst, const void* host_src, size_t bytes) {
  if (bytes == 0) return Status::Ok();
  KT_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(dst, host_src, bytes, cudaMemcpyHostToDevice, stream_));
  // The source may be pageable and reused by the caller right away.
  KT_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream_));
  return Status::Ok();
}

Status CudaBackend::CopyToHost(void* host_dst, const void* src, size_t bytes) {
  if (bytes > 0) {
    KT_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(host_dst, src, bytes, cudaMemcpyDeviceToHost, stream_));
  }
  KT_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream_));
  return Status::Ok();
}

Status CudaBackend::Memset(void* dst, int byte_value, size_t bytes) {
  if (bytes == 0) return Status::Ok();
  KT_CUDA_RETURN_IF_ERROR(cudaMemsetAsync(dst, byte_value, bytes, stream_));
  return Status::Ok();
}

Status CudaBackend::Synchronize() {
  KT_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream_));
  KT_CUDA_RETURN_IF_ERROR(cudaGetLastError());
  return Status::Ok();
}

Status CudaBackend::EnsureScratch(size_t bytes) {
  if (bytes <= scratch_bytes_) return Status::Ok();
  if (scratch_) {
    KT_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream_));
    KT_CUDA_RETURN_IF_ERROR(cudaFree(scratch_));
    scratch_ = nullptr;
    scratch_bytes_ = 0;
  }
  KT_CUDA_RETURN_IF_ERROR(cudaMalloc(&scratch_, bytes));
  scratch_bytes_ = bytes;
  return Status::Ok();
}

namespace {

LaunchContext MakeContext(cudaStream_t stream, int sms, int cc, bool portable, void* scratch,
                          size_t scratch_bytes) {
  LaunchContext c;
  c.stream = stream;
  c.sm_count = sms;
  c.cc_major = cc;
  c.portable = portable;
  c.scratch = scratch;
  c.scratch_bytes = scratch_bytes;
  return c;
}

}  // namespace

#define KT_CUDA_CONTEXT()                                                               \
  MakeContext(stream_, sm_count_, cc_major_, options_.force_portable_kernels, scratch_, \
              scratch_bytes_)

Status CudaBackend::Gemm(const GemmArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kDevice));
  if (a.x.shape[0] == 0) return Status::Ok();
  if (!options_.force_portable_kernels && GemvApplies(a)) return LaunchGemv(a, KT_CUDA_CONTEXT());
  return gemm_->Run(a, stream_);
}

Status CudaBackend::RmsNorm(const RmsNormArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kDevice));
  return LaunchRmsNorm(a, KT_CUDA_CONTEXT());
}

Status CudaBackend::Rope(const RopeArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kDevice));
  return LaunchRope(a, KT_CUDA_CONTEXT());
}

Status CudaBackend::SiluMul(const SiluMulArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kDevice));
  return LaunchSiluMul(a, KT_CUDA_CONTEXT());
}

Status CudaBackend::Embedding(const EmbeddingArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kDevice));
  return LaunchEmbedding(a, KT_CUDA_CONTEXT());
}

Status CudaBackend::AttentionPrefill(const AttentionPrefillArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kDevice));
  return LaunchAttentionPrefill(a, KT_CUDA_CONTEXT());
}

Status CudaBackend::AttentionDecode(const AttentionDecodeArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kDevice));
  KT_RETURN_IF_ERROR(EnsureScratch(ScratchBytesForDecode(a, sm_count_)));
  return LaunchAttentionDecode(a, KT_CUDA_CONTEXT());
}

Status CudaBackend::KvAppend(const KvAppendArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kDevice));
  return LaunchKvAppend(a, KT_CUDA_CONTEXT());
}

Status CudaBackend::Penalties(const PenaltiesArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kDevice));
  return LaunchPenalties(a, KT_CUDA_CONTEXT());
}

Status CudaBackend::Sample(const SampleArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kDevice));
  return LaunchSample(a, KT_CUDA_CONTEXT());
}

Status CudaBackend::LoraBgmv(const LoraBgmvArgs& a) {
  KT_RETURN_IF_ERROR(Validate(a, MemorySpace::kDevice));
  return LaunchLoraBgmv(a, KT_CUDA_CONTEXT());
}

#undef KT_CUDA_CONTEXT

Result<std::unique_ptr<Backend>> CreateCudaBackend(const BackendOptions& options) {
  KT_ASSIGN_OR_RETURN(auto be, CudaBackend::Create(options));
  return std::unique_ptr<Backend>(std::move(be));
}

}  // namespace kt::kernels::cuda
