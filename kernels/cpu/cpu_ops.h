// The CPU reference of every op in kernels/ops.h, as free functions usable without a Backend
// object (the serving engine's CPU path calls these directly on host memory).
//
// Semantics are exactly those documented in kernels/ops.h and docs/kernels.md. Arithmetic is
// fp32 (sums of squares and softmax denominators in fp64 where noted), inputs of any float
// dtype are widened on load and outputs rounded once on store, so the results are the
// reference the CUDA kernels are held to.
//
// Every function validates its arguments (Invalid on bad shapes/dtypes/indices, including
// out-of-range token ids, slots and block ids, which the CUDA backend cannot report) and is
// single-threaded and deterministic, except that f32 GEMMs run in OpenBLAS, whose thread pool
// is OpenBLAS's own (OPENBLAS_NUM_THREADS, or SetBlasThreads below); OpenBLAS partitions
// GEMMs by output blocks, so results do not depend on the thread count.
//
// Thread-safety: functions may run concurrently on disjoint outputs. They allocate temporary
// host memory proportional to one row / one head / one block of work.
#ifndef KT_KERNELS_CPU_CPU_OPS_H_
#define KT_KERNELS_CPU_CPU_OPS_H_

#include "base/status.h"
#include "kernels/ops.h"

namespace kt::kernels::cpu {

Status Gemm(const GemmArgs& a);
Status RmsNorm(const RmsNormArgs& a);
Status Rope(const RopeArgs& a);
Status SiluMul(const SiluMulArgs& a);
Status Embedding(const EmbeddingArgs& a);
Status AttentionPrefill(const AttentionPrefillArgs& a);
Status AttentionDecode(const AttentionDecodeArgs& a);
Status KvAppend(const KvAppendArgs& a);
Status Penalties(const PenaltiesArgs& a);
Status Sample(const SampleArgs& a);
Status LoraBgmv(const LoraBgmvArgs& a);

// True when f32 GEMMs go through OpenBLAS (found at configure time).
bool HaveBlas();
// Caps OpenBLAS's thread pool (1 = run in the calling thread). No-op without OpenBLAS.
void SetBlasThreads(int threads);

}  // namespace kt::kernels::cpu

#endif  // KT_KERNELS_CPU_CPU_OPS_H_
