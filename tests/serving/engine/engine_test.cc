// The engine end to end on a tiny model (SimEnv clock, byte tokenizer): greedy decoding picks
// the float64 reference's argmax at every step; requests end with "length" at max_tokens and
// "stop" at a stop token or stop string (the string cut from the text, streamed deltas adding
// up to the final text); the same seed gives the same sampled tokens; aborts end requests;
// and bad requests (over-long prompts, prompt + max_tokens past the context, unknown adapters,
// invalid parameters, a full queue, duplicate ids) are refused with the right code and message.
#include "serving/engine/engine.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "base/sim_env.h"
#include "serving/model/presets.h"
#include "serving/tokenizer/byte_tokenizer.h"
#include "tests/serving/reference/reference_model.h"
#include "tests/serving/testing/test_models.h"

namespace kt::serving {
namespace {

using testing::TempDir;

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = testing::PresetConfig("tiny-phi3");
    testing::WriteRandomModel(config_, 5, dir_.path());
    const Preset* p = FindPreset("tiny-phi3").value();
    tokenizer_ = std::make_shared<ByteTokenizer>(static_cast<int32_t>(config_.vocab_size),
                                                 p->special_tokens, 1, 300);
  }

  std::unique_ptr<Engine> MakeEngine(EngineOptions o = {}, testing::TestBackendOptions b = {}) {
    auto e = Engine::Create(env_, testing::LoadBackend(dir_.path(), b), tokenizer_, o);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return std::move(e).value();
  }

  // Runs every request to completion; returns outputs per request id, in order.
  std::map<std::string, std::vector<RequestOutput>> RunAll(Engine& e) {
    std::map<std::string, std::vector<RequestOutput>> out;
    for (int step = 0; step < 10000 && e.HasUnfinished(); ++step) {
      for (RequestOutput& o : e.Step()) out[o.request_id].push_back(std::move(o));
    }
    EXPECT_FALSE(e.HasUnfinished());
    return out;
  }

  static std::vector<int32_t> Tokens(const std::vector<RequestOutput>& outs) {
    std::vector<int32_t> t;
    for (const RequestOutput& o : outs) t.insert(t.end(), o.token_ids.begin(), o.token_ids.end());
    return t;
  }
  static std::string Text(const std::vector<RequestOutput>& outs) {
    std::string s;
    for (const RequestOutput& o : outs) s += o.text;
    return s;
  }

  SimEnv env_;
  TempDir dir_;
  ModelConfig config_;
  std::shared_ptr<ByteTokenizer> tokenizer_;
};

EngineRequest Request(std::string id, std::vector<int32_t> prompt, SamplingParams p) {
  return EngineRequest{std::move(id), std::move(prompt), std::move(p), ""};
}

TEST_F(EngineTest, GreedyFollowsTheReferenceArgmax) {
  auto e = MakeEngine();
  std::vector<int32_t> prompt = tokenizer_->Encode("The quick brown fox", true);
  ASSERT_TRUE(e->AddRequest(Request("r", prompt, {.temperature = 0, .max_tokens = 12,
                                                  .ignore_eos = true})).ok());
  auto outs = RunAll(*e)["r"];
  std::vector<int32_t> got = Tokens(outs);
  ASSERT_EQ(got.size(), 12u);
  auto ref = testing::ReferenceModel::Load(dir_.path());
  ASSERT_TRUE(ref.ok());
  std::vector<int> seq(prompt.begin(), prompt.end());
  for (int32_t tok : got) {
    auto logits = ref.value()->Forward(seq).back();
    int argmax = static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    EXPECT_EQ(tok, argmax) << "after " << seq.size() << " tokens";
    seq.push_back(tok);
  }
  EXPECT_TRUE(outs.back().finished);
  EXPECT_EQ(outs.back().finish_reason, FinishReason::kLength);
  EXPECT_EQ(outs.back().completion_tokens, 12);
  EXPECT_EQ(outs.back().prompt_tokens, static_cast<int32_t>(prompt.size()));
  EXPECT_EQ(Text(outs), tokenizer_->Decode(got, true));
  EXPECT_TRUE(outs.front().first_token_time.has_value());
}

