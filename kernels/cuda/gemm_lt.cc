#include "kernels/cuda/gemm_lt.h"

#include <algorithm>
#include <string>

#include "kernels/cuda/cuda_status.h"

namespace kt::kernels::cuda {
namespace {

Result<cudaDataType_t> CudaType(DType d) {
  switch (d) {
    case DType::kF32:
      return CUDA_R_32F;
    case DType::kBF16:
      return CUDA_R_16BF;
    case DType::kF16:
      return CUDA_R_16F;
    default:
      return Unsupported("cuda gemm: dtype " + std::string(DTypeName(d)));
  }
}

int64_t AlignmentBytes(const void* p) {
  const auto v = reinterpret_cast<uintptr_t>(p);
  int64_t a = 256;
  while (a > 1 && (v % static_cast<uintptr_t>(a)) != 0) a /= 2;
  return a;
}

}  // namespace

struct GemmLt::Plan {
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  cublasLtMatmulPreference_t pref = nullptr;
  cublasLtMatmulAlgo_t algo{};
  bool has_bias = false;

  ~Plan() {
    if (pref) cublasLtMatmulPreferenceDestroy(pref);
    if (c) cublasLtMatrixLayoutDestroy(c);
    if (b) cublasLtMatrixLayoutDestroy(b);
    if (a) cublasLtMatrixLayoutDestroy(a);
    if (desc) cublasLtMatmulDescDestroy(desc);
  }
};

Result<std::unique_ptr<GemmLt>> GemmLt::Create(size_t workspace_bytes, int plans_max) {
  std::unique_ptr<GemmLt> g(new GemmLt());
  KT_CUBLAS_RETURN_IF_ERROR(cublasLtCreate(&g->handle_));
  if (workspace_bytes > 0) KT_CUDA_RETURN_IF_ERROR(cudaMalloc(&g->workspace_, workspace_bytes));
  g->workspace_bytes_ = workspace_bytes;
  g->plans_max_ = std::max(1, plans_max);
  return g;
}

GemmLt::~GemmLt() {
  plans_.clear();
  if (workspace_) cudaFree(workspace_);
  if (handle_) cublasLtDestroy(handle_);
}

Status GemmLt::Describe(const GemmArgs& a, Plan* p) {
  KT_ASSIGN_OR_RETURN(cudaDataType_t t, CudaType(a.y.dtype));
  const uint64_t m = a.x.shape[0], n = a.w.shape[0], k = a.w.shape[1];
  KT_CUBLAS_RETURN_IF_ERROR(cublasLtMatmulDescCreate(&p->desc, CUBLAS_COMPUTE_32F, CUDA_R_32F));
  const cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
  KT_CUBLAS_RETURN_IF_ERROR(
      cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof(ta)));
  KT_CUBLAS_RETURN_IF_ERROR(
      cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof(tb)));
  p->has_bias = a.bias.present();
  if (p->has_bias) {
    const cublasLtEpilogue_t epi = CUBLASLT_EPILOGUE_BIAS;
    KT_CUBLAS_RETURN_IF_ERROR(
        cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof(epi)));
    const void* bias = a.bias.data;
    KT_CUBLAS_RETURN_IF_ERROR(cublasLtMatmulDescSetAttribute(
        p->desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)));
  }
  KT_CUBLAS_RETURN_IF_ERROR(cublasLtMatrixLayoutCreate(&p->a, t, k, n, a.w.stride[0]));
  KT_CUBLAS_RETURN_IF_ERROR(cublasLtMatrixLayoutCreate(&p->b, t, k, m, a.x.stride[0]));
  KT_CUBLAS_RETURN_IF_ERROR(cublasLtMatrixLayoutCreate(&p->c, t, n, m, a.y.stride[0]));
  KT_CUBLAS_RETURN_IF_ERROR(cublasLtMatmulPreferenceCreate(&p->pref));
  const uint64_t ws = workspace_bytes_;
  KT_CUBLAS_RETURN_IF_ERROR(cublasLtMatmulPreferenceSetAttribute(
      p->pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof(ws)));
  const uint32_t align_a = AlignmentBytes(a.w.data), align_b = AlignmentBytes(a.x.data),
                 align_c = AlignmentBytes(a.y.data);
  KT_CUBLAS_RETURN_IF_ERROR(cublasLtMatmulPreferenceSetAttribute(
      p->pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, &align_a, sizeof(align_a)));
  KT_CUBLAS_RETURN_IF_ERROR(cublasLtMatmulPreferenceSetAttribute(
      p->pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, &align_b, sizeof(align_b)));
  KT_CUBLAS_RETURN_IF_ERROR(cublasLtMatmulPreferenceSetAttribute(
      p->pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, &align_c, sizeof(align_c)));
  KT_CUBLAS_RETURN_IF_ERROR(cublasLtMatmulPreferenceSetAttribute(
      p->pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, &align_c, sizeof(align_c)));
  return Status::Ok();
}

