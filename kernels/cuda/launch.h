// Internal to kernels/cuda: the host-side launchers of the CUDA kernels (implemented in the
// .cu files), called by CudaBackend after Validate(). Each checks the backend-specific limits
// (dtype combinations, head dims, alignment) and returns Unsupported for what it does not
// implement, enqueues its kernels on `ctx.stream`, and checks every launch.
#ifndef KT_KERNELS_CUDA_LAUNCH_H_
#define KT_KERNELS_CUDA_LAUNCH_H_

#include <cstddef>

#include <cuda_runtime_api.h>

#include "base/status.h"
#include "kernels/ops.h"

namespace kt::kernels::cuda {

struct LaunchContext {
  cudaStream_t stream = nullptr;
  int sm_count = 1;
  int cc_major = 8;
  bool portable = false;  // BackendOptions::force_portable_kernels
  // Device scratch owned by the backend (split-K partials); see ScratchBytes* below.
  void* scratch = nullptr;
  size_t scratch_bytes = 0;
};

// elementwise.cu
Status LaunchRmsNorm(const RmsNormArgs& a, const LaunchContext& ctx);
Status LaunchRope(const RopeArgs& a, const LaunchContext& ctx);
Status LaunchSiluMul(const SiluMulArgs& a, const LaunchContext& ctx);
Status LaunchEmbedding(const EmbeddingArgs& a, const LaunchContext& ctx);
Status LaunchKvAppend(const KvAppendArgs& a, const LaunchContext& ctx);

// gemv.cu: the batch-1 path (larger batches: cuBLASLt). GemvApplies says whether it takes these arguments.
bool GemvApplies(const GemmArgs& a);
Status LaunchGemv(const GemmArgs& a, const LaunchContext& ctx);

// attention_prefill.cu
Status LaunchAttentionPrefill(const AttentionPrefillArgs& a, const LaunchContext& ctx);

// attention_decode.cu. The split-K partial results need ScratchBytesForDecode bytes of scratch.
size_t ScratchBytesForDecode(const AttentionDecodeArgs& a, int sm_count);
Status LaunchAttentionDecode(const AttentionDecodeArgs& a, const LaunchContext& ctx);

// sampling.cu
Status LaunchPenalties(const PenaltiesArgs& a, const LaunchContext& ctx);
Status LaunchSample(const SampleArgs& a, const LaunchContext& ctx);

// lora.cu
Status LaunchLoraBgmv(const LoraBgmvArgs& a, const LaunchContext& ctx);

}  // namespace kt::kernels::cuda

#endif  // KT_KERNELS_CUDA_LAUNCH_H_
