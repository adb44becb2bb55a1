// GemmLt: GEMMs through cuBLASLt with one plan per distinct problem, cached.
//
// A plan is the matmul descriptor, the three matrix layouts and the algorithm cuBLASLt's
// heuristic ranks first for this (M, N, K, dtypes, leading dims, pointer alignment, bias,
// beta != 0). The heuristic is queried once per plan; the workspace is allocated once at
// creation. At most `plans_max` plans are kept (the oldest is dropped past it).
//
// Mapping: our row-major y[M,N] = x[M,K] . w[N,K]^T is cuBLAS's column-major
// D[N,M] = op(A)[N,K] . B[K,M] with A = w (K x N, ld = w's row stride, transposed),
// B = x (K x M, ld = x's row stride), D = y (N x M, ld = y's row stride) — the "TN" layout.
// The bias epilogue adds bias[N] along D's rows, i.e. to every row of y.
//
// Not thread-safe (one per backend, used on the backend's stream).
#ifndef KT_KERNELS_CUDA_GEMM_LT_H_
#define KT_KERNELS_CUDA_GEMM_LT_H_

#include <array>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <vector>

#include <cublasLt.h>
#include <cuda_runtime_api.h>

#include "base/status.h"
#include "kernels/ops.h"

namespace kt::kernels::cuda {

class GemmLt {
 public:
  static Result<std::unique_ptr<GemmLt>> Create(size_t workspace_bytes, int plans_max);
  ~GemmLt();
  GemmLt(const GemmLt&) = delete;
  GemmLt& operator=(const GemmLt&) = delete;

  // REQUIRES: Validate(a, kDevice) passed. Unsupported for dtype mixes cuBLASLt lacks here
  // (x, w, y must share one of f32/bf16/f16; bias, if present, the same dtype).
  Status Run(const GemmArgs& a, cudaStream_t stream);

  // For benchmarks: milliseconds per call of each of the first `algos_max` algorithms the
  // heuristic returns for these arguments (index 0 is what Run uses), timed over `iters`
  // back-to-back calls each with CUDA events. Overwrites a.y.
  Result<std::vector<double>> TimeHeuristicAlgos(const GemmArgs& a, cudaStream_t stream,
                                                 int algos_max, int iters);

  size_t plans() const { return plans_.size(); }

 private:
  using Key = std::array<int64_t, 12>;
  struct Plan;

  GemmLt() = default;
  Result<Plan*> GetPlan(const GemmArgs& a);
  Status Describe(const GemmArgs& a, Plan* plan);
  Status Heuristics(Plan* plan, int count, std::vector<cublasLtMatmulHeuristicResult_t>* out);

  cublasLtHandle_t handle_ = nullptr;
  void* workspace_ = nullptr;
  size_t workspace_bytes_ = 0;
  int plans_max_ = 0;
  std::map<Key, std::unique_ptr<Plan>> plans_;
  std::deque<Key> order_;  // insertion order, for eviction
};

}  // namespace kt::kernels::cuda

#endif  // KT_KERNELS_CUDA_GEMM_LT_H_