Status GemmLt::Heuristics(Plan* p, int count, std::vector<cublasLtMatmulHeuristicResult_t>* out) {
  out->resize(count);
  int found = 0;
  KT_CUBLAS_RETURN_IF_ERROR(cublasLtMatmulAlgoGetHeuristic(handle_, p->desc, p->a, p->b, p->c, p->c,
                                                           p->pref, count, out->data(), &found));
  if (found == 0) return Unsupported("cuda gemm: cuBLASLt has no algorithm for this problem");
  out->resize(found);
  return Status::Ok();
}

Result<GemmLt::Plan*> GemmLt::GetPlan(const GemmArgs& a) {
  if (a.x.dtype != a.y.dtype || a.w.dtype != a.y.dtype ||
      (a.bias.present() && a.bias.dtype != a.y.dtype)) {
    return Unsupported("cuda gemm: x, w, y (and bias) must share one dtype, got x " +
                       kernels::Describe(a.x) + ", w " + kernels::Describe(a.w) + ", y " +
                       kernels::Describe(a.y));
  }
  const Key key = {a.x.shape[0],
                   a.w.shape[0],
                   a.w.shape[1],
                   a.x.stride[0],
                   a.w.stride[0],
                   a.y.stride[0],
                   static_cast<int64_t>(a.y.dtype),
                   a.bias.present() ? 1 : 0,
                   a.beta != 0.0f ? 1 : 0,
                   AlignmentBytes(a.x.data),
                   AlignmentBytes(a.w.data),
                   AlignmentBytes(a.y.data)};
  auto it = plans_.find(key);
  if (it != plans_.end()) return it->second.get();
  auto plan = std::make_unique<Plan>();
  KT_RETURN_IF_ERROR(Describe(a, plan.get()));
  std::vector<cublasLtMatmulHeuristicResult_t> results;
  KT_RETURN_IF_ERROR(Heuristics(plan.get(), 1, &results));
  plan->algo = results[0].algo;
  if (static_cast<int>(plans_.size()) >= plans_max_) {
    plans_.erase(order_.front());
    order_.pop_front();
  }
  order_.push_back(key);
  Plan* raw = plan.get();
  plans_.emplace(key, std::move(plan));
  return raw;
}

Status GemmLt::Run(const GemmArgs& a, cudaStream_t stream) {
  if (a.x.shape[0] == 0) return Status::Ok();
  KT_ASSIGN_OR_RETURN(Plan * p, GetPlan(a));
  if (p->has_bias) {
    const void* bias = a.bias.data;
    KT_CUBLAS_RETURN_IF_ERROR(cublasLtMatmulDescSetAttribute(
        p->desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)));
  }
  const float alpha = a.alpha, beta = a.beta;
  KT_CUBLAS_RETURN_IF_ERROR(cublasLtMatmul(handle_, p->desc, &alpha, a.w.data, p->a, a.x.data, p->b,
                                           &beta, a.y.data, p->c, a.y.data, p->c, &p->algo,
                                           workspace_, workspace_bytes_, stream));
  return Status::Ok();
}

Result<std::vector<double>> GemmLt::TimeHeuristicAlgos(const GemmArgs& a, cudaStream_t stream,
                                                       int algos_max, int iters) {
  KT_ASSIGN_OR_RETURN(Plan * p, GetPlan(a));
  std::vector<cublasLtMatmulHeuristicResult_t> results;
  KT_RETURN_IF_ERROR(Heuristics(p, std::max(1, algos_max), &results));
  cudaEvent_t start = nullptr, stop = nullptr;
  KT_CUDA_RETURN_IF_ERROR(cudaEventCreate(&start));
  Status st = [&]() -> Status {
    KT_CUDA_RETURN_IF_ERROR(cudaEventCreate(&stop));
    return Status::Ok();
  }();
  std::vector<double> ms;
  const float alpha = a.alpha, beta = a.beta;
  for (size_t i = 0; i < results.size() && st.ok(); ++i) {
    const cublasLtMatmulAlgo_t* algo = &results[i].algo;
    auto once = [&]() {
      return cublasLtMatmul(handle_, p->desc, &alpha, a.w.data, p->a, a.x.data, p->b, &beta,
                            a.y.data, p->c, a.y.data, p->c, algo, workspace_, workspace_bytes_,
                            stream);
    };
    if (once() != CUBLAS_STATUS_SUCCESS) {  // some ranked algos fail at run time: skip them
      ms.push_back(-1.0);
      continue;
    }
    st = [&]() -> Status {
      KT_CUDA_RETURN_IF_ERROR(cudaEventRecord(start, stream));
      for (int it = 0; it < iters; ++it) KT_CUBLAS_RETURN_IF_ERROR(once());
      KT_CUDA_RETURN_IF_ERROR(cudaEventRecord(stop, stream));
      KT_CUDA_RETURN_IF_ERROR(cudaEventSynchronize(stop));
      float t = 0;
      KT_CUDA_RETURN_IF_ERROR(cudaEventElapsedTime(&t, start, stop));
      ms.push_back(t / std::max(1, iters));
      return Status::Ok();
    }();
  }
  cudaEventDestroy(start);
  if (stop) cudaEventDestroy(stop);
  if (!st.ok()) return st;
  return ms;
}

}  // namespace kt::kernels::cuda