TEST_F(EngineTest, StopTokenEndsWithStopReason) {
  auto e = MakeEngine();
  std::vector<int32_t> prompt = tokenizer_->Encode("hello", true);
  SamplingParams p{.temperature = 0, .max_tokens = 10, .ignore_eos = true};
  ASSERT_TRUE(e->AddRequest(Request("a", prompt, p)).ok());
  std::vector<int32_t> free_run = Tokens(RunAll(*e)["a"]);
  p.stop_token_ids = {free_run[3]};
  ASSERT_TRUE(e->AddRequest(Request("b", prompt, p)).ok());
  auto outs = RunAll(*e)["b"];
  std::vector<int32_t> got = Tokens(outs);
  size_t first = std::find(free_run.begin(), free_run.end(), free_run[3]) - free_run.begin();
  ASSERT_EQ(got.size(), first + 1);
  EXPECT_EQ(outs.back().finish_reason, FinishReason::kStop);
  // The stop token's text is not part of the output.
  EXPECT_EQ(Text(outs), tokenizer_->Decode(std::vector<int32_t>(got.begin(), got.end() - 1), true));
}

TEST_F(EngineTest, StopStringIsCutAndNeverStreamed) {
  auto e = MakeEngine();
  std::vector<int32_t> prompt = tokenizer_->Encode("abc", true);
  SamplingParams p{.temperature = 0, .max_tokens = 16, .ignore_eos = true};
  ASSERT_TRUE(e->AddRequest(Request("a", prompt, p)).ok());
  std::string free_text = Text(RunAll(*e)["a"]);
  ASSERT_GE(free_text.size(), 8u);
  std::string stop = free_text.substr(4, 3);
  size_t at = free_text.find(stop);
  p.stop = {stop};
  ASSERT_TRUE(e->AddRequest(Request("b", prompt, p)).ok());
  auto outs = RunAll(*e)["b"];
  EXPECT_EQ(Text(outs), free_text.substr(0, at));
  EXPECT_EQ(outs.back().finish_reason, FinishReason::kStop);
  for (const RequestOutput& o : outs) EXPECT_EQ(o.text.find(stop), std::string::npos);
  p.include_stop_str_in_output = true;
  ASSERT_TRUE(e->AddRequest(Request("c", prompt, p)).ok());
  EXPECT_EQ(Text(RunAll(*e)["c"]), free_text.substr(0, at + stop.size()));
}

TEST_F(EngineTest, SameSeedSameTokensOtherSeedOtherTokens) {
  auto e = MakeEngine();
  std::vector<int32_t> prompt = tokenizer_->Encode("seeded", true);
  auto params = [](uint64_t seed) {
    return SamplingParams{.temperature = 1.0f, .top_p = 0.95f, .seed = seed, .max_tokens = 12,
                          .ignore_eos = true};
  };
  ASSERT_TRUE(e->AddRequest(Request("a", prompt, params(42))).ok());
  ASSERT_TRUE(e->AddRequest(Request("b", prompt, params(42))).ok());
  ASSERT_TRUE(e->AddRequest(Request("c", prompt, params(43))).ok());
  auto outs = RunAll(*e);
  EXPECT_EQ(Tokens(outs["a"]), Tokens(outs["b"]));
  EXPECT_NE(Tokens(outs["a"]), Tokens(outs["c"]));
}

// Says it cannot sample, so the engine draws every token itself.
class HostDrawBackend final : public ForwardingBackend {
 public:
  using ForwardingBackend::ForwardingBackend;
  bool samples() const override { return false; }
};

