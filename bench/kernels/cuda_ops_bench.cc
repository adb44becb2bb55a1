// CUDA kernels against the H100 roofline (bench/kernels/roofline_h100.json). Every case reports
// achieved TB/s or TFLOP/s and its fraction of the roofline, timed with CUDA events over
// back-to-back launches (manual time). Weights are rotated over enough copies that L2 (50 MB on
// H100) cannot hold them, as the anchor measurements did. Without a device every case skips
// with the CUDA error.
//   build-*/bench/kernels_cuda_bench --benchmark_counters_tabular=true
// Counters: TBps / frac_copy (bytes moved / time, / anchor copy bandwidth), TFLOPs / frac_gemm
// (/ anchor cuBLAS bf16 peak), frac_lt_best (our time vs the best of cuBLASLt's top
// heuristic algorithms), us (per call).
#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <cuda_runtime_api.h>

#include "base/random.h"
#include "bench/kernels/roofline.h"
#include "kernels/cpu/convert.h"
#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/gemm_lt.h"
#include "kernels/registry.h"

namespace kt::kernels::bench {
namespace {

constexpr int64_t kRotationBytesMin = int64_t{256} << 20;  // > 5x the H100's L2

struct Gpu {
  std::unique_ptr<Backend> owned;
  cuda::CudaBackend* be = nullptr;
  std::unique_ptr<Backend> portable_owned;  // cuBLASLt for every GEMM, portable attention
  cuda::CudaBackend* portable = nullptr;    // portable_owned; its own stream
  std::string error;
};

Gpu& GetGpu() {
  static Gpu g = [] {
    Gpu out;
    auto be = CreateBackend(BackendKind::kCuda);
    if (!be.ok()) {
      out.error = "no CUDA device: " + be.status().ToString();
      return out;
    }
    out.owned = std::move(*be);
    out.be = static_cast<cuda::CudaBackend*>(out.owned.get());
    BackendOptions portable;
    portable.force_portable_kernels = true;
    auto pb = CreateBackend(BackendKind::kCuda, portable);
    if (pb.ok()) {
      out.portable_owned = std::move(*pb);
      out.portable = static_cast<cuda::CudaBackend*>(out.portable_owned.get());
    }
    std::fprintf(stderr, "device: %s\n", out.be->device_description().c_str());
    return out;
  }();
  return g;
}

// Device memory of `elems` random values (normal * stddev) of dtype d.
Buffer RandomBuffer(Backend& be, DType d, int64_t elems, float stddev, uint64_t seed) {
  auto buf = be.Allocate(static_cast<size_t>(elems) * DTypeSize(d));
  KT_CHECK(buf.ok()) << buf.status().ToString();
  constexpr int64_t kChunk = int64_t{1} << 22;
  std::vector<float> f(std::min(elems, kChunk));
  std::vector<unsigned char> bytes(f.size() * DTypeSize(d));
  Rng rng(seed);
  for (auto& v : f) v = static_cast<float>(rng.Normal(0.0, stddev));
  cpu::FromF32(f.data(), static_cast<int64_t>(f.size()), d, bytes.data());
  for (int64_t off = 0; off < elems; off += kChunk) {  // the same random chunk, repeated
    const int64_t n = std::min(kChunk, elems - off);
    KT_CHECK(be.CopyToBackend(static_cast<char*>(buf->data()) + off * DTypeSize(d), bytes.data(),
                              n * DTypeSize(d))
                 .ok());
  }
  return std::move(*buf);
}

Buffer I32Buffer(Backend& be, const std::vector<int32_t>& v) {
  auto buf = be.Allocate(v.size() * 4);
  KT_CHECK(buf.ok());
  KT_CHECK(be.CopyToBackend(buf->data(), v.data(), v.size() * 4).ok());
  return std::move(*buf);
}

template <typename T>
Buffer TypedBuffer(Backend& be, const std::vector<T>& v) {
  auto buf = be.Allocate(v.size() * sizeof(T));
  KT_CHECK(buf.ok());
  KT_CHECK(be.CopyToBackend(buf->data(), v.data(), v.size() * sizeof(T)).ok());
  return std::move(*buf);
}

Tensor View(const Buffer& b, DType d, std::initializer_list<int64_t> shape,
            int64_t elem_offset = 0) {
  Tensor t = MakeTensor(static_cast<char*>(b.data()) + elem_offset * DTypeSize(d), d, shape,
                        MemorySpace::kDevice);
  return t;
}

// Per-call milliseconds of `iters` back-to-back calls of fn(i), after one warm-up call.
template <typename F>
Result<double> TimeMs(cudaStream_t stream, int iters, F&& fn) {
  KT_RETURN_IF_ERROR(fn(0));
  cudaEvent_t a, b;
  cudaEventCreate(&a);
  cudaEventCreate(&b);
  cudaEventRecord(a, stream);
  Status st;
  for (int i = 0; i < iters && st.ok(); ++i) st = fn(i);
  cudaEventRecord(b, stream);
  cudaError_t e = cudaEventSynchronize(b);
  float ms = 0;
  cudaEventElapsedTime(&ms, a, b);
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  KT_RETURN_IF_ERROR(st);
  if (e != cudaSuccess) return Internal(std::string("cuda: ") + cudaGetErrorString(e));
  return static_cast<double>(ms) / iters;
}

// Runs the timed loop; returns the mean per-call ms (or < 0 after SkipWithError).
template <typename F>
double Measure(benchmark::State& s, int iters, F&& fn, cuda::CudaBackend* be = nullptr) {
  // Timed on the stream of the backend the calls run on (each backend has its own).
  cudaStream_t stream = (be != nullptr ? be : GetGpu().be)->stream();
  double total = 0;
  int n = 0;
  for (auto _ : s) {
    auto ms = TimeMs(stream, iters, fn);
    if (!ms.ok()) {
      s.SkipWithError(ms.status().ToString().c_str());
      return -1;
    }
    s.SetIterationTime(*ms / 1e3);
    total += *ms;
    ++n;
  }
  return n ? total / n : -1;
}

void Bandwidth(benchmark::State& s, double bytes, double ms) {
  if (ms <= 0) return;
  const double tbps = bytes / (ms * 1e-3) / 1e12;
  s.counters["TBps"] = tbps;
  s.counters["frac_copy"] = tbps / LoadRoofline().copy_tbps;
  s.counters["us"] = ms * 1e3;
}

void Compute(benchmark::State& s, double flops, double ms) {
  if (ms <= 0) return;
  const double tflops = flops / (ms * 1e-3) / 1e12;
  s.counters["TFLOPs"] = tflops;
  s.counters["frac_gemm"] = tflops / LoadRoofline().gemm_tflops;
  s.counters["us"] = ms * 1e3;
}

#define KT_NEED_GPU(s)                       \
  if (GetGpu().be == nullptr) {              \
    s.SkipWithError(GetGpu().error.c_str()); \
    return;                                  \
  }

// Device-to-device copy: this card's copy roofline (bytes read + written).
void BM_CopyD2D(benchmark::State& s) {
  KT_NEED_GPU(s);
  Gpu& g = GetGpu();
  const size_t bytes = size_t{1} << 30;
  auto a = g.be->Allocate(bytes), b = g.be->Allocate(bytes);
  KT_CHECK(a.ok() && b.ok());
  const double ms = Measure(s, 10, [&](int) -> Status {
    if (cudaMemcpyAsync(b->data(), a->data(), bytes, cudaMemcpyDeviceToDevice, g.be->stream()) !=
        cudaSuccess) {
      return Internal("cudaMemcpyAsync failed");
    }
    return Status::Ok();
  });
  Bandwidth(s, 2.0 * bytes, ms);
}
BENCHMARK(BM_CopyD2D)->UseManualTime()->Iterations(5)->Unit(benchmark::kMicrosecond);

// Decode-shaped GEMM: y[M,N] = x[M,K] w[N,K]^T, bf16. path 0: backend dispatch (GEMV for
// M = 1; M >= 2 dispatches to cuBLASLt, so only path 1 is listed there), 1: cuBLASLt.
// Reports weight bytes per second.
void BM_DecodeGemm(benchmark::State& s) {
  KT_NEED_GPU(s);
  Gpu& g = GetGpu();
  const int64_t m = s.range(0), n = s.range(1), k = s.range(2);
  const bool lt = s.range(3) != 0;
  const int64_t wbytes = n * k * 2;
  const int copies =
      static_cast<int>(std::max<int64_t>(1, (kRotationBytesMin + wbytes - 1) / wbytes));
  Buffer w = RandomBuffer(*g.be, DType::kBF16, copies * n * k, 0.02f, 1);
  Buffer x = RandomBuffer(*g.be, DType::kBF16, m * k, 1.0f, 2);
  Buffer y = RandomBuffer(*g.be, DType::kBF16, m * n, 1.0f, 3);
  const double ms = Measure(s, 100, [&](int i) -> Status {
    GemmArgs a{View(x, DType::kBF16, {m, k}),
               View(w, DType::kBF16, {n, k}, (i % copies) * n * k),
               {},
               View(y, DType::kBF16, {m, n})};
    return lt ? g.be->gemm_lt().Run(a, g.be->stream()) : g.be->Gemm(a);
  });
  Bandwidth(s, static_cast<double>(wbytes), ms);
}
BENCHMARK(BM_DecodeGemm)
    ->ArgNames({"M", "N", "K", "cublaslt"})
    ->Args({1, 16384, 3072, 0})
    ->Args({1, 16384, 3072, 1})
    ->Args({1, 9216, 3072, 0})
    ->Args({1, 9216, 3072, 1})
    ->Args({1, 3072, 8192, 0})
    ->Args({1, 3072, 8192, 1})
    ->Args({1, 3072, 3072, 0})
    ->Args({1, 32064, 3072, 0})
    ->Args({1, 32064, 3072, 1})
    ->Args({2, 16384, 3072, 1})
    ->Args({4, 16384, 3072, 1})
    ->Args({8, 16384, 3072, 1})
    ->Args({16, 9216, 3072, 1})
    ->Args({64, 9216, 3072, 1})
    ->UseManualTime()
    ->Iterations(3)
    ->Unit(benchmark::kMicrosecond);

// Prefill-shaped GEMM through cuBLASLt (heuristic #0, what the backend runs) vs the best of
// cuBLASLt's top 8 heuristic algorithms timed on the spot.
void BM_PrefillGemm(benchmark::State& s) {
  KT_NEED_GPU(s);
  Gpu& g = GetGpu();
  const int64_t m = s.range(0), n = s.range(1), k = s.range(2);
  Buffer w = RandomBuffer(*g.be, DType::kBF16, n * k, 0.02f, 1);
  Buffer x = RandomBuffer(*g.be, DType::kBF16, m * k, 1.0f, 2);
  Buffer y = RandomBuffer(*g.be, DType::kBF16, m * n, 1.0f, 3);
  GemmArgs a{View(x, DType::kBF16, {m, k}),
             View(w, DType::kBF16, {n, k}),
             {},
             View(y, DType::kBF16, {m, n})};
  const double ms = Measure(s, 20, [&](int) { return g.be->Gemm(a); });
  Compute(s, 2.0 * m * n * k, ms);
  auto algos = g.be->gemm_lt().TimeHeuristicAlgos(a, g.be->stream(), 8, 20);
  if (algos.ok() && ms > 0) {
    double best = 1e30;
    for (double t : *algos) {
      if (t > 0) best = std::min(best, t);
    }
    s.counters["frac_lt_best"] = best / ms;
    s.counters["lt_algos"] = static_cast<double>(algos->size());
  }
}
BENCHMARK(BM_PrefillGemm)
    ->ArgNames({"M", "N", "K"})
    ->Args({2048, 9216, 3072})
    ->Args({2048, 16384, 3072})
    ->Args({2048, 3072, 8192})
    ->Args({2048, 3072, 3072})
    ->Args({512, 9216, 3072})
    ->Args({8192, 8192, 8192})
    ->UseManualTime()
    ->Iterations(3)
    ->Unit(benchmark::kMicrosecond);

// Paged decode attention, one token per sequence over `ctx` cached tokens. Bytes: K and V read.
void BM_DecodeAttention(benchmark::State& s) {
  KT_NEED_GPU(s);
  Gpu& g = GetGpu();
  const int64_t batch = s.range(0), ctx = s.range(1), hq = s.range(2), hk = s.range(3),
                d = s.range(4);
  const int64_t bs = 16, per_seq = (ctx + bs - 1) / bs, blocks = batch * per_seq;
  Buffer q = RandomBuffer(*g.be, DType::kBF16, batch * hq * d, 1.0f, 1);
  Buffer kc = RandomBuffer(*g.be, DType::kBF16, blocks * bs * hk * d, 1.0f, 2);
  Buffer vc = RandomBuffer(*g.be, DType::kBF16, blocks * bs * hk * d, 1.0f, 3);
  Buffer out = RandomBuffer(*g.be, DType::kBF16, batch * hq * d, 1.0f, 4);
  std::vector<int32_t> ids(blocks);
  std::iota(ids.begin(), ids.end(), 0);
  Rng rng(5);
  for (int64_t i = blocks - 1; i > 0; --i) std::swap(ids[i], ids[rng.UniformInt(0, i)]);
  Buffer table = I32Buffer(*g.be, ids);
  Buffer lens = I32Buffer(*g.be, std::vector<int32_t>(batch, static_cast<int32_t>(ctx)));
  AttentionDecodeArgs a{View(q, DType::kBF16, {batch, hq, d}),
                        View(kc, DType::kBF16, {blocks, bs, hk, d}),
                        View(vc, DType::kBF16, {blocks, bs, hk, d}),
                        View(table, DType::kI32, {batch, per_seq}),
                        View(lens, DType::kI32, {batch}),
                        View(out, DType::kBF16, {batch, hq, d}),
                        static_cast<int>(ctx)};
  const double ms = Measure(s, 50, [&](int) { return g.be->AttentionDecode(a); });
  Bandwidth(s, 2.0 * batch * ctx * hk * d * 2, ms);
}
BENCHMARK(BM_DecodeAttention)
    ->ArgNames({"B", "ctx", "Hq", "Hk", "D"})
    ->Args({1, 4096, 32, 32, 96})
    ->Args({1, 4096, 32, 8, 128})
    ->Args({16, 4096, 32, 32, 96})
    ->Args({64, 512, 32, 32, 96})
    ->UseManualTime()
    ->Iterations(3)
    ->Unit(benchmark::kMicrosecond);

// Causal prefill attention of `batch` sequences of `len` tokens; FLOPs = 4 S^2 D H / 2.
void BM_PrefillAttention(benchmark::State& s) {
  KT_NEED_GPU(s);
  Gpu& g = GetGpu();
  const int64_t len = s.range(0), heads = s.range(1), d = s.range(2), batch = s.range(3);
  const bool portable = s.range(4) != 0;
  cuda::CudaBackend* be = portable ? g.portable : g.be;
  if (be == nullptr) {
    s.SkipWithError("no portable backend");
    return;
  }
  const int64_t t = batch * len;
  Buffer q = RandomBuffer(*g.be, DType::kBF16, t * heads * d, 1.0f, 1);
  Buffer k = RandomBuffer(*g.be, DType::kBF16, t * heads * d, 1.0f, 2);
  Buffer v = RandomBuffer(*g.be, DType::kBF16, t * heads * d, 1.0f, 3);
  Buffer o = RandomBuffer(*g.be, DType::kBF16, t * heads * d, 1.0f, 4);
  std::vector<int32_t> cu(batch + 1);
  for (int64_t i = 0; i <= batch; ++i) cu[i] = static_cast<int32_t>(i * len);
  Buffer cub = I32Buffer(*g.be, cu);
  AttentionPrefillArgs a{View(q, DType::kBF16, {t, heads, d}),
                         View(k, DType::kBF16, {t, heads, d}),
                         View(v, DType::kBF16, {t, heads, d}),
                         View(cub, DType::kI32, {batch + 1}),
                         View(cub, DType::kI32, {batch + 1}),
                         View(o, DType::kBF16, {t, heads, d}),
                         static_cast<int>(len),
                         static_cast<int>(len)};
  const double ms =
      Measure(s, portable ? 2 : 10, [&](int) { return be->AttentionPrefill(a); }, be);
  Compute(s, 4.0 * len * len * d * heads * batch / 2, ms);
  if (ms > 0) {
    s.counters["frac_target_350"] =
        s.counters["TFLOPs"].value / LoadRoofline().target_prefill_attention_tflops;
  }
}
BENCHMARK(BM_PrefillAttention)
    ->ArgNames({"S", "H", "D", "B", "portable"})
    ->Args({4096, 32, 128, 1, 0})
    ->Args({4096, 32, 96, 1, 0})
    ->Args({2048, 32, 96, 1, 0})
    ->Args({2048, 32, 128, 4, 0})
    ->Args({1024, 32, 128, 1, 1})
    ->UseManualTime()
    ->Iterations(3)
    ->Unit(benchmark::kMicrosecond);

// Row kernels at prefill scale (T = 4096 tokens, Phi-3 widths). Bytes: everything read and
// written once.
void BM_RmsNormResidual(benchmark::State& s) {
  KT_NEED_GPU(s);
  Gpu& g = GetGpu();
  const int64_t t = s.range(0), h = s.range(1);
  Buffer x = RandomBuffer(*g.be, DType::kBF16, t * h, 1.0f, 1);
  Buffer r = RandomBuffer(*g.be, DType::kBF16, t * h, 1.0f, 2);
  Buffer w = RandomBuffer(*g.be, DType::kBF16, h, 1.0f, 3);
  Buffer o = RandomBuffer(*g.be, DType::kBF16, t * h, 1.0f, 4);
  RmsNormArgs a{View(x, DType::kBF16, {t, h}), View(r, DType::kBF16, {t, h}),
                View(w, DType::kBF16, {h}), View(o, DType::kBF16, {t, h}), 1e-5f};
  const double ms = Measure(s, 50, [&](int) { return g.be->RmsNorm(a); });
  Bandwidth(s, 4.0 * t * h * 2, ms);
}
BENCHMARK(BM_RmsNormResidual)
    ->ArgNames({"T", "H"})
    ->Args({4096, 3072})
    ->Args({1, 3072})
    ->UseManualTime()
    ->Iterations(3)
    ->Unit(benchmark::kMicrosecond);

void BM_Rope(benchmark::State& s) {
  KT_NEED_GPU(s);
  Gpu& g = GetGpu();
  const int64_t t = s.range(0), heads = 32, d = 96;
  Buffer q = RandomBuffer(*g.be, DType::kBF16, t * heads * d, 1.0f, 1);
  Buffer k = RandomBuffer(*g.be, DType::kBF16, t * heads * d, 1.0f, 2);
  std::vector<int32_t> pos(t);
  std::iota(pos.begin(), pos.end(), 0);
  Buffer p = I32Buffer(*g.be, pos);
  std::vector<float> inv(d / 2);
  for (int64_t i = 0; i < d / 2; ++i) inv[i] = static_cast<float>(std::pow(10000.0, -2.0 * i / d));
  Buffer f = TypedBuffer(*g.be, inv);
  RopeArgs a{View(q, DType::kBF16, {t, heads, d}), View(k, DType::kBF16, {t, heads, d}),
             View(p, DType::kI32, {t}), View(f, DType::kF32, {d / 2})};
  const double ms = Measure(s, 50, [&](int) { return g.be->Rope(a); });
  Bandwidth(s, 2.0 * 2 * t * heads * d * 2, ms);
}
BENCHMARK(BM_Rope)->ArgName("T")->Arg(4096)->UseManualTime()->Iterations(3)->Unit(
    benchmark::kMicrosecond);

void BM_SiluMul(benchmark::State& s) {
  KT_NEED_GPU(s);
  Gpu& g = GetGpu();
  const int64_t t = s.range(0), inter = 8192;
  Buffer gu = RandomBuffer(*g.be, DType::kBF16, t * 2 * inter, 1.0f, 1);
  Buffer o = RandomBuffer(*g.be, DType::kBF16, t * inter, 1.0f, 2);
  SiluMulArgs a{View(gu, DType::kBF16, {t, 2 * inter}), View(o, DType::kBF16, {t, inter})};
  const double ms = Measure(s, 50, [&](int) { return g.be->SiluMul(a); });
  Bandwidth(s, 3.0 * t * inter * 2, ms);
}
BENCHMARK(BM_SiluMul)
    ->ArgName("T")
    ->Arg(4096)
    ->UseManualTime()
    ->Iterations(3)
    ->Unit(benchmark::kMicrosecond);

void BM_KvAppend(benchmark::State& s) {
  KT_NEED_GPU(s);
  Gpu& g = GetGpu();
  const int64_t t = s.range(0), hk = 32, d = 96, bs = 16, blocks = (t + bs - 1) / bs;
  Buffer k = RandomBuffer(*g.be, DType::kBF16, t * hk * d, 1.0f, 1);
  Buffer v = RandomBuffer(*g.be, DType::kBF16, t * hk * d, 1.0f, 2);
  Buffer kc = RandomBuffer(*g.be, DType::kBF16, blocks * bs * hk * d, 1.0f, 3);
  Buffer vc = RandomBuffer(*g.be, DType::kBF16, blocks * bs * hk * d, 1.0f, 4);
  std::vector<int32_t> slots(t);
  std::iota(slots.begin(), slots.end(), 0);
  Buffer sm = I32Buffer(*g.be, slots);
  KvAppendArgs a{View(k, DType::kBF16, {t, hk, d}), View(v, DType::kBF16, {t, hk, d}),
                 View(sm, DType::kI32, {t}), View(kc, DType::kBF16, {blocks, bs, hk, d}),
                 View(vc, DType::kBF16, {blocks, bs, hk, d})};
  const double ms = Measure(s, 50, [&](int) { return g.be->KvAppend(a); });
  Bandwidth(s, 4.0 * t * hk * d * 2, ms);
}
BENCHMARK(BM_KvAppend)
    ->ArgName("T")
    ->Arg(4096)
    ->UseManualTime()
    ->Iterations(3)
    ->Unit(benchmark::kMicrosecond);

// Sampling over Phi-3's vocabulary. mode 0: greedy; 1: temperature 0.8, top-k 50, top-p 0.9.
void BM_Sample(benchmark::State& s) {
  KT_NEED_GPU(s);
  Gpu& g = GetGpu();
  const int64_t batch = s.range(0), vocab = 32064;
  const bool greedy = s.range(1) == 0;
  Buffer logits = RandomBuffer(*g.be, DType::kF32, batch * vocab, 3.0f, 1);
  Buffer temp = TypedBuffer(*g.be, std::vector<float>(batch, greedy ? 0.0f : 0.8f));
  Buffer topk = I32Buffer(*g.be, std::vector<int32_t>(batch, greedy ? 0 : 50));
  Buffer topp = TypedBuffer(*g.be, std::vector<float>(batch, greedy ? 1.0f : 0.9f));
  Buffer seed = TypedBuffer(*g.be, std::vector<int64_t>(batch, 7));
  Buffer off = TypedBuffer(*g.be, std::vector<int64_t>(batch, 0));
  Buffer tok = I32Buffer(*g.be, std::vector<int32_t>(batch, 0));
  Buffer lp = TypedBuffer(*g.be, std::vector<float>(batch, 0.0f));
  SampleArgs a;
  a.logits = View(logits, DType::kF32, {batch, vocab});
  a.temperature = View(temp, DType::kF32, {batch});
  a.top_k = View(topk, DType::kI32, {batch});
  a.top_p = View(topp, DType::kF32, {batch});
  a.seed = View(seed, DType::kI64, {batch});
  a.offset = View(off, DType::kI64, {batch});
  a.out_tokens = View(tok, DType::kI32, {batch});
  a.out_logprobs = View(lp, DType::kF32, {batch});
  const double ms = Measure(s, 50, [&](int) { return g.be->Sample(a); });
  if (ms > 0) s.counters["us"] = ms * 1e3;
}
BENCHMARK(BM_Sample)
    ->ArgNames({"B", "topkp"})
    ->Args({1, 0})
    ->Args({1, 1})
    ->Args({64, 1})
    ->UseManualTime()
    ->Iterations(3)
    ->Unit(benchmark::kMicrosecond);

void BM_LoraBgmv(benchmark::State& s) {
  KT_NEED_GPU(s);
  Gpu& g = GetGpu();
  const int64_t batch = s.range(0), k = 3072, n = 9216, rank = 16, adapters = 8;
  Buffer x = RandomBuffer(*g.be, DType::kBF16, batch * k, 1.0f, 1);
  Buffer la = RandomBuffer(*g.be, DType::kBF16, adapters * rank * k, 0.02f, 2);
  Buffer lb = RandomBuffer(*g.be, DType::kBF16, adapters * n * rank, 0.02f, 3);
  std::vector<int32_t> idx(batch);
  for (int64_t i = 0; i < batch; ++i) idx[i] = static_cast<int32_t>(i % adapters);
  Buffer ix = I32Buffer(*g.be, idx);
  Buffer sc = TypedBuffer(*g.be, std::vector<float>(batch, 0.5f));
  Buffer scratch = RandomBuffer(*g.be, DType::kF32, batch * rank, 1.0f, 4);
  Buffer y = RandomBuffer(*g.be, DType::kBF16, batch * n, 1.0f, 5);
  LoraBgmvArgs a{View(x, DType::kBF16, {batch, k}),
                 View(la, DType::kBF16, {adapters, rank, k}),
                 View(lb, DType::kBF16, {adapters, n, rank}),
                 View(ix, DType::kI32, {batch}),
                 View(sc, DType::kF32, {batch}),
                 View(scratch, DType::kF32, {batch, rank}),
                 View(y, DType::kBF16, {batch, n})};
  const double ms = Measure(s, 50, [&](int) { return g.be->LoraBgmv(a); });
  const int64_t used = std::min(batch, adapters);
  Bandwidth(s, static_cast<double>(used) * (rank * k + n * rank) * 2 + 2.0 * batch * n * 2, ms);
}
BENCHMARK(BM_LoraBgmv)
    ->ArgName("B")
    ->Arg(16)
    ->UseManualTime()
    ->Iterations(3)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace kt::kernels::bench
