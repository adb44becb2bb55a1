// CPU reference kernels at serving shapes (Phi-3-mini: hidden 3072, 32 heads of 96,
// intermediate 8192, vocabulary 32064). Reports bytes or FLOPs per second so the serving
// engine's CPU path can be sized. OpenBLAS threads: OPENBLAS_NUM_THREADS (default: all cores).
//   build-*/bench/kernels_cpu_bench --benchmark_counters_tabular=true
#include <numeric>
#include <vector>

#include <benchmark/benchmark.h>

#include "base/random.h"
#include "kernels/cpu/cpu_ops.h"
#include "kernels/rope.h"
#include "tests/kernels/host_tensor.h"

namespace kt::kernels {
namespace {

using testing::HostTensor;

HostTensor Random(DType d, std::initializer_list<int64_t> shape, float stddev = 1.0f) {
  static Rng rng(42);
  HostTensor t(d, shape);
  t.FillNormal(rng, stddev);
  return t;
}

void SetBytes(benchmark::State& s, double bytes) {
  s.counters["GBps"] =
      benchmark::Counter(bytes / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

void SetFlops(benchmark::State& s, double flops) {
  s.counters["GFLOPs"] =
      benchmark::Counter(flops / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

// args: M, N, K, weight dtype (0 f32, 1 bf16)
void BM_Gemm(benchmark::State& s) {
  const int64_t m = s.range(0), n = s.range(1), k = s.range(2);
  const DType wd = s.range(3) ? DType::kBF16 : DType::kF32;
  auto x = Random(DType::kF32, {m, k}), w = Random(wd, {n, k}, 0.02f),
       y = Random(DType::kF32, {m, n});
  for (auto _ : s) {
    auto st = cpu::Gemm({x.t(), w.t(), {}, y.t()});
    benchmark::DoNotOptimize(st);
  }
  SetFlops(s, 2.0 * m * n * k);
  SetBytes(s, static_cast<double>(n) * k * DTypeSize(wd));
}
BENCHMARK(BM_Gemm)
    ->ArgNames({"M", "N", "K", "bf16w"})
    ->Args({1, 3072, 3072, 0})
    ->Args({1, 3072, 3072, 1})
    ->Args({16, 3072, 3072, 0})
    ->Args({128, 3072, 3072, 0})
    ->Args({1, 16384, 3072, 1})
    ->Unit(benchmark::kMillisecond);

void BM_RmsNormResidual(benchmark::State& s) {
  const int64_t t = s.range(0), h = 3072;
  auto x = Random(DType::kF32, {t, h}), r = Random(DType::kF32, {t, h}),
       w = Random(DType::kF32, {h});
  auto out = Random(DType::kF32, {t, h});
  for (auto _ : s) {
    auto st = cpu::RmsNorm({x.t(), r.t(), w.t(), out.t(), 1e-5f});
    benchmark::DoNotOptimize(st);
  }
  SetBytes(s, 4.0 * t * h * 4);
}
BENCHMARK(BM_RmsNormResidual)->Arg(1)->Arg(128)->Unit(benchmark::kMicrosecond);

void BM_Rope(benchmark::State& s) {
  const int64_t t = s.range(0), heads = 32, d = 96;
  auto q = Random(DType::kF32, {t, heads, d}), k = Random(DType::kF32, {t, heads, d});
  HostTensor pos(DType::kI32, {t}), inv(DType::kF32, {d / 2});
  std::vector<int32_t> p(t);
  std::iota(p.begin(), p.end(), 100);
  pos.SetI32(p);
  RopeConfig cfg;
  cfg.head_dim = static_cast<int>(d);
  inv.Set(*RopeInvFreq(cfg));
  for (auto _ : s) {
    auto st = cpu::Rope({q.t(), k.t(), pos.t(), inv.t()});
    benchmark::DoNotOptimize(st);
  }
  SetBytes(s, 2.0 * 2 * t * heads * d * 4);
}
BENCHMARK(BM_Rope)->Arg(1)->Arg(128)->Unit(benchmark::kMicrosecond);

void BM_SiluMul(benchmark::State& s) {
  const int64_t t = s.range(0), inter = 8192;
  auto gu = Random(DType::kF32, {t, 2 * inter}), out = Random(DType::kF32, {t, inter});
  for (auto _ : s) {
    auto st = cpu::SiluMul({gu.t(), out.t()});
    benchmark::DoNotOptimize(st);
  }
  SetBytes(s, 3.0 * t * inter * 4);
}
BENCHMARK(BM_SiluMul)->Arg(1)->Arg(128)->Unit(benchmark::kMicrosecond);

// Causal prefill of one sequence, Phi-3 heads (32 x 96).
void BM_AttentionPrefill(benchmark::State& s) {
  const int64_t len = s.range(0), heads = 32, d = 96;
  auto q = Random(DType::kF32, {len, heads, d}), k = Random(DType::kF32, {len, heads, d});
  auto v = Random(DType::kF32, {len, heads, d}), out = Random(DType::kF32, {len, heads, d});
  HostTensor cu(DType::kI32, {2});
  cu.SetI32({0, static_cast<int32_t>(len)});
  for (auto _ : s) {
    auto st = cpu::AttentionPrefill({q.t(), k.t(), v.t(), cu.t(), cu.t(), out.t(),
                                     static_cast<int>(len), static_cast<int>(len)});
    benchmark::DoNotOptimize(st);
  }
  SetFlops(s, 4.0 * len * len * d * heads / 2);
}
BENCHMARK(BM_AttentionPrefill)->Arg(128)->Arg(512)->Unit(benchmark::kMillisecond);

// One decode step over a paged cache, Phi-3 heads; context = arg.
void BM_AttentionDecode(benchmark::State& s) {
  const int64_t ctx = s.range(0), heads = 32, d = 96, bs = 16, blocks = (ctx + bs - 1) / bs;
  auto q = Random(DType::kF32, {1, heads, d}), out = Random(DType::kF32, {1, heads, d});
  auto kc = Random(DType::kBF16, {blocks, bs, heads, d}),
       vc = Random(DType::kBF16, {blocks, bs, heads, d});
  HostTensor table(DType::kI32, {1, blocks}), lens(DType::kI32, {1});
  std::vector<int32_t> ids(blocks);
  std::iota(ids.begin(), ids.end(), 0);
  table.SetI32(ids);
  lens.SetI32({static_cast<int32_t>(ctx)});
  for (auto _ : s) {
    auto st = cpu::AttentionDecode(
        {q.t(), kc.t(), vc.t(), table.t(), lens.t(), out.t(), static_cast<int>(ctx)});
    benchmark::DoNotOptimize(st);
  }
  SetBytes(s, 2.0 * ctx * heads * d * 2);
}
BENCHMARK(BM_AttentionDecode)->Arg(512)->Arg(4096)->Unit(benchmark::kMillisecond);

// args: greedy (1) or temperature 0.8 + top-k 50 + top-p 0.9 (0)
void BM_Sample(benchmark::State& s) {
  const int64_t vocab = 32064;
  auto logits = Random(DType::kF32, {1, vocab}, 3.0f);
  HostTensor t(DType::kF32, {1}), k(DType::kI32, {1}), p(DType::kF32, {1}), seed(DType::kI64, {1}),
      off(DType::kI64, {1}), tok(DType::kI32, {1}), lp(DType::kF32, {1});
  t.Set({s.range(0) ? 0.0f : 0.8f});
  k.SetI32({s.range(0) ? 0 : 50});
  p.Set({s.range(0) ? 1.0f : 0.9f});
  seed.SetI64({1});
  off.SetI64({0});
  SampleArgs a;
  a.logits = logits.t();
  a.temperature = t.t();
  a.top_k = k.t();
  a.top_p = p.t();
  a.seed = seed.t();
  a.offset = off.t();
  a.out_tokens = tok.t();
  a.out_logprobs = lp.t();
  for (auto _ : s) {
    auto st = cpu::Sample(a);
    benchmark::DoNotOptimize(st);
  }
}
BENCHMARK(BM_Sample)->ArgName("greedy")->Arg(1)->Arg(0)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace kt::kernels
