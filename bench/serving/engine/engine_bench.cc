// Serving engine benchmarks:
//   BM_DecodeTokensPerSecond/B/D decode throughput of the small-phi3 preset (8 layers, width 512,
//                                the Phi-3 vocabulary of 32064) with B sequences decoding at once,
//                                on device D: 0 = the CPU backend (f32, one OpenBLAS thread),
//                                1 = CUDA (bf16; reported as skipped without a device);
//                                counters: see TimeDecodeSteps
//   BM_Phi3MiniDecode/B          Phi-3-mini-4k (random bf16 weights) decoding on CUDA with B
//                                sequences at a context of 512 tokens: ms per decode step, the
//                                figure ../shared/gpu/anchor_torch_graph.py measures for stock
//                                PyTorch with a CUDA graph (skipped without a device); counters
//                                as above
//   BM_EngineOverheadPerStep/B   the same engine loop over a backend that returns zero logits
//                                instantly: the cost of everything but the model, per step
// Results go to bench/RESULTS.md (see docs/serving.md for the command).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstring>

#include "base/sim_env.h"
#include "kernels/registry.h"
#include "serving/engine/kernel_model_backend.h"
#include "serving/engine/engine.h"
#include "serving/model/model_weights.h"
#include "serving/model/presets.h"

namespace kt::serving {
namespace {

// Measures the wall time of the forward (and of the draw, when the backend samples: it
// replaces the host's sampling).
class TimedBackend final : public ForwardingBackend {
 public:
  using ForwardingBackend::ForwardingBackend;
  Status Forward(const ForwardBatch& b, std::span<float> logits) override {
    forward_start = std::chrono::steady_clock::now();
    Status s = ForwardingBackend::Forward(b, logits);
    forward_end = std::chrono::steady_clock::now();
    return s;
  }
  Status ForwardSample(const ForwardBatch& b, const RowSampling& sampling,
                       std::span<int32_t> tokens) override {
    forward_start = std::chrono::steady_clock::now();
    Status s = ForwardingBackend::ForwardSample(b, sampling, tokens);
    forward_end = std::chrono::steady_clock::now();
    return s;
  }
  std::chrono::steady_clock::time_point forward_start, forward_end;
};

// A backend that does no model work: zero logits (greedy then picks token 0).
class NullBackend final : public ModelBackend {
 public:
  explicit NullBackend(ModelConfig c) : config_(std::move(c)) {}
  std::string_view name() const override { return "null"; }
  const ModelConfig& config() const override { return config_; }
  int32_t num_kv_blocks() const override { return 1 << 16; }
  int32_t block_size() const override { return 16; }
  int32_t max_batch_tokens() const override { return 8192; }
  int32_t adapter_slots() const override { return 0; }
  int32_t max_lora_rank() const override { return 1; }
  Status LoadAdapter(int32_t, const LoraAdapter&) override { return Status::Ok(); }
  Status Forward(const ForwardBatch& b, std::span<float> logits) override {
    std::memset(logits.data(), 0, b.logits_tokens.size() * config_.vocab_size * sizeof(float));
    return Status::Ok();
  }