TEST_F(EngineTest, BackendDrawsTheSameTokensAsTheHost) {
  auto on_backend = MakeEngine();
  auto host = Engine::Create(env_, std::make_unique<HostDrawBackend>(testing::LoadBackend(dir_.path(), {})),
                             tokenizer_, {});
  ASSERT_TRUE(host.ok()) << host.status().ToString();
  std::vector<int32_t> prompt = tokenizer_->Encode("draw me", true);
  const std::vector<SamplingParams> params = {
      {.temperature = 0, .max_tokens = 10, .ignore_eos = true},
      {.temperature = 0.8f, .top_k = 20, .top_p = 0.9f, .seed = 7, .max_tokens = 10,
       .ignore_eos = true},
      {.temperature = 1.3f, .seed = 8, .max_tokens = 10, .ignore_eos = true},
      {.temperature = 1.0f, .top_k = 3, .seed = 9, .max_tokens = 10, .ignore_eos = true}};
  for (Engine* e : {on_backend.get(), host.value().get()}) {
    for (size_t i = 0; i < params.size(); ++i) {
      ASSERT_TRUE(e->AddRequest(Request("r" + std::to_string(i), prompt, params[i])).ok());
    }
  }
  auto a = RunAll(*on_backend);
  auto b = RunAll(*host.value());
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string id = "r" + std::to_string(i);
    EXPECT_EQ(Tokens(a[id]).size(), 10u) << id;
    EXPECT_EQ(Tokens(a[id]), Tokens(b[id])) << id;
  }
}

TEST_F(EngineTest, AbortEndsTheRequestWithAbortReason) {
  auto e = MakeEngine();
  ASSERT_TRUE(e->AddRequest(Request("a", {1, 50, 60}, {.max_tokens = 50, .ignore_eos = true})).ok());
  e->Step();
  e->Abort("a");
  e->Abort("unknown-id");
  auto outs = e->Step();
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_TRUE(outs[0].finished);
  EXPECT_EQ(outs[0].finish_reason, FinishReason::kAbort);
  EXPECT_FALSE(e->HasUnfinished());
  EXPECT_EQ(e->Stats().kv_blocks_free, e->Stats().kv_blocks_total) << "blocks returned";
}

TEST_F(EngineTest, BadRequestsAreRefusedWithReasons) {
  auto e = MakeEngine({.max_model_len = 64, .max_waiting = 2});
  auto code = [&](EngineRequest r) { return e->AddRequest(std::move(r)); };
  std::vector<int32_t> long_prompt(64, 50);
  Status s = code(Request("long", long_prompt, {.max_tokens = 1}));
  EXPECT_EQ(s.code(), StatusCode::kInvalid);
  EXPECT_NE(s.message().find("maximum context length is 64 tokens"), std::string::npos) << s.message();
  s = code(Request("sum", std::vector<int32_t>(40, 50), {.max_tokens = 30}));
  EXPECT_NE(s.message().find("you requested 70 tokens (40 in the prompt, 30 in the completion)"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(code(Request("zero", {1}, {.max_tokens = 0})).code(), StatusCode::kInvalid);
  EXPECT_EQ(code(Request("temp", {1}, {.temperature = -1})).code(), StatusCode::kInvalid);
  EXPECT_EQ(code(Request("vocab", {1, 999}, {})).code(), StatusCode::kInvalid);
  EXPECT_EQ(code(Request("empty", {}, {})).code(), StatusCode::kInvalid);
  EngineRequest adapter = Request("adapter", {1}, {});
  adapter.adapter = "nope";
  EXPECT_EQ(code(adapter).code(), StatusCode::kNotFound);
  EXPECT_TRUE(code(Request("q1", {1}, {})).ok());
  EXPECT_EQ(code(Request("q1", {1}, {})).code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(code(Request("q2", {1}, {})).ok());
  s = code(Request("q3", {1}, {}));
  EXPECT_EQ(s.code(), StatusCode::kTooManyRequests);
  EXPECT_GT(s.retry_after_seconds(), 0);
}

TEST_F(EngineTest, RequestLargerThanTheKvCacheIsRefused) {
  auto e = MakeEngine({}, {.num_kv_blocks = 4, .block_size = 4});
  Status s = e->AddRequest(Request("big", std::vector<int32_t>(10, 50), {.max_tokens = 10}));
  EXPECT_EQ(s.code(), StatusCode::kInvalid);
  EXPECT_NE(s.message().find("KV cache"), std::string::npos);
}

}  // namespace
}  // namespace kt::serving
