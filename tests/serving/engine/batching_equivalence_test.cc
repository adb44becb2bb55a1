// Continuous batching is invisible in the output: every request gets the same tokens when it
// runs alone, batched with others, with chunked prefill under a small token budget, when the
// KV cache is so small that sequences are preempted and recomputed, and when requests arrive
// at different steps. Checked for greedy decoding and for seeded sampling, on a dense and a
// LongRoPE model (whose rotation must survive chunking and recompute), and with bf16
// activations and cache (the arithmetic a CUDA backend runs) as well as f32.
#include <gtest/gtest.h>

#include "base/sim_env.h"
#include "serving/engine/engine.h"
#include "tests/serving/testing/test_models.h"

namespace kt::serving {
namespace {

using testing::TempDir;

struct Spec {
  std::string id;
  std::vector<int32_t> prompt;
  SamplingParams params;
  int arrival_step = 0;
};

std::vector<Spec> Workload(uint64_t seed, bool sampled) {
  std::vector<Spec> specs;
  int lengths[] = {3, 17, 40, 9, 60, 25};
  for (int i = 0; i < 6; ++i) {
    Spec s;
    s.id = "r" + std::to_string(i);
    auto toks = testing::RandomTokens(seed + i, lengths[i], 3, 300);
    s.prompt.assign(toks.begin(), toks.end());
    s.params.max_tokens = 10 + 3 * i;
    s.params.ignore_eos = true;
    if (sampled) {
      s.params.temperature = 0.9f;
      s.params.top_k = 50;
      s.params.seed = 1000 + i;
    } else {
      s.params.temperature = 0;
    }
    s.arrival_step = 2 * i;
    specs.push_back(std::move(s));
  }
  return specs;
}

struct Run {
  std::map<std::string, std::vector<int32_t>> tokens;
  EngineStats stats;
};

Run RunWorkload(const std::string& dir, const std::vector<Spec>& specs, bool staggered,
                testing::TestBackendOptions b, EngineOptions o) {
  SimEnv env;
  auto e = Engine::Create(env, testing::LoadBackend(dir, b), nullptr, o);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  Engine& engine = *e.value();
  Run run;
  size_t next = 0;
  for (int step = 0; step < 100000; ++step) {
    while (next < specs.size() && (!staggered || specs[next].arrival_step <= step)) {
      const Spec& s = specs[next++];
      Status st = engine.AddRequest({s.id, s.prompt, s.params, ""});
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
    if (next == specs.size() && !engine.HasUnfinished()) break;
    for (const RequestOutput& out : engine.Step()) {
      auto& t = run.tokens[out.request_id];
      t.insert(t.end(), out.token_ids.begin(), out.token_ids.end());
      EXPECT_NE(out.finish_reason, FinishReason::kError) << out.error;
    }
  }
  run.stats = engine.Stats();
  return run;
}

void CheckEquivalence(const char* preset, bool sampled, DType dtype = DType::kF32) {
  const uint64_t seed = 77;
  std::printf("[ equivalence ] %s sampled=%d dtype=%s seed=%llu\n", preset, sampled,
              std::string(DTypeName(dtype)).c_str(), static_cast<unsigned long long>(seed));
  TempDir dir;
  testing::WriteRandomModel(testing::PresetConfig(preset), seed, dir.path());
  std::vector<Spec> specs = Workload(seed, sampled);
  auto sized = [dtype](int32_t blocks, int32_t batch_tokens) {
    return testing::TestBackendOptions{.num_kv_blocks = blocks, .block_size = 4,
                                       .max_batch_tokens = batch_tokens,
                                       .activation_dtype = dtype, .kv_dtype = dtype};
  };
  const testing::TestBackendOptions roomy = sized(256, 512);
  // Each request alone.
  std::map<std::string, std::vector<int32_t>> alone;
  for (const Spec& s : specs) {
    alone[s.id] = RunWorkload(dir.path(), {s}, false, roomy, {}).tokens[s.id];
    ASSERT_EQ(alone[s.id].size(), static_cast<size_t>(s.params.max_tokens));
  }
  struct Variant {
    const char* name;
    bool staggered;
    testing::TestBackendOptions backend;
    EngineOptions engine;
    bool expect_preemption;
  } variants[] = {
      {"batched", false, roomy, {}, false},
      {"staggered arrivals", true, roomy, {}, false},
      {"chunked prefill (budget 16, chunk 5)", true,
       sized(256, 16),
       {.prefill_chunk_tokens = 5}, false},
      {"preemption (cache of 24 blocks)", true,
       sized(24, 64),
       {.watermark_fraction = 0}, true},
  };
  for (const Variant& v : variants) {
    SCOPED_TRACE(v.name);
    Run run = RunWorkload(dir.path(), specs, v.staggered, v.backend, v.engine);
    for (const Spec& s : specs) EXPECT_EQ(run.tokens[s.id], alone[s.id]) << s.id;
    if (v.expect_preemption) {
      EXPECT_GT(run.stats.preemptions_total, 0u) << "the variant must actually preempt";
    }
    std::printf("[ equivalence ] %-40s steps=%llu preemptions=%llu\n", v.name,
                static_cast<unsigned long long>(run.stats.steps_total),
                static_cast<unsigned long long>(run.stats.preemptions_total));
  }
}

TEST(BatchingEquivalenceTest, GreedyTokensMatchRunningAlone) { CheckEquivalence("tiny-llama3", false); }

TEST(BatchingEquivalenceTest, SeededSamplingMatchesRunningAlone) {
  CheckEquivalence("tiny-llama3", true);
}

TEST(BatchingEquivalenceTest, LongRopeModelMatchesRunningAlone) {
  CheckEquivalence("tiny-phi3-longrope", false);
}

TEST(BatchingEquivalenceTest, Bf16ActivationsMatchRunningAlone) {
  CheckEquivalence("tiny-phi3", false, DType::kBF16);
}

}  // namespace
}  // namespace kt::serving