 private:
  ModelConfig config_;
};

ModelConfig SmallConfig() { return *FindPreset("small-phi3").value()->config; }

std::unique_ptr<Engine> MakeEngine(Env& env, std::unique_ptr<ModelBackend> backend, int batch) {
  EngineOptions o;
  o.max_num_seqs = batch;
  o.max_waiting = batch;
  auto e = Engine::Create(env, std::move(backend), nullptr, o);
  KT_CHECK(e.ok()) << e.status().ToString();
  for (int i = 0; i < batch; ++i) {
    std::vector<int32_t> prompt(16);
    for (int k = 0; k < 16; ++k) prompt[k] = 100 + (i * 31 + k * 7) % 30000;
    SamplingParams p;
    p.temperature = 0;
    p.max_tokens = 4000;
    p.ignore_eos = true;
    KT_CHECK(e.value()->AddRequest({"r" + std::to_string(i), prompt, p, ""}).ok());
  }
  e.value()->Step();  // prefill everything; later steps are pure decode
  return std::move(e).value();
}

// Steps the engine once per iteration; counters: tokens/s, ms per step, and how each step
// splits between scheduling and batch building (before the forward), the model forward, and
// sampling and output bookkeeping (after it).
void TimeDecodeSteps(benchmark::State& state, Engine& engine, const TimedBackend& timer,
                     int batch) {
  using Clock = std::chrono::steady_clock;
  auto ns = [](Clock::duration d) { return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count(); };
  int64_t step_ns = 0, schedule_ns = 0, forward_ns = 0, after_ns = 0;
  for (auto _ : state) {
    auto t0 = Clock::now();
    auto outs = engine.Step();
    auto t1 = Clock::now();
    step_ns += ns(t1 - t0);
    schedule_ns += ns(timer.forward_start - t0);
    forward_ns += ns(timer.forward_end - timer.forward_start);
    after_ns += ns(t1 - timer.forward_end);
    benchmark::DoNotOptimize(outs);
  }
  const double steps = static_cast<double>(state.iterations());
  state.counters["tokens_per_s"] =
      benchmark::Counter(static_cast<double>(batch) * steps, benchmark::Counter::kIsRate);
  state.counters["ms_per_step"] = static_cast<double>(step_ns) / 1e6 / steps;
  state.counters["sched_fraction"] = static_cast<double>(schedule_ns) / static_cast<double>(step_ns);
  state.counters["sampling_fraction"] = static_cast<double>(after_ns) / static_cast<double>(step_ns);
  state.counters["forward_fraction"] = static_cast<double>(forward_ns) / static_cast<double>(step_ns);
}

void BM_DecodeTokensPerSecond(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  const auto device = state.range(1) ? kernels::BackendKind::kCuda : kernels::BackendKind::kCpu;
  SimEnv env;
  ModelBackendOptions bo = DefaultModelBackendOptions(device);
  ModelWeights w = RandomModelWeights(SmallConfig(), {.seed = 1, .dtype = bo.activation_dtype});
  bo.num_kv_blocks = batch * 260;
  bo.block_size = 16;
  bo.max_batch_tokens = std::max(512, batch * 16);
  bo.blas_threads = 1;
  auto backend = KernelModelBackend::Create(std::move(w), bo);
  if (!backend.ok()) {
    state.SkipWithError(backend.status().ToString().c_str());
    return;
  }
  auto timed = std::make_unique<TimedBackend>(std::move(backend).value());
  TimedBackend* timer = timed.get();
  auto engine = MakeEngine(env, std::move(timed), batch);
  TimeDecodeSteps(state, *engine, *timer, batch);
}
BENCHMARK(BM_DecodeTokensPerSecond)
    ->Args({1, 0})
    ->Args({32, 0})
    ->Args({1, 1})
    ->Args({32, 1})
    ->Args({128, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

constexpr int kPhi3Context = 512;
constexpr int kPhi3BatchMax = 64;
constexpr int kPhi3DecodeStepsMax = 400;

// Phi-3-mini on CUDA, created once per process: 7.6 GB of weights take a while to generate.
Result<ModelBackend*> Phi3MiniCudaBackend() {
  static Result<std::unique_ptr<ModelBackend>> backend = []() -> Result<std::unique_ptr<ModelBackend>> {
    KT_RETURN_IF_ERROR(kernels::CreateBackend(kernels::BackendKind::kCuda).status());
    KT_ASSIGN_OR_RETURN(const Preset* preset, FindPreset("phi-3-mini-4k-instruct"));
    ModelBackendOptions bo = DefaultModelBackendOptions(kernels::BackendKind::kCuda);
    ModelWeights w = RandomModelWeights(*preset->config,
                                       {.seed = 1, .dtype = bo.activation_dtype, .threads = 0});
    bo.block_size = 16;
    bo.num_kv_blocks = kPhi3BatchMax * ((kPhi3Context + kPhi3DecodeStepsMax) / bo.block_size + 2);
    bo.max_batch_tokens = 8192;
    KT_ASSIGN_OR_RETURN(auto b, KernelModelBackend::Create(std::move(w), bo));
    return std::unique_ptr<ModelBackend>(std::move(b));
  }();
  if (!backend.ok()) return backend.status();
  return backend.value().get();
}

void BM_Phi3MiniDecode(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  auto backend = Phi3MiniCudaBackend();
  if (!backend.ok()) {
    state.SkipWithError(backend.status().ToString().c_str());
    return;
  }
  SimEnv env;
  EngineOptions o;
  o.max_num_seqs = batch;
  o.max_waiting = batch;
  auto timed = std::make_unique<TimedBackend>(backend.value());
  TimedBackend* timer = timed.get();
  auto created = Engine::Create(env, std::move(timed), nullptr, o);
  KT_CHECK(created.ok()) << created.status().ToString();
  Engine& engine = *created.value();
  for (int i = 0; i < batch; ++i) {
    std::vector<int32_t> prompt(kPhi3Context);
    for (int k = 0; k < kPhi3Context; ++k) prompt[k] = 100 + (i * 31 + k * 7) % 30000;
    SamplingParams p;
    p.temperature = 0;
    p.max_tokens = kPhi3DecodeStepsMax;
    p.ignore_eos = true;
    KT_CHECK(engine.AddRequest({"r" + std::to_string(i), prompt, p, ""}).ok());
  }
  // Prefill: every sequence has sampled its first token, so later steps are pure decode.
  while (engine.Stats().generation_tokens_total < static_cast<uint64_t>(batch)) engine.Step();
  TimeDecodeSteps(state, engine, *timer, batch);
}
// Fixed iterations: the sequences must not run out of tokens or KV blocks mid-benchmark.
BENCHMARK(BM_Phi3MiniDecode)
    ->Arg(1)
    ->Arg(16)
    ->Arg(kPhi3BatchMax)
    ->Iterations(kPhi3DecodeStepsMax - 8)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_EngineOverheadPerStep(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  SimEnv env;
  auto engine = MakeEngine(env, std::make_unique<NullBackend>(SmallConfig()), batch);
  int64_t step_ns = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    auto outs = engine->Step();
    step_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
    benchmark::DoNotOptimize(outs);
  }
  const double per_step_us = static_cast<double>(step_ns) / 1e3 / static_cast<double>(state.iterations());
  state.counters["us_per_step"] = per_step_us;
  state.counters["us_per_seq"] = per_step_us / batch;
}
// Fixed iterations: the requests must not run out of tokens (max_tokens 4000) mid-benchmark.
BENCHMARK(BM_EngineOverheadPerStep)->Arg(1)->Arg(32)->Arg(256)->Iterations(200)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace kt::serving
